"""Fixtures: a real archive and Whoosh index on disk, built from real documents in tests/data."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import create_app
from archive import Archive
from index import rebuild_index
from ingest import ingest_paths

DATA = Path(__file__).parent / "data"


def build_data_dir(data: Path, sources: list[Path]) -> dict:
    """Ingest `sources` into the data directory `data` (none may fail) and index it; the
    documents by file name."""
    with Archive(data) as store:
        report = ingest_paths(store, sources)
        assert not report.failed, report.failed
        rebuild_index(store, data)
        return {d.filename: d for d in store.documents()}


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory) -> Path:
    """A data directory with tests/data ingested and indexed (shared; do not modify)."""
    path = tmp_path_factory.mktemp("built")
    build_data_dir(path, [DATA])
    return path


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """An empty data directory of this test's own."""
    return tmp_path / "data"


@pytest.fixture
def own_built_dir(built_dir, tmp_path) -> Path:
    """A private copy of the built data directory, for tests that change it."""
    target = tmp_path / "built"
    shutil.copytree(built_dir, target)
    return target


@pytest.fixture
def app(built_dir):
    return create_app({"TESTING": True, "DATA_DIR": str(built_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def browser():
    """One real Chromium (Playwright) for every browser test module: a process may run one
    Playwright sync API at a time."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def make_app(data_dir, **config):
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir), **config})


def make_pdf(path: Path, pages: list[str]) -> Path:
    """A real PDF with a text layer, one string per page (Helvetica covers å, ä, ö and §)."""
    from fpdf import FPDF
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path
