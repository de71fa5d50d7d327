"""The GitHub REST client: the only module that speaks HTTP.

It fetches a pull request, its files and its reviews (following Link-header pagination), lists
the members of a team, sets one commit status, keeps issues (list, open, edit, comment) and opens
pull requests for `due --github` and `new --from-issue`, and posts a JSON message to a chat
webhook (`post_webhook`: one more POST, which belongs with the others' timeout, size limit and
redaction rather than in a second HTTP module). Anything that stops it from giving a sound
answer (a missing permission, a rate limit, a network error, a timeout, an answer that is not the
JSON GitHub documents) is an ExternalServiceError (exit 2): never a guessed verdict.

The standard library's urllib is enough for five GET/POST endpoints with JSON bodies, and keeps
a CI tool free of a transport dependency. Two things it does not do by itself are done here: a
timeout on every call, and keeping the token on the API host (the Authorization header is
"unredirected", and pagination links to another host are refused). The token never appears in
output, logs or exception messages: every text that leaves this module is redacted.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from typing import Any

from martechgate import __version__
from martechgate.errors import ExternalServiceError, UsageError

API_VERSION = "2022-11-28"
STATUS_CONTEXT = "martechgate/review"  # followed by the base branch: `martechgate/review (main)`
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_TIMEOUT = 15.0
PER_PAGE = 100
MAX_PAGES = 100  # 10,000 items: far beyond a pull request's reviews; stops a Link loop
MAX_BYTES = 20 * 1024 * 1024
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="([^"]*)"')
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_TEAM = re.compile(r"^([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)$")


def status_context(branch: str) -> str:
    """The commit status of a review into `branch`. A status belongs to a commit, not to a pull
    request: one head opened into two branches gets one status per target, so the verdict of a
    harmless diff into one branch never stands as the required status of the pull request into
    another."""
    return f"{STATUS_CONTEXT} ({branch})"


READ_ORG_HINT = (
    "Listing a team's members needs a token that can read the organisation's teams "
    "(read:org, or a GitHub App with Members: read); the workflow's own GITHUB_TOKEN "
    "cannot. Give one as GITHUB_TOKEN, or list the group's logins under `members` in "
    "martechgate.yaml."
)


ISSUES_HINT = "Keeping issues needs `issues: write` in the workflow's permissions."


class _RetryLater(Exception):
    """A rate limit that names its wait (Retry-After, seconds), with the error to raise if not waited."""

    def __init__(self, seconds: int, error: ExternalServiceError) -> None:
        super().__init__(seconds)
        self.seconds = seconds
        self.error = error


def next_link(header: str | None) -> str | None:
    """The rel="next" URL of a Link header, or None on the last page."""
    for url, rels in _LINK.findall(header or ""):
        if "next" in rels.split():
            return str(url)
    return None


class GitHubClient:
    """A small client for the endpoints the review gate needs; `timeout` is seconds per call."""

    def __init__(
        self, api_url: str, token: str, *, timeout: float = DEFAULT_TIMEOUT, max_retry_wait: float = 0.0
    ) -> None:
        parsed = urllib.parse.urlsplit(api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise UsageError(
                f"GITHUB_API_URL {api_url!r} is not an http(s) URL",
                hint="Leave it unset for github.com, or give your GitHub Enterprise API URL.",
            )
        self.api_url = api_url.rstrip("/")
        self._origin = (parsed.scheme, parsed.netloc)
        self._token = token
        self.timeout = timeout
        # A rate limit that says when to retry (Retry-After) is waited out, once per call, when the wait
        # is at most this many seconds. 0 (the review gate) fails at once: a verdict is never late.
        self.max_retry_wait = max_retry_wait

    def __repr__(self) -> str:
        return f"GitHubClient({self.api_url!r})"

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _fail(self, message: str, hint: str | None = None) -> ExternalServiceError:
        return ExternalServiceError(self._redact(message), hint=self._redact(hint) if hint else None)

    def _request(
        self, method: str, url: str, what: str, body: Any = None, denied_hint: str | None = None
    ) -> tuple[Any, Message]:
        """Send one request (once more after a short Retry-After); the decoded JSON answer and headers."""
        try:
            return self._request_once(method, url, what, body, denied_hint)
        except _RetryLater as later:
            if later.seconds > self.max_retry_wait:
                raise later.error from None
            time.sleep(later.seconds)
        try:
            return self._request_once(method, url, what, body, denied_hint)
        except _RetryLater as later:
            raise later.error from None

    def _request_once(
        self, method: str, url: str, what: str, body: Any = None, denied_hint: str | None = None
    ) -> tuple[Any, Message]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", API_VERSION)
        request.add_header("User-Agent", f"martechgate/{__version__}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self._token:
            # Unredirected: urllib would otherwise copy the token to wherever a redirect points.
            request.add_unredirected_header("Authorization", f"Bearer {self._token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_BYTES + 1)
                headers = response.headers
        except urllib.error.HTTPError as error:
            failure = self._http_error(error, what, denied_hint)
            wait = (error.headers or Message()).get("retry-after", "")
            if error.code in (403, 429) and wait.isdigit():
                raise _RetryLater(int(wait), failure) from None
            raise failure from None
        except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = getattr(error, "reason", None) or error
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                reason = f"no answer within {self.timeout:g} seconds"
            raise self._fail(
                f"could not reach GitHub at {self.api_url} for {what}: {reason}",
                "Check the network and GITHUB_API_URL, then run again; no verdict was given.",
            ) from None
        if len(raw) > MAX_BYTES:
            raise self._fail(f"GitHub's answer for {what} is over {MAX_BYTES:,} bytes; it was not read")
        if not raw.strip():
            return None, headers
        try:
            return json.loads(raw), headers
        except (ValueError, UnicodeDecodeError):
            raise self._fail(
                f"GitHub's answer for {what} is not valid JSON",
                "A proxy or an outage may be answering instead of the API; run again later.",
            ) from None

    def _http_error(self, error: urllib.error.HTTPError, what: str, denied_hint: str | None) -> ExternalServiceError:
        headers = error.headers or Message()
        try:
            detail = json.loads(error.read(64 * 1024)).get("message", "")
        except (ValueError, AttributeError, OSError, UnicodeDecodeError):
            detail = ""
        detail = f" ({detail})" if isinstance(detail, str) and detail else ""
        status = error.code
        if status in (403, 429) and (headers.get("x-ratelimit-remaining") == "0" or headers.get("retry-after")):
            when = ""
            reset = headers.get("x-ratelimit-reset")
            if headers.get("retry-after"):
                when = f"; retry after {headers.get('retry-after')} seconds"
            elif reset and reset.isdigit():
                when = f"; it resets at {datetime.fromtimestamp(int(reset), UTC):%Y-%m-%d %H:%M:%S} UTC"
            return self._fail(
                f"GitHub's API rate limit was reached while fetching {what}{when}",
                "Run again after that; no verdict was given.",
            )
        if status == 401:
            return self._fail(
                f"GitHub refused the token (401{detail}) while fetching {what}",
                "Check that GITHUB_TOKEN is set to a valid, unexpired token.",
            )
        if status in (403, 404) and denied_hint:
            return self._fail(f"GitHub answered {status}{detail} for {what}", denied_hint)
        if status in (403, 404):
            return self._fail(
                f"GitHub answered {status}{detail} for {what}",
                "The token may lack access to this repository (it needs pull requests: "
                "read and statuses: write), or the name is wrong.",
            )
        return self._fail(
            f"GitHub answered {status}{detail} for {what}",
            "GitHub may be having trouble; run again later. No verdict was given.",
        )

    def _url(self, path: str, **query: str | int) -> str:
        return f"{self.api_url}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")

    def _get(self, path: str, what: str, denied_hint: str | None = None) -> Any:
        return self._request("GET", self._url(path), what, denied_hint=denied_hint)[0]

    def _get_all(self, path: str, what: str, denied_hint: str | None = None, **query: str) -> list[Any]:
        """Every page of a list endpoint, following the Link header's rel="next"."""
        url: str | None = self._url(path, **query, per_page=PER_PAGE)
        items: list[Any] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            parsed = urllib.parse.urlsplit(url)
            if (parsed.scheme, parsed.netloc) != self._origin:
                raise self._fail(
                    f"GitHub's next page of {what} points to another host "
                    f"({parsed.netloc}); it was not followed, so the token stays on "
                    f"{self._origin[1]}"
                )
            page, headers = self._request("GET", url, what, denied_hint=denied_hint)
            if not isinstance(page, list):
                raise self._fail(f"GitHub's answer for {what} is not a list")
            items += page
            url = next_link(headers.get("Link"))
        raise self._fail(f"{what} goes on past {MAX_PAGES} pages; stopped")

    # --- The endpoints ---------------------------------------------------------------------------------

    def pull_request(self, repository: str, number: int) -> dict[str, Any]:
        what = f"pull request #{number} of {repository}"
        value = self._get(f"/repos/{repository}/pulls/{number}", what)
        if not isinstance(value, dict):
            raise self._fail(f"GitHub's answer for {what} is not an object")
        return value

    def pull_request_files(self, repository: str, number: int) -> list[dict[str, Any]]:
        return self._objects(
            self._get_all(f"/repos/{repository}/pulls/{number}/files", f"the files of pull request #{number}"), "file"
        )

    def reviews(self, repository: str, number: int) -> list[dict[str, Any]]:
        return self._objects(
            self._get_all(f"/repos/{repository}/pulls/{number}/reviews", f"the reviews of pull request #{number}"),
            "review",
        )

    def team_members(self, team: str) -> list[str]:
        """The logins of a team named "org/team-slug"."""
        match = _TEAM.match(team)
        if match is None:
            raise UsageError(f"{team!r} is not a team name of the form org/team-slug")
        org, slug = match.groups()
        members = self._objects(
            self._get_all(f"/orgs/{org}/teams/{slug}/members", f"the members of the team {team}", READ_ORG_HINT),
            "member",
        )
        logins = [member.get("login") for member in members]
        if not all(isinstance(login, str) and login for login in logins):
            raise self._fail(f"GitHub's list of the members of {team} has a member without a login")
        return [str(login) for login in logins]

    def branch_head(self, repository: str, branch: str) -> str:
        """The commit a branch points to now."""
        what = f"the branch {branch} of {repository}"
        value = self._get(f"/repos/{repository}/branches/{urllib.parse.quote(branch, safe='/')}", what)
        sha = value.get("commit", {}).get("sha") if isinstance(value, dict) else None
        if not isinstance(sha, str) or not _SHA.match(sha):
            raise self._fail(f"GitHub's answer for {what} names no commit")
        return sha

    def set_status(
        self, repository: str, sha: str, state: str, description: str, target_url: str | None = None, *, context: str
    ) -> None:
        """Set martechgate's status `context` on a commit (state: success, failure, error, pending)."""
        body: dict[str, str] = {"state": state, "context": context, "description": description[:140]}
        if target_url:
            body["target_url"] = target_url
        self._request(
            "POST",
            self._url(f"/repos/{repository}/statuses/{sha}"),
            f"the commit status of {sha[:12]}",
            body,
            denied_hint="Setting a commit status needs `statuses: write` in the workflow's permissions.",
        )

    # --- Issues and pull requests (due --github, new --from-issue) ----------------------------------

    def open_issues(self, repository: str, label: str) -> list[dict[str, Any]]:
        """The open issues (not pull requests) with `label`."""
        items = self._objects(
            self._get_all(
                f"/repos/{repository}/issues",
                f"the open issues labelled {label}",
                ISSUES_HINT,
                state="open",
                labels=label,
            ),
            "issue",
        )
        return [item for item in items if "pull_request" not in item]

    def create_issue(
        self, repository: str, title: str, body: str, labels: list[str], assignees: list[str]
    ) -> dict[str, Any]:
        payload = {"title": title, "body": body, "labels": labels, "assignees": assignees}
        return self._object("POST", f"/repos/{repository}/issues", "a new issue", payload, ISSUES_HINT)

    def update_issue(self, repository: str, number: int, **fields: Any) -> dict[str, Any]:
        """Edit an issue: title, body, assignees, state ("closed"), state_reason."""
        return self._object("PATCH", f"/repos/{repository}/issues/{number}", f"issue #{number}", fields, ISSUES_HINT)

    def comment(self, repository: str, number: int, body: str) -> dict[str, Any]:
        return self._object(
            "POST",
            f"/repos/{repository}/issues/{number}/comments",
            f"a comment on #{number}",
            {"body": body},
            ISSUES_HINT,
        )

    def create_pull(self, repository: str, title: str, head: str, base: str, body: str) -> dict[str, Any]:
        payload = {"title": title, "head": head, "base": base, "body": body}
        return self._object(
            "POST",
            f"/repos/{repository}/pulls",
            f"a pull request from {head}",
            payload,
            "Opening a pull request needs `pull-requests: write` (and `contents: write` to push the branch).",
        )

    def _object(self, method: str, path: str, what: str, body: Any, denied_hint: str) -> dict[str, Any]:
        value, _ = self._request(method, self._url(path), what, body, denied_hint=denied_hint)
        if not isinstance(value, dict):
            raise self._fail(f"GitHub's answer for {what} is not an object")
        return value

    def _objects(self, items: list[Any], kind: str) -> list[dict[str, Any]]:
        if not all(isinstance(item, dict) for item in items):
            raise self._fail(f"GitHub's list has a {kind} that is not an object")
        return items


