"""Which review rules a change needs: the one decision `review`, `check --format markdown`, `new`
and the site all ask, so no two of them ever name different reviewers.

A rule's `when` holds when every condition in it holds:
- `paths`: a changed file matches one of the patterns. Patterns are anchored at the governance
  repo's root, `**` spans folders, `*` stays inside one, and a folder name covers what is in it
  (gitignore/CODEOWNERS wildmatch, via pathspec).
- `risk_tier`: the higher of the entry's declared `review.risk_tier` and the tier martechgate
  computes (`risk.computed_tier`) is listed.
- `data_categories`: the entry holds one of the listed data categories (or says `unknown`: not knowing
  is no reason to skip the review).
- `annual_cost_over`: the entry's `contract.annual_cost` is over the threshold: a number in the
  organisation's `currency`, or `{amount, currency}`. Both sides are converted into the organisation's
  currency by its `exchange_rates`; without a rate for either, the condition is assumed to hold.
- `statuses`: the entry's `status` is listed.
- `categories`: the entry's `category` is listed.
- `departments`: the entry's `owners.department` is listed (case and spacing aside: "Human
  Resources" is "human resources"), or written like one listed (approvability.department_match:
  a near spelling or a look-alike letter holds, so a typo never skips a review).
- `exceptions_changed`: the entry's `exceptions` differ from those of the entry with the same id
  (file name) at the merge base, or hold one the base branch's tip does not have for that id. The
  id, not git's rename detection, says which entry a file was: an `exceptions:` block written
  elsewhere and moved into catalog/ is new.
Entry conditions are judged on the head version of each changed catalog entry, and on the base
version of a deleted one; a rule with entry conditions applies only through changed entries. A
change that lowers a tool's risk, data or spend still needs the reviewers its base version needed.
An entry that cannot be read is assumed to meet every entry condition: the gate fails closed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pathspec
from pathspec.pattern import Pattern

from martechgate.check.approvability import ENTRY_CONDITIONS, department_match
from martechgate.check.model import Organization, ReviewRule, get
from martechgate.check.money import Amount, Money, entry_amount, threshold
from martechgate.check.risk import computed_tier, tier_rank
from martechgate.check.vocabulary import RISK_TIERS
from martechgate.sources.changes import ChangeSet
from martechgate.sources.repo import CATALOG_DIR, YAML_SUFFIXES, Source, is_entry_file
from martechgate.sources.yamlload import load_bytes

_VERB = {"A": "added", "M": "changed", "D": "deleted", "R": "renamed"}


@functools.lru_cache(maxsize=1024)
def path_matcher(pattern: str) -> pathspec.PathSpec[Pattern]:
    """A glob anchored at the repo root; `**` spans folders (gitignore wildmatch semantics)."""
    return pathspec.PathSpec.from_lines("gitignore", ["/" + pattern.lstrip("/")])


def matching_pattern(patterns: Sequence[str], path: str) -> str | None:
    """The first pattern that matches `path`, or None. An entry filed in a folder of catalog/ also
    matches what its file would match at the top: folders are for people, and a rule written as
    `catalog/*.yaml` before entries had folders must not let a tool filed in `catalog/hr/` skip it."""
    candidates = [path]
    if is_entry_file(path) and path.count("/") > 1:
        candidates.append(f"{CATALOG_DIR}/{path.rsplit('/', 1)[-1]}")
    for pattern in patterns:
        matcher = path_matcher(pattern)
        if any(matcher.match_file(candidate) for candidate in candidates):
            return pattern
    return None


def effective_tier(entry: Mapping[str, Any], money: Money) -> tuple[str, str]:
    """The higher of the declared and the computed risk tier, and a plain account of both."""
    computed, reasons = computed_tier(dict(entry), money)
    declared = get(dict(entry), "review", "risk_tier")
    declared_text = declared if declared in RISK_TIERS else "not declared"
    tier = declared if tier_rank(declared) > tier_rank(computed) else computed
    return tier, f"declared {declared_text}, computed {computed}: {'; '.join(reasons)}"


def _exceptions(entry: Mapping[str, Any] | None) -> list[Any]:
    value = entry.get("exceptions") if entry is not None else None
    return value if isinstance(value, list) else []


def _in(amount: Amount, converted: float, money: Money) -> str:
    """`70,000 EUR (75,600 USD)`, or `60,000 USD` when no conversion was needed."""
    if amount.currency == money.currency:
        return amount.words()
    return f"{amount.words()} ({converted:,.0f} {money.currency})"


def exceptions_differ(now: Mapping[str, Any] | None, before: Mapping[str, Any] | None) -> bool:
    """Whether an entry's exceptions differ between two versions (None: the entry is not there)."""
    return _exceptions(now) != _exceptions(before)


