"""Discovery at warehouse scale: each source's SQL, run on DuckDB, gives the same per-app figures as
the row-by-row reader of the documented export shapes, whether DuckDB reads the export itself
(`--engine duckdb`) or the usage table the SQL yields is read back (`--usage FILE`)."""

from __future__ import annotations

import copy
import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from martechgate.discovery import warehouse
from martechgate.discovery.expenses import CsvOptions
from martechgate.discovery.report import table
from martechgate.discovery.run import SourceSpec, discover
from martechgate.errors import UsageError
from tests.conftest import FIXTURES, ROOT, entry


def okta_events() -> list[dict[str, Any]]:
    """Okta's documented SSO event, varied: users, apps (one named only by alternateId), times, a failed
    sign-in, another event type, and a user whose login is written in capitals."""
    sso = json.loads((FIXTURES / "okta-system-log-sso.json").read_text())[0]
    listed = json.loads((FIXTURES / "okta-system-log-list.json").read_text())
    events = list(listed)
    for number in range(40):
        event = copy.deepcopy(sso)
        event["published"] = f"2026-0{1 + number % 9}-1{number % 10}T08:{number:02d}:00.{number:03d}Z"
        event["actor"]["alternateId"] = ["Ana@Example.com", "ben@example.com", "cy@example.com"][number % 3]
        app = event["target"][0]
        if number % 4 == 0:
            app["displayName"] = "Canva"
        if number % 7 == 0:
            event["outcome"]["result"] = "FAILURE"
        if number % 11 == 0:
            event["eventType"] = "user.session.start"
        events.append(event)
    return events


def entra_response() -> dict[str, Any]:
    response = json.loads((FIXTURES / "entra-signins.json").read_text())
    template = response["value"][0]
    for number in range(30):
        signin = copy.deepcopy(template)
        signin["createdDateTime"] = f"2026-03-{1 + number % 28:02d}T10:00:{number:02d}.1234567Z"
        signin["userPrincipalName"] = ["jdoe@contoso.com", "Amy@Contoso.com"][number % 2]
        signin["appDisplayName"] = ["Azure Portal", "Canva", "Miro"][number % 3]
        signin["status"] = {"errorCode": 50126 if number % 5 == 0 else 0}
        response["value"].append(signin)
    return response


def google_response() -> dict[str, Any]:
    """Google's documented token activity, varied: users, apps (one known only by its client id),
    grants with scopes as a list or as one space-separated value, and revocations (not usage)."""
    response = json.loads((FIXTURES / "google-token-activity.json").read_text())
    template = response["items"][0]
    for number in range(30):
        item = copy.deepcopy(template)
        item["id"]["time"] = f"2026-04-{1 + number % 28:02d}T09:30:{number:02d}.{number:03d}Z"
        item["actor"]["email"] = ["Ana@Example.com", "ben@example.com"][number % 2]
        event = item["events"][0]
        parameters = [p for p in event["parameters"] if p["name"] not in ("app_name", "client_id")]
        app = ["Canva", "Miro", ""][number % 3]
        parameters.append({"name": "client_id", "value": f"{number % 3}.apps.googleusercontent.com"})
        if app:
            parameters.append({"name": "app_name", "value": app})
        if number % 4 == 1:
            event["name"] = "authorize"
            parameters.append({"name": "scope", "multiValue": ["https://mail.google.com/", "openid"]})
        if number % 4 == 3:
            event["name"] = "authorize"
            parameters.append({"name": "scope", "value": "https://www.googleapis.com/auth/drive email"})
        if number % 5 == 0:
            event["name"] = "revoke"
        event["parameters"] = parameters
        response["items"].append(item)
    return response


def catalog() -> list[dict[str, Any]]:
    return [entry("canva", name="Canva", status="approved")]


def rows(specs: list[SourceSpec]) -> list[dict[str, Any]]:
    result = discover(specs, catalog(), CsvOptions())
    return table(result, True).rows


def usage_table(kind: str, paths: list[str], out: Path) -> Path:
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(warehouse.COLUMNS)
        writer.writerows(warehouse.aggregate(kind, paths))
    return out


