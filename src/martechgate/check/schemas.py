"""The packaged JSON Schemas, validators with martechgate's date keywords, and errors in plain words.

Validation uses jsonschema-rs (draft 2020-12, in Rust): on the entry and policy schemas it is about
65 times faster than python-jsonschema, which is what lets a full check stay within twice a bare
YAML parse. Custom keywords cover what JSON Schema cannot say about dates relative to today.
"""

from __future__ import annotations

import calendar
import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

import jsonschema_rs

from martechgate.check import identity
from martechgate.check.vocabulary import ID_PATTERN, load_schema
from martechgate.sources.yamlload import Loaded, Path, resolve_plain
from martechgate.words import count

SCHEMA_NAMES = ("entry", "organization", "policy", "report", "mapping", "baseline")


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


@cache  # one set of keyword classes a day: an audit compiles a dated policy's schemas for each day
def custom_keywords(today: date) -> dict[str, type]:
    """Keywords for dates relative to `today`. Each ignores values that are not dates (types and
    formats are other keywords' business), so a policy never crashes on a malformed entry."""

    def keyword(name: str, ok: Any, explain: Callable[[int, Any], str]) -> type:
        class Keyword:
            def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ValueError(f"{name} takes a whole number, not {value!r}")
                self.n = value

            def validate(self, instance: Any) -> None:
                if not ok(instance, self.n):
                    raise ValueError(explain(self.n, instance))

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
        "notOlderThanMonths": keyword(
            "notOlderThanMonths",
            not_older_months,
            lambda n, value: f"is {value}, more than {n} months ago; it must be on or after {months_before(today, n)}",
        ),
        "notOlderThanDays": keyword(
            "notOlderThanDays",
            not_older_days,
            lambda n, value: f"is {value}, more than {n} days ago; it must be on or after {today - timedelta(days=n)}",
        ),
        "atLeastDaysAhead": keyword(
            "atLeastDaysAhead",
            at_least_ahead,
            lambda n, value: (
                f"is {value}, which has passed (today is {today})"
                if n == 0 and (_as_date(value) or today) < today
                else f"is {value}; it must be on or after {today + timedelta(days=n)} ({n} days from today)"
            ),
        ),
        "atMostDaysAhead": keyword(
            "atMostDaysAhead",
            at_most_ahead,
            lambda n, value: f"is {value}; it must be on or before {today + timedelta(days=n)} ({n} days from today)",
        ),
        "cancellationDeadlineAtLeastDaysAhead": keyword(
            "cancellationDeadlineAtLeastDaysAhead",
            deadline_ahead,
            lambda n, value: (
                "has its last day to cancel (renewal minus notice days) less than "
                f"{n} days from today ({today}); cancel or renegotiate now"
            ),
        ),
    }


CUSTOM_KEYWORDS = (
    "notOlderThanMonths",
    "notOlderThanDays",
    "atLeastDaysAhead",
    "atMostDaysAhead",
    "cancellationDeadlineAtLeastDaysAhead",
)


def reads_today(schema: Any) -> bool:
    """Whether a schema uses a keyword relative to today anywhere (a property merely named like one
    counts too: the answer errs towards compiling for each day)."""
    if isinstance(schema, dict):
        return any(key in CUSTOM_KEYWORDS or reads_today(value) for key, value in schema.items())
    if isinstance(schema, list):
        return any(reads_today(item) for item in schema)
    return False


