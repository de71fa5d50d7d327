"""`verify --github` re-reads each recorded pull request's reviews from GitHub (a real HTTP server on
127.0.0.1 that answers like the API) and reports a record that claims approvals GitHub does not show."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from martechgate.audit.records import SigningKey
from tests.conftest import GovRepo
from tests.github_server import Answer, FakeGitHub, serve
from tests.recording import adopt, kinds, merge_pr, record, verify_json

REPOSITORY = "acme/governance"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    yield from serve()


def approved(login: str, head: str) -> dict[str, Any]:
    return {"user": {"login": login}, "state": "APPROVED", "commit_id": head, "submitted_at": "2026-05-01T09:30:00Z"}


def serve_pull(github: FakeGitHub, number: int, head: str, reviews: list[dict[str, Any]]) -> None:
    pull = {"number": number, "merged": True, "head": {"sha": head}, "user": {"login": "mia"}}
    github.add("GET", f"/repos/{REPOSITORY}/pulls/{number}", Answer(200, pull))
    github.pages(f"/repos/{REPOSITORY}/pulls/{number}/reviews", [reviews])


def environment(github: FakeGitHub) -> dict[str, str]:
    return {"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": "t0ken"}


def test_records_that_match_github_pass(gov: GovRepo, ci_key: SigningKey, run_cli: Any, github: FakeGitHub) -> None:
    first = adopt(gov, ci_key)
    head = gov.git("rev-parse", "HEAD^2")
    serve_pull(github, 1, head, [approved("alice-chen", head), approved("carol-diaz", head)])
    result = run_cli(
        "verify", "--repo", str(gov.path), "--first-record", first.hash, "--github", env=environment(github)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert github.asked("GET", f"/repos/{REPOSITORY}/pulls/1/reviews")


def test_a_record_claiming_an_approval_github_does_not_show(
    gov: GovRepo, ci_key: SigningKey, run_cli: Any, github: FakeGitHub
) -> None:
    """The record was written from a verdict that was not this pull request's reviews (carol never
    approved; alice's approval was dismissed)."""
    first = adopt(gov, ci_key)
    merged, judged = merge_pr(gov, 2, "zoom", "2026-05-02T10:00:00+00:00")
    record(gov, merged, judged, ci_key)
    head_one = gov.git("rev-parse", "HEAD~1^2")
    serve_pull(github, 1, head_one, [approved("alice-chen", head_one), approved("carol-diaz", head_one)])
    head = judged["head"]
    serve_pull(
        github,
        2,
        head,
        [
            approved("alice-chen", head),
            {"user": {"login": "alice-chen"}, "state": "DISMISSED", "commit_id": head},
            {"user": {"login": "carol-diaz"}, "state": "COMMENTED", "commit_id": head},
        ],
    )
    code, report = verify_json(run_cli, gov, first, "--github", env=environment(github))
    assert code == 1 and kinds(report) == {("reviews-differ", merged)}
    messages = sorted(p["message"] for p in report["problems"])
    assert messages == [
        "the record counts alice-chen for marketing, but GitHub shows no review from alice-chen on pull request #2",
        "the record counts carol-diaz for it, but GitHub shows no review from carol-diaz on pull request #2",
    ]


def test_a_record_whose_head_is_not_the_pull_requests(
    gov: GovRepo, ci_key: SigningKey, run_cli: Any, github: FakeGitHub
) -> None:
    first = adopt(gov, ci_key)
    head = gov.git("rev-parse", "HEAD^2")
    other = "b" * 40
    serve_pull(github, 1, other, [approved("alice-chen", other), approved("carol-diaz", other)])
    code, report = verify_json(run_cli, gov, first, "--github", env=environment(github))
    assert code == 1
    assert [p["message"] for p in report["problems"]] == [
        f"pull request #1's head on GitHub is {other[:12]}, the record's is {head[:12]}"
    ]


def test_github_unreachable_is_exit_2_never_a_pass(gov: GovRepo, ci_key: SigningKey, run_cli: Any) -> None:
    first = adopt(gov, ci_key)
    env = {"GITHUB_API_URL": "http://127.0.0.1:9", "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": "secret-token-1"}
    result = run_cli("verify", "--repo", str(gov.path), "--first-record", first.hash, "--github", env=env)
    assert result.returncode == 2 and "could not reach GitHub" in result.stderr and "Traceback" not in result.stderr
    missing = run_cli("verify", "--repo", str(gov.path), "--github", env={"GITHUB_TOKEN": ""})
    assert missing.returncode == 2 and "GITHUB_REPOSITORY" in missing.stderr
