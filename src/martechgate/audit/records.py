"""Approval records: signed, bound to their merge commit, hash-chained; and main checked against them.

A record is written by CI after a merge (`martechgate record`), as one line of JSON in a git note
under `refs/notes/martechgate` on the merge commit (the format is documented in docs/records.md):

    {"record": {"schema_version": 2, "sequence": 7, "previous": "<sha256 of record 6>",
                "signer": "martechgate-ci", "recorded_at": ..., "tool": ...,
                "binding": {"merge_commit", "tree", "parents", "pull_request", "base", "head", "files"},
                "policy_pack": ..., "check": ..., "verdict": <review --format json>},
     "signature": "-----BEGIN SSH SIGNATURE-----..."}

- The binding ties the record to one commit: its tree, its parents, the pull request and the base
  and head the review judged, and the governed files the merge changed. `record` refuses a verdict
  whose head and base are not the merged change; `verify` recomputes the binding from git.
- The records form one append-only chain, in the order they were written: each names its
  sequence number and the sha256 of the previous record (canonical JSON: sorted keys, no spaces).
  A deleted record leaves a gap, a reordered or replaced one breaks a link. The chain's first record
  is pinned by its hash (`.martechgate/first-record` on the branch, or `verify --first-record`).
- The signature is an SSH signature (`ssh-keygen -Y sign`, namespace `martechgate-record`) over the
  canonical record, by a key listed in `.martechgate/allowed_signers` at the merge's first parent: a
  pull request that adds a key cannot have its own record signed by it.

Each record is one line, so two records on one commit survive a notes merge with `cat_sort_uniq`.
`publish` fetches, merges, writes the record on top of the remote's chain and pushes; when someone
else pushed first, it takes its record back and writes it again after theirs.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from martechgate.audit import signing
from martechgate.audit.history import Ancestry, Commit, Progress, commit_info, log, proposers
from martechgate.check import engine
from martechgate.check.model import Organization
from martechgate.check.organisation import load_organization
from martechgate.errors import MartechgateError, RepoError, UsageError
from martechgate.gate import review
from martechgate.gate.applicable import matching_pattern, rules_for_change
from martechgate.sources import git as gitq
from martechgate.sources.changes import Change, ChangeSet
from martechgate.sources.git import Git
from martechgate.sources.github import GitHubClient
from martechgate.sources.repo import CATALOG_DIR, ORG_FILE, POLICIES_DIR
from martechgate.sources.revision import GitRevision
from martechgate.words import count

NOTES_REF = "refs/notes/martechgate"
_INCOMING = "refs/notes/martechgate-incoming"
SCHEMA_VERSION = 2
RECORDS_DIR = ".martechgate"
FIRST_RECORD = f"{RECORDS_DIR}/first-record"
GOVERNED = (CATALOG_DIR, POLICIES_DIR, ORG_FILE, RECORDS_DIR)
# What is governed whatever the review rules say; each review rule's `paths` add to it.
GOVERNED_PATTERNS = (f"{CATALOG_DIR}/**", f"{POLICIES_DIR}/**", ORG_FILE, f"{RECORDS_DIR}/**")
PUSH_ATTEMPTS = 6
_SHA = re.compile(r"^[0-9a-f]{40}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
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
    for key in ("base", "head"):
        if not isinstance(verdict.get(key), str) or not _SHA.match(verdict[key]):
            raise UsageError(
                f"the verdict names no {key} commit (`{key}`: a full commit id)",
                hint=hint + " A review of a working tree judged no commit, so it cannot be recorded.",
            )
    return verdict


# ----- the record, its hash and its signature -----------------------------------------------------


def canonical(record: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def record_hash(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


@dataclass(frozen=True)
class Record:
    """One line of a note: the record, its signature, or why the line could not be read."""

    merge_commit: str  # the commit the note is attached to
    data: dict[str, Any]  # the record (empty when unreadable)
    signature: str | None = None
    error: str | None = None  # why this line is not a record at all

    @property
    def verdict(self) -> dict[str, Any]:
        value = self.data.get("verdict")
        return value if isinstance(value, dict) else {}

    @property
    def binding(self) -> dict[str, Any]:
        value = self.data.get("binding")
        return value if isinstance(value, dict) else {}

    @property
    def sequence(self) -> int | None:
        value = self.data.get("sequence")
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None

    @property
    def hash(self) -> str:
        return record_hash(self.data)

    def line(self) -> str:
        return json.dumps({"record": self.data, "signature": self.signature}, ensure_ascii=False, sort_keys=True)


def parse_line(target: str, line: str) -> Record:
    try:
        value = json.loads(line)
    except ValueError:
        return Record(target, {}, error="the note holds a line that is not JSON")
    if not isinstance(value, dict):
        return Record(target, {}, error="the note holds a line that is not a JSON object")
    record = value.get("record")
    if not isinstance(record, dict):
        # A note of the first format (schema_version 1) was the record itself, unsigned.
        return Record(target, value)
    signature = value.get("signature")
    return Record(target, record, signature if isinstance(signature, str) else None)


def read_all(git: Git) -> dict[str, list[Record]]:
    """Every note line, by the commit it is attached to (a commit may carry more than one record).
    Lines that are not records are kept, with the reason, so that verify can report them."""
    out = git.run("notes", f"--ref={NOTES_REF}", "list", check=False).decode()
    pairs = [line.split() for line in out.splitlines() if len(line.split()) == 2]
    contents = git.blobs(note for note, _ in pairs)
    result: dict[str, list[Record]] = {}
    for note, target in pairs:
        raw = contents.get(note, b"")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            result[target] = [Record(target, {}, error="the note is not UTF-8 text")]
            continue
        result[target] = [parse_line(target, line) for line in text.splitlines() if line.strip()]
    return result


def latest(records: Sequence[Record]) -> Record:
    """The most recent of a commit's records (a re-run after a fix): the highest in the chain (not the
    last line: a notes merge with cat_sort_uniq sorts the lines of a note)."""
    return max(records, key=lambda record: (record.sequence or -1, str(record.data.get("recorded_at") or "")))


# ----- what a record binds ------------------------------------------------------------------------


def governed_patterns(organization: Organization | None) -> tuple[str, ...]:
    """The paths whose changes need a record: the governance repo's own, and every path a review rule
    names (so `.github/**` when the governance rule covers it)."""
    named: list[str] = []
    for rule in organization.review.rules if organization else ():
        paths = rule.when.get("paths")
        if isinstance(paths, list):
            named += [p for p in paths if isinstance(p, str) and p not in named]
    return GOVERNED_PATTERNS + tuple(p for p in named if p not in GOVERNED_PATTERNS)


def is_governed(path: str, patterns: Sequence[str]) -> bool:
    return matching_pattern(patterns, path) is not None


def governed_changes(git: Git, old: str, new: str, patterns: Sequence[str]) -> dict[str, str | None]:
    """The governed paths that differ between two commits, with their blob at `new` (None: deleted)."""
    return {c.path: c.new_blob for c in git.diff(old, new, renames=False) if is_governed(c.path, patterns)}


def bind(
    git: Git, revisions: Revisions, shape: gitq.CommitShape, verdict: Mapping[str, Any], pull_request: int | None
) -> tuple[dict[str, Any], list[str]]:
    """What a record of `verdict` on this commit binds, and why the verdict is not of this change."""
    head, base = verdict.get("head"), verdict.get("base")
    wrong: list[str] = []
    parent = shape.parents[0] if shape.parents else None
    patterns = governed_patterns(revisions.organization_or_none(parent) if parent else None)
    files = governed_changes(git, parent, shape.sha, patterns) if parent else {}
    binding = {
        "merge_commit": shape.sha,
        "tree": shape.tree,
        "parents": list(shape.parents),
        "pull_request": pull_request,
        "base": base,
        "head": head,
        "files": sorted(files),
    }
    if parent is None:
        return binding, ["the commit has no parent: there is no change to bind (records begin after it)"]
    if not isinstance(head, str) or not isinstance(base, str):
        return binding, ["the verdict names no base and head commit"]
    for name, sha in (("head", head), ("base", base)):
        if git.object_type(sha) != "commit":
            wrong.append(f"the verdict's {name} {sha[:12]} is not in this clone")
    if wrong:
        return binding, wrong
    if len(shape.parents) > 1 and shape.parents[1] != head:
        wrong.append(
            f"the verdict judged the head {head[:12]}, but this merge brought in {shape.parents[1][:12]}: "
            "it is the verdict of another change"
        )
    if not gitq.is_ancestor(git, base, parent):
        wrong.append(f"the verdict's base {base[:12]} is not in the history this change was merged into")
    start = git.merge_base(base, head)
    reviewed = governed_changes(git, start, head, patterns) if start else {}
    unreviewed = sorted(path for path in files if path not in reviewed)
    if unreviewed:
        wrong.append(f"the commit changes {', '.join(unreviewed[:5])}, which the reviewed change did not")
    differ = sorted(path for path in files if path in reviewed and reviewed[path] != files[path])
    if differ:
        wrong.append(f"{', '.join(differ[:5])} differ from what was reviewed at {head[:12]}")
    return binding, wrong


def binding_differences(recorded: Mapping[str, Any], recomputed: Mapping[str, Any]) -> list[str]:
    return [
        f"{key}: the record says {recorded.get(key)!r}, git says {recomputed.get(key)!r}"
        for key in ("merge_commit", "tree", "parents", "base", "head", "files")
        if recorded.get(key) != recomputed.get(key)
    ]


def signature_problem(
    revisions: Revisions, record: Record, allowed_signers: bytes | None = None
) -> tuple[str, str] | None:
    """(kind, why) the record's signature does not hold, or None when it does; judged with the allowed
    signers of the record's base (its merge's first parent), or those given. The kind is `unsigned` or
    `signature-invalid`."""
    if record.signature is None or record.data.get("schema_version") != SCHEMA_VERSION:
        return "unsigned", "the record is not signed (a hand-written note, or one from before records were signed)"
    parents = record.binding.get("parents")
    parent = parents[0] if isinstance(parents, list) and parents and isinstance(parents[0], str) else None
    if parent is None or not _SHA.match(parent):
        return "signature-invalid", "the record names no parent commit, so no allowed signers apply"
    allowed = revisions.allowed_signers(parent) if allowed_signers is None else allowed_signers
    if allowed is None:
        return "signature-invalid", (
            f"no allowed signers: {signing.ALLOWED_SIGNERS} is not in {parent[:12]}, the base of this record"
        )
    signer = record.data.get("signer")
    checked = signing.check(canonical(record.data), record.signature, str(signer or ""), allowed)
    if checked.valid:
        return None
    return "signature-invalid", (
        f"the signature does not verify for signer {signer!r} with the allowed signers of {parent[:12]} "
        f"({checked.reason}): the record was edited, or signed by a key that was not allowed"
    )


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
        catalog = engine.load_catalog(
            GitRevision(git.path, commit, git=git), GitRevision(git.path, rules_commit, git=git), today
        )
        report = engine.run(catalog).report
    except MartechgateError as error:
        return {"error": error.message}
    summary: dict[str, Any] = report.to_dict("")["summary"]
    summary["blocking_rules"] = sorted({f"{f.entry}: {f.rule}" for f in report.findings if f.blocking})
    return summary


def chain_tip(revisions: Revisions, all_records: Mapping[str, Sequence[Record]]) -> Record | None:
    """The newest record whose signature holds: the one a new record follows. A record nobody could
    sign (a forged note with a high sequence number) is passed over, never chained onto."""
    candidates = sorted(
        (r for records in all_records.values() for r in records if r.sequence is not None and r.signature),
        key=lambda r: r.sequence or 0,
        reverse=True,
    )
    for candidate in candidates:
        if signature_problem(revisions, candidate) is None:
            return candidate
    return None


@dataclass(frozen=True)
class SigningKey:
    path: Path
    principal: str = signing.DEFAULT_PRINCIPAL


def write(
    git: Git,
    rev: str,
    verdict: Any,
    key: SigningKey,
    *,
    pr_number: int | None = None,
    version: str = "",
    now: datetime | None = None,
) -> Record:
    """Sign and attach the record of `verdict` to the merge commit `rev`, after the chain's newest record.

    Raises UsageError (exit 2), writing nothing, when the verdict is not of this change or the key is
    not one the base branch allows.
    """
    verdict = validate_verdict(verdict)
    shape = gitq.commit_shape(git, git.resolve(rev))
    if shape is None:
        raise RepoError(f"the git revision {rev!r} does not exist here")
    commit = commit_info(git, shape.sha)
    revisions = Revisions(git)
    binding, wrong = bind(git, revisions, shape, verdict, pr_number if pr_number is not None else commit.pull_request)
    if wrong:
        raise UsageError(
            f"the verdict is not of the change merged in {shape.sha[:12]}: " + "; ".join(wrong),
            hint="Record the verdict of the pull request that this commit merged: run `martechgate review "
            "--format json` for it (its base and head as merged), then record it with --commit set to the "
            "merge commit. Nothing was written.",
        )
    first_parent = shape.parents[0]
    tip = chain_tip(revisions, read_all(git))
    data = {
        "schema_version": SCHEMA_VERSION,
        "sequence": 0 if tip is None else (tip.sequence or 0) + 1,
        "previous": None if tip is None else tip.hash,
        "signer": key.principal,
        "tool": {"name": "martechgate", "version": version},
        "recorded_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "binding": binding,
        "policy_pack": policy_pack_hash(git, first_parent),
        "check": check_summary(git, shape.sha, first_parent, commit.date_utc.date()),
        "verdict": verdict,
    }
    record = Record(shape.sha, data, signing.sign(canonical(data), key.path))
    refused = signature_problem(revisions, record)
    if refused is not None:
        raise UsageError(
            f"this key cannot sign records here: {refused[1]}",
            hint=f"List the key's public half for {key.principal!r} in {signing.ALLOWED_SIGNERS} on the base "
            f'branch (`{key.principal} namespaces="{signing.NAMESPACE}" ssh-ed25519 AAAA...`), through a '
            "reviewed pull request. Nothing was written.",
        )
    # append: a second record on the same commit (a re-run) keeps the first; each record is one line.
    git.run(
        "notes",
        f"--ref={NOTES_REF}",
        "append",
        "-F",
        "-",
        shape.sha,
        input_data=record.line().encode(),
        env=_identity(git),
    )
    return record


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
            hint="Nothing was recorded. Check `git remote -v` and the credentials "
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


def publish(git: Git, remote: str, make: Callable[[], Record], attempts: int = PUSH_ATTEMPTS) -> tuple[Record, int]:
    """Write a record on top of the remote's chain and push it; the record and the tries it took.

    When someone else pushed a record in between (the push is not a fast-forward), the local record
    is taken back, theirs fetched, and the record written again after theirs: the chain stays one
    line, never a fork.
    """
    for attempt in range(1, attempts + 1):
        if _fetch(git, remote):
            _merge_incoming(git)
        before = git.run("rev-parse", "--verify", "--quiet", NOTES_REF, check=False).decode().strip()
        record = make()
        pushed = git.attempt("push", "--porcelain", remote, f"{NOTES_REF}:{NOTES_REF}")
        if pushed.returncode == 0:
            return record, attempt
        said = (pushed.stdout + pushed.stderr).decode("utf-8", "replace")
        # Someone pushed a record in between (non-fast-forward), or the remote was updating the ref at
        # that instant (cannot lock ref): fetch, merge, retry. Anything else (no access) is final.
        if not re.search(r"rejected|fetch first|non-fast-forward|cannot lock ref|failed to update ref", said):
            last = said.strip().splitlines()[-1] if said.strip() else "no message"
            raise RepoError(
                f"git push to {remote} failed: {last}",
                hint="The record is written locally; check the remote and the token's permission "
                "(contents: write), then run record --push again.",
            )
        if attempt < attempts:
            if before:
                git.run("update-ref", NOTES_REF, before)
            else:
                git.run("update-ref", "-d", NOTES_REF)
            time.sleep(min(0.1 * 2**attempt, 3.0) * (0.5 + random.random()))
    raise RepoError(
        f"could not push {NOTES_REF} to {remote} after {attempts} tries",
        hint="The record is written locally; run record --push again once the remote accepts pushes "
        "(check the token's permissions: contents: write).",
    )


# ----- verifying -------------------------------------------------------------------------------

# unrecorded, unsigned, signature-invalid, binding-mismatch, chain-broken, rewritten, record-invalid,
# approvals-insufficient, reviews-differ
_REMEDY = {
    "unsigned": "Records are written and signed by CI (`martechgate record` with the signing key). Remove "
    "the hand-written note, and have the change reviewed and recorded, or revert it.",
    "signature-invalid": "Find who wrote this note (`git log -p refs/notes/martechgate`) and remove it; have "
    "the change reviewed and recorded by CI, or revert it. If CI's key was rotated, list the new key in "
    "the allowed signers through a reviewed pull request before it signs.",
    "binding-mismatch": "This record is of another change (replayed, copied or re-attached), or the commit "
    "was rewritten: remove the note from this commit, then have the change reviewed and recorded.",
    "record-invalid": "Remove the unreadable note (`git notes --ref=martechgate remove COMMIT`) and have the "
    "change recorded by CI.",
}


@dataclass(frozen=True)
class Problem:
    kind: str
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
    first_record: str | None = None  # the pinned hash the chain was verified from
    notes: list[str] = field(default_factory=list)  # facts that are not failures (dates going backwards)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "ref": self.ref,
            "changes_checked": self.checked,
            "recorded": self.recorded,
            "first_record": self.first_record,
            "passed": not self.problems,
            "problems": [p.to_dict() for p in self.problems],
            "notes": self.notes,
        }

    def render(self) -> str:
        lines = [f"Verified {count(self.checked, 'governance change')} on {self.ref} ({self.recorded} with a record)."]
        lines += [f"note: {text}" for text in self.notes]
        for p in self.problems:
            when = f" {p.date}" if p.date else ""
            by = f" by {p.author}" if p.author else ""
            lines += [f"{p.kind}: {p.commit[:12]}{when}{by}", f"    {p.message}", f"    What to do: {p.remedy}"]
        if self.checked and not self.recorded:
            lines.append(
                f"No approval record was found in {NOTES_REF}. If they exist on the remote, fetch "
                f"them first: git fetch origin '{NOTES_REF}:{NOTES_REF}'"
            )
        lines.append("No problems." if not self.problems else f"{count(len(self.problems), 'problem')}.")
        return "\n".join(lines) + "\n"


def rules_that_applied(revisions: Revisions, commit: Commit, organization: Organization) -> list[str]:
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
                wrong.append(f"rule {name} needs {count(needed, 'approval')} from {group_name}, the record has {have}")
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


def check_record(git: Git, revisions: Revisions, record: Record) -> tuple[str, str] | None:
    """(kind, message) of what is wrong with one record on its own, or None when it holds: readable,
    signed by an allowed key, and bound to the commit it is attached to."""
    if record.error:
        return "record-invalid", record.error
    unsigned = signature_problem(revisions, record)
    if unsigned is not None:
        return unsigned
    binding = record.binding
    if binding.get("merge_commit") != record.merge_commit:
        return "binding-mismatch", (
            f"the record is of the commit {str(binding.get('merge_commit'))[:12]} (pull request "
            f"#{binding.get('pull_request')}) but is attached to {record.merge_commit[:12]}: a replayed record"
        )
    verdict = record.verdict
    if verdict.get("head") != binding.get("head") or verdict.get("base") != binding.get("base"):
        return "binding-mismatch", "the recorded verdict's base and head are not the ones the record binds"
    shape = gitq.commit_shape(git, record.merge_commit)
    if shape is None:
        return None  # the commit is gone: reported as a rewrite
    recomputed, wrong = bind(git, revisions, shape, verdict, binding.get("pull_request"))
    differences = binding_differences(binding, recomputed)
    if differences or wrong:
        return "binding-mismatch", "the record does not match its commit: " + "; ".join(differences + wrong)
    return None


def chain_problems(records: Iterable[Record], pin: str | None) -> list[tuple[str, str]]:
    """(commit, message) for each break in the chain of signed records: a gap, a fork, a link that
    names another record, a first record that is not the pinned one."""
    by_hash = {record.hash: record for record in records}
    by_sequence: dict[int, list[Record]] = {}
    for record in by_hash.values():
        if record.sequence is not None:
            by_sequence.setdefault(record.sequence, []).append(record)
    problems: list[tuple[str, str]] = []
    if not by_sequence:
        return problems
    for sequence in range(max(by_sequence) + 1):
        found = by_sequence.get(sequence)
        if not found:
            after = by_sequence.get(min(s for s in by_sequence if s > sequence))
            problems.append(
                (
                    after[0].merge_commit if after else "",
                    f"record {sequence} of the chain is missing (a record was deleted)",
                )
            )
            continue
        if len(found) > 1:
            problems.append(
                (found[0].merge_commit, f"{len(found)} different records claim place {sequence} of the chain")
            )
        for record in found:
            previous = record.data.get("previous")
            if sequence == 0:
                if previous is not None:
                    problems.append((record.merge_commit, "the first record names a previous record"))
                if pin is not None and record.hash != pin:
                    problems.append(
                        (record.merge_commit, f"the chain's first record is {record.hash}, not the pinned {pin}")
                    )
                continue
            before = [r.hash for r in by_sequence.get(sequence - 1, [])]
            if before and previous not in before:
                problems.append(
                    (
                        record.merge_commit,
                        f"record {sequence} names {str(previous)[:16]}… as the previous record, but record "
                        f"{sequence - 1} is {before[0][:16]}…: the chain was reordered or a record replaced",
                    )
                )
    return problems


def untrusted_signers(
    git: Git, revisions: Revisions, commits: Sequence[Commit], valid: Mapping[str, list[Record]], anchor: Record | None
) -> dict[str, tuple[list[Record], str]]:
    """Records whose signature holds only by a key that an unreviewed change allowed, by commit, with
    the commit that made that change.

    The allowed signers in force are those at the first record's base, then those written by each
    later change that has a valid record. A direct push that adds a key is reported as unrecorded, and
    must not make what that key signs valid: where a record's base holds other allowed signers, the
    record must also verify under those in force. `commits` are oldest first."""
    found: dict[str, tuple[list[Record], str]] = {}
    parents = anchor.binding.get("parents") if anchor else None
    if anchor is None or not isinstance(parents, list) or not parents:
        return found
    trusted = current = revisions.source(str(parents[0])).object_id(signing.ALLOWED_SIGNERS)
    writer = ""
    started = False
    for commit in commits:
        started = started or commit.sha == anchor.merge_commit
        if not started:
            continue
        before = current
        for change in commit.changes:
            if signing.ALLOWED_SIGNERS in (change.path, change.old_path):
                current = change.new_blob if change.path == signing.ALLOWED_SIGNERS and change.status != "D" else None
        held = valid.get(commit.sha, [])
        if held and before != trusted:
            allowed = git.blobs([trusted]).get(trusted, b"") if trusted else b""
            bad = [r for r in held if signature_problem(revisions, r, allowed) is not None]
            if bad:
                found[commit.sha] = (bad, writer)
            held = [r for r in held if r not in bad]
        if current != before:
            if held:
                trusted = current
            else:
                writer = commit.sha
    return found


def read_pin(git: Git, tip: str, given: str | None) -> tuple[str | None, str | None]:
    """The pinned first record's hash (from --first-record, else the branch's .martechgate/first-record)
    and a problem with it, if any."""
    source = GitRevision(git.path, tip, git=git)
    stored = source.read(FIRST_RECORD).data if source.exists(FIRST_RECORD) else None
    pinned = stored.decode("utf-8", "replace").strip() if stored is not None else None
    if given is not None and pinned is not None and given != pinned:
        return given, f"--first-record {given} is not the hash pinned in {FIRST_RECORD} ({pinned})"
    pin = given or pinned
    if pin is not None and not _HASH.match(pin):
        return None, f"the pinned first record {pin!r} is not a sha256 (64 hexadecimal digits)"
    return pin, None


def verify(
    git: Git,
    ref: str = "main",
    since: date | None = None,
    progress: Progress | None = None,
    *,
    first_record: str | None = None,
    github: GitHubReviews | None = None,
) -> Verification:
    if first_record is not None and not _HASH.match(first_record):
        raise UsageError(
            f"--first-record {first_record!r} is not a record's sha256 (64 hexadecimal digits)",
            hint=f"Give the hash verify printed for the first record, or the one in {FIRST_RECORD}.",
        )
    git.require_full_history()
    tip = git.resolve(ref)
    result = Verification(ref)
    ancestry = Ancestry.of(git, tip)
    position = ancestry.position
    result.notes = list(ancestry.backwards)
    all_records = read_all(git)
    revisions = Revisions(git)

    # 1. Each record on its own: readable, signed by an allowed key, bound to its commit.
    valid: dict[str, list[Record]] = {}
    signed: list[Record] = []
    for sha, records in sorted(all_records.items()):
        for record in records:
            fault = check_record(git, revisions, record)
            if fault is None or fault[0] == "binding-mismatch":
                signed.append(record)
            if fault is None:
                valid.setdefault(sha, []).append(record)
            elif sha in position:  # records on commits gone from the branch are reported as rewrites
                result.problems.append(Problem(fault[0], sha, None, None, fault[1], _REMEDY[fault[0]]))

    # 2. The chain of signed records, from the pinned first one.
    pin, pin_problem = read_pin(git, tip, first_record)
    result.first_record = pin
    if pin_problem:
        result.problems.append(Problem("chain-broken", tip, None, None, pin_problem, "Pin the right hash."))
    for sha, message in chain_problems(signed, pin):
        result.problems.append(
            Problem(
                "chain-broken",
                sha,
                None,
                None,
                message,
                "Restore the missing or replaced note from a copy of refs/notes/martechgate (a clone, CI's "
                "log) and find who rewrote it (the remote's audit log); the records after the break cannot "
                "be trusted until then.",
            )
        )
    if pin is None and signed:
        first = min(signed, key=lambda r: r.sequence or 0)
        result.notes.append(
            f"the chain's first record is not pinned: commit its hash ({first.hash}) as {FIRST_RECORD}, "
            "or pass --first-record, so that a replaced beginning is found"
        )
    genesis = next((r for r in signed if pin is not None and r.hash == pin), None)
    start_at = position.get(genesis.merge_commit, 0) if genesis else 0
    everything = ancestry.between(log(git, tip, ()), None, None)

    # 3. Keys count once a reviewed change listed them, never by a direct push alone.
    anchor = genesis or min(signed, key=lambda r: r.sequence or 0, default=None)
    for sha, (bad, writer) in untrusted_signers(git, revisions, everything, valid, anchor).items():
        valid[sha] = [r for r in valid[sha] if r not in bad]
        result.problems.append(
            Problem(
                "signature-invalid",
                sha,
                None,
                None,
                f"the record is signed by a key that only an unreviewed change allowed: {signing.ALLOWED_SIGNERS} "
                f"was changed by {writer[:12]}, which has no valid record",
                "Revert the unreviewed change to the allowed signers, or have it reviewed and recorded; then "
                "have the changes this key signed reviewed and recorded by CI.",
            )
        )

    # 4. Every governed change on the branch, in ancestry order.
    from_day = datetime.combine(since, datetime.min.time(), tzinfo=UTC) if since else None
    commits = [c for c in ancestry.between(everything, from_day, None) if position[c.sha] >= start_at]
    authors = proposers(git, commits)
    for done, commit in enumerate(commits, 1):
        parent = commit.parents[0] if commit.parents else None
        patterns = governed_patterns(revisions.organization_or_none(parent) if parent else None)
        files = sorted({p for ch in commit.changes for p in (ch.path, ch.old_path) if p and is_governed(p, patterns)})
        if progress:
            progress(done, len(commits))
        if not files:
            continue
        result.checked += 1
        when = commit.date_utc.isoformat()
        who = authors[commit.sha]
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        held = valid.get(commit.sha)
        if not held:
            invalid = bool(all_records.get(commit.sha))
            result.problems.append(
                Problem(
                    "unrecorded",
                    commit.sha,
                    when,
                    who,
                    f"changed {shown} with no "
                    + ("valid " if invalid else "")
                    + "approval record (a direct push, or a merge that bypassed review)",
                    "Have the required reviewers review the change after the fact and record it (`martechgate "
                    f"record --commit {commit.sha[:12]} --verdict ... --push`), or revert it."
                    + (
                        ""
                        if commit.parents
                        else " If this first commit predates martechgate, pin the first record "
                        f"({FIRST_RECORD}): verify starts there."
                    ),
                )
            )
            continue
        result.recorded += 1
        record = latest(held)
        try:
            organization = revisions.organization(parent or commit.sha)
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
                        "Have the missing reviewers approve after the fact and add a new record, or revert the change.",
                    )
                )
        if github is not None:
            for wrong in github.differences(record):
                result.problems.append(
                    Problem(
                        "reviews-differ",
                        commit.sha,
                        when,
                        who,
                        wrong,
                        "Compare the pull request's reviews on GitHub with the record; a record that claims "
                        "approvals GitHub does not show was not written from this pull request.",
                    )
                )

    # 5. Records whose commit is gone from the branch: history rewritten after the record.
    present = set(position)
    for sha, gone in sorted(all_records.items()):
        if sha in present:
            continue
        exists = git.object_type(sha) == "commit"
        recorded_at = latest(gone).data.get("recorded_at")
        result.problems.append(
            Problem(
                "rewritten",
                sha,
                str(recorded_at) if recorded_at and exists else None,
                None,
                f"an approval record is on a commit that is no longer on {ref}'s first-parent history: "
                f"{ref} was rewritten (reset and force-pushed) after the record"
                if exists
                else "an approval record points at a merge commit that no longer exists: history was rewritten",
                f"Find who force-pushed {ref} (the remote's audit log) and why; restore the recorded commit "
                "or have what replaced it reviewed and recorded.",
            )
        )
    return result


# ----- the reviews on GitHub -----------------------------------------------------------------------


@dataclass
class GitHubReviews:
    """Re-reads each recorded pull request from GitHub, and says where it differs from the record."""

    client: GitHubClient
    repository: str

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> GitHubReviews:
        repository, token = env.get("GITHUB_REPOSITORY", ""), env.get("GITHUB_TOKEN", "")
        if not repository or not token:
            raise UsageError(
                "verify --github needs GITHUB_REPOSITORY (owner/name) and GITHUB_TOKEN in the environment",
                hint="In GitHub Actions: `env: GITHUB_TOKEN: ${{ github.token }}` (pull-requests: read). "
                "GITHUB_API_URL names a GitHub Enterprise server.",
            )
        return cls(GitHubClient(env.get("GITHUB_API_URL") or "https://api.github.com", token), repository)

    def differences(self, record: Record) -> list[str]:
        number = record.binding.get("pull_request")
        if not isinstance(number, int) or isinstance(number, bool):
            return ["the record names no pull request, so its reviews cannot be compared with GitHub's"]
        pull = self.client.pull_request(self.repository, number)
        wrong = []
        head = pull.get("head", {}).get("sha") if isinstance(pull.get("head"), dict) else None
        if head != record.binding.get("head"):
            wrong.append(
                f"pull request #{number}'s head on GitHub is {str(head)[:12]}, the record's is "
                f"{str(record.binding.get('head'))[:12]}"
            )
        if pull.get("merged") is False:
            wrong.append(f"pull request #{number} is not merged on GitHub")
        try:
            reviews = review.parse_reviews(self.client.reviews(self.repository, number), f"pull request #{number}")
        except UsageError as error:
            return [*wrong, f"GitHub's reviews of #{number} are not as documented: {error.message}"]
        verdicts = review.latest_verdicts(reviews)
        for seats in approvals_by_rule(record.verdict).values():
            for seat in seats:
                given = verdicts.get(seat.login.lower())
                if given is None or given.state != review.APPROVED:
                    state = given.state if given else "no review"
                    wrong.append(
                        f"the record counts {seat.login} for {seat.group}, but GitHub shows {state} from "
                        f"{seat.login} on pull request #{number}"
                    )
        return wrong


class Revisions:
    """Many revisions of one repository through one object reader; the organisation file parsed once
    per version of it."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self.path = git.path
        self.base: GitRevision | None = None
        self.parsed: dict[str | None, Organization | None] = {}
        self.signers: dict[str, bytes | None] = {}

    def source(self, sha: str) -> GitRevision:
        self.base = self.base.at(sha) if self.base else GitRevision(self.path, sha, git=self.git)
        return self.base

    def organization(self, sha: str) -> Organization:
        source = self.source(sha)
        blob = source.object_id(ORG_FILE)
        if blob not in self.parsed or self.parsed[blob] is None:
            self.parsed[blob] = load_organization(source)
        found = self.parsed[blob]
        assert found is not None
        return found

    def organization_or_none(self, sha: str) -> Organization | None:
        """The organisation file at `sha`, or None when it is absent or invalid there (the governed
        paths are then the built-in ones)."""
        source = self.source(sha)
        blob = source.object_id(ORG_FILE)
        if blob not in self.parsed:
            try:
                self.parsed[blob] = load_organization(source)
            except MartechgateError:
                self.parsed[blob] = None
        return self.parsed[blob]

    def allowed_signers(self, sha: str) -> bytes | None:
        if sha not in self.signers:
            try:
                found = self.source(sha).read(signing.ALLOWED_SIGNERS)
            except MartechgateError:
                found = None
            self.signers[sha] = found.data if found is not None else None
        return self.signers[sha]
