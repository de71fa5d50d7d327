"""Options shared by several commands, each one decorator."""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, cast

import click

F = TypeVar("F", bound=Callable[..., Any])


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


REPO_HELP = "The governance repo (default: the current folder)."
DEPRECATED_REPO_NOTE = (
    "martechgate: note: naming the repository without an option is deprecated; write --repo {repo} (or -C {repo})."
)


def pick_repo(repo: str | None, legacy: str | None) -> str:
    """The repository named by --repo, or by the deprecated positional REPO (with a note), or here."""
    if legacy is None:
        return repo or "."
    if repo is not None and Path(repo).resolve() != Path(legacy).resolve():
        raise click.UsageError(f"the repository is named twice, as --repo {repo} and as {legacy}; name it once")
    click.echo(DEPRECATED_REPO_NOTE.format(repo=legacy), err=True)
    return legacy


def repo_option(function: F) -> F:
    """`--repo DIR` / `-C DIR` (like git's -C), the one spelling of the repository in every command.

    The positional REPO of earlier releases is still read as an alias, with a deprecation note on
    stderr; the command receives `repo` either way."""

    @functools.wraps(function)
    def command(*args: Any, repo: str | None, legacy_repo: str | None, **kwargs: Any) -> Any:
        return function(*args, repo=pick_repo(repo, legacy_repo), **kwargs)

    command = click.argument("legacy_repo", required=False, metavar="", type=click.Path(file_okay=False))(command)
    return cast(F, repo_flag(None)(command))


def repo_only_option(function: F) -> F:
    """`--repo DIR` / `-C DIR` without the deprecated positional (commands that never had one)."""
    return repo_flag(".")(function)


def repo_flag(default: str | None) -> Callable[[F], F]:
    return click.option(
        "--repo", "-C", "repo", default=default, type=click.Path(file_okay=False), metavar="DIR", help=REPO_HELP
    )


def today_option(function: F) -> F:
    return click.option(
        "--today",
        metavar="YYYY-MM-DD",
        callback=_parse_date,
        help="Judge dates as of this day instead of today (to reproduce a past verdict).",
    )(function)


def cache_options(no_cache_help: str) -> Callable[[F], F]:
    """--no-cache (what it means for the command: `no_cache_help`) and --cache-dir."""

    def decorate(function: F) -> F:
        function = click.option(
            "--cache-dir",
            type=click.Path(file_okay=False),
            envvar="MARTECHGATE_CACHE_DIR",
            help="Where results of earlier runs are kept (default: ~/.cache/martechgate).",
        )(function)
        return click.option("--no-cache", is_flag=True, help=no_cache_help)(function)

    return decorate


def color_option(function: F) -> F:
    return click.option(
        "--color/--no-color",
        default=None,
        help="Colour the output (default: only on a terminal, and never with NO_COLOR).",
    )(function)


def use_color(requested: bool | None) -> bool:
    if requested is not None:
        return requested
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def terminal_width() -> int:
    """The width to draw tables to: COLUMNS when set, else the terminal's, else 80 (a pipe or a file)."""
    return shutil.get_terminal_size(fallback=(80, 24)).columns
