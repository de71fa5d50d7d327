"""inventory, audit, record, verify: the audit trail, read from git."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from typing import Any

import click
from click.decorators import FC

from martechgate import __version__, atomic
from martechgate.audit import history, records, signing
from martechgate.audit import report as audit
from martechgate.check.organisation import load_organization
from martechgate.cli.history import progress_bar
from martechgate.cli.options import _parse_date, repo_only_option, terminal_width, use_color
from martechgate.errors import EXIT_BLOCKED, EXIT_OK, MartechgateError, UsageError
from martechgate.formats import tables
from martechgate.sources.git import Git
from martechgate.sources.opener import open_source
from martechgate.words import count

REF_HELP = (
    "The branch whose first-parent history is the record (default: the repository's default branch: "
    "origin/HEAD, else default_branch in martechgate.yaml, else init.defaultBranch, else main or master)."
)


def _ref_option(function: FC) -> FC:
    return click.option("--ref", metavar="BRANCH", help=REF_HELP)(function)


def _branch(git: Git, repo: str, ref: str | None) -> str:
    """The branch asked for, or the repository's default branch (see Git.default_branch)."""
    if ref is not None:
        return ref
    try:
        configured = load_organization(open_source(repo)).raw.get("default_branch")
    except MartechgateError:  # no or a broken organisation file: the other sources may still say
        configured = None
    return git.default_branch(configured if isinstance(configured, str) else None)


def _required_date(name: str, text: str) -> Callable[[FC], FC]:
    return click.option(name, required=True, metavar="YYYY-MM-DD", callback=_parse_date, help=text)


# Which inventory columns give way first on a narrow terminal (tables.Column.drop); csv and json keep all.
_INVENTORY_DROP = {
    "name": 3,
    "vendor": 4,
    "category": 2,
    "business_owner": 5,
    "technical_owner": 6,
    "classification": 4,
    "data_categories": 3,
    "risk_tier": 1,
    "annual_cost": 1,
    "currency": 1,
    "renewal": 2,
    "file": 7,
    "blob": 8,
}


@click.command(name="inventory")
@_required_date("--as-of", "The day (UTC, inclusive) whose catalog to list.")
@repo_only_option
@_ref_option
@click.option("--format", "output_format", type=click.Choice(tables.FORMATS), default="table", show_default=True)
def inventory_command(as_of: date, repo: str, ref: str | None, output_format: str) -> None:
    """The catalog as it stood on REF at the end of a day, with the commit it was read from."""
    git = Git(repo)
    result = history.inventory(git, as_of, _branch(git, repo, ref))
    columns = [
        tables.Column(
            key, key.replace("_", " "), "right" if key == "annual_cost" else "left", _INVENTORY_DROP.get(key, 0)
        )
        for key in history.INVENTORY_COLUMNS
    ]
    table = tables.Table(columns, result.rows, title=f"Inventory as of {as_of.isoformat()}", meta=result.meta())
    click.echo(tables.render(table, output_format, terminal_width(), use_color(None)), nl=False)
    _warn_backwards(result.dates_backwards)


def _warn_backwards(notes: list[str]) -> None:
    """Dates that go backwards, on stderr too: a CSV has no place for them, and a reader must know."""
    for note in notes:
        click.secho(f"martechgate: {note}", err=True, fg="yellow")


@click.command(name="audit")
@_required_date("--since", "First day of the period (UTC, inclusive).")
@_required_date("--until", "Last day of the period (UTC, inclusive).")
@repo_only_option
@_ref_option
@click.option("--format", "output_format", type=click.Choice(audit.FORMATS), default="markdown", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report to this file instead of printing it.",
)
def audit_command(since: date, until: date, repo: str, ref: str | None, output_format: str, output: str | None) -> None:
    """Every catalog change in a period: proposer, approvers per rule, check verdict, exceptions."""
    if until < since:
        raise UsageError(f"--until {until} is before --since {since}", hint="Swap the two dates.")
    with progress_bar("Checking each change") as progress:
        git = Git(repo)
        report = audit.build(git, since, until, _branch(git, repo, ref), progress)
    text = audit.render(report, output_format)
    _warn_backwards(report.dates_backwards)
    if output:
        atomic.replace(os.path.abspath(output), text)
        click.echo(f"Wrote {count(len(report.events), 'event')} to {output}")
    else:
        click.echo(text, nl=False)


MAX_VERDICT_BYTES = 20 * 1024 * 1024


