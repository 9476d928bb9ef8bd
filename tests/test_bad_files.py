"""Bad files: each is one clear line in the ingest report, the batch goes on, nothing is lost.

Every bad file is made here, in a temporary folder: truncated, corrupt, encrypted and image-only
PDFs, empty and over-large files, junk named .pdf, deeply nested HTML, legacy encodings,
broken YAML front matter, duplicates and a symlink loop.
"""
from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest

from archive import Archive
from index import SearchIndex, rebuild_index
from ingest import UnreadableFile, ingest_paths, parse_document
from tests.conftest import make_app, make_pdf

REASONS = {"encrypted", "corrupt", "empty", "no-text", "too-large", "unknown-format", "unreadable"}
STAGES = {"read", "extract", "structure", "index"}
SWEDISH = re.compile(r"[åäöÅÄÖ]|\b(?:filen|och|inte|saknar|är|kan)\b", re.I)

GOOD_TEXT = ("KUNGSBACKA KOMMUN\nValnämnd\nDatum\n2025-02-03\n\n"
             "§ 1   Dnr VN-2025-00001\nVal av justerare\n\nBeslut\n"
             "Valnämnden utser Karin Björk att justera protokollet.\n")
MILJO = ("Nämnden för Miljö och hälsoskydd\nSammanträde 2025-03-04\n\n"
         "§ 5 Åtgärder för ökad återvinning i Älvsåker\nNämnden beslutar att godkänna förslaget.\n")


# --- makers of bad files ----------------------------------------------------------------------
def good_pdf(path: Path) -> Path:
    return make_pdf(path, [GOOD_TEXT])


def truncated_pdf(path: Path) -> Path:
    data = good_pdf(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt_pdf(path: Path) -> Path:
    """Header and %%EOF intact, the objects between overwritten."""
    data = good_pdf(path).read_bytes()
    junk = bytes(range(256)) * (len(data) // 256 + 1)
    path.write_bytes(data[:20] + junk[: len(data) - 40] + data[-20:])
    return path


def encrypted_pdf(path: Path) -> Path:
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, GOOD_TEXT)
    pdf.set_encryption(owner_password="ägare", user_password="hemligt")
    pdf.output(str(path))
    return path


def image_only_pdf(path: Path) -> Path:
    """A page with shapes and no text layer (what a scanner without OCR gives)."""
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 60, style="F")
    pdf.circle(x=80, y=160, radius=30, style="D")
    pdf.line(10, 250, 200, 270)
    pdf.output(str(path))
    return path


def junk_pdf(path: Path) -> Path:
    path.write_bytes(bytes((i * 97 + 13) % 256 for i in range(4096)))
    return path


