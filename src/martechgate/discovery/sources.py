"""The export formats discovery reads: kind -> reader, explicitly (`--source KIND=FILE`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from martechgate.discovery import entra, expenses, google, okta, warehouse
from martechgate.discovery.expenses import CsvOptions
from martechgate.discovery.usage import Notice, RowProblem, Skipped, UsageRow
from martechgate.errors import UsageError

Item = UsageRow | Skipped | RowProblem | Notice
Reader = Callable[[str, CsvOptions], Iterator[Item]]

READERS: dict[str, Reader] = {
    okta.KIND: lambda path, _options: okta.read(path),
    entra.KIND: lambda path, _options: entra.read(path),
    google.KIND: lambda path, _options: google.read(path),
    expenses.KIND: expenses.read,
    warehouse.KIND: lambda path, _options: warehouse.read_usage(path),
}


# The same exports aggregated by their SQL on DuckDB (`discover --engine duckdb`).
def _fast(kind: str) -> Reader:
    return lambda path, _options: warehouse.aggregated(kind, path)


FAST_READERS: dict[str, Reader] = {kind: _fast(kind) for kind in warehouse.SOURCES}
TITLES = {module.KIND: module.TITLE for module in (okta, entra, google, expenses, warehouse)}


def parse_source(text: str) -> tuple[str, str]:
    """`okta=logs.json` -> ("okta", "logs.json")."""
    kind, sep, path = text.partition("=")
    kind = kind.strip().lower()
    if not sep or not path:
        raise UsageError(f"--source {text!r} is not KIND=FILE", hint="Write e.g. --source okta=system-log.json")
    if kind not in READERS:
        raise UsageError(
            f"--source names an unknown kind {kind!r}",
            hint="Kinds: " + "; ".join(f"{k} ({TITLES[k]})" for k in READERS),
        )
    return kind, path
