"""One status for two pull requests, and rules from the base branch GitHub reports now: against a
loopback server that answers like GitHub's REST API."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from martechgate.check.organisation import parse_organization
from martechgate.errors import RepoError
from martechgate.gate import github_setup
from martechgate.gate import review_input as pullreview
from martechgate.sources.github import ActionsContext, GitHubClient
from tests.conftest import FIXTURES, ROOT
from tests.github_server import Answer, FakeGitHub
from tests.security.conftest import GovRepo, branch

REPOSITORY = "acme/governance"
TOKEN = "ghs_loopbacktoken0123456789"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def open_pull_request(
    github: FakeGitHub, gov: GovRepo, number: int, base_branch: str, head: str, reviews: list[Any]
) -> None:
    pull = fixture("github-pull.json")
    pull["number"], pull["user"]["login"] = number, "mallory"
    pull["head"]["sha"], pull["base"]["ref"] = head, base_branch
    pull["base"]["sha"] = gov.git("rev-parse", f"refs/heads/{base_branch}")
    github.add("GET", f"/repos/{REPOSITORY}/pulls/{number}", Answer(200, pull))
    paths = gov.git("diff", "--name-only", f"refs/heads/{base_branch}...{head}").splitlines()
    template = fixture("github-pull-files.json")[0]
    github.pages(f"/repos/{REPOSITORY}/pulls/{number}/files", [[{**template, "filename": p} for p in paths]])
    github.pages(f"/repos/{REPOSITORY}/pulls/{number}/reviews", [reviews])
    github.add(
        "GET",
        f"/repos/{REPOSITORY}/branches/{base_branch}",
        lambda _r: Answer(200, {"commit": {"sha": gov.git("rev-parse", f"refs/heads/{base_branch}")}}),
    )
    github.add("POST", f"/repos/{REPOSITORY}/statuses/{head}", Answer(201, {}))
    github.pages("/orgs/acme/teams/marketing-ops/members", [[]])
    github.pages("/orgs/acme/teams/it-architecture/members", [[]])


def review_of(user: str, head: str) -> dict[str, Any]:
    item = copy.deepcopy(fixture("github-pull-reviews.json")[0])
    item["user"]["login"], item["state"], item["commit_id"] = user, "APPROVED", head
    return item


def run_review(github: FakeGitHub, gov: GovRepo, number: int, head: str) -> Any:
    context = ActionsContext(REPOSITORY, number, github.url, TOKEN, None, head)
    return pullreview.review_on_github(gov.path, context, client=GitHubClient(github.url, TOKEN))


def statuses(github: FakeGitHub, head: str) -> list[dict[str, Any]]:
    return [r.body for r in github.asked("POST", f"/repos/{REPOSITORY}/statuses/{head}")]


def test_one_head_in_two_pull_requests_gets_one_status_per_target(github: FakeGitHub, gov: GovRepo) -> None:
    """The same head opened into `sandbox` (where it changes nothing governed) and into main: the
    success of the harmless diff is a status of its own, never the one main requires."""
    gov.add_entry("canva")
    gov.commit("Add canva")
    branch(gov)
    gov.add_entry("vidyard", category="video")
    head = gov.commit("Add vidyard")
    gov.git("branch", "sandbox", head)  # into sandbox the pull request changes nothing
    approvals = [review_of("alice-chen", head)]
    open_pull_request(github, gov, 7, "sandbox", head, approvals)
    open_pull_request(github, gov, 8, "main", head, approvals)
    assert run_review(github, gov, 7, head).approved
    assert not run_review(github, gov, 8, head).approved
    assert [(s["context"], s["state"]) for s in statuses(github, head)] == [
        ("martechgate/review (sandbox)", "success"),
        ("martechgate/review (main)", "failure"),
    ]


def test_review_on_github_reads_the_rules_of_the_base_branch_as_it_is_now(github: FakeGitHub, gov: GovRepo) -> None:
    """A policy merged into main after the event was queued: GitHub's base branch now has it."""
    gov.add_entry("canva")
    gov.commit("Add canva")
    branch(gov)
    gov.add_entry("vidyard", category="video")
    head = gov.commit("Add vidyard")
    org = (gov.path / "martechgate.yaml").read_text()
    open_pull_request(github, gov, 9, "main", head, [review_of("alice-chen", head), review_of("carol-diaz", head)])
    gov.git("checkout", "-q", "main")
    gov.write("martechgate.yaml", org.replace("members: [carol-diaz, dan-kowalski]", "members: [dan-kowalski]"))
    gov.commit("carol leaves IT")
    verdict = run_review(github, gov, 9, head)
    assert not verdict.approved and verdict.rules_from == gov.git("rev-parse", "main")
    assert statuses(github, head)[-1]["context"] == "martechgate/review (main)"


def test_the_ruleset_requires_the_exact_status_on_an_up_to_date_branch() -> None:
    organization = parse_organization((ROOT / "martechgate.yaml").read_bytes())
    payload, _ = github_setup.ruleset(organization, {}, branch="main")
    checks = next(rule for rule in payload["rules"] if rule["type"] == "required_status_checks")["parameters"]
    assert checks == {
        "strict_required_status_checks_policy": True,
        "required_status_checks": [{"context": "martechgate/review (main)"}],
    }
    assert payload["conditions"]["ref_name"]["include"] == ["refs/heads/main"]


def test_a_head_unknown_to_the_clone_marks_the_status_of_its_target(github: FakeGitHub, gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.commit("Add canva")
    missing = "f" * 40
    open_pull_request(github, gov, 11, "main", gov.git("rev-parse", "HEAD"), [])
    github.add("POST", f"/repos/{REPOSITORY}/statuses/{missing}", Answer(201, {}))
    with pytest.raises(RepoError, match="does not exist"):
        run_review(github, gov, 11, missing)
    assert [(s["context"], s["state"]) for s in statuses(github, missing)] == [("martechgate/review (main)", "error")]
