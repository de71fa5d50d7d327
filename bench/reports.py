"""How long the vendor reports take on a large catalog: prints seconds per report.

    /work/venv/bin/python bench/reports.py [TOOLS]      (default 2000 tools, 3 integrations each)

The catalog is generated in a temporary folder with the project's organisation file and policies;
loading (reading and parsing every entry) is timed apart from each report.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from martechgate.check import engine  # noqa: E402
from martechgate.sources.repo import WorkTree  # noqa: E402
from martechgate.vendors import graph, overlap, renewals, spend  # noqa: E402
from martechgate.vendors.tools import read_tools  # noqa: E402

CATEGORIES = ["marketing-automation", "crm", "email", "analytics", "social-media", "advertising", "seo"]
CAPABILITIES = [f"cap-{n}" for n in range(30)]


def make_catalog(folder: Path, count: int) -> None:
    shutil.copy(ROOT / "martechgate.yaml", folder / "martechgate.yaml")
    shutil.copytree(ROOT / "policies", folder / "policies")
    (folder / "catalog").mkdir()
    rng = random.Random(6)
    for n in range(count):
        tool_id = f"tool-{n:05d}"
        entry = {
            "apiVersion": "martechgate/v1",
            "id": tool_id,
            "name": f"Tool {n}",
            "vendor": {"name": "Vendor", "website": "https://vendor.example.com", "country": "US"},
            "category": rng.choice(CATEGORIES),
            "purpose": "Benchmark",
            "capabilities": rng.sample(CAPABILITIES, 4),
            "status": "approved",
            "owners": {"business": "a@example.com", "technical": "b@example.com", "department": "ops"},
            "data": {"classification": "internal", "categories": [rng.choice(["none", "contact-pii"])]},
            "integrations": [
                {"target": f"tool-{rng.randrange(count):05d}", "direction": "outbound", "data": ["contact-pii"]}
                for _ in range(3)
            ],
            "contract": {
                "annual_cost": rng.randrange(1000, 100000),
                "currency": rng.choice(["USD", "EUR"]),
                "seats": rng.randrange(1, 50),
                "start": "2025-01-01",
                "renewal": "2027-01-01",
                "auto_renew": True,
                "notice_days": 60,
                "implementation_cost": 1000,
                "support_hours_month": 4,
            },
        }
        (folder / "catalog" / f"{tool_id}.yaml").write_text(yaml.safe_dump(entry), encoding="utf-8")


def timed(label: str, function: object) -> None:
    start = time.perf_counter()
    function()  # type: ignore[operator]
    print(f"{label:<28} {time.perf_counter() - start:8.3f} s")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    today = date(2026, 11, 23)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_catalog(folder, count)
        print(f"{count} tools, {count * 3} integrations")
        start = time.perf_counter()
        catalog = engine.load_catalog(WorkTree(folder), today=today)
        tools = read_tools(catalog)
        print(f"{'load + read_tools':<28} {time.perf_counter() - start:8.3f} s")
        rates = spend.HourlyRates()
        timed("spend --by category", lambda: spend.spend(tools, "category", rates))
        timed("spend --by tool", lambda: spend.spend(tools, "tool", rates))
        end = renewals.window_end("120d", today)
        timed("renewals + ics", lambda: renewals.calendar(renewals.due(tools, today, end), "Bench", today))
        timed("overlap", lambda: overlap.overlap(tools))
        built = graph.build(catalog, tools)
        timed(
            "graph build + mermaid + dot", lambda: (graph.to_mermaid(graph.build(catalog, tools)), graph.to_dot(built))
        )


if __name__ == "__main__":
    main()