@pytest.mark.parametrize("kind", ["okta", "entra", "google"])
def test_the_sql_gives_the_row_by_row_figures(kind: str, tmp_path: Path) -> None:
    data: Any = {"okta": okta_events, "entra": entra_response, "google": google_response}[kind]()
    export = tmp_path / f"{kind}.json"
    export.write_text(json.dumps(data), encoding="utf-8")
    reference = rows([SourceSpec(kind, str(export))])
    assert len(reference) >= 2 and any(row["events"] > 1 for row in reference)
    assert rows([SourceSpec(kind, str(export), fast=True)]) == reference
    table_file = usage_table(kind, [str(export)], tmp_path / "usage.csv")
    from_table = rows([SourceSpec(warehouse.KIND, str(table_file))])
    for row in from_table:
        row["sources"] = [kind if source == warehouse.KIND else source for source in row["sources"]]
    assert from_table == reference


def test_duckdb_reads_ndjson_gzip_and_many_files_at_once(tmp_path: Path) -> None:
    events = okta_events()
    half = len(events) // 2
    plain = tmp_path / "a.ndjson"
    plain.write_text("".join(json.dumps(e) + "\n" for e in events[:half]), encoding="utf-8")
    packed = tmp_path / "b.ndjson.gz"
    packed.write_bytes(gzip.compress("".join(json.dumps(e) + "\n" for e in events[half:]).encode()))
    whole = tmp_path / "all.json"
    whole.write_text(json.dumps(events), encoding="utf-8")
    together = sorted(warehouse.aggregate("okta", [str(tmp_path / "*.ndjson*")]))
    assert together == sorted(warehouse.aggregate("okta", [str(whole)]))


def test_a_usage_table_in_parquet_and_json_reads_the_same(tmp_path: Path) -> None:
    export = tmp_path / "okta.json"
    export.write_text(json.dumps(okta_events()), encoding="utf-8")
    csv_file = usage_table("okta", [str(export)], tmp_path / "usage.csv")
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"COPY (SELECT * FROM read_csv('{csv_file}')) TO '{tmp_path / 'usage.parquet'}'")
    connection.execute(f"COPY (SELECT * FROM read_csv('{csv_file}')) TO '{tmp_path / 'usage.json'}'")
    expected = rows([SourceSpec(warehouse.KIND, str(csv_file))])
    for name in ("usage.parquet", "usage.json"):
        assert rows([SourceSpec(warehouse.KIND, str(tmp_path / name))]) == expected


def test_a_bad_usage_table_is_a_located_error_or_a_problem_per_row(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("app,who\nCanva,ana\n", encoding="utf-8")
    with pytest.raises(UsageError, match="has no column user_name, first_seen, last_seen, events"):
        list(warehouse.read_usage(str(wrong)))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "source,app,user_name,first_seen,last_seen,events\n"
        "okta,Canva,ana@example.com,2026-01-02T00:00:00Z,2026-01-01T00:00:00Z,3\n"
        "okta,Miro,ana@example.com,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,0\n"
        "okta,,ana@example.com,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,1\n",
        encoding="utf-8",
    )
    problems = [str(item) for item in warehouse.read_usage(str(bad))]
    assert problems == [
        f"{bad}: row 2: first_seen and last_seen must be ISO 8601 times, first_seen not after last_seen",
        f"{bad}: row 3: events must be a whole number of at least 1, not 0",
        f"{bad}: row 4: no app",
    ]
    with pytest.raises(UsageError, match=r"none of \.csv"):
        list(warehouse.read_usage(str(ROOT / "README.md")))


@pytest.mark.parametrize("kind", warehouse.SOURCES)
def test_an_export_duckdb_cannot_read_is_an_error_naming_it(kind: str, tmp_path: Path) -> None:
    broken = tmp_path / f"{kind}.json"
    broken.write_text('[{"eventType": "user.authentication.sso", ', encoding="utf-8")
    with pytest.raises(UsageError, match=rf"DuckDB could not read .*{kind}\.json as {kind} events"):
        warehouse.aggregate(kind, [str(broken)])


def test_the_cli_prints_the_sql_and_reads_a_usage_table(tmp_path: Path, run_cli: Any) -> None:
    printed = run_cli("discover", "--sql", "entra")
    assert printed.returncode == 0 and printed.stdout == warehouse.query("entra")
    export = tmp_path / "okta.json"
    export.write_text(json.dumps(okta_events()), encoding="utf-8")
    table_file = usage_table("okta", [str(export)], tmp_path / "usage.csv")
    result = run_cli("discover", "--repo", str(ROOT), "--usage", str(table_file), "--format", "json")
    assert result.returncode == 1, result.stderr  # tools in use that the project's catalog lacks
    assert "Workplace by Facebook" in result.stdout
