"""Warm runs: an unchanged file is never parsed twice, results are the same as a cold run, and a
corrupt, foreign or stale cache is ignored and rebuilt."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from martechgate import caching
from martechgate import formats as reporters
from martechgate.check import cache as cache_module
from martechgate.check import engine
from martechgate.check.cache import ResultCache
from martechgate.sources.repo import FileData, WorkTree
from tests.conftest import TODAY, GovRepo, dump, entry

PII = {"classification": "internal", "categories": ["contact-pii"]}


def run(path: Path, folder: Path, today: object = TODAY) -> tuple[dict[str, object], ResultCache]:
    source = WorkTree(path)
    cache = ResultCache.for_repo(path, source, today, folder)  # type: ignore[arg-type]
    result = engine.check(source, today=today, cache=cache)  # type: ignore[arg-type]
    return json.loads(reporters.render("json", result)), cache


def cold(path: Path) -> dict[str, object]:
    return json.loads(reporters.render("json", engine.check(WorkTree(path), today=TODAY)))


def test_warm_run_reads_every_entry_from_cache_with_identical_results(own: Path, tmp_path: Path) -> None:
    first, cache = run(own, tmp_path / "c")
    assert cache.hits == 0 and first == cold(own)
    second, cache = run(own, tmp_path / "c")
    assert cache.hits == len(list((own / "catalog").glob("*.yaml")))
    assert second == first


def test_changed_file_is_judged_again_and_the_rest_come_from_cache(own: Path, tmp_path: Path) -> None:
    run(own, tmp_path / "c")
    path = own / "catalog" / "canva.yaml"
    path.write_text(path.read_text().replace("status: approved", "status: aproved"))
    report, cache = run(own, tmp_path / "c")
    assert cache.hits == len(list((own / "catalog").glob("*.yaml"))) - 1
    assert report == cold(own)
    assert any(f["file"] == "catalog/canva.yaml" and f["path"] == "status" for f in report["findings"])  # type: ignore[index, union-attr]


def test_cached_entry_gets_new_cross_entry_findings(gov: GovRepo, tmp_path: Path) -> None:
    """forms is cached; crm then stops being cleared for contact-pii: forms' flow is now a finding."""
    gov.add_entry("crm", data=PII, review={"risk_tier": "medium", "last_reviewed": "2026-06-01"})
    gov.add_entry(
        "forms",
        data=PII,
        review={"risk_tier": "medium", "last_reviewed": "2026-06-01"},
        integrations=[{"target": "crm", "direction": "outbound", "data": ["contact-pii"]}],
    )
    first, _ = run(gov.path, tmp_path / "c")
    assert not [f for f in first["findings"] if f["rule"] == "data-flow-clearance"]  # type: ignore[union-attr]
    gov.add_entry("crm")  # now holds no personal data
    second, cache = run(gov.path, tmp_path / "c")
    assert cache.hits == 1  # forms came from the cache
    flows = [f for f in second["findings"] if f["rule"] == "data-flow-clearance"]  # type: ignore[union-attr]
    assert [(f["file"], f["path"]) for f in flows] == [("catalog/forms.yaml", "integrations.0.data")]
    assert flows[0]["line"] is not None
    assert second == cold(gov.path)


def test_cached_waivers_still_waive(own: Path, tmp_path: Path) -> None:
    run(own, tmp_path / "c")
    report, _ = run(own, tmp_path / "c")
    assert any(f["waived_by"] for f in report["findings"])  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated
        lambda raw: raw.replace(b"true", b"false", 1),  # edited: the checksum fails
        lambda raw: b"\x00\xff garbage",
        lambda raw: b"{}\n{}",
        lambda raw: b'{"format": "something-else/9"}\n' + raw.split(b"\n", 1)[1],
    ],
)
def test_corrupt_or_foreign_cache_is_ignored_and_rebuilt(own: Path, tmp_path: Path, damage: object) -> None:
    expected, cache = run(own, tmp_path / "c")
    cache.path.write_bytes(damage(cache.path.read_bytes()))  # type: ignore[operator]
    report, cache = run(own, tmp_path / "c")
    assert cache.hits == 0 and report == expected
    assert run(own, tmp_path / "c")[1].hits > 0  # rebuilt


def forge(
    cache_file: Path, edit_index: Callable[[dict[str, Any]], None], edit_findings: Callable[[bytes], bytes]
) -> None:
    """Edit a cache file's index and kept findings and give it a valid checksum: a forgery only its
    shape can betray."""
    header, rest = cache_file.read_bytes().split(b"\n", 1)
    index_line, findings = rest.split(b"\n", 1)
    index = json.loads(index_line)
    edit_index(index)
    rest = json.dumps(index).encode() + b"\n" + edit_findings(findings)
    head = json.loads(header)
    head["crc32"] = caching.checksum(rest)
    cache_file.write_bytes(json.dumps(head).encode() + b"\n" + rest)


