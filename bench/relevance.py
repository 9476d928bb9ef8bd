"""Search quality on the judged development queries (refs #3).

Ingests ../shared/corpus and ../shared/seeds into a fresh data directory, runs every query of
../shared/eval/queries.jsonl through the search function the web uses, and prints nDCG@10,
recall@10, MRR, zero-result count and §-hit rate, overall, per query type and per half of the
set (d01–d60 vs d61–d120, odd vs even ids), beside peers measured in the same run on the same
files (document level): an Elasticsearch-style Swedish chain with a hunspell-sv dictionary
decompounder (any word, and AND then OR) and Tantivy with Snowball Swedish (bench/peers.py,
refs #14), SQLite FTS5 (unicode61 remove_diacritics 2) with AND and with OR, Whoosh's
StandardAnalyzer with AND, and Whoosh's LanguageAnalyzer("sv") with OR. Paragraf and the best peer
also run every query typed without å/ä/ö. Ends with the queries where Paragraf and the best
peer differ.

    python bench/relevance.py [--shared ../shared] [--queries FILE] [--verbose] [--no-peers]
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds http.py: keep it off the path, or the standard library's http breaks
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]


def load_queries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def files_of(shared: Path) -> list[Path]:
    return sorted((shared / "corpus").glob("*.txt")) + sorted((shared / "seeds").glob("*.txt"))


def key_of(path: Path, shared: Path) -> str:
    return path.relative_to(shared).as_posix()


# --- metrics -------------------------------------------------------------------------------
def score(query: dict, ranked_files: list[str], top_paragraph: tuple[str, str | None] | None):
    grades = query["relevant"]
    seen, files = set(), []
    for f in ranked_files:
        if f not in seen:
            seen.add(f)
            files.append(f)
    top = files[:10]
    dcg = sum(grades.get(f, 0) / math.log2(i + 2) for i, f in enumerate(top))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    relevant = [f for f, g in grades.items() if g >= 1]
    recall = sum(1 for f in top if f in relevant) / len(relevant)
    mrr = next((1 / (i + 1) for i, f in enumerate(files) if grades.get(f, 0) >= 1), 0.0)
    para = None
    if query.get("paragraphs"):
        para = 0.0
        if top_paragraph:
            f, label = top_paragraph
            if label and label in query["paragraphs"].get(f, []):
                para = 1.0
    return {"ndcg": dcg / idcg if idcg else 0.0, "recall": recall, "mrr": mrr,
            "zero": 0 if ranked_files else 1, "para": para}


def summarise(rows: list[dict]) -> dict:
    out = {}
    for name in ("ndcg", "recall", "mrr"):
        out[name] = sum(r[name] for r in rows) / len(rows)
    out["zero"] = sum(r["zero"] for r in rows)
    paras = [r["para"] for r in rows if r["para"] is not None]
    out["para"] = (sum(paras) / len(paras)) if paras else None
    return out


# --- engines -------------------------------------------------------------------------------
class Paragraf:
    name = "Paragraf (items)"

    def __init__(self, shared: Path, workdir: Path):
        from archive import Archive
        from index import SearchIndex, rebuild_index
        from ingest import ingest_paths
        data = workdir / "paragraf"
        with Archive(data) as store:
            report = ingest_paths(store, [shared / "corpus", shared / "seeds"])
            if report.failed:
                raise SystemExit(f"ingest failed: {report.failed}")
            rebuild_index(store, data)
            self.by_source = {}
            for doc in store.documents():
                self.by_source[doc.source] = doc
        self.index = SearchIndex(data)
        self.keys = {p.name: key_of(p, shared) for p in files_of(shared)}

    def run(self, text: str):
        result = self.index.search(text, page_size=50)
        files = [self.keys.get(Path(h.source).name, h.source) for h in result.hits]
        top = None
        if result.hits:
            hit = result.hits[0]
            top = (files[0], hit.paragraph)
        return files, top


class Fts5:
    def __init__(self, shared: Path, mode: str):
        self.mode = mode
        self.name = f"SQLite FTS5 unicode61 remove_diacritics 2, {mode}"
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE d USING fts5(path UNINDEXED, body, "
                        "tokenize='unicode61 remove_diacritics 2')")
        for p in files_of(shared):
            self.db.execute("INSERT INTO d VALUES (?, ?)", (key_of(p, shared), p.read_text("utf-8")))

    def run(self, text: str):
        parts = re.findall(r'"[^"]*"|[^\s"]+', text)
        terms = []
        for part in parts:
            words = re.findall(r"\w+", part)
            if not words:
                continue
            terms.append('"' + " ".join(words) + '"')
        if not terms:
            return [], None
        expr = (" OR " if self.mode == "OR" else " AND ").join(terms)
        rows = self.db.execute("SELECT path FROM d WHERE d MATCH ? ORDER BY bm25(d) LIMIT 50",
                               (expr,)).fetchall()
        return [r[0] for r in rows], None


class WhooshPeer:
    def __init__(self, shared: Path, workdir: Path, analyzer_name: str, group: str):
        from whoosh import index as wi
        from whoosh.analysis import LanguageAnalyzer, StandardAnalyzer
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.qparser import AndGroup, OrGroup, QueryParser
        analyzer = StandardAnalyzer() if analyzer_name == "standard" else LanguageAnalyzer("sv")
        self.name = (f"Whoosh {'StandardAnalyzer' if analyzer_name == 'standard' else 'LanguageAnalyzer(sv)'}"
                     f", {group}")
        path = workdir / f"whoosh-{analyzer_name}-{group}"
        path.mkdir()
        ix = wi.create_in(str(path), Schema(path=ID(stored=True), body=TEXT(analyzer=analyzer)))
        writer = ix.writer()
        for p in files_of(shared):
            writer.add_document(path=key_of(p, shared), body=p.read_text("utf-8"))
        writer.commit()
        self.searcher = ix.searcher()
        self.parser = QueryParser("body", ix.schema, group=AndGroup if group == "AND" else OrGroup)

    def run(self, text: str):
        q = self.parser.parse(text)
        return [h["path"] for h in self.searcher.search(q, limit=50)], None


class TypedPlainly:
    """Another engine, every query typed without å/ä/ö (as on a phone or a foreign keyboard):
    how far a search for "nämnden" typed as "namnden" ranks like the search typed right."""
    PLAIN = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")

    def __init__(self, engine):
        self.engine = engine
        self.name = f"{engine.name}, every query typed without å/ä/ö"

    def run(self, text: str):
        return self.engine.run(text.translate(self.PLAIN))


# --- report --------------------------------------------------------------------------------
def fmt(value, digits=2):
    return "n/a" if value is None else (f"{value:.{digits}f}" if isinstance(value, float) else str(value))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--queries", type=Path, default=None)
    parser.add_argument("--verbose", action="store_true", help="print each query's top files")
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    queries = load_queries(args.queries or args.shared / "eval" / "queries.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        engines = [Paragraf(args.shared, work)]
        if not args.no_peers:
            from bench.peers import EsSwedishChain, TantivyPeer
            docs = {key_of(p, args.shared): p.read_text("utf-8") for p in files_of(args.shared)}
            engines += [EsSwedishChain(docs, "OR"), EsSwedishChain(docs, "AND"),
                        TantivyPeer(docs, "OR"),
                        Fts5(args.shared, "AND"), Fts5(args.shared, "OR"),
                        WhooshPeer(args.shared, work, "standard", "AND"),
                        WhooshPeer(args.shared, work, "sv", "OR")]
            engines += [TypedPlainly(engines[0]), TypedPlainly(engines[1])]
        results = {}
        for engine in engines:
            rows = []
            for q in queries:
                files, top = engine.run(q["query"])
                row = score(q, files, top) | {"id": q["id"], "type": q["type"]}
                rows.append(row)
                if args.verbose and engine is engines[0]:
                    marker = "" if row["ndcg"] > 0.99 else "   <--"
                    print(f"{q['id']} {q['type']:12} ndcg={row['ndcg']:.2f} rec={row['recall']:.2f} "
                          f"para={fmt(row['para'])} {q['query']!r}{marker}")
                    if row["ndcg"] < 0.99 or row["para"] == 0:
                        print("      top:", [f.split('/')[-1][:32] for f in dict.fromkeys(files)][:5],
                              "para:", top[1] if top else None)
                        print("      want:", {k.split('/')[-1][:32]: v for k, v in q["relevant"].items()},
                              q.get("paragraphs"))
            results[engine.name] = rows
    print(f"\n{len(queries)} judged queries, {len(files_of(args.shared))} files; document level "
          "(first hit per file, cut at 10)\n")
    print("| engine | nDCG@10 | recall@10 | MRR | zero results | §-hit |")
    print("|---|---|---|---|---|---|")
    for name, rows in results.items():
        s = summarise(rows)
        print(f"| {name} | {fmt(s['ndcg'], 3)} | {fmt(s['recall'])} | {fmt(s['mrr'])} | {s['zero']} "
              f"| {fmt(s['para']) if name.startswith('Paragraf') else 'n/a'} |")
    ours = results[engines[0].name]
    halves = {"d01–d60": lambda q: int(q[1:]) <= 60, "d61–d120": lambda q: int(q[1:]) > 60,
              "odd ids": lambda q: int(q[1:]) % 2 == 1, "even ids": lambda q: int(q[1:]) % 2 == 0}
    print("\nHalves of the set (nDCG@10; Paragraf §-hit in brackets):\n")
    print("| engine | " + " | ".join(halves) + " |")
    print("|---|" + "---|" * len(halves))
    for name, rows in results.items():
        cells = []
        for test in halves.values():
            part = summarise([r for r in rows if test(r["id"])])
            extra = f" ({fmt(part['para'])})" if name == engines[0].name else ""
            cells.append(fmt(part["ndcg"], 3) + extra)
        print(f"| {name} | " + " | ".join(cells) + " |")
    types = list(dict.fromkeys(r["type"] for r in ours))
    print("\nPer query type, nDCG@10 of every engine:\n")
    print("| engine | " + " | ".join(types) + " |")
    print("|---|" + "---|" * len(types))
    for name, rows in results.items():
        cells = [fmt(summarise([r for r in rows if r["type"] == t])["ndcg"]) for t in types]
        print(f"| {name} | " + " | ".join(cells) + " |")
    ours = results[engines[0].name]
    by_type = defaultdict(list)
    for row in ours:
        by_type[row["type"]].append(row)
    print(f"\nPer query type, {engines[0].name}:\n")
    print("| type | queries | nDCG@10 | recall@10 | MRR | zero | §-hit |")
    print("|---|---|---|---|---|---|---|")
    for qtype, rows in by_type.items():
        s = summarise(rows)
        print(f"| {qtype} | {len(rows)} | {fmt(s['ndcg'])} | {fmt(s['recall'])} | {fmt(s['mrr'])} "
              f"| {s['zero']} | {fmt(s['para'])} |")
    peers = [n for n in results if n != engines[0].name and "typed without" not in n]
    if peers:
        best = max(peers, key=lambda n: summarise(results[n])["ndcg"])
        print(f"\nPer query, Paragraf vs the best peer ({best}), where nDCG@10 differs by 0.05+:\n")
        print("| id | type | query | Paragraf | peer | diff |")
        print("|---|---|---|---|---|---|")
        by_id = {q["id"]: q for q in queries}
        pairs = sorted(zip(ours, results[best]), key=lambda p: p[0]["ndcg"] - p[1]["ndcg"])
        for mine, theirs in pairs:
            diff = mine["ndcg"] - theirs["ndcg"]
            if abs(diff) >= 0.05:
                print(f"| {mine['id']} | {mine['type']} | {by_id[mine['id']]['query']} "
                      f"| {mine['ndcg']:.2f} | {theirs['ndcg']:.2f} | {diff:+.2f} |")


if __name__ == "__main__":
    main()
