"""How long `martechgate site` takes: the project's own catalog, and a synthetic catalog of N tools
(bench/gen_catalog.py: the project's entries under new ids), committed in one git commit.

    python bench/site_build.py [N]      (default N = 500)

Prints seconds for each phase: load + check, views + history, render + write.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_catalog import generate

from martechgate.check import engine
from martechgate.site import file_history, render_site, views
from martechgate.site.output import write_site
from martechgate.sources.repo import open_source

ROOT = Path(__file__).resolve().parents[1]


def measure(repo: Path, out: Path) -> tuple[int, int, list[float]]:
    marks = [time.perf_counter()]
    catalog = engine.load_catalog(open_source(repo))
    result = engine.run(catalog)
    marks.append(time.perf_counter())
    site = views.build(catalog, result.report)
    histories = file_history(repo, [tool.file for tool in site.tools])
    for tool in site.tools:
        tool.history = histories.get(tool.file, [])
    marks.append(time.perf_counter())
    files = write_site(out, lambda folder: render_site(site, folder, commit=None))
    marks.append(time.perf_counter())
    return len(site.tools), len(files), [b - a for a, b in itertools.pairwise(marks)]


def synthetic(folder: Path, count: int) -> Path:
    """bench/gen_catalog.py's repo, committed once so every tool has a history to read."""
    repo = generate(folder / "gov", count)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=bench", "-c", "user.email=b@example.com", "commit", "-qm", "bench"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True)
    return repo


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        runs = (
            ("project catalog", ROOT, "out-project"),
            (f"synthetic, {count} tools", synthetic(Path(tmp), count), "out-synthetic"),
        )
        for label, repo, out in runs:
            tools, files, (check, prepare, render) = measure(repo, Path(tmp) / out)
            print(
                f"{label}: {tools} tools, {files} files; load+check {check:.2f}s, views+history "
                f"{prepare:.2f}s, render+write {render:.2f}s, total {check + prepare + render:.2f}s"
            )


if __name__ == "__main__":
    main()
