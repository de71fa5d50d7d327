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


def test_an_entry_without_a_tier_takes_the_computed_one(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("forms", data={"classification": "confidential", "categories": ["contact-pii"]}, review=None)
    assert findings(gov.path, "risk-tier-understated") == []


def test_declared_below_the_organisations_criticality_is_a_finding(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", criticality="critical")
    [finding] = findings(gov.path, "risk-tier-understated")
    assert "computed critical" in finding.message and "rates it critical (criticality)" in finding.message


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
        ({"data": {"classification": "restricted", "categories": ["none"]}}, "high"),
        ({"data": {"classification": "confidential", "categories": ["none"]}}, "medium"),
        ({"criticality": "high"}, "high"),
        ({"data": {"classification": "restricted", "categories": ["unknown"]}}, "critical"),
        ({"data": {"classification": "confidential", "categories": ["unknown"]}}, "high"),
        ({"data": {"classification": "internal", "categories": ["unknown"]}}, "medium"),
        ({"data": {"classification": "public", "categories": ["unknown"]}}, "low"),
        ({"data": {"classification": "unknown", "categories": ["contact-pii"]}}, "high"),
        ({"contract": {"annual_cost": "unknown"}}, "low"),
    ],
)
def test_computed_tier(overrides: dict[str, object], tier: str) -> None:
    assert computed_tier(entry("t", **overrides))[0] == tier


def test_computed_tier_survives_wrong_types() -> None:
    assert computed_tier({"data": "x", "contract": {"annual_cost": "lots"}, "integrations": 5})[0] == "low"


def test_unknown_data_is_read_as_the_worst_case_and_the_reasons_say_so() -> None:
    tier, reasons = computed_tier(entry("t", data={"classification": "restricted", "categories": ["unknown"]}))
    assert tier == "critical"
    assert any("data categories unknown in a restricted tool, assumed the worst" in reason for reason in reasons)
    tier, reasons = computed_tier(entry("t", data={"classification": "unknown", "categories": ["unknown"]}))
    assert tier == "high" and "classification unknown, read as confidential" in reasons
