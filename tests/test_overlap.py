"""martechgate overlap: tools in use that share a category and capabilities, with combined spend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from martechgate.vendors.overlap import jaccard
from tests.conftest import BASE_ENTRY, ROOT, GovRepo

CONTRACT = BASE_ENTRY["contract"]


def contract(**changes: Any) -> dict[str, Any]:
    return {**CONTRACT, **changes}


def pairs(run_cli: Any, repo: Path, *args: str) -> dict[tuple[str, str], dict[str, Any]]:
    result = run_cli("overlap", str(repo), "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return {(row["tool_a"], row["tool_b"]): row for row in json.loads(result.stdout)["rows"]}


def test_jaccard() -> None:
    assert jaccard(("a", "b"), ("b", "c")) == pytest.approx(1 / 3)
    assert jaccard(("a",), ("a",)) == 1.0
    assert jaccard((), ()) == 0.0


def test_own_catalog(run_cli: Any) -> None:
    found = pairs(run_cli, ROOT)
    assert list(found) == [
        ("hubspot-marketing-hub", "marketo-engage"),
        ("hootsuite", "sprout-social"),
        ("on24", "zoom-webinars"),
    ]
    hubspot = found[("hubspot-marketing-hub", "marketo-engage")]
    assert hubspot["similarity"] == 0.83
    assert hubspot["shared"] == ["email", "forms", "landing-pages", "lead-scoring", "workflows"]
    # USD and EUR: shown, never added
    assert hubspot["combined_annual"] is None and "not added" in hubspot["note"]
    social = found[("hootsuite", "sprout-social")]
    assert social["combined_annual"] == 14000 and social["currency"] == "USD"
    # intercom and drift overlap, but drift is denied: not a consolidation candidate
    assert not any("drift" in pair for pair in found)


def test_own_catalog_table(run_cli: Any) -> None:
    result = run_cli("overlap", str(ROOT))
    assert result.returncode == 0
    assert "consolidation candidates" in result.stdout and "(3 rows)" in result.stdout


def test_threshold(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("one", capabilities=["a", "b", "c", "d"])
    gov.add_entry("two", capabilities=["a", "e", "f", "g"])  # 1 of 7 shared
    assert pairs(run_cli, gov.path) == {}
    assert list(pairs(run_cli, gov.path, "--min-similarity", "0.1")) == [("one", "two")]
    for bad in ("0", "1.5", "-1"):
        result = run_cli("overlap", str(gov.path), "--min-similarity", bad)
        assert result.returncode == 2 and "out of range" in result.stderr


def test_who_is_compared(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("live", capabilities=["chat", "bots"], contract=contract(annual_cost=1000))
    gov.add_entry("trial", status="trial", capabilities=["chat", "bots"], contract=contract(annual_cost=500))
    gov.add_entry("retired", status="retired", capabilities=["chat", "bots"])
    gov.add_entry("denied", status="denied", capabilities=["chat", "bots"])
    gov.add_entry("other-category", category="chat", capabilities=["chat", "bots"])
    gov.add_entry("no-capabilities", capabilities=None)
    found = pairs(run_cli, gov.path)
    assert list(found) == [("live", "trial")]
    row = found[("live", "trial")]
    assert row["similarity"] == 1.0 and row["combined_annual"] == 1500 and row["currency"] == "USD"
    # TCO over each contract's own term (17 months), support 1 h/month at 75
    assert row["combined_tco"] == pytest.approx(1500 * 17 / 12 + 2 * 17 * 75, abs=0.01)


def test_missing_cost_and_malformed_entries(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("priced", capabilities=["x", "y"])
    gov.add_entry("unpriced", capabilities=["x", "y"], contract={"currency": "USD"})
    gov.add_entry("bad-capabilities", capabilities="x, y")
    gov.write("catalog/broken.yaml", "id: broken\n\tcapabilities: [x]\n")
    result = run_cli("overlap", str(gov.path), "--format", "json")
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert [(r["tool_a"], r["tool_b"]) for r in document["rows"]] == [("priced", "unpriced")]
    assert "annual cost or currency not recorded for unpriced" in document["rows"][0]["note"]
    assert any(note.startswith("catalog/broken.yaml: skipped") for note in document["meta"]["skipped"])
