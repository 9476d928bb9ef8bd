"""Golden-file helpers: what ingest derives from a sample, in a form worth reviewing by eye.

Regenerate after a deliberate parser change with:  python -m tests.golden  (then review the diff).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"


def summarise(doc) -> dict:
    return {
        "kind": doc.kind, "organisation": doc.organisation, "body": doc.body, "date": doc.date,
        "title": doc.title, "pages": len(doc.pages),
        "items": [{"label": i.label, "title": i.title, "dnr": i.dnr, "page": i.page_start,
                   "decision_starts": i.decision[:60]} for i in doc.items],
    }


def samples() -> list[Path]:
    return sorted(p for p in DATA.iterdir()
                  if p.suffix in (".txt", ".md", ".html", ".pdf") and p.name != "README.md")


def main() -> None:
    sys.path.insert(0, str(DATA.parent.parent))
    from ingest.reader import parse_document, read_sidecar
    for path in samples():
        doc = parse_document(path.read_bytes(), path.name, path.name, read_sidecar(path))
        out = path.with_name(path.stem + ".expected.json")
        out.write_text(json.dumps(summarise(doc), ensure_ascii=False, indent=1) + "\n")
        print("wrote", out.name)


if __name__ == "__main__":
    main()
