"""martechgate.yaml: the organisation file, and its located errors."""

from __future__ import annotations

import pytest

from martechgate.check.organisation import parse_organization
from martechgate.errors import ConfigError
from tests.conftest import ROOT


def test_repo_organisation_file() -> None:
    org = parse_organization((ROOT / "martechgate.yaml").read_bytes())
    assert "email" in org.categories
    assert org.groups["marketing"].github_team == "acme/marketing-ops"
    assert [rule.name for rule in org.review.rules][:2] == ["joint-cmo-cio", "high-risk"]
    assert org.review.distinct_reviewers and not org.review.author_can_approve and org.review.dismiss_stale


@pytest.mark.parametrize(
    "text, message, line",
    [
        (
            "organization: A\ncategories: [crm]\ngroups: {it: {members: [a]}}\nreview:\n  rules:\n"
            "    - {name: r, when: {paths: ['catalog/**']}, require: {security: 1}}\n",
            "not under groups",
            6,
        ),
        ("organization: A\ncategories: [crm]\ngroups: {it: {members: [a]}}\n", "review is missing", 1),
        ("organization: A\ncategories: crm\ngroups: {it: {members: [a]}}\nreview: {rules: []}\n", "must be a list", 2),
        ("- just\n- a list\n", "must be a mapping", 1),
        ("organization: [\n", "not valid YAML", 2),
        ("organization: A\norganization: B\n", "appears twice", 2),
    ],
)
def test_malformed_organisation_file(text: str, message: str, line: int) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        parse_organization(text.encode())
    assert raised.value.line == line
    assert raised.value.exit_code == 2
