"""A newcomer's first hour, scripted: the README's commands, as written, on a fresh copy.

The wheel is built and installed into a fresh virtual environment (what `pip install martechgate`
gives a user: the packaged schemas and starter files included), and the README's set-up block is run
by a shell in a copy of the repository, then its "five minutes" block. Nothing is activated or put
on PATH beforehand: a command the README forgets to make available fails here as it would for a
person. git runs without the user's configuration, as on a fresh machine (default branch master).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

FENCE = re.compile(r"```sh\n(.*?)```", re.DOTALL)


def readme_blocks() -> list[str]:
    return FENCE.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def fresh_machine(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON", "GIT_"))}
    bin_dir = tmp_path / "python-bin"  # the same interpreter as `python3`, whatever the machine calls it
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "python3").exists():
        (bin_dir / "python3").symlink_to(sys.executable)
    env |= {
        "HOME": str(home),
        "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        # a person sets these once (git asks for them); nothing else about git is configured
        "GIT_AUTHOR_NAME": "New Person",
        "GIT_AUTHOR_EMAIL": "new@example.com",
        "GIT_COMMITTER_NAME": "New Person",
        "GIT_COMMITTER_EMAIL": "new@example.com",
    }
    return env


def sh(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_the_readme_test_command_is_what_ci_runs() -> None:
    blocks = readme_blocks()
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert blocks[1].strip() in ci, (blocks[1], ci)
    assert "pytest -q" in blocks[1]  # -q alone, no addopts hiding it: the summary line is printed
    assert "-q" not in str((ROOT / "pyproject.toml").read_text().split("addopts", 1)[-1].split("\n", 1)[0])


def test_the_set_up_commands_need_nothing_activated() -> None:
    setup = readme_blocks()[0]
    for command in re.split(r"&&|\n", setup):
        program = command.split()[0] if command.split() else ""
        assert program in ("", "python3", ".venv/bin/pip", ".venv/bin/martechgate"), command


@pytest.mark.slow
def test_a_newcomer_follows_the_readme(tmp_path: Path) -> None:
    env = fresh_machine(tmp_path)
    # The package as users get it: a wheel, installed into a fresh venv.
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("martechgate-*.whl"))
    venv = tmp_path / "wheel-venv"
    installed = sh(f"python3 -m venv {venv} && {venv}/bin/pip install -q {wheel}", tmp_path, env)
    assert installed.returncode == 0, installed.stderr
    started = sh(f"{venv}/bin/martechgate init started && cd started && git init -q && git add -A && "
                 f"git commit -qm Start && {venv}/bin/martechgate check && "
                 f"{venv}/bin/martechgate inventory --as-of 2999-01-01", tmp_path, env)  # fmt: skip
    assert started.returncode == 0, started.stdout + started.stderr
    assert "passed: 1 entry checked" in started.stdout and "canva" in started.stdout
    workflow = (tmp_path / "started" / ".github" / "workflows" / "martechgate.yml").read_text()
    assert "martechgate record --commit" in workflow  # the post-merge job that records approvals

    # The README, as written, in a copy of the repository.
    copy = tmp_path / "martechgate"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    setup, _tests, five_minutes = readme_blocks()[:3]
    first = sh(setup, copy, env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "passed: 25 entries checked" in first.stdout
    second = sh(five_minutes, copy, env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "passed: 1 entry checked, 0 blocking" in second.stdout
