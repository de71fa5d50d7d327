"""Joint approval: which review rules a change triggers, and whether the reviews given satisfy them.

Pure core: no HTTP and no command line. It reads git (through `changes.ChangeSet` and GitPython)
and takes the reviews and team members as plain values, so it can be run and tested offline.

A rule's `when` holds when every condition in it holds:
- `paths`: a changed file matches one of the patterns. Patterns are anchored at the governance
  repo's root, `**` spans folders, `*` stays inside one, and a folder name covers what is in it
  (gitignore/CODEOWNERS wildmatch, via pathspec).
- `risk_tier`: the higher of the entry's declared `review.risk_tier` and the tier martechgate
  computes (`risk.computed_tier`) is listed.
- `data_categories`: the entry holds one of the listed data categories.
- `annual_cost_over`: the entry's `contract.annual_cost` is over the number (currency is not converted).
- `statuses`: the entry's `status` is listed.
- `exceptions_changed`: the entry's `exceptions` differ between the merge base and the head.
Entry conditions are judged on the head version of each changed catalog entry, and on the base
version of a deleted one. An entry that cannot be read is assumed to meet every entry condition:
the gate fails closed, never open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pathspec

from martechgate.model import RISK_TIERS, Organization, ReviewRule, get
from martechgate.risk import computed_tier, tier_rank

ENTRY_CONDITIONS = ("risk_tier", "data_categories", "annual_cost_over", "statuses", "exceptions_changed")


def path_matcher(patterns: Iterable[str]) -> pathspec.PathSpec:
    """Glob patterns anchored at the repo root; `**` spans folders (gitignore wildmatch semantics)."""
    anchored = ["/" + pattern.lstrip("/") for pattern in patterns]
    return pathspec.PathSpec.from_lines("gitignore", anchored)


def matching_pattern(patterns: Sequence[str], path: str) -> str | None:
    """The first pattern that matches `path`, or None."""
    for pattern in patterns:
        if path_matcher([pattern]).match_file(path):
            return pattern
    return None


def effective_tier(entry: Mapping[str, Any]) -> tuple[str, str]:
    """The higher of the declared and the computed risk tier, and a plain account of both."""
    computed, reasons = computed_tier(dict(entry))
    declared = get(dict(entry), "review", "risk_tier")
    declared_text = declared if declared in RISK_TIERS else "not declared"
    tier = declared if tier_rank(declared) > tier_rank(computed) else computed
    return tier, f"declared {declared_text}, computed {computed}: {'; '.join(reasons)}"


def _exceptions(entry: Mapping[str, Any] | None) -> list[Any]:
    value = entry.get("exceptions") if entry is not None else None
    return value if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def entry_reasons(when: Mapping[str, Any], entry: Mapping[str, Any] | None, *,
                  previous: Mapping[str, Any] | None = None,
                  unreadable: str | None = None) -> list[str] | None:
    """Why every entry condition of `when` holds for `entry`, or None when one does not.

    `previous` is the entry at the merge base (None when it is new), for `exceptions_changed`.
    With `unreadable` set (the entry could not be read), every condition is assumed to hold.
    """
    reasons: list[str] = []
    for condition in ENTRY_CONDITIONS:
        if condition not in when:
            continue
        wanted = when[condition]
        if unreadable is not None or entry is None:
            reasons.append(f"{condition} assumed to hold: {unreadable or 'the entry could not be read'}")
            continue
        if condition == "risk_tier":
            tier, account = effective_tier(entry)
            if tier not in wanted:
                return None
            reasons.append(f"risk tier {tier} ({account})")
        elif condition == "data_categories":
            held = get(dict(entry), "data", "categories")
            found = [c for c in wanted if isinstance(held, list) and c in held]
            if not found:
                return None
            reasons.append(f"holds {', '.join(found)}")
        elif condition == "annual_cost_over":
            cost = _number(get(dict(entry), "contract", "annual_cost"))
            limit = _number(wanted)
            if cost is None or limit is None or cost <= limit:
                return None
            reasons.append(f"annual cost {cost:,.0f} is over {limit:,.0f}")
        elif condition == "statuses":
            status = entry.get("status")
            if status not in wanted:
                return None
            reasons.append(f"status is {status}")
        elif condition == "exceptions_changed":
            changed = _exceptions(entry) != _exceptions(previous)
            if changed != bool(wanted):
                return None
            reasons.append("its exceptions were added or changed" if changed
                           else "its exceptions are unchanged")
    return reasons


def rules_for_entry(organization: Organization, entry: dict[str, Any], *,
                    previous: dict[str, Any] | None = None) -> list[tuple[ReviewRule, str]]:
    """The review rules a catalog entry triggers, each with a plain reason.

    The entry is judged as if `catalog/<id>.yaml` were changed by a pull request: `paths` are
    matched against that file, and `exceptions_changed` compares its exceptions with `previous`
    (None: a new entry, so any exception is new). All conditions of a rule's `when` must hold.
    """
    path = f"catalog/{entry.get('id')}.yaml"
    triggered: list[tuple[ReviewRule, str]] = []
    for rule in organization.review.rules:
        reasons: list[str] = []
        patterns = rule.when.get("paths")
        if patterns is not None:
            pattern = matching_pattern(patterns, path)
            if pattern is None:
                continue
            reasons.append(f"{path} matches {pattern}")
        found = entry_reasons(rule.when, entry, previous=previous)
        if found is None:
            continue
        reasons += found
        triggered.append((rule, "; ".join(reasons)))
    return triggered
