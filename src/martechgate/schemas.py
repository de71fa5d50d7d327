"""The packaged JSON Schemas, validators with martechgate's date keywords, and errors in plain words.

Validation uses jsonschema-rs (draft 2020-12, in Rust): on the entry and policy schemas it is about
65 times faster than python-jsonschema, which is what lets a full check stay within twice a bare
YAML parse. Custom keywords cover what JSON Schema cannot say about dates relative to today.
"""

from __future__ import annotations

import calendar
import difflib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from martechgate.yamlload import Loaded, Path

SCHEMA_NAMES = ("entry", "organization", "policy", "report")


@cache
def load_schema(name: str) -> dict[str, Any]:
    text = resources.files("martechgate.schema").joinpath(f"{name}-v1.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _as_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def custom_keywords(today: date) -> dict[str, type]:
    """Keywords for dates relative to `today`. Each ignores values that are not dates (types and
    formats are other keywords' business), so a policy never crashes on a malformed entry."""

    def keyword(name: str, ok: Any, explain: str) -> type:
        class Keyword:
            def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ValueError(f"{name} takes a whole number, not {value!r}")
                self.n = value

            def validate(self, instance: Any) -> None:
                if not ok(instance, self.n):
                    raise ValueError(explain.format(n=self.n, value=instance, today=today.isoformat()))

        Keyword.__name__ = name
        return Keyword

    def not_older_months(value: Any, n: int) -> bool:
        day = _as_date(value)
        return day is None or day >= months_before(today, n)

    def not_older_days(value: Any, n: int) -> bool:
        day = _as_date(value)
        return day is None or day >= today - timedelta(days=n)

    def at_least_ahead(value: Any, n: int) -> bool:
        day = _as_date(value)
        return day is None or day >= today + timedelta(days=n)

    def at_most_ahead(value: Any, n: int) -> bool:
        day = _as_date(value)
        return day is None or day <= today + timedelta(days=n)

    def deadline_ahead(value: Any, n: int) -> bool:
        if not isinstance(value, dict):
            return True
        renewal, notice = _as_date(value.get("renewal")), value.get("notice_days")
        if renewal is None or not isinstance(notice, int) or isinstance(notice, bool):
            return True
        return renewal - timedelta(days=notice) >= today + timedelta(days=n)

    return {
        "notOlderThanMonths": keyword("notOlderThanMonths", not_older_months,
                                      "{value} is more than {n} months before today ({today})"),
        "notOlderThanDays": keyword("notOlderThanDays", not_older_days,
                                    "{value} is more than {n} days before today ({today})"),
        "atLeastDaysAhead": keyword("atLeastDaysAhead", at_least_ahead,
                                    "{value} is less than {n} days after today ({today})"),
        "atMostDaysAhead": keyword("atMostDaysAhead", at_most_ahead,
                                   "{value} is more than {n} days after today ({today})"),
        "cancellationDeadlineAtLeastDaysAhead": keyword(
            "cancellationDeadlineAtLeastDaysAhead", deadline_ahead,
            "the cancellation deadline (renewal minus notice days) is less than {n} days after today "
            "({today})"),
    }


CUSTOM_KEYWORDS = ("notOlderThanMonths", "notOlderThanDays", "atLeastDaysAhead", "atMostDaysAhead",
                   "cancellationDeadlineAtLeastDaysAhead")


def validator(schema: Any, today: date | None = None) -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(
        schema, validate_formats=True,
        keywords=custom_keywords(today or date.today()))


@cache
def packaged_validator(name: str) -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(load_schema(name), validate_formats=True)


@dataclass(frozen=True)
class SchemaProblem:
    """A schema error in plain words. `missing` means `path` names a field that is absent."""

    path: Path
    message: str
    missing: bool = False


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return json.dumps(value)


def _field(path: Path) -> str:
    return ".".join(str(part) for part in path) if path else "the file"


_TYPE_WORDS = {"object": "a mapping (key: value lines)", "array": "a list", "string": "text",
               "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "null": "empty (null)"}

_FORMAT_WORDS = {"date": "a date written YYYY-MM-DD", "email": "an email address",
                 "uri": "a web address (https://...)"}


def describe(error: jsonschema_rs.ValidationError, schema_properties: dict[str, Any] | None = None,
             *, schema: Any = None) -> SchemaProblem:
    """One jsonschema-rs error as a located sentence a marketer can act on."""
    kind: Any = error.kind  # each kind has its own attributes (property, options, types, ...)
    name = kind.name
    path: Path = tuple(error.instance_path)
    where = _field(path)
    value = error.instance
    if name == "required":
        missing = (*path, kind.property)
        return SchemaProblem(missing, f"{_field(missing)} is missing; add it", missing=True)
    if name == "additionalProperties":
        extra = kind.unexpected[0] if kind.unexpected else "?"
        known = sorted((schema_properties or {}).keys()) if not path else []
        close = difflib.get_close_matches(str(extra), known, n=1) if known else []
        hint = f" (did you mean {close[0]!r}?)" if close else \
            "; remove it, or prefix your own fields with x-"
        unexpected = ", ".join(repr(u) for u in kind.unexpected)
        return SchemaProblem((*path, extra), f"unknown field {unexpected} in {where}{hint}")
    if name == "enum":
        options = ", ".join(str(o) for o in kind.options)
        return SchemaProblem(path, f"{where} is {_show(value)}; it must be one of: {options}")
    if name == "const":
        return SchemaProblem(path, f"{where} is {_show(value)}; it must be {kind.expected_value!r}")
    if name == "type":
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in kind.types)
        return SchemaProblem(path, f"{where} must be {wanted}, not {_show(value)}")
    if name == "format":
        wanted = _FORMAT_WORDS.get(kind.format, kind.format)
        return SchemaProblem(path, f"{where} is {_show(value)}, which is not {wanted}")
    if name == "pattern":
        if path and path[-1] in ("id", "target", "alternative"):
            return SchemaProblem(path, f"{where} is {_show(value)}; an id is 2 to 63 lower-case letters, "
                                 "digits and dashes, starting with a letter or digit")
        if (path and path[-1] in ("country", "residency")) or (len(path) > 1 and path[-2] == "residency"):
            return SchemaProblem(path, f"{where} is {_show(value)}; use a two-letter ISO country code "
                                 "such as US, IE or DE")
        return SchemaProblem(path, f"{where} is {_show(value)}, which does not have the expected form "
                             f"({kind.pattern})")
    if name == "minItems":
        return SchemaProblem(path, f"{where} is empty; list at least one")
    if name == "uniqueItems":
        return SchemaProblem(path, f"{where} lists the same value twice; keep one")
    if name in ("minimum", "exclusiveMinimum"):
        return SchemaProblem(path, f"{where} is {_show(value)}; it cannot be negative")
    if name == "minLength":
        return SchemaProblem(path, f"{where} is empty; write something")
    if name == "custom":
        return SchemaProblem(path, f"{where}: {error.message}")
    return SchemaProblem(path, f"{where}: {error.message}")


def first_error(name: str, value: Any, loaded: Loaded) -> tuple[str, int | None, int | None] | None:
    """Validate a file's value against a packaged schema; the most specific error as
    (message, line, column), or None when it fits."""
    errors = list(packaged_validator(name).iter_errors(value))
    if not errors:
        return None
    problem = describe(deepest(errors), load_schema(name)["properties"])
    line, column = loaded.where_key(problem.path) if problem.missing else loaded.where(problem.path)
    return problem.message, line, column


def deepest(errors: list[jsonschema_rs.ValidationError]) -> jsonschema_rs.ValidationError:
    """The error about the deepest field: the most specific thing to fix."""
    def depth(error: jsonschema_rs.ValidationError) -> int:
        extra = 1 if error.kind.name == "required" else 0
        return len(error.instance_path) + extra
    return max(errors, key=depth)
