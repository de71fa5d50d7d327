"""Output parts: after an edit, a warm text check renders only the files whose findings may have
changed, and takes the others' text as the last run kept it. The output is always the one a check
without any cache prints, whatever the edit changes elsewhere (findings of rules comparing entries,
waivers, the baseline, the day, the colours, the files named)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from martechgate import caching
from martechgate.check import baseline, engine
from martechgate.check import cache as cache_module
from martechgate.check.cache import OutputParts, ResultCache
from martechgate.cli import main
from martechgate.formats import text
from martechgate.sources.repo import WorkTree
from tests.conftest import TODAY, dump, entry


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files written a moment ago are not trusted by their times; the tests' files all are.
    monkeypatch.setattr(cache_module, "RACY_NS", 0)


def check(repo: Path, folder: Path | None, *args: str) -> tuple[int, bytes]:
    cache = ["--cache-dir", str(folder)] if folder else ["--no-cache"]
    result = CliRunner().invoke(main, ["check", "--repo", str(repo), "--today", TODAY.isoformat(), *cache, *args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result.exit_code, result.stdout_bytes


def same_as_without_cache(repo: Path, folder: Path, *args: str) -> tuple[int, bytes]:
    warm = check(repo, folder, *args)
    assert warm == check(repo, None, *args)
    return warm


def parts_file(folder: Path) -> Path:
    [found] = folder.glob("*.parts")
    return found


def test_every_edit_prints_what_a_check_without_cache_prints(own: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    first = same_as_without_cache(own, folder)
    assert b"waived" in first[1] and b"advisory" in first[1]  # the own catalog has findings and exceptions
    assert parts_file(folder).stat().st_size > 0
    canva = own / "catalog" / "canva.yaml"
    canva.write_text(canva.read_text() + "# an edit\n")
    same_as_without_cache(own, folder)
    # Another entry takes figma's id: figma's own file is unchanged, but it gets a duplicate-id finding.
    typeform = own / "catalog" / "typeform.yaml"
    original = typeform.read_text()
    typeform.write_text(original.replace("id: typeform", "id: figma"))
    duplicate = same_as_without_cache(own, folder)
    assert b"catalog/figma.yaml" in duplicate[1] and b"duplicate-id" in duplicate[1]
    typeform.write_text(original)
    assert same_as_without_cache(own, folder)[1].count(b"duplicate-id") == 0
    # An exception that no longer waives: the entry's own file changes, and so does its part.
    hubspot = own / "catalog" / "hubspot-marketing-hub.yaml"
    hubspot.write_text(hubspot.read_text().replace("expires: ", "expires: 2001-01-01 #", 1))
    same_as_without_cache(own, folder)
    same_as_without_cache(own, folder, "--today", "2027-06-01")  # another day
    same_as_without_cache(own, folder, str(own / "catalog" / "canva.yaml"))  # one file named
    same_as_without_cache(own, folder)
    canva.unlink()
    same_as_without_cache(own, folder)


def test_colour_and_a_report_file_are_the_ones_a_check_without_cache_writes(own: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    check(own, folder, "--color")
    canva = own / "catalog" / "canva.yaml"
    canva.write_text(canva.read_text() + "# an edit\n")
    cached_report, fresh_report = tmp_path / "cached.txt", tmp_path / "fresh.txt"
    coloured = check(own, folder, "--color", "-o", str(cached_report))
    assert coloured == check(own, None, "--color", "-o", str(fresh_report))
    assert b"\x1b[" in coloured[1] and cached_report.read_bytes() == fresh_report.read_bytes()
    assert b"\x1b[" not in cached_report.read_bytes()
    assert check(own, folder) == check(own, None)  # without colour: other parts, the same text


def test_a_new_baseline_renders_every_file_again(own: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    day = "2026-06-01"  # a day with blocking findings in the own catalog
    before = same_as_without_cache(own, folder, "--today", day)
    assert before[0] == 1
    made = CliRunner().invoke(main, ["baseline", "--repo", str(own), "--today", day])
    assert made.exit_code == 0, made.output
    after = same_as_without_cache(own, folder, "--today", day)
    assert after[0] == 0 and b"known, due" in after[1]


def test_kept_parts_are_neither_restored_nor_rendered(own: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    check(own, folder)
    canva = own / "catalog" / "canva.yaml"
    canva.write_text(canva.read_text() + "# an edit\n")
    source = WorkTree(own)
    cache = ResultCache.for_repo(own, source, TODAY, folder)
    known = baseline.load(source, cache)
    parts = OutputParts(cache.path, cache.header["fingerprint"], TODAY, False, known)
    result = engine.check(source, today=TODAY, cache=cache, jobs=1, whole_entries=False, reuse=parts.reusable)
    with_findings = {finding.file for finding in engine.check(WorkTree(own), today=TODAY).report.findings}
    assert result.reused == with_findings - {"catalog/canva.yaml", "martechgate.yaml", None}
    assert result.reused and not {finding.file for finding in result.report.findings} & result.reused
    for kept in result.catalog.entries:
        if kept.file in result.reused:
            assert kept.cached is not None and kept.cached.findings._found._made is None  # type: ignore[attr-defined]
    rendered = text.render_reusing(result, False, parts)
    assert b"".join(rendered.shown) == check(own, None)[1]


def _rewrite(path: Path, edit: Any, checksum: bool) -> None:
    head, _, rest = path.read_bytes().partition(b"\n")
    rest = edit(rest)
    header = json.loads(head)
    if checksum:
        header["crc32"] = caching.checksum(rest)
    path.write_bytes(json.dumps(header).encode() + b"\n" + rest)


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: _rewrite(path, lambda rest: rest.replace(b"fix:", b"FIX:"), checksum=False),
        lambda path: path.write_bytes(path.read_bytes()[:-100]),  # cut short
        lambda path: path.write_bytes(b"\xff\xfe garbage"),
        # A valid checksum over an index whose offsets point past the texts.
        lambda path: _rewrite(path, lambda rest: rest.replace(b",0,", b",99999999,", 1), checksum=True),
    ],
)
def test_damaged_parts_are_ignored(own: Path, tmp_path: Path, damage: Any) -> None:
    folder = tmp_path / "cache"
    check(own, folder)
    canva = own / "catalog" / "canva.yaml"
    canva.write_text(canva.read_text() + "# an edit\n")
    damage(parts_file(folder))
    assert check(own, folder) == check(own, None)


def test_parts_of_another_day_or_other_rules_are_not_taken(own: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    check(own, folder)
    kept = parts_file(folder).read_bytes()
    policy = sorted((own / "policies").glob("*.yaml"))[0]
    policy.write_text(policy.read_text() + "# edited\n")
    canva = own / "catalog" / "canva.yaml"
    canva.write_text(canva.read_text() + "# an edit\n")
    assert check(own, folder) == check(own, None)
    assert parts_file(folder).read_bytes() != kept


def test_a_check_of_a_real_repository_renders_only_the_edited_file(gov_template: Any, tmp_path: Path) -> None:
    repo = tmp_path / "gov"
    shutil.copytree(gov_template.path, repo)
    for name in ("zoom", "canva", "figma"):
        (repo / "catalog" / f"{name}.yaml").write_text(dump(entry(name, status="aproved")))
    folder = tmp_path / "cache"
    same_as_without_cache(repo, folder)
    (repo / "catalog" / "zoom.yaml").write_text(dump(entry("zoom", status="trial")))
    code, shown = same_as_without_cache(repo, folder)
    assert code == 1 and b"catalog/zoom.yaml" not in shown and b"catalog/canva.yaml" in shown
