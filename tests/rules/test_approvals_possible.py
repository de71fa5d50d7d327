"""approvals-possible: check proves the organisation file lets every kind of change be approved."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from martechgate.check.approvability import impossible, kinds_of_change
from martechgate.check.organisation import parse_organization
from tests.conftest import ROOT, GovRepo

RULES = [
    {"name": "joint", "when": {"paths": ["catalog/**"]}, "require": {"marketing": 1, "it": 1}},
    {"name": "high-risk", "when": {"risk_tier": ["high", "critical"]}, "require": {"security": 1}},
    {"name": "new-exception", "when": {"exceptions_changed": True}, "require": {"security": 1}},
    {"name": "governance", "when": {"paths": ["policies/**", "martechgate.yaml"]}, "require": {"it": 1, "security": 1}},
]


def organisation(security: list[str], **review: Any) -> dict[str, Any]:
    return {
        "organization": "Acme",
        "categories": ["design"],
        "groups": {
            "marketing": {"members": ["ann", "bob"]},
            "it": {"github_team": "acme/it"},  # members only GitHub knows: never counted
            "security": {"members": security},
        },
        "review": {"rules": copy.deepcopy(RULES), "distinct_reviewers": True, "author_can_approve": False, **review},
    }


def problems(document: dict[str, Any]) -> list[str]:
    return [problem.message() for problem in impossible(parse_organization(yaml.safe_dump(document).encode()))]


def test_two_security_seats_and_one_security_person_is_impossible() -> None:
    found = problems(organisation(["erin"]))
    assert found[0].startswith("A pull request changing one catalog entry (risk tier high) can never be approved")
    assert "rules high-risk (1), new-exception (1) need 2 people of group security" in found[0]
    assert "which has 1 member who may approve (erin)" in found[0]


def test_the_author_counts_when_they_cannot_approve() -> None:
    found = problems(organisation(["erin", "ivan"]))
    assert len(found) == 1 and "when erin, a member, opens the pull request" in found[0]
    assert "it has 1 other member (ivan)" in found[0]
    assert problems(organisation(["erin", "ivan"], author_can_approve=True)) == []
    assert problems(organisation(["erin", "ivan", "jo"])) == []


def test_without_distinct_reviewers_one_person_serves_several_rules() -> None:
    assert problems(organisation(["erin", "ivan"], distinct_reviewers=False)) == []
    assert problems(organisation(["erin"], distinct_reviewers=False, author_can_approve=True)) == []


def test_governance_changes_are_their_own_kind() -> None:
    document = organisation(["erin", "ivan", "jo"])
    document["review"]["rules"][3]["require"] = {"security": 3}
    found = problems(document)
    assert len(found) == 1 and found[0].startswith("A pull request changing policies/**, martechgate.yaml")


def test_rules_that_cannot_hold_together_are_not_added_up() -> None:
    # One entry has one risk tier: a rule for low-risk tools and one for high-risk ones never meet.
    document = organisation(["erin", "ivan", "jo"])
    document["review"]["rules"].append({"name": "low-risk", "when": {"risk_tier": ["low"]}, "require": {"security": 1}})
    assert problems(document) == []
    kinds = {
        kind.description: {rule.name for rule in kind.rules}
        for kind in kinds_of_change(parse_organization(yaml.safe_dump(document).encode()))
    }
    assert not any({"low-risk", "high-risk"} <= names for names in kinds.values())


def test_check_reports_it_on_the_organisation_file(gov: GovRepo, run_cli: Any) -> None:
    document = organisation(["erin"])
    gov.write("martechgate.yaml", yaml.safe_dump(document, sort_keys=False))
    gov.add_entry("canva")
    result = run_cli("check", "--repo", str(gov.path), "--format", "json", "--today", "2026-11-23")
    assert result.returncode == 1, result.stderr
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "approvals-possible"]
    assert len(found) == 2, [f["message"] for f in found]
    assert found[0]["file"] == "martechgate.yaml" and found[0]["blocking"]
    assert found[0]["line"] is not None
    # also when only one entry is checked: the rules judge every change
    one = run_cli("check", str(gov.path / "catalog" / "canva.yaml"))
    assert one.returncode == 1 and "approvals-possible" in one.stdout


@pytest.mark.parametrize("source", ["init", "own"])
def test_the_shipped_organisation_files_are_satisfiable(source: str, tmp_path: Path, run_cli: Any) -> None:
    if source == "init":
        assert run_cli("init", str(tmp_path / "gov")).returncode == 0
        raw = (tmp_path / "gov" / "martechgate.yaml").read_bytes()
    else:
        raw = (ROOT / "martechgate.yaml").read_bytes()
    assert list(impossible(parse_organization(raw))) == []
