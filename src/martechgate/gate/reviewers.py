"""Which review rules of martechgate.yaml one changed file (a tool's entry, or any other file) falls
under, for the reports: each tool's section lists the reviewers it needs.

The conditions are `review.py`'s, so the report and `martechgate review` never disagree: `paths`
(gitignore globs), and for an entry its effective risk tier, data, spend, status and exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from martechgate.check.model import Organization, ReviewRule
from martechgate.gate.review import ENTRY_CONDITIONS, entry_reasons, matching_pattern


def rules_for(
    organization: Organization,
    entry: Mapping[str, Any] | None,
    paths: Iterable[str] = (),
    exceptions_changed: bool = False,
) -> list[tuple[ReviewRule, str]]:
    """The review rules that apply, each with why: to a tool's entry (None for a file that is not an
    entry) changed at `paths`."""
    paths = list(paths)
    result = []
    for rule in organization.review.rules:
        reasons = []
        patterns = rule.when.get("paths")
        if patterns is not None:
            hits = [(path, pattern) for path in paths if (pattern := matching_pattern(patterns, path))]
            if not hits:
                continue
            reasons.append(", ".join(f"{path} matches {pattern}" for path, pattern in hits))
        if any(condition in rule.when for condition in ENTRY_CONDITIONS):
            if entry is None:
                continue  # tool conditions never hold for a file that is not an entry
            found = entry_reasons(rule.when, entry, exceptions_changed=exceptions_changed)
            if found is None:
                continue
            reasons += found
        result.append((rule, "; ".join(reasons)))
    return result


def describe_requirement(organization: Organization, rule: ReviewRule) -> str:
    """`1 of marketing (@acme/marketing-ops, @alice), 1 of it (...)`."""
    parts = []
    for group_name, count in rule.require.items():
        group = organization.groups.get(group_name)
        who = []
        if group is not None and group.github_team:
            who.append("@" + group.github_team)
        if group is not None:
            who.extend("@" + member for member in group.members)
        parts.append(f"{count} of {group_name}" + (f" ({', '.join(who)})" if who else ""))
    return ", ".join(parts)
