"""review: whether a change has the joint approval its review rules require."""

from __future__ import annotations

import os

import click

from martechgate.cli.options import color_option, repo_option, use_color
from martechgate.errors import EXIT_BLOCKED, EXIT_OK, UsageError
from martechgate.formats.review import REVIEW_FORMATS
from martechgate.gate import review_input as pullreview
from martechgate.sources.github import ActionsContext


@click.command()
@repo_option
@click.option(
    "--base",
    metavar="REF",
    help="The branch the change goes into; its martechgate.yaml as it is now (the branch's tip) "
    "gives the rules. Required offline; with --github, the pull request's base branch.",
)
@click.option(
    "--head", metavar="REF", help="The change's commit (default: HEAD offline, the pull request's head with --github)."
)
@click.option(
    "--reviews",
    "reviews_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help='The JSON list GitHub\'s "list reviews for a pull request" returns (offline).',
)
@click.option("--author", metavar="LOGIN", help="The pull request's author, who never counts (offline).")
@click.option(
    "--github",
    "use_github",
    is_flag=True,
    help="Read the pull request from the GitHub Actions event, fetch its reviews and teams, "
    "and set the martechgate/review commit status.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(REVIEW_FORMATS)),
    default="text",
    show_default=True,
    help="How to print the verdict.",
)
@color_option
def review(
    repo: str,
    base: str | None,
    head: str | None,
    reviews_file: str | None,
    author: str | None,
    use_github: bool,
    output_format: str,
    color: bool | None,
) -> None:
    """Check that the change from BASE to HEAD in REPO (default: here) has the approvals it needs.

    Each review rule the change triggers, who approved it, and who can still approve it.
    Exit 0 when every rule is satisfied, 1 when one is not, 2 when it cannot be decided.
    """
    offline = "martechgate review --base main --reviews reviews.json --author LOGIN"
    if use_github and reviews_file is None and author is None:
        verdict = pullreview.review_on_github(repo, ActionsContext.from_environment(os.environ), base=base, head=head)
    elif use_github:
        raise UsageError("--github reads the reviews and the author from GitHub; leave out --reviews and --author")
    elif reviews_file is not None and base is not None and author is not None:
        verdict = pullreview.review_offline(repo, base, head, reviews_file, author)
    elif reviews_file is not None:
        raise UsageError("--reviews needs --base REF and --author LOGIN", hint=offline)
    else:
        raise UsageError("give either --github or --reviews FILE --author LOGIN", hint=f"Offline: {offline}")
    color_wanted = use_color(color) and output_format == "text"
    click.echo(REVIEW_FORMATS[output_format](verdict, color_wanted), nl=False)
    raise SystemExit(EXIT_OK if verdict.approved else EXIT_BLOCKED)
