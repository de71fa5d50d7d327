"""site: the catalog as a static website, for everyone who is not reading YAML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from martechgate.check import engine
from martechgate.cli.check import _open_repo
from martechgate.cli.options import repo_option, today_option
from martechgate.site import ProposeTarget, build_site
from martechgate.words import count


@click.command()
@click.argument("out", type=click.Path(file_okay=False))
@repo_option
@today_option
@click.option(
    "--github-repo",
    metavar="OWNER/NAME",
    envvar="GITHUB_REPOSITORY",
    help='The governance repository on GitHub: the "Propose a tool" page opens GitHub\'s new-file page '
    "there with the entry filled in (default: GITHUB_REPOSITORY, as GitHub Actions sets it; without it the "
    "page offers download and copy).",
)
@click.option("--branch", default="main", show_default=True, help='The branch the "Propose a tool" page proposes into.')
def site(out: str, repo: str, today: date | None, github_repo: str | None, branch: str) -> None:
    """Write a static website of the catalog in REPO (default: here) into the folder OUT.

    An index to search and filter, a page per tool (facts, findings, exceptions, integrations,
    history), renewals, spend by category, the data flows, and a "Propose a tool" form (the
    questions of `martechgate new`, answered in the browser). Plain files that work offline and
    without JavaScript; publish OUT as it is (GitHub Pages, any web server).

    OUT must be new, empty, or a site martechgate built before: other files in it are kept. Findings are
    shown on the site, not turned into an exit code: the command exits 0 once the site is written.
    """
    catalog = engine.load_catalog(_open_repo(repo), today=today)
    built = build_site(catalog, repo, out, ProposeTarget(github_repo or None, branch))
    click.echo(
        f"Wrote the site of {count(built.tools, 'tool')} ({count(built.findings, 'finding')} shown) into {out}: "
        f"{count(len(built.files), 'file')}."
    )
    click.echo(f"Open {Path(out) / 'index.html'} in a browser, or publish the folder as it is.")
