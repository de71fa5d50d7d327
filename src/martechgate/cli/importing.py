"""import: a company's existing inventory (CSV, XLSX, JSON, YAML) -> catalog entries, with a mapping."""

from __future__ import annotations

import json
from pathlib import Path

import click

from martechgate.errors import EXIT_BLOCKED, EXIT_OK, RepoError
from martechgate.intake.importer import ImportReport, run_import
from martechgate.intake.mapping import load_mapping
from martechgate.sources.repo import ORG_FILE

KINDS = (
    ("mapped", "mapped"),
    ("unknown", "unknown"),
    ("unusable", "unusable"),
    ("unresolved", "unresolved (written as is: add them to the people table, or write emails)"),
)


def render_text(report: ImportReport) -> str:
    lines = [
        f"{'Dry run (nothing written): ' if report.dry_run else ''}{report.records} records read from {report.source}",
        f"  written {len(report.written)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
        f"left alone {len(report.kept)}, records skipped {len(report.skipped)}",
    ]
    if report.skipped:
        lines.append("Records skipped:")
        lines += [f"  {skipped.where}: {skipped.reason}" for skipped in report.skipped]
    if report.kept:
        lines.append("Entries left alone:")
        lines += [f"  {kept.where}: {kept.reason}" for kept in report.kept]
    if report.hand_edits:
        lines.append("Hand edits kept (the import did not overwrite them):")
        lines += [f"  {entry}: {name}" for entry, name in report.hand_edits]
    if report.fields:
        lines.append("Fields:")
        width = max(len(name) for name in report.fields)
        for name, count in report.fields.items():
            parts = [f"{getattr(count, kind)} {label}" for kind, label in KINDS if getattr(count, kind)]
            lines.append(f"  {name:<{width}}  {', '.join(parts) or 'no values'}")
            for kind, examples in count.examples.items():
                lines += [f"  {'':<{width}}    {kind}: {example}" for example in examples]
    return "\n".join(lines)


@click.command(name="import")
@click.argument("inventory", type=click.Path(dir_okay=False))
@click.option(
    "--mapping", "mapping_file", required=True, type=click.Path(dir_okay=False), help="The mapping file (YAML)."
)
@click.option(
    "--repo",
    "--into",
    "repo",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The governance repo whose catalog/ receives the entries.",
)
@click.option("--dry-run", is_flag=True, help="Report what would be written; write nothing.")
@click.option(
    "--update", is_flag=True, help="Change the mapped fields of entries that exist and differ (hand edits stay)."
)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def import_command(inventory: str, mapping_file: str, repo: str, dry_run: bool, update: bool, output: str) -> None:
    """Import an inventory (CSV, XLSX, JSON or YAML list) into catalog/, one entry per record.

    A new entry is written whole or not at all; an entry that exists and differs is left alone unless
    --update, which changes only the mapped fields and keeps fields edited by hand. Importing the same
    file twice changes nothing. Exit 1 when an entry was left alone because it differs.
    """
    root = Path(repo)
    if not (root / ORG_FILE).is_file():
        raise RepoError(
            f"{repo} is not a governance repo (no {ORG_FILE})",
            hint="Import into one with --repo DIR (`martechgate init DIR` starts one).",
        )
    mapping = load_mapping(Path(mapping_file))
    report = run_import(root, Path(inventory), mapping, dry_run=dry_run, update=update)
    if output == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report))
    raise SystemExit(EXIT_BLOCKED if report.kept else EXIT_OK)
