"""Joint approval: which review rules a change triggers, and whether the reviews given satisfy them.

Pure core: no HTTP and no command line. It reads git (through `changes.ChangeSet` and sources/git.py)
and takes the reviews and team members as plain values, so it can be run and tested offline.

Which rules a change triggers is decided in `applicable.py`; this module judges the reviews.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from martechgate.check.approvability import max_matching
from martechgate.check.model import Organization
from martechgate.errors import UsageError
from martechgate.gate.applicable import AppliedRule, rules_for_change
from martechgate.sources.changes import ChangeSet
from martechgate.sources.revision import GitRevision

_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


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
         "base": "<sha>",                  # the merge base: what the change is compared with
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
         "reviewers": [{"login": "alice", "state": "APPROVED", "commit_id": "<sha>", "counted": true}],
         "rules_from": "<sha>"}            # the base branch's tip, whose martechgate.yaml gave the rules

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
    rules_from: str | None = None  # the commit whose rules judged it (None: the merge base's)

    @property
    def approved(self) -> bool:
        return all(rule.satisfied for rule in self.rules)

    @property
    def rules_commit(self) -> str:
        return self.rules_from or self.base

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
            "rules_from": self.rules_commit,
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


ChangedSince = Callable[[str | None], frozenset[str] | None]


def git_changed_since(changeset: ChangeSet) -> ChangedSince:
    """The files (relative to the governance repo) that differ between a commit and the head.

    None for a commit that is not a full sha, or that this clone does not have (force-pushed
    away, never fetched): an approval of an unknown commit is stale.
    """
    git = changeset.base.git
    head = changeset.head.sha if isinstance(changeset.head, GitRevision) else None
    cache: dict[str, frozenset[str] | None] = {}

    def changed(commit_id: str | None) -> frozenset[str] | None:
        if commit_id is None or not _SHA.match(commit_id):
            return None
        if commit_id not in cache:
            if git.object_type(commit_id) != "commit":
                cache[commit_id] = None
                return None
            # Read as bytes, renames off: a file whose name is not UTF-8 still counts as changed.
            found = git.diff(commit_id, head, renames=False)
            cache[commit_id] = frozenset(path for item in found for path in (item.path, item.old_path) if path)
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

    `organization` must be the base branch's as it is now (ChangeSet.rules), never the head's, so a
    change cannot weaken the rules that judge it, and a rule the base branch gained since the change
    branched off judges it too. `teams` maps "org/team" to member logins for the github_team
    groups that were resolved. `changed_since` (default: git) lists the files changed between a
    review's commit and the head, for `dismiss_stale`. `applied` saves working out the rules again
    when the caller already has `rules_for_change(organization, changeset)`.
    """
    settings = organization.review
    if applied is None:
        applied = rules_for_change(organization, changeset)
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
    head = changeset.head.sha if isinstance(changeset.head, GitRevision) else None
    return Verdict(
        author,
        changeset.base.sha,
        head,
        settings.distinct_reviewers,
        settings.author_can_approve,
        settings.dismiss_stale,
        tuple(results),
        tuple(verdicts[key] for key in sorted(verdicts)),
        changeset.rules.sha,
    )
