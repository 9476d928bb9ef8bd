"""Swedish counts, local times and the admin page's run list (refs #17)."""
from __future__ import annotations

import pytest

from tests.conftest import make_app
from web import count_sv, local_time, run_summary_sv

TOKEN = "ett-langt-admintoken-for-test"


@pytest.mark.parametrize("n,noun,expected", [
    (0, "träff", "0 träffar"), (1, "träff", "1 träff"), (2, "träff", "2 träffar"),
    (1, "handling", "1 handling"), (40, "handling", "40 handlingar"), (1, "sida", "1 sida"),
    (3, "sida", "3 sidor"), (1, "ärende", "1 ärende"), (5, "ärende", "5 ärenden"),
    (12345, "sammanträde", "12\u00a0345 sammanträden"),
])
def test_count_sv_uses_the_right_plural(n, noun, expected):
    """A count takes the singular for one and the plural otherwise, with Swedish digit groups."""
    assert count_sv(n, noun) == expected


def test_local_time_is_stockholm_time():
    """Stored UTC timestamps are shown in Swedish local time (summer and winter)."""
    assert local_time("2026-12-02T12:00:00+00:00") == "2026-12-02 13:00"
    assert local_time("2026-07-01T12:00:00+00:00") == "2026-07-01 14:00"
    assert local_time(None) == ""


def test_run_summary_in_swedish():
    """A run's counts read as Swedish words, not the summary's keys."""
    text = run_summary_sv({"ingested": 3, "replaced": 0, "failed": 1, "indexed_units": 1})
    assert text == ("3 filer inlästa, 0 filer ersatta, 1 fil misslyckad, "
                    "1 sökenhet indexerad")


def test_admin_page_counts_and_runs_in_swedish(own_built_dir):
    """The admin page shows counts in Swedish (no method repr) and lists a CLI reindex run."""
    app = make_app(own_built_dir, ADMIN_TOKEN=TOKEN)
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    page = app.test_client().get("/admin", headers={"Authorization": f"Bearer {TOKEN}"}
                                 ).get_data(as_text=True)
    assert "built-in method" not in page and " ärenden" in page
    assert "Indexering" in page and "sökenheter i indexet" in page
    assert "indexed_units" not in page and "+00:00<" not in page   # local time shown
