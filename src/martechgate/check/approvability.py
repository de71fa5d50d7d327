"""Whether the review rules can ever be met by the people in the groups: proved, not hoped.

A review rule requires approvals from groups; with `distinct_reviewers` one person fills one seat
across every rule a change triggers, and with `author_can_approve: false` whoever opens the pull
request fills none. An organisation file can therefore ask for more distinct people than a group has,
and nothing says so until a real pull request waits forever.

For every kind of change a rule can require approval of, this module builds the seats the rules
that apply together ask for and looks for a set of distinct people who fill them all (a maximum
matching), once for each person who might be the author. The kinds of change are:
- a pull request changing one catalog entry: the rules whose `paths` cover `catalog/<id>.yaml` and
  whose entry conditions one entry can meet at once (one risk tier, status, category and department
  at a time; data categories, spend and new exceptions can all hold together);
- a change to the files of each rule whose `paths` do not cover catalog entries (policies, the
  organisation file, CI), with the rules that have no condition at all.
A pull request that mixes kinds can need more people than either; splitting it always works.

A group with a `github_team` has members that only GitHub knows, so its seats are not counted
(nothing can be proved about them offline).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pathspec
from rapidfuzz import fuzz

from martechgate.check.model import Organization, ReviewRule
from martechgate.check.vocabulary import RISK_TIERS
from martechgate.words import count

# The conditions of a review rule that are about the entry changed (gate/applicable.py judges them).
ENTRY_CONDITIONS = (
    "risk_tier",
    "data_categories",
    "annual_cost_over",
    "statuses",
    "categories",
    "departments",
    "exceptions_changed",
)
# Conditions of which one entry meets one value at a time: each value is its own kind of change.
_ONE_AT_A_TIME = {"statuses": "status", "categories": "category", "departments": "department"}
SAMPLE_ENTRY = "catalog/example-tool.yaml"  # what a rule's `paths` must cover to apply to an entry


def max_matching(seats: Sequence[Sequence[str]]) -> list[str | None]:
    """A maximum matching of seats to people: each seat lists who may fill it; a person fills one.

    Kuhn's augmenting paths: at most a few dozen seats and reviewers, so O(seats x edges) is
    nothing, and a graph library would be a heavy dependency for twenty lines. Candidates are
    tried in the order given, so the assignment is deterministic.
    """
    holder: dict[str, int] = {}  # person -> seat

    def place(seat: int, seen: set[str]) -> bool:
        for person in seats[seat]:
            if person in seen:
                continue
            seen.add(person)
            if person not in holder or place(holder[person], seen):
                holder[person] = seat
                return True
        return False

    for seat in range(len(seats)):
        place(seat, set())
    filled: list[str | None] = [None] * len(seats)
    for person, seat in holder.items():
        filled[seat] = person
    return filled


@dataclass(frozen=True)
class KindOfChange:
    description: str
    rules: tuple[ReviewRule, ...]


@dataclass(frozen=True)
class Impossible:
    """A kind of change no set of people can approve, and why."""

    kind: KindOfChange
    group: str
    needed: int  # distinct people of `group` the rules ask for
    available: tuple[str, ...]  # the group's members who may approve
    author: str | None  # None: impossible whoever opens the pull request
    rule: ReviewRule  # the first of the rules asking for `group`

    def message(self) -> str:
        rules = [rule for rule in self.kind.rules if self.group in rule.require]
        asking = ", ".join(f"{rule.name} ({rule.require[self.group]})" for rule in rules)
        who = f" ({', '.join(self.available)})" if self.available else ""
        text = (
            f"{self.kind.description} can never be approved: rule{'s' if len(rules) > 1 else ''} {asking} "
            f"need{'' if len(rules) > 1 else 's'} {count(self.needed, 'person')} of group {self.group}, "
        )
        if self.author is None:
            return text + f"which has {count(len(self.available), 'member')} who may approve{who}"
        return text + (
            f"and when {self.author}, a member, opens the pull request (author_can_approve: false) "
            f"it has {count(len(self.available), 'other member')}{who}"
        )


def _covers_entries(rule: ReviewRule) -> bool:
    patterns = rule.when.get("paths")
    if patterns is None:
        return True
    spec = pathspec.PathSpec.from_lines("gitignore", ["/" + str(p).lstrip("/") for p in patterns])
    return spec.match_file(SAMPLE_ENTRY)


# How alike (rapidfuzz ratio, %) an entry's department must be to a rule's to be taken for it. "Finance"
# and "Finances" are 93, a Cyrillic a (U+0430) in "Human Resources" 93; "Marketing" and "Marketing Ops" 82.
DEPARTMENT_LIKENESS = 88


def department_key(name: str) -> str:
    """A department as written in an entry or a rule, compared without case, extra spaces or
    compatibility forms (a full-width letter is the letter)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def department_match(department: str, wanted: Iterable[object]) -> tuple[str, bool] | None:
    """The rule's department that `department` is (name, True), or is written like (name, False): a
    near spelling or a look-alike letter is taken for the department it imitates, since a review rule
    dodged by a typo, honest or not, is a review skipped. None when it is like none of them."""
    key = department_key(department)
    near = None
    for name in map(str, wanted):
        other = department_key(name)
        if other == key:
            return name, True
        if near is None and fuzz.ratio(key, other) >= DEPARTMENT_LIKENESS:
            near = name, False
    return near


