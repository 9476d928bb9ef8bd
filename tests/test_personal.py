"""Personal identity numbers: the detector's table of real shapes and near misses (refs #18)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.personal import MASK, find_personal_numbers, mask_personal_numbers

# Valid numbers (check digit right): Skatteverket's example 811218-9876, and numbers made with
# the Luhn rule for the dates below.
FOUND = [
    ("Sökande: 811218-9876, Storgatan 1", "811218-XXXX"),
    ("född 19811218-9876 i Kungsbacka", "811218-XXXX"),
    ("19811218 9876", "811218-XXXX"),
    ("198112189876", "811218-XXXX"),
    ("811218+9876 (över hundra år)", "811218-XXXX"),
    ("811218 - 9876", "811218-XXXX"),
    ("personnummer 8112189876", "811218-XXXX"),
    ("Pnr: 8112189876", "811218-XXXX"),
    ("samordningsnummer 811278-9873", "811278-XXXX"),   # day 18 + 60
    ("hyresgäst 640823-3234.", "640823-XXXX"),
    ("(850709-9805)", "850709-XXXX"),
]

NOT_FOUND = [
    "811218-9875",                 # wrong check digit
    "811232-9876",                 # no 32nd day
    "8112189876",                  # ten bare digits with no word saying what they are
    "tel 0701234567",              # a mobile number
    "Organisationsnummer 212000-1355",   # month + 20: an organisation
    "Dnr KS 2024/0512",            # a case number
    "KS-2024-00511",
    "Sammanträdet 2024-01-15 kl. 13.00",
    "Belopp 100 000 kr, 1 250 000 kronor",
    "Fastighet Tölö 1:17, 811218-98765",   # too many digits
    "x811218-9876",                # glued to a word
    "3,811218-9876",               # a decimal
    "08-811 218 98",
]


@pytest.mark.parametrize("text,masked", FOUND)
def test_detects_written_forms(text, masked):
    """Each common written form of a valid personnummer or samordningsnummer is found."""
    hits = find_personal_numbers(text)
    assert [h.masked for h in hits] == [masked]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_near_misses_are_not_flagged(text):
    """Case numbers, phones, amounts, dates, organisation numbers and bad check digits are not flagged."""
    assert find_personal_numbers(text) == []


def test_mask_replaces_every_digit_of_the_number():
    """The masked text keeps none of the number's digits, and says what it replaced."""
    text, hits = mask_personal_numbers("Sökande 811218-9876 och 19640823-3234 hyr.")
    assert text == f"Sökande {MASK} och {MASK} hyr."
    assert not re.search(r"8112|6408", text)
    assert [h.masked for h in hits] == ["811218-XXXX", "640823-XXXX"]


def test_extra_patterns_flag_local_identifiers():
    """A configured pattern flags a local identifier that has no check digit."""
    pattern = re.compile(r"\bELEV-\d{5}\b")
    text, hits = mask_personal_numbers("Elev ELEV-12345 flyttas.", (pattern,))
    assert text == f"Elev {MASK} flyttas." and len(hits) == 1


def test_no_false_positives_in_the_bundled_documents():
    """The real documents in demo/, tests/data/ and the shared corpus hold no detected number."""
    root = Path(__file__).parent.parent
    files = sorted((root / "demo").glob("*.txt")) + sorted((root / "tests" / "data").glob("*.txt"))
    files += sorted((root.parent / "shared" / "corpus").glob("*.txt"))
    assert len(files) > 5
    for path in files:
        assert find_personal_numbers(path.read_text(encoding="utf-8")) == [], path.name
