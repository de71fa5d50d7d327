"""Every fast path prints what the plain one prints, on the bench's own catalogs (bench/gen_catalog.py,
tidy and messy): workers, the result cache, the output of an unchanged run, the parts of an edited one,
orjson's JSON. The plain path is a check without cache in one process, reading whole entries (the
Markdown report's path), as every check ran before the speed work; the figures in bench/RESULTS.md are
measured on these catalogs at 10,000 entries, and their outputs were compared there with `cmp` too."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from martechgate import __version__
from martechgate.check import cache as cache_module
from martechgate.check import engine, parallel
from martechgate.cli import main
from martechgate.formats import text
from martechgate.formats.controls import json_text
from martechgate.sources.repo import WorkTree
from tests.conftest import ROOT, TODAY

SIZE = 60  # every template of the own catalog, twice and more, with integrations between them


def _generate() -> Any:
    spec = importlib.util.spec_from_file_location("gen_catalog", ROOT / "bench" / "gen_catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


@pytest.fixture(params=[False, True], ids=["tidy", "messy"])
def bench_repo(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # the files were all just written
    monkeypatch.setattr(parallel, "MIN_FILES", 1)  # workers even for a few dozen files
    monkeypatch.setattr(parallel, "CHUNK", 7)
    return Path(_generate()(tmp_path / "bench", SIZE, messy=request.param))


def plain(repo: Path) -> engine.CheckResult:
    return engine.check(WorkTree(repo), today=TODAY, jobs=1, whole_entries=True)


def check(repo: Path, *args: str) -> tuple[int, bytes]:
    result = CliRunner().invoke(main, ["check", "--repo", str(repo), "--today", TODAY.isoformat(), *args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result.exit_code, result.stdout_bytes


def test_every_path_prints_what_the_plain_one_prints(bench_repo: Path, tmp_path: Path) -> None:
    reference = plain(bench_repo)
    expected_text = text.render(reference).encode()
    expected_json = (json_text(reference.report.to_dict(__version__), indent=2) + "\n").encode()
    code = 0 if reference.report.passed else 1
    assert len(reference.report.findings) > SIZE / 3  # findings of every kind, far more when messy
    cache = ["--cache-dir", str(tmp_path / "cache")]
    for args in (["--no-cache", "--jobs", "1"], ["--no-cache", "--jobs", "2"], cache, cache):  # cold, warm, memo
        assert check(bench_repo, *args) == (code, expected_text), args
        assert check(bench_repo, *args, "--format", "json") == (code, expected_json), args
    edited = sorted((bench_repo / "catalog").glob("*.yaml"))[7]
    edited.write_text(edited.read_text().replace("status: approved", "status: in-review"))
    reference = plain(bench_repo)
    expected_text = text.render(reference).encode()
    assert check(bench_repo, *cache) == (0 if reference.report.passed else 1, expected_text)  # the parts
    expected_json = (json_text(reference.report.to_dict(__version__), indent=2) + "\n").encode()
    assert json.loads(check(bench_repo, *cache, "--format", "json")[1]) == json.loads(expected_json)
    assert check(bench_repo, *cache, "--format", "json")[1] == expected_json
