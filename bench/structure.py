"""Structure recovered from real-layout PDFs, against their ground truth (refs #15).

Ingests every ../shared/pdf-corpus/NAME.pdf into a fresh data directory through the normal
ingest path (`ingest_paths`), reads the result back through the public `archive` package and
compares it with NAME.truth.json: items found with the right number, titles, text attached to
the right item (first and last 12 words), decisions, running header/footer lines inside item
texts and titles, page ranges, and the meeting's date, body and organisation. Prints a table
per document and the totals.

    python bench/structure.py [--corpus ../shared/pdf-corpus] [--extra NAME.truth.json ...]
                              [--verbose] [--json FILE]

`--extra` adds other documents with a truth file of the same shape beside them (e.g. a
meeting page: `demo/NAME.truth.json` next to `demo/NAME.txt`).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds http.py: keep it off the path, or the standard library's http breaks
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

BULLETS = set("•◦▪▫‣⁃-–·\uf0b7\uf0a7\uf0d8")


def words(text: str | None) -> list[str]:
    """Whitespace-separated words; bullet glyphs are not words (as in the truth files)."""
    return [w for w in (text or "").split() if w not in BULLETS]


def window_matches(text_words: list[str], truth: str, side: int) -> bool:
    """The first (side 1) or last (side -1) 12 words of a text are the truth's. The truth
    counts a dash between words ('Åsaskolan – verksamhetsanpassning') among its 12; `words`
    drops dashes as bullet glyphs, so compare as many words as the truth has left. A truth
    of fewer than 12 words is the whole text."""
    want = words(truth)
    if len(truth.split()) < 12:
        return text_words == want
    got = text_words[:len(want)] if side > 0 else text_words[len(text_words) - len(want):]
    return got == want


def label_of(number: str) -> str:
    """Truth numbers are '§ 57' (protocol) or '5' (agenda point): our labels '§ 57', 'punkt 5'."""
    number = number.strip()
    return number if number.startswith("§") else f"punkt {int(number.rstrip('.'))}"


def header_patterns(truth: dict) -> list[re.Pattern]:
    """The running header/footer strings as whole-line patterns, N standing for any number."""
    strings = set(truth.get("running_header_lines", [])) | set(truth.get("first_page_header_lines", []))
    out = []
    for s in sorted(strings):
        if not s.strip():
            continue
        pattern = r"\s*".join(re.escape(part) for part in s.split())
        pattern = pattern.replace("N", r"\d{1,4}") if re.search(r"\bN\b", s) else pattern
        out.append(re.compile(rf"^\s*{pattern}\s*$"))
    return out


def leaked_lines(text: str, patterns: list[re.Pattern]) -> list[str]:
    """Lines of an item's text (or title) that are a running header or footer string."""
    return [line for line in (text or "").splitlines()
            if line.strip() and any(p.match(line) for p in patterns)]


def canonical(body: str) -> str:
    from ingest.structure import canonical_body
    return canonical_body(body).lower()


def compare(doc, items, truth: dict) -> dict:
    """Per-document counts of what is right."""
    patterns = header_patterns(truth)
    by_label: dict[str, object] = {}
    for item in items:
        by_label.setdefault(item.label, item)
    expected = truth["items"]
    row = {"file": doc.filename, "template": truth.get("template", "-"), "expected": len(expected),
           "found": len(items), "number": 0, "title": 0, "first": 0, "last": 0, "text": 0,
           "decisions": 0, "decisions_expected": 0, "pages": 0, "leaked": 0, "dnr": 0,
           "dnr_expected": 0, "extra": 0, "problems": []}
    wanted = {label_of(t["number"]) for t in expected}
    row["extra"] = sum(1 for item in items if item.label not in wanted)
    for item in items:
        leaks = leaked_lines(item.text, patterns) + leaked_lines(item.title, patterns)
        row["leaked"] += len(leaks)
        if leaks:
            row["problems"].append(f"{item.label}: header lines {leaks[:3]}")
    for t in expected:
        label = label_of(t["number"])
        item = by_label.get(label)
        if item is None:
            row["problems"].append(f"{label}: missing ({t['title'][:50]})")
            continue
        row["number"] += 1
        if " ".join(item.title.split()) == " ".join(t["title"].split()):
            row["title"] += 1
        else:
            row["problems"].append(f"{label}: title {item.title[:70]!r} != {t['title'][:70]!r}")
        text_words = words(item.text)
        first_ok = t["first_words"] is None or window_matches(text_words, t["first_words"], 1)
        last_ok = t["last_words"] is None or window_matches(text_words, t["last_words"], -1)
        if t["first_words"] is None and text_words:
            first_ok = last_ok = False
        row["first"] += first_ok
        row["last"] += last_ok
        row["text"] += first_ok and last_ok
        if not first_ok:
            row["problems"].append(f"{label}: first {' '.join(text_words[:12])!r} != "
                                   f"{t['first_words']!r}")
        if not last_ok:
            row["problems"].append(f"{label}: last {' '.join(text_words[-12:])!r} != "
                                   f"{t['last_words']!r}")
        if t.get("decision_first_words"):
            row["decisions_expected"] += 1
            want = words(t["decision_first_words"])
            if words(item.decision)[:len(want)] == want:
                row["decisions"] += 1
            else:
                row["problems"].append(f"{label}: decision {' '.join(words(item.decision)[:12])!r} "
                                       f"!= {t['decision_first_words']!r}")
        if t.get("dnr"):
            row["dnr_expected"] += 1
            if any(t["dnr"] in d for d in item.dnr):
                row["dnr"] += 1
            else:
                row["problems"].append(f"{label}: dnr {item.dnr} != {t['dnr']!r}")
        if (item.page_start, item.page_end) == (t["page_from"], t["page_to"]):
            row["pages"] += 1
        else:
            row["problems"].append(f"{label}: pages {item.page_start}-{item.page_end} != "
                                   f"{t['page_from']}-{t['page_to']}")
    row["date"] = doc.date == truth.get("meeting_date")
    row["body"] = canonical(doc.body or "") == canonical(truth.get("body") or "")
    row["organisation"] = doc.organisation == truth.get("organisation")
    for key, got in (("date", doc.date), ("body", doc.body), ("organisation", doc.organisation)):
        if not row[key]:
            row["problems"].append(f"{key}: {got!r} != {truth.get({'date': 'meeting_date'}.get(key, key))!r}")
    return row


