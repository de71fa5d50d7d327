"""`martechgate check` beside check-jsonschema (schema only) and a bare libyaml parse, on the same files.

Usage: python bench/bench_check.py [N ...]   (default: 2000 10000)
Needs check-jsonschema for the comparison (`pip install check-jsonschema`; it is not a dependency).
Each figure is the median of 3 runs of a fresh process, so interpreter start-up counts for all three,
with its peak memory. Cold: --no-cache, on one core (--jobs 1) and on every core (the default). Warm: a
later run over the same unchanged files, with the result cache; then one file edited before each run.
Each size is measured on the generated catalog and on its messy twin (gen_catalog.py --messy: the
findings of a freshly imported inventory, nine times as many).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_catalog import generate

ROOT = Path(__file__).resolve().parents[1]
PARSE = (
    "import glob, sys, yaml\n"
    "for name in glob.glob(sys.argv[1] + '/catalog/*.yaml'):\n"
    "    with open(name, 'rb') as f: yaml.load(f, Loader=yaml.CSafeLoader)\n"
)


# Runs one command, and prints how long it took and its peak memory (the largest resident size of this
# process's children: it has one), so the figures are the command's and not this wrapper's.
PEAK = (
    "import resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def timed(
    command: list[str], env: dict[str, str] | None = None, runs: int = 3, before: Callable[[], None] | None = None
) -> tuple[float, float]:
    """Median wall time and median peak memory (MB) of `runs` fresh processes; `before` runs first
    each time, untimed (an edit)."""
    times, peaks = [], []
    for _ in range(runs):
        if before is not None:
            before()
        out = subprocess.run([sys.executable, "-c", PEAK, *command], capture_output=True, text=True, env=env)
        took, peak = out.stdout.split()
        times.append(float(took))
        peaks.append(int(peak) / 1024)
    return statistics.median(times), statistics.median(peaks)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [2000, 10000]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    # An installed package has its bytecode compiled; a shell that forbids writing it would make every
    # run compile martechgate's source again (0.06 s), which no user pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cjs = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    cores = len(os.sched_getaffinity(0))
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print("cold: --format json --no-cache; warm: text (the default) with the result cache; s and peak MB\n")
    with tempfile.TemporaryDirectory() as tmp:
        schema = Path(tmp) / "entry-v1.json"
        schema.write_text(json.dumps(json.loads((ROOT / "src/martechgate/schema/entry-v1.json").read_text())))
        for size in sizes:
            for messy in (False, True):
                label = f"{size:>6} entries{' (messy)' if messy else ''}"
                repo = generate(Path(tmp) / f"repo-{size}-{messy}", size, messy)
                files = sorted(str(p) for p in (repo / "catalog").glob("*.yaml"))
                command = [sys.executable, "-m", "martechgate", "check", str(repo)]
                one_core, one_core_peak = timed([*command, "--format", "json", "--no-cache", "--jobs", "1"], env)
                check, _ = timed([*command, "--format", "json", "--no-cache"], env)
                cache = ["--cache-dir", str(Path(tmp) / f"cache-{size}-{messy}")]
                timed([*command, *cache], env, runs=1)  # fills the cache
                time.sleep(2.1)  # files younger than 2 s are "racy" and always read (cache.RACY_NS)
                timed([*command, *cache], env, runs=1)  # notes the settled files
                warm, warm_peak = timed([*command, *cache], env)
                edited = Path(files[0])
                edits = iter(range(1, 100))

                def edit(path: Path = edited, numbers: Iterator[int] = edits) -> None:
                    with path.open("a") as out:
                        out.write(f"# edit {next(numbers)}\n")

                timed([*command, *cache], env, runs=1, before=edit)  # the cache learns the edited file
                changed, changed_peak = timed([*command, *cache], env, before=edit)
                parse, _ = timed([sys.executable, "-c", PARSE, str(repo)])
                line = (
                    f"{label}: cold {one_core:5.2f} s {one_core_peak:4.0f} MB on 1 core, {check:5.2f} s on {cores}"
                    f" | warm {warm:4.2f} s {warm_peak:3.0f} MB, one file edited {changed:4.2f} s"
                    f" {changed_peak:3.0f} MB | bare C parse {parse:5.2f} s | cold/parse {one_core / parse:4.2f}x"
                    f" on 1 core, {check / parse:4.2f}x on {cores}"
                )
                if Path(cjs).exists() and not messy:
                    schema_only, _ = timed([cjs, "--schemafile", str(schema), *files], runs=1)
                    line += f" | check-jsonschema {schema_only:5.2f} s ({schema_only / check:4.1f}x)"
                print(line, flush=True)
    print(f"(load average at the end: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
