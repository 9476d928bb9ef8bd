"""Body names as Swedish writes them (refs #17)."""
import pytest

from ingest.metadata import canonical_body


@pytest.mark.parametrize("name,expected", [
    ("valnämnd", "Valnämnden"), ("Kommunstyrelse", "Kommunstyrelsen"),
    ("Bygg- och miljönämnd", "Bygg- och miljönämnden"), ("Arbetsutskott", "Arbetsutskottet"),
    ("Kommunstyrelsens arbetsutskott", "Kommunstyrelsens arbetsutskott"),
    ("Socialnämndens individutskott", "Socialnämndens individutskott"),
    ("Kommunfullmäktige", "Kommunfullmäktige"),
])
def test_canonical_body_keeps_a_genitive_name_indefinite(name, expected):
    """The definite form is added to a bare name, never after a genitive."""
    assert canonical_body(name) == expected


def test_manifest_note_after_the_body_is_not_its_name(tmp_path):
    """'Sveriges riksdag – kammaren (…), via ParlaMint-SE sample' gives the body 'Kammaren'."""
    from ingest.reader import _manifest_meta
    meta = _manifest_meta({"body_organisation": "Sveriges riksdag – kammaren (protokoll "
                                                "2021/22:113), via ParlaMint-SE sample"})
    assert meta["organisation"] == "Sveriges riksdag" and meta["body"] == "Kammaren"
