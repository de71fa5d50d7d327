"""Every command in the registry loads, has help text, and is in the README."""

from __future__ import annotations

import gc

import pytest
from click.testing import CliRunner

from martechgate.cli import COMMANDS, main
from tests.conftest import ROOT, GovRepo, run_in_process, run_process


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


def test_a_command_leaves_the_garbage_collector_as_it_found_it(gov: GovRepo) -> None:
    # The command collects less often while it runs (cli.main); a program running commands in its own
    # process, as these tests do, gets its own setting back, whether the command passed or failed.
    before = gc.get_threshold()
    assert run_in_process("check", str(gov.path)).returncode == 0
    assert gc.get_threshold() == before
    assert run_in_process("check", str(gov.path / "missing")).returncode == 2
    assert gc.get_threshold() == before
