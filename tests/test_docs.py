"""Documentation is tested: every CLI command and config key appears in the README."""
from __future__ import annotations

from pathlib import Path

from app import SETTINGS, create_app

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")


def test_every_cli_command_is_documented():
    """Each `flask` command registered on the app is in the README's CLI table."""
    commands = create_app({"TESTING": True}).cli.list_commands(None)
    ours = [c for c in commands if c not in ("routes", "run", "shell")]
    assert {"ingest", "reindex", "search", "status"} <= set(ours)
    for command in ours:
        assert f"`flask {command}" in README, command


def test_every_config_key_is_documented():
    """Each key of the SETTINGS table is in the README's configuration table."""
    for key in SETTINGS:
        assert f"`{key}`" in README, key


def test_readme_has_exactly_two_setup_commands():
    """The set-up section names the demo and the test command, and CI runs the latter."""
    setup = README.split("## Set-up", 1)[1].split("## Using it", 1)[0]
    commands = [line.strip() for line in setup.splitlines() if line.startswith("    ")]
    assert commands == ["make demo", "make test"]
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert "make test" in ci
