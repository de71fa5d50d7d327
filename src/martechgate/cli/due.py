"""due: what needs someone soon (reviews, evidence, exceptions, cancellation deadlines, renewals,
proposals left waiting), each with its owners.

Exit codes: 0 once listed (a reminder is not a failed check: `check` blocks on overdue reviews and
expired evidence where the policies say so); 2 when it cannot run.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from martechgate.check import baseline, engine
from martechgate.check.organisation import load_organization
from martechgate.cli.options import repo_option, terminal_width, today_option, use_color
from martechgate.errors import RepoError
from martechgate.formats import tables
from martechgate.formats.controls import json_text
from martechgate.reminders import due as due_report
from martechgate.reminders import notify
from martechgate.sources.github import RepositoryContext, post_webhook
from martechgate.sources.repo import CATALOG_DIR, WorkTree
from martechgate.words import count

FORMATS = ("table", "csv", "json", "markdown")


def render(report: due_report.DueReport, output_format: str, source: str) -> str:
    if output_format == "json":
        document = {
            "today": report.today.isoformat(),
            "until": report.until.isoformat(),
            "notes": report.notes,
            "items": [item.as_dict() for item in report.items],
        }
        return json_text(document, indent=2) + "\n"
    table = due_report.due_table(report, source)
    if output_format == "csv":  # CSV has no place for notes: they go to standard error
        for note in report.notes:
            click.echo(f"martechgate: note: {note}", err=True)
        return tables.render_csv(table)
    if output_format == "markdown":
        return tables.render_markdown(table)
    return tables.render_table(table, terminal_width(), use_color(None))


@click.command()
@repo_option
@click.option(
    "--within",
    default="30d",
    show_default=True,
    metavar="WINDOW",
    help="List what falls due from today to the end of this window (30d, 8w, 6m, 1y); overdue items always.",
)
@click.option(
    "--proposals-after",
    "proposal_days",
    type=click.IntRange(min=0),
    default=due_report.DEFAULT_PROPOSAL_DAYS,
    show_default=True,
    metavar="DAYS",
    help="List a proposed tool once it has waited longer than this many days since first committed.",
)
@today_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="A table for people, csv, json or markdown for tools.",
)
@click.option(
    "--github",
    "use_github",
    is_flag=True,
    help="Keep one open issue per item in GITHUB_REPOSITORY (labelled martechgate-due): opened, "
    "updated, closed once resolved; assigned to owners written as GitHub handles.",
)
@click.option("--webhook", metavar="URL", help="Post one digest to a Slack or Microsoft Teams incoming webhook.")
@click.option(
    "--webhook-kind",
    type=click.Choice(notify.WEBHOOK_KINDS),
    help="The webhook's kind, when its host does not tell (hooks.slack.com, *.webhook.office.com, ...).",
)
def due(
    repo: str,
    within: str,
    proposal_days: int,
    today: date | None,
    output_format: str,
    use_github: bool,
    webhook: str | None,
    webhook_kind: str | None,
) -> None:
    """What needs someone soon in REPO (default: here), overdue first, each with its owners.

    Reviews due (review.next_review), evidence expiring (security.evidence[].expires), exceptions
    expiring, known findings of baseline.yaml coming due, cancellation deadlines (contract.renewal minus
    notice_days) and renewals, and proposals waiting longer than --proposals-after days (from git history).
    """
    kind = notify.webhook_kind(webhook, webhook_kind) if webhook else None
    context = RepositoryContext.from_environment(os.environ, "--github") if use_github else None
    day = today or date.today()
    until = due_report.within(within, day)
    source = WorkTree(Path(repo))
    load_organization(source)  # a missing or broken organisation file is the clearer message
    if not source.exists(CATALOG_DIR):
        raise RepoError(
            f"there is no {CATALOG_DIR}/ folder in {repo}",
            hint="Run inside a governance repo, or name it; `martechgate init DIR` starts one.",
        )
    catalog = engine.load_catalog(source, today=day)
    report = due_report.collect(
        catalog,
        day,
        until,
        added=due_report.first_added(Path(repo)),
        proposal_days=proposal_days,
        baseline=baseline.load(source),
    )
    click.echo(render(report, output_format, source.label), nl=False)
    if context is not None:
        # A weekly job can wait out a short rate limit rather than miss a week.
        result = notify.sync_issues(
            context.client(max_retry_wait=60), context.repository, report, catalog.organization.group_logins()
        )
        click.echo(
            f"martechgate: issues in {context.repository}: {len(result.created)} opened, "
            f"{len(result.updated)} updated, {len(result.closed)} closed, {len(result.unchanged)} unchanged",
            err=True,
        )
    if webhook and kind:
        post_webhook(webhook, notify.digest(report, kind, catalog.organization.name))
        click.echo(
            f"martechgate: posted the digest ({count(len(report.items), 'item')}) to the {kind} webhook", err=True
        )
