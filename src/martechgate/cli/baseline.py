"""baseline: record today's findings in baseline.yaml, so an adopting repository starts green."""

from __future__ import annotations

import os
from datetime import date, timedelta

import click

from martechgate import atomic
from martechgate.check import baseline as known
from martechgate.check import engine
from martechgate.cli.check import _open_repo
from martechgate.cli.options import _parse_date, today_option
from martechgate.errors import EXIT_OK, RepoError, UsageError
from martechgate.words import count


@click.command(name="baseline")
@click.option(
    "--repo",
    default=".",
    type=click.Path(file_okay=False),
    show_default=True,
    help="The governance repo whose findings to record.",
)
@click.option(
    "--due",
    metavar="YYYY-MM-DD",
    callback=_parse_date,
    help=f"When newly recorded findings must be fixed (default: {known.DEFAULT_DAYS} days from today).",
)
@click.option(
    "--owner",
    metavar="EMAIL",
    help="Who fixes newly recorded findings (default: each entry's business owner).",
)
@today_option
def baseline(repo: str, due: date | None, owner: str | None, today: date | None) -> None:
    """Record today's blocking findings in REPO's baseline.yaml, each with a due date and an owner.

    `check` then reports them as known, not blocking, until they are due or the value they point at
    changes; anything new blocks. Findings already recorded keep their due date and owner (re-running
    never postpones one); fixed ones are dropped. Edits to baseline.yaml need the governance reviewers.
    """
    day = today or date.today()
    due_day = due or day + timedelta(days=known.DEFAULT_DAYS)
    if due_day < day:
        raise click.BadParameter(f"{due_day} is before today ({day}); name a day to come", param_hint="--due")
    source = _open_repo(repo)
    previous = known.load(source)  # a malformed file stops here: never overwritten, never lost
    result = engine.check(source, today=day)
    update = known.update(previous, result.report.findings, result.catalog.entries, due_day, owner)
    text = known.render(update.baseline)
    if len(text.encode("utf-8")) > known.MAX_BYTES:
        raise UsageError(
            f"{count(len(update.baseline.items), 'finding')} make a {known.BASELINE_FILE} of "
            f"{len(text.encode('utf-8')):,} bytes, over the {known.MAX_BYTES:,} check reads; nothing was written",
            hint="Fix the most common finding first (`martechgate check --format json` names each one's rule), "
            "then baseline the rest.",
        )
    target = os.path.join(repo, known.BASELINE_FILE)
    before = source.read(known.BASELINE_FILE).data if source.exists(known.BASELINE_FILE) else None
    if before is None and not update.baseline.items:
        click.echo(f"nothing blocks: no {known.BASELINE_FILE} needed, none written.")
        raise SystemExit(EXIT_OK)
    if before == text.encode("utf-8"):
        click.echo(f"{known.BASELINE_FILE} is up to date: {count(update.kept, 'finding')} known.")
        raise SystemExit(EXIT_OK)
    try:
        atomic.replace(target, text)
    except OSError as error:
        raise RepoError(
            f"could not write {target}: {error.strerror}", hint="Make the repository's folder writable."
        ) from error
    click.echo(
        f"wrote {known.BASELINE_FILE}: {update.added} added (due {due_day}), {update.kept} kept, "
        f"{update.changed} with a changed value (due date kept), {update.removed} fixed and dropped."
    )
    click.echo("Commit it in a pull request: the governance reviewers must approve it.")
    raise SystemExit(EXIT_OK)
