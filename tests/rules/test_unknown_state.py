"""`unknown` is a state: no rule reads it as "no"; the find-out policies ask instead."""

from __future__ import annotations

from tests.conftest import GovRepo
from tests.rules.conftest import Findings

UNKNOWN_SAFEGUARDS = {
    "agreements": {"dpa": "unknown", "baa": "unknown", "ccpa_service_provider": "unknown"},
    "security": {"sso": "unknown", "mfa": "unknown", "scim": "unknown"},
}


def test_unknown_safeguards_ask_to_find_out_and_never_say_has_no(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry(
        "ads",
        category="advertising",
        data={"classification": "confidential", "categories": ["contact-pii", "phi"]},
        review=None,
        **UNKNOWN_SAFEGUARDS,
    )
    found = findings(gov.path)
    rules = {finding.rule for finding in found}
    assert not rules & {
        "schema",
        "pii-requires-dpa",
        "pii-requires-sso",
        "pii-requires-mfa",
        "pii-requires-scim",
        "phi-requires-baa",
        "ads-ccpa-service-provider",
        "risk-tier-understated",
    }
    [finding] = [finding for finding in found if finding.rule == "unknown-safeguards-find-out"]
    assert (
        finding.enforcement == "soft" and "find out from its technical owner raj.patel@example.com" in finding.message
    )
    assert "has no" not in finding.message


def test_unknown_data_asks_the_business_owner(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", data={"classification": "unknown", "categories": ["unknown"]}, review=None)
    [finding] = findings(gov.path, "unknown-data-find-out")
    assert finding.path == "data.classification" and "jane.doe@example.com" in finding.message
    assert [f.rule for f in findings(gov.path, "unknown-safeguards-find-out")] == []  # its safeguards are known


def test_a_known_no_still_says_has_no(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry(
        "forms",
        data={"classification": "confidential", "categories": ["contact-pii"]},
        agreements={"dpa": False},
        review=None,
    )
    [finding] = findings(gov.path, "pii-requires-dpa")
    assert "has no signed data processing agreement" in finding.message


def test_an_undeclared_tier_is_the_computed_one_for_policies(gov: GovRepo, findings: Findings) -> None:
    # computed high (confidential personal data), no tier declared: the high-risk evidence policy applies
    gov.add_entry(
        "forms",
        data={"classification": "confidential", "categories": ["contact-pii"]},
        review={"last_reviewed": "2026-06-01"},
    )
    assert [f.rule for f in findings(gov.path, "high-risk-security-evidence")] == ["high-risk-security-evidence"]
    assert findings(gov.path, "risk-tier-understated") == []


def test_unknown_cost_and_residency_are_valid(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry(
        "canva",
        contract={"annual_cost": "unknown", "currency": "USD"},
        data={
            "classification": "internal",
            "categories": ["none"],
            "residency": ["unknown"],
            "transfer_mechanism": "unknown",
        },
    )
    assert findings(gov.path, "schema") == []
