"""`martechgate check PATH...` (one file, a folder, as editors and pre-commit pass them) and the one
repository option, --repo / -C, that every command takes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, GovRepo, entry


def report(run_cli: Any, *args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", *args, "--today", "2026-11-23", "--format", "json", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.fixture
def two_tools(gov: GovRepo) -> GovRepo:
    gov.add_entry("good")
    gov.add_entry("bad", status="aproved")
    gov.add_entry("other")
    return gov


def test_one_file_limits_the_report(two_tools: GovRepo, run_cli: Any) -> None:
    code, good = report(run_cli, "catalog/good.yaml", cwd=two_tools.path)
    assert code == 0 and good["summary"]["entries"] == 1 and good["findings"] == []
    code, bad = report(run_cli, "catalog/bad.yaml", cwd=two_tools.path)
    assert code == 1 and bad["summary"]["entries"] == 1
    assert {f["file"] for f in bad["findings"]} == {"catalog/bad.yaml"}


def test_no_path_is_the_whole_catalog(two_tools: GovRepo, run_cli: Any) -> None:
    code, result = report(run_cli, cwd=two_tools.path)
    assert code == 1 and result["summary"]["entries"] == 3
    assert {f["file"] for f in result["findings"]} == {"catalog/bad.yaml"}


def test_a_folder_and_several_files(two_tools: GovRepo, run_cli: Any) -> None:
    _, folder = report(run_cli, str(two_tools.path / "catalog"))  # from anywhere: the repo is found
    assert folder["summary"]["entries"] == 3
    _, both = report(run_cli, "catalog/good.yaml", "catalog/other.yaml", cwd=two_tools.path)
    assert both["summary"]["entries"] == 2 and both["findings"] == []
    _, everything = report(run_cli, str(two_tools.path))
    assert everything["summary"]["entries"] == 3


def test_cross_entry_rules_still_see_the_whole_catalog(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("first")
    gov.write("catalog/second.yaml", json.dumps(entry("first")))  # the same id in another file
    gov.add_entry("linked", integrations=[{"target": "first", "direction": "outbound", "data": [], "method": "api"}])
    _, second = report(run_cli, "catalog/second.yaml", cwd=gov.path)
    assert {f["rule"] for f in second["findings"]} >= {"duplicate-id"}
    _, linked = report(run_cli, "catalog/linked.yaml", cwd=gov.path)
    assert not any(f["rule"] == "unknown-reference" for f in linked["findings"])  # `first` exists elsewhere


def test_a_rules_file_checks_everything(two_tools: GovRepo, run_cli: Any) -> None:
    code, result = report(run_cli, "martechgate.yaml", "catalog/good.yaml", cwd=two_tools.path)
    assert code == 1 and result["summary"]["entries"] == 3


@pytest.mark.parametrize(
    "path, says",
    [("catalog/missing.yaml", "does not exist"), ("README.md", "is not a catalog entry"), ("/", "not inside")],
)
def test_a_path_that_is_no_entry_is_exit_2(path: str, says: str, two_tools: GovRepo, run_cli: Any) -> None:
    (two_tools.path / "README.md").write_text("# governance\n")
    result = run_cli("check", path, "--repo", str(two_tools.path), cwd=two_tools.path)
    assert result.returncode == 2 and says in result.stderr, result.stderr


def test_base_takes_no_paths(two_tools: GovRepo, run_cli: Any) -> None:
    result = run_cli("check", "catalog/good.yaml", "--base", "HEAD", cwd=two_tools.path)
    assert result.returncode == 2 and "takes no PATH" in result.stderr


# --- pre-commit ----------------------------------------------------------------------------------


def test_the_hook_entry_reports_on_the_staged_files(two_tools: GovRepo, run_cli: Any) -> None:
    """What pre-commit runs: the hook's entry with the staged files, from the repo's root."""
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "entry: martechgate check" in hooks and "pass_filenames: true" in hooks
    passed = run_cli("check", "catalog/good.yaml", "catalog/other.yaml", cwd=two_tools.path)
    assert passed.returncode == 0 and "passed: 2 entries checked" in passed.stdout
    failed = run_cli("check", "catalog/bad.yaml", cwd=two_tools.path)
    assert failed.returncode == 1 and "catalog/bad.yaml" in failed.stdout


@pytest.mark.slow
def test_pre_commit_try_repo(two_tools: GovRepo, tmp_path: Path) -> None:
    """pre-commit installs this repository as a hook (as another governance repo's config would) and
    runs it on the staged files named: the bad entry fails the commit, and only those two are judged."""
    pre_commit = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install '.[test]' installs it)")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def run(*files: str) -> subprocess.CompletedProcess[str]:
        args = [pre_commit, "try-repo", str(ROOT), "martechgate-check", "--files", *files]
        return subprocess.run(args, cwd=two_tools.path, env=env, capture_output=True, text=True, timeout=600)

    two_tools.git("add", "-A")
    # One run (installing the hook's environment takes most of a minute): two files of three.
    result = run("catalog/bad.yaml", "catalog/good.yaml")
    assert result.returncode == 1 and "Failed" in result.stdout, result.stdout + result.stderr
    assert "catalog/bad.yaml" in result.stdout and "failed: 2 entries checked" in result.stdout


# --- one repository option ------------------------------------------------------------------------

COMMANDS = [
    ["check"],
    ["test"],
    ["rules"],
    ["spend"],
    ["renewals"],
    ["overlap"],
    ["graph"],
    ["codeowners"],
    ["ruleset"],
    ["history", "canva"],
    ["inventory", "--as-of", "2026-11-23"],
    ["verify"],
    ["explain", "pii-requires-sso"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_every_command_takes_the_repo_option(args: list[str], gov: GovRepo, run_cli: Any) -> None:
    spelling = "-C" if len(args[0]) % 2 else "--repo"  # both spellings, each on about half the commands
    gov.add_entry("canva")
    gov.commit("Add canva")
    result = run_cli(*args, spelling, str(gov.path), cwd=ROOT.parent)
    assert result.returncode in (0, 1), result.stderr
    assert "deprecated" not in result.stderr


@pytest.mark.parametrize("args", [["spend"], ["renewals"], ["test"], ["codeowners"], ["overlap"]])
def test_the_positional_repo_still_works_with_a_note(args: list[str], gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("canva")
    named = run_cli(*args, "--repo", str(gov.path), cwd=ROOT.parent)
    legacy = run_cli(*args, str(gov.path), cwd=ROOT.parent)
    assert legacy.returncode == named.returncode and legacy.stdout == named.stdout
    assert f"deprecated; write --repo {gov.path}" in legacy.stderr


def test_the_repo_named_twice_differently_is_exit_2(gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("spend", str(tmp_path), "--repo", str(gov.path))
    assert result.returncode == 2 and "named twice" in result.stderr


def test_site_takes_the_option_after_its_folder(gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    gov.add_entry("canva")
    result = run_cli("site", str(tmp_path / "out"), "-C", str(gov.path), "--today", "2026-11-23")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "index.html").is_file()
