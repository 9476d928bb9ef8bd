"""Snippets are plain sentences: no Markdown table bars, rules, <br> or heading marks (refs #17)."""
from __future__ import annotations

def test_snippets_from_a_converted_table_are_plain_text(client):
    """A hit inside a Markdown table of a notice shows its words without | or <br>."""
    hits = client.get("/api/search?q=delårsrapport+ekonomistyrprinciper").get_json()["hits"]
    assert hits
    for hit in hits:
        snippet = hit["snippet"]
        assert "|" not in snippet and "&lt;br" not in snippet and "---" not in snippet, snippet
    assert "<mark>" in hits[0]["snippet"]
