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
version of a deleted one; a rule with entry conditions applies only through changed entries. An
entry that cannot be read is assumed to meet every entry condition: the gate fails closed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import git
import pathspec

from martechgate.check.model import RISK_TIERS, Organization, ReviewRule, get
from martechgate.check.risk import computed_tier, tier_rank
from martechgate.errors import UsageError
from martechgate.sources.changes import Change, ChangeSet
from martechgate.sources.repo import CATALOG_DIR, YAML_SUFFIXES, Source
from martechgate.sources.revision import GitRevision
from martechgate.sources.yamlload import load_bytes

ENTRY_CONDITIONS = ("risk_tier", "data_categories", "annual_cost_over", "statuses", "exceptions_changed")


@functools.lru_cache(maxsize=1024)
def path_matcher(pattern: str) -> pathspec.PathSpec:
    """A glob anchored at the repo root; `**` spans folders (gitignore wildmatch semantics)."""
    return pathspec.PathSpec.from_lines("gitignore", ["/" + pattern.lstrip("/")])


def matching_pattern(patterns: Sequence[str], path: str) -> str | None:
    """The first pattern that matches `path`, or None."""
    for pattern in patterns:
        if path_matcher(pattern).match_file(path):
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


def exceptions_differ(now: Mapping[str, Any] | None, before: Mapping[str, Any] | None) -> bool:
    """Whether an entry's exceptions differ between two versions (None: the entry is not there)."""
    return _exceptions(now) != _exceptions(before)


