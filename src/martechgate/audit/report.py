"""The audit report: every catalog change in a period, as it landed on main.

For each change: when, which commit and pull request, who proposed it, who approved it for each
review rule (from the approval record, when there is one), what the check said at that commit (the
catalog and rules of that commit, judged as of its date), and the exceptions granted, changed,
removed or expired in the period. One row per event, so every format (CSV, JSON, Markdown, HTML)
carries the same facts.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import jinja2
import orjson

from martechgate import __version__
from martechgate.audit.history import (
    Ancestry,
    Commit,
    FileChange,
    Progress,
    _load,
    diff_values,
    end_of_day,
    log,
    proposers,
    value_of,
    words,
)
from martechgate.audit.records import GOVERNED, Record, Revisions, approvals_by_rule, check_record, latest, read_all
from martechgate.check import engine
from martechgate.check.cache import record_of
from martechgate.check.catalog import Catalog
from martechgate.check.judge import NO_DAY, ReadsToday, findings_of_day, findings_without_day, valid_waivers
from martechgate.check.model import CachedResult, Entry, Finding, Organization
from martechgate.check.organisation import load_organization
from martechgate.check.parallel import Dayless, judge_versions, rules_files
from martechgate.check.policy import Policy, load_policies
from martechgate.check.rules import RULES, known_rules
from martechgate.errors import MartechgateError
from martechgate.formats import tables
from martechgate.formats.controls import json_text
from martechgate.sources.git import Git
from martechgate.sources.parsing import available_cores
from martechgate.sources.repo import CATALOG_DIR, ORG_FILE, POLICIES_DIR, is_entry_file
from martechgate.sources.revision import GitRevision
from martechgate.sources.yamlload import Loaded, Problem, load_bytes

FORMATS = ("csv", "json", "markdown", "html")

COLUMNS = (
    tables.Column("date", "date"),
    tables.Column("commit", "commit"),
    tables.Column("pull_request", "PR", "right"),
    tables.Column("tool", "tool"),
    tables.Column("event", "event"),
    tables.Column("proposer", "proposer"),
    tables.Column("approvers", "approvers"),
    tables.Column("record", "record"),
    tables.Column("check", "check at commit"),
    tables.Column("detail", "detail"),
)


@dataclass
class AuditReport:
    ref: str
    since: date
    until: date
    extracted_at: datetime
    tip: str | None
    events: list[dict[str, Any]] = field(default_factory=list)
    dates_backwards: list[str] = field(default_factory=list)

    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "ref": self.ref,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "read_at_commit": self.tip,
            "extracted_at": self.extracted_at.isoformat(timespec="seconds"),
            "events": len(self.events),
            "changes": len({(e["commit"], e["tool"]) for e in self.events if e["commit"]}),
        }
        if self.dates_backwards:
            meta["dates_backwards"] = self.dates_backwards
        return meta


class _Checker:
    """The check at each commit (its own catalog and rules, as of its date), without reading any tree.

    The governed files are listed once, at the parent of the first commit of the period; each commit's
    raw diff (already in the log) then moves that listing forward, and every blob is read by one
    `git cat-file --batch`. The rules are loaded once per version of martechgate.yaml and policies/,
    each entry once per blob: a commit costs a few milliseconds.
    """

    def __init__(self, git: Git, commits: list[Commit]) -> None:
        self.git = git
        self.state: dict[str, tuple[str, str]] = {}  # path -> (mode, blob)
        first = commits[0] if commits else None
        if first is not None and first.parents:
            self.state = git.tree(first.parents[0], *GOVERNED)
        wanted = {blob for _, blob in self.state.values()}
        wanted |= {b for c in commits for ch in c.changes for b in (ch.old_blob, ch.new_blob) if b}
        self.contents = git.blobs(wanted)
        # Every version of an entry the period holds, in the order the commits need them, parsed ahead
        # of them (on every core when there are thousands) and, by the rules in force when the period
        # starts, judged there for what no day changes; organisation and policy files are read by
        # their own loaders.
        versions = {blob: path for path, (_, blob) in sorted(self.state.items()) if is_entry_file(path)}
        for commit in commits:
            for change in commit.changes:
                if change.new_blob and is_entry_file(change.path):
                    versions.setdefault(change.new_blob, change.path)
        # The rules as the first commit leaves them (the period may start at the repository's first).
        after_first = dict(self.state)
        if first is not None:
            self._move(after_first, first)
        self.first_rules = _rules_key(after_first)
        self.key = _rules_key(self.state)  # the rules' files at the commit being judged
        self.paths: list[str] | None = None  # its entries' paths, in order
        self.ahead = judge_versions(
            [(path, blob, self.contents[blob]) for blob, path in versions.items() if blob in self.contents],
            rules_files(GitRevision(git.path, first.sha, git=git)) if first is not None else None,
            available_cores(),
        )
        self.prejudged: dict[tuple[str, str], Dayless] = {}  # (path, blob): judged by the first rules
        self.rules: dict[tuple[Any, ...], tuple[Organization, list[Policy], dict[str, Any]] | str] = {}
        self.entries: dict[tuple[str, str], Entry] = {}
        # An entry's own findings depend on its bytes, the rules and the day alone, and most of them not
        # even on the day: what no day changes is judged once per (file, blob, rules), the rest once
        # per (file, blob, rules, day). Commits come many a day and change one file each.
        self.dayless: dict[tuple[Any, ...], tuple[bool, tuple[Finding, ...], list[Any]]] = {}
        self.judged: dict[tuple[Any, ...], Entry] = {}  # judged entries, by (path, blob, rules, day)
        self.shapes: dict[str, Any] = {}  # blob id -> what rules comparing entries read of it
        self.compared: dict[tuple[Any, ...], list[Finding]] = {}
        self.parsed: dict[str, Loaded] = {}  # blob id -> parsed: each version is parsed once

    def load(self, blob: str | None) -> tuple[Any, str | None]:
        """A version's value (or its first problem) by blob id; (None, None) for no version."""
        data = self.contents.get(blob or "")
        if blob is None or data is None:
            return None, None
        return value_of(self._parsed(blob, data))

    def _parsed(self, blob: str, data: bytes) -> Loaded:
        found = self.parsed.get(blob)
        while found is None:
            ready = next(self.ahead, None)
            if ready is None:  # not among the versions parsed ahead (an old version of a renamed file)
                found = self.parsed[blob] = load_bytes(data)
            else:
                path, ready_blob, loaded, dayless = ready
                self.parsed[ready_blob] = loaded
                if dayless is not None:
                    self.prejudged[(path, ready_blob)] = dayless
                found = self.parsed.get(blob)
        return found

    def advance(self, commit: Commit) -> None:
        self._move(self.state, commit)

    @staticmethod
    def _move(state: dict[str, tuple[str, str]], commit: Commit) -> None:
        for change in commit.changes:
            if change.old_path is not None:
                state.pop(change.old_path, None)
            if change.status != "D" and change.new_blob:
                state[change.path] = (change.new_mode, change.new_blob)

    def _entry(self, path: str, mode: str, blob: str) -> Entry:
        key = (path, blob)
        if key not in self.entries:
            data = self.contents.get(blob)
            if mode not in _FILE_MODES or data is None:
                problem = Problem("file-refused", "a link or a submodule, not a file: it was not read")
                self.entries[key] = Entry(path, Loaded(problems=[problem]), None)
            else:
                self.entries[key] = Entry(path, self._parsed(blob, data), blob)
        return self.entries[key]

    def verdict(self, commit: Commit) -> tuple[str, dict[str, list[str]] | None]:
        """The overall verdict at `commit`, and the blocking rules by file (None if it could not run)."""
        self.advance(commit)
        # Most commits change one entry's content: the rules and the list of entries are worked out
        # again only when a commit changes what they come from.
        if any(_is_rules_file(p) for change in commit.changes for p in (change.path, change.old_path) if p):
            self.key = _rules_key(self.state)
        if any(change.status != "M" for change in commit.changes) or self.paths is None:
            self.paths = [path for path in sorted(self.state) if is_entry_file(path)]
        key = self.key
        if key not in self.rules:
            try:
                source = GitRevision(self.git.path, commit.sha, git=self.git)
                policies = load_policies(source, reserved_ids=RULES)
                self.rules[key] = (load_organization(source), policies, known_rules(policies))
            except MartechgateError as error:
                self.rules[key] = f"could not run: {error.message}"
        rules = self.rules[key]
        if isinstance(rules, str):
            return rules, None
        day = commit.date_utc.date()
        judged = []
        catalogs: tuple[Catalog, Catalog] | None = None  # made when an entry is to be judged
        for path in self.paths:
            mode, blob = self.state[path]
            # keyed as _entry reads it: a link or a submodule has no blob, whatever its content
            memo = (path, blob if mode in _FILE_MODES else None, key, day)
            done = self.judged.get(memo)
            if done is not None:
                judged.append(done)
                continue
            if catalogs is None:
                entries = [self._entry(p, *self.state[p]) for p in self.paths]
                catalog = Catalog(entries, rules[0], rules[1], day, known_rules=rules[2])
                catalogs = (catalog, Catalog(entries, rules[0], rules[1], NO_DAY, known_rules=rules[2]))
            catalog, dayless = catalogs
            entry = self._entry(path, mode, blob)
            base = self.dayless.get(memo[:3])
            if base is None:
                ahead = self.prejudged.pop((entry.file, entry.blob or ""), None) if key == self.first_rules else None
                if ahead is not None:  # judged in a worker, by these very rules
                    base = (ahead[0], ahead[1], [RULES[rule] for rule in ahead[2]])
                else:
                    found, daily = findings_without_day(dayless, entry)
                    base = (dayless.is_valid(entry), tuple(found), daily)
                self.dayless[memo[:3]] = base
            valid, found_without_day, daily = base
            own = CachedResult(
                valid,
                found_without_day + tuple(findings_of_day(catalog, entry, daily)),
                tuple(valid_waivers(catalog, entry)),
            )
            done = self.judged[memo] = Entry(entry.file, entry.loaded, entry.blob, own)
            judged.append(done)
        whole = Catalog(judged, rules[0], rules[1], day, known_rules=rules[2])
        result = engine.run(whole, catalog_findings=self._compared(key, judged, whole))
        by_file: dict[str, list[str]] = {}
        for finding in result.report.findings:
            if finding.blocking and finding.file:
                by_file.setdefault(finding.file, []).append(finding.rule)
        overall = "passed" if result.report.passed else f"{result.report.blocking} blocking in the catalog"
        return overall, by_file

    def _compared(self, key: tuple[Any, ...], judged: list[Entry], catalog: Catalog) -> list[Finding]:
        """The findings of the rules comparing entries (`judged`, by `catalog`'s rules and day): they read
        only what the result cache keeps of an entry, so they stand while that stays the same (most
        commits change a cost or a date); they are run on a catalog without a day, and run for the day,
        and not kept, should one read it."""
        shapes = tuple((entry.file, self._shape(entry)) for entry in judged)
        found = self.compared.get((key, shapes))
        if found is None:
            rules = (catalog.organization, catalog.policies)
            try:
                found = engine.compare(Catalog(judged, *rules, NO_DAY, known_rules=catalog.known_rules))
            except ReadsToday:
                return engine.compare(Catalog(judged, *rules, catalog.today, known_rules=catalog.known_rules))
            self.compared[(key, shapes)] = found
        return found

    def _shape(self, entry: Entry) -> Any:
        """What rules comparing entries read of `entry` (cache.record_of's projection and locations), as a
        key; a file that did not load cleanly stands for itself."""
        if entry.blob is None:
            return ("refused",)
        shape = self.shapes.get(entry.blob)
        if shape is None:
            assert entry.cached is not None
            record = record_of(entry, entry.cached.valid, [], [])
            shape = self.shapes[entry.blob] = ("blob", entry.blob) if record is None else orjson.dumps(record[:3])
        return shape