def entry_reasons(
    when: Mapping[str, Any],
    entry: Mapping[str, Any] | None,
    money: Money,
    *,
    exceptions_changed: bool,
    unreadable: str | None = None,
) -> list[str] | None:
    """Why every entry condition of `when` holds for `entry`, or None when one does not.

    `exceptions_changed` says whether the entry's exceptions differ from the merge base's.
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
            tier, account = effective_tier(entry, money)
            if tier not in wanted:
                return None
            reasons.append(f"risk tier {tier} ({account})")
        elif condition == "data_categories":
            held = get(dict(entry), "data", "categories")
            found = [c for c in wanted if isinstance(held, list) and c in held]
            if found:
                reasons.append(f"holds {', '.join(found)}")
            elif isinstance(held, list) and "unknown" in held:  # not knowing is no reason to skip a review
                reasons.append(f"data categories unknown: may hold {', '.join(map(str, wanted))}")
            else:
                return None
        elif condition == "annual_cost_over":
            cost, limit = entry_amount(entry, "annual_cost", money), threshold(wanted, money)
            if cost is None or limit is None:
                return None
            cost_value, limit_value = money.convert(cost), money.convert(limit)
            if cost_value is None or limit_value is None:  # fail closed: never compare across currencies
                missing = cost.currency if cost_value is None else limit.currency
                reasons.append(f"annual_cost_over assumed to hold: {money.missing_rate(missing)}")
                continue
            if cost_value <= limit_value:
                return None
            reasons.append(f"annual cost {_in(cost, cost_value, money)} is over {_in(limit, limit_value, money)}")
        elif condition == "categories":
            category = entry.get("category")
            if category not in wanted:
                return None
            reasons.append(f"category is {category}")
        elif condition == "departments":
            department = get(dict(entry), "owners", "department")
            matched = department_match(department, wanted) if isinstance(department, str) else None
            if matched is None:
                return None
            name, exact = matched
            reasons.append(f"department is {department}" + ("" if exact else f" (written like {name})"))
        elif condition == "statuses":
            status = entry.get("status")
            if status not in wanted:
                return None
            reasons.append(f"status is {status}")
        elif condition == "exceptions_changed":
            changed = exceptions_changed
            if changed != bool(wanted):
                return None
            reasons.append("its exceptions were added or changed" if changed else "its exceptions are unchanged")
    return reasons


# --- The changed files, as the rules see them --------------------------------------------------------


def is_entry_path(path: str) -> bool:
    return path.startswith(CATALOG_DIR + "/") and path.endswith(YAML_SUFFIXES)


@dataclass(frozen=True)
class ChangedFile:
    """One file a change touches. For a catalog entry: the version its conditions are judged on (the
    head's; the base's for a deletion), the base version of a modified or renamed one, and whether
    its exceptions changed."""

    path: str  # at the head (for a deletion, the path deleted)
    status: str = "M"  # "A" added, "M" modified, "D" deleted, "R" renamed
    old_path: str | None = None  # for a rename, the path at the base
    entry: Mapping[str, Any] | None = None
    before: Mapping[str, Any] | None = None
    unreadable: str | None = None  # why a version of the entry could not be read
    exceptions_changed: bool = False

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if self.old_path is None else (self.old_path, self.path)

    @property
    def is_entry(self) -> bool:
        return any(is_entry_path(path) for path in self.paths)

    def describe(self) -> str:
        if self.status == "R":
            return f"{self.path} (renamed from {self.old_path})"
        return f"{self.path} ({_VERB.get(self.status, 'changed')})"

    @classmethod
    def proposed(cls, entry: Mapping[str, Any]) -> ChangedFile:
        """A new tool's entry, as the pull request adding `catalog/<id>.yaml` would change it."""
        return cls(
            f"{CATALOG_DIR}/{entry.get('id')}.yaml", "A", entry=entry, exceptions_changed=bool(_exceptions(entry))
        )


