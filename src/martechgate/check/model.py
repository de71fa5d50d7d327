"""The values the core passes around: organisation, entries, findings, reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from martechgate.check.money import Money
from martechgate.sources.yamlload import Loaded, Path


@dataclass(frozen=True)
class Group:
    name: str
    members: tuple[str, ...] = ()
    github_team: str | None = None


@dataclass(frozen=True)
class ReviewRule:
    name: str
    when: Mapping[str, Any]
    require: Mapping[str, int]
    # line and column of the rule's `require` in martechgate.yaml, for findings about the rule
    where: tuple[int | None, int | None] = field(default=(None, None), compare=False)


@dataclass(frozen=True)
class ReviewSettings:
    rules: tuple[ReviewRule, ...] = ()
    distinct_reviewers: bool = True
    author_can_approve: bool = False
    dismiss_stale: bool = True


DEFAULT_ROLE_LABELS = {"business": "Business owner", "technical": "Technical owner"}


@dataclass(frozen=True)
class Organization:
    name: str
    categories: tuple[str, ...]
    groups: Mapping[str, Group]
    review: ReviewSettings
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    money: Money = field(default_factory=Money)

    def role_label(self, role: str) -> str:
        """What an owner role is called here: `owner_roles` in the organisation file, else the default
        (the starter's business owner is marketing's, the technical owner IT's)."""
        given = self.raw.get("owner_roles")
        label = given.get(role) if isinstance(given, Mapping) else None
        return str(label) if label else DEFAULT_ROLE_LABELS.get(role, f"{role} owner")

    def group_logins(self) -> dict[str, tuple[str, ...]]:
        """Each group's members (GitHub logins), for owners written as a group."""
        return {name: group.members for name, group in self.groups.items()}


@dataclass(frozen=True)
class CachedResult:
    """What an earlier run found in an identical file under identical rules: its own findings (before
    waivers) and whether it fitted the schema. The entry's `loaded` then holds only the fields that
    rules comparing entries read, with their locations."""

    valid: bool
    findings: Sequence[Finding]
    waivers: tuple[Waiver, ...] = ()
    # Each finding's baseline fingerprint (check/baseline.fingerprint), taken while the entry was whole:
    # the projection a cached entry keeps may not hold the value at a finding's path.
    fingerprints: Sequence[str] = ()


@dataclass(frozen=True)
class Entry:
    """One catalog file as read: its value (None when unreadable) and where each part of it stands."""

    file: str
    loaded: Loaded = field(compare=False, repr=False)
    blob: str | None = None
    cached: CachedResult | None = field(default=None, compare=False, repr=False)

    @property
    def data(self) -> dict[str, Any] | None:
        value = self.loaded.value
        return value if isinstance(value, dict) else None

    @property
    def id(self) -> str | None:
        """The entry's declared id when it is text, else the file's stem (so findings still name it)."""
        data = self.data
        if data is not None and isinstance(data.get("id"), str):
            return str(data["id"])
        return self.stem

    @property
    def stem(self) -> str:
        name = self.file.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0]

    def where(self, path: Path, *, missing: bool = False) -> tuple[int | None, int | None]:
        return self.loaded.where_key(path) if missing else self.loaded.where(path)


def dotted(path: Path | None) -> str | None:
    if path is None or len(path) == 0:
        return None
    return ".".join(str(part) for part in path)


@dataclass(frozen=True)
class Waiver:
    """The exception that waived a finding."""

    rule: str
    approved_by: str
    ticket: str | None
    expires: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"approved_by": self.approved_by, "ticket": self.ticket, "expires": self.expires, "reason": self.reason}


@dataclass(frozen=True)
class Baselined:
    """The baseline item (baseline.yaml) that makes a finding known, not blocking, until it is due."""

    due: str
    owner: str

    def to_dict(self) -> dict[str, Any]:
        return {"due": self.due, "owner": self.owner}


@dataclass(frozen=True)
class Finding:
    rule: str
    entry: str | None
    file: str | None
    line: int | None
    column: int | None
    path: str | None
    severity: str
    enforcement: str
    message: str
    remediation: str
    waived_by: Waiver | None = None
    baselined: Baselined | None = None  # set only while the item matches and is not yet due

    @property
    def blocking(self) -> bool:
        if self.baselined is not None:  # hard ones too: the baseline is the one way to defer those
            return False
        if self.enforcement == "hard":
            return True
        if self.enforcement == "soft":
            return self.waived_by is None
        return False

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line or 0, self.column or 0, self.rule)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "entry": self.entry,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "blocking": self.blocking,
            "message": self.message,
            "remediation": self.remediation,
            "waived_by": self.waived_by.to_dict() if self.waived_by else None,
            "baselined": self.baselined.to_dict() if self.baselined else None,
        }


@dataclass(frozen=True)
class Report:
    entries: int
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> int:
        return sum(1 for finding in self.findings if finding.blocking)

    @property
    def passed(self) -> bool:
        return self.blocking == 0

    def to_dict(self, version: str) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "tool": {"name": "martechgate", "version": version},
            "summary": {
                "entries": self.entries,
                "findings": len(self.findings),
                "blocking": self.blocking,
                "passed": self.passed,
                "waived": sum(1 for f in self.findings if f.waived_by is not None),
                "baselined": sum(1 for f in self.findings if f.baselined is not None),
            },
            "findings": [finding.to_dict() for finding in self.findings],
        }


def get(data: Any, *keys: str | int) -> Any:
    """Nested lookup that answers None for anything missing or of the wrong kind."""
    for key in keys:
        if isinstance(data, dict) and isinstance(key, str):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data
