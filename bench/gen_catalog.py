"""Generate an N-entry synthetic governance repo from this repo's own catalog, for benchmarks.

Entries are the real example entries with new ids, so their size, shape and findings are realistic;
integrations point at other generated entries. Usage: python bench/gen_catalog.py OUT N [--messy]

--messy writes them as a freshly imported inventory has them: owners as people's names, security and
the DPA unknown, reviews two years old and the risk tier understated (about four findings an entry,
39,600 at 10,000 entries, against 4,400).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _messy(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **data,
        "owners": {"business": "Jane Doe", "technical": "Raj Patel"},
        "security": {**data["security"], "sso": "unknown", "mfa": "unknown"},
        "agreements": {**data["agreements"], "dpa": "unknown"},
        "review": {**data["review"], "risk_tier": "low", "last_reviewed": "2024-01-01", "next_review": "2025-01-01"},
    }


def generate(out: Path, count: int, messy: bool = False) -> Path:
    templates = [yaml.load(p.read_text(), Loader=yaml.CSafeLoader) for p in sorted((ROOT / "catalog").glob("*.yaml"))]
    if out.exists():
        shutil.rmtree(out)
    (out / "catalog").mkdir(parents=True)
    shutil.copy(ROOT / "martechgate.yaml", out / "martechgate.yaml")
    shutil.copytree(ROOT / "policies", out / "policies")
    ids = [f"{templates[i % len(templates)]['id']}-{i:05d}" for i in range(count)]
    for i, new_id in enumerate(ids):
        data = dict(templates[i % len(templates)])
        group = i - i % len(templates)  # integrations stay inside this copy of the template set
        rename = {t["id"]: f"{t['id']}-{group + k:05d}" for k, t in enumerate(templates) if group + k < count}
        data["id"] = new_id
        data["integrations"] = [
            {**integration, "target": rename[integration["target"]]}
            for integration in data.get("integrations") or []
            if integration["target"] in rename
        ]
        if data.get("alternative"):
            data["alternative"] = rename.get(data["alternative"])
        if messy:
            text = yaml.safe_dump(_messy(data), sort_keys=False)
        else:
            text = "# yaml-language-server: $schema=https://martechgate.dev/schema/entry-v1.json\n"
            text += yaml.safe_dump(data, sort_keys=False)
        (out / "catalog" / f"{new_id}.yaml").write_text(text)
    return out


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]), messy="--messy" in sys.argv[3:])
