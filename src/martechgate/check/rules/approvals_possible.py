"""approvals-possible: every kind of change the review rules govern can be approved by the people named.

With `distinct_reviewers: true` one person fills one seat across every rule a change triggers, and
with `author_can_approve: false` the author fills none; so two rules that each need a security
reviewer, on a security group of one person, make a high-risk tool with a new exception impossible
to approve: the pull request would wait forever. The check proves, for every kind of change, that a
set of distinct people exists who can approve it, whoever among them opens it (groups with a
`github_team` are not counted: only GitHub knows their members).

Passes::

    groups: {security: {members: [erin, ivan, jo]}}
    review:
      rules:
        - {name: high-risk, when: {risk_tier: [high]}, require: {security: 1}}
        - {name: new-exception, when: {exceptions_changed: true}, require: {security: 1}}

Fails (two security seats, one security person)::

    groups: {security: {members: [erin]}}
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check import approvability
from martechgate.check.catalog import Catalog
from martechgate.check.model import Finding, Organization
from martechgate.sources.repo import ORG_FILE

ID = "approvals-possible"
TITLE = "Every kind of change can be approved by the people in the groups"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "catalog"
REMEDIATION = (
    "Add people to the group in martechgate.yaml (members:, or a github_team), or ask for fewer of them "
    "in the rules named, or split such changes into pull requests that each trigger fewer rules."
)


# The findings of the last organisation judged, by identity: they depend on it alone, and an audit
# replays thousands of commits under one organisation file.
_LAST: list[tuple[Organization, tuple[Finding, ...]]] = []


def check(catalog: Catalog) -> Iterator[Finding]:
    organization = catalog.organization
    if not _LAST or _LAST[0][0] is not organization:
        _LAST[:] = [(organization, tuple(_findings(organization)))]
    yield from _LAST[0][1]


def _findings(organization: Organization) -> Iterator[Finding]:
    for problem in approvability.impossible(organization):
        line, column = problem.rule.where
        yield Finding(
            rule=ID,
            entry=None,
            file=ORG_FILE,
            line=line,
            column=column,
            path=None,
            severity=SEVERITY,
            enforcement=ENFORCEMENT,
            message=problem.message(),
            remediation=REMEDIATION,
        )
