"""Approval records: written as git notes on merge commits, and verified against main's history.

`write` stores, on the merge commit, what the review said (rules, approvers), a hash of the policy
pack in force (at the merge's first parent: the rules that judged the pull request) and the check
summary. Each record is one line of JSON, so two records on one commit survive a notes merge with
`cat_sort_uniq`. `push` fetches, merges and retries, so two records pushed at once both land.

`verify` walks main's first parents and reports what went around the process.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from martechgate.audit.history import Commit, Progress, commit_info, log, proposers
from martechgate.check import engine
from martechgate.check.model import Organization
from martechgate.check.organisation import load_organization
from martechgate.errors import MartechgateError, RepoError, UsageError
from martechgate.gate import review
from martechgate.gate.applicable import rules_for_change
from martechgate.sources.changes import Change, ChangeSet
from martechgate.sources.git import Git
from martechgate.sources.repo import CATALOG_DIR, ORG_FILE, POLICIES_DIR
from martechgate.sources.revision import GitRevision

NOTES_REF = "refs/notes/martechgate"
_INCOMING = "refs/notes/martechgate-incoming"
SCHEMA_VERSION = 1
GOVERNED = (CATALOG_DIR, POLICIES_DIR, ORG_FILE)
PUSH_ATTEMPTS = 6
_IDENTITY = {
    "GIT_AUTHOR_NAME": "martechgate",
    "GIT_AUTHOR_EMAIL": "martechgate@localhost",
    "GIT_COMMITTER_NAME": "martechgate",
    "GIT_COMMITTER_EMAIL": "martechgate@localhost",
}


@dataclass(frozen=True)
class Approval:
    login: str
    group: str


def approvals_by_rule(verdict: Mapping[str, Any]) -> dict[str, list[Approval]]:
    """The filled seats of each rule: who approved, for which group.

    The verdict is `martechgate review --format json` (review.Verdict.to_dict, schema_version 1); what
    is relied on here: `rules` is a list of objects with `name` and `seats`, each seat
    `{"group": ..., "reviewer": login or null}` (null: the seat is open).
    """
    result: dict[str, list[Approval]] = {}
    for rule in verdict.get("rules", []):
        seats = rule.get("seats", [])
        result[str(rule["name"])] = [
            Approval(seat["reviewer"], seat["group"]) for seat in seats if isinstance(seat.get("reviewer"), str)
        ]
    return result


def validate_verdict(verdict: Any) -> dict[str, Any]:
    hint = "Pass the output of `martechgate review --format json` for the merged pull request."
    if not isinstance(verdict, dict):
        raise UsageError("the verdict must be a JSON object", hint=hint)
    if not isinstance(verdict.get("approved"), bool):
        raise UsageError("the verdict has no `approved: true|false`", hint=hint)
    rules = verdict.get("rules")
    if not isinstance(rules, list) or not all(isinstance(r, dict) and isinstance(r.get("name"), str) for r in rules):
        raise UsageError("the verdict's `rules` must be a list of objects, each with a `name`", hint=hint)
    for rule in rules:
        seats = rule.get("seats", [])
        if not isinstance(seats, list) or not all(
            isinstance(seat, dict)
            and isinstance(seat.get("group"), str)
            and isinstance(seat.get("reviewer"), str | None)
            for seat in seats
        ):
            raise UsageError(
                f"the seats of rule {rule['name']!r} must be a list of {{group, reviewer}} objects", hint=hint
            )
    return verdict


# ----- writing and pushing ---------------------------------------------------------------------


def policy_pack_hash(git: Git, sha: str) -> dict[str, Any]:
    """sha256 over martechgate.yaml and policies/*, by path, as they were at `sha`."""
    out = git.run("ls-tree", "-r", "-z", sha, "--", *git.pathspec(ORG_FILE, POLICIES_DIR)).decode()
    files = []
    for item in out.split("\x00"):
        if not item:
            continue
        meta, path = item.split("\t", 1)
        local = git.local(path)
        if local is not None and meta.split()[1] == "blob":
            files.append((local, meta.split()[2]))
    files.sort()
    contents = git.blobs(blob for _, blob in files)
    digest = hashlib.sha256()
    for path, blob in files:
        digest.update(path.encode() + b"\x00" + hashlib.sha256(contents.get(blob, b"")).digest())
    return {"sha256": digest.hexdigest(), "files": len(files), "commit": sha}


def check_summary(git: Git, commit: str, rules_commit: str, today: date) -> dict[str, Any]:
    """The check of the catalog at `commit` under the rules of `rules_commit`, as a report summary."""
    try:
        catalog = engine.load_catalog(GitRevision(git.path, commit), GitRevision(git.path, rules_commit), today)
        report = engine.run(catalog).report
    except MartechgateError as error:
        return {"error": error.message}
    summary: dict[str, Any] = report.to_dict("")["summary"]
    summary["blocking_rules"] = sorted({f"{f.entry}: {f.rule}" for f in report.findings if f.blocking})
    return summary


@dataclass(frozen=True)
class Record:
    merge_commit: str
    data: dict[str, Any]

    @property
    def verdict(self) -> dict[str, Any]:
        value = self.data.get("verdict")
        return value if isinstance(value, dict) else {}


def write(
    git: Git, rev: str, verdict: Any, *, pr_number: int | None = None, version: str = "", now: datetime | None = None
) -> Record:
    verdict = validate_verdict(verdict)
    commit = commit_info(git, rev)
    first_parent = commit.parents[0] if commit.parents else commit.sha
    # The review names the head it judged; without it, a merge's second parent is the pull request's head.
    head = verdict.get("head") or (commit.parents[1] if commit.is_merge else commit.sha)
    data = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "martechgate", "version": version},
        "merge_commit": commit.sha,
        "first_parent": first_parent,
        "head_commit": head,
        "pull_request": pr_number if pr_number is not None else commit.pull_request,
        "recorded_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "policy_pack": policy_pack_hash(git, first_parent),
        "check": check_summary(git, commit.sha, first_parent, commit.date_utc.date()),
        "verdict": verdict,
    }
    line = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # append: a second record on the same commit (a re-run) keeps the first; each record is one line.
    git.run(
        "notes", f"--ref={NOTES_REF}", "append", "-F", "-", commit.sha, input_data=line.encode(), env=_identity(git)
    )
    return Record(commit.sha, data)


def _identity(git: Git) -> dict[str, str]:
    """A committer for the notes commits when the clone has none configured (a CI runner)."""
    configured = git.run("config", "user.email", check=False).strip()
    return {} if configured else _IDENTITY


def _fetch(git: Git, remote: str) -> bool:
    """Fetch the remote's notes into a side ref; False when the remote has none yet."""
    listed = git.attempt("ls-remote", remote, NOTES_REF)
    if listed.returncode != 0:
        said = listed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RepoError(
            f"cannot reach the remote {remote!r}: {said[-1] if said else 'no answer'}",
            hint="The record is written locally. Check `git remote -v` and the credentials "
            "(in CI: the token needs contents: write), then run record --push again.",
        )
    if not listed.stdout.strip():
        return False
    git.run("fetch", "--quiet", "--no-tags", remote, f"+{NOTES_REF}:{_INCOMING}")
    return True


def _merge_incoming(git: Git) -> None:
    has_local = git.run("rev-parse", "--verify", "--quiet", NOTES_REF, check=False).strip()
    if not has_local:
        git.run("update-ref", NOTES_REF, _INCOMING)
        return
    # cat_sort_uniq: both records of one commit are kept, line by line (each record is one line).
    git.run("notes", f"--ref={NOTES_REF}", "merge", "--quiet", "-s", "cat_sort_uniq", _INCOMING, env=_identity(git))


def push(git: Git, remote: str, attempts: int = PUSH_ATTEMPTS) -> int:
    """Push the notes; on a rejection (someone else pushed a record), fetch, merge and retry."""
    for attempt in range(1, attempts + 1):
        if _fetch(git, remote):
            _merge_incoming(git)
        pushed = git.attempt("push", "--porcelain", remote, f"{NOTES_REF}:{NOTES_REF}")
        if pushed.returncode == 0:
            return attempt
        said = (pushed.stdout + pushed.stderr).decode("utf-8", "replace")
        # Someone pushed a record in between (non-fast-forward), or the remote was updating the ref at
        # that instant (cannot lock ref): fetch, merge, retry. Anything else (no access) is final.
        if not re.search(r"rejected|fetch first|non-fast-forward|cannot lock ref|failed to update ref", said):
            last = said.strip().splitlines()[-1] if said.strip() else "no message"
            raise RepoError(
                f"git push to {remote} failed: {last}",
                hint="The record is written locally; check the remote and the token's permission "
                "(contents: write), then push refs/notes/martechgate.",
            )
        if attempt < attempts:
            time.sleep(min(0.1 * 2**attempt, 3.0) * (0.5 + random.random()))
    raise RepoError(
        f"could not push {NOTES_REF} to {remote} after {attempts} tries",
        hint="The record is written locally; run `git push origin refs/notes/martechgate` once "
        "the remote accepts pushes (check the token's permissions: contents: write).",
    )


def latest(records: Sequence[Record]) -> Record:
    """The most recent of a commit's records (a re-run after a fix). Not the last line: a notes merge
    with cat_sort_uniq sorts the lines of a note."""
    return max(records, key=lambda record: str(record.data.get("recorded_at") or ""))


def read_all(git: Git) -> dict[str, list[Record]]:
    """Every record, by the commit it is attached to (a commit may carry more than one)."""
    out = git.run("notes", f"--ref={NOTES_REF}", "list", check=False).decode()
    pairs = [line.split() for line in out.splitlines() if len(line.split()) == 2]
    contents = git.blobs(note for note, _ in pairs)
    result: dict[str, list[Record]] = {}
    for note, target in pairs:
        found = []
        for line in contents.get(note, b"").decode("utf-8", "replace").splitlines():
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                found.append(Record(target, value))
        result[target] = found
    return result


# ----- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    kind: str  # unrecorded, not-approved, approvals-insufficient, rewritten, record-invalid
    commit: str
    date: str | None
    author: str | None
    message: str
    remedy: str

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Verification:
    ref: str
    checked: int = 0
    recorded: int = 0
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "ref": self.ref,
            "changes_checked": self.checked,
            "recorded": self.recorded,
            "passed": not self.problems,
            "problems": [p.to_dict() for p in self.problems],
        }

    def render(self) -> str:
        lines = [f"Verified {self.checked} governance changes on {self.ref} ({self.recorded} with a record)."]
        for p in self.problems:
            when = f" {p.date}" if p.date else ""
            by = f" by {p.author}" if p.author else ""
            lines += [f"{p.kind}: {p.commit[:12]}{when}{by}", f"    {p.message}", f"    What to do: {p.remedy}"]
        if self.checked and not self.recorded:
            lines.append(
                f"No approval record was found in {NOTES_REF}. If they exist on the remote, fetch "
                f"them first: git fetch origin '{NOTES_REF}:{NOTES_REF}'"
            )
        lines.append("No problems." if not self.problems else f"{len(self.problems)} problem(s).")
        return "\n".join(lines) + "\n"


def rules_that_applied(revisions: _Revisions, commit: Commit, organization: Organization) -> list[str]:
    """The review rules the change triggered, judged by applicable.rules_for_change exactly as the pull
    request's review was: the organisation file of the first parent, the entries before and after."""
    parent = commit.parents[0] if commit.parents else None
    head = revisions.source(commit.sha)
    changes = [Change(ch.status, ch.path, ch.old_path if ch.status == "R" else None) for ch in commit.changes]
    base = revisions.source(parent) if parent else head
    return [applied.rule.name for applied in rules_for_change(organization, ChangeSet(base, head, changes))]


def recheck(record: Record, organization: Organization, applied: Sequence[str], proposer: str | None) -> list[str]:
    """What is wrong with a record's approvals under the organisation file in force at the time.

    Re-checked here: the recorded verdict approved; each recorded rule was in force; each reviewer was
    in the group of their seat (listed under `members`; for a group with a `github_team`, membership
    was resolved by the review against GitHub at the time and cannot be re-checked offline, so the
    seat is trusted); the required number of seats per group; one person holds one seat when
    distinct_reviewers; the author did not approve; every rule in `applied` is in the record.
    """
    verdict = record.verdict
    wrong: list[str] = []
    if verdict.get("approved") is not True:
        wrong.append("the recorded review verdict is not approved")
    settings = organization.review
    rules = {rule.name: rule for rule in settings.rules}
    try:
        recorded = approvals_by_rule(verdict)
    except (KeyError, TypeError, AttributeError):
        return [*wrong, "the recorded verdict's rules cannot be read"]
    author = verdict.get("author") or proposer
    author_login = str(author).split(" <", 1)[0].lower() if author else None
    members = review.group_members(organization)
    seats_held: dict[str, int] = {}
    for name, seats in recorded.items():
        rule = rules.get(name)
        if rule is None:
            wrong.append(f"the record names the rule {name!r}, which was not in force")
            continue
        counted: dict[str, int] = {}
        for seat in seats:
            login = seat.login.lower()
            logins, team = members.get(seat.group, ([], None))
            if not settings.author_can_approve and author_login and login == author_login:
                wrong.append(f"{seat.login} approved their own change (rule {name})")
                continue
            if login not in {m.lower() for m in logins} and team is None:
                wrong.append(
                    f"{seat.login} counted for {seat.group} in rule {name} but is not a member of "
                    f"{seat.group} in the organisation file of the time"
                )
                continue
            counted[seat.group] = counted.get(seat.group, 0) + 1
            seats_held[login] = seats_held.get(login, 0) + 1
        for group_name, needed in rule.require.items():
            have = counted.get(group_name, 0)
            if have < needed:
                wrong.append(f"rule {name} needs {needed} approval(s) from {group_name}, the record has {have}")
    if settings.distinct_reviewers:
        wrong += [
            f"{login} holds {count} seats; with distinct_reviewers one person satisfies one requirement"
            for login, count in sorted(seats_held.items())
            if count > 1
        ]
    for name in applied:
        if name not in recorded:
            wrong.append(f"rule {name} applied to this change but is not in the record")
    return wrong


def verify(git: Git, ref: str = "main", since: date | None = None, progress: Progress | None = None) -> Verification:
    git.require_full_history()
    tip = git.resolve(ref)
    result = Verification(ref)
    commits = [c for c in log(git, tip, GOVERNED) if since is None or c.date_utc.date() >= since]
    on_main = set(git.run("rev-list", "--first-parent", tip).decode().split())
    all_records = read_all(git)
    checked = git.run(
        "cat-file", "--batch-check=%(objectname)", input_data="".join(f"{sha}\n" for sha in all_records).encode()
    ).decode()
    present = {line for line in checked.splitlines() if " " not in line}  # else "<sha> missing"
    authors = proposers(git, commits)
    revisions = _Revisions(git)
    for done, commit in enumerate(commits, 1):
        result.checked += 1
        when = commit.date_utc.isoformat()
        who = authors[commit.sha]
        files = sorted({p for ch in commit.changes for p in (ch.path, ch.old_path) if p})
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        records = all_records.get(commit.sha)
        if not records:
            result.problems.append(
                Problem(
                    "unrecorded",
                    commit.sha,
                    when,
                    who,
                    f"changed {shown} with no approval record (a direct push, or a merge that bypassed review)",
                    "Have the required reviewers review the change after the fact and record it (`martechgate "
                    f"record --commit {commit.sha[:12]} --verdict ... --push`), or revert it."
                    + (
                        ""
                        if commit.parents
                        else " If this first commit predates martechgate, verify from when "
                        "records began: --since YYYY-MM-DD."
                    ),
                )
            )
        else:
            result.recorded += 1
            record = latest(records)
            parent = commit.parents[0] if commit.parents else commit.sha
            try:
                organization = revisions.organization(parent)
                applied = rules_that_applied(revisions, commit, organization)
            except MartechgateError as error:
                result.problems.append(
                    Problem(
                        "record-invalid",
                        commit.sha,
                        when,
                        who,
                        f"the organisation file in force could not be read: {error.message}",
                        "The approvals cannot be re-checked: review this change by hand and note the outcome.",
                    )
                )
            else:
                for wrong in recheck(record, organization, applied, who):
                    result.problems.append(
                        Problem(
                            "approvals-insufficient",
                            commit.sha,
                            when,
                            who,
                            wrong,
                            "Have the missing reviewers approve after the fact and add a new record, or "
                            "revert the change.",
                        )
                    )
        if progress:
            progress(done, len(commits))
    for sha, records in sorted(all_records.items()):
        if sha not in present:
            result.problems.append(
                Problem(
                    "rewritten",
                    sha,
                    None,
                    None,
                    "an approval record points at a merge commit that no longer exists: history was rewritten",
                    f"Find who force-pushed {ref} (the remote's audit log) and restore the recorded commit.",
                )
            )
        elif sha not in on_main:
            recorded_at = latest(records).data.get("recorded_at")
            result.problems.append(
                Problem(
                    "rewritten",
                    sha,
                    str(recorded_at) if recorded_at else None,
                    None,
                    f"an approval record is on a commit that is no longer on {ref}'s first-parent history: "
                    f"{ref} was rewritten (reset and force-pushed) after the record",
                    f"Find who force-pushed {ref} and why; restore the recorded commit or record what replaced it.",
                )
            )
        else:
            for record in records:
                named = record.data.get("merge_commit")
                if named != sha:
                    result.problems.append(
                        Problem(
                            "record-invalid",
                            sha,
                            None,
                            None,
                            f"the record names the merge commit {named!r} but is attached to {sha}",
                            "Records are written by `martechgate record`; remove the copied note.",
                        )
                    )
    return result


class _Revisions:
    """Many revisions of one repository through one object reader; the organisation file parsed once
    per version of it."""

    def __init__(self, git: Git) -> None:
        self.path = git.path
        self.base: GitRevision | None = None
        self.parsed: dict[str | None, Organization] = {}

    def source(self, sha: str) -> GitRevision:
        self.base = self.base.at(sha) if self.base else GitRevision(self.path, sha)
        return self.base

    def organization(self, sha: str) -> Organization:
        source = self.source(sha)
        blob = source.object_id(ORG_FILE)
        if blob not in self.parsed:
            self.parsed[blob] = load_organization(source)
        return self.parsed[blob]
