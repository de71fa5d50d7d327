"""Every built-in rule is documented with a passing and a failing example and has its own tests."""

from __future__ import annotations

import pytest

from martechgate.check.rules import RULES
from martechgate.check.vocabulary import ENFORCEMENTS, SEVERITIES
from tests.conftest import ROOT

STRUCTURAL = (
    "yaml-syntax",
    "duplicate-key",
    "schema",
    "id-mismatch",
    "duplicate-id",
    "unknown-reference",
    "exception-expired",
    "exception-invalid",
)


def test_structural_ids_are_registered() -> None:
    assert set(STRUCTURAL) <= set(RULES)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_module_contract(rule_id: str) -> None:
    module = RULES[rule_id]
    assert rule_id == module.ID
    assert module.SEVERITY in SEVERITIES and module.ENFORCEMENT in ENFORCEMENTS
    assert module.TITLE and module.REMEDIATION
    doc = module.__doc__ or ""
    assert doc.startswith(f"{rule_id}:") and "Passes" in doc and "Fails" in doc
    name = module.__name__.rsplit(".", 1)[-1]
    tests = ROOT / "tests" / "rules"
    assert (tests / f"test_{name}.py").exists() or (
        rule_id.startswith("exception-") and (tests / "test_exceptions.py").exists()
    )
