"""Money in one currency: thresholds in the organisation's currency, costs converted by its dated
rates, and never a comparison across currencies as bare numbers (a rate missing fails closed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from martechgate.check.money import Amount, Money
from martechgate.check.organisation import parse_organization
from martechgate.check.risk import computed_tier
from martechgate.errors import ConfigError
from martechgate.gate.applicable import ChangedFile, applicable_rules
from tests.conftest import ROOT, GovRepo, entry

ORG_TEXT = (ROOT / "martechgate.yaml").read_text(encoding="utf-8")
WITH_JPY = parse_organization(ORG_TEXT.encode())
WITHOUT_JPY = parse_organization(ORG_TEXT.replace(", JPY: 0.0067", "").encode())
YEN = {"currency": "JPY", "payment": "invoice"}


def _reasons(org: Any, data: dict[str, Any]) -> dict[str, str]:
    applied = applicable_rules(org, [ChangedFile.proposed(data)])
    return {a.rule.name: a.reason for a in applied}


def test_the_starter_rates_are_read() -> None:
    assert WITH_JPY.money.currency == "USD" and WITH_JPY.money.rates["JPY"] == 0.0067
    assert WITH_JPY.money.convert(Amount(1_000_000, "JPY")) == pytest.approx(6700)
    assert WITHOUT_JPY.money.convert(Amount(1_000_000, "JPY")) is None


def test_a_million_yen_is_low_spend_with_a_rate() -> None:
    data = entry("yen-tool", contract={**YEN, "annual_cost": 1_000_000})
    tier, reasons = computed_tier(data, WITH_JPY.money)
    assert tier == "low", reasons
    assert "big-spend" not in _reasons(WITH_JPY, data)


def test_a_billion_yen_is_converted_and_reaches_both_thresholds() -> None:
    data = entry("yen-tool", contract={**YEN, "annual_cost": 20_000_000})  # 134,000 USD
    tier, reasons = computed_tier(data, WITH_JPY.money)
    assert tier == "high"
    assert reasons[0] == "annual cost 20,000,000 JPY (134,000 USD at the rate of 2026-11-30) of at least 100,000 USD"
    assert _reasons(WITH_JPY, data)["big-spend"] == "annual cost 20,000,000 JPY (134,000 USD) is over 50,000 USD"


def test_without_a_rate_yen_is_never_compared_as_a_number() -> None:
    """1,000,000 as a number is over every threshold; the point is that neither answer is silent."""
    data = entry("yen-tool", contract={**YEN, "annual_cost": 1_000_000})
    tier, reasons = computed_tier(data, WITHOUT_JPY.money)
    assert tier == "high"
    assert reasons[0].startswith("annual cost 1,000,000 JPY not comparable: no exchange rate for JPY")
    assert reasons[0].endswith("assumed at least 100,000 USD")
    assert _reasons(WITHOUT_JPY, data)["big-spend"].startswith("annual_cost_over assumed to hold: no exchange rate")
    small = entry("yen-tool", contract={**YEN, "annual_cost": 1_000})  # fails closed however small
    assert "big-spend" in _reasons(WITHOUT_JPY, small)
    free = entry("yen-tool", contract={**YEN, "annual_cost": 0, "payment": "free"})  # 0 is 0 in any currency
    assert computed_tier(free, WITHOUT_JPY.money)[0] == "low" and "big-spend" not in _reasons(WITHOUT_JPY, free)


def test_a_threshold_names_its_own_currency() -> None:
    text = ORG_TEXT.replace("{annual_cost_over: 50000}", "{annual_cost_over: {amount: 40000, currency: EUR}}")
    org = parse_organization(text.encode())
    over = entry("tool", contract={"annual_cost": 45_000, "currency": "USD", "payment": "invoice"})
    under = entry("tool", contract={"annual_cost": 40_000, "currency": "USD", "payment": "invoice"})
    assert _reasons(org, over)["big-spend"] == "annual cost 45,000 USD is over 40,000 EUR (43,200 USD)"
    assert "big-spend" not in _reasons(org, under)  # 40,000 USD is under 43,200 USD


def test_an_entry_without_a_currency_is_in_the_organisations() -> None:
    data = entry("tool", contract={"annual_cost": 60_000, "payment": "invoice"})
    assert _reasons(WITH_JPY, data)["big-spend"] == "annual cost 60,000 USD is over 50,000 USD"
    eur = parse_organization(ORG_TEXT.replace("currency: USD", "currency: EUR").replace("EUR: 1.08, ", "").encode())
    assert _reasons(eur, data)["big-spend"] == "annual cost 60,000 EUR is over 50,000 EUR"


def test_organisation_default_currency_is_usd() -> None:
    text = ORG_TEXT.split("# Money is compared")[0] + "# Each group" + ORG_TEXT.split("# Each group", 1)[1]
    org = parse_organization(text.encode())
    assert org.money == Money("USD", {}, None)


@pytest.mark.parametrize(
    ("old", "new", "says", "line"),
    [
        ("JPY: 0.0067", "JPY: 0", "exchange_rates.rates.JPY", 15),
        ("JPY: 0.0067", "JPY: -1", "exchange_rates.rates.JPY", 15),
        ("JPY: 0.0067", "JPY: lots", "exchange_rates.rates.JPY", 15),
        ("JPY: 0.0067", "XYZ: 0.5", "'XYZ' is not an ISO 4217 currency code", 15),
        ("JPY: 0.0067", "RMB: 0.14", "write CNY", 15),
        ("currency: USD", "currency: usd", "currency", 11),
        ("currency: USD", "currency: EURO", "currency", 11),
        ("as_of: 2026-11-30", "as_of: 2026-02-30", "is not a date", 13),
        ("as_of: 2026-11-30", "as_of: soon", "as_of", 13),
        ("  rates: {", "  rate: {", "rates", 12),
        (
            "{annual_cost_over: 50000}",
            "{annual_cost_over: {amount: 5, currency: NOK}}",
            "no exchange rate for NOK",
            0,
        ),  # 0: the line of `old`
    ],
)
def test_a_bad_rates_table_is_a_located_error(old: str, new: str, says: str, line: int) -> None:
    assert old in ORG_TEXT
    with pytest.raises(ConfigError) as caught:
        parse_organization(ORG_TEXT.replace(old, new, 1).encode())
    assert says in str(caught.value.message), caught.value.message
    expected = line or ORG_TEXT[: ORG_TEXT.index(old)].count("\n") + 1
    assert caught.value.line == expected, (caught.value.line, caught.value.message)


def test_check_says_which_tools_cannot_be_compared(gov: GovRepo, run_cli: Any) -> None:
    gov.write("martechgate.yaml", ORG_TEXT.replace(", JPY: 0.0067", ""))
    gov.add_entry("yen-tool", contract={**YEN, "annual_cost": 1_000_000, "implementation_cost": 0})
    gov.commit("A tool paid in yen")
    result = run_cli("check", "--repo", str(gov.path), "--today", "2026-12-01")
    assert "exchange-rates" in result.stdout and "no exchange rate for JPY" in result.stdout
    # The tier assumed the worst, so the declared low tier is understated: that one blocks.
    assert "risk-tier-understated" in result.stdout and result.returncode == 1
    gov.write("martechgate.yaml", ORG_TEXT)
    result = run_cli("check", "--repo", str(gov.path), "--today", "2026-12-01")
    assert "exchange-rates" not in result.stdout and result.returncode == 0, result.stdout
    # Two years on, the same rates still convert, and the tool is told they are old.
    result = run_cli("check", "--repo", str(gov.path), "--today", "2028-12-01")
    assert "converted with rates from 2026-11-30, over a year before 2028-12-01" in result.stdout


def _spend(run_cli: Any, repo: GovRepo, *args: str) -> dict[str, Any]:
    result = run_cli("spend", "--repo", str(repo.path), "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_spend_totals_per_currency_or_converted_and_says_which(gov: GovRepo, run_cli: Any) -> None:
    contract = {"payment": "invoice", "implementation_cost": 0, "support_hours_month": 0}
    gov.add_entry("usd-tool", contract={**contract, "annual_cost": 10_000, "currency": "USD"})
    gov.add_entry("eur-tool", contract={**contract, "annual_cost": 10_000, "currency": "EUR"})
    gov.add_entry("yen-tool", contract={**contract, "annual_cost": 1_000_000, "currency": "JPY"})
    gov.add_entry("nok-tool", contract={**contract, "annual_cost": 5_000, "currency": "NOK"})
    gov.commit("Four currencies")
    apart = _spend(run_cli, gov)
    totals = {r["currency"]: r["annual_licence"] for r in apart["rows"] if r["group"] == "(all)"}
    assert totals == {"USD": 10_000, "EUR": 10_000, "JPY": 1_000_000, "NOK": 5_000}
    assert apart["meta"]["currencies"].startswith("never added together")
    together = _spend(run_cli, gov, "--convert")
    totals = {r["currency"]: r["annual_licence"] for r in together["rows"] if r["group"] == "(all)"}
    assert totals == {"USD": 10_000 + 10_800 + 6_700, "NOK": 5_000}  # NOK has no rate: kept apart
    assert together["meta"]["currencies"].startswith("converted into USD with the exchange rates of 2026-11-30")
    by_tool = {r["tool"]: r for r in _spend(run_cli, gov, "--convert", "--by", "tool")["rows"]}
    assert by_tool["yen-tool"]["currency"] == "USD" and by_tool["yen-tool"]["annual_licence"] == 6_700
    assert "not converted: no exchange rate for NOK" in by_tool["nok-tool"]["note"]
    text = run_cli("spend", "--repo", str(gov.path), "--convert", env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in text.splitlines()) <= 80 and "converted into USD" in text
