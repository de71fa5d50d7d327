"""Judging one file by itself: the built-in entry rules and the policies, and its valid exceptions.

What a file's findings depend on (the file, the rules, the day) and nothing else, so the engine can
judge files in any order, in this process or in workers (parallel), and cache the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from martechgate.check import waivers
from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding, Waiver
from martechgate.check.money import compares_money, in_currency
from martechgate.check.policy import Policy
from martechgate.check.risk import with_computed_tier
from martechgate.check.rules import RULES

ENTRY_RULES = [rule for rule in RULES.values() if rule.SCOPE == "entry"]


def entry_findings(catalog: Catalog, entry: Entry) -> list[Finding]:
    """What depends on this file alone (and the rules, and today): built-in entry rules and policies."""
    findings = [finding for rule in ENTRY_RULES for finding in rule.check_entry(catalog, entry)]
    for policy in catalog.policies:
        findings.extend(policy_findings(catalog, policy, [entry]))
    return findings


def policy_findings(catalog: Catalog, policy: Policy, entries: Iterable[Entry]) -> Iterable[Finding]:
    for entry in entries:
        data = entry.data
        if data is None or entry.loaded.problems:
            continue
        money = catalog.organization.money
        data = with_computed_tier(data, money)
        judged: Mapping[str, Any] = data
        if policy.compares_money:
            # Its thresholds are in one currency; an amount in another is converted first, and one
            # that cannot be (no rate) fails the policy rather than be compared as a bare number.
            judged, problem = in_currency(data, policy.currency or money.currency, money)
            if problem is not None:
                if compares_money(policy.match) or policy.compiled(catalog.today)[0].is_valid(data):
                    line, column = entry.where(("contract", "currency"), missing=True)
                    yield Finding(
                        rule=policy.id,
                        entry=entry.id,
                        file=entry.file,
                        line=line,
                        column=column,
                        path="contract.currency",
                        severity=policy.severity,
                        enforcement=policy.enforcement,
                        message=f"{entry.id}: {problem}; this policy cannot judge it, so it counts as failed",
                        remediation=policy.remediation,
                    )
                continue  # (else the policy does not apply to it, whatever the amount)
        violation = policy.evaluate(judged, catalog.today)
        if violation is None:
            continue
        line, column = entry.where(violation.path, missing=violation.missing)
        yield Finding(
            rule=policy.id,
            entry=entry.id,
            file=entry.file,
            line=line,
            column=column,
            path=".".join(str(p) for p in violation.path) or None,
            severity=policy.severity,
            enforcement=policy.enforcement,
            message=policy.finding_message(data),
            remediation=policy.remediation,
        )


def valid_waivers(catalog: Catalog, entry: Entry) -> list[Waiver]:
    if entry.cached is not None:
        return list(entry.cached.waivers)
    return [judged.waiver for judged in waivers.judge(catalog, entry) if judged.waiver is not None]