def test_record_of_wrong_shape_drops_the_cache(own: Path, tmp_path: Path) -> None:
    def bad_waivers(index: dict[str, Any]) -> None:
        for record in index["records"].values():
            record[3] = [["no-such-rule"]]

    expected, cache = run(own, tmp_path / "c")
    forge(cache.path, bad_waivers, lambda findings: findings)
    report, cache = run(own, tmp_path / "c")
    assert report == expected and cache.hits == 0


def test_findings_of_the_wrong_shape_read_late_make_the_check_judge_afresh(own: Path, tmp_path: Path) -> None:
    # A record's findings are parsed only when read, after the run has begun: an unknown rule there
    # (or any other shape) is found then, and the check starts again without the cache's records.
    expected, cache = run(own, tmp_path / "c")
    assert b'[[["' in cache.path.read_bytes()  # a record with findings: [[[rule, ...
    forge(cache.path, lambda index: None, lambda findings: findings.replace(b'[[["', b'[[[7,"', 1))  # seven fields
    report, cache = run(own, tmp_path / "c")
    assert report == expected and b"[[[7," not in cache.path.read_bytes()  # judged afresh, and rebuilt
    report, cache = run(own, tmp_path / "c")
    assert report == expected and cache.hits > 0


class CountingTree(WorkTree):
    """The working tree, counting the catalog files it reads."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.reads: list[str] = []

    def read(self, path: str) -> FileData:
        if path.startswith("catalog/"):
            self.reads.append(path)
        return super().read(path)


def counted_run(path: Path, folder: Path) -> tuple[dict[str, object], CountingTree]:
    source = CountingTree(path)
    cache = ResultCache.for_repo(path, source, TODAY, folder)
    result = engine.check(source, today=TODAY, cache=cache)
    return json.loads(reporters.render("json", result)), source


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled at once (in real use: 2 s after their last change)."""
    monkeypatch.setattr(cache_module, "RACY_NS", -(10**12))


@pytest.mark.usefixtures("settled")
def test_unchanged_file_is_not_even_read_again(own: Path, tmp_path: Path) -> None:
    first, source = counted_run(own, tmp_path / "c")
    assert len(source.reads) == len(list((own / "catalog").glob("*.yaml")))
    second, source = counted_run(own, tmp_path / "c")
    assert source.reads == [] and second == first == cold(own)


