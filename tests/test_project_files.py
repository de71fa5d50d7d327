"""The project's own habits: one version, an architecture note that matches the tree, a changelog, the
pre-commit hooks and the release workflow."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from typing import Any

import yaml

import martechgate
from tests.conftest import ROOT

PACKAGE = ROOT / "src" / "martechgate"


def _text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_the_version_is_written_once() -> None:
    project = tomllib.loads(_text("pyproject.toml"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "martechgate.__version__"}
    assert importlib.metadata.version("martechgate") == martechgate.__version__


def test_architecture_names_every_package_and_module_of_the_top() -> None:
    text = _text("ARCHITECTURE.md")
    packages = sorted(path.parent.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("__init__.py"))
    missing = [f"{name}/" for name in packages if name != "." and f"`{name}/`" not in text]
    # Every module is named, except the rules and the commands: one module each, described as a kind.
    missing += [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py"
        and path.parent.relative_to(PACKAGE).as_posix() not in ("cli", "check/rules")
        and f"`{path.name}`" not in text
    ]
    missing += [name for name in ("schema/",) if f"`{name}`" not in text]
    assert not missing, f"ARCHITECTURE.md does not describe {missing}"
    flow = "files ─► located values ─► entries ─► catalog ─► rules and policies ─► findings ─► formats ─► exit code"
    assert flow in text


def test_the_changelog_keeps_an_unreleased_section() -> None:
    text = _text("CHANGELOG.md")
    assert "Keep a Changelog" in text
    unreleased = re.search(r"^## \[Unreleased\]\n(.*?)^## ", text, re.M | re.S)
    assert unreleased is not None and "### " in unreleased.group(1)


def test_pre_commit_runs_what_ci_lints() -> None:
    config: dict[str, Any] = yaml.safe_load(_text(".pre-commit-config.yaml"))
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "mypy"} <= hooks
    ruff = next(repo for repo in config["repos"] if "ruff-pre-commit" in repo["repo"])
    # The hook's ruff formats as the venv's does, or a commit would be reformatted back and forth; the
    # test extra pins ruff exactly for the same reason (a formatter's output changes between releases).
    assert ruff["rev"] == f"v{importlib.metadata.version('ruff')}"
    pinned = [r for r in tomllib.loads(_text("pyproject.toml"))["project"]["optional-dependencies"]["test"]
              if r.startswith("ruff")]  # fmt: skip
    assert pinned == [f"ruff=={ruff['rev'].removeprefix('v')}"]


def test_release_builds_tests_the_wheel_and_publishes_only_on_a_tag() -> None:
    release: dict[str, Any] = yaml.safe_load(_text(".github/workflows/release.yml"))
    on = release.pop(True)  # YAML 1.1 reads the key `on` as true
    assert on["push"] == {"tags": ["v*"]}
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    assert any(step.get("run") == "bash .ci/run wheel" for step in build["steps"])
    assert publish["needs"] == "build" and publish["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert publish["permissions"] == {"id-token": "write"} and release["permissions"] == {"contents": "read"}
    assert any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in publish["steps"])
    script = _text(".ci/run")
    assert "martechgate check ." in script and "-o pythonpath=" in script
