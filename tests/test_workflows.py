"""The repository's GitHub workflows: the shapes the issue promises (actionlint checks the syntax)."""

from __future__ import annotations

from typing import Any

import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_ci_runs_the_projects_test_script() -> None:
    ci = _load("ci.yml")
    steps = ci["jobs"]["test"]["steps"]
    assert any(step.get("run") == "bash .ci/run" for step in steps)
    assert ci["permissions"] == {"contents": "read"}


def test_reusable_workflow_jobs_and_minimal_permissions() -> None:
    reusable = _load("martechgate.yml")
    assert "workflow_call" in reusable["on"] and reusable["permissions"] == {}
    check, review = reusable["jobs"]["check"], reusable["jobs"]["review"]
    assert check["if"] == "github.event_name == 'pull_request'"
    assert "pull_request_review" in review["if"]
    assert review["permissions"] == {"contents": "read", "pull-requests": "read", "statuses": "write"}
    check_script = next(step["run"] for step in check["steps"] if step.get("id") == "check")
    assert '--base "$BASE_SHA"' in check_script and "--format sarif" in check_script
    assert "$GITHUB_STEP_SUMMARY" in check_script
    assert any("upload-sarif" in step.get("uses", "") for step in check["steps"])
    review_script = review["steps"][-1]["run"]
    assert "martechgate review --github" in review_script and "-eq 2" in review_script
    for job in (check, review):
        for step in job["steps"]:
            uses = step.get("uses")
            assert uses is None or uses.rsplit("@", 1)[1].startswith("v")  # pinned by major version


def test_this_repository_governs_itself_with_the_reusable_workflow() -> None:
    governance = _load("governance.yml")
    assert set(governance["on"]) == {"pull_request", "pull_request_review"}
    job = governance["jobs"]["martechgate"]
    assert job["uses"] == "./.github/workflows/martechgate.yml" and job["with"]["package"] == "base"
