"""exception-invalid and exception-expired, and how a valid exception waives a finding."""

from typing import Any

import pytest

from tests.conftest import GovRepo
from tests.rules.conftest import Findings

PII = {"classification": "internal", "categories": ["contact-pii"]}
NO_SCIM = {"sso": "saml", "mfa": "enforced", "scim": False}


def waiver(**overrides: Any) -> dict[str, Any]:
    base = {
        "rule": "pii-requires-scim",
        "reason": "SCIM only on Enterprise",
        "approved_by": "ciso@example.com",
        "ticket": "SEC-1",
        "expires": "2027-06-30",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def add(gov: GovRepo, *exceptions: dict[str, Any]) -> None:
    gov.add_entry(
        "forms",
        data=PII,
        security=NO_SCIM,
        review={"risk_tier": "medium", "last_reviewed": "2026-06-01"},
        exceptions=list(exceptions),
    )


def test_valid_exception_waives_soft_finding(gov: GovRepo, findings: Findings) -> None:
    add(gov, waiver())
    [finding] = findings(gov.path, "pii-requires-scim")
    assert finding.waived_by is not None and finding.waived_by.ticket == "SEC-1"
    assert not finding.blocking
    assert findings(gov.path, "exception-invalid") == findings(gov.path, "exception-expired") == []


def test_without_exception_the_soft_finding_blocks(gov: GovRepo, findings: Findings) -> None:
    add(gov)
    [finding] = findings(gov.path, "pii-requires-scim")
    assert finding.blocking and finding.waived_by is None


def test_expired_exception_blocks_and_waives_nothing(gov: GovRepo, findings: Findings) -> None:
    add(gov, waiver(expires="2026-10-31"))
    [expired] = findings(gov.path, "exception-expired")
    assert expired.path == "exceptions.0.expires" and expired.blocking
    assert findings(gov.path, "pii-requires-scim")[0].blocking


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"rule": "no-such-rule"}, "does not exist"),
        ({"approved_by": None}, "has no approved_by"),
        ({"reason": None}, "has no reason"),
        ({"expires": "2028-06-30"}, "more than 365 days"),
        ({"expires": "soon"}, "YYYY-MM-DD"),
        ({"approved_by": "the ciso"}, "email address"),
        ({"approved_by": "jane.doe@example.com"}, "owns this tool"),
        ({"rule": "pii-requires-dpa"}, "hard rule"),
    ],
)
def test_invalid_exceptions(gov: GovRepo, findings: Findings, overrides: dict[str, Any], expected: str) -> None:
    add(gov, waiver(**overrides))
    [invalid] = findings(gov.path, "exception-invalid")
    assert expected in invalid.message and invalid.blocking and invalid.line is not None
