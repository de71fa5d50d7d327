from tests.conftest import GovRepo
from tests.rules.conftest import Findings

PII = {"classification": "internal", "categories": ["contact-pii"]}


def test_passes_when_target_is_cleared(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("crm", data=PII)
    gov.add_entry("forms", data=PII, integrations=[{"target": "crm", "direction": "outbound", "data": ["contact-pii"]}])
    assert findings(gov.path, "data-flow-clearance") == []


def test_fails_when_target_not_cleared(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("analytics")  # data.categories: [none]
    gov.add_entry(
        "forms", data=PII, integrations=[{"target": "analytics", "direction": "outbound", "data": ["contact-pii"]}]
    )
    [finding] = findings(gov.path, "data-flow-clearance")
    assert finding.path == "integrations.0.data" and "analytics" in finding.message


def test_inbound_needs_own_clearance(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("crm", data=PII)
    gov.add_entry("design", integrations=[{"target": "crm", "direction": "inbound", "data": ["contact-pii"]}])
    [finding] = findings(gov.path, "data-flow-clearance")
    assert "receives contact-pii" in finding.message
