"""Review semantics: which rules a change triggers, and whether the reviews given satisfy them."""

from __future__ import annotations

from typing import Any

from conftest import ROOT, entry
from martechgate.config import parse_organization
from martechgate.review import rules_for_entry

ORG = parse_organization((ROOT / "martechgate.yaml").read_bytes())


def names(triggered: list[tuple[Any, str]]) -> list[str]:
    return [rule.name for rule, _ in triggered]


def test_a_plain_low_risk_entry_needs_marketing_and_it_only() -> None:
    triggered = rules_for_entry(ORG, entry("canva"))
    assert names(triggered) == ["joint-cmo-cio"]
    assert triggered[0][1] == "catalog/canva.yaml matches catalog/**"


def test_personal_data_high_risk_and_big_spend_add_their_groups() -> None:
    data = entry("hubspot", data={"classification": "confidential", "categories": ["contact-pii"]},
                 contract={"annual_cost": 60000, "currency": "USD"})
    triggered = dict((rule.name, why) for rule, why in rules_for_entry(ORG, data))
    assert list(triggered) == ["joint-cmo-cio", "high-risk", "personal-data", "big-spend"]
    assert "risk tier high" in triggered["high-risk"]
    assert "declared low, computed high" in triggered["high-risk"]
    assert triggered["personal-data"] == "holds contact-pii"
    assert triggered["big-spend"] == "annual cost 60,000 is over 50,000"


def test_declared_tier_above_computed_counts() -> None:
    data = entry("tool", review={"risk_tier": "critical"})
    assert "high-risk" in names(rules_for_entry(ORG, data))


def test_cost_equal_to_the_threshold_is_not_over_it() -> None:
    data = entry("tool", contract={"annual_cost": 50000})
    assert "big-spend" not in names(rules_for_entry(ORG, data))


def test_exceptions_on_a_new_entry_are_new_and_unchanged_ones_are_not() -> None:
    waiver = [{"rule": "pii-requires-scim", "reason": "r", "approved_by": "ciso@example.com",
               "expires": "2027-01-31"}]
    data = entry("tool", exceptions=waiver)
    assert "new-exception" in names(rules_for_entry(ORG, data))
    assert "new-exception" not in names(rules_for_entry(ORG, data, previous=entry("tool", exceptions=waiver)))


def test_all_conditions_of_one_when_must_hold() -> None:
    text = (ROOT / "martechgate.yaml").read_text().replace(
        "review:\n  rules:\n",
        "review:\n  rules:\n    - {name: pii-trials, when: {statuses: [trial],"
        " data_categories: [contact-pii]}, require: {privacy: 1}}\n")
    org = parse_organization(text.encode())
    pii = {"classification": "internal", "categories": ["contact-pii"]}
    assert "pii-trials" in names(rules_for_entry(org, entry("t", status="trial", data=pii)))
    assert "pii-trials" not in names(rules_for_entry(org, entry("t", status="approved", data=pii)))
    assert "pii-trials" not in names(rules_for_entry(org, entry("t", status="trial")))