def _read(source: Source, path: str) -> tuple[dict[str, Any] | None, str | None]:
    """The entry at `path` in `source`, or None and why it could not be read."""
    file = source.read(path)
    if file.data is None:
        return None, f"{path} could not be read ({file.refused.message if file.refused else 'refused'})"
    loaded = load_bytes(file.data)
    if not isinstance(loaded.value, dict):
        problem = loaded.problems[0].message if loaded.problems else "it is not a mapping"
        return None, f"{path} could not be read ({problem})"
    return loaded.value, None


def _exceptions_by_id(source: Source, path: str) -> list[Any] | None:
    """The exceptions of the entry named like `path` (<id>.yaml or .yml, in its folder of catalog/ or,
    moved, in any other) in `source`: [] when there is none, None when it cannot be read."""
    folder, _, name = path.rpartition("/")
    stem = name
    for suffix in YAML_SUFFIXES:
        stem = stem.removesuffix(suffix)
    here = [f"{folder}/{stem}{suffix}" for suffix in YAML_SUFFIXES]
    found = [candidate for candidate in here if source.exists(candidate)] or [
        candidate
        for candidate in source.list_yaml(CATALOG_DIR, recursive=True)
        if candidate.rsplit("/", 1)[-1] in {stem + suffix for suffix in YAML_SUFFIXES}
    ]
    if found:
        entry, problem = _read(source, found[0])
        return None if problem is not None else _exceptions(entry)
    return []


def exceptions_new(changeset: ChangeSet, path: str, after: Mapping[str, Any] | None) -> bool:
    """Whether the exceptions of the entry at `path` (head) need the new-exception reviewers: they
    differ from the same id's at the merge base, or hold one the base branch's tip lacks for it."""
    now = _exceptions(after)
    before = _exceptions_by_id(changeset.base, path)
    if before is None or now != before:
        return True
    current = _exceptions_by_id(changeset.rules, path) if changeset.rules is not changeset.base else before
    return current is None or any(item not in current for item in now)


def changed_files(changeset: ChangeSet) -> list[ChangedFile]:
    """The files a change touches, each catalog entry read at the base and at the head."""
    found = []
    for change in changeset.changes:
        if not any(is_entry_path(path) for path in change.paths):
            found.append(ChangedFile(change.path, change.status, change.old_path))
            continue
        before, before_problem = (
            (None, None) if change.status == "A" else _read(changeset.base, change.old_path or change.path)
        )
        if change.status == "D":
            data, problem, after = before, before_problem, None
        else:
            data, problem = _read(changeset.head, change.path)
            after = data
        # An unreadable version cannot show its exceptions unchanged: assume they changed. Exceptions
        # are compared by entry id, whatever git's rename detection paired the file with.
        changed = problem is not None or before_problem is not None or exceptions_differ(after, before)
        if change.status != "D" and not changed and is_entry_path(change.path):
            changed = exceptions_new(changeset, change.path, after)
        found.append(
            ChangedFile(
                change.path,
                change.status,
                change.old_path,
                data,
                before if change.status in "MR" else None,
                problem,
                changed,
            )
        )
    return found


