"""The project's own habits: one version, and a release workflow that tests what it publishes."""

from __future__ import annotations

import importlib.metadata
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
