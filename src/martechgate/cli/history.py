"""history: every change to one entry, read from git. A module of its own, apart from the audit's
commands, so that it does not import their reports and records."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import click

from martechgate.audit import history
from martechgate.audit.versions import VersionCache
from martechgate.cli.options import cache_options, repo_only_option
from martechgate.formats.controls import indented_json_text
from martechgate.sources.git import Git


@contextmanager
def progress_bar(label: str) -> Iterator[history.Progress | None]:
    """A progress bar on stderr when it is a terminal, for the slow part of a command (the core
    reports (done, total); the bar appears with the first report)."""
    if not sys.stderr.isatty():
        yield None
        return
    with ExitStack() as stack:
        bars: list[Any] = []

        def update(done: int, total: int) -> None:
            if not bars:
                bars.append(stack.enter_context(click.progressbar(length=total, label=label, file=sys.stderr)))
            bars[0].update(done - bars[0].pos)

        yield update


@click.command(name="history")
@click.argument("tool")
@repo_only_option
@click.option("--ref", default="HEAD", show_default=True, help="The branch or commit to read history from.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@cache_options("Read and parse every version afresh, ignoring those parsed by earlier runs.")
def history_command(tool: str, repo: str, ref: str, output_format: str, no_cache: bool, cache_dir: str | None) -> None:
    """Every change to catalog/TOOL.yaml, following renames: when, who, which pull request, what changed."""
    git = Git(repo)
    versions = None if no_cache else VersionCache.for_repo(repo, Path(cache_dir) if cache_dir else None)
    with progress_bar("Reading history") as progress:
        revisions = history.entry_history(git, tool, ref, progress, versions)
    if output_format == "json":
        click.echo(
            indented_json_text(
                {"schema_version": 1, "tool": tool, "ref": ref, "changes": [r.to_dict() for r in revisions]}
            )
        )
    else:
        click.echo(history.render_history(tool, revisions), nl=False)
