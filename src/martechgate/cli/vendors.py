"""spend, renewals, overlap, graph: vendor-management reports over the catalog.

Each reads the catalog from the working tree (or `--ref REV`, a git revision), prints a table on a
terminal and csv/json/markdown for tools. An entry that cannot be read is skipped with a note, never
a crash; the exit code is 0 unless the report cannot run (2).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from martechgate.check import engine
from martechgate.check.catalog import Catalog
from martechgate.check.organisation import load_organization
from martechgate.cli.options import repo_option, terminal_width, today_option, use_color
from martechgate.errors import RepoError
from martechgate.formats import tables
from martechgate.sources.opener import open_source
from martechgate.sources.repo import CATALOG_DIR
from martechgate.vendors import graph as graph_report
from martechgate.vendors import overlap as overlap_report
from martechgate.vendors import renewals as renewals_report
from martechgate.vendors import spend as spend_report
from martechgate.vendors.tools import ToolSet, read_tools
from martechgate.words import count

F = TypeVar("F", bound=Callable[..., Any])


def ref_option(function: F) -> F:
    return click.option(
        "--ref",
        metavar="REV",
        help="Read the catalog as it was at this git revision (branch, tag or commit) instead of the working tree.",
    )(function)


def format_option(choices: tuple[str, ...] = tables.FORMATS, default: str = "table") -> Callable[[F], F]:
    def decorate(function: F) -> F:
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(choices),
            default=default,
            show_default=True,
            help="Output format: a table for people, csv/json/markdown for tools.",
        )(function)

    return decorate


def _load(repo: str, ref: str | None, today: date | None = None) -> tuple[Catalog, ToolSet, str]:
    source = open_source(repo, ref)
    load_organization(source)  # a missing or broken organisation file is the clearer message
    if not source.exists(CATALOG_DIR):
        raise RepoError(
            f"there is no {CATALOG_DIR}/ folder in {repo}" + (f" at {ref}" if ref else ""),
            hint="Run inside a governance repo (one YAML file per tool in catalog/), or name it; "
            "`martechgate init DIR` starts one.",
        )
    catalog = engine.load_catalog(source, today=today)
    return catalog, read_tools(catalog), source.label


def _emit(table: tables.Table, fmt: str, tools: ToolSet) -> None:
    click.echo(tables.render(table, fmt, terminal_width(), use_color(None)), nl=False)
    if fmt == "csv":  # CSV has no place for notes; the other formats carry them in the table's meta
        for skipped in tools.skipped:
            click.echo(f"martechgate: note: {skipped}", err=True)


@click.command()
@repo_option
@ref_option
@click.option(
    "--by",
    type=click.Choice(spend_report.BY_CHOICES),
    default="category",
    show_default=True,
    help="Group by category, department or status; `tool` lists each tool with its cost per seat "
    "against its category's median.",
)
@click.option(
    "--hourly-rate",
    "hourly_rates",
    multiple=True,
    metavar="RATE|CUR=RATE",
    help=f"Price of an hour of internal support effort, in the entry's currency (default "
    f"{spend_report.DEFAULT_HOURLY_RATE:g}); CUR=RATE sets it for one currency. Repeatable.",
)
@click.option(
    "--all",
    "include_inactive",
    is_flag=True,
    help="Include retired and denied tools (left out by default: they are not in use).",
)
@click.option(
    "--convert",
    is_flag=True,
    help="Convert every amount into the organisation's currency with the exchange rates in martechgate.yaml "
    "(a currency without a rate keeps its own total).",
)
@format_option()
def spend(
    repo: str,
    ref: str | None,
    by: str,
    hourly_rates: tuple[str, ...],
    include_inactive: bool,
    convert: bool,
    output_format: str,
) -> None:
    """Licence and total cost of ownership by category, department or status; per seat by tool.

    TCO over the contract term (start to renewal; 12 months when either is missing) = annual cost x
    years + implementation cost + support hours a month x 12 x years x hourly rate. Amounts in
    different currencies are never added: every group has one row per currency, unless --convert.
    """
    rates = spend_report.HourlyRates.parse(hourly_rates)
    catalog, tools, label = _load(repo, ref)
    money = catalog.organization.money if convert else None
    table = spend_report.spend(tools, by, rates, include_inactive=include_inactive, source=label, money=money)
    _emit(table, output_format, tools)


@click.command()
@repo_option
@ref_option
@click.option(
    "--within",
    default="120d",
    show_default=True,
    metavar="WINDOW",
    help="How far ahead to look: 120d (days), 8w (weeks), 6m (months), 1y (years); a plain number is days.",
)
@click.option(
    "--ics",
    "ics_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Also write an iCalendar file with an event per cancellation deadline and per renewal "
    "(stable UIDs: importing it again updates the events).",
)
@today_option
@format_option()
def renewals(
    repo: str, ref: str | None, within: str, ics_file: str | None, today: date | None, output_format: str
) -> None:
    """Renewals and cancellation deadlines (renewal minus notice days) coming up, soonest deadline first.

    A deadline already passed on a contract still to renew is listed with negative days left.
    """
    day = today or date.today()
    end = renewals_report.window_end(within, day)
    catalog, tools, label = _load(repo, ref, day)
    items = renewals_report.due(tools, day, end)
    if ics_file:
        data = renewals_report.calendar(items, catalog.organization.name, day)
        renewals_report.write_atomically(ics_file, data)
        click.echo(f"martechgate: wrote {ics_file} ({count(len(items), 'contract')})", err=True)
    table = renewals_report.renewals_table(items, day, end, label, [str(s) for s in tools.skipped])
    _emit(table, output_format, tools)


@click.command()
@repo_option
@ref_option
@click.option(
    "--min-similarity",
    type=float,
    default=overlap_report.DEFAULT_SIMILARITY,
    show_default=True,
    help="Least share of capabilities two tools of a category must have in common (Jaccard: "
    "shared ÷ all distinct capabilities of the pair).",
)
@click.option(
    "--hourly-rate",
    "hourly_rates",
    multiple=True,
    metavar="RATE|CUR=RATE",
    help="Hourly rate for the combined TCO, as for `spend`.",
)
@format_option()
def overlap(
    repo: str, ref: str | None, min_similarity: float, hourly_rates: tuple[str, ...], output_format: str
) -> None:
    """Pairs of tools in use that share a category and capabilities, with their combined spend."""
    rates = spend_report.HourlyRates.parse(hourly_rates)
    _catalog, tools, label = _load(repo, ref)
    table = overlap_report.overlap(tools, min_similarity=min_similarity, rates=rates, source=label)
    _emit(table, output_format, tools)


@click.command()
@repo_option
@ref_option
@format_option((*graph_report.FORMATS, *tables.FORMATS), default="mermaid")
def graph(repo: str, ref: str | None, output_format: str) -> None:
    """The integration graph as Mermaid (default) or Graphviz DOT; table/csv/json/markdown list the edges.

    Personal-data flows are orange; flows into a tool not cleared for the data (rule
    data-flow-clearance) are red; targets missing from the catalog are dashed.
    """
    catalog, tools, label = _load(repo, ref)
    built = graph_report.build(catalog, tools)
    fmt = output_format
    if fmt in graph_report.RENDERERS:
        click.echo(graph_report.RENDERERS[fmt](built), nl=False)
        click.echo(f"martechgate: note: {graph_report.without_integrations(tools)}", err=True)
        for skipped in tools.skipped:
            click.echo(f"martechgate: note: {skipped}", err=True)
        return
    table = graph_report.edges_table(
        built, label, [str(s) for s in tools.skipped], graph_report.without_integrations(tools)
    )
    _emit(table, fmt, tools)
