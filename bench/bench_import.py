"""`martechgate import` of a generated inventory of 10,000 records (target: under 10 s here).

Usage: python bench/bench_import.py [N]   (default: 10000)
The inventory is a CSV with every messy value the tests use (mixed spellings, several owners in one
cell, @handles, TBD/N/A, booleans as text, Markdown, duplicate titles), read through a mapping like
examples/import/spreadsheet.yaml with a people table. Three timings, each a fresh process (interpreter
start-up included): the first import into an empty catalog (every entry written), the same import
again (every entry read back and found unchanged), and --update after one changed column.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["title", "description", "owner", "it", "class", "login", "scim", "dpa", "cost", "tier", "notes"]
MAPPING = """\
apiVersion: martechgate/import-v1
source: {format: csv}
id: {from: title}
unknown: [TBD, "N/A", "n/a", "", none, unknown, "?"]
people: people.csv
fields:
  name: title
  vendor.name: title
  category: {value: analytics}
  purpose: {from: description, markdown: strip}
  status: {value: approved}
  owners.business: {from: owner, split: '\\s*(?:,|&| and )\\s*', people: true}
  owners.technical: {from: it, people: true}
  data.classification: {from: class, values: {Red: restricted, Orange: confidential, Yellow: internal, Green: public}}
  data.categories: {value: [unknown]}
  security.sso: {from: login, values: {SAML: saml, SWA: password-vault, OIDC: oidc}, default: unknown}
  security.scim: scim
  agreements.dpa: dpa
  contract.annual_cost: cost
  criticality: {from: tier, values: {Tier 1: critical, Tier 2: high, Tier 3: medium}}
  x-source: {keep: [notes]}
"""


def generate(folder: Path, count: int) -> Path:
    pick = random.Random(14).choice
    people = [f"Person {n}" for n in range(200)]
    (folder / "people.csv").write_text(
        "key,email\n" + "".join(f"{name},person{n}@example.com\n" for n, name in enumerate(people[:150])),
        encoding="utf-8",
    )
    inventory = folder / "inventory.csv"
    with inventory.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for n in range(count):
            title = f"Tool {n // 2}" if n % 10 else f"Tool {n // 2} " + "with a very long name " * 12
            writer.writerow(
                [
                    title,
                    pick(["**Bold** [link](https://x.example) text", "plain purpose", "- a\n- list"]),
                    pick([f"{pick(people)}, @{pick(people)}", pick(people), "TBD", "jane@example.com"]),
                    pick([pick(people), "N/A", "it@example.com"]),
                    pick(["Red", "orange", "Yellow", "green", "TBD", "Purple"]),
                    pick(["SAML", "swa", "OIDC", "", "Okta thing"]),
                    pick(["Yes", "no", "TRUE", "maybe", "N/A"]),
                    pick(["yes", "No", "n/a", "FALSE"]),
                    pick(["$12,000", "TBD", "0", "abc", "1200.50"]),
                    pick(["Tier 1", "Tier 2", "Tier 3", ""]),
                    pick(["", "renewal with procurement", "?"]),
                ]
            )
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return inventory


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):
        raise SystemExit(result.stderr)
    summary = result.stdout.splitlines()[1].strip() if len(result.stdout.splitlines()) > 1 else result.stdout
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), summary


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        inventory = generate(root, count)
        repo = root / "gov"
        martechgate = [sys.executable, "-m", "martechgate"]
        subprocess.run([*martechgate, "init", str(repo)], env=env, check=True, capture_output=True)
        for example in (repo / "catalog").iterdir():
            example.unlink()
        command = [*martechgate, "import", str(inventory), "--mapping", str(root / "mapping.yaml"), "--repo", str(repo)]
        print(f"import of {count:,} records ({os.getloadavg()[0]:.1f} load)")
        runs = (("first import", []), ("the same again", []), ("--update, one column changed", ["--update"]))
        for label, extra in runs:
            if extra:
                text = inventory.read_text(encoding="utf-8").replace("plain purpose", "a plainer purpose")
                inventory.write_text(text, encoding="utf-8")
            wall, cpu, summary = timed(command + extra, env)
            print(f"  {label:<30} wall {wall:6.2f} s  CPU {cpu:6.2f} s  {summary}")


if __name__ == "__main__":
    main()