# JSON Schema 2020-12's keywords, by what their value holds. A validator ignores any other key, so a
# misspelt keyword in a policy (`propertes`, `minimun`) would silently never be checked.
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONES = (
    "not",
    "if",
    "then",
    "else",
    "items",
    "contains",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
_VALUE_KEYWORDS = (
    "$schema",
    "$id",
    "$ref",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$vocabulary",
    "$comment",
    "type",
    "enum",
    "const",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxContains",
    "minContains",
    "maxProperties",
    "minProperties",
    "required",
    "dependentRequired",
    "format",
    "contentEncoding",
    "contentMediaType",
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
)
KEYWORDS = frozenset((*_SCHEMA_MAPS, *_SCHEMA_LISTS, *_SCHEMA_ONES, *_VALUE_KEYWORDS, *CUSTOM_KEYWORDS))


def unknown_keywords(schema: Any, path: Path = ()) -> list[tuple[Path, str]]:
    """Keys of `schema` and its subschemas that are no JSON Schema keyword (nor ours, nor an `x-`
    annotation): each as (its path, a sentence saying what it may have meant)."""
    if not isinstance(schema, dict):
        return []
    found: list[tuple[Path, str]] = []
    for key, value in schema.items():
        where = (*path, key)
        if not isinstance(key, str) or key.startswith("x-"):
            continue
        if key not in KEYWORDS:
            near = difflib.get_close_matches(key, sorted(KEYWORDS), n=1, cutoff=0.75)
            hint = f"; did you mean {near[0]}?" if near else "; put the field's name under `properties`"
            found.append((where, f"`{key}` is not a JSON Schema keyword, so nothing would check it{hint}"))
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            for name, subschema in value.items():
                found.extend(unknown_keywords(subschema, (*where, name)))
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            for index, subschema in enumerate(value):
                found.extend(unknown_keywords(subschema, (*where, index)))
        elif key in _SCHEMA_ONES:
            found.extend(unknown_keywords(value, where))
    return found


META_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
_REFERENCES = ("$ref", "$dynamicRef")


def outside_references(schema: Any, path: Path = ()) -> list[tuple[Path, str]]:
    """`$ref`s (and `$dynamicRef`s) of `schema` that point outside it, and a `$schema` other than
    draft 2020-12's: each as (its path, a sentence). A policy is self-contained: a reference to a
    file or a web address would make the verdict depend on what the runner can read or reach."""
    if not isinstance(schema, dict):
        return []
    found: list[tuple[Path, str]] = []
    for key, value in schema.items():
        where = (*path, key)
        if key in _REFERENCES and not (isinstance(value, str) and value.startswith("#")):
            found.append(
                (
                    where,
                    f"`{key}` is {show(value)}, outside this policy; a policy is self-contained: put the "
                    "schema under `$defs` and refer to it as #/$defs/NAME",
                )
            )
        elif key == "$schema" and value not in (META_SCHEMA, META_SCHEMA + "#"):
            found.append((where, f"`$schema` is {show(value)}; a policy's schemas are JSON Schema {META_SCHEMA}"))
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            for name, subschema in value.items():
                found.extend(outside_references(subschema, (*where, name)))
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            for index, subschema in enumerate(value):
                found.extend(outside_references(subschema, (*where, index)))
        elif key in _SCHEMA_ONES:
            found.extend(outside_references(value, where))
    return found


def _refuse_retrieval(uri: str) -> Any:
    """The validator's retriever: nothing outside a schema is ever read or fetched. Policies are
    refused before they get here (`outside_references`); this holds for any reference missed."""
    raise ValueError(f"{uri} is outside the schema, and martechgate reads no file or web address for a schema")


# The `email` format as martechgate understands an address (identity.canonical_email), so that a
# form the schema accepts is one the comparisons of owners and approvers understand too.
_FORMATS = {"email": lambda value: identity.canonical_email(value) is not None}


def validator(schema: Any, today: date | None = None) -> jsonschema_rs.Draft202012Validator:
    """A policy schema's validator. Patterns run on Rust's `regex` engine, which runs in linear time:
    no pattern can backtrack catastrophically. The default (fancy-regex) backtracks for lookaround and
    backreferences and, past its backtrack limit, fails the value, so a `match` holding such a pattern
    silently selected nothing. Patterns needing those features are refused when the policy loads."""
    return jsonschema_rs.Draft202012Validator(
        schema,
        validate_formats=True,
        formats=_FORMATS,
        keywords=custom_keywords(today or date.today()),
        retriever=_refuse_retrieval,
        pattern_options=jsonschema_rs.RegexOptions(),
    )


@cache
def packaged_validator(name: str) -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(
        load_schema(name), validate_formats=True, formats=_FORMATS, retriever=_refuse_retrieval
    )


@dataclass(frozen=True)
class SchemaProblem:
    """A schema error in plain words. `missing` means `path` names a field that is absent."""

    path: Path
    message: str
    missing: bool = False


def show(value: Any) -> str:
    """A value as quoted in a message: short text in quotes, 'a list', 'a group of fields', 42."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, list):
        return "a list"
    return json.dumps(value)


def _word(value: Any) -> str:
    """A schema's value as a person writes it in YAML: true/false, null, text without quotes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _any_of(values: list[Any], joiner: str = "or") -> str:
    words = [_word(v) for v in values]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def _field(path: Path) -> str:
    return ".".join(str(part) for part in path) if path else "the file"


_TYPE_WORDS = {
    "object": "a group of fields (key: value lines)",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty (null)",
}

_BOUND_WORDS = {
    "minimum": "at least",
    "exclusiveMinimum": "more than",
    "maximum": "at most",
    "exclusiveMaximum": "less than",
}

_FORMAT_WORDS = {
    "date": "a date written YYYY-MM-DD",
    "email": "an email address",
    "uri": "a web address (https://...)",
    "date-time": "a date and time (YYYY-MM-DDTHH:MM:SSZ)",
}

# What a keyword asks of a value, as the end of "X ..." (for `contains`, `not` and the like).
_DATE_WORDS = {
    "notOlderThanMonths": "is a date within the last {n} months",
    "notOlderThanDays": "is a date within the last {n} days",
    "atLeastDaysAhead": "is a date at least {n} days from today",
    "atMostDaysAhead": "is a date at most {n} days from today",
}


def _value_words(key: str, value: Any) -> str | None:
    """What one keyword asks of a value, as a predicate ("is one of a or b"), or None."""
    if key == "enum" and isinstance(value, list):
        return f"is {_any_of(value)}"
    if key == "const":
        return f"is {_word(value)}"
    if key == "type":
        types = value if isinstance(value, list) else [value]
        return "is " + " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in types)
    if key == "format":
        return f"is {_FORMAT_WORDS.get(str(value), str(value))}"
    if key == "atLeastDaysAhead" and value == 0:
        return "is a date today or later"
    if key in _DATE_WORDS:
        return _DATE_WORDS[key].format(n=value)
    if key == "minimum":
        return f"is at least {_word(value)}"
    if key == "maximum":
        return f"is at most {_word(value)}"
    if key == "minItems" and isinstance(value, int):
        return "is not empty" if value == 1 else f"lists at least {value} items"
    if key == "minLength" and value == 1:
        return "is not empty"
    if key == "pattern":
        return {"^https?://": "is a web address", ID_PATTERN.pattern: "is a tool's id"}.get(value)
    if key == "cancellationDeadlineAtLeastDaysAhead":
        return f"has its last day to cancel (renewal minus notice days) at least {value} days from today"
    if key == "items":
        inner = summarize(value, owner="whose")
        if inner is None:
            return None
        return f"has only items that {inner}" if inner.startswith("is ") else f"has only items {inner}"
    if key == "contains":
        inner = summarize(value, owner="whose")
        if inner is None:
            return None
        return f"has an item that {inner}" if inner.startswith("is ") else f"has an item {inner}"
    if key == "not":
        inner = summarize(value)
        return "is not " + inner[3:] if inner is not None and inner.startswith("is ") else None
    return None


def summarize(schema: Any, owner: str = "its", prefix: str = "") -> str | None:
    """What a (sub)schema asks, in words: "is one of a or b", "its type is x and its period_end is a
    date within the last 12 months", "has an item whose type is x"; None when it says something this
    cannot put in a short sentence (the caller then falls back to a general one)."""
    if not isinstance(schema, dict):
        return None
    predicates: list[str] = []
    clauses: list[str] = []
    for key, value in schema.items():
        if key in ("description", "title", "$comment"):
            continue
        if key == "properties" and isinstance(value, dict):
            for name, sub in value.items():
                inner = summarize(sub, owner, f"{prefix}{name}.")
                if inner is None:
                    return None
                clauses.append(inner or f"{owner} {prefix}{name} is set")
        elif key == "required" and isinstance(value, list):
            described = set(schema.get("properties") or {})
            clauses.extend(f"{owner} {prefix}{name} is set" for name in value if name not in described)
        elif key in ("anyOf", "oneOf") and isinstance(value, list):
            ways = [summarize(sub, owner, prefix) for sub in value]
            if not all(ways):
                return None
            clauses.append("either " + "; or ".join(str(way) for way in ways))
        elif key == "allOf" and isinstance(value, list):
            for sub in value:
                inner = summarize(sub, owner, prefix)
                if inner is None:
                    return None
                clauses.append(inner)
        else:
            words = _value_words(key, value)
            if words is None:
                return None
            predicates.append(words)
    if any(p.startswith("is a date ") and p not in _FORMAT_WORDS.values() for p in predicates):
        predicates = [p for p in predicates if p not in ("is text", f"is {_FORMAT_WORDS['date']}")]
    elif any(p.startswith("is ") and p != "is text" for p in predicates):
        predicates = [p for p in predicates if p != "is text"]
    if predicates:
        subject = f"{owner} {prefix[:-1]} " if prefix else ""
        clauses.insert(0, subject + " and ".join(predicates))
    return " and ".join(clauses)


def _subschema(schema: Any, schema_path: list[Any]) -> Any:
    node = schema
    for part in schema_path:
        found = isinstance(node, dict) and part in node
        found = found or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        if found:
            node = node[part]
        else:
            return None
    return node


def describe(
    error: jsonschema_rs.ValidationError, schema_properties: dict[str, Any] | None = None, *, schema: Any = None
) -> SchemaProblem:
    """One jsonschema-rs error as a located sentence a marketer can act on. `schema` (the root schema
    validated against) lets `contains`, `not` and `anyOf` say in words what was expected."""
    kind: Any = error.kind  # each kind has its own attributes (property, options, types, ...)
    name = kind.name
    path: Path = tuple(error.instance_path)
    where = _field(path)
    value: Any = error.instance
    keyword = str(error.schema_path[-1]) if error.schema_path else str(name)
    if name == "required":
        missing = (*path, kind.property)
        return SchemaProblem(missing, f"{_field(missing)} is missing; add it", missing=True)
    if name in ("additionalProperties", "unevaluatedProperties"):
        extra = kind.unexpected[0] if kind.unexpected else "?"
        known = sorted((schema_properties or {}).keys()) if not path else []
        close = difflib.get_close_matches(str(extra), known, n=1) if known else []
        hint = f" (did you mean {close[0]!r}?)" if close else "; remove it, or prefix your own fields with x-"
        unexpected = ", ".join(repr(u) for u in kind.unexpected)
        return SchemaProblem((*path, extra), f"unknown field {unexpected} in {where}{hint}")
    if name == "enum":
        options = list(kind.options)
        if len(options) == 1:
            return SchemaProblem(path, f"{where} is {show(value)}; it must be {_word(options[0])}")
        return SchemaProblem(
            path, f"{where} is {show(value)}; it must be one of: {', '.join(_word(o) for o in options)}"
        )
    if name == "const":
        return SchemaProblem(path, f"{where} is {show(value)}; it must be {_word(kind.expected_value)}")
    if name == "type":
        types = list(kind.types)
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
        if isinstance(value, str) and _quoted_kinds(value) & set(types):
            return SchemaProblem(
                path, f"{where} is {show(value)} in quotes, which makes it text; it must be {wanted}: remove the quotes"
            )
        if isinstance(value, str) and "boolean" in types and value.lower() in ("yes", "no", "on", "off", "y", "n"):
            return SchemaProblem(path, f"{where} is {show(value)}; write true or false (yes and no are read as text)")
        return SchemaProblem(path, f"{where} must be {wanted}, not {show(value)}")
    if name == "format":
        wanted = _FORMAT_WORDS.get(kind.format, kind.format)
        return SchemaProblem(path, f"{where} is {show(value)}, which is not {wanted}")
    if name == "pattern":
        return SchemaProblem(path, f"{where} is {show(value)}; {_pattern_words(path, kind.pattern)}")
    if name == "minItems":
        if kind.limit <= 1:
            return SchemaProblem(path, f"{where} is empty; list at least one")
        return SchemaProblem(path, f"{where} lists {count(len(value), 'item')}; list at least {kind.limit}")
    if name == "maxItems":
        return SchemaProblem(path, f"{where} lists {count(len(value), 'item')}; list at most {kind.limit}")
    if name == "uniqueItems":
        return SchemaProblem(path, f"{where} lists the same value twice; keep one")
    if name in _BOUND_WORDS:
        return SchemaProblem(path, f"{where} is {show(value)}; it must be {_BOUND_WORDS[name]} {_word(kind.limit)}")
    if name == "multipleOf":
        return SchemaProblem(path, f"{where} is {show(value)}; it must be a multiple of {_word(kind.multiple_of)}")
    if name == "minLength":
        if kind.limit <= 1:
            return SchemaProblem(path, f"{where} is empty; write something")
        return SchemaProblem(path, f"{where} is too short; write at least {kind.limit} characters")
    if name == "maxLength":
        return SchemaProblem(path, f"{where} is too long; shorten it to at most {kind.limit} characters")
    if name == "minProperties":
        return SchemaProblem(path, f"{where} needs at least {count(kind.limit, 'field')}")
    if name == "maxProperties":
        return SchemaProblem(path, f"{where} may have at most {count(kind.limit, 'field')}")
    if name == "not":
        forbidden = summarize(kind.schema)
        if forbidden is not None and forbidden.startswith("is "):
            return SchemaProblem(path, f"{where} is {show(value)}; it must not be {forbidden[3:]}")
        return SchemaProblem(path, f"{where} is {show(value)}, which is not allowed here")
    if name == "contains":
        parent = _subschema(schema, list(error.schema_path[:-1]))
        return SchemaProblem(path, _contains_words(where, keyword, parent))
    several = type(kind).__name__ == "OneOfMultipleValid"  # both oneOf kinds are named "oneOf"
    if name in ("anyOf", "oneOf") and not several:
        ways = _subschema(schema, list(error.schema_path))
        accepted = [summarize(way) for way in ways] if isinstance(ways, list) else [None]
        if all(accepted):
            return SchemaProblem(
                path,
                f"{where} meets none of the accepted ways, which are: " + "; or ".join(f"it {w}" for w in accepted),
            )
        options = []  # the schemas are beyond words: say what each way found wrong instead
        for errors in kind.context:
            clauses = [_as_clause(describe(e, schema_properties, schema=schema).message, where) for e in errors]
            options.append(" and ".join(dict.fromkeys(clauses)) or "it fits")
        return SchemaProblem(path, f"{where} meets none of the accepted ways: " + "; or ".join(options))
    if several:
        return SchemaProblem(
            path,
            f"{where} fits more than one of the accepted ways, where exactly one is "
            "allowed; keep only what one of them needs",
        )
    if name == "falseSchema":
        return SchemaProblem(path, f"{where} is not allowed here; remove it")
    if name == "propertyNames":
        return SchemaProblem(
            path, f"a field name in {where} is not allowed: {_as_clause(describe(kind.error).message, '')}"
        )
    if name in CUSTOM_KEYWORDS:  # their messages are written here, about the value
        return SchemaProblem(path, f"{where} {error.message}")
    return SchemaProblem(path, f"{where}: {error.message}")


def _quoted_kinds(text: str) -> set[str]:
    """The JSON types `text` would have without quotes (YAML 1.2 core), when that is not text."""
    value = resolve_plain(text) if text else text
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"integer", "number"}
    if isinstance(value, float):
        return {"number"}
    return set()


