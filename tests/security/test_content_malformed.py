"""Malformed values that used to crash a run (no entry of the change got a verdict): each is now a
finding in a real repo, through `check` and `check --base`, in the format that crashed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import GovRepo, dump, entry

TODAY = ["--today", "2026-11-23"]


def exception_with_rule(rule: Any) -> dict[str, Any]:
    return {"rule": rule, "reason": "r", "approved_by": "ciso@example.com", "ticket": "T-1", "expires": "2027-01-31"}


CASES = {
    "exception rule is a list": {"exceptions": [exception_with_rule(["owners-distinct"])]},
    "exception rule is a mapping": {"exceptions": [exception_with_rule({"id": "owners-distinct"})]},
    "integrations is true": {"integrations": True},
    "alternative is a list": {"alternative": []},
    "alternative is a huge text": {"alternative": "x" * 300_000},
    "id is a huge text": {"id": "y" * 300_000},
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_a_malformed_entry_is_a_finding_in_a_pull_request(gov: GovRepo, run_cli: Any, name: str, fmt: str) -> None:
    gov.add_entry("other-tool")
    gov.commit("A tool on main")
    gov.git("checkout", "-q", "-b", "pr")
    gov.write("catalog/design-tool.yaml", dump({**entry("design-tool"), **CASES[name]}))
    gov.commit("A malformed tool")
    for args in (["check", str(gov.path)], ["check", "--base", "main"]):
        result = run_cli(*args, "--format", fmt, *TODAY, cwd=gov.path)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "internal error" not in result.stderr
        if fmt == "json":
            rules = {
                f["rule"] for f in json.loads(result.stdout)["findings"] if f["file"] == "catalog/design-tool.yaml"
            }
            assert rules & {"schema", "exception-invalid", "id-mismatch"}, rules
