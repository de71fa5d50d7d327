"""`martechgate new` without questions (--from, --dry-run) on catalogs of growing size, and its parts.

Usage: python bench/bench_new.py [N ...]   (default: 25 2000 10000)
Whole command: the median of 3 runs of a fresh process (interpreter start-up included). Parts, in
process: the overlap search (rapidfuzz over every entry), and the check of the new entry with the
repo's catalog (the engine over every entry, findings kept for the new file only).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_catalog import generate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from martechgate.check.catalog import load_entries  # noqa: E402
from martechgate.check.organisation import load_organization  # noqa: E402
from martechgate.intake import proposal  # noqa: E402
from martechgate.sources.repo import WorkTree  # noqa: E402

ANSWERS = {
    "name": "Acme Webinars",
    "vendor": {"name": "Acme Events, Inc.", "website": "https://acme.example"},
    "purpose": "Customer webinars",
    "category": "webinar",
    "capabilities": ["webinars", "registration"],
    "owners": {"business": "jane.doe@example.com", "technical": "raj.patel@example.com"},
    "data": {"classification": "confidential", "categories": ["contact-pii"], "eu_subjects": False},
    "contract": {"annual_cost": 20000, "currency": "USD", "payment": "invoice"},
}
TODAY = date(2026, 11, 23)


def median_seconds(action: object, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [25, 2000, 10000]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    with tempfile.TemporaryDirectory() as folder:
        answers = Path(folder) / "answers.json"
        answers.write_text(json.dumps(ANSWERS))
        print(f"{'entries':>8}  {'new --dry-run':>14}  {'overlaps':>9}  {'check of the entry':>18}")
        for size in sizes:
            repo = generate(Path(folder) / f"gov-{size}", size)
            command = [
                sys.executable,
                "-m",
                "martechgate",
                "new",
                str(repo),
                "--from",
                str(answers),
                "--allow-overlap",
                "--dry-run",
                "--today",
                TODAY.isoformat(),
            ]
            whole = median_seconds(
                lambda command=command: subprocess.run(
                    command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True
                )
            )
            source = WorkTree(repo)
            entries = load_entries(source)
            known = {e.id: e.data for e in entries if e.id is not None and e.data is not None}
            draft = proposal.Draft(load_organization(source), known, TODAY, dict(ANSWERS))
            entry = proposal.finish(dict(ANSWERS, id="acme-webinars"))
            overlap = median_seconds(lambda entry=entry, known=known: proposal.overlaps(entry, known))
            text = proposal.render(entry, TODAY)
            checked = median_seconds(
                lambda repo=repo, text=text, entries=entries: proposal.findings_for(
                    proposal.catalog_with(repo, entries, "catalog/acme-webinars.yaml", text, TODAY),
                    "catalog/acme-webinars.yaml",
                )
            )
            assert draft.organization.categories
            print(f"{size:>8}  {whole:>13.2f}s  {overlap * 1000:>7.1f}ms  {checked:>17.2f}s")


if __name__ == "__main__":
    main()
