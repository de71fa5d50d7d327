"""Every command in the registry loads, has help text, and is in the README."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from martechgate.cli import COMMANDS, main
from tests.conftest import ROOT, run_process


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_loads_with_help_and_is_documented(name: str) -> None:
    # In a new interpreter: the rest of the suite runs commands in its own process, where another test may
    # already have imported what a command's module forgets to import itself.
    result = run_process(name, "--help")
    assert result.returncode == 0, result.stderr
    assert f"Usage: python -m martechgate {name}" in result.stdout
    command = main.get_command(None, name)  # type: ignore[arg-type]
    assert command is not None and (command.help or "").strip()
    assert f"martechgate {name}" in (ROOT / "README.md").read_text()


def test_help_lists_every_command() -> None:
    output = CliRunner().invoke(main, ["--help"]).output
    for name in COMMANDS:
        assert f"  {name} " in output
