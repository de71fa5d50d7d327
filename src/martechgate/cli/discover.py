"""discover: the tools in use (from SSO, OAuth and expense exports) that were never approved."""

from __future__ import annotations

import csv
from datetime import date
from typing import IO

import click

from martechgate.check.catalog import load_entries
from martechgate.check.organisation import load_organization
from martechgate.cli.options import repo_option, terminal_width, today_option, use_color
from martechgate.discovery import proposals, report, warehouse
from martechgate.discovery.expenses import CsvOptions, parse_map
from martechgate.discovery.run import SourceSpec, discover
from martechgate.discovery.sources import FAST_READERS, parse_source
from martechgate.discovery.usage import Notice, RowProblem
from martechgate.errors import EXIT_BLOCKED, EXIT_OK, RepoError, UsageError
from martechgate.formats import tables
from martechgate.sources.opener import open_source
from martechgate.sources.repo import CATALOG_DIR

SHOWN_PROBLEMS = 20  # per run on stderr; --problems FILE has them all


class ProblemSink:
    """Malformed records: the first few on stderr, every one in --problems FILE, none dropped."""

    def __init__(self, out: IO[str] | None) -> None:
        self.shown = 0
        self.hidden = 0
        self.writer = csv.writer(out, lineterminator="\n") if out else None
        if self.writer:
            self.writer.writerow(["file", "where", "kind", "reason"])

    def __call__(self, item: RowProblem | Notice) -> None:
        is_problem = isinstance(item, RowProblem)
        if self.writer:
            self.writer.writerow(
                [
                    item.file,
                    item.where,
                    "malformed" if is_problem else "note",
                    item.reason if isinstance(item, RowProblem) else item.message,
                ]
            )
        if self.shown < SHOWN_PROBLEMS or not is_problem:
            click.echo(f"{'malformed' if is_problem else 'note'}: {item}", err=True)
            self.shown += is_problem
        else:
            self.hidden += 1


def _specs(
    okta: tuple[str, ...],
    entra: tuple[str, ...],
    google: tuple[str, ...],
    expenses: tuple[str, ...],
    source: tuple[str, ...],
    usage: tuple[str, ...],
    fast: bool,
) -> list[SourceSpec]:
    specs = [
        SourceSpec(kind, path, fast and kind in FAST_READERS)
        for kind, paths in (("okta", okta), ("entra", entra), ("google", google), ("expenses", expenses))
        for path in paths
    ]
    for text in source:
        kind, path = parse_source(text)
        specs.append(SourceSpec(kind, path, fast and kind in FAST_READERS))
    specs += [SourceSpec(warehouse.KIND, path) for path in usage]
    if not specs:
        raise UsageError(
            "no export to read",
            hint="Name at least one: --okta FILE, --entra FILE, --google FILE, --expenses FILE, --usage FILE "
            "or --source KIND=FILE.",
        )
    return specs


