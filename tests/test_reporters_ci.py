"""The CI formats (sarif, junit, github, markdown): each a view of the same findings, on real repos."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import jsonschema_rs
import pytest

from martechgate import formats as reporters
from martechgate.check.engine import CheckResult
from martechgate.cli.check import check as check_command
from martechgate.formats import REPORTERS, github, markdown
from martechgate.gate import diff_check as pullcheck
from tests.conftest import FIXTURES, TODAY, GovRepo

HOSTILE = "Evil <script>alert(1)</script> | [click](https://evil.example) @everyone $x$ `code`\nnext"

PII_NO_SSO: dict[str, Any] = {
    "name": "Acme Forms",
    "vendor": {"name": "Acme Forms Ltd", "website": "https://forms.example.com", "country": "US"},
    "data": {
        "classification": "internal",
        "categories": ["contact-pii"],
        "subjects": ["prospects"],
        "residency": ["US"],
        "transfer_mechanism": "none",
        "retention_days": 365,
    },
    "security": {
        "sso": "none",
        "mfa": "enforced",
        "scim": False,
        "evidence": [{"type": "soc2-type2", "period_end": "2026-06-30", "expires": "2027-06-30"}],
    },
    "review": {"risk_tier": "medium", "last_reviewed": "2026-06-01", "next_review": "2027-06-01"},
    "exceptions": [
        {
            "rule": "pii-requires-scim",
            "reason": "SCIM on Enterprise only; quarterly access review",
            "approved_by": "ciso@example.com",
            "ticket": "SEC-1",
            "expires": "2027-01-31",
        }
    ],
}


@pytest.fixture
def pr(gov: GovRepo) -> CheckResult:
    """A pull request adding a tool with a blocking, a waived and an advisory-free set of findings,
    deleting another, and touching a policy."""
    gov.add_entry(
        "crm",
        name="CRM",
        data=PII_NO_SSO["data"],
        security={"sso": "saml", "mfa": "enforced", "scim": True, "evidence": []},
        review={"risk_tier": "medium", "last_reviewed": "2026-06-01", "next_review": "2027-06-01"},
    )
    gov.add_entry(
        "old-tool", name="Old Tool", vendor={"name": "Old", "website": "https://old.example", "country": "US"}
    )
    gov.commit("main")
    gov.git("checkout", "-q", "-b", "pr")
    gov.add_entry(
        "acme-forms",
        **{
            **PII_NO_SSO,
            "purpose": HOSTILE,
            "integrations": [
                {"target": "crm", "direction": "outbound", "data": ["contact-pii"], "method": "native"},
                {"target": "old-tool", "direction": "inbound", "data": ["none"], "method": "api"},
            ],
        },
    )
    gov.git("rm", "-q", "catalog/old-tool.yaml")
    policy = gov.path / "policies" / "pii-requires-mfa.yaml"
    policy.write_text(policy.read_text() + "\n# touched\n")
    gov.commit("PR")
    return pullcheck.check_change(gov.path, "main", "pr", TODAY)


def test_formats_come_from_the_registry() -> None:
    choices = next(p for p in check_command.params if p.name == "output_format").type.choices  # type: ignore[attr-defined]
    assert set(choices) == set(REPORTERS) >= {"text", "json", "sarif", "junit", "github", "markdown"}


def test_sarif_is_valid_2_1_0_with_rules_locations_levels_and_suppressions(pr: CheckResult) -> None:
    log = json.loads(reporters.render("sarif", pr))
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    validator = jsonschema_rs.validator_for(schema)
    errors = [str(error) for error in validator.iter_errors(log)]
    assert errors == []
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert "entry-deleted" in ids and "pii-requires-sso" in ids
    assert all(rule["help"]["text"] for rule in rules)
    results = run["results"]
    assert len(results) == len(pr.report.findings)
    for result in results:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    sso = next(r for r in results if r["ruleId"] == "pii-requires-sso")
    location = sso["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "catalog/acme-forms.yaml"
    assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    assert sso["level"] == "error"
    waived = next(r for r in results if r["ruleId"] == "pii-requires-scim")
    assert waived["suppressions"][0]["kind"] == "inSource"
    assert "ciso@example.com" in waived["suppressions"][0]["justification"]
    deleted = next(r for r in results if r["ruleId"] == "entry-deleted")
    assert "region" not in deleted["locations"][0]["physicalLocation"]


def test_junit_parses_with_one_case_per_finding(pr: CheckResult) -> None:
    root = ET.fromstring(reporters.render("junit", pr).encode("utf-8"))
    cases = root.findall(".//testcase")
    assert len(cases) == len(pr.report.findings)
    failures = [case for case in cases if case.find("failure") is not None]
    assert len(failures) == pr.report.blocking == int(root.get("failures", "-1"))
    skipped = [case for case in cases if case.find("skipped") is not None]
    assert [case.get("name") for case in skipped] == ["pii-requires-scim: security.scim"]
    suites = {suite.get("name") for suite in root.findall("testsuite")}
    assert {"catalog/acme-forms.yaml", "catalog/old-tool.yaml"} <= suites


def test_junit_lists_clean_entries_and_survives_control_characters(gov: GovRepo) -> None:
    gov.add_entry("canva", name="Canva")
    gov.commit("main")
    gov.git("checkout", "-q", "-b", "pr")
    gov.add_entry("figma", name="Fig\x01ma\x1b", purpose="Design\x0c files")
    gov.commit("PR")
    result = pullcheck.check_change(gov.path, "main", "pr", TODAY)
    root = ET.fromstring(reporters.render("junit", result))
    [case] = root.findall(".//testcase")
    assert case.get("name") == "passes every rule" and root.get("failures") == "0"


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("50% done", "50%25 done", "50%25 done"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("x: y, z", "x: y, z", "x%3A y%2C z"),
        ("::error::boom", "::error::boom", "%3A%3Aerror%3A%3Aboom"),
    ],
)
def test_github_escaping(raw: str, data: str, prop: str) -> None:
    assert github.escape_data(raw) == data
    assert github.escape_property(raw) == prop


def test_github_annotations(pr: CheckResult) -> None:
    lines = reporters.render("github", pr).splitlines()
    commands = [line for line in lines if line.startswith("::") and "title=Governance" not in line]
    assert len(commands) == len(pr.report.findings)
    assert all("\n" not in command for command in commands)
    sso = next(line for line in commands if "title=pii-requires-sso" in line)
    assert sso.startswith("::error file=catalog/acme-forms.yaml,line=")
    assert ",col=" in sso and "%2C blocks the merge" in sso
    assert any(line.startswith("::notice ") and "pii-requires-scim" in line for line in commands)
    deleted = next(line for line in commands if "entry-deleted" in line)
    assert deleted.startswith("::error file=catalog/old-tool.yaml,title=")
    governance = [line for line in lines if line.startswith("::warning title=Governance files changed::")]
    assert len(governance) == 1 and "policies/pii-requires-mfa.yaml" in governance[0]


def test_markdown_review_screen(pr: CheckResult) -> None:
    text = reporters.render("markdown", pr)
    assert "## martechgate check: ❌ failed" in text
    section = text.split("### Acme Forms")[1].split("### ")[0]
    for fact in (
        "Purpose",
        "contact-pii",
        "none / enforced / no",
        "soc2-type2 (expires 2027-06-30)",
        "1,200 USD",
        "**medium** computed",
    ):
        assert fact in section, fact
    assert "— new" in text.split("\n### Acme Forms")[1].splitlines()[0]
    assert "**pii-requires-sso**" in section
    assert "**joint-cmo-cio**" in section and "**personal-data**" in section
    assert "**new-exception**" in section  # the entry adds an exception
    assert "`@acme/marketing-ops`" in section
    assert "```mermaid\nflowchart LR" in section
    assert 'self -->|"contact-pii"| t0' in section and "t1 -->" in section
    assert "— deleted" in text and "entry-deleted" in text
    assert "[!IMPORTANT]" in text and "`policies/pii-requires-mfa.yaml`" in text
    assert "**governance-change**" in text


def test_markdown_escapes_catalog_text(pr: CheckResult) -> None:
    text = reporters.render("markdown", pr)
    purpose = next(line for line in text.splitlines() if line.startswith("| Purpose |"))
    assert "<script>" not in purpose and "&lt;script&gt;" in purpose
    assert "@everyone" not in text and "&#64;everyone" in purpose
    assert "\\[click\\]" in purpose and "\\|" in purpose and "\\$x\\$" in purpose and "\\`code\\`" in purpose
    assert len(re.findall(r"(?<!\\)\|", purpose)) == 3  # the cell did not split the table row
    assert markdown.escape("a\nb") == "a b"


def test_mermaid_labels_cannot_break_out() -> None:
    label = markdown._mermaid_label('x"]; click self "https://evil" <b>')
    assert '"' not in label and "]" not in label and "<" not in label


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github", "markdown"])
def test_cli_formats_and_output_file(gov: GovRepo, run_cli: Any, fmt: str, tmp_path: Any) -> None:
    gov.git("checkout", "-q", "-b", "pr")
    gov.add_entry("acme-forms", **PII_NO_SSO)
    gov.commit("PR")
    out = tmp_path / f"report.{fmt}"
    result = run_cli(
        "check",
        str(gov.path),
        "--base",
        "main",
        "--head",
        "pr",
        "--today",
        TODAY.isoformat(),
        "--format",
        fmt,
        "--output",
        str(out),
    )
    assert result.returncode == 1, result.stderr
    assert out.read_text(encoding="utf-8") == result.stdout
    assert "pii-requires-sso" in result.stdout


def test_full_check_markdown_lists_entries_with_findings(gov: GovRepo) -> None:
    from martechgate.check import engine
    from martechgate.sources.repo import WorkTree

    gov.add_entry("canva", name="Canva")
    gov.add_entry("acme-forms", **PII_NO_SSO)
    result = engine.run(engine.load_catalog(WorkTree(gov.path), today=TODAY))
    text = reporters.render("markdown", result)
    assert "### Acme Forms" in text and "### Canva" not in text


def test_output_into_a_missing_folder_exits_2_without_traceback(gov: GovRepo, run_cli: Any, tmp_path: Any) -> None:
    result = run_cli(
        "check", str(gov.path), "--format", "sarif", "--output", str(tmp_path / "no" / "such" / "report.sarif")
    )
    assert result.returncode == 2 and "could not write the report" in result.stderr
    assert "Traceback" not in result.stderr
