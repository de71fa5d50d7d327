"""The GitHub client against a real HTTP server on 127.0.0.1, answering as GitHub documents."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from martechgate.errors import ExternalServiceError, UsageError
from martechgate.sources.github import STATUS_CONTEXT, ActionsContext, GitHubClient, next_link, status_context
from tests.conftest import FIXTURES
from tests.github_server import Answer, FakeGitHub, serve

TOKEN = "ghs_SECRETtoken0123456789abcdef"
REPO = "octocat/Hello-World"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    yield from serve()


@pytest.fixture
def client(github: FakeGitHub) -> GitHubClient:
    return GitHubClient(github.url, TOKEN, timeout=2)


def failure(call: Any) -> ExternalServiceError:
    with pytest.raises(ExternalServiceError) as caught:
        call()
    assert TOKEN not in str(caught.value)
    return caught.value


def test_fetches_the_pull_request_with_the_headers_github_asks_for(github: FakeGitHub, client: GitHubClient) -> None:
    github.add("GET", f"/repos/{REPO}/pulls/1347", Answer(200, fixture("github-pull.json")))
    pull = client.pull_request(REPO, 1347)
    assert pull["user"]["login"] == "octocat"
    assert pull["head"]["sha"] == "6dcb09b5b57875f334f61aebed695e2e4193db5e"
    headers = github.requests[0].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"


def test_reviews_follow_link_header_pagination(github: FakeGitHub, client: GitHubClient) -> None:
    review = fixture("github-pull-reviews.json")[0]
    pages = [
        [{**review, "id": n, "user": {**review["user"], "login": f"user{n}"}} for n in range(k, k + 2)]
        for k in (0, 2, 4)
    ]
    github.pages(f"/repos/{REPO}/pulls/12/reviews", pages)
    reviews = client.reviews(REPO, 12)
    assert [r["user"]["login"] for r in reviews] == [f"user{n}" for n in range(6)]
    asked = github.asked("GET", f"/repos/{REPO}/pulls/12/reviews")
    assert [r.query.get("page", ["1"])[0] for r in asked] == ["1", "2", "3"]
    assert asked[0].query["per_page"] == ["100"]


def test_files_of_the_pull_request(github: FakeGitHub, client: GitHubClient) -> None:
    github.pages(f"/repos/{REPO}/pulls/12/files", [fixture("github-pull-files.json")])
    assert [f["filename"] for f in client.pull_request_files(REPO, 12)] == ["file1.txt"]


def test_team_members_across_pages(github: FakeGitHub, client: GitHubClient) -> None:
    user = fixture("github-pull-reviews.json")[0]["user"]
    github.pages(
        "/orgs/acme/teams/it-architecture/members", [[{**user, "login": "carol-diaz"}], [{**user, "login": "zoe-new"}]]
    )
    assert client.team_members("acme/it-architecture") == ["carol-diaz", "zoe-new"]


@pytest.mark.parametrize("status", [404, 403])
def test_a_team_the_token_cannot_see_says_read_org(github: FakeGitHub, client: GitHubClient, status: int) -> None:
    github.add(
        "GET",
        "/orgs/acme/teams/secret/members",
        Answer(status, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}),
    )
    error = failure(lambda: client.team_members("acme/secret"))
    assert f"GitHub answered {status}" in error.message and "acme/secret" in error.message
    assert "read:org" in (error.hint or "")


def test_rate_limit_with_remaining_zero_says_when_it_resets(github: FakeGitHub, client: GitHubClient) -> None:
    github.add(
        "GET",
        f"/repos/{REPO}/pulls/1",
        Answer(
            403,
            {"message": "API rate limit exceeded"},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1795000000"},
        ),
    )
    error = failure(lambda: client.pull_request(REPO, 1))
    assert "rate limit" in error.message and "resets at 2026-11-18 11:06:40 UTC" in error.message


def test_secondary_rate_limit_429_with_retry_after(github: FakeGitHub, client: GitHubClient) -> None:
    github.add("GET", f"/repos/{REPO}/pulls/1", Answer(429, {"message": "secondary rate limit"}, {"retry-after": "60"}))
    assert "retry after 60 seconds" in failure(lambda: client.pull_request(REPO, 1)).message


def test_server_error(github: FakeGitHub, client: GitHubClient) -> None:
    github.add("GET", f"/repos/{REPO}/pulls/1", Answer(500, {"message": "Server Error"}))
    assert "GitHub answered 500 (Server Error)" in failure(lambda: client.pull_request(REPO, 1)).message


def test_bad_credentials(github: FakeGitHub, client: GitHubClient) -> None:
    github.add("GET", f"/repos/{REPO}/pulls/1", Answer(401, {"message": "Bad credentials"}))
    error = failure(lambda: client.pull_request(REPO, 1))
    assert "401" in error.message and "GITHUB_TOKEN" in (error.hint or "")


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b'{"truncated": ', b"\xff\xfe"])
def test_malformed_json(github: FakeGitHub, client: GitHubClient, body: bytes) -> None:
    github.add("GET", f"/repos/{REPO}/pulls/1", Answer(200, body))
    assert "not valid JSON" in failure(lambda: client.pull_request(REPO, 1)).message


def test_json_of_the_wrong_shape(github: FakeGitHub, client: GitHubClient) -> None:
    github.add("GET", f"/repos/{REPO}/pulls/1", Answer(200, ["not", "a", "pull"]))
    assert "not an object" in failure(lambda: client.pull_request(REPO, 1)).message
    github.pages(f"/repos/{REPO}/pulls/1/reviews", [[1, 2]])
    assert "not an object" in failure(lambda: client.reviews(REPO, 1)).message


def test_a_slow_server_times_out(github: FakeGitHub) -> None:
    github.add("GET", f"/repos/{REPO}/pulls/1", Answer(200, {}, delay=3))
    client = GitHubClient(github.url, TOKEN, timeout=0.5)
    started = time.monotonic()
    error = failure(lambda: client.pull_request(REPO, 1))
    assert time.monotonic() - started < 2.5
    assert "no answer within 0.5 seconds" in error.message


def test_nobody_listening() -> None:
    fake = FakeGitHub()  # bound, never served, then closed: the port refuses connections
    url = fake.url
    fake.server.server_close()
    error = failure(lambda: GitHubClient(url, TOKEN, timeout=2).pull_request(REPO, 1))
    assert f"could not reach GitHub at {url}" in error.message


def test_the_token_never_appears_even_when_the_server_echoes_it(github: FakeGitHub, client: GitHubClient) -> None:
    github.add(
        "GET",
        f"/repos/{REPO}/pulls/1",
        lambda request: Answer(500, {"message": f"bad header {request.headers['authorization']}"}),
    )
    error = failure(lambda: client.pull_request(REPO, 1))
    assert "bad header Bearer ***" in error.message
    assert TOKEN not in repr(client)


def test_pagination_never_takes_the_token_to_another_host(github: FakeGitHub, client: GitHubClient) -> None:
    other = FakeGitHub().start()
    try:
        github.add(
            "GET",
            f"/repos/{REPO}/pulls/1/reviews",
            Answer(200, [], {"Link": f'<{other.url}/steal?page=2>; rel="next"'}),
        )
        assert "points to another host" in failure(lambda: client.reviews(REPO, 1)).message
        assert other.requests == []
    finally:
        other.stop()


def test_a_redirect_does_not_carry_the_token(github: FakeGitHub, client: GitHubClient) -> None:
    other = FakeGitHub().start()
    try:
        other.add("GET", "/moved", Answer(200, fixture("github-pull.json")))
        github.add("GET", f"/repos/{REPO}/pulls/1", Answer(302, {}, {"Location": f"{other.url}/moved"}))
        client.pull_request(REPO, 1)
        assert "authorization" not in other.requests[0].headers
    finally:
        other.stop()


def test_sets_one_status_naming_the_base_branch(github: FakeGitHub, client: GitHubClient) -> None:
    sha = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
    github.add("POST", f"/repos/{REPO}/statuses/{sha}", Answer(201, {"state": "success"}))
    context = status_context("main")
    client.set_status(REPO, sha, "failure", "Waiting for " + "x" * 200, "https://example.com/run/1", context=context)
    [request] = github.asked("POST", f"/repos/{REPO}/statuses/{sha}")
    assert request.body["state"] == "failure"
    assert request.body["context"] == context == f"{STATUS_CONTEXT} (main)" == "martechgate/review (main)"
    assert request.body["target_url"] == "https://example.com/run/1"
    assert len(request.body["description"]) == 140
    assert request.headers["content-type"] == "application/json"


def test_link_header_parsing() -> None:
    header = '<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"'
    assert next_link(header) == "https://api.github.com/x?page=2"
    assert next_link('<https://api.github.com/x?page=1>; rel="prev"') is None
    assert next_link(None) is None


def test_an_api_url_that_is_not_http_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        GitHubClient("file:///etc/passwd", TOKEN)


# --- The Actions environment -------------------------------------------------------------------------


def test_context_from_a_pull_request_event() -> None:
    env = {
        "GITHUB_EVENT_PATH": str(FIXTURES / "github-event-pull_request.json"),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_RUN_ID": "42",
    }
    context = ActionsContext.from_environment(env)
    assert (context.repository, context.number, context.api_url) == ("o/r", 2, "https://api.github.com")
    assert context.run_url == "https://github.com/o/r/actions/runs/42"
    assert context.head_sha == "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
    assert TOKEN not in repr(context)


def test_context_from_a_pull_request_review_event() -> None:
    env = {
        "GITHUB_EVENT_PATH": str(FIXTURES / "github-event-pull_request_review.json"),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": "https://ghe.example.com/api/v3",
    }
    context = ActionsContext.from_environment(env)
    assert context.number == 2 and context.api_url == "https://ghe.example.com/api/v3"


def test_context_refuses_what_is_not_a_pull_request(tmp_path: Path) -> None:
    push = tmp_path / "push.json"
    push.write_text(json.dumps({"ref": "refs/heads/main"}))
    env = {"GITHUB_EVENT_PATH": str(push), "GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": TOKEN}
    with pytest.raises(UsageError, match="not about a pull request"):
        ActionsContext.from_environment(env)
    with pytest.raises(UsageError, match="GITHUB_TOKEN"):
        ActionsContext.from_environment({**env, "GITHUB_TOKEN": ""})
    event = str(FIXTURES / "github-event-pull_request.json")
    with pytest.raises(UsageError, match="owner/name"):
        ActionsContext.from_environment({**env, "GITHUB_EVENT_PATH": event, "GITHUB_REPOSITORY": "../etc"})
