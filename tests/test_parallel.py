"""A cold check on several cores: worker processes parse and judge the files, and the report is the
same, byte for byte, as one process's, bad files included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from martechgate import formats as reporters
from martechgate.audit import history
from martechgate.audit import report as audit_report
from martechgate.check import engine, parallel
from martechgate.check.cache import PROJECTED, ResultCache
from martechgate.check.organisation import load_organization
from martechgate.check.policy import load_policies
from martechgate.check.rules import RULES, known_rules
from martechgate.sources import parsing
from martechgate.sources.repo import WorkTree
from tests.conftest import ROOT, TODAY, GovRepo, dump, entry
from tests.test_history import build_story


@pytest.fixture
def mixed(own: Path, tmp_path: Path) -> Path:
    """The repo's own catalog and policies, with bad files of every kind among the good ones."""
    catalog = own / "catalog"
    (catalog / "broken.yaml").write_text("id: broken\nname: [unclosed\n")
    (catalog / "twice.yaml").write_text(dump(entry("twice")) + "name: Again\n")
    (catalog / "typed.yaml").write_text(dump(entry("typed", status="aproved", owners="nobody")))
    (catalog / "binary.yaml").write_bytes(b"id: binary\n\x00\x01")
    (catalog / "latin1.yaml").write_bytes(dump(entry("latin1", name="Caf\xe9")).encode("latin-1"))
    (tmp_path / "secret.yaml").write_text(dump(entry("secret")))
    (catalog / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    (catalog / "copy-of-canva.yaml").write_bytes((catalog / "canva.yaml").read_bytes())  # a duplicate id
    return own


def report(repo: Path, jobs: int, cache: ResultCache | None = None) -> dict[str, Any]:
    result = engine.check(WorkTree(repo), today=TODAY, cache=cache, jobs=jobs)
    return json.loads(reporters.render("json", result))  # type: ignore[no-any-return]


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use workers even for a few dozen files, a handful per chunk, so several chunks are in flight."""
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    monkeypatch.setattr(parallel, "CHUNK", 4)


@pytest.mark.usefixtures("small_pool")
def test_workers_give_the_same_report_as_one_process(mixed: Path) -> None:
    one = report(mixed, jobs=1)
    rules = {finding["rule"] for finding in one["findings"]}
    assert {"yaml-syntax", "duplicate-key", "schema", "file-refused", "duplicate-id"} <= rules
    assert any(finding["waived_by"] for finding in one["findings"])
    assert report(mixed, jobs=2) == one


def test_one_process_keeps_only_what_rules_comparing_entries_read(mixed: Path) -> None:
    # Without workers too, a check whose report needs no whole entry judges each file as it is read
    # and keeps its findings and the few fields rules comparing entries read, not the parsed file:
    # at 10,000 entries this is 174 MB of memory instead of 399 MB (bench/RESULTS.md).
    whole = engine.check(WorkTree(mixed), today=TODAY, jobs=1)
    kept = engine.check(WorkTree(mixed), today=TODAY, jobs=1, whole_entries=False)
    assert all(entry.cached is None for entry in whole.catalog.entries)
    readable = [entry for entry in kept.catalog.entries if entry.loaded.ok and not entry.loaded.problems]
    assert readable and all(entry.cached is not None for entry in readable)
    assert all(set(entry.data or {}) <= {*PROJECTED, "data"} for entry in readable)
    assert reporters.render("json", kept) == reporters.render("json", whole)


@pytest.mark.usefixtures("small_pool")
@pytest.mark.parametrize("start", [None, "spawn"])  # spawn: macOS and Windows start workers afresh
def test_work_really_goes_to_worker_processes(mixed: Path, start: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "START_METHOD", start)
    source = WorkTree(mixed)
    policies = load_policies(source, reserved_ids=RULES)
    files = [(path, source.read(path)) for path in source.list_yaml("catalog")]
    pending = [(i, path, file.data, file.blob) for i, (path, file) in enumerate(files) if file.data is not None]
    in_workers = parallel._in_workers(source, pending, TODAY, jobs=2)
    assert in_workers is not None, "the pool ran"
    here = [
        parallel.judge(path, data, blob, load_organization(source), policies, TODAY) for _, path, data, blob in pending
    ]
    assert in_workers == here


@pytest.mark.usefixtures("small_pool")
def test_workers_fill_the_cache_and_the_warm_run_agrees(mixed: Path, tmp_path: Path) -> None:
    source = WorkTree(mixed)
    cold = report(mixed, jobs=2, cache=ResultCache.for_repo(mixed, source, TODAY, tmp_path / "c"))
    cache = ResultCache.for_repo(mixed, source, TODAY, tmp_path / "c")
    assert report(mixed, jobs=2, cache=cache) == cold == report(mixed, jobs=1)
    unreadable = 5  # broken, twice, binary, latin1, link: judged again each run, as cheap as a lookup
    assert cache.hits == len(list((mixed / "catalog").glob("*.yaml"))) - unreadable


@pytest.mark.usefixtures("small_pool")
def test_when_processes_cannot_start_the_files_are_judged_here(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class NoProcesses:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise OSError(11, "Resource temporarily unavailable")

    expected = report(mixed, jobs=1)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", NoProcesses)
    assert report(mixed, jobs=2) == expected


def test_cached_findings_keep_their_rules_severity(mixed: Path) -> None:
    meta = known_rules(load_policies(WorkTree(mixed), reserved_ids=RULES))
    found = report(mixed, jobs=2)["findings"]
    assert all(finding["severity"] == meta[finding["rule"]][0] for finding in found)


def test_cli_jobs(mixed: Path, run_cli: Any) -> None:
    one = run_cli("check", str(mixed), "--today", "2026-11-23", "--format", "json", "--no-cache", "-j", "1")
    two = run_cli("check", str(mixed), "--today", "2026-11-23", "--format", "json", "--no-cache", "--jobs", "2")
    assert one.returncode == two.returncode == 1 and one.stdout == two.stdout
    wrong = run_cli("check", str(mixed), "--jobs", "-1")
    assert wrong.returncode == 2 and "--jobs" in wrong.stderr and "Traceback" not in wrong.stderr


def test_versions_parse_the_same_in_workers_and_here(monkeypatch: pytest.MonkeyPatch) -> None:
    blobs = {
        "good": (ROOT / "catalog" / "canva.yaml").read_bytes(),
        "broken": b"id: broken\nname: [unclosed\n",
        "twice": b"id: twice\nid: again\n",
        "latin1": "id: caf\xe9\n".encode("latin-1"),
    }
    here = list(parsing.parse_all(blobs, jobs=1))
    monkeypatch.setattr(parsing, "MIN_BLOBS", 1)
    monkeypatch.setattr(parsing, "CHUNK", 1)
    there = list(parsing.parse_all(blobs, jobs=2))
    assert [blob for blob, _ in there] == list(blobs)
    assert [(b, vars(loaded)) for b, loaded in there] == [(b, vars(loaded)) for b, loaded in here]
    assert here[0][1].ok and not here[1][1].ok and here[2][1].problems and here[3][1].problems


def test_history_and_audit_are_the_same_with_versions_parsed_in_workers(
    gov: GovRepo, monkeypatch: pytest.MonkeyPatch, run_cli: Any
) -> None:
    build_story(gov)
    commands = [
        # --no-cache: the second run would otherwise take every version from the first's
        ("history", "hubspot-marketing-hub", "--repo", str(gov.path), "--format", "json", "--no-cache"),
        ("audit", "--repo", str(gov.path), "--since", "2026-01-01", "--until", "2026-12-31", "--format", "csv"),
    ]
    judged_here: list[str] = []
    judge = audit_report.findings_without_day

    def counted(catalog: Any, entry: Any) -> Any:
        judged_here.append(entry.file)
        return judge(catalog, entry)

    monkeypatch.setattr(audit_report, "findings_without_day", counted)
    here = [run_cli(*command) for command in commands]
    alone = len(judged_here)
    monkeypatch.setattr(parsing, "MIN_BLOBS", 1)
    monkeypatch.setattr(history, "available_cores", lambda: 2)
    monkeypatch.setattr(audit_report, "available_cores", lambda: 2)
    there = [run_cli(*command) for command in commands]
    for one, other in zip(here, there, strict=True):
        assert one.returncode == other.returncode == 0 and one.stdout == other.stdout, other.stderr
    # The workers judged the versions for what no day changes, by the rules the period starts with.
    assert alone > 0 and len(judged_here) == alone
    assert "hubspot" in there[1].stdout and "unreadable" in there[0].stdout