def entry_reasons(
    when: Mapping[str, Any], entry: Mapping[str, Any] | None, *, exceptions_changed: bool, unreadable: str | None = None
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
            changed = exceptions_changed
            if changed != bool(wanted):
                return None
            reasons.append("its exceptions were added or changed" if changed else "its exceptions are unchanged")
    return reasons


def rules_for_entry(
    organization: Organization, entry: dict[str, Any], *, previous: dict[str, Any] | None = None
) -> list[tuple[ReviewRule, str]]:
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
        found = entry_reasons(rule.when, entry, exceptions_changed=exceptions_differ(entry, previous))
        if found is None:
            continue
        reasons += found
        triggered.append((rule, "; ".join(reasons)))
    return triggered


# --- Which rules a change triggers ------------------------------------------------------------------

_VERB = {"A": "added", "M": "changed", "D": "deleted", "R": "renamed"}
_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


@dataclass(frozen=True)
class AppliedRule:
    """A review rule that a change triggers: why, and the files that made it apply."""

    rule: ReviewRule
    why: tuple[str, ...]
    files: frozenset[str]


def _is_entry(change: Change) -> bool:
    return any(path.startswith(CATALOG_DIR + "/") and path.endswith(YAML_SUFFIXES) for path in change.paths)


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


@dataclass(frozen=True)
class _ChangedEntry:
    change: Change
    data: dict[str, Any] | None  # the head version; the base version for a deletion
    unreadable: str | None
    exceptions_changed: bool
    before: dict[str, Any] | None = None  # the base version of a modified or renamed entry


def _changed_entries(changeset: ChangeSet) -> list[_ChangedEntry]:
    found = []
    for change in changeset.changes:
        if not _is_entry(change):
            continue
        before, before_problem = (
            (None, None) if change.status == "A" else _read(changeset.base, change.old_path or change.path)
        )
        if change.status == "D":
            data, problem, after = before, before_problem, None
        else:
            data, problem = _read(changeset.head, change.path)
            after = data
        # An unreadable version cannot show its exceptions unchanged: assume they changed.
        changed = problem is not None or before_problem is not None or exceptions_differ(after, before)
        found.append(_ChangedEntry(change, data, problem, changed, before if change.status in "MR" else None))
    return found


def _describe(change: Change) -> str:
    if change.status == "R":
        return f"{change.path} (renamed from {change.old_path})"
    return f"{change.path} ({_VERB.get(change.status, 'changed')})"


def applicable_rules(organization: Organization, changeset: ChangeSet) -> list[AppliedRule]:
    """The review rules (from `organization`, the merge base's file) that the change triggers."""
    entries = _changed_entries(changeset)
    applied = []
    for rule in organization.review.rules:
        patterns = rule.when.get("paths")
        why: list[str] = []
        files: set[str] = set()
        if not any(condition in rule.when for condition in ENTRY_CONDITIONS):
            for change in changeset.changes:
                hits = [(path, matching_pattern(patterns or (), path)) for path in change.paths]
                hits = [(path, pattern) for path, pattern in hits if pattern is not None]
                if hits:
                    why.append(f"{_describe(change)} matches {hits[0][1]}")
                    files.update(change.paths)
        else:
            for item in entries:
                reasons: list[str] = []
                if patterns is not None:
                    pattern = next(
                        (p for p in (matching_pattern(patterns, path) for path in item.change.paths) if p), None
                    )
                    if pattern is None:
                        continue
                    reasons.append(f"matches {pattern}")
                found = entry_reasons(
                    rule.when, item.data, exceptions_changed=item.exceptions_changed, unreadable=item.unreadable
                )
                if found is None and item.before is not None:
                    # A change that lowers a tool's risk, data or spend still needs the reviewers the
                    # tool needed before it: otherwise removing contact-pii would skip privacy review.
                    earlier = entry_reasons(
                        rule.when, item.before, exceptions_changed=item.exceptions_changed, unreadable=None
                    )
                    found = None if earlier is None else [f"before the change: {r}" for r in earlier]
                if found is None:
                    continue
                why.append(f"{_describe(item.change)}: {'; '.join(reasons + found)}")
                files.update(item.change.paths)
        if why:
            applied.append(AppliedRule(rule, tuple(why), frozenset(files)))
    return applied


# --- Reviews ----------------------------------------------------------------------------------------

APPROVED = "APPROVED"
CHANGES_REQUESTED = "CHANGES_REQUESTED"
DISMISSED = "DISMISSED"
STATES = (APPROVED, CHANGES_REQUESTED, "COMMENTED", "PENDING", DISMISSED)


@dataclass(frozen=True)
class Review:
    """One pull-request review, as GitHub lists them."""

    user: str
    state: str
    commit_id: str | None = None
    submitted_at: str | None = None


def parse_reviews(payload: Any, origin: str) -> list[Review]:
    """GitHub's "list reviews for a pull request" JSON (oldest first) as reviews.

    A review whose user is null (a deleted account) is skipped: nobody can be counted for it.
    Raises UsageError, naming `origin`, for anything not shaped like that list.
    """
    if not isinstance(payload, list):
        raise UsageError(
            f"{origin} is not a list of reviews",
            hint="Give the JSON list that GitHub's `GET /repos/{owner}/{repo}/pulls/{number}/reviews` returns.",
        )
    reviews = []
    for index, item in enumerate(payload):
        if not isinstance(item, dict):
            raise UsageError(f"{origin}: review {index} is not an object")
        user = item.get("user")
        if user is None:
            continue
        login = user.get("login") if isinstance(user, dict) else None
        state = item.get("state")
        commit = item.get("commit_id")
        if not isinstance(login, str) or not login:
            raise UsageError(f"{origin}: review {index} has no user.login")
        if state not in STATES:
            raise UsageError(
                f"{origin}: review {index} has the state {state!r}; GitHub's states are {', '.join(STATES)}"
            )
        if commit is not None and not isinstance(commit, str):
            raise UsageError(f"{origin}: review {index} has a commit_id that is not text")
        submitted = item.get("submitted_at")
        reviews.append(Review(login, state, commit, submitted if isinstance(submitted, str) else None))
    return reviews


def latest_verdicts(reviews: Iterable[Review]) -> dict[str, Review]:
    """Each user's verdict (by lower-cased login): their latest APPROVED or CHANGES_REQUESTED review.

    COMMENTED and PENDING reviews say nothing; a DISMISSED latest review leaves the user with none.
    `reviews` are in the order they were given, oldest first (GitHub lists them so).
    """
    verdicts: dict[str, Review] = {}
    for review in reviews:
        key = review.user.lower()
        if review.state in (APPROVED, CHANGES_REQUESTED):
            verdicts[key] = review
        elif review.state == DISMISSED:
            verdicts.pop(key, None)
    return verdicts


# --- The verdict ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    group: str
    reviewer: str | None  # who fills it, None while it is open


@dataclass(frozen=True)
class RuleVerdict:
    name: str
    why: tuple[str, ...]
    files: tuple[str, ...]
    required: Mapping[str, int]
    seats: tuple[Seat, ...]
    can_satisfy: Mapping[str, tuple[str, ...]]
    blocked_by: tuple[str, ...]
    stale: tuple[str, ...]

    @property
    def satisfied(self) -> bool:
        return all(seat.reviewer is not None for seat in self.seats) and not self.blocked_by

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "why": list(self.why),
            "files": list(self.files),
            "required": dict(self.required),
            "satisfied": self.satisfied,
            "seats": [{"group": seat.group, "reviewer": seat.reviewer} for seat in self.seats],
            "can_satisfy": {group: list(who) for group, who in self.can_satisfy.items()},
            "blocked_by": list(self.blocked_by),
            "stale": list(self.stale),
        }


