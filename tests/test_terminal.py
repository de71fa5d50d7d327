"""What a person sees in a terminal: a closed pipe, widths, colour, plurals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["MARTECHGATE_LOG_DIR"] = str(tmp_path / "log")
    return env


@pytest.mark.parametrize("command", [["rules"], ["check", str(ROOT)], ["spend", str(ROOT)]])
def test_a_closed_pipe_ends_quietly(command: list[str], tmp_path: Path) -> None:
    # `martechgate ... | head`: the reader is gone before martechgate writes. The read end is closed
    # before the process starts writing, so every write meets a closed pipe.
    process = subprocess.Popen(
        [sys.executable, "-m", "martechgate", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(tmp_path),
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141  # 128 + SIGPIPE, as a shell reports `yes | head`
    assert errors == ""
    assert not (tmp_path / "log").exists()
