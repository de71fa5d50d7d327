"""An entry's findings split into what no day changes and what each day does (the audit judges the first
once per version and the second once per day): together they are exactly the findings of that day."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from martechgate.check.catalog import Catalog
from martechgate.check.engine import load_catalog
from martechgate.check.judge import NO_DAY, ReadsToday, entry_findings, findings_of_day, findings_without_day
from martechgate.check.model import Finding
from martechgate.sources.repo import WorkTree
from tests.conftest import BASE_ENTRY, GovRepo

DAYS = [date(2024, 3, 1), date(2026, 5, 31), date(2026, 6, 1), date(2027, 5, 20), date(2028, 1, 1)]


def _key(finding: Finding) -> tuple[Any, ...]:
    return tuple(sorted((k, str(v)) for k, v in finding.__dict__.items()))


@pytest.fixture
def varied(gov: GovRepo) -> GovRepo:
    """Entries whose findings change with the day in every way the rules know, and some that do not."""
    gov.add_entry("plain")
    gov.add_entry("yen-tool", contract={**BASE_ENTRY["contract"], "currency": "JPY", "annual_cost": 900_000})
    gov.add_entry("due-soon", review={"risk_tier": "high", "last_reviewed": "2025-06-01", "next_review": "2026-06-01"})
    gov.add_entry(
        "renewing",
        contract={**BASE_ENTRY["contract"], "auto_renew": True, "renewal": "2027-06-01", "notice_days": 30},
    )
    gov.add_entry(
        "waived",
        security={"sso": "none", "mfa": "enforced", "scim": False, "evidence": []},
        data={**BASE_ENTRY["data"], "categories": ["contact-pii"]},
        exceptions=[
            {
                "rule": "pii-requires-sso",
                "reason": "SSO comes with the next plan",
                "approved_by": "ciso@example.com",
                "expires": "2027-01-01",
            }
        ],
    )
    gov.write("catalog/broken.yaml", "id: broken\nname: [unclosed\n")
    gov.commit("Entries of every kind")
    return gov


def test_what_no_day_changes_and_what_each_day_does_are_that_days_findings(varied: GovRepo) -> None:
    source = WorkTree(varied.path)
    read = load_catalog(source, today=DAYS[0])
    dayless = Catalog(read.entries, read.organization, read.policies, NO_DAY, known_rules=read.known_rules)
    read_the_day = set()
    verdicts = set()
    for entry in dayless.entries:
        without, daily = findings_without_day(dayless, entry)
        read_the_day |= {(entry.file, rule.ID) for rule in daily}
        for day in DAYS:
            catalog = load_catalog(source, today=day)
            (same,) = [e for e in catalog.entries if e.file == entry.file]
            split = [*without, *findings_of_day(catalog, same, daily)]
            whole = sorted(map(_key, entry_findings(catalog, same)))
            assert sorted(map(_key, split)) == whole, (entry.file, day)
            verdicts.add((entry.file, tuple((f.rule, f.message) for f in entry_findings(catalog, same))))
    # Only the tool paid in yen (are its rates over a year old?) and the one with an exception (has it
    # expired?) ask the day of the built-in rules; the date keywords are in policies, which say so in
    # their schemas.
    assert read_the_day == {
        ("catalog/yen-tool.yaml", "exchange-rates"),
        ("catalog/waived.yaml", "exception-expired"),
        ("catalog/waived.yaml", "exception-invalid"),
    }
    assert len(verdicts) > len(dayless.entries)  # and some entries' findings do change with the day
    dated = {policy.id for policy in dayless.policies if policy.reads_today}
    assert {"review-overdue-high", "renewal-cancellation-warning"} <= dated
    assert "pii-requires-sso" not in dated


def test_the_day_that_is_not_there_cannot_be_used_or_caught_as_an_error() -> None:
    for use in (lambda: NO_DAY.isoformat(), lambda: date.today() > NO_DAY, lambda: f"{NO_DAY}", lambda: bool(NO_DAY)):
        with pytest.raises(ReadsToday):
            use()
    try:
        try:
            NO_DAY.year  # noqa: B018 - the attribute access is the test
        except Exception:  # what a rule's own error handling would write
            pytest.fail("a rule's `except Exception` took the missing day for its own error")
    except ReadsToday:
        pass
