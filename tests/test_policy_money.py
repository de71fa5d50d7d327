"""Policies' thresholds on money are in one currency (the organisation's, or the policy's own
`currency`): an amount in another is converted with the organisation's rates before the policy judges
it, and one without a rate fails the policy, never compared as a bare number."""

from __future__ import annotations

from typing import Any

import pytest

from martechgate.check import engine
from martechgate.check.model import Finding
from martechgate.errors import PolicyError
from martechgate.sources.repo import WorkTree
from tests.conftest import TODAY, GovRepo, dump

CAP = """\
id: cost-cap
title: Tools cost at most 50,000 a year
description: Anything dearer goes to a tender.
severity: medium
enforcement: soft
{currency}match: {{required: [contract]}}
require:
  properties:
    contract: {{properties: {{annual_cost: {{maximum: 50000}}}}}}
message: "{{id}} costs {{contract.annual_cost}} {{contract.currency}} a year"
remediation: Run a tender.
examples:
  pass: [{{id: cheap, contract: {{annual_cost: 100}}}}]
  fail: [{{id: dear, contract: {{annual_cost: 90000}}}}]
"""


def cap_findings(gov: GovRepo, currency: str | None = None, **costs: dict[str, Any]) -> dict[str, Finding]:
    gov.write("policies/cost-cap.yaml", CAP.format(currency=f"currency: {currency}\n" if currency else ""))
    for tool_id, contract in costs.items():
        gov.add_entry(tool_id, contract={"annual_cost": 0, "payment": "invoice", **contract})
    result = engine.check(WorkTree(gov.path), today=TODAY)
    return {f.entry or "": f for f in result.report.findings if f.rule == "cost-cap"}


def test_amounts_are_converted_before_the_policy_judges_them(gov: GovRepo) -> None:
    found = cap_findings(
        gov,
        yen_cheap={"annual_cost": 1_000_000, "currency": "JPY"},  # 6,700 USD: under, though 1,000,000 > 50,000
        yen_dear={"annual_cost": 10_000_000, "currency": "JPY"},  # 67,000 USD: over
        dollars={"annual_cost": 60_000},  # no currency: the organisation's
    )
    assert sorted(found) == ["dollars", "yen_dear"]
    assert found["yen_dear"].message == "yen_dear costs 10000000 JPY a year"  # said as written


def test_an_amount_without_a_rate_fails_the_policy_and_says_which_rate(gov: GovRepo) -> None:
    found = cap_findings(gov, crowns={"annual_cost": 30_000, "currency": "NOK"})
    finding = found["crowns"]
    assert finding.path == "contract.currency" and finding.blocking and finding.line is not None
    assert "contract.annual_cost (30,000 NOK) cannot be compared with thresholds in USD" in finding.message
    assert "no exchange rate for NOK" in finding.message and "counts as failed" in finding.message


def test_a_policy_names_the_currency_of_its_thresholds(gov: GovRepo) -> None:
    # 52,000 USD is 48,148 EUR (1 EUR = 1.08 USD): under a cap of 50,000 EUR, over one of 50,000 USD
    assert cap_findings(gov, "EUR", usd={"annual_cost": 52_000, "currency": "USD"}) == {}
    assert "usd" in cap_findings(gov, None, usd={"annual_cost": 52_000, "currency": "USD"})


def test_a_bound_of_zero_needs_no_rate(gov: GovRepo) -> None:
    """The project's implementation-estimate policy asks for `minimum: 0`, the same in every currency."""
    gov.add_entry(
        "crowns",
        contract={"annual_cost": 100, "implementation_cost": 5, "currency": "NOK", "payment": "invoice"},
        integrations=[{"target": "crowns", "direction": "outbound", "data": [], "method": "api"}],
    )
    findings = engine.check(WorkTree(gov.path), today=TODAY).report.findings
    assert not [f for f in findings if f.rule == "integrations-need-implementation-estimate"]


@pytest.mark.parametrize("currency", ["XYZ", "usd"])
def test_a_policy_currency_that_is_not_iso_4217_is_a_located_error(gov: GovRepo, currency: str) -> None:
    gov.write("policies/cost-cap.yaml", CAP.format(currency=f"currency: {currency}\n"))
    gov.write("catalog/x.yaml", dump({"id": "x"}))
    with pytest.raises(PolicyError) as caught:
        engine.check(WorkTree(gov.path), today=TODAY)
    assert caught.value.line == 6 and "currency" in caught.value.message
