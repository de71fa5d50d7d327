"""The default branch is read from the repository, never assumed to be `main`: inventory, audit and
verify on a repo whose branch is master, a clone (origin/HEAD), the organisation file's
`default_branch`, git's init.defaultBranch, and a plain account when nothing says."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from martechgate.sources.git import Git
from tests.conftest import dump, entry

# Neither the machine's nor the user's git configuration: init.defaultBranch unset, as on a fresh machine.
ISOLATED = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
ORG = (Path(__file__).resolve().parents[1] / "martechgate.yaml").read_text(encoding="utf-8")


def git(path: Path, *args: str) -> str:
    env = {**os.environ, **ISOLATED, "GIT_AUTHOR_DATE": "2026-03-01T10:00:00+00:00"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    result = subprocess.run(["git", *args], cwd=path, env=env, check=True, capture_output=True, text=True)
    return result.stdout.strip()


def repo(path: Path, branch: str, organisation: str = ORG) -> Path:
    """A governance repo made by `git init` with no -b: git's own default branch, renamed to `branch`."""
    path.mkdir(parents=True)
    git(path, "init", "-q")
    git(path, "config", "user.name", "Ann")
    git(path, "config", "user.email", "ann@example.com")
    (path / "catalog").mkdir()
    (path / "martechgate.yaml").write_text(organisation, encoding="utf-8")
    (path / "catalog" / "canva.yaml").write_text(dump(entry("canva")), encoding="utf-8")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "Start")
    git(path, "branch", "-M", branch)
    return path


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ISOLATED.items():
        monkeypatch.setenv(key, value)


def inventory(run_cli: Any, path: Path, *extra: str) -> Any:
    return run_cli("inventory", "--as-of", "2026-12-31", "--repo", str(path), "--format", "json", *extra)


def test_a_master_repository_works(tmp_path: Path, run_cli: Any) -> None:
    path = repo(tmp_path / "gov", "master")
    result = inventory(run_cli, path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["meta"]["ref"] == "master" and [row["id"] for row in document["rows"]] == ["canva"]
    audit = run_cli("audit", "--since", "2026-01-01", "--until", "2026-12-31", "--repo", str(path), "--format", "json")
    assert audit.returncode == 0, audit.stderr
    verify = run_cli("verify", "--repo", str(path))
    assert verify.returncode == 1 and "no approval record" in verify.stdout.lower(), verify.stdout + verify.stderr


def test_a_clone_follows_origin_head(tmp_path: Path, run_cli: Any) -> None:
    origin = repo(tmp_path / "origin", "trunk")
    git(origin, "branch", "other")
    subprocess.run(
        ["git", "clone", "-q", str(origin), str(tmp_path / "clone")], check=True, env={**os.environ, **ISOLATED}
    )
    clone = tmp_path / "clone"
    assert Git(clone).default_branch() == "trunk"
    git(clone, "checkout", "-q", "--detach")
    git(clone, "branch", "-D", "trunk")  # as in CI: no local branch, only origin/trunk
    assert Git(clone).default_branch() == "origin/trunk"
    assert json.loads(inventory(run_cli, clone).stdout)["meta"]["ref"] == "origin/trunk"


def test_the_organisation_file_names_it(tmp_path: Path, run_cli: Any) -> None:
    path = repo(tmp_path / "gov", "trunk", ORG + "default_branch: trunk\n")
    git(path, "branch", "feature")
    result = inventory(run_cli, path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["meta"]["ref"] == "trunk"
    assert run_cli("check", "--repo", str(path)).returncode == 0  # the key is part of the organisation file


def test_init_default_branch_when_that_branch_exists(tmp_path: Path) -> None:
    path = repo(tmp_path / "gov", "develop")
    git(path, "branch", "release")
    git(path, "config", "init.defaultBranch", "release")
    assert Git(path).default_branch() == "release"
    git(path, "config", "init.defaultBranch", "gone")
    with pytest.raises(Exception, match="no branch gone"):
        Git(path).default_branch()


def test_nothing_says_which_branch(tmp_path: Path, run_cli: Any) -> None:
    path = repo(tmp_path / "gov", "develop")
    git(path, "branch", "release")
    result = inventory(run_cli, path)
    assert result.returncode == 2
    assert "does not say which branch is its default" in result.stderr
    assert "its branches are develop, release" in result.stderr
    assert "--ref BRANCH" in result.stderr and "default_branch: BRANCH" in result.stderr
    assert inventory(run_cli, path, "--ref", "release").returncode == 0
