"""`martechgate due`: every kind of item on a fixed day, the formats, and the reminders that arrive
(one GitHub issue per item on a loopback GitHub, a digest to Slack or Teams webhooks on loopback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import BASE_ENTRY, TODAY, GovRepo
from tests.github_server import Answer, FakeGitHub, FakeIssues, Recorded, serve

REPOSITORY = "acme/governance"
TOKEN = "ghs_dueTOKEN0123456789"


def _contract(**changes: Any) -> dict[str, Any]:
    return {**BASE_ENTRY["contract"], **changes}


def _review(**changes: Any) -> dict[str, Any]:
    return {**BASE_ENTRY["review"], **changes}


@pytest.fixture
def repo(gov: GovRepo) -> GovRepo:
    """One tool per kind of item as of TODAY (2026-11-23), and tools that must not be listed."""
    gov.add_entry("quiet")  # next review, renewal and deadline all months away
    gov.add_entry("review-soon", review=_review(next_review="2026-12-10"))
    gov.add_entry("review-late", review=_review(next_review="2026-11-01"))
    gov.add_entry(
        "evidence-soon",
        security={**BASE_ENTRY["security"], "evidence": [{"type": "soc2-type2", "expires": "2026-12-05"}]},
    )
    gov.add_entry(
        "exception-soon",
        exceptions=[
            {
                "rule": "pii-requires-scim",
                "reason": "Enterprise tier only",
                "approved_by": "ciso@example.com",
                "ticket": "SEC-1",
                "expires": "2026-12-20",
            }
        ],
    )
    gov.add_entry("renews-soon", contract=_contract(renewal="2026-12-15", auto_renew=True, notice_days=30))
    gov.add_entry(
        "retired-tool",
        status="retired",
        review=_review(next_review="2026-11-30"),
        contract=_contract(renewal="2026-12-01", auto_renew=False),
    )
    gov.add_entry("handled", owners={"business": "@alice", "technical": "bob-it", "department": "x"})
    gov.commit("Catalog", when="2026-09-01T10:00:00+00:00")
    gov.add_entry("waiting", status="proposed")
    gov.commit("Propose waiting", when="2026-10-01T10:00:00+00:00")
    gov.add_entry("fresh", status="proposed")
    gov.commit("Propose fresh", when="2026-11-20T10:00:00+00:00")
    return gov


def _due(run_cli: Any, repo: GovRepo, *args: str, env: dict[str, str] | None = None) -> Any:
    result = run_cli("due", str(repo.path), "--today", TODAY.isoformat(), *args, env=env)
    assert result.returncode == 0, result.stderr
    return result


def _items(run_cli: Any, repo: GovRepo, *args: str) -> list[dict[str, Any]]:
    return json.loads(_due(run_cli, repo, "--format", "json", *args).stdout)["items"]


def test_every_kind_of_item_on_a_fixed_day(run_cli: Any, repo: GovRepo) -> None:
    items = _items(run_cli, repo)
    found = [(i["kind"], i["tool"], i["date"], i["days"]) for i in items]
    assert found == [
        ("proposal", "waiting", "2026-10-01", -53),
        ("review", "review-late", "2026-11-01", -22),
        ("cancellation", "renews-soon", "2026-11-15", -8),
        ("evidence", "evidence-soon", "2026-12-05", 12),
        ("review", "review-soon", "2026-12-10", 17),
        ("renewal", "renews-soon", "2026-12-15", 22),
        ("exception", "exception-soon", "2026-12-20", 27),
    ]
    by_kind = {i["kind"]: i for i in items}
    assert by_kind["review"]["owners"] == ["jane.doe@example.com", "raj.patel@example.com"]
    assert by_kind["cancellation"]["what"].startswith("Last day to cancel 8 days ago (2026-11-15)")
    assert by_kind["exception"]["what"] == "Exception to pii-requires-scim expires in 27 days (2026-12-20)"
    assert by_kind["evidence"]["key"] == "evidence/evidence-soon/soc2-type2"
    assert all(i["action"] for i in items)


def test_the_window_and_the_proposal_age_are_options(run_cli: Any, repo: GovRepo) -> None:
    short = {(i["kind"], i["tool"]) for i in _items(run_cli, repo, "--within", "7d")}
    assert ("review", "review-late") in short  # overdue stays listed whatever the window
    assert ("evidence", "evidence-soon") not in short
    patient = {(i["kind"], i["tool"]) for i in _items(run_cli, repo, "--proposals-after", "60")}
    assert ("proposal", "waiting") not in patient
    eager = {(i["kind"], i["tool"]) for i in _items(run_cli, repo, "--proposals-after", "2")}
    assert ("proposal", "fresh") in eager


def test_outside_git_proposals_are_skipped_and_said(run_cli: Any, repo: GovRepo) -> None:
    import shutil

    shutil.rmtree(repo.path / ".git")
    result = json.loads(_due(run_cli, repo, "--format", "json").stdout)
    assert "proposal" not in {i["kind"] for i in result["items"]}
    assert any("proposals waiting: not listed" in note for note in result["notes"])


def test_table_and_markdown_name_the_owners(run_cli: Any, repo: GovRepo) -> None:
    table = _due(run_cli, repo, env={"COLUMNS": "200"}).stdout
    assert "review-late" in table and "jane.doe@example.com" in table
    markdown = _due(run_cli, repo, "--format", "markdown").stdout
    assert "| " in markdown and "exception-soon" in markdown
    rows = _due(run_cli, repo, "--format", "csv").stdout.splitlines()
    assert rows[0] == "date,days,kind,tool,what,owners,action" and len(rows) == 8


def test_a_bad_window_exits_2(run_cli: Any, repo: GovRepo) -> None:
    result = run_cli("due", str(repo.path), "--within", "soon")
    assert result.returncode == 2 and "not a window" in result.stderr and "Traceback" not in result.stderr


# --- due --github ---------------------------------------------------------------------------------


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    yield from serve()


def _env(github: FakeGitHub) -> dict[str, str]:
    return {"GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": github.url}


def test_github_keeps_one_issue_per_item_run_twice_no_duplicates(
    run_cli: Any, repo: GovRepo, github: FakeGitHub
) -> None:
    issues = FakeIssues(github, REPOSITORY)
    items = _items(run_cli, repo)
    first = _due(run_cli, repo, "--github", env=_env(github))
    assert f"{len(items)} opened, 0 updated, 0 closed" in first.stderr
    opened = issues.open("martechgate-due")
    assert len(opened) == len(items)
    assert all(f"<!-- martechgate-due: {i['key']} -->" in issue["body"] for i, issue in zip(items, opened, strict=True))
    assert github.requests[0].headers["authorization"] == f"Bearer {TOKEN}"

    second = _due(run_cli, repo, "--github", env=_env(github))
    assert f"0 opened, 0 updated, 0 closed, {len(items)} unchanged" in second.stderr
    assert len(issues.issues) == len(items)  # nothing opened twice
    assert not github.asked("PATCH", f"/repos/{REPOSITORY}/issues/1")


def test_github_updates_a_moved_date_and_closes_a_resolved_item(
    run_cli: Any, repo: GovRepo, github: FakeGitHub
) -> None:
    issues = FakeIssues(github, REPOSITORY)
    _due(run_cli, repo, "--github", env=_env(github))
    # Resolve one item (the late review was done) and move another (the evidence expires later, still soon).
    repo.add_entry("review-late", review=_review(last_reviewed="2026-11-22", next_review="2027-11-22"))
    repo.add_entry(
        "evidence-soon",
        security={**BASE_ENTRY["security"], "evidence": [{"type": "soc2-type2", "expires": "2026-12-09"}]},
    )
    result = _due(run_cli, repo, "--github", env=_env(github))
    assert "0 opened, 1 updated, 1 closed" in result.stderr
    closed = [n for n, i in issues.issues.items() if i["state"] == "closed"]
    assert len(closed) == 1 and "review/review-late/next" in issues.issues[closed[0]]["body"]
    assert issues.issues[closed[0]]["state_reason"] == "completed"
    assert "Resolved" in issues.comments[closed[0]][0]
    evidence = next(i for i in issues.open() if "evidence/evidence-soon" in i["body"])
    assert "2026-12-09" in evidence["title"]


def test_github_assigns_owners_written_as_handles(run_cli: Any, repo: GovRepo, github: FakeGitHub) -> None:
    issues = FakeIssues(github, REPOSITORY)
    repo.add_entry(
        "handled",
        owners={"business": "@alice", "technical": "bob-it", "department": "x"},
        review=_review(next_review="2026-12-01"),
    )
    _due(run_cli, repo, "--github", env=_env(github))
    handled = next(i for i in issues.open() if "review/handled/next" in i["body"])
    assert sorted(a["login"] for a in handled["assignees"]) == ["alice", "bob-it"]
    # an owner that is a group is its members; a team cannot be assigned
    repo.add_entry(
        "grouped",
        owners={"business": "it", "technical": "@acme/it-architecture"},
        review=_review(next_review="2026-12-01"),
    )
    _due(run_cli, repo, "--github", env=_env(github))
    grouped = next(i for i in issues.open() if "review/grouped/next" in i["body"])
    assert sorted(a["login"] for a in grouped["assignees"]) == ["carol-diaz", "dan-kowalski"]
    emails = next(i for i in issues.open() if "review/review-soon/next" in i["body"])
    assert emails["assignees"] == []
    assert "jane.doe&#64;example.com" in emails["body"]  # named, not mentioned


def test_github_waits_out_a_short_rate_limit(run_cli: Any, repo: GovRepo, github: FakeGitHub) -> None:
    issues = FakeIssues(github, REPOSITORY)
    limited: list[Recorded] = []

    def once(request: Recorded) -> Answer | None:
        if request.method == "POST" and not limited:
            limited.append(request)
            return Answer(403, {"message": "You have exceeded a secondary rate limit"}, {"retry-after": "1"})
        return None

    issues.before = once
    items = _items(run_cli, repo)
    _due(run_cli, repo, "--github", env=_env(github))
    assert len(limited) == 1
    assert len(issues.open()) == len(items)  # the refused one was created on the retry, once


@pytest.mark.parametrize("status", [403, 429])
def test_github_a_long_rate_limit_stops_with_exit_2(
    run_cli: Any, repo: GovRepo, github: FakeGitHub, status: int
) -> None:
    issues = FakeIssues(github, REPOSITORY)
    issues.before = lambda request: Answer(status, {"message": "rate limit"}, {"retry-after": "3600"})
    result = run_cli("due", str(repo.path), "--today", TODAY.isoformat(), "--github", env=_env(github))
    assert result.returncode == 2
    assert "rate limit" in result.stderr and "retry after 3600 seconds" in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_github_failures_exit_2_with_what_to_do(run_cli: Any, repo: GovRepo, github: FakeGitHub) -> None:
    issues = FakeIssues(github, REPOSITORY)
    issues.before = lambda request: Answer(403, {"message": "Resource not accessible by integration"})
    result = run_cli("due", str(repo.path), "--today", TODAY.isoformat(), "--github", env=_env(github))
    assert result.returncode == 2 and "issues: write" in result.stderr
    missing = run_cli("due", str(repo.path), "--github", env={"GITHUB_REPOSITORY": "", "GITHUB_TOKEN": ""})
    assert missing.returncode == 2 and "GITHUB_REPOSITORY, GITHUB_TOKEN" in missing.stderr


# --- due --webhook --------------------------------------------------------------------------------


def test_slack_digest(run_cli: Any, repo: GovRepo, github: FakeGitHub) -> None:
    github.add("POST", "/services/T0/B0/secret", Answer(200, b"ok"))
    url = f"{github.url}/services/T0/B0/secret"
    result = _due(run_cli, repo, "--webhook", url, "--webhook-kind", "slack")
    (posted,) = github.asked("POST", "/services/T0/B0/secret")
    assert set(posted.body) == {"text"}
    assert posted.body["text"].startswith("*Acme")
    assert "review-late" in posted.body["text"] and "overdue" in posted.body["text"]
    assert "posted the digest (7 items) to the slack webhook" in result.stderr


def test_teams_digest_is_an_adaptive_card(run_cli: Any, repo: GovRepo, github: FakeGitHub) -> None:
    github.add("POST", "/workflows/hook", Answer(202, b""))
    _due(run_cli, repo, "--webhook", f"{github.url}/workflows/hook", "--webhook-kind", "teams")
    (posted,) = github.asked("POST", "/workflows/hook")
    assert posted.body["type"] == "message"
    card = posted.body["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    assert any("exception-soon" in block["text"] for block in card["content"]["body"])


def test_webhook_rate_limit_then_ok_and_failure_hides_the_secret(
    run_cli: Any, repo: GovRepo, github: FakeGitHub
) -> None:
    answers = iter([Answer(429, b"rate_limited", {"retry-after": "1"}), Answer(200, b"ok")])
    github.add("POST", "/services/T0/B0/secret", lambda request: next(answers))
    _due(run_cli, repo, "--webhook", f"{github.url}/services/T0/B0/secret", "--webhook-kind", "slack")
    assert len(github.asked("POST", "/services/T0/B0/secret")) == 2
    github.add("POST", "/services/T0/B0/gone", Answer(404, b"no_service"))
    failed = run_cli("due", str(repo.path), "--webhook", f"{github.url}/services/T0/B0/gone", "--webhook-kind", "slack")
    assert failed.returncode == 2 and "answered 404" in failed.stderr
    assert "T0/B0/gone" not in failed.stderr
    unknown = run_cli("due", str(repo.path), "--webhook", "https://chat.example.com/hook")
    assert unknown.returncode == 2 and "--webhook-kind" in unknown.stderr
