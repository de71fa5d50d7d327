"""check, test, rules, explain, schema: judging a catalog and reading the rules that judge it."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click

from martechgate import atomic, formats
from martechgate.check import baseline, engine, rules, schemas
from martechgate.check.cache import OutputParts, ResultCache, RunMemo, run_memo
from martechgate.check.engine import CheckResult
from martechgate.check.organisation import load_organization
from martechgate.check.policy import Policy, load_policies, run_examples
from martechgate.check.vocabulary import load_schema
from martechgate.cli.options import (
    cache_options,
    color_option,
    repo_flag,
    repo_only_option,
    repo_option,
    terminal_width,
    today_option,
    use_color,
)
from martechgate.errors import EXIT_BLOCKED, EXIT_OK, RepoError, UsageError
from martechgate.formats import text
from martechgate.sources.opener import open_source
from martechgate.sources.repo import CATALOG_DIR, ORG_FILE, POLICIES_DIR, Signature, Source


def _open_repo(repo: str) -> Source:
    source = open_source(repo)
    load_organization(source)  # a missing or broken organisation file is the clearer message
    if not source.exists(CATALOG_DIR):
        raise RepoError(
            f"there is no {CATALOG_DIR}/ folder in {repo}",
            hint="A governance repo keeps one YAML file per tool in catalog/; `martechgate init DIR` starts one.",
        )
    return source


def _write_report(output: str, text: atomic.Data) -> None:
    """Write whole or not at all: CI uploads this file, and a half-written report would mislead."""

    def failed(error: OSError) -> RepoError:
        return RepoError(
            f"could not write the report to {output}: {error.strerror}",
            hint="Name a file in a folder that exists and is writable.",
        )

    try:
        atomic.replace(os.path.abspath(output), text)
    except OSError as error:
        raise failed(error) from error


def _find_repo(paths: tuple[str, ...]) -> str:
    """The governance repo holding the first path (the nearest folder up with martechgate.yaml); else
    the first path if it is a folder (so `check DIR` says what DIR lacks), else here."""
    if paths:
        start = Path(paths[0]).resolve()
        for folder in (start, *start.parents) if start.is_dir() else start.parents:
            if (folder / ORG_FILE).is_file():
                return str(folder)
        if start.is_dir():
            return paths[0]
    return "."


def _scope(source: Source, repo: str, paths: tuple[str, ...]) -> frozenset[str] | None:
    """The catalog files the named paths cover (relative to the repo), or None for the whole catalog:
    no path, the repo itself, or a file of the rules (martechgate.yaml, policies/), which every entry
    is judged by."""
    if not paths:
        return None
    root = Path(repo).resolve()
    catalog = source.list_yaml(CATALOG_DIR, recursive=True)
    wanted: set[str] = set()
    for given in paths:
        try:
            relative = Path(given).resolve().relative_to(root).as_posix()
        except ValueError:
            raise UsageError(
                f"{given} is not inside the governance repo {repo}",
                hint="Name files or folders under its catalog/, or the repo itself with --repo DIR.",
            ) from None
        if relative in (".", ORG_FILE, POLICIES_DIR) or relative.startswith(f"{POLICIES_DIR}/"):
            return None
        covered = [file for file in catalog if file == relative or file.startswith(f"{relative}/")]
        if not covered:
            problem = (
                "does not exist" if not os.path.lexists(given) else "is not a catalog entry (nor a folder of them)"
            )
            raise UsageError(
                f"{given} {problem}",
                hint=f"Name YAML files or folders under {CATALOG_DIR}/, or none to check the whole catalog.",
            )
        wanted.update(covered)
    return frozenset(wanted)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(), metavar="[PATH]...")
@repo_flag(None)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(formats.REPORTERS)),
    default="text",
    show_default=True,
    help="How to print the findings.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the report to this file (in the same format).",
)
@click.option(
    "--base",
    metavar="REF",
    help="Check only what changed since the merge base with REF (a pull request's base branch "
    "or full SHA), judged by the rules (martechgate.yaml, policies/) as they are at REF itself, the "
    "base branch's tip.",
)
@click.option(
    "--head",
    metavar="REF",
    help="With --base: the revision to check (default: the working tree, untracked files included).",
)
@today_option
@color_option
@cache_options("Judge every file afresh, ignoring results of earlier runs.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    show_default="0: every core",
    help="Processes that parse new and changed files (1: none besides this one).",
)
def check(
    paths: tuple[str, ...],
    repo: str | None,
    output_format: str,
    output: str | None,
    base: str | None,
    head: str | None,
    today: date | None,
    color: bool | None,
    no_cache: bool,
    cache_dir: str | None,
    jobs: int,
) -> None:
    """Check the catalog entries against the rules and policies: all of them, or those in PATHs.

    A PATH is a catalog file or a folder of them (what an editor or a pre-commit hook passes); the
    whole catalog is still read, so rules comparing entries see every one. Naming martechgate.yaml or
    a policy checks everything, as every entry is judged by them. The repo is the one holding the
    first PATH, or --repo, or the current folder.

    With --base, check a change (a pull request) instead: the entries it adds, edits, renames or
    deletes, and what it breaks elsewhere.

    Findings recorded in baseline.yaml (`martechgate baseline`) are reported as known and do not
    block until they are due or their value changes; with --base, the base branch's baseline counts.

    Exit 0 when nothing blocks, 1 when something does, 2 when the check cannot run.
    """
    if head is not None and base is None:
        raise UsageError("--head needs --base", hint="Name the base too: `martechgate check --base main --head HEAD`.")
    day = today or date.today()
    repo = repo or _find_repo(paths)
    result: CheckResult
    colored = use_color(color) and output_format == "text"
    memo: RunMemo | None = None
    memo_key: str | None = None
    fingerprint: str | None = None
    taken: dict[str, Signature] | None = None
    parts: OutputParts | None = None
    if base is not None:
        # A change reads only the entries it touches and those naming them: nothing to cache. (Its
        # module, with the review code, is imported only here.)
        from martechgate.gate import diff_check as pullcheck

        if any(Path(path).resolve() != Path(repo).resolve() for path in paths):
            raise UsageError(
                "--base checks what the change touched; it takes no PATH",
                hint="Leave out the paths (name the repo with --repo DIR if it is not here).",
            )
        result = pullcheck.check_change(repo, base, head, day)
        if result.change is not None and result.change.governance_files:
            click.echo(pullcheck.governance_note(result), err=True)
    else:
        source = _open_repo(repo)
        if output_format in formats.FULL_ENTRIES:
            no_cache, jobs = True, 1
        scope = _scope(source, repo, paths)
        folder = Path(cache_dir) if cache_dir else None
        if not no_cache and output_format in MEMO_FORMATS:
            # Nothing changed since the last run with these options: its output stands.
            options = [output_format, colored, sorted(scope) if scope is not None else None]
            memo, memo_key, fingerprint, taken = run_memo(repo, source, day, folder, options)
            hit = memo.get(memo_key) if memo_key else None
            if hit is not None:
                sys.stdout.flush()
                hit.copy_shown(sys.stdout.buffer)
                if output:
                    _write_report(output, hit.plain_text())
                raise SystemExit(hit.code)
        cache = None if no_cache else ResultCache.for_repo(repo, source, day, folder, fingerprint, taken)
        if jobs == 0:
            from martechgate.sources.parsing import available_cores

            jobs = available_cores()
        known = baseline.load(source, cache)
        if cache is not None and output_format == "text":
            # After an edit, only the files whose findings may have changed are rendered again.
            parts = OutputParts(cache.path, cache.header["fingerprint"], day, colored, known)
        result = engine.check(
            source,
            today=day,
            cache=cache,
            jobs=jobs,
            baseline=known,
            scope=scope,
            whole_entries=output_format in formats.FULL_ENTRIES,
            reuse=parts.reusable if parts is not None else None,
        )
    if parts is not None:
        # Written in pieces as kept, never joined: at 40,000 findings the output is 20 MB.
        rendered = text.render_reusing(result, colored, parts)
        parts.save({entry.file for entry in result.catalog.entries})
        code = EXIT_OK if rendered.blocking == 0 else EXIT_BLOCKED
        if memo is not None and memo_key is not None:
            memo.put(memo_key, rendered.shown, rendered.plain if colored else None, code)
        sys.stdout.flush()
        for piece in rendered.shown:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
        if output:
            _write_report(output, rendered.plain)
        raise SystemExit(code)
    render = formats.get(output_format)
    shown = render(result, colored)
    plain = render(result, False) if colored else shown
    code = EXIT_OK if result.report.passed else EXIT_BLOCKED
    if memo is not None and memo_key is not None:
        memo.put(memo_key, [shown.encode()], [plain.encode()] if colored else None, code)
    _finish(shown, plain, code, colored, output)


# Formats whose output depends only on the findings and the options: a whole run's may be reused.
MEMO_FORMATS = ("text", "json")


def _finish(shown: str, plain: str, code: int, colored: bool, output: str | None) -> None:
    click.echo(shown, nl=False, color=colored)
    if output:
        _write_report(output, plain)
    raise SystemExit(code)


@click.command(name="test")
@repo_option
@today_option
def test_policies(repo: str, today: date | None) -> None:
    """Run every policy's examples: `pass` ones must pass, `fail` ones must fail."""
    source = open_source(repo)
    policies = load_policies(source, reserved_ids=rules.RULES)
    if not policies:
        raise RepoError(
            f"there are no policies in {repo}/policies/", hint="`martechgate init DIR` writes the default policy pack."
        )
    failures = 0
    total = 0
    for policy in policies:
        for result in run_examples(policy, today or date.today()):
            total += 1
            mark = "ok  " if result.ok else "FAIL"
            failures += 0 if result.ok else 1
            where = f"{result.kind}[{result.index}] {result.example_id}" if result.index >= 0 else result.kind
            click.echo(f"{mark} {policy.id}: {where}: {result.detail}")
    click.echo(f"{total - failures} passed, {failures} failed")
    raise SystemExit(EXIT_OK if failures == 0 else EXIT_BLOCKED)


