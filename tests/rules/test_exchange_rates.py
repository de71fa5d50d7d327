"""exchange-rates: a cost in another currency without a rate (or with an old one) is named, located."""

from __future__ import annotations

from datetime import date

from martechgate.check import engine
from martechgate.sources.repo import WorkTree
from tests.conftest import BASE_ENTRY, ROOT, GovRepo
from tests.rules.conftest import Findings

ORG_TEXT = (ROOT / "martechgate.yaml").read_text(encoding="utf-8")


def _yen(gov: GovRepo, cost: int = 1_000_000) -> None:
    gov.add_entry("yen-tool", contract={**BASE_ENTRY["contract"], "currency": "JPY", "annual_cost": cost})


def test_passes_with_a_rate(gov: GovRepo, findings: Findings) -> None:
    _yen(gov)
    assert findings(gov.path, "exchange-rates") == []


def test_passes_in_the_organisations_currency_or_at_no_cost(gov: GovRepo, findings: Findings) -> None:
    gov.write("martechgate.yaml", ORG_TEXT.replace(", JPY: 0.0067", ""))
    gov.add_entry("usd-tool")
    _yen(gov, cost=0)
    assert findings(gov.path, "exchange-rates") == []


def test_fails_located_without_a_rate(gov: GovRepo, findings: Findings) -> None:
    gov.write("martechgate.yaml", ORG_TEXT.replace(", JPY: 0.0067", ""))
    _yen(gov)
    (found,) = findings(gov.path, "exchange-rates")
    assert (found.file, found.path, found.line) == ("catalog/yen-tool.yaml", "contract.currency", 39)
    assert "no exchange rate for JPY in martechgate.yaml" in found.message
    assert "assume the thresholds are reached" in found.message and not found.blocking


def test_fails_when_the_rates_are_over_a_year_old(gov: GovRepo) -> None:
    _yen(gov)
    result = engine.check(WorkTree(gov.path), today=date(2028, 1, 1))
    (found,) = [f for f in result.report.findings if f.rule == "exchange-rates"]
    assert "converted with rates from 2026-11-30, over a year before 2028-01-01" in found.message
