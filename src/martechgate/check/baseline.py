"""baseline.yaml: the findings a repository had when it adopted martechgate, each due to be fixed.

An adopting company's catalog starts with findings everywhere; the baseline records them (rule,
entry, field path and a fingerprint of the offending value) so that `check` reports them as known,
not blocking, until their due date, while anything new or changed blocks at once. A finding matches
an item only when the value at its path is still the one baselined: a worsened value is new.

The baseline is a governance file like martechgate.yaml: a malformed one stops the check (exit 2,
located) rather than being half-read, since reading part of it would unblock or block findings
nobody chose. A diff-aware check reads it from the base branch, so a change cannot baseline its own
new findings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import yaml

from martechgate.check import schemas
from martechgate.check.identity import canonical_email, owner_values
from martechgate.check.model import Baselined, Entry, Finding
from martechgate.errors import ConfigError, UsageError
from martechgate.sources.repo import Source
from martechgate.sources.yamlload import load_bytes

BASELINE_FILE = "baseline.yaml"
API_VERSION = "martechgate/baseline-v1"
DEFAULT_DAYS = 90

Key = tuple[str, str | None, str | None]  # rule, entry, path

_HEADER = (
    "# Findings known when this repository adopted martechgate (`martechgate baseline` writes this file).\n"
    "# Each is reported as known and does not block until its due date, or until the value it points\n"
    "# at changes. Fix them and re-run `martechgate baseline` to drop them. Changes here need the\n"
    "# governance reviewers.\n"
)


@dataclass(frozen=True)
class Item:
    rule: str
    entry: str | None
    path: str | None
    fingerprint: str
    due: date
    owner: str

    @property
    def key(self) -> Key:
        return (self.rule, self.entry, self.path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "entry": self.entry,
            "path": self.path,
            "fingerprint": self.fingerprint,
            "due": self.due.isoformat(),
            "owner": self.owner,
        }


@dataclass(frozen=True)
class Baseline:
    items: tuple[Item, ...] = ()

    @property
    def by_key(self) -> dict[Key, Item]:
        return {item.key: item for item in self.items}


def _sort_key(item: Item) -> tuple[str, str, str]:
    return (item.entry or "", item.rule, item.path or "")


def finding_key(finding: Finding) -> Key:
    return (finding.rule, finding.entry or finding.file, finding.path)


def value_at(data: Any, path: str | None) -> Any:
    """The value at a finding's dotted path (None when it is missing: a missing value is a value)."""
    if path is None:
        return data
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def fingerprint(finding: Finding, entry: Entry | None) -> str:
    """sha256 of the canonical JSON of the rule, entry, path and the offending value. A file that is
    not a readable mapping is fingerprinted by its bytes' git id, so any edit to it is a change. An
    entry restored from the result cache holds only a projection: its own findings' fingerprints were
    kept when it was whole (a finding of a rule comparing entries reads a projected value)."""
    cached = entry.cached if entry is not None else None
    if cached is not None and cached.fingerprints:
        key = finding_key(finding)
        for own, kept in zip(cached.findings, cached.fingerprints, strict=False):
            if finding_key(own) == key:
                return kept
    if entry is None:
        value: Any = None
    elif entry.data is None:
        value = {"blob": entry.blob}
    else:
        value = value_at(entry.data, finding.path)
    rule, entry_name, path = finding_key(finding)
    canonical = json.dumps(
        {"rule": rule, "entry": entry_name, "path": path, "value": value},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,  # a YAML date or time reads as its text
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse(raw: bytes, file: str = BASELINE_FILE) -> Baseline:
    """A baseline file's items; ConfigError (exit 2), located, when it is malformed."""
    hint = "Fix the file by hand, or delete it and run `martechgate baseline` to write it afresh."
    loaded = load_bytes(raw, max_bytes=MAX_BYTES, max_nodes=MAX_NODES)
    if loaded.problems:
        first = loaded.problems[0]
        raise ConfigError(first.message, file=file, line=first.line, column=first.column, hint=hint)
    value = loaded.value
    if not isinstance(value, dict):
        raise ConfigError(
            f"{file} must be a mapping with apiVersion and findings", file=file, line=1, column=1, hint=hint
        )
    error = schemas.first_error("baseline", value, loaded)
    if error is not None:
        message, line, column = error
        raise ConfigError(message, file=file, line=line, column=column, hint=hint)
    items: dict[Key, Item] = {}
    for index, raw_item in enumerate(value["findings"]):
        try:
            due = date.fromisoformat(raw_item["due"])
        except ValueError:
            line, column = loaded.where(("findings", index, "due"))
            raise ConfigError(
                f"due is {raw_item['due']!r}, which is not a date", file=file, line=line, column=column, hint=hint
            ) from None
        item = Item(
            raw_item["rule"], raw_item["entry"], raw_item["path"], raw_item["fingerprint"], due, raw_item["owner"]
        )
        if item.key in items:
            line, column = loaded.where(("findings", index))
            raise ConfigError(
                f"this item repeats rule {item.rule}, entry {item.entry}, path {item.path}; keep one",
                file=file,
                line=line,
                column=column,
                hint=hint,
            )
        items[item.key] = item
    return Baseline(tuple(sorted(items.values(), key=_sort_key)))


# A baseline holds every finding of an adopted catalog: 10,000 imported entries with six findings each
# make a 7.5 MB file of 250,000 YAML nodes, far over an entry's limits (1 MiB, 100,000 nodes), which
# check would then refuse. It is still bounded, against a file that would exhaust memory.
MAX_BYTES = 32 * 1024 * 1024
MAX_NODES = 1_500_000


class Memo(Protocol):
    """Somewhere to keep a parsed baseline by its blob id (the result cache): a big baseline takes
    seconds to parse with the located loader, and is the same file run after run."""

    def baseline_rows(self, blob: str) -> list[Any] | None: ...

    def keep_baseline_rows(self, blob: str, rows: list[Any]) -> None: ...


def load(source: Source, memo: Memo | None = None) -> Baseline:
    """The baseline in `source` (the work tree, or a revision such as the base branch's tip); an
    empty one when there is no file. With a `memo`, a file parsed before (same bytes) is not parsed."""
    if not source.exists(BASELINE_FILE):
        return Baseline()
    file = source.read(BASELINE_FILE, limit=MAX_BYTES)
    if file.data is None:
        message = file.refused.message if file.refused else "the file could not be read"
        raise ConfigError(message, file=BASELINE_FILE, hint="baseline.yaml must be a plain file.")
    rows = memo.baseline_rows(file.blob) if memo is not None and file.blob else None
    if rows is not None:
        try:
            return Baseline(tuple(Item(r, e, p, f, date.fromisoformat(d), o) for r, e, p, f, d, o in rows))
        except (TypeError, ValueError):
            pass  # kept in another shape: parse the file again
    parsed = parse(file.data)
    if memo is not None and file.blob:
        memo.keep_baseline_rows(
            file.blob, [[i.rule, i.entry, i.path, i.fingerprint, i.due.isoformat(), i.owner] for i in parsed.items]
        )
    return parsed


def apply(baseline: Baseline, findings: Iterable[Finding], entries: Iterable[Entry], today: date) -> list[Finding]:
    """Mark each blocking finding the baseline knows, with the same value, and not yet due, as known
    (then it does not block). One whose value changed, or whose due date has passed, blocks and says so."""
    findings = list(findings)
    if not baseline.items:
        return findings
    known = baseline.by_key
    by_file = {entry.file: entry for entry in entries}
    result = []
    for finding in findings:
        item = known.get(finding_key(finding))
        if item is not None and finding.blocking:
            entry = by_file.get(finding.file or "")
            if item.fingerprint != fingerprint(finding, entry):
                note = f" (baselined, but the value has changed since, so it blocks; it was due {item.due})"
                finding = dataclasses.replace(finding, message=finding.message + note)
            elif item.due < today:
                note = f" (baselined, but it was due {item.due}: fix it, or agree a new due date in {BASELINE_FILE})"
                finding = dataclasses.replace(finding, message=finding.message + note)
            else:
                finding = dataclasses.replace(finding, baselined=Baselined(item.due.isoformat(), item.owner))
        result.append(finding)
    return result


@dataclass(frozen=True)
class Update:
    """What `martechgate baseline` would write: the new baseline and what changed."""

    baseline: Baseline
    added: int
    kept: int
    changed: int  # baselined before, with another value: the new value is recorded, the due date kept
    removed: int


def _business_owner(entry: Entry | None) -> str | None:
    data = entry.data if entry is not None else None
    owners = data.get("owners") if data is not None else None
    given = owners.get("business") if isinstance(owners, dict) else None
    # the first business owner written as an email: the one a due reminder can reach
    return next((o.strip() for o in owner_values(given) if canonical_email(o) is not None), None)


def update(
    previous: Baseline,
    findings: Iterable[Finding],
    entries: Iterable[Entry],
    due: date,
    owner: str | None,
) -> Update:
    """Today's blocking findings as a baseline. A finding already baselined with the same value keeps
    its due date and owner, and so does one whose value changed (re-running never postpones a
    deadline); a new one gets `due` and `owner` (default: the entry's business owner). Fixed findings
    drop out."""
    if owner is not None and canonical_email(owner) is None:
        raise UsageError(f"--owner is {owner!r}; write an email address")
    by_file = {entry.file: entry for entry in entries}
    old = previous.by_key
    items: dict[Key, Item] = {}
    added = kept = changed = 0
    ownerless: list[str] = []
    for finding in findings:
        if not finding.blocking:
            continue
        entry = by_file.get(finding.file or "")
        key = finding_key(finding)
        mark = fingerprint(finding, entry)
        before = old.get(key)
        if before is not None:
            # A changed value keeps the due date it had: re-running never postpones a deadline.
            items[key] = dataclasses.replace(before, fingerprint=mark)
            kept += before.fingerprint == mark
            changed += before.fingerprint != mark
            continue
        who = owner or _business_owner(entry)
        if who is None:
            ownerless.append(key[1] or "(repository)")
            continue
        items[key] = Item(*key, mark, due, who)
        added += 1
    if ownerless:
        raise UsageError(
            f"no owner for the findings of {', '.join(sorted(set(ownerless))[:5])}: the entry has no business "
            "owner's email",
            hint="Name who fixes them with --owner EMAIL. Nothing was written.",
        )
    removed = sum(1 for key in old if key not in items)
    return Update(Baseline(tuple(sorted(items.values(), key=_sort_key))), added, kept, changed, removed)


def render(baseline: Baseline) -> str:
    body = {"apiVersion": API_VERSION, "findings": [item.to_dict() for item in baseline.items]}
    return _HEADER + yaml.safe_dump(body, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)
