"""Which review rules of martechgate.yaml a changed tool (or changed file) falls under.

A `when` holds when all its conditions hold: `paths` (glob patterns, `**` for any folders), `risk_tier`
(the declared tier, or the computed one when that is higher: review rules must not be dodged by an
understated tier), `data_categories`, `annual_cost_over`, `statuses` and `exceptions_changed`.
The reports use this to say which reviewers a change needs; `martechgate codeowners` and
`martechgate ruleset` turn the path conditions into GitHub's own review requirements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from martechgate.model import Organization, ReviewRule, get
from martechgate.risk import computed_tier, tier_rank


@lru_cache(maxsize=256)
def _pattern(glob: str) -> re.Pattern[str]:
    """A path glob as git and CODEOWNERS read it: `*` within one folder, `**` across folders."""
    parts = []
    index = 0
    while index < len(glob):
        if glob.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            parts.append(".*")
            index += 2
        elif glob[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif glob[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(glob[index]))
            index += 1
    return re.compile("".join(parts) + r"\Z")


def path_matches(glob: str, path: str) -> bool:
    return _pattern(glob.lstrip("/")).match(path) is not None


def effective_tier(entry: Mapping[str, Any]) -> str:
    computed, _ = computed_tier(dict(entry))
    declared = get(entry, "review", "risk_tier")
    return declared if tier_rank(declared) > tier_rank(computed) else computed


def _condition(key: str, expected: Any, entry: Mapping[str, Any] | None, paths: Iterable[str],
               exceptions_changed: bool) -> str | None:
    """Why the condition holds, or None when it does not."""
    if key == "paths":
        hits = sorted({path for path in paths for glob in expected if path_matches(glob, path)})
        return f"changes {', '.join(hits)}" if hits else None
    if entry is None:
        return None
    if key == "risk_tier":
        tier = effective_tier(entry)
        return f"risk tier {tier}" if tier in expected else None
    if key == "data_categories":
        held = get(entry, "data", "categories")
        shared = [c for c in expected if isinstance(held, list) and c in held]
        return f"holds {', '.join(shared)}" if shared else None
    if key == "annual_cost_over":
        cost = get(entry, "contract", "annual_cost")
        if isinstance(cost, int | float) and not isinstance(cost, bool) and cost > expected:
            return f"annual cost {cost:,.0f} over {expected:,.0f}"
        return None
    if key == "statuses":
        status = entry.get("status")
        return f"status {status}" if status in expected else None
    if key == "exceptions_changed":
        if exceptions_changed != bool(expected):
            return None
        return "adds or changes exceptions" if expected else "leaves exceptions alone"
    return None


def rules_for(organization: Organization, entry: Mapping[str, Any] | None, paths: Iterable[str] = (),
              exceptions_changed: bool = False) -> list[tuple[ReviewRule, str]]:
    """The review rules that apply, each with why: to a tool's entry (None for a file that is not an
    entry) changed at `paths`."""
    paths = list(paths)
    result = []
    for rule in organization.review.rules:
        reasons = [_condition(key, expected, entry, paths, exceptions_changed)
                   for key, expected in rule.when.items()]
        if reasons and all(reason is not None for reason in reasons):
            result.append((rule, "; ".join(r for r in reasons if r)))
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
