from tests.conftest import GovRepo
from tests.rules.conftest import Findings


def test_passes_with_emails_handles_teams_and_groups(gov: GovRepo, findings: Findings) -> None:
    owners = {"business": ["jane@example.com", "@mia-k", "@acme/marketing-ops"], "technical": "it"}
    gov.add_entry("canva", owners=owners)
    assert findings(gov.path, "owner-unresolved") == []


def test_a_name_is_kept_and_asked_to_be_resolved_where_it_stands(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", owners={"business": ["jane@example.com", "Chris Nobody"], "technical": "Marketing Ops"})
    found = findings(gov.path, "owner-unresolved")
    assert [(f.path, f.blocking, f.enforcement) for f in found] == [
        ("owners.business.1", True, "soft"),
        ("owners.technical", True, "soft"),
    ]
    assert "'Chris Nobody' is a name, not an email, a GitHub handle or a group" in found[0].message
    assert found[0].message.startswith("Marketing owner")  # the organisation's word for the role
    assert found[0].line is not None
    assert "people table" in found[0].remediation


def test_an_address_inside_a_display_name_is_shown_to_write_alone(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", owners={"business": "Jane <JANE@example.com>", "technical": "@raj"})
    [finding] = findings(gov.path, "owner-unresolved")
    assert finding.message.endswith("write the address alone: jane@example.com")


def test_a_handle_that_github_would_refuse_is_a_name(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", owners={"business": "@-bad-", "technical": "@raj"})
    assert [f.path for f in findings(gov.path, "owner-unresolved")] == ["owners.business"]
