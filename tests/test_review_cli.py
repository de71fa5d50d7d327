"""`martechgate review` end to end: a real git repo with branches, the real CLI in a subprocess, and
(for --github) a real HTTP server on 127.0.0.1 answering as GitHub documents."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from martechgate.formats import review as review_report
from martechgate.gate import review
from martechgate.gate import review_input as pullreview
from tests.conftest import FIXTURES, GovRepo
from tests.github_server import Answer, FakeGitHub, serve

TOKEN = "ghs_SECRETtoken0123456789abcdef"
REPOSITORY = "Codertocat/Hello-World"  # the repository of the documented event payloads
NUMBER = 2


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def reviews_payload(*reviews: tuple[str, str, str | None]) -> list[dict[str, Any]]:
    """GitHub's documented review, once per (login, state, commit)."""
    template = fixture("github-pull-reviews.json")[0]
    result = []
    for number, (login, state, commit) in enumerate(reviews, start=80):
        item = copy.deepcopy(template)
        item.update(id=number, state=state, commit_id=commit)
        item["user"]["login"] = login
        result.append(item)
    return result


def write_reviews(tmp_path: Path, *reviews: tuple[str, str, str | None]) -> str:
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(reviews_payload(*reviews)))
    return str(path)


@pytest.fixture
def proposal(gov: GovRepo) -> tuple[GovRepo, str, str]:
    """main, and a branch `pr` adding one low-risk tool: it needs marketing and IT."""
    base = gov.git("rev-parse", "HEAD")
    gov.git("checkout", "-q", "-b", "pr")
    gov.add_entry("canva")
    return gov, base, gov.commit("Propose canva")


# --- Offline: --reviews FILE --author LOGIN ----------------------------------------------------------


def test_githubs_documented_review_alone_does_not_approve(run_cli: Any, proposal: tuple[GovRepo, str, str]) -> None:
    gov, _, _ = proposal
    result = run_cli(
        "review",
        "--base",
        "main",
        "--reviews",
        str(FIXTURES / "github-pull-reviews.json"),
        "--author",
        "mallory",
        str(gov.path),
    )
    assert result.returncode == 1, result.stderr
    assert "missing joint-cmo-cio: needs 1 marketing, 1 it" in result.stdout
    assert "can still approve for it: carol-diaz, dan-kowalski, @acme/it-architecture" in result.stdout
    assert "not approved: 0 of 1 review rules satisfied" in result.stdout


def test_joint_approval_offline_exits_0_with_json(
    run_cli: Any, proposal: tuple[GovRepo, str, str], tmp_path: Path
) -> None:
    gov, base, head = proposal
    reviews = write_reviews(tmp_path, ("alice-chen", "APPROVED", head), ("carol-diaz", "APPROVED", head))
    result = run_cli(
        "review", "--base", "main", "--reviews", reviews, "--author", "mallory", "--format", "json", str(gov.path)
    )
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["approved"] is True and verdict["head"] == head and verdict["base"] == base
    assert verdict["rules"][0]["seats"] == [
        {"group": "marketing", "reviewer": "alice-chen"},
        {"group": "it", "reviewer": "carol-diaz"},
    ]


def test_markdown_names_who_can_still_approve(run_cli: Any, proposal: tuple[GovRepo, str, str], tmp_path: Path) -> None:
    gov, _, head = proposal
    reviews = write_reviews(tmp_path, ("alice-chen", "APPROVED", head))
    result = run_cli(
        "review", "--base", "main", "--reviews", reviews, "--author", "mallory", "--format", "markdown", str(gov.path)
    )
    assert result.returncode == 1
    assert "### Joint approval: not approved yet" in result.stdout
    assert (
        "| ❌ | **joint-cmo-cio**<br>needs 1 it | catalog/canva.yaml (added) matches catalog/\\*\\* "
        "| marketing: `alice-chen` | it: `carol-diaz`, `dan-kowalski`, `@acme/it-architecture` |"
    ) in result.stdout


