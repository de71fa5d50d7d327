"""Declarative policies: loading, located errors, custom date keywords, messages, examples."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from martechgate.check.policy import parse_policy, render, run_examples
from martechgate.errors import PolicyError
from tests.conftest import TODAY, dump

POLICY: dict[str, Any] = {
    "id": "sso",
    "title": "SSO",
    "description": "Why.",
    "severity": "high",
    "enforcement": "soft",
    "match": {
        "required": ["data"],
        "properties": {
            "data": {"required": ["categories"], "properties": {"categories": {"contains": {"const": "contact-pii"}}}}
        },
    },
    "require": {
        "required": ["security"],
        "properties": {"security": {"required": ["sso"], "properties": {"sso": {"enum": ["saml", "oidc"]}}}},
    },
    "message": "{id} has sso {security.sso} and {data.categories}",
    "remediation": "Turn it on.",
    "examples": {
        "pass": [{"id": "ok", "data": {"categories": ["contact-pii"]}, "security": {"sso": "saml"}}],
        "fail": [{"id": "bad", "data": {"categories": ["contact-pii"]}}],
    },
}


def parse(policy: dict[str, Any], name: str = "sso") -> Any:
    return parse_policy(f"policies/{name}.yaml", dump(policy).encode())


def test_evaluate_match_require_and_deepest_path() -> None:
    policy = parse(POLICY)
    assert policy.evaluate({"data": {"categories": ["none"]}}, TODAY) is None  # does not apply
    assert policy.evaluate({"data": {"categories": ["contact-pii"]}, "security": {"sso": "oidc"}}, TODAY) is None
    missing = policy.evaluate({"data": {"categories": ["contact-pii"]}, "security": {}}, TODAY)
    assert missing is not None and missing.path == ("security", "sso") and missing.missing
    wrong = policy.evaluate({"data": {"categories": ["contact-pii"]}, "security": {"sso": "none"}}, TODAY)
    assert wrong is not None and wrong.path == ("security", "sso") and not wrong.missing


def test_message_placeholders_and_not_set() -> None:
    data = {"id": "forms", "data": {"categories": ["contact-pii", "behavioral"]}}
    assert parse(POLICY).finding_message(data) == "forms has sso (not set) and contact-pii, behavioral"
    assert render("{a.0} {b} {c}", {"a": ["x"], "b": True, "c": {"d": 1}}) == 'x true {"d": 1}'
    # placeholders never evaluate anything: attribute access is just an unknown path
    assert render("{__class__.__init__}", {}) == "(not set)"


def test_examples_run() -> None:
    results = run_examples(parse(POLICY), TODAY)
    assert [r.ok for r in results] == [True, True]


def test_policy_without_fail_example_fails_test() -> None:
    policy = parse({**POLICY, "examples": {"pass": POLICY["examples"]["pass"]}})
    assert any(not r.ok and "no `fail` example" in r.detail for r in run_examples(policy, TODAY))


def test_wrong_example_is_reported() -> None:
    broken = {**POLICY, "examples": {"pass": POLICY["examples"]["fail"], "fail": POLICY["examples"]["pass"]}}
    assert [r.ok for r in run_examples(parse(broken), TODAY)] == [False, False]


@pytest.mark.parametrize(
    "keyword, value, instance, today, ok",
    [
        ("notOlderThanMonths", 12, "2025-11-23", date(2026, 11, 23), True),
        ("notOlderThanMonths", 12, "2025-11-22", date(2026, 11, 23), False),
        ("notOlderThanMonths", 1, "2026-02-28", date(2026, 3, 31), True),  # clamped to month end
        ("notOlderThanDays", 30, "2026-10-24", date(2026, 11, 23), True),
        ("notOlderThanDays", 30, "2026-10-23", date(2026, 11, 23), False),
        ("atLeastDaysAhead", 0, "2026-11-23", date(2026, 11, 23), True),
        ("atLeastDaysAhead", 1, "2026-11-23", date(2026, 11, 23), False),
        ("atMostDaysAhead", 365, "2027-11-23", date(2026, 11, 23), True),
        ("atMostDaysAhead", 365, "2027-11-24", date(2026, 11, 23), False),
        ("notOlderThanMonths", 12, "not a date", date(2026, 11, 23), True),  # left to `format`
    ],
)
def test_date_keywords(keyword: str, value: int, instance: str, today: date, ok: bool) -> None:
    policy = parse({**POLICY, "match": True, "require": {"properties": {"d": {keyword: value}}}})
    assert (policy.evaluate({"d": instance}, today) is None) is ok


def test_a_policy_is_compiled_again_for_another_day_only_when_a_date_keyword_makes_it_depend_on_it() -> None:
    # An audit replays hundreds of days: a policy no day changes keeps its validators.
    plain = parse(POLICY)
    assert not plain.reads_today
    assert plain.compiled(TODAY)[0] is plain.compiled(date(2025, 1, 1))[0]
    deep = {"allOf": [{"properties": {"review": {"properties": {"next_review": {"atLeastDaysAhead": 30}}}}}]}
    dated = parse({**POLICY, "match": True, "require": deep})
    assert dated.reads_today
    assert dated.compiled(TODAY)[1] is not dated.compiled(date(2025, 1, 1))[1]
    entry = {"review": {"next_review": "2026-12-01"}}
    assert dated.evaluate(entry, date(2026, 10, 1)) is None  # 61 days ahead
    assert dated.evaluate(entry, TODAY) is not None  # 8 days ahead
    assert dated.evaluate(entry, date(2026, 10, 1)) is None  # and back: compiled for that day again


def test_cancellation_deadline_keyword() -> None:
    policy = parse(
        {
            **POLICY,
            "match": True,
            "require": {"properties": {"contract": {"cancellationDeadlineAtLeastDaysAhead": 120}}},
        }
    )

    def contract(renewal: str, notice: int) -> dict[str, Any]:
        return {"contract": {"renewal": renewal, "notice_days": notice}}

    assert policy.evaluate(contract("2027-05-23", 60), TODAY) is None  # deadline 2027-03-24: 121 days
    assert policy.evaluate(contract("2027-03-01", 60), TODAY) is not None
    assert policy.evaluate({"contract": {"renewal": "2027-01-01"}}, TODAY) is None  # no notice: not this rule's


@pytest.mark.parametrize(
    "change, message",
    [
        ({"severity": "urgent"}, "severity"),
        ({"id": "other"}, "differs from its file name"),
        ({"require": {"type": "no-such-type"}}, "not valid JSON Schema"),
        ({"notOlderThan": {"months": 12}, "match": True}, "unknown field"),
        ({"id": "schema"}, "built-in rule"),
    ],
)
def test_malformed_policies_are_located_errors(change: dict[str, Any], message: str) -> None:
    policy = {**POLICY, **change}
    name = policy["id"] if change.get("id") == "schema" else "sso"
    with pytest.raises(PolicyError, match=message) as raised:
        parse_policy(f"policies/{name}.yaml", dump(policy).encode(), reserved_ids={"schema"})
    assert raised.value.file == f"policies/{name}.yaml"
    assert raised.value.exit_code == 2


def test_policy_yaml_errors_are_located() -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy("policies/x.yaml", b"id: x\ntitle: [unclosed\n")
    assert raised.value.line is not None


@pytest.mark.parametrize(
    "part, schema, where, words",
    [
        (
            "require",
            {"required": ["security"], "propertes": {"security": {}}},
            "require.propertes",
            "did you mean properties?",
        ),
        (
            "match",
            {"properties": {"contract": {"properties": {"annual_cost": {"minimun": 10000}}}}},
            "match.properties.contract.properties.annual_cost.minimun",
            "did you mean minimum?",
        ),
        (
            "require",
            {"anyOf": [{"required": ["security"]}, {"properties": {"dpa": {"cnst": True}}}]},
            "require.anyOf.1.properties.dpa.cnst",
            "did you mean const?",
        ),
        ("require", {"not": {"annual_cost": 5}}, "require.not.annual_cost", "under `properties`"),
    ],
)
def test_misspelt_schema_keywords_are_refused_where_they_stand(part: str, schema: Any, where: str, words: str) -> None:
    """A validator ignores keys it does not know: a typo would make a policy check nothing, silently."""
    text = dump({**POLICY, part: schema})
    with pytest.raises(PolicyError) as raised:
        parse_policy("policies/sso.yaml", text.encode())
    assert f": {where}: " in str(raised.value) and words in str(raised.value)
    key = where.rsplit(".", 1)[-1]
    assert raised.value.line is not None and raised.value.column is not None
    assert text.splitlines()[raised.value.line - 1][raised.value.column - 1 :].startswith(key)


def test_annotations_and_our_date_keywords_are_known() -> None:
    policy = parse(
        {
            **POLICY,
            "require": {
                "x-note": "why",
                "$comment": "c",
                "properties": {"review": {"properties": {"last_reviewed": {"notOlderThanMonths": 12}}}},
            },
        }
    )
    assert policy.require["x-note"] == "why"
