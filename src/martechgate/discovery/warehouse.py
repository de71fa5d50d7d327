"""Usage at warehouse scale: a sign-in log aggregated by one SQL query per source, on DuckDB here or
in the warehouse where the log already lives, into the small usage table `discover --usage` reads.

A year of sign-ins at a large company is hundreds of millions of events; reading them one by one in
Python takes hours. The queries in `sql/` (one per source, documented in docs/discovery.md) fold them
into one row per app and user, which is all discovery needs: `aggregate` runs a query with DuckDB
(embedded) over export files (JSON arrays or NDJSON, gzip, many files or a glob), and `read_usage`
reads the resulting table (CSV, Parquet or JSON) back as usage rows, checked as every reader checks
its rows. The row-by-row readers stay the reference: they name each malformed record.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from martechgate.check.names import slug
from martechgate.discovery.usage import (
    RowProblem,
    UsageRow,
    clean_name,
    clean_user,
    describe_bad_name,
    parse_time,
)
from martechgate.errors import UsageError

KIND = "usage"
TITLE = "a usage table (CSV, Parquet or JSON) made by one of martechgate's SQL queries"
COLUMNS = (
    "source",
    "app",
    "app_id",
    "user_name",
    "department",
    "first_seen",
    "last_seen",
    "events",
    "spend",
    "currency",
    "scopes",
)
REQUIRED = ("app", "user_name", "first_seen", "last_seen", "events")
SOURCES = ("okta", "entra", "google")
# The fields each query reads, typed, so that a file that leaves some out (Okta's abridged examples
# have no displayName) still binds: a missing field is NULL, an extra one is ignored.
_FIELDS = {
    "okta": {
        "published": "VARCHAR",
        "eventType": "VARCHAR",
        "outcome": "STRUCT(result VARCHAR)",
        "actor": "STRUCT(alternateId VARCHAR)",
        "target": "STRUCT(id VARCHAR, type VARCHAR, alternateId VARCHAR, displayName VARCHAR)[]",
    },
    "entra": {
        "createdDateTime": "VARCHAR",
        "userPrincipalName": "VARCHAR",
        "appId": "VARCHAR",
        "appDisplayName": "VARCHAR",
        "status": "STRUCT(errorCode BIGINT)",
    },
    "google": {
        "id": 'STRUCT("time" VARCHAR)',
        "actor": "STRUCT(email VARCHAR)",
        "events": "STRUCT(name VARCHAR, parameters STRUCT(name VARCHAR, value VARCHAR, multiValue VARCHAR[])[])[]",
    },
}
# Graph and Reports API responses wrap the records in a list under this key; a raw export is a list
# or NDJSON.
_WRAPPED = {"entra": "value", "google": "items"}


def query(kind: str) -> str:
    """The documented SQL of a source (reads a table `events`, yields the usage table)."""
    if kind not in SOURCES:
        raise UsageError(f"there is no SQL for {kind!r}", hint=f"Sources with SQL: {', '.join(SOURCES)}.")
    return (resources.files("martechgate.discovery") / "sql" / f"{kind}.sql").read_text(encoding="utf-8")


def _connect() -> Any:
    import duckdb  # imported here: only discovery at scale pays for the engine

    connection = duckdb.connect(":memory:")
    # Times leave DuckDB as UTC text (parsed by usage.parse_time), whatever the machine's zone, and
    # without the Python time-zone packages older DuckDB releases need to hand over a datetime.
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def _as_text(columns: Sequence[str], relation: str) -> str:
    return "SELECT " + ", ".join(f'CAST("{column}" AS VARCHAR)' for column in columns) + f" FROM ({relation})"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _events(kind: str, files: str) -> str:
    """The SQL of the `events` view over export files: one row per record, whether the files are
    lists, NDJSON or API responses holding the records under `value` (Entra's Graph) or `items`
    (Google's Reports API), or a mix."""
    fields = _FIELDS[kind]
    names = ", ".join(f'"{name}"' for name in fields)
    wrapper = _WRAPPED.get(kind)
    if wrapper is None:
        columns = ", ".join(f"{name}: {_quoted(kind_)}" for name, kind_ in fields.items())
        return f"SELECT {names} FROM read_json({files}, columns = {{{columns}}}, format = 'auto')"
    record = "STRUCT(" + ", ".join(f'"{name}" {kind_}' for name, kind_ in fields.items()) + ")[]"
    columns = ", ".join(f"{name}: {_quoted(kind_)}" for name, kind_ in {**fields, wrapper: record}.items())
    return (
        f"WITH raw AS (SELECT * FROM read_json({files}, columns = {{{columns}}}, format = 'auto')) "
        f"SELECT unnest({wrapper}, max_depth := 2) FROM raw WHERE {wrapper} IS NOT NULL "
        f"UNION ALL SELECT {names} FROM raw WHERE {wrapper} IS NULL"
    )


def aggregate(kind: str, paths: Sequence[str]) -> list[tuple[Any, ...]]:
    """Run `kind`'s query with DuckDB over export files (each a path or a glob; gzip is read as is):
    the usage table's rows, in COLUMNS order."""
    import duckdb

    sql = query(kind)
    files = "[" + ", ".join(_quoted(path) for path in paths) + "]"
    connection = _connect()
    try:
        connection.execute(f"CREATE VIEW events AS {_events(kind, files)}")
        return list(connection.execute(_as_text(COLUMNS, sql)).fetchall())
    except duckdb.Error as error:
        raise UsageError(
            f"DuckDB could not read {', '.join(paths)} as {kind} events: {_first_line(error)}",
            hint="Give the export as the source writes it: a JSON array, NDJSON (gzip is fine), or an API response.",
        ) from None
    finally:
        connection.close()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


_READERS = {
    ".csv": "read_csv",
    ".tsv": "read_csv",
    ".parquet": "read_parquet",
    ".json": "read_json",
    ".ndjson": "read_json",
}


def _reader(path: str) -> str:
    name = path.lower().removesuffix(".gz")
    for suffix, function in _READERS.items():
        if name.endswith(suffix):
            return function
    raise UsageError(
        f"{path}: a usage table is read by its suffix, and this one has none of {', '.join(_READERS)}",
        hint="Save the query's result as CSV, Parquet or JSON, named so.",
    )


def read_usage(path: str) -> Iterator[UsageRow | RowProblem]:
    """A usage table's rows as usage rows (a row that cannot be one is a problem naming its row)."""
    import duckdb

    if not os.path.isfile(path):
        raise UsageError(f"{path} does not exist", hint="Name the file the SQL query's result was saved to.")
    connection = _connect()
    try:
        relation = connection.sql(f"SELECT * FROM {_reader(path)}({_quoted(path)})")
        present = [column.lower() for column in relation.columns]
        missing = [column for column in REQUIRED if column not in present]
        if missing:
            raise UsageError(
                f"{path} is not a usage table: it has no column {', '.join(missing)}",
                hint=f"A usage table has the columns {', '.join(COLUMNS)} (docs/discovery.md).",
            )
        picked = ", ".join(
            f'CAST("{relation.columns[present.index(column)]}" AS VARCHAR)' if column in present else "NULL"
            for column in COLUMNS
        )
        rows = connection.sql(f"SELECT {picked} FROM {_reader(path)}({_quoted(path)})").fetchall()
    except duckdb.Error as error:
        raise UsageError(
            f"{path} cannot be read as a usage table: {_first_line(error)}",
            hint="Save the SQL query's result as CSV (with a header), Parquet or JSON.",
        ) from None
    finally:
        connection.close()
    for number, row in enumerate(rows, 2 if _reader(path) == "read_csv" else 1):
        yield _usage_row(path, f"row {number}", dict(zip(COLUMNS, row, strict=True)))


def aggregated(kind: str, path: str) -> Iterator[UsageRow | RowProblem]:
    """An export aggregated by `kind`'s query on DuckDB, as usage rows: the fast way through a big log.
    A record the query cannot use is left out by the query, not named; the row-by-row reader names it."""
    for number, row in enumerate(aggregate(kind, [path]), 1):
        yield _usage_row(path, f"aggregate row {number}", dict(zip(COLUMNS, row, strict=True)))


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_time(str(value).replace(" ", "T", 1)) if value is not None else None


def _usage_row(path: str, where: str, row: dict[str, Any]) -> UsageRow | RowProblem:
    source = str(row["source"] or "").strip().lower() or KIND
    name = clean_name(row["app"])
    if name is None:
        return RowProblem(path, where, describe_bad_name(row["app"], "app"))
    user = clean_user(row["user_name"])
    if user is None:
        return RowProblem(path, where, describe_bad_name(row["user_name"], "user_name"))
    first, last = _moment(row["first_seen"]), _moment(row["last_seen"])
    if first is None or last is None or last < first:
        return RowProblem(
            path, where, "first_seen and last_seen must be ISO 8601 times, first_seen not after last_seen"
        )
    try:
        events = int(row["events"])
    except (TypeError, ValueError):
        events = -1
    if events < 1:
        return RowProblem(path, where, f"events must be a whole number of at least 1, not {row['events']!s:.40}")
    try:
        spend = Decimal(str(row["spend"])) if row["spend"] not in (None, "") else None
    except InvalidOperation:
        return RowProblem(path, where, f"spend is not a number: {row['spend']!s:.40}")
    app_id = row["app_id"]
    scopes = row["scopes"]
    return UsageRow(
        source,
        slug(name),
        name,
        user,
        first,
        app_ids=(str(app_id),) if app_id not in (None, "") else (),
        department=clean_name(row["department"]),
        events=events,
        spend=spend,
        currency=str(row["currency"]).strip().upper() if row["currency"] not in (None, "") else None,
        scopes=tuple(str(scopes).split()) if scopes not in (None, "") else (),
        last_seen=last,
    )
