"""A cold check of a big catalog on every core: new and changed files are parsed and judged in worker
processes, which send back what the result cache keeps of each (cache.record_of).

Parsing is nine tenths of a cold check and each file's own findings depend on that file alone (and
the rules, and the day), so the work splits cleanly by file; rules comparing entries still run once,
in this process, over all of them. Workers rebuild the rules from the same bytes this process read,
so both judge by the same rules. When processes cannot be started (a sandbox, a broken pool), the
files are judged here instead: slower, never lost.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import Any

from martechgate.check import cache as result_cache
from martechgate.check.cache import ResultCache
from martechgate.check.catalog import Catalog, read_known
from martechgate.check.judge import NO_DAY, entry_findings, findings_without_day, valid_waivers
from martechgate.check.model import CachedResult, Entry, Finding, Organization
from martechgate.check.organisation import load_organization, parse_organization
from martechgate.check.policy import Policy, load_policies, parse_policy
from martechgate.check.rules import RULES, known_rules
from martechgate.sources import parsing
from martechgate.sources.repo import CATALOG_DIR, ORG_FILE, POLICIES_DIR, Source
from martechgate.sources.yamlload import Loaded, load_bytes

# Starting a worker and sending it the rules costs about as much as judging a few hundred files.
MIN_FILES = 400
CHUNK = 200

# A judged file: its cache record, or (for a file that did not load cleanly) the whole entry.
Judged = list[Any] | tuple[Loaded, CachedResult]

_rules: tuple[Organization, list[Policy], Any] | None = None  # each worker's, set by its initializer


def rules_files(source: Source) -> list[tuple[str, bytes]] | None:
    """The organisation file and the policies of `source`, as read, for workers to judge by the same
    rules (None when one cannot be read so: the caller judges in its own process)."""
    files = []
    for path in [ORG_FILE, *source.list_yaml(POLICIES_DIR)]:
        data = source.read(path).data if source.exists(path) else None
        if data is None:
            return None
        files.append((path, data))
    return files


def _start(files: list[tuple[str, bytes]], today: date) -> None:
    global _rules
    (_, org_file), *policy_files = files
    policies = [parse_policy(path, data, RULES) for path, data in policy_files]
    _rules = (parse_organization(org_file), policies, today)


def judge(
    path: str, data: bytes, blob: str | None, organization: Organization, policies: list[Policy], today: date
) -> Judged:
    """Parse and judge one file by itself: what engine.run would find in it alone."""
    entry = Entry(path, load_bytes(data), blob)
    catalog = Catalog([entry], organization, policies, today, known_rules=known_rules(policies))
    findings = entry_findings(catalog, entry)
    valid, waivers = catalog.is_valid(entry), valid_waivers(catalog, entry)
    record = result_cache.record_of(entry, valid, findings, waivers)
    return record if record is not None else (entry.loaded, CachedResult(valid, tuple(findings), tuple(waivers)))


def _judge_chunk(files: list[tuple[str, bytes, str | None]]) -> list[Judged]:
    assert _rules is not None, "the pool's initializer sets the rules"
    return [judge(path, data, blob, *_rules) for path, data, blob in files]


def load_catalog(source: Source, today: date, cache: ResultCache | None, jobs: int) -> Catalog:
    """engine.load_catalog for a catalog and rules in the same source, judging the files the cache
    does not know in `jobs` processes. Every entry comes back judged (Entry.cached set)."""
    organization = load_organization(source)
    policies = load_policies(source, reserved_ids=RULES)
    meta = known_rules(policies)
    entries: list[Entry | None] = []
    pending: list[tuple[int, str, bytes, str | None]] = []
    for path in source.list_yaml(CATALOG_DIR, recursive=True):
        found = read_known(source, path, cache, meta)
        if isinstance(found, Entry):
            entries.append(found)
        else:
            pending.append((len(entries), path, *found))
            entries.append(None)
    judged: Iterable[Judged] | None = None
    if len(pending) >= MIN_FILES and jobs > 1:
        judged = _in_workers(source, pending, today, jobs)
    if judged is None:
        # One file at a time, each kept only as its record: the parsed file and its locations are gone
        # before the next is read, so memory does not grow with the size of the entries.
        judged = (judge(path, data, blob, organization, policies, today) for _, path, data, blob in pending)
    for (index, path, _, blob), result in zip(pending, judged, strict=True):
        if isinstance(result, list):
            if cache is not None and blob is not None:
                cache.store(path, blob, result)
            loaded, cached = result_cache.restore(path, result, meta)
            entries[index] = Entry(path, loaded, blob, cached)
        else:
            entries[index] = Entry(path, result[0], blob, result[1])
    return Catalog([entry for entry in entries if entry is not None], organization, policies, today, known_rules=meta)


def _in_workers(
    source: Source, pending: list[tuple[int, str, bytes, str | None]], today: date, jobs: int
) -> list[Judged] | None:
    found = rules_files(source)
    if found is None:
        return None  # load_policies judged them readable a moment ago; let this process judge
    files = [(path, data, blob) for _, path, data, blob in pending]
    chunks = [files[start : start + CHUNK] for start in range(0, len(files), CHUNK)]
    try:
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(chunks)),
            initializer=_start,
            initargs=(found, today),
            mp_context=multiprocessing.get_context(parsing.START_METHOD),
        ) as pool:
            return [judged for chunk in pool.map(_judge_chunk, chunks) for judged in chunk]
    except (OSError, BrokenProcessPool):
        return None


# What no day changes of a version's findings (judge.findings_without_day): whether it fits the schema,
# those findings, and the ids of the entry rules that read the day (judged again for each day).
Dayless = tuple[bool, tuple[Finding, ...], tuple[str, ...]]


def _start_without_day(files: list[tuple[str, bytes]]) -> None:
    _start(files, NO_DAY)  # (NO_DAY is this module's own, not sent: a copy would not be it)


def _parse_and_judge(version: tuple[str, str, bytes]) -> tuple[Loaded, Dayless]:
    assert _rules is not None, "the pool's initializer sets the rules"
    organization, policies, day = _rules
    path, blob, data = version
    entry = Entry(path, load_bytes(data), blob)
    catalog = Catalog([entry], organization, policies, day, known_rules=known_rules(policies))
    found, daily = findings_without_day(catalog, entry)
    return entry.loaded, (catalog.is_valid(entry), tuple(found), tuple(rule.ID for rule in daily))


def judge_versions(
    versions: list[tuple[str, str, bytes]], rules: list[tuple[str, bytes]] | None, jobs: int
) -> Iterator[tuple[str, str, Loaded, Dayless | None]]:
    """Each version (path, blob id, bytes) parsed, in order, as (path, blob id, parse, dayless). With many
    versions, `rules` (the organisation file and the policies, as rules_files reads them) and more than
    one core, workers parse them and judge what no day changes of each by those rules: the audit judges
    each new version of an entry, and its own process was the one kept busy. Otherwise they are parsed
    (sources.parsing.parse_all) and dayless is None: the caller judges."""
    if rules is None or jobs <= 1 or len(versions) < parsing.MIN_BLOBS:
        parsed = parsing.parse_all({blob: data for _, blob, data in versions}, jobs)
        for (path, blob, _), (_, loaded) in zip(versions, parsed, strict=True):
            yield path, blob, loaded, None
        return
    done = 0
    try:
        with ProcessPoolExecutor(
            max_workers=jobs,
            initializer=_start_without_day,
            initargs=(rules,),
            mp_context=multiprocessing.get_context(parsing.START_METHOD),
        ) as pool:
            for loaded, dayless in pool.map(_parse_and_judge, versions, chunksize=parsing.CHUNK):
                path, blob, _ = versions[done]
                yield path, blob, loaded, dayless
                done += 1
    except (OSError, BrokenProcessPool):
        pass  # processes cannot be started or were lost: the rest are parsed here, never lost
    for path, blob, data in versions[done:]:
        yield path, blob, load_bytes(data), None
