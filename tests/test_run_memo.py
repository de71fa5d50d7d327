"""The run memo: a check whose every input is unchanged on disk prints the last run's output without
loading the result cache; any edit, new or removed file, other option or day runs the check again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from martechgate.check import cache as cache_module
from martechgate.cli import main
from tests.conftest import TODAY, GovRepo, dump, entry


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files written a moment ago are not trusted by their times (they could change again within the
    # clock's tick); the tests' files all are, so the window is closed here rather than waited out.
    monkeypatch.setattr(cache_module, "RACY_NS", 0)


def check(gov: GovRepo, folder: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["check", "--repo", str(gov.path), "--today", TODAY.isoformat(), "--cache-dir", str(folder), *args]
    )
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result.exit_code, result.stdout


def files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_an_unchanged_catalog_prints_the_last_output_without_the_cache(gov: GovRepo, tmp_path: Path) -> None:
    gov.add_entry("canva")
    gov.add_entry("broken", status="aproved")
    folder = tmp_path / "cache"
    first = check(gov, folder)
    assert first[0] == 1 and "broken" in first[1]
    [memo] = [name for name in files(folder) if name.endswith(".last.json")]
    # Break the result cache: a run served by the memo does not read it, nor write it again.
    [results] = [folder / name for name in files(folder) if name.endswith(".json") and not name.endswith(".last.json")]
    results.write_bytes(b"not a cache")
    assert check(gov, folder) == first
    assert results.read_bytes() == b"not a cache"
    assert memo in files(folder)


def test_any_edit_new_or_removed_file_runs_the_check_again(gov: GovRepo, tmp_path: Path) -> None:
    gov.add_entry("canva")
    folder = tmp_path / "cache"
    passed = check(gov, folder)
    assert passed[0] == 0
    gov.write("catalog/canva.yaml", dump(entry("canva", status="aproved")))
    assert check(gov, folder)[0] == 1  # edited
    gov.add_entry("canva")
    assert check(gov, folder) == passed  # edited back
    gov.write("catalog/hr/zoom.yaml", dump(entry("zoom", status="aproved")))
    assert check(gov, folder)[0] == 1  # a new file, in a folder
    os.remove(gov.path / "catalog" / "hr" / "zoom.yaml")
    assert check(gov, folder) == passed  # removed


def test_other_options_and_another_day_are_other_runs(gov: GovRepo, tmp_path: Path) -> None:
    gov.add_entry("canva")
    folder = tmp_path / "cache"
    text = check(gov, folder)
    as_json = check(gov, folder, "--format", "json")
    assert as_json[1].startswith("{") and check(gov, folder) == text
    output = tmp_path / "report.json"
    assert check(gov, folder, "--format", "json", "-o", str(output)) == as_json
    assert output.read_text(encoding="utf-8") == as_json[1]
    [memo] = [folder / name for name in files(folder) if name.endswith(".last.json")]
    kept = memo.read_bytes()
    later = CliRunner().invoke(
        main, ["check", "--repo", str(gov.path), "--today", "2030-01-01", "--cache-dir", str(folder)]
    )
    assert later.exit_code == 0 and memo.read_bytes() != kept  # judged again, and kept under another key


def test_a_damaged_memo_is_ignored(gov: GovRepo, tmp_path: Path) -> None:
    gov.add_entry("canva")
    folder = tmp_path / "cache"
    first = check(gov, folder)
    [memo] = [folder / name for name in files(folder) if name.endswith(".last.json")]
    memo.write_bytes(memo.read_bytes()[:-10])  # cut short
    assert check(gov, folder) == first


def test_an_edited_memo_is_not_trusted(gov: GovRepo, tmp_path: Path) -> None:
    gov.add_entry("broken", status="aproved")
    folder = tmp_path / "cache"
    first = check(gov, folder)
    [memo] = [folder / name for name in files(folder) if name.endswith(".last.json")]
    memo.write_bytes(memo.read_bytes().replace(b"failed", b"passed"))  # same length, other words
    assert check(gov, folder) == first
