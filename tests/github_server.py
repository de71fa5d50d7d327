"""A real HTTP server on 127.0.0.1 that answers like GitHub's REST API, and records what it was asked."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


Route = Callable[[Recorded], Answer]


class FakeGitHub:
    """Routes by (method, path); a list route is served as pages linked by a Link header."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.prefixes: list[tuple[str, str, Route]] = []  # (method, path prefix, route): e.g. /issues/<n>
        self.requests: list[Recorded] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

            def _serve(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                recorded = Recorded(
                    self.command,
                    parsed.path,
                    urllib.parse.parse_qs(parsed.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                fake.requests.append(recorded)
                route = fake.routes.get((self.command, parsed.path)) or next(
                    (r for m, prefix, r in fake.prefixes if m == self.command and parsed.path.startswith(prefix)), None
                )
                answer = route(recorded) if route else Answer(404, {"message": "Not Found"})
                if answer.delay:
                    time.sleep(answer.delay)
                data = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                    pass

            do_GET = _serve
            do_POST = _serve
            do_PATCH = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # shutdown() waits for serve_forever to look at its flag: every 0.5 s by default, half a second
        # at the end of each of about 50 tests.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def start(self) -> FakeGitHub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, method: str, path: str, answer: Answer | Route) -> None:
        self.routes[(method, path)] = answer if callable(answer) else (lambda _request: answer)

    def add_prefix(self, method: str, prefix: str, route: Route) -> None:
        """Answer every `method` request whose path starts with `prefix` (when no exact route does)."""
        self.prefixes.append((method, prefix, route))

    def pages(self, path: str, pages: list[list[Any]]) -> None:
        """Serve `pages` of a list at GET `path`, linked rel="next"/"last" as GitHub does."""

        def route(request: Recorded) -> Answer:
            number = int(request.query.get("page", ["1"])[0])
            links = []
            if number < len(pages):
                links.append(f'<{self.url}{path}?per_page=100&page={number + 1}>; rel="next"')
                links.append(f'<{self.url}{path}?per_page=100&page={len(pages)}>; rel="last"')
            if number > 1:
                links.append(f'<{self.url}{path}?per_page=100&page=1>; rel="first"')
            return Answer(200, pages[number - 1], {"Link": ", ".join(links)} if links else {})

        self.add("GET", path, route)

    def asked(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]


def serve() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    try:
        yield fake
    finally:
        fake.stop()


class FakeIssues:
    """A repository's issues, kept in memory as GitHub keeps them: list (open, by label, in pages of
    `per_page`), create, edit (PATCH), comment, and pull requests opened. `before` answers first when
    it returns an Answer (to inject rate limits and failures into any call)."""

    def __init__(self, github: FakeGitHub, repository: str, per_page: int = 2) -> None:
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[str]] = {}
        self.pulls: list[dict[str, Any]] = []
        self.per_page = per_page
        self.before: Callable[[Recorded], Answer | None] = lambda _request: None
        base = f"/repos/{repository}"
        self.base = base
        github.add("GET", f"{base}/issues", self._guard(self._list))
        github.add("POST", f"{base}/issues", self._guard(self._create))
        github.add("POST", f"{base}/pulls", self._guard(self._pull))
        github.add_prefix("PATCH", f"{base}/issues/", self._guard(self._edit))
        github.add_prefix("POST", f"{base}/issues/", self._guard(self._comment))
        self.url = github.url

    def _guard(self, route: Route) -> Route:
        def guarded(request: Recorded) -> Answer:
            early = self.before(request)
            return early if early is not None else route(request)

        return guarded

    def open(self, label: str | None = None) -> list[dict[str, Any]]:
        return [
            issue
            for issue in self.issues.values()
            if issue["state"] == "open" and (label is None or label in [x["name"] for x in issue["labels"]])
        ]

    def _list(self, request: Recorded) -> Answer:
        state = request.query.get("state", ["open"])[0]
        labels = [x for x in request.query.get("labels", [""])[0].split(",") if x]
        found = [
            issue
            for _, issue in sorted(self.issues.items(), reverse=True)  # newest first, as GitHub lists them
            if (state == "all" or issue["state"] == state)
            and all(label in [x["name"] for x in issue["labels"]] for label in labels)
        ]
        number = int(request.query.get("page", ["1"])[0])
        page = found[(number - 1) * self.per_page : number * self.per_page]
        headers = {}
        if number * self.per_page < len(found):
            query = urllib.parse.urlencode({"state": state, "labels": ",".join(labels), "page": number + 1})
            headers["Link"] = f'<{self.url}{self.base}/issues?{query}>; rel="next"'
        return Answer(200, page, headers)

    def _next_number(self) -> int:
        return max([0, *self.issues, *(p["number"] for p in self.pulls)]) + 1

    def seed(self, number: int, title: str, body: str, labels: tuple[str, ...] = ()) -> None:
        """An issue someone opened before the run (e.g. the submitted issue form)."""
        self.issues[number] = {
            "number": number,
            "state": "open",
            "title": title,
            "body": body,
            "labels": [{"name": name} for name in labels],
            "assignees": [],
        }

    def _create(self, request: Recorded) -> Answer:
        number = self._next_number()
        body = request.body
        issue = {
            "number": number,
            "state": "open",
            "title": body["title"],
            "body": body.get("body"),
            "labels": [{"name": name} for name in body.get("labels", [])],
            "assignees": [{"login": login} for login in body.get("assignees", [])],
            "html_url": f"https://github.example/{self.base}/issues/{number}",
        }
        self.issues[number] = issue
        return Answer(201, issue)

    def _number(self, request: Recorded) -> int | None:
        rest = request.path[len(self.base) + len("/issues/") :]
        head = rest.split("/")[0]
        return int(head) if head.isdigit() and int(head) in self.issues else None

    def _edit(self, request: Recorded) -> Answer:
        number = self._number(request)
        if number is None:
            return Answer(404, {"message": "Not Found"})
        issue = self.issues[number]
        for key, value in request.body.items():
            issue[key] = [{"login": login} for login in value] if key == "assignees" else value
        return Answer(200, issue)

    def _comment(self, request: Recorded) -> Answer:
        number = self._number(request)
        if number is None or not request.path.endswith("/comments"):
            return Answer(404, {"message": "Not Found"})
        self.comments.setdefault(number, []).append(request.body["body"])
        return Answer(201, {"id": len(self.comments[number]), "body": request.body["body"]})

    def _pull(self, request: Recorded) -> Answer:
        number = self._next_number()
        pull = {**request.body, "number": number, "html_url": f"https://github.example{self.base}/pull/{number}"}
        self.pulls.append(pull)
        return Answer(201, pull)
