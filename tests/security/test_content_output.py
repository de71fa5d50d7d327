"""Attacks on what people read: entry values with CR, LF, ANSI escapes, C1 controls, Unicode line
separators and bidirectional controls, written as YAML escapes in plain ASCII (so the file itself is
clean). In every output format they are shown escaped: no line of a report, a CI log or a comment is
rewritten, no workflow command is injected, and machine formats still parse with the value intact.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import GovRepo, dump, entry

TODAY = ["--today", "2026-11-23"]
HOSTILE = (
    "ok\r\x1b[2K\x1b[32mpassed: 0 blocking\x1b[0m\n::notice::FAKE all clear\n"
    "FAKE line\u2028FAKE\u202eevil\x85FAKE\x9b2J%0A::error::FAKE"
)
RAW = ["\r", "\x1b", "\x9b", "\x85", "\u2028", "\u202e"]


def hostile_repo(gov: GovRepo) -> GovRepo:
    """A tool named with the hostile text, whose (valid) exception has it as reason and ticket."""
    owners = {"business": "jane.doe@example.com", "technical": "jane.doe@example.com", "department": "brand"}
    waiver = {
        "rule": "owners-distinct",
        "reason": HOSTILE,
        "approved_by": "ciso@example.com",
        "ticket": HOSTILE,
        "expires": "2027-01-31",
    }
    data = entry("design-tool", name=HOSTILE, owners=owners, exceptions=[waiver])
    gov.write("catalog/design-tool.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=False))
    text = (gov.path / "catalog/design-tool.yaml").read_text()
    assert text.isascii() and not any(char in text for char in RAW)  # the file itself is clean
    gov.commit("Add a tool", when="2026-03-01T10:00:00+00:00")
    return gov


def assert_inert(output: str) -> None:
    for char in RAW:
        assert char not in output, f"{char!r} reached the output"
    for line in output.splitlines():
        assert not line.startswith(("FAKE", "passed: 0 blocking", "::notice::FAKE", "::error::FAKE")), line


@pytest.mark.parametrize("fmt", ["text", "github", "markdown", "junit", "json", "sarif"])
def test_check_shows_hostile_values_escaped(gov: GovRepo, run_cli: Any, fmt: str) -> None:
    hostile_repo(gov)
    result = run_cli("check", str(gov.path), "--format", fmt, *TODAY)
    assert result.returncode == 0, result.stdout + result.stderr  # waived: the value is data, not a problem
    output = result.stdout
    assert_inert(output)
    if fmt == "github":
        commands = [line for line in output.splitlines() if line.startswith("::")]
        assert len(commands) == 1 and commands[0].startswith("::notice ")
        assert "%0A" in commands[0] and "%250A" in commands[0]  # a newline, and the text "%0A" kept as text
    elif fmt == "json":
        waiver = json.loads(output)["findings"][0]["waived_by"]
        assert waiver["reason"] == HOSTILE  # escaped in the JSON text, intact as a value
    elif fmt == "sarif":
        (result_,) = json.loads(output)["runs"][0]["results"]
        assert HOSTILE in result_["suppressions"][0]["justification"]
    elif fmt == "junit":
        root = ET.fromstring(output)
        skipped = root.find(".//skipped")
        assert skipped is not None and "\\x1b[2K" in skipped.get("message", "")
    elif fmt == "text":
        assert "\\r\\x1b[2K\\x1b[32mpassed: 0 blocking" in output
        assert output.rstrip().splitlines()[-1].startswith("passed: 1 entry checked, 0 blocking")


def test_check_base_markdown_shows_hostile_values_escaped(gov: GovRepo, run_cli: Any) -> None:
    gov.git("checkout", "-q", "-b", "pr")
    hostile_repo(gov)
    result = run_cli("check", "--base", "main", "--format", "markdown", *TODAY, cwd=gov.path)
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout)
    assert "\\x1b" in result.stdout


def test_an_error_message_quoting_a_value_is_escaped(gov: GovRepo, run_cli: Any) -> None:
    """A policy id quoted in an error (exit 2) cannot rewrite the terminal either."""
    gov.write("policies/x.yaml", dump({"id": "x\r\x1b[2Kall good", "title": "t"}))
    gov.commit("A broken policy")
    result = run_cli("check", str(gov.path))
    assert result.returncode == 2
    assert_inert(result.stderr)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_review_shows_hostile_logins_escaped(gov: GovRepo, run_cli: Any, tmp_path: Path, fmt: str) -> None:
    gov.git("checkout", "-q", "-b", "pr")
    gov.add_entry("canva")
    head = gov.commit("Propose canva")
    reviews = tmp_path / "reviews.json"
    hostile_login = "carol-diaz\r\x1b[2Kok ` [x](http://evil.example)\u202e"
    reviews.write_text(
        json.dumps([{"user": {"login": hostile_login}, "state": "CHANGES_REQUESTED", "commit_id": head}])
    )
    result = run_cli(
        "review", "--base", "main", "--reviews", str(reviews), "--author", HOSTILE, "--format", fmt, str(gov.path)
    )
    assert result.returncode == 1, result.stderr
    assert_inert(result.stdout)
    if fmt == "json":
        assert json.loads(result.stdout)["author"] == HOSTILE
    if fmt == "markdown":
        assert "](http" not in result.stdout.replace("\\]", "")


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_inventory_shows_hostile_values_escaped(gov: GovRepo, run_cli: Any, fmt: str) -> None:
    hostile_repo(gov)
    result = run_cli("inventory", "--as-of", "2026-03-02", "--repo", str(gov.path), "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout)
    if fmt == "json":
        names = [row["name"] for row in json.loads(result.stdout)["rows"]]
        assert HOSTILE in names


def test_history_shows_hostile_subjects_and_values_escaped(gov: GovRepo, run_cli: Any) -> None:
    hostile_repo(gov)
    path = gov.path / "catalog/design-tool.yaml"
    path.write_text(path.read_text().replace("purpose: Design social graphics", 'purpose: "Design\\e[2K\\rFAKE"'))
    gov.git("add", "-A")
    gov.git("commit", "-q", "-m", "Tidy\r\x1b[2KFAKE subject\u202e")
    result = run_cli("history", "design-tool", "--repo", str(gov.path))
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout)
    assert "\\x1b[2K" in result.stdout