# --- Which rules apply --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    """One changed file that makes a rule apply: the `paths` pattern it matched (None when the rule
    names no paths), and why the rule's entry conditions hold for it."""

    file: ChangedFile
    pattern: str | None
    reasons: tuple[str, ...]

    def short(self) -> str:
        """`catalog/x.yaml matches catalog/**; holds contact-pii`, for a report about one file."""
        return "; ".join(([f"{self.file.path} matches {self.pattern}"] if self.pattern else []) + list(self.reasons))


@dataclass(frozen=True)
class AppliedRule:
    """A review rule that a change triggers: the files that made it apply, and why."""

    rule: ReviewRule
    triggers: tuple[Trigger, ...]

    @property
    def why(self) -> tuple[str, ...]:
        """One line per changed file that triggers it, naming the change (review's verdict)."""
        if not _has_entry_conditions(self.rule):
            return tuple(f"{t.file.describe()} matches {t.pattern}" for t in self.triggers)
        return tuple(
            f"{t.file.describe()}: " + "; ".join(([f"matches {t.pattern}"] if t.pattern else []) + list(t.reasons))
            for t in self.triggers
        )

    @property
    def files(self) -> frozenset[str]:
        """The files it governs: approvals go stale when one of them changes."""
        return frozenset(path for t in self.triggers for path in t.file.paths)

    @property
    def reason(self) -> str:
        """Why it applies, in one line, without naming the kind of change."""
        return ", ".join(t.short() for t in self.triggers)

    def about(self, path: str) -> AppliedRule | None:
        """This rule as triggered by the one file at `path` (head or base path), or None."""
        mine = tuple(t for t in self.triggers if path in t.file.paths)
        return AppliedRule(self.rule, mine) if mine else None


def _has_entry_conditions(rule: ReviewRule) -> bool:
    return any(condition in rule.when for condition in ENTRY_CONDITIONS)


def _trigger(rule: ReviewRule, file: ChangedFile, money: Money) -> Trigger | None:
    patterns = rule.when.get("paths")
    if not _has_entry_conditions(rule):
        pattern = next((p for p in (matching_pattern(patterns or (), path) for path in file.paths) if p), None)
        return None if pattern is None else Trigger(file, pattern, ())
    if not file.is_entry:
        return None  # tool conditions never hold for a file that is not an entry
    pattern = None
    if patterns is not None:
        pattern = next((p for p in (matching_pattern(patterns, path) for path in file.paths) if p), None)
        if pattern is None:
            return None
    found = entry_reasons(
        rule.when, file.entry, money, exceptions_changed=file.exceptions_changed, unreadable=file.unreadable
    )
    if found is None and file.before is not None:
        # A change that lowers a tool's risk, data or spend still needs the reviewers the tool
        # needed before it: otherwise removing contact-pii would skip privacy review.
        earlier = entry_reasons(rule.when, file.before, money, exceptions_changed=file.exceptions_changed)
        found = None if earlier is None else [f"before the change: {r}" for r in earlier]
    return None if found is None else Trigger(file, pattern, tuple(found))


def applicable_rules(organization: Organization, files: Sequence[ChangedFile]) -> list[AppliedRule]:
    """The review rules (from `organization`, the merge base's file) that changing `files` triggers,
    in the order martechgate.yaml lists them."""
    applied = []
    for rule in organization.review.rules:
        triggers = tuple(found for file in files if (found := _trigger(rule, file, organization.money)) is not None)
        if triggers:
            applied.append(AppliedRule(rule, triggers))
    return applied


def rules_for_change(organization: Organization, changeset: ChangeSet) -> list[AppliedRule]:
    """The review rules a change (merge base to head) triggers."""
    return applicable_rules(organization, changed_files(changeset))


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
