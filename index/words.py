"""Query words as term nodes: each word's forms and their weights over the fields (refs #3)."""
from __future__ import annotations

from . import analysis
from .engine import Node, terms as term_node
from .query import ParsedQuery

# Field weights: exact form > stem > compound part > folded letters; title, decision and
# case number count more than body text (refs #3).
W_EXACT, W_STEM, W_PART, W_FOLDED = 1.6, 1.0, 0.6, 0.45
W_TITLE, W_DECISION, W_DNR, W_PARAGRAPH = 2.2, 0.8, 6.0, 4.0     # multipliers / weights


def typed_plainly(word: str) -> bool:
    """A word without å/ä/ö that the lexicon does not know ("valnamnden"): most likely a word
    with them, typed on a keyboard or phone without them."""
    return word.isalpha() and analysis.fold(word) == word and not analysis.is_known_word(word)


def word_terms(word: str) -> list[tuple[str, float]]:
    """The merged-field terms one query word matches, each with its weight (refs #3).

    The word as written weighs most; its stem (as a word, or marked '^' in inflected or
    compound words) next; folded forms ('~' where å/ä/ö were folded away, or plain where
    the text itself lacks them) least.
    """
    terms = analysis.query_terms(word)
    whole, stem = terms["exact"][0], terms["stem"][0]
    out: dict[str, float] = {whole: W_EXACT + (W_STEM if whole == stem else 0.0)}
    out.setdefault(analysis.STEM + stem, W_STEM)
    out.setdefault(stem, W_STEM)
    # refs #14: a word typed without å/ä/ö that the lexicon does not know ("valnamnden") is
    # a word with them typed plainly: its folded forms weigh as the word and its stem would
    # (a known word, or one typed with å/ä/ö: folded forms weigh least)
    bare = typed_plainly(whole)
    for folded in terms["folded"]:
        weight = W_FOLDED
        if bare:   # mirror what the word with its letters would collect: a position of
            # such a word holds its stem '^' and its folded stem '~' (the word as written is
            # matched when the archive holds it: word_node's `restore`)
            weight = out[whole] if folded == whole else W_STEM + W_FOLDED
        for term in (analysis.FOLD + folded, folded, analysis.STEM + folded):
            out[term] = max(out.get(term, 0.0), weight)
    return list(out.items())


def word_node(word: str, restore=None) -> Node:
    """One query word in the text, title and decision fields, plus its compound parts.

    `restore` (plain word -> the archive's word with å/ä/ö, or '') reads a word typed
    without them as the word meant: 'sammantradesdagar' matches as 'sammanträdesdagar'
    would, and its parts are the parts of that word (refs #14)."""
    plain = typed_plainly(word.lower())
    restored = restore(word.lower()) if restore and plain else ""
    weights: dict[str, float] = {}
    for form in (word, restored) if restored else (word,):
        for term, weight in word_terms(form):
            weights[term] = max(weights.get(term, 0.0), weight)
    triples = []
    for term, weight in weights.items():
        triples += [("text", term, weight), ("title", term, weight * W_TITLE),
                    ("decision", term, weight * W_DECISION)]
    node = term_node(*triples)
    node.key = ("word", word, restored)
    parts = analysis.query_terms(word)["parts"]
    if restore and plain and len(parts) > 1:
        raw = [p for p in analysis.word_parts(word.lower().rstrip("-")) if p]
        parts = list(dict.fromkeys(analysis.stem(restore(p) or p) for p in raw))
    if restored:
        parts = analysis.query_terms(restored)["parts"] or parts
    if len(parts) > 1:
        # a compound typed whole also finds its parts written apart ("avfallstaxa" ~ "taxa för
        # avfall"); typed without å/ä/ö, its folded parts weigh as the parts (refs #14)
        folded = 1.0 if plain else W_FOLDED
        together = Node("and", boost=W_PART, children=[
            term_node(("text", analysis.STEM + p, 1.0), ("text", p, 1.0),
                      ("title", analysis.STEM + p, 1.0), ("title", p, 1.0),
                      ("text", analysis.FOLD + analysis.fold(p), folded),
                      ("title", analysis.FOLD + analysis.fold(p), folded)) for p in parts])
        node = Node("or", children=[node, together], key=("word+parts", word, restored))
    return node


def wanted_terms(parsed: ParsedQuery) -> dict[str, set[str]]:
    """The forms of the query's words to mark in snippets and pages: as typed, stems, folded."""
    wanted = {"exact": set(), "stem": set(), "folded": set()}
    for group in parsed.groups:
        for clause in group:
            words = clause.value if isinstance(clause.value, list) else [clause.value]
            if clause.kind not in ("word", "phrase", "prefix", "fuzzy"):
                continue
            for word in words:
                terms = analysis.query_terms(word)
                wanted["exact"].add(word)
                wanted["stem"].update(terms["stem"])
                wanted["folded"].update(terms["folded"])
    return wanted