@pytest.mark.usefixtures("settled")
def test_same_size_edit_with_the_old_modification_time_is_still_seen(own: Path, tmp_path: Path) -> None:
    """Tools that restore modification times (cp -p, rsync -t, tar) cannot hide an edit: the change
    time and inode are part of a file's identity too."""
    counted_run(own, tmp_path / "c")
    path = own / "catalog" / "canva.yaml"
    before = path.stat()
    text = path.read_text()
    assert "status: approved" in text
    path.write_text(text.replace("status: approved", "status: approveX"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    report, source = counted_run(own, tmp_path / "c")
    assert source.reads == ["catalog/canva.yaml"]
    assert report == cold(own)
    assert any(f["file"] == "catalog/canva.yaml" and f["path"] == "status" for f in report["findings"])  # type: ignore[index, union-attr]


@pytest.mark.usefixtures("settled")
def test_file_replaced_by_a_link_out_of_the_repo_is_refused_not_taken_from_the_cache(own: Path, tmp_path: Path) -> None:
    counted_run(own, tmp_path / "c")
    outside = tmp_path / "outside.yaml"
    outside.write_bytes((own / "catalog" / "canva.yaml").read_bytes())
    (own / "catalog" / "canva.yaml").unlink()
    (own / "catalog" / "canva.yaml").symlink_to(outside)
    report, _ = counted_run(own, tmp_path / "c")
    assert any(f["file"] == "catalog/canva.yaml" and f["rule"] == "file-refused" for f in report["findings"])  # type: ignore[index, union-attr]


def test_a_file_changed_just_before_the_run_is_read_again(own: Path, tmp_path: Path) -> None:
    """Racy files: changed within a clock tick of the run, they could change again unseen, so their
    identity is not kept and the next run reads them (and still takes their results from the cache)."""
    _, source = counted_run(own, tmp_path / "c")
    _, source = counted_run(own, tmp_path / "c")
    assert len(source.reads) == len(list((own / "catalog").glob("*.yaml")))
    assert ResultCache.for_repo(own, WorkTree(own), TODAY, tmp_path / "c").stats == {}


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize(
    "stats",
    [{"catalog/canva.yaml": "oops"}, {"catalog/canva.yaml": [1, 2, 3]}, [], {"catalog/canva.yaml": [0, 0, 0, 0, 0, 7]}],
)
def test_file_identities_of_the_wrong_shape_are_not_trusted(own: Path, tmp_path: Path, stats: object) -> None:
    expected, _ = counted_run(own, tmp_path / "c")
    forge(
        ResultCache.for_repo(own, WorkTree(own), TODAY, tmp_path / "c").path,
        lambda loaded: loaded.update(stats=stats),
        lambda findings: findings,
    )
    report, _ = counted_run(own, tmp_path / "c")
    assert report == expected


def test_another_day_or_other_rules_ignore_the_cache(own: Path, tmp_path: Path) -> None:
    from datetime import date

    run(own, tmp_path / "c")
    assert run(own, tmp_path / "c", date(2026, 12, 1))[1].hits == 0
    run(own, tmp_path / "c")
    policy = own / "policies" / "pii-requires-scim.yaml"
    policy.write_text(policy.read_text().replace("severity: medium", "severity: high"))
    assert run(own, tmp_path / "c")[1].hits == 0


def test_cli_no_cache_writes_nothing_and_cache_dir_is_used(own: Path, tmp_path: Path, run_cli: object) -> None:
    folder = tmp_path / "cli-cache"
    result = run_cli("check", str(own), "--today", "2026-11-23", "--no-cache", "--cache-dir", str(folder))  # type: ignore[operator]
    assert result.returncode == 0 and not folder.exists()
    first = run_cli("check", str(own), "--today", "2026-11-23", "--format", "json", "--cache-dir", str(folder))  # type: ignore[operator]
    second = run_cli("check", str(own), "--today", "2026-11-23", "--format", "json", "--cache-dir", str(folder))  # type: ignore[operator]
    assert len(list(folder.glob("*.json"))) == 1
    assert first.stdout == second.stdout


def test_cache_in_the_repository_is_never_read(own: Path, tmp_path: Path) -> None:
    """A pull request cannot smuggle results in: the cache lives outside the governance repo."""
    (own / "catalog" / "bad.yaml").write_text(dump(entry("bad", status="aproved")))
    _, cache = run(own, tmp_path / "c")
    assert not cache.path.is_relative_to(own)


def test_markdown_shows_every_entry_in_full_after_a_cached_run(own: Path, tmp_path: Path, run_cli: object) -> None:
    """The markdown report shows each entry's fields; cached entries keep only a projection, so that
    format reads every entry afresh."""
    args = ["check", str(own), "--today", "2026-11-23", "--cache-dir", str(tmp_path / "c")]
    run_cli(*args, "--format", "json")  # type: ignore[operator]
    warm = run_cli(*args, "--format", "markdown", "--jobs", "2")  # type: ignore[operator]
    cold = run_cli(*args, "--format", "markdown", "--no-cache", "--jobs", "1")  # type: ignore[operator]
    assert warm.stdout == cold.stdout
    assert "| Vendor | Canva Pty Ltd (AU) |" in warm.stdout


@pytest.mark.parametrize("inside", [".cache", "catalog/.hidden", "."])
def test_a_cache_folder_inside_the_repository_is_refused(own: Path, run_cli: Any, inside: str) -> None:
    """CI told to keep its cache in the checkout would read results a pull request committed there."""
    result = run_cli("check", str(own), "--cache-dir", str(own / inside))
    assert result.returncode == 2 and "inside the governance repo" in result.stderr
    assert "--no-cache" in result.stderr and "Traceback" not in result.stderr
    assert run_cli("check", str(own), "--cache-dir", str(own / inside), "--no-cache").returncode == 0


@pytest.mark.usefixtures("settled")
def test_identities_taken_for_the_run_memo_are_used_once_and_an_edit_after_them_is_seen(
    own: Path, tmp_path: Path
) -> None:
    """The run memo's key takes every file's identity; the result cache then uses those rather than ask
    again. The run judges the catalog as it was when they were taken (as if it had started a moment
    earlier), and keeps that memo under that state's key; an edit made after is seen by the next run."""
    before, _ = counted_run(own, tmp_path / "c")
    source = CountingTree(own)
    taken: dict[str, Any] = {}
    files = source.list_yaml("catalog", recursive=True)
    assert cache_module.RunMemo.key(source, files, "rules", TODAY, [], taken) is not None
    assert sorted(taken) == sorted(files)
    path = own / "catalog" / "canva.yaml"
    path.write_text(path.read_text().replace("status: approved", "status: aproved"))
    cache = ResultCache.for_repo(own, source, TODAY, tmp_path / "c", taken=taken)
    report = json.loads(reporters.render("json", engine.check(source, today=TODAY, cache=cache)))
    assert source.reads == [] and cache.taken == {} and report == before
    after, source = counted_run(own, tmp_path / "c")
    assert source.reads == ["catalog/canva.yaml"]
    assert after == cold(own) != before


def test_a_value_json_cannot_hold_leaves_the_cache_unwritten_and_the_run_whole(own: Path, tmp_path: Path) -> None:
    _, cache = run(own, tmp_path / "c")
    written = cache.path.read_bytes()
    cache.store("catalog/huge.yaml", "0" * 40, [True, {"id": 2**70}, {}, [], [], []])
    cache.save()
    assert cache.path.read_bytes() == written
