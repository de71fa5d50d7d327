"""The repository's GitHub workflows: the shapes the issue promises (actionlint checks the syntax)."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from typing import Any

import yaml
from packaging.requirements import Requirement

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_ci_runs_every_stage_of_the_projects_script() -> None:
    ci = _load("ci.yml")
    script = (ROOT / ".ci" / "run").read_text()
    default = re.search(r"\|\| stages=\((.+)\)\n", script)
    assert default is not None
    stages = set(default.group(1).split())
    assert stages == {"lint", "test", "oldest"}
    runs = {step["run"] for job in ci["jobs"].values() for step in job["steps"] if "run" in step}
    assert runs == {f"bash .ci/run {stage}" for stage in stages}
    assert ci["permissions"] == {"contents": "read"}
    for tool in ("ruff check src tests bench", "ruff format --check src tests bench", "mypy", "lint-imports"):
        assert f".venv/bin/{tool}" in script


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"Run the tests.*?```sh\n(.+?)\n```", readme, re.S)
    assert command is not None
    assert command.group(1) in (ROOT / ".ci" / "run").read_text()


def test_the_oldest_run_pins_every_dependency_to_its_lower_bound() -> None:
    spec = importlib.util.spec_from_file_location("oldest", ROOT / ".ci" / "oldest.py")
    assert spec is not None and spec.loader is not None
    oldest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(oldest)
    pins = {line.split("==")[0]: line.split("==")[1] for line in oldest.lower_bounds(ROOT / "pyproject.toml")}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(text) for text in project["dependencies"]]
    declared += [Requirement(text) for extra in project["optional-dependencies"].values() for text in extra]
    for requirement in declared:
        # Without a lower bound the oldest run would test whatever the resolver picks: every runtime
        # dependency names the oldest version it is known to work with (type stubs may float).
        if not requirement.name.startswith("types-"):
            assert requirement.name.lower() in pins, f"{requirement} declares no lower bound"
    assert pins["pyyaml"] == "6.0.1" and pins["click"] == "8.2"


def test_reusable_workflow_jobs_and_minimal_permissions() -> None:
    reusable = _load("martechgate.yml")
    assert "workflow_call" in reusable["on"] and reusable["permissions"] == {}
    check, review = reusable["jobs"]["check"], reusable["jobs"]["review"]
    assert check["if"] == "github.event_name == 'pull_request' && github.event.action != 'closed'"
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


def test_reusable_workflow_records_each_merge_signed() -> None:
    reusable = _load("martechgate.yml")
    record = reusable["jobs"]["record"]
    assert "github.event.pull_request.merged" in record["if"] and "'closed'" in record["if"]
    assert record["permissions"] == {"contents": "write", "pull-requests": "read"}
    assert "record-signing-key" in reusable["on"]["workflow_call"]["secrets"]
    step = record["steps"][-1]
    assert step["env"]["MARTECHGATE_SIGNING_KEY"] == "${{ secrets.record-signing-key }}"
    assert "martechgate review --github" in step["run"] and "martechgate record --commit" in step["run"]
    assert "--push" in step["run"]
    checkout = record["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0


def test_init_template_records_each_merge_signed() -> None:
    template = yaml.safe_load((ROOT / "src/martechgate/templates/init/github/workflows/martechgate.yml").read_text())
    template["on"] = template.pop(True)
    assert "closed" in template["on"]["pull_request"]["types"]
    record = template["jobs"]["record"]
    assert record["steps"][-1]["env"]["MARTECHGATE_SIGNING_KEY"] == "${{ secrets.MARTECHGATE_RECORD_KEY }}"
    assert "martechgate record" in record["steps"][-1]["run"]
    assert template["jobs"]["check"]["if"] == "github.event.action != 'closed'"


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
