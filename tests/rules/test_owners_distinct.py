from martechgate.check.identity import _EMBEDDED, mailboxes
from tests.conftest import GovRepo
from tests.rules.conftest import Findings


def test_passes_with_two_people(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva")
    assert findings(gov.path, "owners-distinct") == []


def test_fails_with_one_person_in_both_roles(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", owners={"business": "jane@example.com", "technical": "Jane@Example.com"})
    [finding] = findings(gov.path, "owners-distinct")
    assert finding.path == "owners.technical" and finding.blocking


def test_passes_with_lists_handles_and_a_group(gov: GovRepo, findings: Findings) -> None:
    owners = {"business": ["jane@example.com", "@mia-k"], "technical": "it"}  # group it: carol-diaz, dan-kowalski
    gov.add_entry("canva", owners=owners)
    assert findings(gov.path, "owners-distinct") == []


def test_a_person_in_both_lists_fails(gov: GovRepo, findings: Findings) -> None:
    owners = {"business": ["jane@example.com", "@Raj"], "technical": ["@raj", "carol@example.com"]}
    gov.add_entry("canva", owners=owners)
    [finding] = findings(gov.path, "owners-distinct")
    assert finding.message.startswith("@raj is in both owner roles (Marketing owner and IT owner)")


def test_a_member_of_the_other_roles_group_fails(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", owners={"business": "marketing", "technical": "@bob-okafor"})  # bob is in marketing
    [finding] = findings(gov.path, "owners-distinct")
    assert finding.message.startswith("@bob-okafor is in both owner roles")


def test_one_group_in_both_roles_fails_and_is_named_once(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", owners={"business": "it", "technical": ["it", "@erin-walsh"]})
    [finding] = findings(gov.path, "owners-distinct")
    assert finding.message.startswith("group it is in both owner roles")


def test_the_same_name_in_both_roles_fails_before_it_is_resolved(gov: GovRepo, findings: Findings) -> None:
    gov.add_entry("canva", owners={"business": "Jane Doe", "technical": "jane  doe"})
    assert [f.path for f in findings(gov.path, "owners-distinct")] == ["owners.technical"]


def test_an_address_inside_a_longer_text_counts_and_is_looked_for_once_a_word() -> None:
    # The part of a text shaped like an address starts where a word starts: tried from every letter of
    # a word instead, 200,000 letters in an owner's field (the fuzz test's long text) took three minutes.
    assert mailboxes("Jane Doe <Jane@Example.com>, raj@example.com; (bo@x.org)") == {
        "jane@example.com",
        "raj@example.com",
        "bo@x.org",
    }
    assert _EMBEDDED.search("ab@cd.org", 1) is None  # not from inside a word
    assert _EMBEDDED.search("ab@cd.org", 0) is not None
    assert mailboxes("x" * 200_000) == set() and mailboxes("x" * 100_000 + " a@b.co") == {"a@b.co"}
