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


def ocr_pdf_pages(data: bytes, numbers: list[int]) -> dict[int, str]:
    """Text of the given 1-based pages, read by Tesseract from 300 dpi renderings.

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
                out[number] = "" if _blank(image) else _tesseract(image)
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


def _tesseract(image: Path) -> str:
    result = subprocess.run(["tesseract", str(image), "stdout", "-l", "swe"], check=True,
                            capture_output=True, text=True, timeout=OCR_TIMEOUT_S)
    return fix_ocr_text(result.stdout).strip()


# Tesseract reads the section sign as "8" or "$" ("85 Dnr VN-2025-00008" for "§ 5 Dnr …");
# a number before "Dnr" at the start of a line is a § heading in Swedish minutes.
_SECTION = re.compile(r"(?m)^\s*(?:[8$]\s?|§\s?)(\d{1,4})(?=\s+(?:Dnr|DNR)\b)")


def fix_ocr_text(text: str) -> str:
    return _SECTION.sub(lambda m: f"§ {m.group(1)}", text)
