"""history / inventory / audit / verify beside plain `git log`, on one generated repo of N commits.

Usage: python bench/bench_history.py [N]   (default: 10000 commits)
The repo is built with `git fast-import` from the project's own catalog, policies and organisation
file: one commit an hour on main, every tenth a merged pull request ("Merge pull request #N"),
the others squashes ("... (#N)"); each changes one tool's annual cost, and hubspot-marketing-hub is
renamed half-way (so history follows a rename). Each figure is the median of 3 runs of a fresh
process (`python -m martechgate ...`), so interpreter start-up counts (with its bytecode compiled, as
an installed package's is); `history` is timed without its cache of parsed versions and with it. CPU
time (user + system, the process and its git children) is printed beside wall time, as wall time on
a shared machine measures the other tenants too.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
TOOL = "hubspot-marketing-hub"
OLD_TOOL = "hubspot"


def _data(content: bytes) -> bytes:
    return b"data %d\n" % len(content) + content + b"\n"


def build(target: Path, total: int) -> None:
    files = {
        p.relative_to(ROOT).as_posix(): p.read_bytes()
        for p in [ROOT / "martechgate.yaml", *sorted((ROOT / "policies").glob("*.yaml"))]
    }
    catalog = {p.name: p.read_bytes() for p in sorted((ROOT / "catalog").glob("*.yaml"))}
    catalog[f"{OLD_TOOL}.yaml"] = catalog.pop(f"{TOOL}.yaml").replace(
        f"id: {TOOL}".encode(), f"id: {OLD_TOOL}".encode()
    )
    names = sorted(catalog)
    out = bytearray()
    commits = 0
    main_mark = 0
    mark = 0
    pr = 0

    def commit(ref: str, message: str, changes: bytes, parent: int, merge: int = 0, who: str = "Dev") -> int:
        nonlocal mark, commits
        mark += 1
        commits += 1
        stamp = START + commits * 3600
        out.extend(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
        out.extend(b"author %s <%s@example.com> %d +0000\n" % (who.encode(), who.lower().encode(), stamp))
        out.extend(b"committer GitHub <noreply@github.com> %d +0000\n" % stamp)
        out.extend(_data(message.encode()))
        if parent:
            out.extend(b"from :%d\n" % parent)
        if merge:
            out.extend(b"merge :%d\n" % merge)
        out.extend(changes)
        return mark

    tree = {**files, **{f"catalog/{name}": catalog[name] for name in names}}
    initial = b"".join(b"M 100644 inline %s\n" % path.encode() + _data(data) for path, data in tree.items())
    main_mark = commit("refs/heads/main", "Start the governance repo", initial, 0)
    step = 0
    while commits < total:
        step += 1
        pr += 1
        if step == total // 4:  # the rename, as a direct push
            content = catalog.pop(f"{OLD_TOOL}.yaml").replace(f"id: {OLD_TOOL}".encode(), f"id: {TOOL}".encode())
            catalog[f"{TOOL}.yaml"] = content
            names = sorted(catalog)
            change = (
                b"D catalog/%s.yaml\n" % OLD_TOOL.encode()
                + b"M 100644 inline catalog/%s.yaml\n" % TOOL.encode()
                + _data(content)
            )
            main_mark = commit("refs/heads/main", f"Rename {OLD_TOOL}", change, main_mark, who="Admin")
            continue
        name = (
            names[step % len(names)]
            if step % 7
            else (f"{TOOL}.yaml" if f"{TOOL}.yaml" in catalog else f"{OLD_TOOL}.yaml")
        )
        cost = b"annual_cost: %d" % (1000 + step * 10)
        catalog[name] = re.sub(rb"annual_cost: \d+", cost, catalog[name], count=1)
        change = b"M 100644 inline catalog/%s\n" % name.encode() + _data(catalog[name])
        if step % 10 == 0 and commits + 2 <= total:
            branch = commit(f"refs/heads/pr-{pr}", f"Update {name}", change, main_mark, who="Mia")
            main_mark = commit(
                "refs/heads/main",
                f"Merge pull request #{pr} from acme/pr-{pr}",
                change,
                main_mark,
                merge=branch,
                who="Mia",
            )
        else:
            main_mark = commit("refs/heads/main", f"Update {name} (#{pr})", change, main_mark, who="Raj")
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=target, input=bytes(out), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=target, check=True)


def bench_env(cache: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MARTECHGATE_CACHE_DIR": str(cache)}
    # An installed package has its bytecode compiled; a shell that forbids writing it would make every
    # run compile martechgate's source again (0.06 s), which no user pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(
    command: list[str], cwd: Path, env: dict[str, str], runs: int = 3, prime: bool = False
) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system, of the process and the git it runs); with
    `prime`, after one run that is not counted (to measure what an earlier run left in the cache)."""
    if prime:
        subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if result.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed: {result.stderr.decode()}")
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    python = [sys.executable, "-m", "martechgate"]
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder) / "gov"
        started = time.perf_counter()
        build(repo, total)
        count = subprocess.run(
            ["git", "rev-list", "--count", "main"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        print(
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"{subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()}, "
            f"{os.cpu_count()} CPUs"
        )
        print(f"repo: {count} commits, built in {time.perf_counter() - started:.1f} s (fast-import)\n")
        middle = datetime.fromtimestamp(START + total * 1800, UTC).date()
        week_end = datetime.fromtimestamp(START + total * 1800 + 6 * 86400, UTC).date()
        first_day = datetime.fromtimestamp(START, UTC).date()
        year_end = datetime.fromtimestamp(START + 364 * 86400, UTC).date()
        rows = [
            ("git log --oneline (all commits)", ["git", "log", "--oneline"]),
            (
                "git log --first-parent --raw -M -- catalog",
                ["git", "log", "--first-parent", "--raw", "-M", "--", "catalog"],
            ),
            (
                "git log --follow -p -- catalog/TOOL.yaml",
                ["git", "log", "--follow", "-p", "--", f"catalog/{TOOL}.yaml"],
            ),
            (
                f"martechgate history {TOOL} (json, --no-cache)",
                [*python, "history", TOOL, "--format", "json", "--no-cache"],
            ),
            (
                f"martechgate history {TOOL} (json, versions parsed before)",
                [*python, "history", TOOL, "--format", "json"],
            ),
            (f"martechgate inventory --as-of {middle}", [*python, "inventory", "--as-of", str(middle)]),
            (
                f"martechgate audit, one week ({middle} to {week_end})",
                [*python, "audit", "--since", str(middle), "--until", str(week_end), "--format", "csv"],
            ),
            (
                f"martechgate audit, a year ({first_day} to {year_end})",
                [*python, "audit", "--since", str(first_day), "--until", str(year_end), "--format", "csv"],
            ),
            ("martechgate verify (whole history, no records)", [*python, "verify"]),
            ("python -m martechgate --version (start-up)", [*python, "--version"]),
        ]
        width = max(len(label) for label, _ in rows)
        print(f"{'':<{width}}  {'wall':>7}  {'CPU':>7}")
        env = bench_env(Path(folder) / "cache")
        for label, command in rows:
            wall, cpu = timed(command, repo, env, prime="parsed before" in label)
            print(f"{label:<{width}}  {wall:6.2f}s  {cpu:6.2f}s")
        print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        changes = subprocess.run(
            [*python, "history", TOOL, "--format", "json"], cwd=repo, text=True, capture_output=True, env=env
        ).stdout
        found = len(json.loads(changes)["changes"])
        print(f"\nhistory found {found} changes to {TOOL} (following one rename)")


if __name__ == "__main__":
    main()
