"""OCR for PDF pages without a text layer: Debian's poppler (pdftoppm) and Tesseract (swe).

Used only when both programs and the Swedish language data are installed; otherwise the
pages are reported as "behöver OCR" and the rest of the file is ingested (refs #5).
"""
from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

OCR_DPI = 300
OCR_TIMEOUT_S = 120


@functools.lru_cache(maxsize=1)
def ocr_available() -> bool:
    if not (shutil.which("tesseract") and shutil.which("pdftoppm")):
        return False
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                               timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return False
    return "swe" in langs


def ocr_pdf_pages(data: bytes, numbers: list[int], keep_all: bool = False) -> dict[int, str]:
    """Text of the given 1-based pages, read by Tesseract from 300 dpi renderings; lines that
    are not text (a map or a drawing read as symbols) are left out unless `keep_all`.

    Each run of consecutive pages is rendered by one pdftoppm call (a call reads the whole
    file's cross-reference first: 0.5 s a page of a 100,000-page file), and a page that
    renders blank is not given to Tesseract at all (refs #13)."""
    out: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="paragraf-ocr-") as tmp:
        pdf = Path(tmp) / "in.pdf"
        pdf.write_bytes(data)
        for first, last in _runs(sorted(set(numbers))):
            stem = Path(tmp) / f"r{first}"
            subprocess.run(["pdftoppm", "-r", str(OCR_DPI), "-f", str(first), "-l", str(last),
                            "-gray", str(pdf), str(stem)],
                           check=True, capture_output=True,
                           timeout=OCR_TIMEOUT_S * (last - first + 1))
            for image in sorted(Path(tmp).glob(f"r{first}-*.pgm")):
                number = int(image.stem.rsplit("-", 1)[1])
                out[number] = "" if _blank(image) else _tesseract(image, keep_all)
                image.unlink()
    return out


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 7, 8] -> [(1, 3), (7, 8)]."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def _blank(image: Path) -> bool:
    """True when a binary PGM rendering has no dark pixel (nothing for OCR to read)."""
    import numpy as np
    raw = image.read_bytes()
    fields = raw.split(maxsplit=4)          # P5, width, height, maxval, pixels
    if len(fields) < 5 or fields[0] != b"P5":
        return False
    width, height = int(fields[1]), int(fields[2])
    pixels = np.frombuffer(raw[len(raw) - width * height:], dtype=np.uint8)
    return int(pixels.min(initial=255)) > 160


def _tesseract(image: Path, keep_all: bool = False) -> str:
    result = subprocess.run(["tesseract", str(image), "stdout", "-l", "swe"], check=True,
                            capture_output=True, text=True, timeout=OCR_TIMEOUT_S)
    text = fix_ocr_text(result.stdout)
    return (text if keep_all else text_lines_only(text)).strip()


# Tesseract reads the section sign as "8" or "$" ("85 Dnr VN-2025-00008" for "§ 5 Dnr …");
# a number before "Dnr" at the start of a line is a § heading in Swedish minutes.
_SECTION = re.compile(r"(?m)^\s*(?:[8$]\s?|§\s?)(\d{1,4})(?=\s+(?:Dnr|DNR)\b)")


def fix_ocr_text(text: str) -> str:
    return _SECTION.sub(lambda m: f"§ {m.group(1)}", text)


# refs #15: Tesseract reads a map, a plan drawing or a logo as lines of symbols and scraps of
# letters ("= — ~ | ¢", "ee fl ij Be"); such lines are no text and are never indexed.
_EDGE_PUNCTUATION = ".,:;!?()[]\"'«»–-"
_NUMBER = re.compile(r"^[§\d][\d\-–/:.,()%]*$|^\(?\d+\)?$")
_VOWELS = set("aeiouyåäöéü")


def is_text_line(line: str) -> bool:
    """A line of words: mostly letters and digits, and for at least half of its tokens words
    shaped like words (three letters or more, a vowel, no run of five consonants, lower case,
    Capitalised or ALL CAPS) or numbers; OCR scraps ('VZoocKe XI /OIOXI]') are not."""
    tokens = line.split()
    chars = "".join(tokens)
    if not chars:
        return False
    plain = sum(ch.isalnum() or ch in "§%&/" for ch in chars)
    if plain < 0.6 * len(chars):
        return False
    words = numbers = 0
    for token in tokens:
        bare = token.strip(_EDGE_PUNCTUATION)
        if _NUMBER.match(bare or "-"):
            numbers += 1
        elif _is_word(bare) or bare.lower() in _SHORT_WORDS:
            words += 1
    if words + numbers < 0.5 * len(tokens):
        return False
    return words >= 1 or numbers >= max(1, 0.5 * len(tokens))


_SHORT_WORDS = {"i", "å", "ö", "av", "om", "på", "en", "ett", "och", "är", "att", "de", "du",
                "ni", "vi", "så", "nr", "kl", "st"}
_CONSONANTS = re.compile(r"[^aeiouyåäöéü\W\d_]{5,}", re.I)


def _is_word(token: str) -> bool:
    return (len(token) >= 3 and token.replace("-", "").isalpha()
            and bool(_VOWELS & set(token.lower())) and not _CONSONANTS.search(token)
            and (token.islower() or token.isupper() or token[:1].isupper() and token[1:].islower()))


def text_lines_only(text: str) -> str:
    """OCR output without the lines that are not text; blank lines stay as paragraph breaks."""
    return "\n".join(line for line in text.splitlines() if not line.strip() or is_text_line(line))
