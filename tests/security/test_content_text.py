"""Attacks with text that git shows one way and YAML reads another.

libyaml takes U+2028, U+2029, U+0085 and a lone CR as line breaks; git and GitHub's diff show one line.
A waiver written after one of them sits, for the reviewer, inside a comment. Bidirectional controls
reorder what is displayed. Each scenario is a real repo and a real run: the file is refused (a hard
`file-refused` finding at the line and column git shows), and nothing in it is used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GovRepo, dump, entry

TODAY = ["--today", "2026-11-23"]
HIDDEN_BREAKS = {"U+2028": "\u2028", "U+2029": "\u2029", "U+0085": "\u0085", "lone CR": "\r"}
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"]
BIDI.append("\u061c")
WAIVER = (
    "exceptions: [{rule: owners-distinct, reason: approved in the meeting, approved_by: ciso@example.com, "
    "ticket: SEC-1, expires: 2027-01-31}]"
)


def one_owner_entry() -> str:
    """A tool whose business and technical owner are one person: owners-distinct (soft) blocks it."""
    owners = {"business": "jane.doe@example.com", "technical": "jane.doe@example.com", "department": "brand"}
    return dump(entry("design-tool", owners=owners))


def hidden_waiver(separator: str) -> str:
    """The waiver on what git and GitHub show as the end of a comment line."""
    return one_owner_entry() + f"# owners are the same person for now{separator}{WAIVER}\n"


def report(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("name", sorted(HIDDEN_BREAKS))
def test_a_waiver_hidden_after_a_line_break_git_does_not_show_is_refused(gov: GovRepo, run_cli: Any, name: str) -> None:
    text = hidden_waiver(HIDDEN_BREAKS[name])
    gov.write("catalog/design-tool.yaml", text)
    gov.commit("Add a tool")
    result = run_cli("check", str(gov.path), "--format", "json", *TODAY)
    assert result.returncode == 1, result.stderr
    findings = report(result)["findings"]
    assert [f["rule"] for f in findings] == ["file-refused"], findings
    line = text.count("\n", 0, text.index("# owners")) + 1
    assert (findings[0]["line"], findings[0]["column"]) == (line, len("# owners are the same person for now") + 1)
    assert findings[0]["waived_by"] is None and findings[0]["blocking"] is True


def test_the_same_waiver_written_visibly_is_honoured(gov: GovRepo, run_cli: Any) -> None:
    """The control: on its own line, the reviewer sees the waiver, and it works."""
    gov.write("catalog/design-tool.yaml", one_owner_entry() + WAIVER + "\n")
    gov.commit("Add a tool")
    result = run_cli("check", str(gov.path), "--format", "json", *TODAY)
    assert result.returncode == 0, result.stdout
    assert report(result)["findings"][0]["waived_by"]["approved_by"] == "ciso@example.com"


def test_a_pull_request_hiding_a_waiver_fails_the_check_and_needs_every_reviewer(
    gov: GovRepo, run_cli: Any, tmp_path: Path
) -> None:
    gov.write("catalog/design-tool.yaml", one_owner_entry())
    gov.commit("Add a tool (blocked by owners-distinct)")
    gov.git("checkout", "-q", "-b", "pr")
    gov.write("catalog/design-tool.yaml", hidden_waiver("\u2028"))
    head = gov.commit("Reword a comment")
    checked = run_cli("check", "--base", "main", "--format", "json", *TODAY, cwd=gov.path)
    assert checked.returncode == 1
    assert [f["rule"] for f in report(checked)["findings"]] == ["file-refused"]
    reviews = tmp_path / "reviews.json"
    approvals = [("alice-chen", "APPROVED"), ("carol-diaz", "APPROVED")]
    reviews.write_text(
        json.dumps([{"user": {"login": who}, "state": state, "commit_id": head} for who, state in approvals])
    )
    reviewed = run_cli(
        "review", "--base", "main", "--reviews", str(reviews), "--author", "mallory", "--format", "json", str(gov.path)
    )
    assert reviewed.returncode == 1, reviewed.stdout + reviewed.stderr
    verdict = json.loads(reviewed.stdout)
    needed = {rule["name"] for rule in verdict["rules"] if not rule["satisfied"]}
    assert "new-exception" in needed  # the unreadable entry is assumed to add one: security must look


@pytest.mark.parametrize("char", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_a_bidirectional_control_in_an_entry_is_refused(gov: GovRepo, run_cli: Any, char: str) -> None:
    text = dump(entry("design-tool")).replace("Design social graphics", f"Design {char}social graphics")
    gov.write("catalog/design-tool.yaml", text)
    gov.commit("Add a tool")
    result = run_cli("check", str(gov.path), "--format", "json", *TODAY)
    assert result.returncode == 1
    finding = report(result)["findings"][0]
    assert finding["rule"] == "file-refused"
    assert f"U+{ord(char):04X}" in finding["message"]
    line = text.count("\n", 0, text.index(char)) + 1
    assert finding["line"] == line
    assert finding["column"] == text.index(char) - text.rfind("\n", 0, text.index(char))


def test_an_organisation_file_with_a_hidden_line_is_invalid(gov: GovRepo, run_cli: Any) -> None:
    original = (gov.path / "martechgate.yaml").read_text()
    text = original.replace(
        "  author_can_approve: false", "  author_can_approve: false  # unchanged\u2028  author_can_approve: true", 1
    )
    assert text != original
    gov.write("martechgate.yaml", text)
    gov.commit("Tidy a comment")
    result = run_cli("check", str(gov.path))
    assert result.returncode == 2
    line = text.count("\n", 0, text.index("\u2028")) + 1
    assert f"martechgate.yaml:{line}:" in result.stderr
    assert "U+2028" in result.stderr


def test_a_policy_with_a_lone_cr_is_invalid(gov: GovRepo, run_cli: Any) -> None:
    path = gov.path / "policies/pii-requires-sso.yaml"
    text = path.read_text().replace("enforcement: soft", "enforcement: soft # was hard\renforcement: advisory")
    path.write_text(text)
    gov.commit("Comment the enforcement")
    result = run_cli("check", str(gov.path))
    assert result.returncode == 2
    line = text.count("\n", 0, text.index("\r")) + 1
    assert f"policies/pii-requires-sso.yaml:{line}:" in result.stderr


def test_windows_line_endings_stay_welcome(gov: GovRepo, run_cli: Any) -> None:
    gov.write("catalog/design-tool.yaml", dump(entry("design-tool")).replace("\n", "\r\n").encode())
    gov.commit("Add a tool written on Windows")
    result = run_cli("check", str(gov.path), *TODAY)
    assert result.returncode == 0, result.stdout