@dataclass(frozen=True)
class Verdict:
    """Whether a change has the approvals its review rules require.

    `to_dict()` is the stable, documented JSON (schema_version 1) that `review --format json` prints
    and the audit trail stores; keys are only ever added:

        {"schema_version": 1,
         "approved": true,                 # every rule satisfied (no rule applying counts as approved)
         "author": "octocat",              # the pull request's author, who never counts
         "base": "<sha>",                  # the merge base, whose martechgate.yaml gave the rules
         "head": "<sha>" | null,           # the commit judged (null: the working tree)
         "settings": {"distinct_reviewers": true, "author_can_approve": false, "dismiss_stale": true},
         "rules": [{"name": "joint-cmo-cio",
                    "why": ["catalog/x.yaml (added) matches catalog/**"],   # one line per trigger
                    "files": ["catalog/x.yaml"],                             # the files it governs
                    "required": {"marketing": 1, "it": 1},
                    "satisfied": false,    # every seat filled and nobody blocking
                    "seats": [{"group": "marketing", "reviewer": "alice"},
                              {"group": "it", "reviewer": null}],
                    "can_satisfy": {"it": ["carol", "@acme/it"]},  # open groups: logins, unresolved teams
                    "blocked_by": [],      # required-group members whose latest review requests changes
                    "stale": []}],         # approvals that no longer count: what the rule governs changed
         "reviewers": [{"login": "alice", "state": "APPROVED", "commit_id": "<sha>", "counted": true}]}

    `reviewers` lists each user's latest verdict (APPROVED or CHANGES_REQUESTED), sorted by login;
    `counted` is false for the author and for approvals that fill no seat.
    """

    author: str
    base: str
    head: str | None
    distinct_reviewers: bool
    author_can_approve: bool
    dismiss_stale: bool
    rules: tuple[RuleVerdict, ...]
    reviewers: tuple[Review, ...]

    @property
    def approved(self) -> bool:
        return all(rule.satisfied for rule in self.rules)

    def to_dict(self) -> dict[str, Any]:
        seated = {seat.reviewer.lower() for rule in self.rules for seat in rule.seats if seat.reviewer}
        return {
            "schema_version": 1,
            "approved": self.approved,
            "author": self.author,
            "base": self.base,
            "head": self.head,
            "settings": {
                "distinct_reviewers": self.distinct_reviewers,
                "author_can_approve": self.author_can_approve,
                "dismiss_stale": self.dismiss_stale,
            },
            "rules": [rule.to_dict() for rule in self.rules],
            "reviewers": [
                {
                    "login": review.user,
                    "state": review.state,
                    "commit_id": review.commit_id,
                    "counted": review.user.lower() in seated,
                }
                for review in self.reviewers
            ],
        }


def group_members(
    organization: Organization, teams: Mapping[str, Sequence[str]] | None = None
) -> dict[str, tuple[list[str], str | None]]:
    """Each group's logins (`members` plus its resolved github_team), and its team if unresolved."""
    teams = {slug.lower(): logins for slug, logins in (teams or {}).items()}
    result = {}
    for name, group in organization.groups.items():
        logins = list(group.members)
        unresolved = None
        if group.github_team:
            resolved = teams.get(group.github_team.lower())
            if resolved is None:
                unresolved = group.github_team
            else:
                logins += [login for login in resolved if login.lower() not in {known.lower() for known in logins}]
        result[name] = (logins, unresolved)
    return result


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


ChangedSince = Callable[[str | None], frozenset[str] | None]


def git_changed_since(changeset: ChangeSet) -> ChangedSince:
    """The files (relative to the governance repo) that differ between a commit and the head.

    None for a commit that is not a full sha, or that this clone does not have (force-pushed
    away, never fetched): an approval of an unknown commit is stale.
    """
    repo = changeset.base.repo
    prefix = changeset.base.prefix
    head = changeset.head
    cache: dict[str, frozenset[str] | None] = {}

    def changed(commit_id: str | None) -> frozenset[str] | None:
        if commit_id is None or not _SHA.match(commit_id):
            return None
        if commit_id not in cache:
            try:
                commit = repo.commit(commit_id)
            except (git.BadName, ValueError, git.GitCommandError):
                cache[commit_id] = None
                return None
            if isinstance(head, GitRevision):
                diffs, extra = commit.diff(head.commit), []
            else:  # the working tree, untracked files included
                diffs, extra = commit.diff(None), repo.untracked_files
            paths = {p for d in diffs for p in (d.a_path, d.b_path) if p} | set(extra)
            cache[commit_id] = frozenset(p[len(prefix) :] for p in paths if p.startswith(prefix))
        return cache[commit_id]

    return changed


