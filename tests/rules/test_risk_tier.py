import pytest

from martechgate.check.risk import computed_tier
from tests.conftest import GovRepo, entry
from tests.rules.conftest import Findings


def test_passes_when_declared_matches(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva")
    assert findings(gov.path, "risk-tier-understated") == []


def test_fails_when_declared_below_computed(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("forms", data={"classification": "confidential", "categories": ["contact-pii"]})
    [finding] = findings(gov.path, "risk-tier-understated")
    assert finding.path == "review.risk_tier" and "computed high" in finding.message


def test_fails_when_not_declared(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", review={"last_reviewed": "2026-06-01"})
    [finding] = findings(gov.path, "risk-tier-understated")
    assert "no risk tier is declared" in finding.message


@pytest.mark.parametrize(
    "overrides, tier",
    [
        ({}, "low"),
        ({"data": {"classification": "internal", "categories": ["behavioral"]}}, "medium"),
        ({"data": {"classification": "internal", "categories": ["phi"]}}, "high"),
        ({"data": {"classification": "restricted", "categories": ["payment"]}}, "critical"),
        ({"contract": {"annual_cost": 150000}}, "high"),
        ({"contract": {"annual_cost": 30000}}, "medium"),
        ({"oauth": {"consent": "tenant"}}, "medium"),
        ({"integrations": [{"target": "x", "direction": "outbound", "data": ["sensitive-pii"]}]}, "high"),
    ],
)
def test_computed_tier(overrides: dict[str, object], tier: str) -> None:
    assert computed_tier(entry("t", **overrides))[0] == tier


def test_computed_tier_survives_wrong_types() -> None:
    assert computed_tier({"data": "x", "contract": {"annual_cost": "lots"}, "integrations": 5})[0] == "low"
