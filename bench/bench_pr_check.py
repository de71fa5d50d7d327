"""How long a pull-request check takes in a big catalog: one changed entry among N (default 10,000).

Builds a real git governance repo in a temporary folder (the project's organisation file and
policies; N entries made from the project's own catalog under new ids, integrations pointing at
other generated entries), commits it on main, then a branch `pr` that edits one entry. Prints the
time of `martechgate check --base main --head pr` (in process: the first run, then the best of
several), of the same check on the working tree, and of the command end to end in a new process.

    PYTHONPATH=src /work/venv/bin/python bench/bench_pr_check.py [N]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from martechgate.gate import diff_check as pullcheck
from martechgate.words import count

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def build(repo: Path, count: int) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Bench")
    git(repo, "config", "user.email", "bench@example.com")
    shutil.copy(ROOT / "martechgate.yaml", repo / "martechgate.yaml")
    shutil.copytree(ROOT / "policies", repo / "policies")
    (repo / "catalog").mkdir()
    templates = sorted(p.stem for p in (ROOT / "catalog").glob("*.yaml"))
    texts = {name: (ROOT / "catalog" / f"{name}.yaml").read_text() for name in templates}
    # Copy k of the project's catalog gives every tool id the suffix -k, its references too, so the
    # generated catalog is as consistent as the project's own.
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, templates)) + r")\b")
    ids = []
    for copy in range(count // len(templates)):
        for name in templates:
            tool_id = f"{name}-{copy:04d}"
            ids.append(tool_id)
            text = pattern.sub(lambda m, copy=copy: f"{m.group(1)}-{copy:04d}", texts[name])
            (repo / "catalog" / f"{tool_id}.yaml").write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "catalog")
    git(repo, "checkout", "-q", "-b", "pr")
    target = repo / "catalog" / f"{ids[count // 2]}.yaml"
    target.write_text(target.read_text().replace("purpose: ", "purpose: Edited in the pull request. ", 1))
    git(repo, "commit", "-q", "-am", "edit one entry")


def timed(label: str, run: object, repeat: int = 5) -> None:
    assert callable(run)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    print(
        f"{label}: best of {repeat} {best * 1000:.0f} ms "
        f"({count(result.report.entries, 'changed entry')}, {count(len(result.report.findings), 'finding')})"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000  # a multiple of 25, the catalog's size
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder) / "gov"
        repo.mkdir()
        start = time.perf_counter()
        build(repo, count)
        print(f"built a {count}-entry governance repo in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        pullcheck.check_change(repo, "main", "pr", TODAY)
        print(f"first run (fresh process state): {(time.perf_counter() - start) * 1000:.0f} ms")
        timed("check --base main --head pr", lambda: pullcheck.check_change(repo, "main", "pr", TODAY))
        git(repo, "checkout", "-q", "pr")
        timed("check --base main (working tree)", lambda: pullcheck.check_change(repo, "main", None, TODAY))
        command = [
            sys.executable,
            "-m",
            "martechgate",
            "check",
            str(repo),
            "--base",
            "main",
            "--head",
            "pr",
            "--today",
            TODAY.isoformat(),
            "--format",
            "json",
        ]
        walls = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False)
            walls.append(time.perf_counter() - start)
        startups = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "martechgate", "--version"], capture_output=True, check=True)
            startups.append(time.perf_counter() - start)
        print(
            f"CLI end to end (new process, as in CI): best of 3 {min(walls) * 1000:.0f} ms; starting "
            f"Python and importing martechgate alone (--version): best of 3 {min(startups) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
