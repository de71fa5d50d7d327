"""Tabular reports in the formats people and tools read: an aligned table for a terminal, CSV, JSON
and Markdown. Every report command (inventory, audit, spend, renewals, overlap, discover) renders
through here, so a column means the same in every format.

The terminal table is drawn by rich to a given width: long text wraps inside its column, and when
even the narrowest layout would not fit, the columns that matter least (a column's `drop` rank)
give way, named under the table so nobody thinks them empty. CSV, JSON and Markdown keep every column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, JustifyMethod
from rich.table import Table as RichTable
from rich.text import Text

from martechgate.formats.controls import json_text, visible
from martechgate.formats.markup import escape
from martechgate.words import count

FORMATS = ("table", "csv", "json", "markdown")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    align: str = "left"  # "right" for numbers
    # On a terminal too narrow for every column, columns give way highest rank first (ties: the
    # rightmost first); 0 never does.
    drop: int = 0


# A rule of dashes under the titles, and nothing else: plain ASCII, as the table looked before rich.
_RULE_UNDER_TITLES = box.Box("    \n    \n -  \n    \n    \n    \n    \n    \n")
DEFAULT_WIDTH = 80  # what a table is drawn to when nothing says otherwise (not a terminal)
_GAP = 2  # spaces between two columns


@dataclass(frozen=True)
class Table:
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]]
    title: str | None = None
    meta: dict[str, Any] | None = None  # e.g. the commit an inventory was read from; shown and exported


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(cell(item) for item in value)
    return visible(value)  # a line break or an escape sequence would redraw the table or start a CI command


def _plain(value: Any) -> str:
    """CSV cells: no thousands separators, so spreadsheets read numbers as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(_plain(item) for item in value)
    return visible(value)  # quoted, a line break is still a line of a CI log: `::error::` would be a command


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection); catalog text is
    # written by many people, so such cells are prefixed with a quote.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _narrowest(title: str, values: list[str]) -> int:
    """The least width a column can take without breaking a word (rich wraps at spaces)."""
    words = [word for text in (title, *values) for word in text.split()]
    return max((len(word) for word in words), default=1)


def _least_widths(table: Table, body: list[list[str]]) -> list[int]:
    return [_narrowest(column.title, [row[i] for row in body]) for i, column in enumerate(table.columns)]


def _fitting(table: Table, body: list[list[str]], width: int) -> list[int]:
    """The indexes of the columns to show at `width`: all that fit, the least valuable left out first."""
    shown = list(range(len(table.columns)))
    least = _least_widths(table, body)

    def needed() -> int:
        return sum(least[i] for i in shown) + _GAP * (len(shown) - 1)

    while needed() > width:
        droppable = [i for i in shown if table.columns[i].drop > 0]
        if not droppable:
            break  # rich folds what is still too wide rather than overflow the width
        shown.remove(max(droppable, key=lambda i: (table.columns[i].drop, i)))
    return shown


def _widths(table: Table, body: list[list[str]], shown: list[int], width: int) -> list[int]:
    """Each shown column's width: its longest text when all fit, else the widest narrowed first, one
    character at a time, never below its longest word (unless nothing else is left to narrow).

    rich's own sharing narrows every column in proportion, breaking dates and ids that would have
    fitted; so the widths are worked out here and rich draws them."""
    least = _least_widths(table, body)
    sizes = {
        i: max(
            len(line) for text in (table.columns[i].title, *(r[i] for r in body)) for line in text.splitlines() or [""]
        )
        for i in shown
    }
    excess = sum(sizes.values()) + _GAP * (len(shown) - 1) - width
    while excess > 0:
        slack = [i for i in shown if sizes[i] > least[i]] or [i for i in shown if sizes[i] > 1]
        if not slack:
            break
        widest = max(slack, key=lambda i: (sizes[i], i))
        sizes[widest] -= 1
        excess -= 1
    return [sizes[i] for i in shown]


def render_table(table: Table, width: int = DEFAULT_WIDTH, color: bool = False) -> str:
    """An aligned table no line of which is wider than `width`; bold titles when `color`."""
    body = [[cell(row.get(column.key)) for column in table.columns] for row in table.rows]
    shown = _fitting(table, body, width)
    grid = RichTable(
        box=_RULE_UNDER_TITLES,
        show_edge=False,
        pad_edge=False,
        padding=(0, 0, 0, _GAP - 1),  # the box's divider is the gap's other space
        header_style="bold" if color else "",
    )
    for i, size in zip(shown, _widths(table, body, shown, width), strict=True):
        column = table.columns[i]
        justify: JustifyMethod = "right" if column.align == "right" else "left"
        grid.add_column(column.title, justify=justify, overflow="fold", width=size)
    for values in body:
        grid.add_row(*(Text(values[i]) for i in shown))  # Text: catalog text is never read as markup
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False, emoji=False)

    def say(text: str) -> None:
        console.print(Text(text), overflow="fold")

    if table.title:
        say(visible(table.title))
    for key, value in (table.meta or {}).items():
        say(f"{visible(key)}: {cell(value)}")
    console.print(grid)
    left_out = [table.columns[i].title for i in range(len(table.columns)) if i not in shown]
    if left_out:
        say(f"Not shown at {width} columns: {', '.join(left_out)} (a wider terminal, or --format csv, shows them).")
    say(f"({count(len(table.rows), 'row')})")
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def render_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.key for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_safe(_plain(row.get(column.key))) for column in table.columns])
    return buffer.getvalue()


def render_json(table: Table) -> str:
    document: dict[str, Any] = {}
    if table.meta:
        document["meta"] = table.meta
    document["rows"] = [{column.key: row.get(column.key) for column in table.columns} for row in table.rows]
    return json_text(document, indent=2, default=str) + "\n"


def render_markdown(table: Table) -> str:
    out = []
    if table.title:
        out.append(f"### {escape(table.title)}\n")
    for key, value in (table.meta or {}).items():
        out.append(f"- **{escape(key)}**: {escape(cell(value))}")
    if table.meta:
        out.append("")
    out.append("| " + " | ".join(escape(c.title) for c in table.columns) + " |")
    out.append("| " + " | ".join("---:" if c.align == "right" else "---" for c in table.columns) + " |")
    for row in table.rows:
        out.append("| " + " | ".join(escape(cell(row.get(c.key))) for c in table.columns) + " |")
    return "\n".join(out) + "\n"


RENDERERS: dict[str, Callable[[Table], str]] = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
    "markdown": render_markdown,
}


def render(table: Table, fmt: str, width: int = DEFAULT_WIDTH, color: bool = False) -> str:
    """The table in a format; `width` and `color` concern only the terminal table."""
    if fmt == "table":
        return render_table(table, width, color)
    return RENDERERS[fmt](table)
