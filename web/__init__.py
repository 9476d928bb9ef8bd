"""The web side's plain helpers (no Flask here): Swedish text for counts, run summaries, times.

Public names: count_sv, feed_subtitle, hits_sv, item_label, local_time, noun_sv, preview_text,
run_kind_label, run_summary_sv.
"""
from .preview import preview_text
from .swedish import (count_sv, feed_subtitle, hits_sv, item_label, local_time, noun_sv,
                      run_kind_label, run_summary_sv)

__all__ = ["count_sv", "feed_subtitle", "hits_sv", "item_label", "local_time", "noun_sv",
           "preview_text", "run_kind_label", "run_summary_sv"]
