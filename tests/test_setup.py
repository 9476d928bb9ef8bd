"""The Debian packages `make test` installs are there: CI fails, never skips, without them (refs #13)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from index.compounds import AFF_PATH, DIC_PATH


@pytest.mark.parametrize("command,package", [
    ("tesseract", "tesseract-ocr"), ("pdftoppm", "poppler-utils"), ("chromium", "chromium"),
])
def test_installed_programs(command, package):
    """Each program the set-up installs is on the PATH."""
    assert shutil.which(command), f"{command} missing: install the Debian package {package}"


def test_tesseract_reads_swedish():
    """Tesseract has its Swedish language data (tesseract-ocr-swe)."""
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                           check=True)
    assert "swe" in (langs.stdout + langs.stderr).split(), "install tesseract-ocr-swe"


def test_hunspell_swedish_lexicon():
    """The Swedish lexicon that compound splitting reads (hunspell-sv) is installed."""
    assert Path(DIC_PATH).is_file() and Path(AFF_PATH).is_file(), "install hunspell-sv"


def test_font_for_generated_pdfs():
    """The font the tests draw their PDFs with (fonts-dejavu-core) is installed."""
    assert Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file(), \
        "install fonts-dejavu-core"
