"""Run the built-in rules and the policies over a catalog: files -> entries -> findings -> report.

The rules (martechgate.yaml and policies/) and the catalog may come from different sources: in a
pull request the rules are read from the base revision, so the change cannot weaken what judges it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from martechgate.check import baseline as known
from martechgate.check.cache import Damaged, ResultCache
from martechgate.check.catalog import Catalog, load_entries
from martechgate.check.judge import entry_findings, valid_waivers
from martechgate.check.model import Entry, Finding, Report, Waiver
from martechgate.check.organisation import load_organization
from martechgate.check.policy import load_policies
from martechgate.check.rules import RULES, known_rules
from martechgate.sources.repo import CATALOG_DIR, Source


@dataclass(frozen=True)
class CheckResult:
    report: Report
    catalog: Catalog
    change: ChangeScope | None = None  # set by a diff-aware check: what the change touched
    # Catalog files whose findings the report leaves out, as the caller said it has their output (`run`'s
    # `reuse`): the report's counts then cover the other files only.
    reused: frozenset[str] = frozenset()


# Whether the caller already has the output of a cached entry's findings, given that entry and its
# findings of the rules comparing entries (the only ones that may change while its file does not).
Reuse = Callable[[Entry, list[Finding]], bool]


@dataclass(frozen=True)
class ChangeScope:
    """What a diff-aware check judged: the catalog files the change added, modified or renamed (at
    head), the ones it deleted, and the governance files (policies, organisation, CI) it edited."""

    base_label: str
    head_label: str
    changed_files: tuple[str, ...]
    deleted_files: tuple[str, ...]
    governance_files: tuple[str, ...]
    added_files: tuple[str, ...] = ()  # of changed_files, those new in the change


def load_catalog(
    catalog_source: Source,
    rules_source: Source | None = None,
    today: date | None = None,
    entries: list[Entry] | None = None,
    cache: ResultCache | None = None,
) -> Catalog:
    rules_source = rules_source or catalog_source
    organization = load_organization(rules_source)
    policies = load_policies(rules_source, reserved_ids=RULES)
    meta = known_rules(policies)
    if entries is None:
        entries = load_entries(catalog_source, cache, meta)
    return Catalog(entries, organization, policies, today or date.today(), known_rules=meta)


CATALOG_RULES = [rule for rule in RULES.values() if rule.SCOPE == "catalog"]


def compare(catalog: Catalog) -> list[Finding]:
    """The findings of the rules comparing entries (and the organisation file's own): they read only what
    the result cache keeps of an entry (cache.PROJECTED, and where it stands), and no day (the audit
    keeps them while those stay the same, and runs them on a catalog without a day to be sure)."""
    return [finding for rule in CATALOG_RULES for finding in rule.check(catalog)]


def apply_waivers(catalog: Catalog, findings: list[Finding]) -> list[Finding]:
    """A valid exception waives the entry's findings of its rule, unless the rule is hard."""
    with_findings = {finding.file for finding in findings}
    by_file: dict[str, dict[str, Waiver]] = {}
    for entry in catalog.entries:
        if entry.file in with_findings:  # only an entry with findings can have one waived
            valid = {waiver.rule: waiver for waiver in valid_waivers(catalog, entry)}
            if valid:
                by_file[entry.file] = valid
    result = []
    for finding in findings:
        waiver = by_file.get(finding.file or "", {}).get(finding.rule)
        if waiver is not None and finding.enforcement != "hard":
            finding = Finding(**{**finding.__dict__, "waived_by": waiver})
        result.append(finding)
    return result


def run(
    catalog: Catalog,
    select: Callable[[Finding], bool] | None = None,
    cache: ResultCache | None = None,
    baseline: known.Baseline | None = None,
    scope: Collection[str] | None = None,
    catalog_findings: list[Finding] | None = None,
    reuse: Reuse | None = None,
) -> CheckResult:
    """Every finding on the catalog (or those `select` keeps), waived where an exception says so and
    known where the baseline does (a cached entry brings the fingerprints of its own findings).
    `catalog_findings` are those of the rules comparing entries (`compare`), when the caller has them.
    An entry from the cache that `reuse` accepts is left out of the report (see CheckResult.reused):
    its findings are not even restored, so a check after one edit costs what changed.

    With a cache, an entry read from it brings its own findings; the others are judged and stored.
    With a `scope` (catalog files), the report holds those entries only, though every entry was read
    so that rules comparing entries (duplicate ids, references, data flows) see them all; findings
    on files outside the catalog (the organisation file) are always reported."""
    compared = compare(catalog) if catalog_findings is None else catalog_findings
    reused: frozenset[str] = frozenset()
    if reuse is not None:
        by_file: dict[str, list[Finding]] = {}
        for finding in compared:
            by_file.setdefault(finding.file or "", []).append(finding)
        reused = frozenset(
            entry.file
            for entry in catalog.entries
            if entry.cached is not None
            and (scope is None or entry.file in scope)
            and reuse(entry, by_file.get(entry.file, []))
        )
    findings: list[Finding] = []
    for entry in catalog.entries:
        if entry.cached is not None:
            if entry.file not in reused:
                findings.extend(entry.cached.findings)
            continue
        own = entry_findings(catalog, entry)
        findings.extend(own)
        if cache is not None:
            cache.put(entry, catalog.is_valid(entry), own, valid_waivers(catalog, entry))
    findings.extend(finding for finding in compared if finding.file not in reused)
    if cache is not None:
        cache.save()
    findings = apply_waivers(catalog, findings)
    if baseline is not None:
        findings = known.apply(baseline, findings, catalog.entries, catalog.today)
    if select is not None:
        findings = [finding for finding in findings if select(finding)]
    entries = len(catalog.entries)
    if scope is not None:
        findings = [f for f in findings if f.file in scope or not (f.file or "").startswith(f"{CATALOG_DIR}/")]
        entries = sum(1 for entry in catalog.entries if entry.file in scope)
    findings.sort(key=Finding.sort_key)
    return CheckResult(Report(entries, tuple(findings)), catalog, reused=reused)


def check(
    catalog_source: Source,
    rules_source: Source | None = None,
    today: date | None = None,
    cache: ResultCache | None = None,
    jobs: int = 1,
    baseline: known.Baseline | None = None,
    scope: Collection[str] | None = None,
    whole_entries: bool = True,
    reuse: Reuse | None = None,
) -> CheckResult:
    """Judge a catalog. With `jobs` > 1 or without `whole_entries` (catalog and rules in one source),
    each file the cache does not know is judged as it is parsed, in `jobs` processes, and every entry
    of the result holds only what rules comparing entries read (as a warm run's cached entries do):
    memory then grows with the findings, not with the entries' contents.

    A baseline works with the cache: each cached finding keeps the fingerprint of its value. For
    `reuse`, see `run`."""
    if (jobs > 1 or not whole_entries) and rules_source is None:
        # Imported here: multiprocessing costs a check of a few files more than it saves.
        from martechgate.check import parallel

        catalog = parallel.load_catalog(catalog_source, today or date.today(), cache, jobs)
    else:
        catalog = load_catalog(catalog_source, rules_source, today, cache=cache)
    try:
        return run(catalog, cache=cache, baseline=baseline, scope=scope, reuse=reuse)
    except Damaged:
        # A record's findings, read only now, did not have the shape this code writes, though the
        # cache's checksum held (a bug, or a forgery): trust none of its records, and judge afresh.
        assert cache is not None  # only the cache's records are read late
        cache.drop()
        return check(catalog_source, rules_source, today, cache, jobs, baseline, scope, whole_entries, reuse)
