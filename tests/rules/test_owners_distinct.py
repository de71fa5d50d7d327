from tests.conftest import GovRepo
from tests.rules.conftest import Findings


def test_passes_with_two_people(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva")
    assert findings(gov.path, "owners-distinct") == []


def test_fails_with_one_person_in_both_roles(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", owners={"business": "jane@example.com", "technical": "Jane@Example.com"})
    [finding] = findings(gov.path, "owners-distinct")
    assert finding.path == "owners.technical" and finding.blocking
