"""Review rules that match an entry's category or department: a company-wide catalog routes HR tools
to HR's reviewers, and `approvals-possible` still proves every such change can be approved."""

from __future__ import annotations

from typing import Any

import pytest

from martechgate.check import approvability
from martechgate.check.organisation import parse_organization
from martechgate.errors import ConfigError
from martechgate.gate.applicable import ChangedFile, applicable_rules
from tests.conftest import ROOT, entry

ORG_TEXT = (
    (ROOT / "martechgate.yaml")
    .read_text(encoding="utf-8")
    .replace("categories: [marketing-automation,", "categories: [hr-systems, marketing-automation,")
)
HR_RULES = """    - {name: hr-tools,          when: {categories: [hr-systems]},            require: {people-team: 1}}
    - {name: hr-department,     when: {departments: [Human Resources]},      require: {people-team: 1}}
"""


def _org(members: str = "[ana-ruiz, ben-cho]") -> Any:
    text = ORG_TEXT.replace("  finance:", f"  people-team: {{members: {members}}}\n  finance:")
    text = text.replace("    - {name: big-spend,", HR_RULES + "    - {name: big-spend,")
    return parse_organization(text.encode())


def _reasons(org: Any, **fields: Any) -> dict[str, str]:
    applied = applicable_rules(org, [ChangedFile.proposed(entry("tool", **fields))])
    return {a.rule.name: a.reason for a in applied}


def test_a_rule_matches_the_entrys_category() -> None:
    org = _org()
    assert _reasons(org, category="hr-systems")["hr-tools"] == "category is hr-systems"
    assert "hr-tools" not in _reasons(org, category="email")


def test_a_rule_matches_the_department_whatever_its_case_and_spacing() -> None:
    org = _org()
    owners = {"business": "jane@example.com", "technical": "raj@example.com", "department": "human  resources"}
    assert _reasons(org, owners=owners)["hr-department"] == "department is human  resources"
    assert "hr-department" not in _reasons(org, owners={**owners, "department": "field marketing"})
    assert "hr-department" not in _reasons(org, owners={k: v for k, v in owners.items() if k != "department"})


def test_a_change_lowering_the_match_still_needs_the_reviewers_it_needed() -> None:
    org = _org()
    before, after = entry("tool", category="hr-systems"), entry("tool", category="email")
    changed = ChangedFile("catalog/tool.yaml", "M", None, after, before, None, False)
    reasons = {a.rule.name: a.reason for a in applicable_rules(org, [changed])}
    assert reasons["hr-tools"] == "before the change: category is hr-systems"


def test_approvals_possible_sees_category_and_department_together() -> None:
    """One HR tool in the HR department triggers both rules: two distinct people of a group of one."""
    found = list(approvability.impossible(_org("[ana-ruiz]")))
    assert found, "a group of one cannot fill two seats"
    message = found[0].message()
    assert "category hr-systems" in message and "department human resources" in message
    assert "people-team" in message
    assert list(approvability.impossible(_org("[ana-ruiz, ben-cho, cy-do]"))) == []


def test_the_schema_refuses_a_bad_condition() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_organization(ORG_TEXT.replace("{annual_cost_over: 50000}", "{categories: []}").encode())
    line = ORG_TEXT[: ORG_TEXT.index("{annual_cost_over: 50000}")].count("\n") + 1
    assert "categories" in caught.value.message and caught.value.line == line


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("Human Resources", "department is Human Resources"),
        ("HUMAN RESOURCES", "department is HUMAN RESOURCES"),
        ("\uff28\uff55\uff4d\uff41\uff4e Resources", "department is \uff28\uff55\uff4d\uff41\uff4e Resources"),
        ("Human Resorces", "department is Human Resorces (written like Human Resources)"),
        ("Hum\u0430n Resources", "department is Hum\u0430n Resources (written like Human Resources)"),
    ],
)
def test_a_department_written_like_the_rules_one_is_taken_for_it(written: str, reason: str) -> None:
    """A typo, full-width letters or a look-alike letter (a Cyrillic a) must not skip HR's review."""
    owners = {"business": "jane@example.com", "technical": "raj@example.com", "department": written}
    assert _reasons(_org(), owners=owners)["hr-department"] == reason


@pytest.mark.parametrize("written", ["Marketing", "HR Ops", "Human Relations Marketing", "Resources"])
def test_a_different_department_is_not_taken_for_one_it_merely_shares_words_with(written: str) -> None:
    owners = {"business": "jane@example.com", "technical": "raj@example.com", "department": written}
    assert "hr-department" not in _reasons(_org(), owners=owners)
