"""Options shared by several commands, each one decorator."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


def repo_argument(function: F) -> F:
    return click.argument("repo", default=".", type=click.Path(file_okay=False))(function)


def today_option(function: F) -> F:
    return click.option(
        "--today",
        metavar="YYYY-MM-DD",
        callback=_parse_date,
        help="Judge dates as of this day instead of today (to reproduce a past verdict).",
    )(function)


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