def zero_bytes(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def binary_txt(path: Path) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return path


BAD_FILES = [  # (file name, maker, reason)
    ("avkortad.pdf", truncated_pdf, "corrupt"),
    ("trasig.pdf", corrupt_pdf, "corrupt"),
    ("krypterad.pdf", encrypted_pdf, "encrypted"),
    ("skannad.pdf", image_only_pdf, "no-text"),
    ("skräp.pdf", junk_pdf, "unknown-format"),
    ("tom.txt", zero_bytes, "empty"),
    ("bild.txt", binary_txt, "corrupt"),
]


def _good_archive(tmp_path: Path) -> Path:
    """A data directory holding one good protocol, indexed."""
    data = tmp_path / "data"
    folder = tmp_path / "bra"
    folder.mkdir()
    good_pdf(folder / "valnamnd-protokoll.pdf")
    with Archive(data) as store:
        assert not ingest_paths(store, [folder]).failed
        rebuild_index(store, data)
    return data


def _still_found(data: Path) -> None:
    """The good protocol ingested first is still in the archive and still found."""
    with Archive(data) as store:
        assert "Karin Björk" in store.item("m/kungsbacka/valnamnden/2025-02-03/p1").text
        rebuild_index(store, data)
    hits = SearchIndex(data).search("justera protokollet").hits
    assert hits and hits[0].url == "/m/kungsbacka/valnamnden/2025-02-03/p1"


def _assert_one_clear_line(report, path: Path, reason: str) -> dict:
    lines = [f for f in report.failed if Path(f["path"]).name == path.name]
    assert len(lines) == 1, report.failed
    line = lines[0]
    assert set(line) >= {"path", "stage", "reason", "message"}
    assert line["reason"] == reason and line["stage"] in STAGES
    assert SWEDISH.search(line["message"]), line["message"]
    return line


# --- one bad file at a time -------------------------------------------------------------------
@pytest.mark.parametrize("name,make,reason", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_one_line_and_earlier_documents_stay(tmp_path, name, make, reason):
    """A bad file gives one failure line (path, stage, reason, Swedish message); the archive keeps and finds what it had."""
    data = _good_archive(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    bad = make(folder / name)
    with Archive(data) as store:
        report = ingest_paths(store, [folder])
    assert not report.ingested and not report.replaced
    _assert_one_clear_line(report, bad, reason)
    _still_found(data)


def test_truncated_pdf_is_named_as_cut_off(tmp_path):
    """A PDF cut off mid-file says the end is missing and to fetch it again."""
    path = truncated_pdf(tmp_path / "a.pdf")
    with pytest.raises(UnreadableFile) as info:
        parse_document(path.read_bytes(), path.name, path.name)
    assert "avkortad" in str(info.value) and "igen" in str(info.value)


def test_encrypted_pdf_without_user_password_is_also_encrypted(tmp_path):
    """A PDF that opens without a password but forbids copying text is reported as encrypted."""
    from fpdf import FPDF
    from fpdf.enums import AccessPermission
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, GOOD_TEXT)
    pdf.set_encryption(owner_password="ägare", permissions=AccessPermission.none())
    data = bytes(pdf.output())
    with pytest.raises(UnreadableFile) as info:
        parse_document(data, "skyddad.pdf", "skyddad.pdf")
    assert info.value.reason == "encrypted"


def test_pdf_header_after_leading_bytes_is_still_read(tmp_path):
    """A PDF with bytes before its %PDF header (as some mail gateways leave) is read, not called junk."""
    data = b"\r\n\xef\xbb\xbf" + good_pdf(tmp_path / "a.pdf").read_bytes()
    doc = parse_document(data, "a.pdf", "a.pdf")
    assert "Karin Björk" in doc.pages[0].text


def test_file_over_the_size_limit_is_reported_not_read(tmp_path):
    """A file larger than max_file_mb is one 'too-large' line; smaller files in the batch are ingested."""
    data = _good_archive(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    big = folder / "stor.txt"
    big.write_text(MILJO * 40, "utf-8")
    (folder / "liten.txt").write_text("Valnämnden beslutar om budget.", "utf-8")
    with Archive(data) as store:
        report = ingest_paths(store, [folder], max_file_mb=0.001)
    line = _assert_one_clear_line(report, big, "too-large")
    assert line["stage"] == "read" and "stor" in line["message"]
    assert [Path(p).name for p in report.ingested] == ["liten.txt"]
    _still_found(data)


def test_broken_new_version_keeps_the_old_one(tmp_path):
    """A file replaced by a truncated copy fails; the version already archived stays and is found."""
    data = _good_archive(tmp_path)
    folder = tmp_path / "bra"
    truncated_pdf(folder / "valnamnd-protokoll.pdf")
    with Archive(data) as store:
        report = ingest_paths(store, [folder])
        assert len(store.documents()) == 1
    _assert_one_clear_line(report, folder / "valnamnd-protokoll.pdf", "corrupt")
    _still_found(data)


# --- HTML ---------------------------------------------------------------------------------------
def test_ten_thousand_nested_tags_and_scripts(tmp_path):
    """10,000 nested tags with scripts around them: no RecursionError, the text kept, no script text."""
    html = ("<!doctype html><html><head><title>Valnämnden 2025-02-03</title>"
            "<script>var spårning = 'SKRIPT-1';</script></head><body>"
            + "<div><span>" * 5000
            + "<p>Valnämnden beslutar att godkänna delårsrapporten.</p>"
            + "<script>document.write('SKRIPT-2')</script>"
            + "</span></div>" * 5000
            + "<script>alert('SKRIPT-3')</script></body></html>")
    doc = parse_document(html.encode(), "djup.html", "djup.html")
    text = "\n".join(p.text for p in doc.pages)
    assert "Valnämnden beslutar att godkänna delårsrapporten." in text
    assert "SKRIPT" not in text and "spårning" not in text


def test_script_deeper_than_any_limit_is_still_dropped():
    """A script below thousands of unclosed tags is dropped like any other script."""
    html = ("<html><body>" + "<div>" * 3000 + "<p>Kommunstyrelsen beslutar.</p>"
            "<script>alert('DJUPT-SKRIPT')</script><style>.x{}</style><nav>Meny Startsida</nav>"
            "</body></html>")
    doc = parse_document(html.encode(), "djup.html", "djup.html")
    text = doc.pages[0].text
    assert "Kommunstyrelsen beslutar." in text
    assert "DJUPT-SKRIPT" not in text and "Startsida" not in text


def test_stray_end_tags_do_not_close_skipped_blocks():
    """Thousands of unmatched end tags neither break the page nor let navigation text in."""
    html = ("<html><body><nav>" + "</span></b>" * 5000 + "Startsida Meny</nav>"
            + "<div>" * 5000 + "<p>Byggnadsnämnden beslutar.</p>" + "</i>" * 5000
            + "</body></html>")
    doc = parse_document(html.encode(), "trasig.html", "trasig.html")
    assert "Byggnadsnämnden beslutar." in doc.pages[0].text
    assert "Startsida" not in doc.pages[0].text


def test_html_ingested_in_a_batch_with_deep_nesting(tmp_path):
    """A deeply nested HTML page is ingested through ingest_paths and found by search."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "mote.html").write_text(
        "<html><body>" + "<div>" * 10000 + "<p>Samverkansnämnden reviderar hemsjukvårdsavtalet.</p>"
        + "</div>" * 10000 + "</body></html>", "utf-8")
    data = tmp_path / "data"
    with Archive(data) as store:
        report = ingest_paths(store, [folder])
        assert not report.failed and len(report.ingested) == 1
        rebuild_index(store, data)
    assert SearchIndex(data).search("hemsjukvårdsavtalet").total == 1


# --- text encodings -------------------------------------------------------------------------------
ENCODINGS = ["cp1252", "latin-1", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32"]


@pytest.mark.parametrize("codec", ENCODINGS)
def test_legacy_encodings_give_swedish_letters(codec):
    """cp1252, latin-1 and UTF-16/32 (with or without BOM) text comes out as 'Nämnden för Miljö'."""
    doc = parse_document(MILJO.encode(codec), "miljo.txt", "miljo.txt")
    text = doc.pages[0].text
    assert "Nämnden för Miljö och hälsoskydd" in text and "Älvsåker" in text
    assert "\ufffd" not in text and "Ã" not in text
    assert doc.body == "Nämnden för Miljö och hälsoskydd" and doc.date == "2025-03-04"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_ascii_text_in_utf16_without_bom(codec):
    """Text without å/ä/ö in UTF-16 without a BOM (valid UTF-8 full of NULs) is read as UTF-16, not called binary."""
    text = "Valnamnden beslutar 2025-03-04 att godkanna protokollet.\n"
    doc = parse_document(text.encode(codec), "ascii.txt", "ascii.txt")
    assert doc.pages[0].text == text.strip()


def test_utf8_bom_file_with_a_pasted_cp1252_line():
    """A UTF-8 file with a BOM and one cp1252 line keeps both kinds of letters right."""
    data = ("\ufeffNämnden för Miljö\n".encode("utf-8") + "Åsa 2025-03-04\n".encode("cp1252"))
    text = parse_document(data, "bom.txt", "bom.txt").pages[0].text
    assert text.splitlines() == ["Nämnden för Miljö", "Åsa 2025-03-04"]


def test_utf8_file_with_a_pasted_cp1252_line():
    """A UTF-8 file with one cp1252 line keeps the UTF-8 letters right and reads the cp1252 line too."""
    data = ("Nämnden för Miljö\n".encode("utf-8") + "Sammanträde i Åsa 2025-03-04\n".encode("cp1252")
            + "Beslut om återvinning.\n".encode("utf-8"))
    text = parse_document(data, "blandad.txt", "blandad.txt").pages[0].text
    assert text.splitlines() == ["Nämnden för Miljö", "Sammanträde i Åsa 2025-03-04",
                                 "Beslut om återvinning."]


def test_utf16_with_odd_length_is_decoded_not_fatal():
    """A UTF-16 file cut mid-character is still decoded (the lost half becomes one replacement mark)."""
    data = MILJO.encode("utf-16")[:-1]
    doc = parse_document(data, "kapad.txt", "kapad.txt")
    assert "Nämnden för Miljö" in doc.pages[0].text


def test_encoded_files_are_found_with_swedish_letters(tmp_path):
    """Files in cp1252, latin-1 and UTF-16 are ingested, found by 'återvinning Älvsåker' and filtered by their body."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n, codec in enumerate(("cp1252", "latin-1", "utf-16")):
        text = MILJO.replace("2025-03-04", f"2025-03-0{n + 4}")
        (folder / f"miljo-{codec}.txt").write_bytes(text.encode(codec))
    data = tmp_path / "data"
    with Archive(data) as store:
        report = ingest_paths(store, [folder])
        assert not report.failed and len(report.ingested) == 3
        rebuild_index(store, data)
    search = SearchIndex(data)
    result = search.search("återvinning Älvsåker", page_size=10)
    assert result.total_all == 3
    assert {h.body for h in result.hits} == {"Nämnden för Miljö och hälsoskydd"}
    assert search.search("återvinning", filters={"body": ["Nämnden för Miljö och hälsoskydd"]}
                         ).total_all == 3


# --- front matter -----------------------------------------------------------------------------------
BROKEN_YAML = {
    "syntax": "---\ntitle: [inte stängd\norgan: : :\n---\n",
    "bad date": "---\ndatum: 2025-13-45\n---\n",
    "billion laughs": "---\n" + "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{n}: &{n} [" + ", ".join([f"*{p}"] * 9) + "]\n"
        for p, n in zip("abcdefgh", "bcdefghi")) + "title: *i\n---\n",
    "python tag": "---\ntitle: !!python/object/apply:os.system [echo hej]\n---\n",
    "deep nesting": "---\ntitle: " + "[" * 3000 + "]" * 3000 + "\n---\n",
}


@pytest.mark.parametrize("kind", BROKEN_YAML)
def test_malformed_front_matter_is_ingested_with_a_warning(tmp_path, kind):
    """Broken, hostile or exploding YAML front matter is ignored with a warning; the text is ingested."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "protokoll.md").write_text(BROKEN_YAML[kind] + GOOD_TEXT, "utf-8")
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder])
        assert not report.failed and len(report.ingested) == 1
        [warning] = report.warnings
        assert "YAML" in warning["message"] and SWEDISH.search(warning["message"])
        doc = store.documents()[0]
        assert doc.body == "Valnämnden" and doc.date == "2025-02-03"
        assert len(doc.title) < 200


def test_hostile_sidecar_yaml_is_ignored(tmp_path):
    """An exploding NAME.meta.yaml beside a file is ignored; the file is ingested from its text."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "protokoll.txt").write_text(GOOD_TEXT, "utf-8")
    (folder / "protokoll.txt.meta.yaml").write_text(
        BROKEN_YAML["billion laughs"].strip("-\n").replace("title", "organ"), "utf-8")
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder])
        assert not report.failed and len(report.ingested) == 1
        assert store.documents()[0].body == "Valnämnden"


