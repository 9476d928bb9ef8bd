"""OCR misreads '§' as '$': such minutes still split into their § items (refs #14, #15)."""
from ingest.reader import parse_document
from ingest.text import repair_section_signs

MINUTES = """KUNGSBACKA KOMMUN SAMMANTRÄDESPROTOKOLL
Nämnden för Förskola & Grundskola Datum 2026-04-22

Paragrafer $$ 39-41

<!-- sida 2 -->

$ 39 Dnr FG-2026-00014
Fastställande av dagordning och val av justerare

Beslut
Nämnden fastställer dagordningen.

$ 40 Dnr FG-2026-00042
Redovisning av inkomna skrivelser

Beslut
Nämnden lägger redovisningen till handlingarna.

$41 Dnr FG-2026-00178
Främja närvaro och förebygga frånvaro

Beslut
Nämnden godkänner uppföljningen. Kostnaden är 40 000 kronor.
"""


def test_minutes_whose_section_signs_were_read_as_dollars_split_into_items():
    doc = parse_document(MINUTES.encode(), "fg-protokoll-2026-04-22.txt", "fg-protokoll.txt")
    assert [item.label for item in doc.items] == ["§ 39", "§ 40", "§ 41"]
    assert doc.items[2].title == "Främja närvaro och förebygga frånvaro"
    assert "$" not in doc.pages[0].text and "§§ 39-41" in doc.pages[0].text


def test_a_document_with_real_section_signs_keeps_its_dollars():
    pages = ["§ 5 Budget\n$ 100 per licens\n$ 200 per år"]
    assert repair_section_signs(pages) == pages


def test_one_stray_dollar_line_is_no_pattern():
    pages = ["Licensen kostar\n$ 100 per år enligt offerten."]
    assert repair_section_signs(pages) == pages


def test_amounts_and_words_beside_a_repaired_sign_are_left_alone():
    pages = ["$ 1 Dnr KS-2024-1\nText\n$ 2 Dnr KS-2024-2\nUS$5 och $1.5 miljoner"]
    repaired = repair_section_signs(pages)[0]
    assert repaired.startswith("§ 1 Dnr") and "\n§ 2 Dnr" in repaired
    assert "US$5" in repaired and "$1.5" in repaired
