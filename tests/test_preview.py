"""Link-preview text: one line, cut at a sentence end or a word (refs #17)."""
from web import preview_text


def test_short_text_is_kept_whole_on_one_line():
    """Line breaks and runs of spaces become single spaces."""
    assert preview_text("Kommunstyrelsen\nbeslutar  att\tanta planen.") == \
        "Kommunstyrelsen beslutar att anta planen."


def test_long_text_is_cut_at_a_sentence_end():
    """A long text ends at the last full sentence within the limit."""
    text = "Första meningen är här. " + "Andra meningen är lång " * 20
    assert preview_text(text, 60) == "Första meningen är här."


def test_without_a_sentence_end_the_cut_falls_between_words():
    """With no sentence end, the cut is at a space and marked with an ellipsis."""
    out = preview_text("uppdrar åt förvaltningen att utse JM AB som vinnare " * 5, 40)
    assert out.endswith(" …") and not out[:-2].endswith(("J", "JM A"))
    assert len(out) <= 42


def test_markdown_table_rules_and_breaks_are_dropped():
    """Table rule rows, cell bars and <br> from converters do not show."""
    assert preview_text("| Nr | Ärende |\n| --- | --- |\n| 1 | Budget<br>2026 |") == \
        "Nr Ärende 1 Budget 2026"