# --- duplicates and links -----------------------------------------------------------------------------
def test_duplicate_under_a_second_name_in_a_later_run_is_unchanged(tmp_path):
    """The same bytes under another name, in a later run, are 'unchanged' and add no document."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD_TEXT, "utf-8")
    with Archive(tmp_path / "data") as store:
        ingest_paths(store, [folder])
        (folder / "kopia av a.txt").write_text(GOOD_TEXT, "utf-8")
        report = ingest_paths(store, [folder])
        assert sorted(Path(p).name for p in report.unchanged) == ["a.txt", "kopia av a.txt"]
        assert not report.failed and len(store.documents()) == 1


def test_duplicate_under_a_second_name_in_the_same_run_is_unchanged(tmp_path):
    """Two names for the same bytes in one batch: the first is ingested, the second 'unchanged'."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD_TEXT, "utf-8")
    (folder / "b.txt").write_text(GOOD_TEXT, "utf-8")
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder])
        assert [Path(p).name for p in report.ingested] == ["a.txt"]
        assert [Path(p).name for p in report.unchanged] == ["b.txt"]
        assert len(store.documents()) == 1


def test_symlink_loop_ends_and_ingests_each_file_once(tmp_path):
    """A folder linked into itself neither hangs the walk nor ingests a file twice."""
    folder = tmp_path / "in"
    (folder / "under").mkdir(parents=True)
    (folder / "under" / "a.txt").write_text(GOOD_TEXT, "utf-8")
    os.symlink(folder, folder / "under" / "slinga")
    os.symlink(folder / "under", folder / "under" / "slinga2")
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder, folder / "under" / "slinga"])
        assert [Path(p).name for p in report.ingested] == ["a.txt"]
        assert len(store.documents()) == 1


