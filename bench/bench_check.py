"""`martechgate check` beside check-jsonschema (schema only) and a bare libyaml parse, on the same files.

Usage: python bench/bench_check.py [N ...]   (default: 2000 10000)
Needs check-jsonschema for the comparison (`pip install check-jsonschema`; it is not a dependency).
Each figure is the median of 3 runs of a fresh process, so interpreter start-up counts for all three.
Cold: --no-cache, on one core (--jobs 1) and on every core (the default). Warm: a later run over the
same unchanged files, with the result cache. A second warm figure has one file changed.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_catalog import generate

ROOT = Path(__file__).resolve().parents[1]
PARSE = (
    "import glob, sys, yaml\n"
    "for name in glob.glob(sys.argv[1] + '/catalog/*.yaml'):\n"
    "    with open(name, 'rb') as f: yaml.load(f, Loader=yaml.CSafeLoader)\n"
)


def timed(command: list[str], env: dict[str, str] | None = None, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [2000, 10000]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cjs = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    cores = len(os.sched_getaffinity(0))
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        schema = Path(tmp) / "entry-v1.json"
        schema.write_text(json.dumps(json.loads((ROOT / "src/martechgate/schema/entry-v1.json").read_text())))
        for size in sizes:
            repo = generate(Path(tmp) / f"repo-{size}", size)
            files = sorted(str(p) for p in (repo / "catalog").glob("*.yaml"))
            command = [sys.executable, "-m", "martechgate", "check", str(repo), "--format", "json"]
            one_core = timed([*command, "--no-cache", "--jobs", "1"], env)
            check = timed([*command, "--no-cache"], env)
            cache_dir = Path(tmp) / f"cache-{size}"
            timed([*command, "--cache-dir", str(cache_dir)], env, runs=1)  # fills the cache
            time.sleep(2.1)  # files younger than 2 s are "racy" and always read (cache.RACY_NS)
            timed([*command, "--cache-dir", str(cache_dir)], env, runs=1)  # notes the settled files
            warm = timed([*command, "--cache-dir", str(cache_dir)], env)
            edited = Path(files[0])
            edited.write_text(edited.read_text().replace("status: approved", "status: in-review"))
            one_changed = timed([*command, "--cache-dir", str(cache_dir)], env)
            parse = timed([sys.executable, "-c", PARSE, str(repo)])
            line = (
                f"{size:>6} entries: check cold {one_core:6.2f} s on 1 core, {check:6.2f} s on {cores}"
                f" | warm {warm:5.2f} s, one file changed {one_changed:5.2f} s | bare C parse {parse:6.2f} s"
                f" | cold/parse {one_core / parse:4.2f}x on 1 core, {check / parse:4.2f}x on {cores}"
            )
            if Path(cjs).exists():
                schema_only = timed([cjs, "--schemafile", str(schema), *files], runs=1)
                line += f" | check-jsonschema {schema_only:6.2f} s | check-jsonschema/check {schema_only / check:5.1f}x"
            print(line, flush=True)


if __name__ == "__main__":
    main()