_FILE_MODES = ("100644", "100755")


def _is_rules_file(path: str) -> bool:
    return path == ORG_FILE or path.startswith(POLICIES_DIR + "/")


def _rules_key(state: dict[str, tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The governed files the check's rules come from (organisation file, policies), by blob id."""
    return tuple(sorted((p, b) for p, (_, b) in state.items() if _is_rules_file(p)))


def _approvers(git: Git, revisions: Revisions, records: list[Record]) -> tuple[str, str]:
    """Who approved, by rule, from the commit's latest valid record; a record that is not signed by an
    allowed key or not bound to this commit counts for nothing (the `record` column says why)."""
    if not records:
        return "", "none"
    faults = [check_record(git, revisions, record) for record in records]
    valid = [record for record, fault in zip(records, faults, strict=True) if fault is None]
    if not valid:
        return "", f"invalid ({', '.join(sorted({fault[0] for fault in faults if fault}))})"
    verdict = latest(valid).verdict
    try:
        by_rule = approvals_by_rule(verdict)
    except (KeyError, TypeError, AttributeError):
        return "", "unreadable"

    def named(people: list[Any]) -> str:
        return ", ".join(f"{a.login} ({a.group})" for a in people) or "nobody"

    text = "; ".join(f"{name}: {named(people)}" for name, people in by_rule.items())
    return text, "approved" if verdict.get("approved") is True else "not approved"


def _exception_events(old: Any, new: Any) -> list[tuple[str, str]]:
    def by_rule(value: Any) -> dict[str, dict[str, Any]]:
        items = value.get("exceptions") if isinstance(value, dict) else None
        if not isinstance(items, list):
            return {}
        return {str(i.get("rule")): i for i in items if isinstance(i, dict)}

    before, after = by_rule(old), by_rule(new)
    events = []
    for rule, item in after.items():
        if rule not in before:
            events.append(("exception-granted", _describe_exception(item)))
        elif before[rule] != item:
            change = "; ".join(f.words() for f in diff_values(before[rule], item))
            events.append(("exception-changed", f"{rule}: {change}"))
    events += [("exception-removed", _describe_exception(item)) for rule, item in before.items() if rule not in after]
    return events


def _describe_exception(item: dict[str, Any]) -> str:
    parts = [
        str(item.get("rule")),
        f"approved by {words(item.get('approved_by'))}",
        f"expires {words(item.get('expires'))}",
    ]
    if item.get("ticket"):
        parts.append(f"ticket {item['ticket']}")
    if item.get("reason"):
        parts.append(f"reason: {item['reason']}")
    return ", ".join(parts)


def _tool(change: FileChange) -> str:
    return change.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def build(
    git: Git, since: date, until: date, ref: str = "main", progress: Progress | None = None, now: datetime | None = None
) -> AuditReport:
    git.require_full_history()
    start = datetime.combine(since, time(0), tzinfo=UTC)
    # Commits that change the rules are walked too (the check at later commits depends on them); only
    # catalog changes become events.
    # The period is read by ancestry, not by the dates committers wrote: a backdated commit lands after
    # its parent, never in a period already audited.
    ancestry = Ancestry.of(git, ref)
    commits = ancestry.between(log(git, ref, GOVERNED), start, end_of_day(until))  # oldest first
    records = read_all(git)
    revisions = Revisions(git)
    authors = proposers(git, commits)
    report = AuditReport(ref, since, until, now or datetime.now(UTC), ancestry.as_of(end_of_day(until)))
    report.dates_backwards = list(ancestry.backwards)
    checker = _Checker(git, commits)
    for done, commit in enumerate(commits, 1):
        overall, blocking = checker.verdict(commit)
        proposer = authors[commit.sha]
        approvers, recorded = _approvers(git, revisions, records.get(commit.sha, []))
        base = {
            "date": commit.date_utc.isoformat(),
            "commit": commit.sha,
            "pull_request": commit.pull_request,
            "proposer": proposer,
            "approvers": approvers,
            "record": recorded,
        }
        for change in commit.changes:
            if not any(p.startswith(CATALOG_DIR + "/") for p in (change.path, change.old_path) if p):
                continue
            old, old_problem = checker.load(change.old_blob)
            new, new_problem = checker.load(change.new_blob)
            rules = blocking.get(change.path, []) if blocking is not None else []
            check = f"blocking: {', '.join(sorted(set(rules)))}" if rules else "passed"
            if blocking is None:
                check = overall
            elif not rules and overall != "passed":  # this entry passes, but the catalog did not
                check += f" ({overall})"
            if new_problem:
                detail = f"unreadable at this commit: {new_problem}"
            elif change.status == "M":
                detail = "; ".join(f.words() for f in diff_values(old, new)) or "formatting only"
            elif change.status == "R":
                detail = f"renamed from {change.old_path}"
            else:
                detail = ""
            event = {"A": "added", "M": "changed", "D": "removed", "R": "renamed"}[change.status]
            tool = _tool(change)
            report.events.append({**base, "tool": tool, "event": event, "check": check, "detail": detail})
            if not old_problem and not new_problem:
                for kind, text in _exception_events(old, new):
                    report.events.append({**base, "tool": tool, "event": kind, "check": check, "detail": text})
        if progress:
            progress(done, len(commits))
    # Expiries slot in by date; the changes keep the order in which they landed on the branch.
    expired = sorted(_expired(git, report.tip, since, until), key=lambda e: (e["date"], e["tool"]))
    report.events = list(heapq.merge(report.events, expired, key=lambda e: str(e["date"])))
    return report


def _expired(git: Git, tip: str | None, since: date, until: date) -> list[dict[str, Any]]:
    """Exceptions in the catalog at the end of the period whose expiry falls inside it."""
    if tip is None:
        return []
    source = GitRevision(git.path, tip, git=git)
    events = []
    for path in source.list_yaml(CATALOG_DIR, recursive=True):
        value, _ = _load(source.read(path).data)
        items = value.get("exceptions") if isinstance(value, dict) else None
        for item in items if isinstance(items, list) else []:
            try:
                expires = date.fromisoformat(str(item.get("expires"))) if isinstance(item, dict) else None
            except ValueError:
                continue
            if expires is not None and since <= expires <= until:
                events.append(
                    {
                        "date": expires.isoformat(),
                        "commit": None,
                        "pull_request": None,
                        "tool": path.rsplit("/", 1)[-1].rsplit(".", 1)[0],
                        "event": "exception-expired",
                        "proposer": None,
                        "approvers": None,
                        "record": None,
                        "check": None,
                        "detail": _describe_exception(item),
                    }
                )
    return events


_CHANGE_EVENTS = ("added", "changed", "removed", "renamed")
_BLOCKING = "blocking: "
_RECORD_CLASS = {"approved": "pass", "none": "warn"}  # any other: a record that does not approve


def _blocking_rules(check: str | None) -> set[str]:
    return set(check[len(_BLOCKING) :].split(", ")) if check and check.startswith(_BLOCKING) else set()


def _verdict(check: str | None) -> tuple[str, str]:
    """The words and the style of the check's verdict on one change."""
    if check is None:
        return "not run", "warn"
    if check == "passed":
        return "passed", "pass"
    if check.startswith("passed"):  # this entry passed; the catalog around it did not
        return "passed, catalog blocking", "warn"
    if check.startswith(_BLOCKING):
        return "blocking", "fail"
    return "check could not run", "warn"


def _when(stamp: str) -> str:
    """ "2026-04-02T10:00:00+00:00" as a person reads it: "2026-04-02 10:00 UTC" (the log's times are UTC)."""
    day, _, clock = stamp.partition("T")
    return f"{day} {clock[:5]} UTC" if clock else day


def _record_reason(record: str) -> str | None:
    if record == "approved":
        return None
    if record == "none":
        return "no approval record"
    if record == "not approved":
        return "its approval record does not approve it"
    return f"approval record {record}"


def html_view(report: AuditReport) -> dict[str, Any]:
    """What the HTML report shows: one card per change (a tool at a commit) with the exception events of
    that change beside it, the blocking findings each change introduced (rules that did not block the
    tool's previous change in the period), the changes an auditor should read first, and counts."""
    changes: list[dict[str, Any]] = []
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    blocked_before: dict[str, set[str]] = {}
    expiries = []
    for event in report.events:
        if event["event"] == "exception-expired":
            expiries.append(event)
            continue
        key = (event["commit"], event["tool"])
        if event["event"] not in _CHANGE_EVENTS and key in by_key:
            by_key[key]["exceptions"].append(event)
            continue
        rules = _blocking_rules(event["check"])
        verdict_text, verdict_class = _verdict(event["check"])
        reasons = []
        if verdict_class == "fail":
            reasons.append(f"the check blocked it ({', '.join(sorted(rules))})")
        elif event["check"] is not None and not event["check"].startswith("passed"):
            reasons.append(event["check"])
        if (reason := _record_reason(event["record"])) is not None:
            reasons.append(reason)
        change = {
            **event,
            "anchor": f"change-{len(changes) + 1}",
            "when": _when(event["date"]),
            "verdict_text": verdict_text,
            "verdict_class": verdict_class,
            "record_class": "pass"
            if event["record"] == "approved"
            else "fail"
            if event["record"] != "none"
            else "warn",
            "introduced": sorted(rules - blocked_before.get(event["tool"], set())),
            "reasons": reasons,
            "exceptions": [] if event["event"] in _CHANGE_EVENTS else [event],
        }
        blocked_before[event["tool"]] = rules
        by_key[key] = change
        changes.append(change)
    exceptions = sum(len(c["exceptions"]) for c in changes)
    return {
        "changes": changes,
        "attention": [c for c in changes if c["reasons"]],
        "expiries": expiries,
        "counts": {
            "approved": sum(c["record"] == "approved" for c in changes),
            "not_approved": sum(c["record"] not in ("approved", "none") for c in changes),
            "no_record": sum(c["record"] == "none" for c in changes),
            "blocked": sum(c["verdict_class"] == "fail" or c["verdict_text"] == "check could not run" for c in changes),
            "exceptions": exceptions,
        },
    }


@functools.cache
def _html_template() -> jinja2.Template:
    """Compiled on first use, so no other command pays for it. Autoescape: catalog text is never markup."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("martechgate", "templates/audit"), autoescape=True)
    return env.get_template("report.html")


def render(report: AuditReport, fmt: str) -> str:
    title = f"Catalog changes on {report.ref}, {report.since.isoformat()} to {report.until.isoformat()}"
    if fmt == "html":
        return _html_template().render(title=title, meta=report.meta(), version=__version__, **html_view(report))
    if fmt == "json":
        return json_text({"schema_version": 1, "meta": report.meta(), "events": report.events}, indent=2) + "\n"
    renderer: Callable[[tables.Table], str] = tables.RENDERERS[fmt]
    return renderer(tables.Table(COLUMNS, report.events, title=title, meta=report.meta()))