@dataclass(frozen=True)
class ActionsContext:
    """What a GitHub Actions run says about the pull request it runs for (from its environment)."""

    repository: str
    number: int
    api_url: str
    token: str = field(repr=False)
    run_url: str | None = None
    head_sha: str | None = None  # the head the event names: what the run checked out

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> ActionsContext:
        missing = [name for name in ("GITHUB_EVENT_PATH", "GITHUB_REPOSITORY", "GITHUB_TOKEN") if not env.get(name)]
        if missing:
            raise UsageError(
                f"--github needs {', '.join(missing)} in the environment",
                hint="Run it in a GitHub Actions job on pull_request or pull_request_review, "
                "with `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`; offline, use "
                "--reviews FILE --author LOGIN.",
            )
        repository = env["GITHUB_REPOSITORY"]
        if not _REPOSITORY.match(repository) or {".", ".."} & set(repository.split("/")):
            raise UsageError(f"GITHUB_REPOSITORY {repository!r} is not of the form owner/name")
        path = env["GITHUB_EVENT_PATH"]
        try:
            with open(path, "rb") as handle:
                event = json.loads(handle.read(MAX_BYTES))
        except OSError as error:
            raise UsageError(f"cannot read the event file {path}: {error.strerror}") from None
        except ValueError:
            raise UsageError(f"the event file {path} is not JSON") from None
        pull = event.get("pull_request") if isinstance(event, dict) else None
        number = pull.get("number") if isinstance(pull, dict) else None
        if not isinstance(number, int) or isinstance(number, bool):
            raise UsageError(
                f"the event in {path} is not about a pull request",
                hint="Run `martechgate review --github` on pull_request or pull_request_review events.",
            )
        head = pull.get("head") if isinstance(pull, dict) else None
        head_sha = head.get("sha") if isinstance(head, dict) else None
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        run_id = env.get("GITHUB_RUN_ID")
        return cls(
            repository,
            number,
            env.get("GITHUB_API_URL") or DEFAULT_API_URL,
            env["GITHUB_TOKEN"],
            f"{server}/{repository}/actions/runs/{run_id}" if run_id else None,
            head_sha if isinstance(head_sha, str) and _SHA.match(head_sha) else None,
        )


