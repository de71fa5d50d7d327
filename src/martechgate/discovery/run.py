"""Discovery end to end: stream every export into per-app usage, match the apps to the catalog, and
say which tools in use are not approved, with the closest approved alternative.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process, utils

from martechgate.discovery import merchants, scopes
from martechgate.discovery.expenses import CsvOptions
from martechgate.discovery.match import Match, Matcher
from martechgate.discovery.sources import FAST_READERS, READERS
from martechgate.discovery.usage import AppUsage, Notice, RowProblem, Skipped, Usage, UsageRow
from martechgate.errors import UsageError
from martechgate.words import count

# In use under one of these statuses is sanctioned; anything else (proposed, denied, deprecated, retired)
# or no entry at all is what discovery reports. `trial` is approved use for a limited time.
SANCTIONED = frozenset({"approved", "restricted", "trial"})
NOT_IN_CATALOG = "not in catalog"
# Merchant category codes under which SaaS is billed: 4816 computer network/information services,
# 5734 computer software stores, 5817/5818 digital goods (applications), 5968 subscription merchants,
# 7311 advertising services (ad platforms), 7372 computer programming and data processing, 7379
# computer services n.e.c. An unmatched expense merchant whose MCCs are all outside these (meals,
# travel) is not a tool, and is counted instead of listed.
SOFTWARE_MCCS = frozenset({"4816", "5734", "5817", "5818", "5968", "7311", "7372", "7379"})
UNREADABLE_SHOWN = 3  # bad records named when none of a file could be read
ALTERNATIVE_FUZZY_THRESHOLD = 70  # an unmatched app's name against approved tools' names (WRatio)


@dataclass(frozen=True)
class SourceSpec:
    kind: str
    path: str
    fast: bool = False  # aggregate with the source's SQL on DuckDB (warehouse.py) instead of row by row


@dataclass
class SourceStats:
    kind: str
    path: str
    used: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: int = 0
    notices: int = 0

    @property
    def records(self) -> int:
        return self.used + sum(self.skipped.values()) + self.problems

    def summary(self) -> str:
        parts = [count(self.records, "record", grouped=True), f"{self.used:,} used"]
        parts += [f"{count:,} skipped ({reason})" for reason, count in sorted(self.skipped.items())]
        parts.append(f"{self.problems:,} malformed")
        if self.notices:
            parts.append(count(self.notices, "note", grouped=True))
        return ", ".join(parts)


@dataclass
class DiscoveredApp:
    usage: AppUsage
    entry: dict[str, Any] | None
    matches: list[str]  # the reasons, one per app key folded into this entry
    departments: list[str] = field(default_factory=list)  # of its users, most users first
    alternative: str | None = None
    alternative_reason: str | None = None

    @property
    def entry_id(self) -> str | None:
        return self.entry.get("id") if self.entry else None

    @property
    def status(self) -> str:
        status = self.entry.get("status") if self.entry else None
        return status if isinstance(status, str) else NOT_IN_CATALOG

    @property
    def sanctioned(self) -> bool:
        return self.status in SANCTIONED

    @property
    def name(self) -> str:
        name = self.entry.get("name") if self.entry else None
        return name if isinstance(name, str) else self.usage.name

    @property
    def broad_scopes(self) -> list[str]:
        return scopes.broad_scopes(self.usage.scopes)


@dataclass
class Discovery:
    apps: list[DiscoveredApp]
    sources: list[SourceStats]
    not_software: int = 0  # unmatched expense merchants left out by their MCC
    mcc_seen: bool = False
    known_not_saas: int = 0  # expense merchants without an MCC left out by name (merchants.yaml)

    @property
    def unapproved(self) -> list[DiscoveredApp]:
        return [app for app in self.apps if not app.sanctioned]


def read_sources(
    specs: Iterable[SourceSpec], options: CsvOptions, on_problem: Callable[[RowProblem | Notice], None]
) -> tuple[Usage, list[SourceStats]]:
    usage = Usage()
    add = usage.add
    all_stats = []
    for spec in specs:
        stats = SourceStats(spec.kind, spec.path)
        all_stats.append(stats)
        used = 0
        first_problems: list[RowProblem] = []
        reader = FAST_READERS[spec.kind] if spec.fast else READERS[spec.kind]
        for item in reader(spec.path, options):
            if type(item) is UsageRow:  # the hot path: a million times, so no isinstance chain
                add(item)
                used += item.events  # a record is one event; a usage table's row, many
            elif isinstance(item, Skipped):
                stats.skipped[item.reason] += 1
            elif isinstance(item, RowProblem):
                stats.problems += 1
                if len(first_problems) < UNREADABLE_SHOWN:
                    first_problems.append(item)
                on_problem(item)
            elif isinstance(item, Notice):
                stats.notices += 1
                on_problem(item)
        stats.used = used
        if used == 0 and stats.problems:
            # Every record was malformed (US dates in an export read as ISO, a wrong column map):
            # listing nothing would read as "every tool in use is approved".
            raise UsageError(
                (f"none of the {stats.records:,} records" if stats.records > 1 else "the one record")
                + f" of {spec.path} could be read: "
                + "; ".join(f"{problem.where}: {problem.reason}" for problem in first_problems),
                hint="Fix the export, or say how to read it (--date-format %m/%d/%Y for US dates, "
                "--csv-map for other column names).",
            )
    return usage, all_stats


def discover(
    specs: Iterable[SourceSpec],
    entries: Iterable[dict[str, Any]],
    options: CsvOptions | None = None,
    on_problem: Callable[[RowProblem | Notice], None] = lambda _item: None,
) -> Discovery:
    entries = list(entries)
    usage, stats = read_sources(specs, options or CsvOptions(), on_problem)
    matcher = Matcher(entries)
    by_key: dict[str, DiscoveredApp] = {}
    not_software = 0
    known_not_saas = 0
    mcc_seen = False
    for seen in usage.apps.values():
        mcc_seen = mcc_seen or bool(seen.mccs)
        found: Match | None = matcher.match(seen)
        if found is None and seen.sources == {"expenses"} and seen.mccs and not seen.mccs & SOFTWARE_MCCS:
            not_software += 1
            continue
        if found is None and seen.sources == {"expenses"} and not seen.mccs and merchants.not_saas(seen.name):
            known_not_saas += 1  # no category code to go by: a merchant known to be travel or meals
            continue
        key = f"entry:{found.entry_id}" if found else f"app:{seen.app_key}"
        existing = by_key.get(key)
        if existing is None:
            entry = matcher.entries[found.entry_id] if found else None
            by_key[key] = DiscoveredApp(seen, entry, [found.reason] if found else [])
        else:
            existing.usage.merge(seen)
            if found and found.reason not in existing.matches:
                existing.matches.append(found.reason)
    apps = sorted(by_key.values(), key=lambda a: (-len(a.usage.users), -a.usage.events, a.name.lower()))
    approved = [entry for entry in matcher.entries.values() if entry.get("status") == "approved"]
    for app in apps:
        app.departments = usage.departments(app.usage)
        if not app.sanctioned:
            app.alternative, app.alternative_reason = closest_approved(app, approved)
    return Discovery(apps, stats, not_software, mcc_seen, known_not_saas)


def _capabilities(entry: dict[str, Any]) -> set[str]:
    value = entry.get("capabilities")
    return {item for item in value if isinstance(item, str)} if isinstance(value, list) else set()


def closest_approved(app: DiscoveredApp, approved: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The approved tool to use instead: the entry's own `alternative`, else an approved tool of the
    same category sharing the most capabilities, else (for a tool not in the catalog) the approved
    tool whose name is most like it."""
    entry = app.entry
    approved_ids = {candidate.get("id") for candidate in approved}
    if entry is not None:
        named = entry.get("alternative")
        if isinstance(named, str) and named in approved_ids:
            return named, "the entry's alternative"
        category = entry.get("category")
        mine = _capabilities(entry)
        same = [
            candidate
            for candidate in approved
            if candidate.get("category") == category and candidate.get("id") != entry.get("id")
        ]
        if same:
            best = min(same, key=lambda c: (-len(mine & _capabilities(c)), str(c.get("id"))))
            shared = sorted(mine & _capabilities(best))
            reason = f"same category {category}" + (f", shares {', '.join(shared)}" if shared else "")
            return str(best.get("id")), reason
        return None, None
    names = [str(candidate.get("name", candidate.get("id"))) for candidate in approved]
    found = process.extractOne(
        app.usage.name,
        names,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=ALTERNATIVE_FUZZY_THRESHOLD,
    )
    if found is None:
        return None, None
    name, score, index = found
    return str(approved[index].get("id")), f"name {score:.0f}% like {name!r}"
