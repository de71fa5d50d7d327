"""Reports say what is unknown: a cost not known is not 0, a graph or overlap list without data says so."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import BASE_ENTRY, GovRepo


def test_spend_shows_unknown_costs_and_counts_them_apart_from_zero(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("free", contract={**BASE_ENTRY["contract"], "annual_cost": 0})
    gov.add_entry("not-known", contract={**BASE_ENTRY["contract"], "annual_cost": "unknown"})
    gov.add_entry("not-recorded", contract={"currency": "USD"})
    result = run_cli("spend", str(gov.path), "--by", "tool", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    rows = {row["tool"]: row for row in document["rows"]}
    assert rows["free"]["annual_licence"] == 0 and rows["free"]["tco"] != "unknown"
    assert rows["not-known"]["annual_licence"] == "unknown" and rows["not-known"]["tco"] == "unknown"
    assert rows["not-recorded"]["annual_licence"] == "unknown"
    assert "is not a number" not in (rows["not-known"]["note"] or "")  # unknown is a state, not a wrong value
    assert document["meta"]["cost unknown"].startswith("2 tools, counted apart and never as 0: not-known")
    groups = json.loads(run_cli("spend", str(gov.path), "--format", "json").stdout)
    [total] = [row for row in groups["rows"] if row["group"] == "(all)"]
    assert (total["tools"], total["unpriced"]) == (3, 2)
    text = run_cli("spend", str(gov.path)).stdout
    assert "cost unknown: 2 tools, counted apart and never as 0" in text


def test_overlap_and_graph_say_how_many_tools_lack_capabilities_or_integrations(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("canva", capabilities=["graphics", "templates"])
    gov.add_entry("figma", capabilities=None)
    gov.add_entry("imported", capabilities=None, integrations=None)
    result = run_cli("overlap", str(gov.path), "--format", "json")
    assert result.returncode == 0, result.stderr
    meta = json.loads(result.stdout)["meta"]
    assert meta["not compared"].startswith("2 of 3 tools in use record no capabilities (or no category)")
    assert "figma, imported" in meta["not compared"]
    result = run_cli("graph", str(gov.path), "--format", "json")
    assert json.loads(result.stdout)["meta"]["without integrations"].startswith("3 of 3 tools record no integrations")
    result = run_cli("graph", str(gov.path))
    assert result.returncode == 0 and "note: 3 of 3 tools record no integrations" in result.stderr
