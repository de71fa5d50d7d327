"""`martechgate audit`: every catalog change in a period, with proposer, approvers, check verdict and
exceptions, in CSV, JSON, Markdown and HTML."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest

from martechgate.audit import report as audit
from martechgate.audit.history import Git
from martechgate.audit.records import SigningKey, write
from tests.conftest import GovRepo, dump, entry
from tests.recording import JOINT, allow, verdict

SCIM_WAIVER = {
    "rule": "pii-requires-scim",
    "reason": "SCIM on Enterprise only; quarterly access review",
    "approved_by": "ciso@example.com",
    "ticket": "SEC-1",
    "expires": "2026-06-15",
}
PII = {
    "classification": "confidential",
    "categories": ["contact-pii"],
    "subjects": ["prospects"],
    "residency": ["US"],
    "transfer_mechanism": "none",
    "retention_days": 365,
}


def build(gov: GovRepo, key: SigningKey) -> dict[str, str]:
    shas: dict[str, str] = {}
    allow(gov, key, when="2026-03-30T10:00:00+00:00")
    gov.add_entry("before")
    shas["before"] = gov.commit("Add before (#1)", when="2026-03-31T23:59:59+00:00")
    # PR #2 (merge commit): a tool whose name would be markup in a careless HTML report
    base = gov.git("rev-parse", "main")
    gov.git("checkout", "-q", "-b", "add-forms")
    gov.add_entry("forms", name="<script>alert(1)</script> Forms")
    head = gov.commit("Add forms", when="2026-04-02T09:00:00+00:00", author="Mia <mia@example.com>")
    gov.git("checkout", "-q", "main")
    gov.git(
        "merge",
        "-q",
        "--no-ff",
        "add-forms",
        "-m",
        "Merge pull request #2 from acme/add-forms",
        date_text="2026-04-02T10:00:00+00:00",
    )
    shas["forms"] = gov.git("rev-parse", "HEAD")
    write(
        Git(gov.path),
        shas["forms"],
        verdict(base, head, JOINT),
        key,
    )
    # squash #3: personal data without SCIM, waived by an exception
    gov.write(
        "catalog/forms.yaml",
        dump(
            entry(
                "forms",
                name="Forms",
                data=PII,
                security={"sso": "saml", "mfa": "enforced", "scim": False, "evidence": []},
                exceptions=[SCIM_WAIVER],
            )
        ),
    )
    shas["waiver"] = gov.commit(
        "Forms collects leads (#3)", when="2026-04-10T12:00:00+00:00", author="Raj <raj@example.com>"
    )
    # a direct push that breaks the check (a hard rule: SSO off while holding personal data)
    gov.write(
        "catalog/forms.yaml",
        dump(
            entry(
                "forms",
                name="Forms",
                data=PII,
                security={"sso": "none", "mfa": "enforced", "scim": False, "evidence": []},
                exceptions=[{**SCIM_WAIVER, "expires": "2026-06-20"}],
            )
        ),
    )
    shas["direct"] = gov.commit("quick fix", when="2026-04-11T12:00:00+00:00", author="Admin <a@example.com>")
    gov.add_entry("after")
    shas["after"] = gov.commit("Add after (#4)", when="2026-07-01T00:00:00+00:00")
    return shas


def test_audit_events(gov: GovRepo, ci_key: SigningKey) -> None:
    shas = build(gov, ci_key)
    report = audit.build(Git(gov.path), date(2026, 4, 1), date(2026, 6, 30))
    events = [(e["event"], e["tool"], e["commit"]) for e in report.events]
    assert events == [
        ("added", "forms", shas["forms"]),
        ("changed", "forms", shas["waiver"]),
        ("exception-granted", "forms", shas["waiver"]),
        ("changed", "forms", shas["direct"]),
        ("exception-changed", "forms", shas["direct"]),
        ("exception-expired", "forms", None),
    ]
    added, changed, granted, direct, rechanged, expired = report.events
    assert added["pull_request"] == 2 and added["proposer"] == "Mia <mia@example.com>"
    assert added["approvers"] == "joint-cmo-cio: alice-chen (marketing), carol-diaz (it)"
    assert added["record"] == "approved" and added["check"] == "passed"
    assert changed["record"] == "none" and changed["pull_request"] == 3
    assert "data.classification: internal → confidential" in changed["detail"]
    assert granted["detail"].startswith("pii-requires-scim, approved by ciso@example.com, expires 2026-06-15")
    assert direct["proposer"] == "Admin <a@example.com>" and direct["check"].startswith("blocking: ")
    assert "pii-requires-sso" in direct["check"]
    assert rechanged["detail"] == "pii-requires-scim: expires: 2026-06-15 → 2026-06-20"
    assert expired["date"] == "2026-06-20"
    assert report.tip == gov.git("rev-parse", "HEAD~1")
    assert report.meta()["changes"] == 3


@pytest.mark.slow
def test_formats_escape_and_agree(gov: GovRepo, run_cli: Any, tmp_path: Any, ci_key: SigningKey) -> None:
    build(gov, ci_key)
    args = ("audit", "--since", "2026-04-01", "--until", "2026-06-30", "--repo", str(gov.path))
    document = json.loads(run_cli(*args, "--format", "json").stdout)
    assert document["meta"]["events"] == 6 and len(document["events"]) == 6
    rows = list(csv.DictReader(io.StringIO(run_cli(*args, "--format", "csv").stdout)))
    assert [r["event"] for r in rows] == [e["event"] for e in document["events"]]
    html_file = tmp_path / "audit.html"
    result = run_cli(*args, "--format", "html", "--output", str(html_file))
    assert result.returncode == 0, result.stderr
    html = html_file.read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Forms" in html
    markdown = run_cli(*args).stdout
    assert "&lt;script&gt;" in markdown and "| added |" in markdown


def test_dates_are_checked(gov: GovRepo, run_cli: Any) -> None:
    result = run_cli("audit", "--since", "2026-05-01", "--until", "2026-04-01", "--repo", str(gov.path))
    assert result.returncode == 2 and "before --since" in result.stderr
    empty = run_cli(
        "audit", "--since", "2020-01-01", "--until", "2020-12-31", "--repo", str(gov.path), "--format", "json"
    )
    assert empty.returncode == 0 and json.loads(empty.stdout)["events"] == []


def test_the_check_follows_rule_changes_within_the_period(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.commit("Add canva (#1)", when="2026-04-01T10:00:00+00:00")
    # a new hard policy lands: every tool must have SCIM off (absurd, but it fails canva)
    gov.write(
        "policies/no-scim.yaml",
        dump(
            {
                "id": "no-scim",
                "title": "No SCIM",
                "description": "Test policy.",
                "severity": "high",
                "enforcement": "hard",
                "match": {"required": ["security"]},
                "require": {"properties": {"security": {"properties": {"scim": {"const": False}}}}},
                "message": "{id} has SCIM",
                "remediation": "Turn SCIM off.",
                "examples": {
                    "pass": [{"id": "a", "security": {"scim": False}}],
                    "fail": [{"id": "b", "security": {"scim": True}}],
                },
            }
        ),
    )
    gov.commit("Add a policy (#2)", when="2026-04-02T10:00:00+00:00")
    gov.add_entry("canva", purpose="Design everything")
    gov.commit("Widen canva (#3)", when="2026-04-03T10:00:00+00:00")
    gov.write("martechgate.yaml", "not: [valid\n")
    gov.commit("Break the organisation file", when="2026-04-04T10:00:00+00:00")
    gov.add_entry("canva", purpose="Design")
    gov.commit("Narrow canva (#4)", when="2026-04-05T10:00:00+00:00")
    report = audit.build(Git(gov.path), date(2026, 4, 1), date(2026, 4, 30))
    assert [(e["pull_request"], e["check"][:22]) for e in report.events] == [
        (1, "passed"),
        (3, "blocking: no-scim"),
        (4, "could not run: this is"),
    ]
    assert [e["event"] for e in report.events] == ["added", "changed", "changed"]


def test_a_verdict_that_a_date_turns_inside_the_period_turns_on_that_day(gov: GovRepo) -> None:
    """An entry nobody touches fails a dated policy from one day on: the audit judges what no day changes
    once per version, and the rest every day, so the commits after that day see it fail."""
    gov.write(
        "policies/renewal-ahead.yaml",
        dump(
            {
                "id": "renewal-ahead",
                "title": "Renewal dates are ahead",
                "description": "Test policy: a renewal in the past is a contract nobody looked at.",
                "severity": "high",
                "enforcement": "hard",
                "match": {"required": ["contract"]},
                "require": {"properties": {"contract": {"properties": {"renewal": {"atLeastDaysAhead": 0}}}}},
                "message": "{id} renewed on {contract.renewal}",
                "remediation": "Set the next renewal date.",
                "examples": {
                    "pass": [{"id": "a", "contract": {"renewal": "2999-01-01"}}],
                    "fail": [{"id": "b", "contract": {"renewal": "2000-01-01"}}],
                },
            }
        ),
    )
    gov.commit("Add a policy", when="2026-05-01T10:00:00+00:00")
    contract = {**entry("x")["contract"], "renewal": "2026-06-01"}
    gov.add_entry("canva", contract=contract)
    gov.commit("Add canva (#1)", when="2026-05-20T10:00:00+00:00")
    gov.add_entry("miro")
    gov.commit("Add miro (#2)", when="2026-05-31T10:00:00+00:00")
    gov.add_entry("figma")
    gov.commit("Add figma (#3)", when="2026-06-02T10:00:00+00:00")
    gov.add_entry("canva", contract=contract, purpose="Design everything")
    gov.commit("Widen canva (#4)", when="2026-06-03T10:00:00+00:00")
    report = audit.build(Git(gov.path), date(2026, 5, 1), date(2026, 6, 30))
    assert [(e["pull_request"], e["check"]) for e in report.events] == [
        (1, "passed"),
        (2, "passed"),
        (3, "passed (1 blocking in the catalog)"),
        (4, "blocking: renewal-ahead"),
    ]
