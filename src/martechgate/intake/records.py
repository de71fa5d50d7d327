"""An inventory file -> its records: (where each one stands, its fields as read).

CSV and XLSX rows are keyed by the header row; JSON and YAML files hold a list of mappings, at the top
or at a dotted path (`records`). YAML is read with martechgate's own loader (YAML 1.2: `NO` stays
text, no object tags), with limits sized for an inventory rather than one entry.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from martechgate.errors import UsageError
from martechgate.intake.mapping import Mapping
from martechgate.sources.yamlload import load_bytes

MAX_INVENTORY_BYTES = 512 * 1024 * 1024
MAX_YAML_NODES = 50_000_000


class InventoryError(UsageError):
    """The inventory file cannot be read as the mapping says it is written."""


@dataclass(frozen=True)
class Record:
    where: str  # "row 5", "records[3]": how the report names it
    fields: dict[str, Any] | None  # None: the item is not a mapping of fields


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_INVENTORY_BYTES:
            raise InventoryError(f"{path} is {size:,} bytes, over the limit of {MAX_INVENTORY_BYTES:,}", file=str(path))
        return path.read_bytes()
    except OSError as error:
        raise InventoryError(f"the inventory cannot be read ({error.strerror or error})", file=str(path)) from None


def _text(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InventoryError(
            f"the inventory is not UTF-8 text (byte {error.start:,})",
            file=str(path),
            hint="Export it again as UTF-8 (in a spreadsheet: CSV UTF-8).",
        ) from None


def _plain(value: Any) -> Any:
    """A spreadsheet cell as a plain value: dates as ISO text."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def _csv(path: Path, mapping: Mapping) -> Iterator[Record]:
    reader = csv.reader(io.StringIO(_text(path, _read(path)), newline=""), delimiter=mapping.delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return
    except csv.Error as error:
        raise InventoryError(f"the header row cannot be read as CSV: {error}", file=str(path), line=1) from None
    try:
        # numbered as a spreadsheet shows them (the header is row 1), whatever line breaks cells hold
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            yield Record(f"row {number}", dict(zip(header, cells, strict=False)))
    except csv.Error as error:
        raise InventoryError(f"the file cannot be read as CSV: {error}", file=str(path), line=reader.line_num) from None


def _xlsx(path: Path, mapping: Mapping) -> Iterator[Record]:
    import zipfile

    import openpyxl  # imported here: only an XLSX import pays for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise InventoryError(
            f"the file cannot be read as an XLSX workbook ({error})",
            file=str(path),
            hint="Save it from the spreadsheet as Excel Workbook (.xlsx), or export CSV and set format: csv.",
        ) from None
    try:
        if mapping.sheet is not None and mapping.sheet not in book.sheetnames:
            raise InventoryError(
                f"the workbook has no sheet {mapping.sheet!r} (it has: {', '.join(book.sheetnames)})", file=str(path)
            )
        sheet = book[mapping.sheet] if mapping.sheet is not None else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            header = [str(cell).strip() if cell is not None else "" for cell in next(rows)]
        except StopIteration:
            return
        for number, cells in enumerate(rows, start=2):
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                continue
            values = {name: _plain(cell) for name, cell in zip(header, cells, strict=False) if name}
            yield Record(f"{sheet.title} row {number}", values)
    finally:
        book.close()


def _records_at(value: Any, dotted: str, path: Path) -> list[Any]:
    node = value
    for part in [p for p in dotted.split(".") if p]:
        if not isinstance(node, dict) or part not in node:
            raise InventoryError(
                f"the inventory has no {dotted!r} (records, in the mapping's source)",
                file=str(path),
                hint=_shape(value),
            )
        node = node[part]
    if not isinstance(node, list):
        raise InventoryError(
            f"{dotted or 'the file'} is not a list of records", file=str(path), hint="Set source.records to the list."
        )
    return node


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        return f"Its top level has: {', '.join(map(str, list(value)[:10]))}."
    return "Its top level is a list: leave records empty."


def _structured(path: Path, mapping: Mapping) -> Iterator[Record]:
    raw = _read(path)
    if mapping.format == "json":
        try:
            value = json.loads(_text(path, raw))
        except json.JSONDecodeError as error:
            raise InventoryError(
                f"the inventory is not JSON: {error.msg}", file=str(path), line=error.lineno, column=error.colno
            ) from None
    else:
        loaded = load_bytes(raw, max_bytes=MAX_INVENTORY_BYTES, max_nodes=MAX_YAML_NODES)
        if loaded.problems:
            problem = loaded.problems[0]
            raise InventoryError(problem.message, file=str(path), line=problem.line, column=problem.column)
        value = loaded.value
    name = mapping.records or "records"
    for index, item in enumerate(_records_at(value, mapping.records, path)):
        yield Record(f"{name}[{index}]", item if isinstance(item, dict) else None)


def read_records(path: Path, mapping: Mapping) -> Iterator[Record]:
    if mapping.format == "csv":
        return _csv(path, mapping)
    if mapping.format == "xlsx":
        return _xlsx(path, mapping)
    return _structured(path, mapping)


def lookup(record: dict[str, Any], column: str) -> Any:
    """A column's value: the key as written, else a dotted path into nested records, else None."""
    if column in record:
        return record[column]
    node: Any = record
    for part in column.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node