def _value_key(condition: str, value: str) -> str:
    return department_key(value) if condition == "departments" else value


def _holds_for(rule: ReviewRule, tier: str, picked: dict[str, str | None]) -> bool:
    tiers = rule.when.get("risk_tier")
    if tiers is not None and tier not in tiers:
        return False
    for condition, value in picked.items():
        wanted = rule.when.get(condition)
        if wanted is not None and (value is None or value not in {_value_key(condition, str(w)) for w in wanted}):
            return False
    return True


def kinds_of_change(organization: Organization) -> list[KindOfChange]:
    """The most demanding combinations of rules that one change can trigger (see the module doc)."""
    rules = organization.review.rules
    unconditional = [rule for rule in rules if not rule.when]
    for_entries = [rule for rule in rules if _covers_entries(rule) and rule.when]
    values = {
        condition: [
            *sorted(
                {
                    _value_key(condition, v)
                    for r in for_entries
                    for v in r.when.get(condition) or ()
                    if isinstance(v, str)
                }
            ),
            None,
        ]
        for condition in _ONE_AT_A_TIME
    }
    combinations: list[tuple[str, tuple[ReviewRule, ...]]] = []
    for tier in RISK_TIERS:
        for picked_values in itertools.product(*values.values()):
            picked = dict(zip(values, picked_values, strict=True))
            chosen = tuple(
                rule
                for rule in rules
                if rule in unconditional or (rule in for_entries and _holds_for(rule, tier, picked))
            )
            named = [f"{_ONE_AT_A_TIME[condition]} {value}" for condition, value in picked.items() if value]
            where = ", ".join([f"risk tier {tier}", *named])
            combinations.append((f"A pull request changing one catalog entry ({where})", chosen))
    for rule in rules:
        if rule.when and not _covers_entries(rule) and not set(rule.when) & set(ENTRY_CONDITIONS):
            files = ", ".join(str(p) for p in rule.when.get("paths") or ())
            chosen = tuple(r for r in rules if r is rule or r in unconditional)
            combinations.append((f"A pull request changing {files}", chosen))
    kinds: list[KindOfChange] = []
    for description, chosen in combinations:
        names = {rule.name for rule in chosen}
        # A combination inside another asks for fewer seats: proving the larger proves it too.
        if chosen and not any(names <= {r.name for r in kind.rules} for kind in kinds):
            kinds = [kind for kind in kinds if not {r.name for r in kind.rules} < names]
            kinds.append(KindOfChange(description, chosen))
    return kinds


def _counted_groups(organization: Organization) -> dict[str, tuple[str, ...]]:
    """Groups whose every member is known offline: no github_team."""
    return {name: tuple(group.members) for name, group in organization.groups.items() if group.github_team is None}


def _short(
    kind: KindOfChange, members: dict[str, tuple[str, ...]], distinct: bool, author: str | None
) -> tuple[str, int] | None:
    """The first group that cannot fill its seats for this kind (with `author` unable to approve)."""
    allowed = {group: [m for m in people if m.lower() != (author or "").lower()] for group, people in members.items()}
    seats: list[tuple[str, list[str]]] = []
    for rule in kind.rules:
        for group, number in rule.require.items():
            if group in allowed:
                seats.extend((group, allowed[group]) for _ in range(number))
    if distinct:
        filled = max_matching([candidates for _, candidates in seats])
        for (group, _), person in zip(seats, filled, strict=True):
            if person is None:
                return group, sum(1 for g, _ in seats if g == group)
        return None
    for rule in kind.rules:  # one person may serve several rules, but each seat of a rule is another
        for group, number in rule.require.items():
            if group in allowed and len(allowed[group]) < number:
                return group, number
    return None


def impossible(organization: Organization) -> Iterator[Impossible]:
    """Each kind of change that no set of people can approve (at most one account per kind)."""
    settings = organization.review
    members = _counted_groups(organization)
    everyone = sorted({person for people in members.values() for person in people}, key=str.lower)
    for kind in kinds_of_change(organization):
        authors: list[str | None] = [None]
        if not settings.author_can_approve:
            authors += everyone
        for author in authors:
            short = _short(kind, members, settings.distinct_reviewers, author)
            if short is None:
                continue
            group, needed = short
            available = tuple(m for m in members[group] if m.lower() != (author or "").lower())
            first = next(rule for rule in kind.rules if group in rule.require)
            yield Impossible(kind, group, needed, available, author, first)
            break