def read_verdict(path: str) -> Any:
    """The verdict file's JSON, in any encoding JSON allows (UTF-8, UTF-16 or UTF-32, with or without a
    byte order mark: a verdict saved by PowerShell is UTF-16)."""
    hint = "Pass the output of `martechgate review --format json`."
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_VERDICT_BYTES + 1)
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}", hint=hint) from None
    if len(raw) > MAX_VERDICT_BYTES:
        raise UsageError(f"{path} is over {MAX_VERDICT_BYTES:,} bytes; a verdict is a few kilobytes", hint=hint)
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not text in UTF-8, UTF-16 or UTF-32", hint=hint) from None
    except ValueError as error:
        raise UsageError(f"{path} is not JSON ({error})", hint=hint) from None


@click.command(name="record")
@repo_only_option
@click.option(
    "--commit",
    "commit_rev",
    default="HEAD",
    show_default=True,
    help="The merge commit (on main) to record the approval of.",
)
@click.option(
    "--verdict",
    "verdict_file",
    type=click.Path(dir_okay=False, exists=True),
    required=True,
    help="The JSON printed by `martechgate review --format json` for the pull request.",
)
@click.option("--pr", "pr_number", type=int, help="The pull request number (default: read from the commit message).")
@click.option(
    "--signing-key",
    type=click.Path(dir_okay=False),
    help=f"CI's private SSH key that signs the record (default: ${signing.KEY_FILE_ENV}, or the key's text "
    f"in ${signing.KEY_ENV}).",
)
@click.option(
    "--signer",
    default=signing.DEFAULT_PRINCIPAL,
    show_default=True,
    envvar="MARTECHGATE_SIGNER",
    help=f"The key's principal in {signing.ALLOWED_SIGNERS}.",
)
@click.option("--push/--no-push", default=False, help="Push the record to the remote (in CI: yes).")
@click.option("--remote", default="origin", show_default=True)
def record_command(
    repo: str,
    commit_rev: str,
    verdict_file: str,
    pr_number: int | None,
    signing_key: str | None,
    signer: str,
    push: bool,
    remote: str,
) -> None:
    """Write the signed approval record of a merged change as a git note (refs/notes/martechgate), and push it."""
    verdict = read_verdict(verdict_file)
    git = Git(repo)
    with signing.private_key(signing_key, os.environ) as key_path:
        key = records.SigningKey(key_path, signer)

        def make() -> records.Record:
            return records.write(git, commit_rev, verdict, key, pr_number=pr_number, version=__version__)

        if push:
            written, attempts = records.publish(git, remote, make)
        else:
            written, attempts = make(), 0
    click.echo(
        f"Recorded the approval of {written.merge_commit[:12]} under {records.NOTES_REF} "
        f"(record {written.sequence}, {written.hash[:16]}…)"
    )
    if written.verdict.get("approved") is not True:
        click.secho(
            "martechgate: the review verdict says this change was NOT approved; it is recorded as "
            "such, and `martechgate verify` will report it.",
            err=True,
            fg="yellow",
        )
    if push:
        tries = f" after {attempts} tries" if attempts > 1 else ""
        click.echo(f"Pushed {records.NOTES_REF} to {remote}{tries}")


@click.command(name="verify")
@repo_only_option
@_ref_option
@click.option(
    "--since",
    metavar="YYYY-MM-DD",
    callback=_parse_date,
    help="Only verify changes from this day (UTC), e.g. when martechgate was adopted.",
)
@click.option(
    "--first-record",
    metavar="SHA256",
    help=f"The hash of the chain's first record (default: the one pinned in {records.FIRST_RECORD}).",
)
@click.option(
    "--github",
    "use_github",
    is_flag=True,
    help="Also re-read each recorded pull request's reviews from GitHub and compare them with the record "
    "(GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_API_URL).",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify_command(
    repo: str, ref: str | None, since: date | None, first_record: str | None, use_github: bool, output_format: str
) -> None:
    """Find governance changes that went around the process: no valid (signed, bound, chained) approval
    record, approvals that do not satisfy the rules in force, or history rewritten since a record. Exit 1
    on any."""
    github = records.GitHubReviews.from_environment(os.environ) if use_github else None
    with progress_bar("Verifying") as progress:
        git = Git(repo)
        result = records.verify(git, _branch(git, repo, ref), since, progress, first_record=first_record, github=github)
    if output_format == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(result.render(), nl=False)
    raise SystemExit(EXIT_OK if not result.problems else EXIT_BLOCKED)
