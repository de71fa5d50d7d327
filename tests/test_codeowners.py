"""`martechgate codeowners` and `martechgate ruleset`: GitHub's review machinery from martechgate.yaml."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from martechgate.check.organisation import parse_organization
from martechgate.gate import github_setup
from tests.conftest import GovRepo

ORG = b"""
organization: T
categories: [design]
groups:
  marketing: {github_team: acme/marketing-ops, members: [alice]}
  it: {github_team: acme/it, members: [carol]}
  security: {members: [erin]}
review:
  rules:
    - {name: joint, when: {paths: ["catalog/**"]}, require: {marketing: 1, it: 1}}
    - {name: vip, when: {paths: ["catalog/vip/**"]}, require: {security: 1}}
    - {name: risky, when: {paths: ["catalog/**"], risk_tier: [high]}, require: {security: 1}}
    - {name: gov, when: {paths: ["policies/**", "martechgate.yaml", "my docs/#notes"]},
       require: {it: 1, security: 1}}
    - {name: money, when: {annual_cost_over: 100}, require: {marketing: 1}}
"""


def _lines(text: str) -> dict[str, list[str]]:
    rows = [line.split() for line in text.splitlines() if line and not line.startswith("#")]
    return {row[0]: row[1:] for row in rows}


def test_codeowners_from_path_rules() -> None:
    generated = github_setup.codeowners(parse_organization(ORG))
    lines = _lines(generated.text)
    assert lines["/catalog/**"] == ["@acme/marketing-ops", "@alice", "@acme/it", "@carol", "@erin"]
    # GitHub applies only the last matching line: the narrower pattern keeps the broader one's owners.
    assert set(lines["/catalog/vip/**"]) >= {"@acme/marketing-ops", "@acme/it", "@erin"}
    assert lines["/martechgate.yaml"] == ["@acme/it", "@carol", "@erin"]
    assert "\n/my\\ docs/\\#notes @acme/it" in generated.text  # escaped as gitignore patterns need
    assert not any("money" in note for note in generated.notes)  # no paths: not CODEOWNERS' business
    assert any("risky" in note and "risk_tier" in note for note in generated.notes)


def test_ruleset_payload_and_groups_without_team() -> None:
    payload, notes = github_setup.ruleset(parse_organization(ORG), {"acme/it": 7})
    assert payload["target"] == "branch" and payload["enforcement"] == "active"
    pull = next(rule for rule in payload["rules"] if rule["type"] == "pull_request")["parameters"]
    reviewers = pull["required_reviewers"]
    assert {"minimum_approvals": 1, "file_patterns": ["catalog/**"], "reviewer": {"id": 7, "type": "Team"}} in reviewers
    assert {
        "minimum_approvals": 1,
        "file_patterns": ["catalog/**"],
        "reviewer": {"id": None, "type": "Team"},
    } in reviewers  # marketing: id unknown
    assert all(r["reviewer"]["type"] == "Team" for r in reviewers)
    assert pull["required_approving_review_count"] == 2  # joint and gov need two people
    status = next(rule for rule in payload["rules"] if rule["type"] == "required_status_checks")
    assert status["parameters"]["required_status_checks"] == [{"context": "martechgate/review (main)"}]
    assert status["parameters"]["strict_required_status_checks_policy"] is True  # up to date with main
    assert payload["conditions"]["ref_name"]["include"] == ["refs/heads/main"]
    assert any("'security' has no github_team" in note and "cannot require" in note for note in notes)
    assert any("gh api orgs/acme/teams/marketing-ops" in note for note in notes)


def test_cli_codeowners_print_and_write(gov: GovRepo, run_cli: Any) -> None:
    printed = run_cli("codeowners", str(gov.path))
    assert printed.returncode == 0 and "/catalog/** @acme/marketing-ops" in printed.stdout
    written = run_cli("codeowners", str(gov.path), "--write")
    assert written.returncode == 0, written.stderr
    target = gov.path / ".github" / "CODEOWNERS"
    assert target.read_text() == printed.stdout
    again = run_cli("codeowners", str(gov.path), "--write")
    assert again.returncode == 0 and "up to date" in again.stderr
    assert [p.name for p in target.parent.iterdir()] == ["CODEOWNERS"]  # no temporary left behind


def test_cli_codeowners_in_a_subfolder_names_paths_from_the_git_root(tmp_path: Path, run_cli: Any) -> None:
    outer = GovRepo(tmp_path / "outer")
    outer.commit("start")
    inner = tmp_path / "outer" / "governance"
    inner.mkdir()
    (inner / "martechgate.yaml").write_text((outer.path / "martechgate.yaml").read_text())
    result = run_cli("codeowners", str(inner), "--write")
    assert result.returncode == 0, result.stderr
    text = (outer.path / ".github" / "CODEOWNERS").read_text()
    assert "/governance/catalog/** " in text


def test_cli_ruleset(gov: GovRepo, run_cli: Any) -> None:
    result = run_cli(
        "ruleset", str(gov.path), "--team-id", "acme/it-architecture=42", "--team-id", "acme/marketing-ops=41"
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    teams = {
        r["reviewer"]["id"]
        for rule in payload["rules"]
        if rule["type"] == "pull_request"
        for r in rule["parameters"]["required_reviewers"]
    }
    assert teams == {41, 42}
    assert "'security' has no github_team" in result.stderr
    bad = run_cli("ruleset", str(gov.path), "--team-id", "acme/it")
    assert bad.returncode == 2 and "ORG/TEAM=ID" in bad.stderr


def test_cli_without_organisation_file_exits_2(tmp_path: Path, run_cli: Any) -> None:
    for command in ("codeowners", "ruleset"):
        result = run_cli(command, str(tmp_path))
        assert result.returncode == 2 and "martechgate.yaml" in result.stderr