def _policies_if_any(repo: str) -> list[Policy]:
    source = open_source(repo)
    return load_policies(source, reserved_ids=rules.RULES) if source.exists("policies") else []


@click.command(name="rules")
@repo_only_option
def list_rules(repo: str) -> None:
    """List the built-in rules and the repo's policies."""
    # Imported here: rich's tables cost every `check` 18 ms to import, and only this command draws one.
    from martechgate.formats import tables

    rows = [(m.ID, m.SEVERITY, m.ENFORCEMENT, "built-in", m.TITLE) for m in rules.RULES.values()]
    rows += [(p.id, p.severity, p.enforcement, p.file, p.title) for p in _policies_if_any(repo)]
    keys = ("rule", "severity", "enforcement", "origin", "title")
    columns = [
        tables.Column("rule", "Rule"),
        tables.Column("severity", "Severity", drop=2),
        tables.Column("enforcement", "Enforcement"),
        tables.Column("title", "Title"),
        tables.Column("origin", "Defined in", drop=1),
    ]
    table = tables.Table(columns, [dict(zip(keys, row, strict=True)) for row in rows])
    click.echo(tables.render(table, "table", terminal_width(), use_color(None)), nl=False)


@click.command()
@click.argument("rule")
@repo_only_option
def explain(rule: str, repo: str) -> None:
    """Explain a rule or policy: why it exists, what it checks, and examples."""
    if rule in rules.RULES:
        module = rules.get(rule)
        click.echo(f"{module.ID}  ({module.SEVERITY}, {module.ENFORCEMENT}, built-in)\n")
        click.echo((module.__doc__ or "").strip())
        click.echo(f"\nWhat to do: {module.REMEDIATION}")
        return
    for policy in _policies_if_any(repo):
        if policy.id == rule:
            click.echo(_explain_policy(policy))
            return
    known = sorted(rules.RULES) + sorted(p.id for p in _policies_if_any(repo))
    raise UsageError(f"there is no rule or policy {rule!r}", hint=f"Known: {', '.join(known)}")


def _explain_policy(policy: Policy) -> str:
    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    applies = schemas.summarize(policy.match, owner="whose")
    passes = schemas.summarize(policy.require)
    lines = [
        f"{policy.id}: {policy.title}  ({policy.severity}, {policy.enforcement}, {policy.file})",
        "",
        policy.description,
        "",
        f"Applies to entries {applies}." if applies else f"Applies to entries matching: {dump(policy.match)}",
        f"They pass when {passes}." if passes else f"They must satisfy: {dump(policy.require)}",
        f"(Exactly, as JSON Schema: match {dump(policy.match)}; require {dump(policy.require)})"
        if applies and passes
        else "",
        f"What to do: {policy.remediation}",
        "",
    ]
    for kind, examples in (("Passes", policy.examples_pass), ("Fails", policy.examples_fail)):
        for example in examples:
            lines.append(f"{kind}: {dump(example)}")
    return "\n".join(lines)


@click.command()
@click.option(
    "--kind", type=click.Choice(schemas.SCHEMA_NAMES), default="entry", show_default=True, help="Which schema to print."
)
def schema(kind: str) -> None:
    """Print a JSON Schema (for editors: yaml-language-server, and other tools)."""
    click.echo(json.dumps(load_schema(kind), indent=2))
