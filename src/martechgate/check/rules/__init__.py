"""The built-in rules: one module each, in one explicit registry.

A rule module has ID, TITLE, SEVERITY, ENFORCEMENT, REMEDIATION, a docstring that shows a passing and
a failing example (what `martechgate explain` prints), and `check(catalog)` yielding findings.
Nothing registers itself on import.
"""

from __future__ import annotations

from types import ModuleType

from martechgate.check.policy import Policy
from martechgate.check.rules import (
    approvals_possible,
    data_flow,
    duplicate_id,
    duplicate_key,
    entry_deleted,
    exception_expired,
    exception_invalid,
    exchange_rates,
    file_refused,
    id_mismatch,
    iso_codes,
    owner_unresolved,
    owners_distinct,
    risk_tier,
    schema,
    unknown_reference,
    yaml_syntax,
)
from martechgate.errors import UsageError

RULES: dict[str, ModuleType] = {
    module.ID: module
    for module in (
        yaml_syntax,
        duplicate_key,
        file_refused,
        schema,
        id_mismatch,
        iso_codes,
        duplicate_id,
        unknown_reference,
        exception_expired,
        exception_invalid,
        data_flow,
        owners_distinct,
        owner_unresolved,
        risk_tier,
        exchange_rates,
        entry_deleted,
        approvals_possible,
    )
}


def known_rules(policies: list[Policy]) -> dict[str, tuple[str, str, str]]:
    """Every rule id, built-in or policy, with its severity, enforcement and remediation."""
    table = {m.ID: (m.SEVERITY, m.ENFORCEMENT, m.REMEDIATION) for m in RULES.values()}
    table.update({p.id: (p.severity, p.enforcement, p.remediation) for p in policies})
    return table


def get(rule_id: str) -> ModuleType:
    try:
        return RULES[rule_id]
    except KeyError:
        raise UsageError(
            f"there is no built-in rule {rule_id!r}", hint="`martechgate rules` lists every rule."
        ) from None