def _webhook_label(url: str) -> str:
    """A webhook's address without its secret path: the path is the credential."""
    parsed = urllib.parse.urlsplit(url)
    return f"{parsed.scheme}://{parsed.netloc}/…"


def post_webhook(
    url: str, payload: Mapping[str, Any], *, timeout: float = DEFAULT_TIMEOUT, max_retry_wait: float = 30
) -> None:
    """POST one JSON message to a chat's incoming webhook (Slack, Microsoft Teams).

    A rate limit with a short Retry-After is waited out once. Failures are ExternalServiceError
    naming the host only: the webhook's path is its secret and never appears in a message."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(
            "--webhook needs an http(s) URL", hint="Give the incoming webhook's address that Slack or Teams shows."
        )
    label = _webhook_label(url)
    data = json.dumps(payload).encode()
    for attempt in (1, 2):
        request = urllib.request.Request(url, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("User-Agent", f"martechgate/{__version__}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read(64 * 1024)
            return
        except urllib.error.HTTPError as error:
            wait = (error.headers or Message()).get("retry-after", "")
            if error.code in (403, 429) and wait.isdigit() and int(wait) <= max_retry_wait and attempt == 1:
                time.sleep(int(wait))
                continue
            limited = f"; it asks to retry after {wait} seconds" if wait else ""
            raise ExternalServiceError(
                f"the webhook at {label} answered {error.code}{limited}",
                hint="Check that the webhook still exists (a removed one answers 404 or 410), then run again.",
            ) from None
        except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = getattr(error, "reason", None) or error
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                reason = f"no answer within {timeout:g} seconds"
            raise ExternalServiceError(
                f"could not reach the webhook at {label}: {reason}", hint="Check the network, then run again."
            ) from None


@dataclass(frozen=True)
class RepositoryContext:
    """The repository a GitHub Actions job runs in, and how to reach its API (from the environment)."""

    repository: str
    api_url: str
    token: str = field(repr=False)
    server_url: str = "https://github.com"

    @classmethod
    def from_environment(cls, env: Mapping[str, str], option: str) -> RepositoryContext:
        missing = [name for name in ("GITHUB_REPOSITORY", "GITHUB_TOKEN") if not env.get(name)]
        if missing:
            raise UsageError(
                f"{option} needs {', '.join(missing)} in the environment",
                hint="GitHub Actions sets GITHUB_REPOSITORY; pass the token with "
                "`env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`.",
            )
        repository = env["GITHUB_REPOSITORY"]
        if not _REPOSITORY.match(repository) or {".", ".."} & set(repository.split("/")):
            raise UsageError(f"GITHUB_REPOSITORY {repository!r} is not of the form owner/name")
        return cls(
            repository,
            env.get("GITHUB_API_URL") or DEFAULT_API_URL,
            env["GITHUB_TOKEN"],
            env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
        )

    def client(self, *, max_retry_wait: float = 0.0) -> GitHubClient:
        return GitHubClient(self.api_url, self.token, max_retry_wait=max_retry_wait)