def _as_clause(message: str, where: str) -> str:
    """A sub-problem's sentence about the same field, as a clause: "it has no item ..."."""
    if where and message.startswith(where + " "):
        return "it " + message[len(where) + 1 :]
    return message


def _contains_words(where: str, keyword: str, parent: Any) -> str:
    parent = parent if isinstance(parent, dict) else {}
    if keyword == "minContains":
        return f"{where} has too few items that fit (at least {parent.get('minContains')} needed)"
    if keyword == "maxContains":
        return f"{where} has too many items that fit (at most {parent.get('maxContains')})"
    wanted = summarize(parent.get("contains"), owner="whose")
    if wanted is None:
        return f"{where} has no item that fits what is expected"
    return f"{where} has no item that {wanted}" if wanted.startswith("is ") else f"{where} has no item {wanted}"


def _pattern_words(path: Path, pattern: str) -> str:
    last = path[-1] if path else ""
    parent = path[-2] if len(path) > 1 else ""
    if last in ("id", "target", "alternative"):
        return "an id is 2 to 63 lower-case letters, digits and dashes, starting with a letter or digit"
    if last in ("country", "residency") or parent == "residency":
        return "use a two-letter country code such as US, IE or DE"
    if last == "currency":
        return "use a three-letter currency code such as USD, EUR or GBP"
    if parent == "capabilities":
        return "use lower-case words joined by dashes, like landing-pages"
    if pattern == "^https?://":
        return "write a web address starting with https://"
    if pattern == "^unknown$":  # a number field that also takes the word unknown
        return "write a number, or unknown when it is not known"
    if last == "compliance" or parent == "compliance":
        return "use lower-case words joined by dashes, like soc2 or pci"
    return f"it does not have the expected form (the pattern {pattern})"


def first_error(name: str, value: Any, loaded: Loaded) -> tuple[str, int | None, int | None] | None:
    """Validate a file's value against a packaged schema; the most specific error as
    (message, line, column), or None when it fits."""
    errors = list(packaged_validator(name).iter_errors(value))
    if not errors:
        return None
    problem = describe(deepest(errors), load_schema(name)["properties"], schema=load_schema(name))
    line, column = loaded.where_key(problem.path) if problem.missing else loaded.where(problem.path)
    return problem.message, line, column


def deepest(errors: list[jsonschema_rs.ValidationError]) -> jsonschema_rs.ValidationError:
    """The error about the deepest field: the most specific thing to fix."""

    def depth(error: jsonschema_rs.ValidationError) -> int:
        extra = 1 if error.kind.name == "required" else 0
        return len(error.instance_path) + extra

    return max(errors, key=depth)
