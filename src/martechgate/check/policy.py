"""Declarative policies: policies/<id>.yaml, judged by two JSON Schemas (`match`, `require`).

A policy file is written by security, privacy and IT people, not programmers, so everything about
it is data: no expression language, no code. A malformed policy stops the run (exit 2) with the
file, line and column, because a gate whose rules are broken must not say "passed".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import jsonschema_rs

from martechgate.check import schemas
from martechgate.check.codes import currency_problem
from martechgate.check.model import get
from martechgate.check.money import compares_money
from martechgate.errors import PolicyError
from martechgate.sources.repo import POLICIES_DIR, Source
from martechgate.sources.yamlload import Loaded, Path, load_bytes

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\-]+)\}")
NOT_SET = "(not set)"


def lookup(data: Any, dotted_path: str) -> Any:
    """The value at `a.b.0.c`, or None when any step is missing or of the wrong kind."""
    return get(data, *(int(part) if part.isdigit() else part for part in dotted_path.split(".")))


def render_value(value: Any) -> str:
    if value is None:
        return NOT_SET
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(render_value(item) for item in value) if value else "(none)"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def render(template: str, data: Any) -> str:
    """`{dotted.path}` placeholders filled from the entry; never evaluates anything else."""
    return _PLACEHOLDER.sub(lambda m: render_value(lookup(data, m.group(1))), template)


@dataclass(frozen=True)
class Violation:
    """Why an entry fails a policy: the deepest field the `require` schema rejected."""

    path: Path
    missing: bool
    detail: str


@dataclass
class Policy:
    id: str
    title: str
    description: str
    severity: str
    enforcement: str
    match: Any
    require: Any
    message: str
    remediation: str
    file: str
    examples_pass: list[Any] = field(default_factory=list)
    examples_fail: list[Any] = field(default_factory=list)
    loaded: Loaded | None = field(default=None, repr=False)
    currency: str | None = None  # of its money thresholds; None: the organisation's
    # The validators and the day they were compiled for (None: a policy whose verdict no day changes).
    _validators: tuple[date | None, jsonschema_rs.Draft202012Validator, jsonschema_rs.Draft202012Validator] | None = (
        field(default=None, repr=False)
    )

    @cached_property
    def reads_today(self) -> bool:
        """Whether a keyword relative to today is in its schemas: only then does its verdict depend on the
        day, and its validators are compiled again for each (an audit replays hundreds of days)."""
        return schemas.reads_today(self.match) or schemas.reads_today(self.require)

    def compiled(self, today: date) -> tuple[jsonschema_rs.Draft202012Validator, jsonschema_rs.Draft202012Validator]:
        day = today if self.reads_today else None  # (then today is not even looked at: it may be NO_DAY)
        if self._validators is None or self._validators[0] != day:
            self._validators = (day, _compile(self, "match", day), _compile(self, "require", day))
        return self._validators[1], self._validators[2]

    def evaluate(self, data: Any, today: date) -> Violation | None:
        """None when the entry passes (or the policy does not apply to it)."""
        match, require = self.compiled(today)
        if not match.is_valid(data) or require.is_valid(data):
            return None
        problem = schemas.describe(schemas.deepest(list(require.iter_errors(data))), schema=self.require)
        return Violation(problem.path, problem.missing, problem.message)

    def finding_message(self, data: Any) -> str:
        return render(self.message, data)

    @cached_property
    def compares_money(self) -> bool:
        """Whether it bounds an amount (then amounts are brought into one currency before it judges);
        worked out once: a check asks it for every entry."""
        return compares_money(self.match) or compares_money(self.require)


def _compile(policy: Policy, part: str, today: date | None) -> jsonschema_rs.Draft202012Validator:
    schema = getattr(policy, part)
    try:
        return schemas.validator(schema, today)
    except (ValueError, TypeError, jsonschema_rs.ValidationError) as error:
        where: Path = (part,)
        detail = str(error)
        if isinstance(error, jsonschema_rs.ValidationError):
            # The error is about the schema as a value: say it like any other, at the offending key.
            where = (part, *error.instance_path)
            if error.kind.name in schemas.CUSTOM_KEYWORDS:
                detail = f"{'.'.join(map(str, where))}: {error.message.rsplit('ValueError: ', 1)[-1]}"
            elif error.kind.name == "format" and getattr(error.kind, "format", None) == "regex":
                detail = (
                    f"{'.'.join(map(str, where))} is {error.instance!r}, which is not a valid pattern here: "
                    "patterns run in linear time, so lookaround ((?=, (?!, (?<=, (?<!) and backreferences (\\1) "
                    "are not available, and a pattern must stay small"
                )
            else:
                detail = schemas.describe(error).message
                detail = ".".join(map(str, where[:1])) + "." + detail if len(where) > 1 else detail
        # A patternProperties pattern is a key: point at it, not at the schema it leads to.
        at_key = len(where) > 1 and where[-2] == "patternProperties"
        locate = (policy.loaded.where_key if at_key else policy.loaded.where) if policy.loaded else None
        line, column = locate(where) if locate else (None, None)
        raise PolicyError(
            f"the `{part}` schema of policy {policy.id} is not valid JSON Schema: {detail}",
            file=policy.file,
            line=line,
            column=column,
            hint="Fix it as said; `martechgate explain ID` shows a working policy's schemas.",
        ) from error


def parse_policy(path: str, raw: bytes, reserved_ids: Iterable[str] = ()) -> Policy:
    loaded = load_bytes(raw)
    if loaded.problems:
        first = loaded.problems[0]
        raise PolicyError(
            first.message,
            file=path,
            line=first.line,
            column=first.column,
            hint="A policy file must be valid YAML; the check cannot run without it.",
        )
    value = loaded.value
    if not isinstance(value, dict):
        raise PolicyError(
            "a policy file must be a mapping of id, title, match, require, ...", file=path, line=1, column=1
        )
    error = schemas.first_error("policy", value, loaded)
    if error is not None:
        message, line, column = error
        raise PolicyError(f"policy file: {message}", file=path, line=line, column=column)
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if value["id"] != stem:
        line, column = loaded.where(("id",))
        raise PolicyError(
            f"the policy id {value['id']!r} differs from its file name {stem!r}",
            file=path,
            line=line,
            column=column,
            hint=f"Rename the file or set id: {stem}",
        )
    if value["id"] in set(reserved_ids):
        line, column = loaded.where(("id",))
        raise PolicyError(
            f"the policy id {value['id']!r} is a built-in rule's id",
            file=path,
            line=line,
            column=column,
            hint="Choose another id.",
        )
    for part in ("match", "require"):
        for where, words in schemas.unknown_keywords(value[part], (part,)):
            line, column = loaded.where_key(where)
            raise PolicyError(
                f"{'.'.join(map(str, where))}: {words}",
                file=path,
                line=line,
                column=column,
                hint="`martechgate explain ID` shows a working policy's schemas.",
            )
        for where, words in schemas.outside_references(value[part], (part,)):
            line, column = loaded.where(where)
            raise PolicyError(
                f"{'.'.join(map(str, where))}: {words}",
                file=path,
                line=line,
                column=column,
                hint="Nothing was read or fetched; a policy is judged by what its own file says.",
            )
    currency = value.get("currency")
    if currency is not None and (problem := currency_problem(currency)) is not None:
        line, column = loaded.where(("currency",))
        raise PolicyError(f"currency: {problem}", file=path, line=line, column=column)
    examples = value.get("examples") or {}
    policy = Policy(
        id=value["id"],
        title=value["title"],
        description=value["description"].strip(),
        severity=value["severity"],
        enforcement=value["enforcement"],
        match=value["match"],
        require=value["require"],
        message=value["message"].strip(),
        remediation=value["remediation"].strip(),
        file=path,
        examples_pass=list(examples.get("pass") or []),
        examples_fail=list(examples.get("fail") or []),
        loaded=loaded,
        currency=currency,
    )
    policy.compiled(date.today())  # a schema that does not compile is found now, located
    return policy


def load_policies(source: Source, reserved_ids: Iterable[str] = ()) -> list[Policy]:
    reserved = set(reserved_ids)
    policies = []
    for path in source.list_yaml(POLICIES_DIR):
        file = source.read(path)
        if file.data is None:
            message = file.refused.message if file.refused else "unreadable"
            raise PolicyError(message, file=path)
        policies.append(parse_policy(path, file.data, reserved))
    return policies


@dataclass(frozen=True)
class ExampleResult:
    policy: str
    kind: str  # "pass" or "fail"
    index: int
    example_id: str
    ok: bool
    detail: str


def run_examples(policy: Policy, today: date) -> list[ExampleResult]:
    """Every example of a policy against it; a policy lacking either kind gets a failed result."""
    results = []
    for kind, examples in (("pass", policy.examples_pass), ("fail", policy.examples_fail)):
        if not examples:
            missing = f"the policy has no `{kind}` example; add one under examples.{kind}"
            results.append(ExampleResult(policy.id, kind, -1, "-", False, missing))
        for index, example in enumerate(examples):
            violation = policy.evaluate(example, today)
            example_id = str(example.get("id", index)) if isinstance(example, dict) else str(index)
            if kind == "pass":
                ok = violation is None
                detail = f"should pass but fails: {violation.detail}" if violation else "passes"
            else:
                ok = violation is not None
                detail = (
                    f"fails as expected: {violation.detail}"
                    if violation
                    else "should fail but passes (check that `match` selects it and `require` rejects it)"
                )
            results.append(ExampleResult(policy.id, kind, index, example_id, ok, detail))
    return results
