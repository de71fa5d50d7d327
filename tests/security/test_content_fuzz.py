"""Malformed is a finding, never a crash: wrong types in every position of an entry, through `check`
and `check --base` in every output format, in-process.

Each example puts one wrong value (a list, a mapping, true, a huge number, null, a huge text, text
with control characters, bytes that are not UTF-8) at one position of a full entry (every field and
every item of its lists), commits it on a branch, and runs the check of the work tree and of the
change. The run must end in a verdict (exit 0 or 1), never an internal error, and the machine formats
must parse.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from martechgate.cli import main
from tests.conftest import GovRepo, entry

TODAY = ["--today", "2026-11-23", "--no-cache", "--jobs", "1"]
FORMATS = ["text", "json", "sarif", "junit", "github", "markdown"]
NOT_UTF8 = "\x00NOT-UTF8\x00"  # replaced by raw bytes once dumped

FULL = entry(
    "full-tool",
    integrations=[{"target": "placeholder", "direction": "outbound", "data": ["contact-pii"], "method": "native"}],
    oauth={"scopes": ["read"], "consent": "tenant"},
    security={
        "sso": "saml",
        "mfa": "enforced",
        "scim": True,
        "evidence": [{"type": "soc2-type2", "period_end": "2026-06-30", "expires": "2027-06-30"}],
    },
    exceptions=[
        {
            "rule": "owners-distinct",
            "reason": "r",
            "approved_by": "ciso@example.com",
            "ticket": "SEC-1",
            "expires": "2027-01-31",
        }
    ],
)


def positions(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into `value`: each field, each list item, and what they hold."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += positions(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += positions(item, (*path, index))
    return found


POSITIONS = positions(FULL)

WRONG = st.one_of(
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.none(),
    st.just("x" * 200_000),
    st.text(max_size=40),
    st.just(NOT_UTF8),
    st.floats(allow_nan=True, allow_infinity=True),
)


def put(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def render(data: Any) -> bytes:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=False, width=1_000_000)
    return text.encode("ascii").replace(
        yaml.safe_dump(NOT_UTF8, allow_unicode=False).strip().encode("ascii"), b'"caf\xe9 \xff\xfe"'
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GovRepo:
    gov = GovRepo(tmp_path_factory.mktemp("fuzz") / "gov")
    gov.add_entry("placeholder")
    gov.write("catalog/full-tool.yaml", yaml.safe_dump(FULL, sort_keys=False))
    gov.commit("A catalog with a full entry")
    gov.git("checkout", "-q", "-b", "fuzz")
    return gov


def run(repo: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["check", str(repo), *args], catch_exceptions=False)
    assert "internal error" not in result.output, result.output
    assert result.exit_code in (0, 1), result.output
    return result


def parses(fmt: str, output: str) -> None:
    if fmt in ("json", "sarif"):
        json.loads(output)
    elif fmt == "junit":
        ET.fromstring(output)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.sampled_from(POSITIONS), value=WRONG, fmt=st.sampled_from(FORMATS))
def test_a_wrong_value_anywhere_gets_a_verdict_in_every_format(
    repo: GovRepo, position: tuple[Any, ...], value: Any, fmt: str
) -> None:
    data = json.loads(json.dumps(FULL))
    put(data, position, value)
    (repo.path / "catalog/full-tool.yaml").write_bytes(render(data))
    repo.git("commit", "-q", "-a", "--allow-empty", "-m", "fuzz")
    checked = run(repo.path, "--format", fmt, *TODAY)
    parses(fmt, checked.stdout)
    changed = run(repo.path, "--base", "main", "--format", fmt, *TODAY)
    parses(fmt, changed.stdout)
