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
    """Text of the given 1-based pages, read by Tesseract from 300 dpi renderings."""
    out: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="paragraf-ocr-") as tmp:
        pdf = Path(tmp) / "in.pdf"
        pdf.write_bytes(data)
        for number in numbers:
            stem = Path(tmp) / f"p{number}"
            subprocess.run(["pdftoppm", "-r", str(OCR_DPI), "-f", str(number), "-l", str(number),
                            "-singlefile", "-gray", "-png", str(pdf), str(stem)],
                           check=True, capture_output=True, timeout=OCR_TIMEOUT_S)
            result = subprocess.run(["tesseract", f"{stem}.png", "stdout", "-l", "swe"],
                                    check=True, capture_output=True, text=True,
                                    timeout=OCR_TIMEOUT_S)
            out[number] = fix_ocr_text(result.stdout).strip()
    return out


# Tesseract reads the section sign as "8" or "$" ("85 Dnr VN-2025-00008" for "§ 5 Dnr …");
# a number before "Dnr" at the start of a line is a § heading in Swedish minutes.
_SECTION = re.compile(r"(?m)^\s*(?:[8$]\s?|§\s?)(\d{1,4})(?=\s+(?:Dnr|DNR)\b)")


def fix_ocr_text(text: str) -> str:
    return _SECTION.sub(lambda m: f"§ {m.group(1)}", text)
