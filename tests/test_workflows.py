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
    assert '--base "$BASE"' in check_script and "--format sarif" in check_script
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
    assert set(governance["on"]) == {"pull_request", "pull_request_review", "push"}
    assert "edited" in governance["on"]["pull_request"]["types"]  # the base branch may have changed
    job = governance["jobs"]["martechgate"]
    assert job["uses"] == "./.github/workflows/martechgate.yml" and job["with"]["package"] == "base"


def test_pull_requests_are_judged_again_when_their_base_moves() -> None:
    """A policy merged into main after a pull request was judged must judge it too: every shipped
    workflow re-runs on a push to the base branch, and reads the base by its full ref name."""
    template = ROOT / "src" / "martechgate" / "templates" / "init" / "github" / "workflows" / "martechgate.yml"
    for workflow in (_load("martechgate.yml"), _load(str(template))):
        rerun = workflow["jobs"]["rerun"]
        assert rerun["if"] == "github.event_name == 'push'"
        assert rerun["permissions"] == {"actions": "write", "pull-requests": "read"}
        script = rerun["steps"][-1]["run"]
        assert "gh pr list --base" in script and "gh run rerun" in script
        text = yaml.safe_dump(workflow)
        assert "refs/remotes/origin/${{ github.event.pull_request.base.ref }}" in text
        assert "base.sha" not in text  # the event's base is as old as the event
    template_data = _load(str(template))
    assert "edited" in template_data["on"]["pull_request"]["types"] and "push" in template_data["on"]


def test_the_required_status_names_the_base_branch() -> None:
    text = (WORKFLOWS / "martechgate.yml").read_text() + (ROOT / "README.md").read_text()
    assert "martechgate/review (main)" in text
    assert "`martechgate/review`)" not in text  # the old context, which two pull requests shared
