"""reviewers.rules_for: which review rules of martechgate.yaml a changed tool or file falls under."""

from __future__ import annotations

from typing import Any

from martechgate.check.organisation import parse_organization
from martechgate.gate.reviewers import rules_for
from tests.conftest import ROOT, entry

ORG = parse_organization((ROOT / "martechgate.yaml").read_bytes())


def _names(found: list[Any]) -> list[str]:
    return [rule.name for rule, _ in found]


def test_a_low_risk_tool_needs_the_joint_review_only() -> None:
    assert _names(rules_for(ORG, entry("canva"), ["catalog/canva.yaml"])) == ["joint-cmo-cio"]


def test_data_spend_risk_and_exceptions_add_reviewers() -> None:
    data = entry(
        "crm",
        data={"classification": "confidential", "categories": ["contact-pii"]},
        contract={"annual_cost": 60000, "currency": "USD"},
    )
    found = dict((rule.name, why) for rule, why in rules_for(ORG, data, ["catalog/crm.yaml"], exceptions_changed=True))
    assert set(found) == {"joint-cmo-cio", "high-risk", "personal-data", "big-spend", "new-exception"}
    assert found["high-risk"].startswith("risk tier high")  # computed, though declared low
    assert "60,000" in found["big-spend"] and "contact-pii" in found["personal-data"]


def test_the_declared_tier_counts_when_higher() -> None:
    critical = entry("x", review={"risk_tier": "critical"})
    assert "high-risk" in _names(rules_for(ORG, critical, ["catalog/x.yaml"]))


def test_tool_conditions_never_hold_for_a_file_that_is_not_an_entry() -> None:
    assert _names(rules_for(ORG, None, ["catalog/notes.yaml"])) == ["joint-cmo-cio"]


def test_governance_paths_without_an_entry() -> None:
    found = rules_for(ORG, None, ["policies/pii-requires-sso.yaml", "README.md"])
    assert _names(found) == ["governance-change"]
    assert "policies/pii-requires-sso.yaml" in found[0][1]
