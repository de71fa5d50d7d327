"""codeowners, ruleset: GitHub's own review requirements, generated from martechgate.yaml's path rules."""

from __future__ import annotations

import json
from pathlib import Path

import click

from martechgate import atomic
from martechgate.check.organisation import load_organization
from martechgate.cli.options import repo_option
from martechgate.errors import EXIT_OK, RepoError, UsageError
from martechgate.gate import github_setup
from martechgate.sources.git import top_and_prefix
from martechgate.sources.opener import open_source

CODEOWNERS = ".github/CODEOWNERS"


def _layout(repo: str) -> tuple[Path, str]:
    """The git repository's root and the governance repo's folder inside it (`""` or `gov/`):
    CODEOWNERS and rulesets name paths from the git root."""
    return top_and_prefix(repo)


def _notes(notes: list[str]) -> None:
    for note in notes:
        click.echo(f"note: {note}", err=True)


def _write_atomically(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        atomic.replace(target, text)
    except OSError as error:
        raise RepoError(
            f"could not write {target}: {error.strerror}", hint="Check that the folder is writable."
        ) from error


@click.command()
@repo_option
@click.option(
    "--write", is_flag=True, help=f"Write {CODEOWNERS} (at the git repository's root) instead of printing it."
)
def codeowners(repo: str, write: bool) -> None:
    """Print (or --write) .github/CODEOWNERS from the groups of the review rules' `paths`.

    Teams come from each group's github_team, people from its members (as @login).
    """
    organization = load_organization(open_source(repo))
    top, prefix = _layout(repo)
    generated = github_setup.codeowners(organization, prefix)
    _notes(generated.notes)
    if not write:
        click.echo(generated.text, nl=False)
        raise SystemExit(EXIT_OK)
    target = top / CODEOWNERS
    if target.is_file() and target.read_text(encoding="utf-8", errors="replace") == generated.text:
        click.echo(f"{target} is up to date", err=True)
        raise SystemExit(EXIT_OK)
    _write_atomically(target, generated.text)
    click.echo(f"wrote {target}; commit it (it is a governance file: the governance reviewers approve it)", err=True)


def _team_ids(values: tuple[str, ...]) -> dict[str, int]:
    ids = {}
    for value in values:
        team, _, number = value.rpartition("=")
        if not team or not number.isdigit():
            raise UsageError(
                f"--team-id {value!r} is not ORG/TEAM=ID",
                hint="For example --team-id acme/it-architecture=4321567 "
                "(`gh api orgs/acme/teams/it-architecture --jq .id` gives the id).",
            )
        ids[team] = int(number)
    return ids


@click.command()
@repo_option
@click.option(
    "--team-id",
    "team_ids",
    multiple=True,
    metavar="ORG/TEAM=ID",
    help="The numeric id of a github_team (rulesets name teams by id); repeat for each team.",
)
@click.option("--name", default="martechgate review backstop", show_default=True, help="The ruleset's name.")
@click.option(
    "--branch",
    default="main",
    show_default=True,
    help="The protected branch; the ruleset requires the status `martechgate/review (BRANCH)`.",
)
def ruleset(repo: str, team_ids: tuple[str, ...], name: str, branch: str) -> None:
    """Print a GitHub repository ruleset (JSON) requiring the path rules' teams and martechgate's review.

    Create it with `gh api repos/OWNER/REPO/rulesets --method POST --input FILE`. Groups without a
    github_team cannot be required by a ruleset; notes on stderr say which.
    """
    organization = load_organization(open_source(repo))
    _, prefix = _layout(repo)
    payload, notes = github_setup.ruleset(organization, _team_ids(team_ids), prefix, name, branch)
    _notes(notes)
    click.echo(json.dumps(payload, indent=2))
