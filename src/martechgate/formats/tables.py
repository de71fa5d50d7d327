"""Tabular reports in the formats people and tools read: an aligned table for a terminal, CSV, JSON
and Markdown. Every report command (inventory, audit, spend, renewals, overlap, discover) renders
through here, so a column means the same in every format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from martechgate.words import count

FORMATS = ("table", "csv", "json", "markdown")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    align: str = "left"  # "right" for numbers


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
    return str(value)


def _plain(value: Any) -> str:
    """CSV cells: no thousands separators, so spreadsheets read numbers as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(_plain(item) for item in value)
    return str(value)


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


def render_table(table: Table) -> str:
    titles = [column.title for column in table.columns]
    body = [[cell(row.get(column.key)) for column in table.columns] for row in table.rows]
    widths = [max([len(title), *(len(r[i]) for r in body)]) for i, title in enumerate(titles)]

    def line(values: list[str]) -> str:
        parts = [
            value.rjust(width) if column.align == "right" else value.ljust(width)
            for value, width, column in zip(values, widths, table.columns, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = []
    if table.title:
        out.append(table.title)
    for key, value in (table.meta or {}).items():
        out.append(f"{key}: {cell(value)}")
    out.append(line(titles))
    out.append("  ".join("-" * width for width in widths))
    out.extend(line(values) for values in body)
    out.append(f"({count(len(table.rows), 'row')})")
    return "\n".join(out) + "\n"


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
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def render_markdown(table: Table) -> str:
    out = []
    if table.title:
        out.append(f"### {_md_escape(table.title)}\n")
    for key, value in (table.meta or {}).items():
        out.append(f"- **{_md_escape(key)}**: {_md_escape(cell(value))}")
    if table.meta:
        out.append("")
    out.append("| " + " | ".join(_md_escape(c.title) for c in table.columns) + " |")
    out.append("| " + " | ".join("---:" if c.align == "right" else "---" for c in table.columns) + " |")
    for row in table.rows:
        out.append("| " + " | ".join(_md_escape(cell(row.get(c.key))) for c in table.columns) + " |")
    return "\n".join(out) + "\n"


RENDERERS: dict[str, Callable[[Table], str]] = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
    "markdown": render_markdown,
}


def render(table: Table, fmt: str) -> str:
    return RENDERERS[fmt](table)