def run(files: list[tuple[Path, Path]], verbose: bool) -> list[dict]:
    from archive import Archive
    from ingest import ingest_paths
    truths = {path.name: json.loads(truth.read_text("utf-8")) for path, truth in files}
    with tempfile.TemporaryDirectory(prefix="paragraf-structure-") as tmp:
        with Archive(Path(tmp) / "data") as store:
            report = ingest_paths(store, [str(path) for path, _ in files])
            for failure in report.failed:
                print("FAILED", failure, file=sys.stderr)
            rows = []
            for doc in sorted(store.documents(), key=lambda d: d.filename):
                if doc.filename not in truths:
                    continue
                rows.append(compare(doc, store.items(document=doc.id), truths[doc.filename]))
    return rows


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f} %" if d else "-"


def print_table(rows: list[dict], verbose: bool) -> None:
    head = ("document", "tpl", "items", "number", "title", "text", "first", "last", "decision",
            "dnr", "pages", "leaked", "extra", "date", "body", "org")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    yes = {True: "yes", False: "NO"}
    for r in rows:
        e = r["expected"]
        print(f"| {r['file'][:48]} | {r['template']} | {r['found']}/{e} | {r['number']} | {r['title']} | "
              f"{r['text']} | {r['first']} | {r['last']} | {r['decisions']}/{r['decisions_expected']} | "
              f"{r['dnr']}/{r['dnr_expected']} | {r['pages']} | {r['leaked']} | {r['extra']} | "
              f"{yes[r['date']]} | {yes[r['body']]} | {yes[r['organisation']]} |")
        if verbose:
            for problem in r["problems"]:
                print(f"    {problem}")
    total = {k: sum(r[k] for r in rows) for k in ("expected", "found", "number", "title", "text",
                                                   "first", "last", "decisions",
                                                   "decisions_expected", "dnr", "dnr_expected",
                                                   "pages", "leaked", "extra")}
    e = total["expected"]
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| documents | {len(rows)} |")
    print(f"| items expected / found | {e} / {total['found']} (extra: {total['extra']}) |")
    print(f"| right number | {pct(total['number'], e)} |")
    print(f"| right number and title | {pct(total['title'], e)} |")
    print(f"| text attached right (first and last words) | {pct(total['text'], e)} "
          f"(first {pct(total['first'], e)}, last {pct(total['last'], e)}) |")
    print(f"| decisions found | {pct(total['decisions'], total['decisions_expected'])} "
          f"({total['decisions']} of {total['decisions_expected']}) |")
    print(f"| Dnr right | {pct(total['dnr'], total['dnr_expected'])} |")
    print(f"| page ranges right | {pct(total['pages'], e)} |")
    print(f"| header/footer lines inside item texts and titles | {total['leaked']} |")
    for key, name in (("date", "meeting date"), ("body", "body"), ("organisation", "organisation")):
        print(f"| {name} right | {sum(r[key] for r in rows)} of {len(rows)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "pdf-corpus"))
    parser.add_argument("--extra", nargs="*", default=[], help="more NAME.truth.json files")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every mismatch")
    parser.add_argument("--json", help="write the per-document rows to this file")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    files = [(pdf, pdf.with_name(pdf.stem + ".truth.json")) for pdf in sorted(corpus.glob("*.pdf"))]
    for extra in args.extra:
        truth = Path(extra)
        stem = truth.name.removesuffix(".truth.json")
        source = next((p for p in sorted(truth.parent.glob(stem + ".*"))
                       if not p.name.endswith(".json")), None)
        if source:
            files.append((source, truth))
    files = [(p, t) for p, t in files if t.is_file()]
    rows = run(files, args.verbose)
    print_table(rows, args.verbose)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
