"""What a person sees in a terminal: a closed pipe, widths, colour, plurals."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, ROOT, SRC, GovRepo


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env["MARTECHGATE_LOG_DIR"] = str(tmp_path / "log")
    return env


@pytest.mark.parametrize("command", [["rules"], ["check", str(ROOT)], ["spend", "--repo", str(ROOT)]])
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


# --- widths --------------------------------------------------------------------------------------

REPORTS = {
    "rules": ["rules", "--repo", str(ROOT)],
    "spend": ["spend", str(ROOT)],
    "spend by tool": ["spend", str(ROOT), "--by", "tool"],
    "renewals": ["renewals", str(ROOT), "--today", "2026-11-23", "--within", "1y"],
    "overlap": ["overlap", str(ROOT)],
    "graph": ["graph", str(ROOT), "--format", "table"],
}


@pytest.fixture(scope="module")
def history_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example catalog committed once, for inventory."""
    repo = GovRepo(tmp_path_factory.mktemp("inventory") / "gov")
    shutil.rmtree(repo.path / "catalog")
    shutil.copytree(ROOT / "catalog", repo.path / "catalog")
    repo.commit("The example catalog", when="2026-11-01T10:00:00+00:00")
    return repo.path


def _lines(run_cli: Any, args: list[str], width: int) -> list[str]:
    result = run_cli(*args, env={"COLUMNS": str(width)})
    assert result.returncode in (0, 1), result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("report", sorted(REPORTS))
def test_report_tables_fit_the_width(report: str, width: int, run_cli: Any) -> None:
    lines = _lines(run_cli, REPORTS[report], width)
    assert len(lines) > 5
    assert max(len(line) for line in lines) <= width, "\n".join(lines)


@pytest.mark.parametrize("width", [80, 100])
def test_inventory_fits_the_width(width: int, run_cli: Any, history_repo: Path) -> None:
    lines = _lines(run_cli, ["inventory", "--repo", str(history_repo), "--as-of", "2026-11-02"], width)
    assert any(line.startswith("amplitude ") for line in lines)
    assert max(len(line) for line in lines) <= width, "\n".join(lines)


@pytest.mark.parametrize("width", [80, 100])
def test_discover_fits_the_width(width: int, run_cli: Any) -> None:
    args = ["discover", str(ROOT), "--okta", str(FIXTURES / "okta-system-log-sso.json")]
    args += ["--entra", str(FIXTURES / "entra-signins.json"), "--google", str(FIXTURES / "google-token-activity.json")]
    lines = _lines(run_cli, args, width)
    assert any("not in" in line for line in lines)
    assert max(len(line) for line in lines) <= width, "\n".join(lines)


def test_without_columns_a_pipe_gets_80(run_cli: Any) -> None:
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    result = subprocess.run(
        [sys.executable, "-m", "martechgate", "renewals", str(ROOT), "--today", "2026-11-23", "--within", "1y"],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(SRC)},
    )
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "Not shown at 80 columns:" in result.stdout  # the columns that gave way are named


def test_a_wide_terminal_shows_every_column(run_cli: Any) -> None:
    result = run_cli(*REPORTS["renewals"], env={"COLUMNS": "400"})
    assert "Technical owner" in result.stdout and "Not shown" not in result.stdout


def test_colour_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {**_env(tmp_path), "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    shown = pexpect.run(f"{sys.executable} -m martechgate rules --repo {ROOT}", env=env, timeout=60).decode()
    assert "\x1b[1m" in shown  # bold titles
    plain = pexpect.run(
        f"{sys.executable} -m martechgate rules --repo {ROOT}", env={**env, "NO_COLOR": "1"}, timeout=60
    ).decode()
    assert "\x1b[" not in plain and "Enforcement" in plain
