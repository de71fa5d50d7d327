"""The one usage row every source is normalised to, and the per-app aggregate built from them.

A reader turns each record of an export into a `UsageRow` (someone used an app at a time), a
`Skipped` (a record that is not app usage: a failed sign-in, a non-SSO event; counted, not an error),
or a `RowProblem` (a record that should be usage but cannot be read; reported with where it is).
`Usage` folds rows into one `AppUsage` per app key as they stream past, so memory grows with the
number of distinct apps and (app, user) pairs, never with the number of rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

MAX_NAME = 200  # longer than any product name: a record with such a name is malformed, not an app
MAX_NAMES_KEPT = 8  # spellings kept per app (for matching and proposals); more add nothing


@dataclass(slots=True)  # not frozen: a frozen init costs a setattr per field, a million times
class UsageRow:
    source: str  # okta | entra | google | expenses
    app_key: str  # normalised name: the aggregation key across sources
    app_name: str  # as the source spells it
    user: str | None
    seen: datetime  # aware, UTC
    app_ids: tuple[str, ...] = ()  # Okta app instance id, Entra appId, Google client_id, domains
    department: str | None = None
    events: int = 1
    spend: Decimal | None = None
    currency: str | None = None
    scopes: tuple[str, ...] = ()
    mcc: str | None = None
    last_seen: datetime | None = None  # a usage table's row spans first (`seen`) to last; a record is one time


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that is not app usage (not an error): counted by reason."""

    reason: str


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A record that could not be read: which file, where in it, and why."""

    file: str
    where: str  # "line 12" (CSV, NDJSON), "[3]" or "value[3]" (JSON array index)
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about how a file was read; the rows were still used."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


@dataclass
class AppUsage:
    app_key: str
    names: Counter[str] = field(default_factory=Counter)
    app_ids: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    users: set[str] = field(default_factory=set)
    departments: Counter[str] = field(default_factory=Counter)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    events: int = 0
    spend: dict[str, Decimal] = field(default_factory=dict)  # currency ("" when unknown) -> total
    scopes: set[str] = field(default_factory=set)
    mccs: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        """The most used spelling (ties: the first seen)."""
        return self.names.most_common(1)[0][0] if self.names else self.app_key

    def add(self, row: UsageRow) -> None:
        names = self.names
        if row.app_name in names or len(names) < MAX_NAMES_KEPT:
            names[row.app_name] += row.events
        if row.app_ids:
            self.app_ids.update(row.app_ids)
        self.sources.add(row.source)
        if row.user:
            self.users.add(row.user)
        if row.department:
            self.departments[row.department] += 1
        seen = row.seen
        if self.first_seen is None or seen < self.first_seen:
            self.first_seen = seen
        last = row.last_seen or seen
        if self.last_seen is None or last > self.last_seen:
            self.last_seen = last
        self.events += row.events
        if row.spend is not None:
            currency = row.currency or ""
            self.spend[currency] = self.spend.get(currency, Decimal(0)) + row.spend
        if row.scopes:
            self.scopes.update(row.scopes)
        if row.mcc:
            self.mccs.add(row.mcc)

    def merge(self, other: AppUsage) -> None:
        for name, count in other.names.items():
            if name in self.names or len(self.names) < MAX_NAMES_KEPT:
                self.names[name] += count
        self.app_ids |= other.app_ids
        self.sources |= other.sources
        self.users |= other.users
        self.departments.update(other.departments)
        for seen in (other.first_seen, other.last_seen):
            if seen is not None:
                self.first_seen = seen if self.first_seen is None else min(self.first_seen, seen)
                self.last_seen = seen if self.last_seen is None else max(self.last_seen, seen)
        self.events += other.events
        for currency, amount in other.spend.items():
            self.spend[currency] = self.spend.get(currency, Decimal(0)) + amount
        self.scopes |= other.scopes
        self.mccs |= other.mccs


class Usage:
    """Rows folded per app key as they arrive, and each person's department where a source names it
    (an expense's cost centre; the latest, for people who moved), so a tool seen only in sign-in logs
    still shows who uses it."""

    def __init__(self) -> None:
        self.apps: dict[str, AppUsage] = {}
        self.department_of: dict[str, tuple[datetime, str]] = {}  # user -> their latest department

    def add(self, row: UsageRow) -> None:
        app = self.apps.get(row.app_key)
        if app is None:
            app = self.apps[row.app_key] = AppUsage(row.app_key)
        app.add(row)
        if row.department and row.user:
            known = self.department_of.get(row.user)
            seen = row.last_seen or row.seen
            if known is None or seen >= known[0]:
                self.department_of[row.user] = (seen, row.department)

    def departments(self, app: AppUsage) -> list[str]:
        """The app's users' departments, most users first; the rows' own where no user is known."""
        people = Counter(self.department_of[user][1] for user in app.users if user in self.department_of)
        return [name for name, _ in (people or app.departments).most_common()]


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (a bare date or naive time is UTC)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is UTC:  # `...Z`, what every log export writes
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def printable(text: str) -> str:
    """`text` with control characters as spaces: an OAuth app names itself, and an escape sequence in
    its name must not reach a reviewer's terminal."""
    return text if text.isprintable() else "".join(ch if ch.isprintable() else " " for ch in text)


def clean_name(value: object) -> str | None:
    """A usable app or user name: text, not blank, not absurdly long, nothing unprintable."""
    if not isinstance(value, str):
        return None
    text = printable(value).strip()
    return text if text and len(text) <= MAX_NAME else None


@lru_cache(maxsize=65536)  # a few thousand people sign in a million times
def _user(value: str) -> str | None:
    text = clean_name(value)
    return text.lower() if text else None


def clean_user(value: object) -> str | None:
    """A user's login or email, lower-cased (people type their e-mail in any case)."""
    return _user(value) if isinstance(value, str) else None


def describe_bad_name(value: object, field_name: str) -> str:
    if value is None:
        return f"no {field_name}"
    if not isinstance(value, str):
        return f"{field_name} is a {type(value).__name__}, not text"
    if not value.strip():
        return f"{field_name} is empty"
    return f"{field_name} is {len(value):,} characters long (over {MAX_NAME}); not a name"