def test_head_defaults_to_the_checked_out_commit(
    run_cli: Any, proposal: tuple[GovRepo, str, str], tmp_path: Path
) -> None:
    gov, _, head = proposal
    reviews = write_reviews(tmp_path, ("alice-chen", "APPROVED", head), ("carol-diaz", "APPROVED", head))
    gov.add_entry("canva", purpose="Uncommitted edit")  # not part of the reviewed commits
    result = run_cli("review", "--base", "main", "--reviews", reviews, "--author", "m", str(gov.path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_pull_request_that_weakens_the_rules_is_judged_by_the_old_ones(
    run_cli: Any, proposal: tuple[GovRepo, str, str], tmp_path: Path
) -> None:
    gov, _, _ = proposal
    text = (gov.path / "martechgate.yaml").read_text()
    text = text.replace("require: {marketing: 1, it: 1}", "require: {marketing: 1}")
    text = text.replace("require: {it: 1, security: 1}", "require: {marketing: 1}")
    gov.write("martechgate.yaml", text)
    head = gov.commit("Only marketing needed from now on")
    reviews = write_reviews(tmp_path, ("alice-chen", "APPROVED", head), ("bob-okafor", "APPROVED", head))
    result = run_cli(
        "review", "--base", "main", "--reviews", reviews, "--author", "mallory", "--format", "json", str(gov.path)
    )
    assert result.returncode == 1
    rules = {r["name"]: r for r in json.loads(result.stdout)["rules"]}
    assert rules["joint-cmo-cio"]["required"] == {"marketing": 1, "it": 1}
    assert rules["governance-change"]["required"] == {"it": 1, "security": 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give either --github or --reviews FILE --author LOGIN"),
        (("--reviews", "REVIEWS"), "--reviews needs --base REF and --author LOGIN"),
        (("--github", "--reviews", "REVIEWS"), "leave out --reviews and --author"),
        (("--base", "main", "--reviews", "missing.json", "--author", "m"), "cannot read the reviews file"),
        (("--base", "main", "--reviews", "BROKEN", "--author", "m"), "is not JSON"),
        (("--base", "main", "--reviews", "OBJECT", "--author", "m"), "is not a list of reviews"),
        (("--base", "nope", "--reviews", "REVIEWS", "--author", "m"), "'nope' does not exist"),
    ],
)
def test_cannot_run_exits_2_without_a_traceback(
    run_cli: Any, proposal: tuple[GovRepo, str, str], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    gov, _, head = proposal
    files = {"REVIEWS": write_reviews(tmp_path, ("alice-chen", "APPROVED", head))}
    (tmp_path / "broken.json").write_text("[{")
    (tmp_path / "object.json").write_text('{"reviews": []}')
    files |= {"BROKEN": str(tmp_path / "broken.json"), "OBJECT": str(tmp_path / "object.json")}
    result = run_cli("review", *[files.get(a, a) for a in args], str(gov.path), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# --- --github: a pull request on a (fake) GitHub -----------------------------------------------------


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    yield from serve()


class PullRequest:
    """A pull request on the fake GitHub for the local branch `pr`, and the Actions environment."""

    def __init__(
        self,
        github: FakeGitHub,
        gov: GovRepo,
        base: str,
        head: str,
        event: str = "github-event-pull_request.json",
        files: list[str] | None = None,
        event_head: str | None = None,
    ) -> None:
        self.github, self.gov, self.head = github, gov, event_head or head
        pull = fixture("github-pull.json")
        pull["number"] = NUMBER
        pull["user"]["login"] = "mallory"
        pull["head"]["sha"], pull["base"]["sha"] = head, base
        prefix = f"/repos/{REPOSITORY}/pulls/{NUMBER}"
        github.add("GET", prefix, Answer(200, pull))
        # The base branch as GitHub has it now: its rules judge the pull request.
        github.add("GET", f"/repos/{REPOSITORY}/branches/{pull['base']['ref']}", Answer(200, {"commit": {"sha": base}}))
        self.files(files if files is not None else gov.git("diff", "--name-only", f"{base}...{head}").splitlines())
        self.reviews()
        github.pages("/orgs/acme/teams/marketing-ops/members", [[self.user("alice-chen")]])
        github.pages("/orgs/acme/teams/it-architecture/members", [[self.user("carol-diaz")], [self.user("zoe-new")]])
        for sha in {head, self.head}:
            github.add("POST", f"/repos/{REPOSITORY}/statuses/{sha}", Answer(201, {"state": "whatever"}))
        # The documented event, about the local pull request: its number and head commit.
        payload = fixture(event)
        payload["pull_request"]["number"] = NUMBER
        payload["pull_request"]["head"]["sha"] = self.head
        event_path = Path(gov.path.parent / f"event-{self.head[:8]}.json")
        event_path.write_text(json.dumps(payload))
        self.env = {
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_API_URL": github.url,
            "GITHUB_RUN_ID": "7",
            "GITHUB_SERVER_URL": "https://github.com",
        }

    @staticmethod
    def user(login: str) -> dict[str, Any]:
        user = copy.deepcopy(fixture("github-pull-reviews.json")[0]["user"])
        user["login"] = login
        return user

    def files(self, paths: list[str]) -> None:
        template = fixture("github-pull-files.json")[0]
        self.github.pages(
            f"/repos/{REPOSITORY}/pulls/{NUMBER}/files", [[{**template, "filename": path} for path in paths]]
        )

    def reviews(self, *reviews: tuple[str, str, str | None]) -> None:
        payload = reviews_payload(*reviews)
        self.github.pages(f"/repos/{REPOSITORY}/pulls/{NUMBER}/reviews", [payload[:1], payload[1:]])

    def statuses(self) -> list[dict[str, Any]]:
        return [r.body for r in self.github.asked("POST", f"/repos/{REPOSITORY}/statuses/{self.head}")]


@pytest.fixture
def pull(github: FakeGitHub, proposal: tuple[GovRepo, str, str]) -> PullRequest:
    gov, base, head = proposal
    return PullRequest(github, gov, base, head)


def run_github(run_cli: Any, pull: PullRequest, *args: str) -> Any:
    result = run_cli("review", "--github", *args, str(pull.gov.path), env=pull.env)
    assert TOKEN not in result.stdout and TOKEN not in result.stderr
    return result


def test_github_approved_sets_a_success_status(run_cli: Any, pull: PullRequest) -> None:
    pull.reviews(
        ("alice-chen", "COMMENTED", pull.head),
        ("alice-chen", "APPROVED", pull.head),
        ("zoe-new", "APPROVED", pull.head),
    )  # zoe is in IT only through the team
    result = run_github(run_cli, pull)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "approved: 1 of 1 review rules satisfied" in result.stdout
    assert pull.statuses() == [
        {
            "state": "success",
            "context": "martechgate/review (master)",
            "description": "Approved: 1 review rule satisfied",
            "target_url": f"https://github.com/{REPOSITORY}/actions/runs/7",
        }
    ]
    asked = {r.path for r in pull.github.requests}
    assert f"/repos/{REPOSITORY}/pulls/{NUMBER}/files" in asked
    assert len(pull.github.asked("GET", f"/repos/{REPOSITORY}/pulls/{NUMBER}/reviews")) == 2  # two pages
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in pull.github.requests)


def test_github_missing_approval_sets_a_failure_status(run_cli: Any, pull: PullRequest) -> None:
    pull.reviews(("alice-chen", "APPROVED", pull.head), ("mallory", "APPROVED", pull.head))
    result = run_github(run_cli, pull, "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["author"] == "mallory"
    assert [s["state"] for s in pull.statuses()] == ["failure"]
    assert pull.statuses()[0]["description"] == "Waiting for joint-cmo-cio (it)"


def test_github_on_a_review_event(run_cli: Any, github: FakeGitHub, proposal: tuple[GovRepo, str, str]) -> None:
    gov, base, head = proposal
    pull = PullRequest(github, gov, base, head, event="github-event-pull_request_review.json")
    pull.reviews(("alice-chen", "APPROVED", head), ("carol-diaz", "CHANGES_REQUESTED", head))
    result = run_github(run_cli, pull)
    assert result.returncode == 1
    assert "blocked by: carol-diaz (requested changes)" in result.stdout
    assert pull.statuses()[0]["description"] == "Waiting for joint-cmo-cio (changes requested)"


def test_github_team_without_read_org_exits_2_and_marks_the_commit(run_cli: Any, pull: PullRequest) -> None:
    pull.github.add("GET", "/orgs/acme/teams/it-architecture/members", Answer(404, {"message": "Not Found"}))
    pull.reviews(("alice-chen", "APPROVED", pull.head), ("carol-diaz", "APPROVED", pull.head))
    result = run_github(run_cli, pull)
    assert result.returncode == 2
    assert "acme/it-architecture" in result.stderr and "read:org" in result.stderr
    assert [s["state"] for s in pull.statuses()] == ["error"]


def test_github_rate_limit_exits_2(run_cli: Any, pull: PullRequest) -> None:
    pull.github.add(
        "GET",
        f"/repos/{REPOSITORY}/pulls/{NUMBER}/reviews",
        Answer(
            403,
            {"message": "API rate limit exceeded"},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1795000000"},
        ),
    )
    result = run_github(run_cli, pull)
    assert result.returncode == 2
    assert "rate limit was reached" in result.stderr and "Traceback" not in result.stderr
    assert [s["state"] for s in pull.statuses()] == ["error"]


def test_github_refuses_a_clone_whose_diff_is_not_the_pull_requests(run_cli: Any, pull: PullRequest) -> None:
    pull.files(["catalog/canva.yaml", "policies/pii-requires-sso.yaml"])
    result = run_github(run_cli, pull)
    assert result.returncode == 2
    assert "only on GitHub: policies/pii-requires-sso.yaml" in result.stderr
    assert "fetch-depth: 0" in result.stderr


def test_github_head_not_fetched_exits_2(run_cli: Any, github: FakeGitHub, proposal: tuple[GovRepo, str, str]) -> None:
    gov, base, _ = proposal
    pull = PullRequest(github, gov, base, "f" * 40, files=["catalog/canva.yaml"])
    result = run_github(run_cli, pull)
    assert result.returncode == 2
    assert "does not exist here" in result.stderr
    assert [s["state"] for s in pull.statuses()] == ["error"]


def test_github_without_its_environment_exits_2(run_cli: Any, pull: PullRequest) -> None:
    env = {**pull.env, "GITHUB_TOKEN": ""}
    result = run_cli("review", "--github", str(pull.gov.path), env=env)
    assert result.returncode == 2
    assert "--github needs GITHUB_TOKEN" in result.stderr
    assert pull.github.requests == []


def test_github_unreachable_exits_2(run_cli: Any, pull: PullRequest) -> None:
    pull.github.stop()
    result = run_github(run_cli, pull)
    assert result.returncode == 2
    assert "could not reach GitHub" in result.stderr


# --- The views ---------------------------------------------------------------------------------------


def hostile_verdict() -> review.Verdict:
    rule = review.RuleVerdict(
        "joint-cmo-cio",
        ("catalog/a|b_<img src=x>.yaml (added) matches catalog/**",),
        ("catalog/a|b_<img src=x>.yaml",),
        {"marketing": 1},
        (review.Seat("marketing", None),),
        {"marketing": ()},
        (),
        (),
    )
    return review.Verdict("mallory", "a" * 40, "b" * 40, True, False, True, (rule,) * 12, ())


def test_markdown_cannot_be_broken_by_file_names() -> None:
    text = review_report.render_markdown(hostile_verdict())
    row = text.splitlines()[-1]
    assert "catalog/a\\|b\\_&lt;img src=x&gt;.yaml (added) matches catalog/\\*\\*" in row
    assert row.count(" | ") == 4  # five cells, whatever the file is called
    assert "marketing: nobody" in row


def test_status_description_fits_githubs_140_characters() -> None:
    description = pullreview.status_description(hostile_verdict())
    assert len(description) == 140 and description.startswith("Waiting for joint-cmo-cio (marketing);")


def test_a_run_overtaken_by_a_newer_push_judges_and_marks_only_its_own_commit(
    run_cli: Any, github: FakeGitHub, proposal: tuple[GovRepo, str, str]
) -> None:
    gov, base, older = proposal
    gov.add_entry("canva", purpose="Pushed while the first run was queued")
    newer = gov.commit("Newer push")
    pull = PullRequest(github, gov, base, newer, event_head=older)
    pull.reviews(("alice-chen", "APPROVED", older), ("carol-diaz", "APPROVED", older))
    result = run_github(run_cli, pull, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["head"] == older
    assert github.asked("POST", f"/repos/{REPOSITORY}/statuses/{newer}") == []
    assert [s["state"] for s in pull.statuses()] == ["success"]
    assert github.asked("GET", f"/repos/{REPOSITORY}/pulls/{NUMBER}/files") == []
