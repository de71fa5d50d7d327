"""Attacks with one person written as two: an owner approving the exception on their own tool, one
person as both owners. Addresses are compared in one canonical form; a form martechgate does not accept
is a located finding.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from martechgate.check.identity import canonical_email
from tests.conftest import GovRepo, dump, entry

TODAY = ["--today", "2026-11-23"]
OWNER = "jane.doe@example.com"
DISGUISES = [
    "mailto:jane.doe@example.com",
    "MAILTO: Jane.Doe@Example.com",
    "jane.doe@example.com.",
    "<jane.doe@example.com>",
    "Jane.Doe+x@Example.com",
    "  jane.doe@EXAMPLE.COM  ",
    "<mailto:jane.doe+waiver@example.com.>",
]


def findings(result: Any) -> list[dict[str, Any]]:
    report: dict[str, Any] = json.loads(result.stdout)
    return list(report["findings"])


def tool_waived_by(gov: GovRepo, approver: str) -> None:
    """A tool owned by jane (twice: owners-distinct, a soft rule, blocks) with an exception signed by
    `approver`."""
    owners = {"business": OWNER, "technical": OWNER, "department": "brand"}
    waiver = {
        "rule": "owners-distinct",
        "reason": "small team",
        "approved_by": approver,
        "ticket": "SEC-9",
        "expires": "2027-01-31",
    }
    gov.write("catalog/design-tool.yaml", dump(entry("design-tool", owners=owners, exceptions=[waiver])))
    gov.commit("Add a tool with an exception")


@pytest.mark.parametrize("approver", DISGUISES)
def test_the_owner_cannot_approve_the_exception_on_their_own_tool(gov: GovRepo, run_cli: Any, approver: str) -> None:
    tool_waived_by(gov, approver)
    result = run_cli("check", str(gov.path), "--format", "json", *TODAY)
    assert result.returncode == 1, result.stdout
    found = {f["rule"]: f for f in findings(result)}
    invalid = found["exception-invalid"]
    assert invalid["path"] == "exceptions.0.approved_by"
    assert "owns this tool" in invalid["message"]
    assert found["owners-distinct"]["waived_by"] is None


def test_a_security_officer_still_approves(gov: GovRepo, run_cli: Any) -> None:
    tool_waived_by(gov, "CISO@example.com")
    result = run_cli("check", str(gov.path), "--format", "json", *TODAY)
    assert result.returncode == 0, result.stdout
    (waived,) = findings(result)
    assert waived["waived_by"]["approved_by"] == "ciso@example.com"  # one form in the report and the audit


@pytest.mark.parametrize(
    "approver", ["Jane Doe <jane.doe@example.com>", "jane.doe@[192.0.2.1]", '"jane doe"@example.com', "jane.doe"]
)
def test_an_approver_in_another_form_is_a_located_finding(gov: GovRepo, run_cli: Any, approver: str) -> None:
    tool_waived_by(gov, approver)
    result = run_cli("check", str(gov.path), "--format", "json", *TODAY)
    assert result.returncode == 1
    invalid = next(f for f in findings(result) if f["rule"] == "exception-invalid")
    assert invalid["path"] == "exceptions.0.approved_by" and invalid["line"] is not None
    assert "name@example.com" in invalid["message"]


def test_an_owner_hidden_behind_a_display_name_still_owns_the_tool(gov: GovRepo, run_cli: Any) -> None:
    """The technical owner written with a display name is a finding of its own (owner-unresolved, which
    says to write the address alone), and that person still cannot approve the waiver."""
    owners = {"business": "raj.patel@example.com", "technical": "Jane <jane.doe@example.com>"}
    waiver = {"rule": "owners-distinct", "reason": "r", "approved_by": OWNER, "expires": "2027-01-31"}
    gov.write("catalog/design-tool.yaml", dump(entry("design-tool", owners=owners, exceptions=[waiver])))
    gov.commit("Add")
    result = run_cli("check", str(gov.path), "--format", "json", *TODAY)
    assert result.returncode == 1
    rules = {f["rule"]: f for f in findings(result)}
    assert rules["owner-unresolved"]["path"] == "owners.technical"
    assert "write the address alone: jane.doe@example.com" in rules["owner-unresolved"]["message"]
    assert "owns this tool" in rules["exception-invalid"]["message"]


@pytest.mark.parametrize("technical", DISGUISES)
def test_one_person_cannot_be_both_owners(gov: GovRepo, run_cli: Any, technical: str) -> None:
    owners = {"business": OWNER, "technical": technical, "department": "brand"}
    gov.write("catalog/design-tool.yaml", dump(entry("design-tool", owners=owners)))
    gov.commit("Add a tool")
    result = run_cli("check", str(gov.path), "--format", "json", *TODAY)
    assert result.returncode == 1, result.stdout
    assert [f["rule"] for f in findings(result)] == ["owners-distinct"]


def test_a_pull_request_adding_a_self_approved_exception_fails(gov: GovRepo, run_cli: Any) -> None:
    owners = {"business": OWNER, "technical": OWNER, "department": "brand"}
    gov.write("catalog/design-tool.yaml", dump(entry("design-tool", owners=owners)))
    gov.commit("Add a tool")
    gov.git("checkout", "-q", "-b", "pr")
    tool_waived_by(gov, "Jane.Doe+sec@Example.com.")
    result = run_cli("check", "--base", "main", "--format", "json", *TODAY, cwd=gov.path)
    assert result.returncode == 1
    assert "exception-invalid" in {f["rule"] for f in findings(result)}


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("a@b.example", "a@b.example"),
        ("A+tag+more@B.Example.", "a@b.example"),
        ("<mailto:a@b.example>", "a@b.example"),
        ("<<a@b.example>>", None),
        ("mailto:<a@b.example>", "a@b.example"),
        ("+tag@b.example", None),
        ("a@b", None),
        ("jöran@b.example", None),
        (["a@b.example"], None),
    ],
)
def test_the_canonical_form(written: Any, canonical: str | None) -> None:
    assert canonical_email(written) == canonical
