"""What ingest and index both use and neither owns: worker processes and boilerplate lines.

ingest/ and index/ never import each other, and archive/ holds only the records; the two
helpers they share live here, importing nothing else of ours (refs #16).

Public names: the modules `workers` (run_bounded, set_stage, die_with_parent and the outcome
codes TIMEOUT, MEMORY, DIED) and `boilerplate` (BOILERPLATE, repeated_lines, clean_text,
strip_contents).
"""
from . import boilerplate, workers

__all__ = ["boilerplate", "workers"]
