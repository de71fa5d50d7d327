"""The catalog as the reports read it: one `Tool` per entry, with typed contract fields.

Reports must run on the catalog as it is, including entries a pull request has not fixed yet. So this
reader is lenient where `martechgate check` is strict: a file that cannot be read (YAML error, not a
mapping, a second file with the same id) is skipped with a note; a field of the wrong type is treated
as absent, with a note on the tool. Nothing here raises on catalog content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from martechgate.check import identity
from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, get
from martechgate.check.vocabulary import DIRECTIONS

INACTIVE = ("retired", "denied")  # not in use: no spend, no consolidation

T = TypeVar("T")


@dataclass(frozen=True)
class Integration:
    target: str
    direction: str
    data: tuple[str, ...]
    method: str | None


@dataclass(frozen=True)
class Tool:
    id: str
    file: str
    name: str
    category: str | None
    status: str | None
    department: str | None
    owner_business: str | None
    owner_technical: str | None
    capabilities: tuple[str, ...]
    data_categories: tuple[str, ...]
    integrations: tuple[Integration, ...]
    annual_cost: float | None
    currency: str | None
    seats: int | None
    start: date | None
    renewal: date | None
    auto_renew: bool | None
    notice_days: int | None
    implementation_cost: float | None
    support_hours_month: float | None
    notes: tuple[str, ...] = ()  # fields ignored because of their type or value

    @property
    def active(self) -> bool:
        return self.status not in INACTIVE


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: skipped, {self.reason}"


@dataclass
class ToolSet:
    tools: list[Tool] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def by_id(self) -> dict[str, Tool]:
        return {tool.id: tool for tool in self.tools}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _as_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class _Reader:
    """Reads typed fields of one entry, noting every value it had to ignore."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.notes: list[str] = []

    def field(self, path: tuple[str, ...], accept: Callable[[Any], bool], kind: str) -> Any:
        value = get(self.data, *path)
        if value is None or value == "unknown":  # not known is not a wrong value: nothing to note
            return None
        if accept(value):
            return value
        self.notes.append(f"{'.'.join(path)} is not {kind}; ignored")
        return None

    def number(self, *path: str) -> float | None:
        value = self.field(path, lambda v: _is_number(v) and v >= 0, "a number of at least 0")
        return float(value) if value is not None else None

    def whole(self, *path: str) -> int | None:
        value = self.field(path, lambda v: _is_whole(v) and v >= 0, "a whole number of at least 0")
        return int(value) if value is not None else None

    def text(self, *path: str) -> str | None:
        value = self.field(path, _is_text, "text")
        return str(value) if value is not None else None

    def day(self, *path: str) -> date | None:
        value = self.field(path, lambda v: _as_date(v) is not None, "a date (YYYY-MM-DD)")
        return _as_date(value)

    def flag(self, *path: str) -> bool | None:
        value = self.field(path, lambda v: isinstance(v, bool), "true or false")
        return bool(value) if value is not None else None

    def people(self, *path: str) -> str | None:
        """An owner role as one line: its one value, or its several joined by commas."""
        value = self.field(path, lambda v: _is_text(v) or (isinstance(v, list) and all(map(_is_text, v))), "text")
        if value is None:
            return None
        return ", ".join(identity.owner_values(value)) or None

    def texts(self, *path: str) -> tuple[str, ...]:
        value = self.field(path, lambda v: isinstance(v, list), "a list")
        if value is None:
            return ()
        kept = tuple(dict.fromkeys(item for item in value if _is_text(item)))
        if not all(_is_text(item) for item in value):
            self.notes.append(f"{'.'.join(path)} has items that are not text; they were ignored")
        return kept

    def integrations(self) -> tuple[Integration, ...]:
        value = self.field(("integrations",), lambda v: isinstance(v, list), "a list")
        result = []
        for index, item in enumerate(value or []):
            target, direction = get(item, "target"), get(item, "direction")
            if not _is_text(target) or direction not in DIRECTIONS:
                self.notes.append(f"integrations.{index} has no target or no valid direction; ignored")
                continue
            data = get(item, "data")
            categories = tuple(c for c in data if _is_text(c)) if isinstance(data, list) else ()
            method = get(item, "method")
            result.append(Integration(target, direction, categories, method if _is_text(method) else None))
        return tuple(result)


def _tool(entry: Entry, data: dict[str, Any], tool_id: str) -> Tool:
    read = _Reader(data)
    currency = read.text("contract", "currency")
    return Tool(
        id=tool_id,
        file=entry.file,
        name=read.text("name") or tool_id,
        category=read.text("category"),
        status=read.text("status"),
        department=read.text("owners", "department"),
        owner_business=read.people("owners", "business"),
        owner_technical=read.people("owners", "technical"),
        capabilities=read.texts("capabilities"),
        data_categories=read.texts("data", "categories"),
        integrations=read.integrations(),
        annual_cost=read.number("contract", "annual_cost"),
        currency=currency.upper() if currency else None,
        seats=read.whole("contract", "seats"),
        start=read.day("contract", "start"),
        renewal=read.day("contract", "renewal"),
        auto_renew=read.flag("contract", "auto_renew"),
        notice_days=read.whole("contract", "notice_days"),
        implementation_cost=read.number("contract", "implementation_cost"),
        support_hours_month=read.number("contract", "support_hours_month"),
        notes=tuple(read.notes),
    )


def read_tools(catalog: Catalog) -> ToolSet:
    """Every readable entry as a Tool, in file order; the rest as Skipped with the reason."""
    result = ToolSet()
    seen: dict[str, str] = {}
    for entry in catalog.entries:
        data = entry.data
        if entry.loaded.problems:
            problem = entry.loaded.problems[0]
            where = f" (line {problem.line})" if problem.line else ""
            result.skipped.append(Skipped(entry.file, f"it could not be read{where}: {problem.message}"))
            continue
        if data is None:
            result.skipped.append(Skipped(entry.file, "it is not a mapping of fields"))
            continue
        tool_id = entry.id or entry.stem
        if tool_id in seen:
            reason = f"its id {tool_id!r} is already used by {seen[tool_id]}"
            result.skipped.append(Skipped(entry.file, reason))
            continue
        seen[tool_id] = entry.file
        result.tools.append(_tool(entry, data, tool_id))
    return result
