"""The strongest peers of bench/relevance.py (refs #14): Tantivy with Snowball Swedish, and an
Elasticsearch-style Swedish chain in plain Python.

The ES-style chain follows Elasticsearch's documented `swedish` analyzer with a
`dictionary_decompounder` added before the stemmer: lowercase → Swedish stop words → every
dictionary word of 3–15 letters found inside a token of 5+ letters (kept at the token's
position, the original kept too) → Snowball Swedish; BM25 (k1 1.2, b 0.75) over whole files.
The dictionary is the same hunspell-sv lexicon Paragraf uses, flags stripped. A query's
position is matched by any of its tokens (ES treats tokens at one position as synonyms), so
"AND" means every position, and "AND, then OR" ranks files with every position first.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from pathlib import Path

WORD = re.compile(r"\w+", re.UNICODE)
DIC_PATH = "/usr/share/hunspell/sv_SE.dic"
K1, B = 1.2, 0.75


def _stop_words() -> set[str]:
    # Snowball's Swedish stop list (the one ES's `_swedish_` stop filter uses), via Whoosh
    from whoosh.lang import stopwords_for_language
    return set(stopwords_for_language("sv"))


def _dictionary(path: str = DIC_PATH) -> set[str]:
    words = set()
    try:
        lines = Path(path).read_text("utf-8", errors="replace").splitlines()[1:]
    except OSError:
        return words
    for line in lines:
        word = line.split("/", 1)[0].strip().lower()
        if 3 <= len(word) <= 15 and word.isalpha():
            words.add(word)
    return words


class EsSwedishChain:
    """Elasticsearch-style Swedish analysis with a dictionary decompounder, BM25 over files."""

    def __init__(self, docs: dict[str, str], mode: str):
        import snowballstemmer
        self.mode = mode
        self.name = ("ES-style sv chain (stop, decompound, Snowball), BM25 "
                     + ("any word (OR)" if mode == "OR" else "AND, then OR"))
        self.stop = _stop_words()
        self.words = _dictionary()
        self.stemmer = snowballstemmer.stemmer("swedish")
        self.cache: dict[str, list[str]] = {}
        self.tf: dict[str, Counter] = {}
        self.length: dict[str, int] = {}
        self.df: Counter = Counter()
        for key, text in docs.items():
            counts = Counter(t for position in self.analyze(text) for t in position)
            self.tf[key] = counts
            self.length[key] = sum(counts.values())
            self.df.update(counts.keys())
        self.avg = sum(self.length.values()) / max(1, len(self.length))
        self.postings: dict[str, list[str]] = defaultdict(list)
        for key, counts in self.tf.items():
            for term in counts:
                self.postings[term].append(key)

    def _token(self, token: str) -> list[str]:
        found = self.cache.get(token)
        if found is None:
            found = [token]
            if len(token) >= 5 and not token.isdigit():
                for i in range(len(token)):
                    for j in range(i + 3, min(len(token), i + 15) + 1):
                        if (i, j) != (0, len(token)) and token[i:j] in self.words:
                            found.append(token[i:j])
            found = list(dict.fromkeys(self.stemmer.stemWords(found)))
            self.cache[token] = found
        return found

    def analyze(self, text: str) -> list[list[str]]:
        """One list of terms per position (the token's stem and its parts' stems)."""
        return [self._token(t) for t in WORD.findall(text.lower()) if t not in self.stop]

    def _idf(self, term: str) -> float:
        n, df = len(self.tf), self.df.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def run(self, text: str):
        positions = [p for p in self.analyze(text) if p]
        scores: Counter = Counter()
        for position in positions:
            for term in position:
                idf = self._idf(term)
                for key in self.postings.get(term, ()):
                    tf = self.tf[key][term]
                    norm = K1 * (1 - B + B * self.length[key] / self.avg)
                    scores[key] += idf * tf * (K1 + 1) / (tf + norm)
        ranked = sorted(scores, key=lambda k: (-scores[k], k))
        if self.mode == "AND":
            def has_all(key):
                return all(any(t in self.tf[key] for t in p) for p in positions)
            ranked = [k for k in ranked if has_all(k)] + [k for k in ranked if not has_all(k)]
        return ranked[:50], None


class TantivyPeer:
    """Tantivy (PyPI `tantivy`): simple tokenizer, lowercase, Snowball Swedish stemmer; BM25."""

    def __init__(self, docs: dict[str, str], mode: str = "OR"):
        import tantivy
        self.tantivy = tantivy
        self.mode = mode
        self.name = f"Tantivy Snowball-sv, {'any word (OR)' if mode == 'OR' else 'AND'}"
        analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                    .filter(tantivy.Filter.remove_long(40))
                    .filter(tantivy.Filter.lowercase())
                    .filter(tantivy.Filter.stemmer("swedish"))
                    .build())
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("path", stored=True, tokenizer_name="raw")
        builder.add_text_field("body", stored=False, tokenizer_name="sv_stem")
        self.index = tantivy.Index(builder.build())
        self.index.register_tokenizer("sv_stem", analyzer)
        writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        for key, text in docs.items():
            writer.add_document(tantivy.Document(path=key, body=text))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def run(self, text: str):
        # the query language's own syntax kept to phrases; other characters become spaces
        parts = []
        for part in re.findall(r'"[^"]*"|[^\s"]+', text):
            words = WORD.findall(part)
            if words:
                parts.append('"' + " ".join(words) + '"' if part.startswith('"') else " ".join(words))
        if not parts:
            return [], None
        query = self.index.parse_query(" ".join(parts), ["body"],
                                       conjunction_by_default=self.mode == "AND")
        searcher = self.index.searcher()
        hits = searcher.search(query, 50).hits
        return [searcher.doc(address)["path"][0] for _, address in hits], None
