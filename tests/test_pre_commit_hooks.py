"""The .pre-commit-hooks.yaml manifest: valid YAML with what pre-commit requires, running real commands."""

from __future__ import annotations

import re
from typing import Any

import yaml

from martechgate.cli import main
from tests.conftest import ROOT

# pre-commit's manifest schema (pre_commit/clientlib.py): these keys are required for every hook.
REQUIRED = ("id", "name", "entry", "language")


def hooks() -> list[dict[str, Any]]:
    loaded = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, list)
    return loaded


def test_every_hook_has_the_required_fields_and_runs_a_real_command() -> None:
    for hook in hooks():
        assert all(isinstance(hook.get(key), str) and hook[key] for key in REQUIRED), hook
        assert hook["language"] == "python"  # installs this package, so the `martechgate` script exists
        # the check reads the whole repo, and reports on the files named; test runs every example
        assert hook["pass_filenames"] is (hook["id"] == "martechgate-check")
        program, command = hook["entry"].split()
        assert program == "martechgate" and command in main.list_commands(None)  # type: ignore[arg-type]
        re.compile(hook["files"])


def test_the_check_hook_runs_on_governance_files_only() -> None:
    check = next(hook for hook in hooks() if hook["id"] == "martechgate-check")
    files = re.compile(check["files"])
    for path in ("catalog/hubspot.yaml", "catalog/canva.yml", "policies/pii-requires-sso.yaml", "martechgate.yaml"):
        assert files.search(path), path
    for path in ("README.md", "src/martechgate/cli/__init__.py", "docs/catalog/x.yaml", "martechgate.yaml.bak"):
        assert not files.search(path), path
