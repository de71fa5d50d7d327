"""Judging one file by itself: the built-in entry rules and the policies, and its valid exceptions.

What a file's findings depend on (the file, the rules, the day) and nothing else, so the engine can
judge files in any order, in this process or in workers (parallel), and cache the result.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    return findings + policy_findings(catalog, entry, catalog.policies)


class ReadsToday(BaseException):
    """A rule asked for today's date of a catalog that has none (NO_DAY). A BaseException, so that no
    rule's own `except Exception` can take it for a failure of its own and go on without the day."""


class _NoDay:
    """The day of a catalog judged for what no day changes: any use of it raises ReadsToday."""

    def _refuse(self, *args: object) -> Any:
        raise ReadsToday

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # tools probing an object (`__test__`, `__deepcopy__`) are not rules
            raise AttributeError(name)
        raise ReadsToday  # isoformat, year, toordinal, replace...

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __hash__ = __bool__ = __str__ = __format__ = _refuse


NO_DAY: Any = _NoDay()


def findings_without_day(catalog: Catalog, entry: Entry) -> tuple[list[Finding], list[Any]]:
    """For a catalog whose day is NO_DAY: the findings of the entry rules that did not read the day and of
    the policies without a date keyword, and the entry rules that did read it (`findings_of_day` runs
    them for each day). A rule reading the day for some entries only is caught for those: exact by
    construction, not by a list of which rules read it."""
    findings: list[Finding] = []
    daily = []
    for rule in ENTRY_RULES:
        try:
            findings += list(rule.check_entry(catalog, entry))
        except ReadsToday:
            daily.append(rule)
    return findings + policy_findings(catalog, entry, [p for p in catalog.policies if not p.reads_today]), daily


def findings_of_day(catalog: Catalog, entry: Entry, daily: list[Any]) -> list[Finding]:
    """The rest of `entry_findings` on the catalog's day: the entry rules `findings_without_day` found
    reading it, and the policies with a date keyword."""
    findings = [finding for rule in daily for finding in rule.check_entry(catalog, entry)]
    return findings + policy_findings(catalog, entry, [p for p in catalog.policies if p.reads_today])


def policy_findings(catalog: Catalog, entry: Entry, policies: list[Policy]) -> list[Finding]:
    findings: list[Finding] = []
    data = entry.data
    if data is None or entry.loaded.problems or not policies:
        return findings
    money = catalog.organization.money
    # The entry as every policy reads it, worked out once rather than once a policy: with its computed
    # risk tier, and (for policies that bound amounts) its amounts in each currency a policy counts in.
    data = with_computed_tier(data, money)
    converted: dict[str, tuple[Mapping[str, Any], str | None]] = {}
    for policy in policies:
        judged: Mapping[str, Any] = data
        if policy.compares_money:
            # Its thresholds are in one currency; an amount in another is converted first, and one
            # that cannot be (no rate) fails the policy rather than be compared as a bare number.
            currency = policy.currency or money.currency
            if currency not in converted:
                converted[currency] = in_currency(data, currency, money)
            judged, problem = converted[currency]
            if problem is not None:
                if compares_money(policy.match) or policy.compiled(catalog.today)[0].is_valid(data):
                    message = f"{entry.id}: {problem}; this policy cannot judge it, so it counts as failed"
                    findings.append(_failed(entry, policy, ("contract", "currency"), True, message))
                continue  # (else the policy does not apply to it, whatever the amount)
        violation = policy.evaluate(judged, catalog.today)
        if violation is not None:
            findings.append(_failed(entry, policy, violation.path, violation.missing, policy.finding_message(data)))
    return findings


def _failed(entry: Entry, policy: Policy, path: tuple[str | int, ...], missing: bool, message: str) -> Finding:
    """The finding of `policy` failing `entry` at `path` (for a missing field: where it would stand)."""
    line, column = entry.where(path, missing=missing)
    return Finding(
        rule=policy.id,
        entry=entry.id,
        file=entry.file,
        line=line,
        column=column,
        path=".".join(str(part) for part in path) or None,
        severity=policy.severity,
        enforcement=policy.enforcement,
        message=message,
        remediation=policy.remediation,
    )


def valid_waivers(catalog: Catalog, entry: Entry) -> list[Waiver]:
    if entry.cached is not None:
        return list(entry.cached.waivers)
    return [judged.waiver for judged in waivers.judge(catalog, entry) if judged.waiver is not None]
