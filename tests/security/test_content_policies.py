"""Attacks through a policy file: references that reach out of it, and patterns that backtrack.

Each scenario is a real governance repo and a real `martechgate` run; a policy that reaches out is an
invalid policy (exit 2) located at the offending key, with nothing read or fetched.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GovRepo, dump
from tests.github_server import Answer, FakeGitHub, serve

SECRET = "root:x:0:0:the-secret-the-policy-wants-printed"

POLICY: dict[str, Any] = {
    "id": "purpose-form",
    "title": "Purposes are written plainly",
    "description": "A test policy.",
    "severity": "high",
    "enforcement": "soft",
    "match": {"required": ["purpose"]},
    "require": {"properties": {"purpose": {"type": "string"}}},
    "message": "{id} has the purpose {purpose}",
    "remediation": "Write the purpose plainly.",
    "examples": {"pass": [{"id": "ok", "purpose": "x"}], "fail": [{"id": "bad", "purpose": 1}]},
}


@pytest.fixture
def web() -> Iterator[FakeGitHub]:
    yield from serve()


def with_policy(gov: GovRepo, part: str, schema: Any) -> GovRepo:
    policy = copy.deepcopy(POLICY)
    policy[part] = schema
    gov.write("policies/purpose-form.yaml", dump(policy))
    gov.add_entry("design-tool")
    gov.commit("Add a policy and a tool")
    return gov


def line_of(gov: GovRepo, text: str) -> int:
    lines = (gov.path / "policies/purpose-form.yaml").read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize("command", [("check",), ("test",), ("check", "--base", "HEAD~1")])
def test_a_ref_to_a_local_file_is_refused_unread(
    gov: GovRepo, tmp_path: Path, run_cli: Any, command: tuple[str, ...]
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(f'{{"description": "{SECRET}"}}')
    with_policy(gov, "require", {"properties": {"purpose": {"$ref": secret.as_uri()}}})
    gov.git("commit", "-q", "--allow-empty", "-m", "one more, so HEAD~1 holds the policy too")
    result = run_cli(*command, str(gov.path), cwd=gov.path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr
    where = f"policies/purpose-form.yaml:{line_of(gov, '$ref')}:"
    assert where in result.stderr
    assert "outside this policy" in result.stderr


def test_a_relative_ref_to_another_file_in_the_repo_is_refused(gov: GovRepo, run_cli: Any) -> None:
    gov.write("policies/shared.json", f'{{"description": "{SECRET}"}}')
    with_policy(gov, "match", {"required": ["purpose"], "properties": {"purpose": {"$ref": "shared.json"}}})
    result = run_cli("check", str(gov.path))
    assert result.returncode == 2
    assert f"policies/purpose-form.yaml:{line_of(gov, '$ref')}:" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_an_id_that_moves_the_base_to_the_file_system_does_not_reach_it(gov: GovRepo, run_cli: Any) -> None:
    schema = {"properties": {"purpose": {"$id": "file:///etc/", "$ref": "passwd"}}}
    with_policy(gov, "require", schema)
    result = run_cli("check", str(gov.path))
    assert result.returncode == 2
    assert "root:" not in result.stdout + result.stderr
    assert f":{line_of(gov, 'passwd')}:" in result.stderr


@pytest.mark.parametrize("keyword", ["$ref", "$dynamicRef", "$schema"])
def test_a_web_address_is_never_fetched(gov: GovRepo, web: FakeGitHub, run_cli: Any, keyword: str) -> None:
    web.add("GET", "/schema.json", Answer(200, {"type": "string"}, delay=30))
    with_policy(gov, "require", {"properties": {"purpose": {keyword: f"{web.url}/schema.json"}}})
    result = run_cli("check", str(gov.path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert web.requests == []
    assert f"policies/purpose-form.yaml:{line_of(gov, keyword)}:" in result.stderr


def test_a_ref_inside_the_policy_still_works(gov: GovRepo, run_cli: Any) -> None:
    schema = {
        "$defs": {"plain": {"type": "string", "maxLength": 10}},
        "properties": {"purpose": {"$ref": "#/$defs/plain"}},
    }
    with_policy(gov, "require", schema)
    result = run_cli("check", str(gov.path), "--format", "json")
    assert result.returncode == 1, result.stderr  # the base entry's purpose is longer than 10
    assert '"rule": "purpose-form"' in result.stdout


@pytest.mark.parametrize(
    ("part", "schema", "located"),
    [
        # A backreference after a nested quantifier: exponential on a backtracking engine.
        ("match", {"required": ["purpose"], "properties": {"purpose": {"pattern": "^(a*)*\\1$"}}}, "pattern"),
        # Lookahead forces fancy-regex's backtracking VM; past its limit a value simply "did not match".
        ("match", {"required": ["purpose"], "properties": {"purpose": {"pattern": "^(a|a)*(?=b)$"}}}, "pattern"),
        ("require", {"patternProperties": {"^(?=x)(a+)+$": {"type": "string"}}}, "(?=x)"),
        ("require", {"propertyNames": {"pattern": "^(?<!y)(\\w+\\s?)*$"}}, "pattern"),
        # Linear time but enormous once compiled: refused as too big, not run.
        ("require", {"properties": {"purpose": {"pattern": "(a{1000}){1000}"}}}, "pattern"),
    ],
)
def test_a_pattern_that_could_backtrack_is_refused_where_it_is_written(
    gov: GovRepo, run_cli: Any, part: str, schema: Any, located: str
) -> None:
    with_policy(gov, part, schema)
    result = run_cli("check", str(gov.path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"policies/purpose-form.yaml:{line_of(gov, located)}:" in result.stderr
    assert "not a valid pattern here: patterns run in linear time" in result.stderr


def test_nested_quantifiers_run_in_linear_time_and_still_judge(gov: GovRepo, run_cli: Any) -> None:
    """`^(a+)+$` is the textbook catastrophic pattern; on a linear engine a hostile value is judged
    like any other: the policy applies (match) and the value fails (require), with a finding."""
    policy = copy.deepcopy(POLICY)
    policy["match"] = {"required": ["purpose"], "properties": {"purpose": {"pattern": "^(a|aa)+!?$"}}}
    policy["require"] = {"properties": {"purpose": {"pattern": "^(a+)+$"}}}
    gov.write("policies/purpose-form.yaml", dump(policy))
    gov.add_entry("design-tool", purpose="a" * 5000 + "!")
    gov.commit("A hostile value")
    result = run_cli("check", str(gov.path), "--format", "json")
    assert result.returncode == 1, result.stderr
    assert '"rule": "purpose-form"' in result.stdout