@click.command(name="discover")
@repo_option
@click.option("--okta", multiple=True, metavar="FILE", help="Okta System Log export (JSON array or NDJSON).")
@click.option(
    "--entra",
    multiple=True,
    metavar="FILE",
    help="Microsoft Entra sign-in logs (Graph response with `value`, JSON array or NDJSON).",
)
@click.option(
    "--google",
    multiple=True,
    metavar="FILE",
    help="Google Workspace OAuth token audit (Reports API response with `items`, array or NDJSON).",
)
@click.option("--expenses", multiple=True, metavar="FILE", help="Expense or corporate card export (CSV).")
@click.option(
    "--source",
    multiple=True,
    metavar="KIND=FILE",
    help="Any of the above by kind: okta, entra, google, expenses, usage. Repeatable.",
)
@click.option(
    "--usage",
    multiple=True,
    metavar="FILE",
    help="A usage table (CSV, Parquet or JSON: app, user_name, first_seen, last_seen, events, ...) made "
    "by the SQL `--sql SOURCE` prints, run where the logs live.",
)
@click.option(
    "--engine",
    type=click.Choice(["python", "duckdb"]),
    default="python",
    show_default=True,
    help="duckdb: aggregate --okta, --entra and --google exports with their SQL on DuckDB, many times "
    "faster on big logs; python names each malformed record.",
)
@click.option(
    "--sql",
    "sql_source",
    type=click.Choice(list(warehouse.SOURCES)),
    help="Print the SQL that turns this source's log (a table named events) into a usage table, and exit.",
)
@click.option(
    "--csv-map",
    "csv_map",
    multiple=True,
    metavar="FIELD=COLUMN,...",
    help="CSV column names where they differ from the usual: date, merchant, amount, currency, "
    "employee, cost_centre, mcc. E.g. --csv-map merchant=Vendor,amount=Total",
)
@click.option(
    "--csv-encoding",
    metavar="ENCODING",
    help="The CSV files' encoding (default: UTF-8, with lines that are not read as Windows-1252).",
)
@click.option(
    "--date-format",
    "--csv-date-format",
    "date_format",
    metavar="FORMAT",
    help="strptime format of CSV dates, e.g. %m/%d/%Y (default: detected per file: ISO 8601, day/month/year, "
    "month/day/year or seconds since 1970)",
)
@click.option("--currency", metavar="CODE", help="Currency of CSV amounts when there is no currency column.")
@click.option("--all", "show_all", is_flag=True, help="List every tool in use, approved ones too.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(tables.FORMATS),
    default="table",
    show_default=True,
    help="How to print the result.",
)
@click.option(
    "--problems",
    "problems_file",
    type=click.Path(dir_okay=False, writable=True),
    help="Write every malformed record (file, row, reason) to this CSV file.",
)
@click.option(
    "--write-proposals",
    is_flag=True,
    help="Draft catalog/<id>.yaml (status: proposed) for each tool in use that is not in the catalog.",
)
@today_option
def discover_command(
    repo: str,
    okta: tuple[str, ...],
    entra: tuple[str, ...],
    google: tuple[str, ...],
    expenses: tuple[str, ...],
    source: tuple[str, ...],
    usage: tuple[str, ...],
    engine: str,
    sql_source: str | None,
    csv_map: tuple[str, ...],
    csv_encoding: str | None,
    date_format: str | None,
    currency: str | None,
    show_all: bool,
    output_format: str,
    problems_file: str | None,
    write_proposals: bool,
    today: date | None,
) -> None:
    """Find the tools in use that are not approved, from sign-in, OAuth and expense exports.

    Each app seen is matched to a catalog entry, with the reason shown: an id listed in the entry's
    x-aliases, the vendor website's domain, the name (entry id, name, x-aliases, or vendor), or a name
    at least 88% alike. Use under status approved, restricted or trial is fine; any other status, or
    no entry, is listed with users, spend, first and last seen, broad OAuth scopes and the closest
    approved alternative. Exports are streamed, so their size does not matter; a malformed record is
    reported by file and row, never dropped.

    Exit 0 when every tool in use is approved, 1 when some are not, 2 when an export or option
    cannot be read.
    """
    if sql_source is not None:
        click.echo(warehouse.query(sql_source), nl=False)
        return
    specs = _specs(okta, entra, google, expenses, source, usage, engine == "duckdb")
    options = _csv_options(csv_map, csv_encoding, date_format, currency)
    catalog_source = open_source(repo)
    if not catalog_source.exists(CATALOG_DIR):
        raise RepoError(
            f"there is no {CATALOG_DIR}/ folder in {repo}",
            hint="Run in the governance repo, or name it: martechgate discover REPO --okta FILE",
        )
    entries = [entry.data for entry in load_entries(catalog_source) if entry.data is not None]
    out = _open_problems(problems_file)
    try:
        sink = ProblemSink(out)
        result = discover(specs, entries, options, sink)
    finally:
        if out:
            out.close()
    if sink.hidden:
        where = f"all are in {problems_file}" if problems_file else "pass --problems FILE to list them all"
        click.echo(f"malformed: {sink.hidden:,} more records ({where})", err=True)
    table = report.table(result, show_all)
    click.echo(tables.render(table, output_format, terminal_width(), use_color(None)), nl=False)
    if write_proposals:
        categories = list(load_organization(catalog_source).categories)
        _report_proposals(proposals.write_proposals(repo, result.apps, today or date.today(), categories))
    raise SystemExit(EXIT_BLOCKED if result.unapproved else EXIT_OK)


def _csv_options(
    csv_map: tuple[str, ...], encoding: str | None, date_format: str | None, currency: str | None
) -> CsvOptions:
    columns: dict[str, str] = {}
    for text in csv_map:
        columns.update(parse_map(text))
    if encoding:
        try:
            "".encode(encoding)
        except LookupError:
            raise UsageError(
                f"--csv-encoding {encoding!r} is not an encoding Python knows",
                hint="E.g. utf-8, cp1252, latin-1, utf-16.",
            ) from None
    if currency and (len(currency) != 3 or not currency.isalpha()):
        raise UsageError(f"--currency {currency!r} is not a 3-letter ISO 4217 code", hint="E.g. USD, EUR.")
    return CsvOptions(columns, encoding, currency.upper() if currency else None, date_format)


def _open_problems(path: str | None) -> IO[str] | None:
    if not path:
        return None
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None


def _report_proposals(results: list[proposals.Proposal]) -> None:
    written = [result for result in results if result.written]
    for result in results:
        where = f"{result.path}: " if result.path else ""
        click.echo(f"proposal: {where}{result.app}: {result.note}", err=True)
    if written:
        click.echo(
            f"{len(written)} draft entries written with status: proposed. `martechgate check` will "
            f"report their missing {', '.join(proposals.TO_FILL)} as schema findings until their "
            "owners fill them in; that is expected.",
            err=True,
        )