def test_broken_and_self_links_are_one_unreadable_line_each(tmp_path):
    """A dangling link and a link to itself are each one 'unreadable' line; the rest is ingested."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD_TEXT, "utf-8")
    os.symlink(folder / "finns-inte.txt", folder / "hänvisning.txt")
    os.symlink(folder / "själv.txt", folder / "själv.txt")
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder])
    assert [Path(p).name for p in report.ingested] == ["a.txt"]
    _assert_one_clear_line(report, folder / "hänvisning.txt", "unreadable")
    _assert_one_clear_line(report, folder / "själv.txt", "unreadable")


def test_symlink_loop_is_one_line_in_the_report(tmp_path):
    """A folder linked into itself is reported once, as an unreadable link loop."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD_TEXT, "utf-8")
    os.symlink(folder, folder / "slinga")
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder])
    _assert_one_clear_line(report, folder / "slinga", "unreadable")


def test_missing_path_has_a_known_reason(tmp_path):
    """A path that does not exist is one 'unreadable' line with a Swedish message."""
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [tmp_path / "finns-inte"])
    _assert_one_clear_line(report, tmp_path / "finns-inte", "unreadable")


def test_control_characters_in_file_names_are_replaced(tmp_path):
    """A newline or a right-to-left override in a file name does not reach the archive's records."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "rad\nbryt.txt").write_text(GOOD_TEXT, "utf-8")
    (folder / "protokoll\u202etxt.exe.txt").write_text(MILJO, "utf-8")
    with Archive(tmp_path / "data") as store:
        report = ingest_paths(store, [folder])
        assert not report.failed and len(report.ingested) == 2
        names = sorted(d.filename for d in store.documents())
    assert names == ["protokoll_txt.exe.txt", "rad_bryt.txt"]


# --- the whole broken batch through the CLI -----------------------------------------------------------
def test_broken_batch_through_the_cli(tmp_path):
    """`flask ingest` on a deliberately broken batch: exit 1, every bad file listed once, JSON and CSV report, good files kept."""
    data = _good_archive(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    expected = {name: reason for name, _, reason in BAD_FILES}
    for name, make, _ in BAD_FILES:
        make(folder / name)
    (folder / "protokoll.md").write_text(BROKEN_YAML["syntax"] + MILJO, "utf-8")
    (folder / "miljo-cp1252.txt").write_bytes(MILJO.replace("§ 5", "§ 6").encode("cp1252"))
    (folder / "djup.html").write_text("<html><body>" + "<div>" * 10000 + "<p>Samverkansnämnden "
                                      "beslutar.</p>" + "</div>" * 10000 + "</body></html>", "utf-8")
    os.symlink(folder, folder / "slinga")
    stray = tmp_path / "anteckningar.docx"
    stray.write_bytes(b"PK\x03\x04 not a supported format")
    expected[stray.name] = "unknown-format"
    stem = tmp_path / "rapport" / "ingest"

    runner = make_app(data).test_cli_runner()
    result = runner.invoke(args=["ingest", str(folder), str(stray), "--report", str(stem)])

    assert result.exit_code == 1, result.output
    failed_lines = [line for line in result.output.splitlines() if line.startswith("FAILED ")]
    for name, reason in expected.items():
        mine = [line for line in failed_lines if f"{name}:" in line]
        assert len(mine) == 1 and f"/{reason}]" in mine[0], (name, failed_lines)
    loop = {"slinga": "unreadable"} if len(failed_lines) > len(expected) else {}
    assert len(failed_lines) == len(expected | loop)
    assert "ingested 3" in result.output and f"failed {len(expected | loop)}" in result.output
    assert "warning" in result.output and "YAML" in result.output

    report = json.loads(stem.with_suffix(".json").read_text("utf-8"))
    assert {Path(r["path"]).name: r["reason"] for r in report} == expected | loop
    assert all(r["reason"] in REASONS and r["stage"] in STAGES and SWEDISH.search(r["message"])
               for r in report)
    with open(stem.with_suffix(".csv"), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {Path(r["path"]).name: r["reason"] for r in rows} == expected | loop
    assert list(rows[0]) == ["path", "stage", "reason", "message"]

    _still_found(data)
    search = SearchIndex(data)
    assert search.search("återvinning Älvsåker").total_all == 2
    assert search.search("Samverkansnämnden").total_all == 1