def evaluate(
    organization: Organization,
    changeset: ChangeSet,
    reviews: Sequence[Review],
    author: str,
    *,
    teams: Mapping[str, Sequence[str]] | None = None,
    changed_since: ChangedSince | None = None,
    applied: Sequence[AppliedRule] | None = None,
) -> Verdict:
    """Judge the reviews of a change against the review rules of `organization`.

    `organization` must be the merge base's (ChangeSet.base), never the head's, so a change cannot
    weaken the rules that judge it. `teams` maps "org/team" to member logins for the github_team
    groups that were resolved. `changed_since` (default: git) lists the files changed between a
    review's commit and the head, for `dismiss_stale`. `applied` saves working out the rules again
    when the caller already has `applicable_rules(organization, changeset)`.
    """
    settings = organization.review
    if applied is None:
        applied = applicable_rules(organization, changeset)
    verdicts = latest_verdicts(reviews)
    members = group_members(organization, teams)
    in_group = {name: {login.lower() for login in logins} for name, (logins, _) in members.items()}
    author_key = author.lower()
    counts = {key: review for key, review in verdicts.items() if key != author_key or settings.author_can_approve}
    changed_since = changed_since or git_changed_since(changeset)

    def fresh(review: Review, files: frozenset[str]) -> bool:
        if not settings.dismiss_stale:
            return True
        changed = changed_since(review.commit_id)
        return changed is not None and not (changed & files)

    # Seats in rule order, then group order; candidates in login order: a deterministic matching.
    seat_keys: list[tuple[int, str]] = []
    candidates: list[list[str]] = []
    stale: list[list[str]] = []
    for index, item in enumerate(applied):
        concerned = set().union(*(in_group[group] for group in item.rule.require))
        approvers = sorted(key for key, review in counts.items() if review.state == APPROVED and key in concerned)
        stale.append([counts[key].user for key in approvers if not fresh(counts[key], item.files)])
        usable = [key for key in approvers if fresh(counts[key], item.files)]
        for group, number in item.rule.require.items():
            eligible = [key for key in usable if key in in_group[group]]
            for _ in range(number):
                seat_keys.append((index, group))
                candidates.append(eligible)
    if settings.distinct_reviewers:
        filled = max_matching(candidates)
    else:  # one person may fill seats of several groups and rules, but each seat of a group is another
        filled = []
        taken: dict[tuple[int, str], int] = {}
        for key, eligible in zip(seat_keys, candidates, strict=True):
            position = taken.get(key, 0)
            filled.append(eligible[position] if position < len(eligible) else None)
            taken[key] = position + 1
    holders = {person for person in filled if person is not None}

    results = []
    for index, item in enumerate(applied):
        seats = tuple(
            Seat(group, counts[person].user if person else None)
            for (rule_index, group), person in zip(seat_keys, filled, strict=True)
            if rule_index == index
        )
        open_groups = [
            group for group in item.rule.require if any(s.group == group and s.reviewer is None for s in seats)
        ]
        can: dict[str, tuple[str, ...]] = {}
        for group in open_groups:
            logins, unresolved = members[group]
            who = [login for login in logins if login.lower() != author_key or settings.author_can_approve]
            if settings.distinct_reviewers:
                who = [login for login in who if login.lower() not in holders]
            can[group] = tuple(who) + ((f"@{unresolved}",) if unresolved else ())
        concerned = set().union(*(in_group[group] for group in item.rule.require))
        blocked = tuple(
            counts[key].user for key in sorted(counts) if counts[key].state == CHANGES_REQUESTED and key in concerned
        )
        results.append(
            RuleVerdict(
                item.rule.name,
                item.why,
                tuple(sorted(item.files)),
                dict(item.rule.require),
                seats,
                can,
                blocked,
                tuple(stale[index]),
            )
        )
    head = changeset.head.commit.hexsha if isinstance(changeset.head, GitRevision) else None
    return Verdict(
        author,
        changeset.base.commit.hexsha,
        head,
        settings.distinct_reviewers,
        settings.author_can_approve,
        settings.dismiss_stale,
        tuple(results),
        tuple(verdicts[key] for key in sorted(verdicts)),
    )
