"""martechgate renewals: renewals and cancellation deadlines in a window, and the iCalendar file."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import pytest

from martechgate.errors import UsageError
from martechgate.vendors.renewals import window_end
from tests.conftest import BASE_ENTRY, ROOT, TODAY, GovRepo

CONTRACT = BASE_ENTRY["contract"]


def contract(**changes: Any) -> dict[str, Any]:
    result = {**CONTRACT, **changes}
    return {key: value for key, value in result.items() if value is not None}


def renewals_json(run_cli: Any, repo: Path, *args: str) -> dict[str, Any]:
    result = run_cli("renewals", str(repo), "--today", TODAY.isoformat(), "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def events(path: Path) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return list(calendar.walk("VEVENT"))


@pytest.mark.parametrize(
    "window, end",
    [
        ("120d", date(2027, 3, 23)),
        ("8w", date(2027, 1, 18)),
        ("6m", date(2027, 5, 23)),
        ("1y", date(2027, 11, 23)),
        ("30", date(2026, 12, 23)),
        (" 2M ", date(2027, 1, 23)),
    ],
)
def test_window_syntax(window: str, end: date) -> None:
    assert window_end(window, TODAY) == end


def test_month_window_clamps_to_the_month_end() -> None:
    assert window_end("1m", date(2027, 1, 31)) == date(2027, 2, 28)


@pytest.mark.parametrize("window", ["soon", "120x", "-5d", "", "1.5m", "d"])
def test_bad_window(window: str) -> None:
    with pytest.raises(UsageError):
        window_end(window, TODAY)


def test_bad_window_on_the_command_line_exits_2(run_cli: Any) -> None:
    result = run_cli("renewals", str(ROOT), "--within", "next-quarter")
    assert result.returncode == 2
    assert "--within 'next-quarter' is not a window" in result.stderr and "120d" in result.stderr


# --- the repo's own catalog ----------------------------------------------------------------------


def test_own_catalog_within_120_days(run_cli: Any) -> None:
    document = renewals_json(run_cli, ROOT, "--within", "120d")
    rows = document["rows"]
    assert [row["tool"] for row in rows] == [
        "marketo-engage",
        "hubspot-marketing-hub",
        "canva",
        "on24",
        "sprout-social",
    ]
    marketo, hubspot = rows[0], rows[1]
    # renewal 2027-01-31 minus 90 days' notice: already passed on 2026-11-23
    assert marketo["deadline"] == "2026-11-02" and marketo["days_to_deadline"] == -21
    assert "notice deadline has passed" in marketo["note"]
    assert hubspot == {
        **hubspot,
        "deadline": "2026-12-31",
        "days_to_deadline": 38,
        "renewal": "2027-03-01",
        "annual_cost": 48000,
        "currency": "USD",
        "auto_renew": True,
        "owner": "jane.doe@example.com",
    }
    assert rows[3]["deadline"] is None and "no contract.notice_days" in rows[3]["note"]
    assert document["meta"]["until"] == "2027-03-23"


def test_own_catalog_ics(run_cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "renewals.ics"
    result = run_cli("renewals", str(ROOT), "--today", "2026-11-23", "--ics", str(target))
    assert result.returncode == 0, result.stderr
    found = events(target)
    # 5 renewals, 3 of them with a notice period (a deadline)
    assert len(found) == 8
    uids = [str(event["uid"]) for event in found]
    assert len(set(uids)) == 8
    assert "cancel-hubspot-marketing-hub@acme-corp.martechgate" in uids
    hubspot = next(e for e in found if str(e["uid"]) == "cancel-hubspot-marketing-hub@acme-corp.martechgate")
    assert hubspot.decoded("dtstart") == date(2026, 12, 31)
    assert str(hubspot["summary"]) == "Cancellation deadline: HubSpot Marketing Hub"
    assert "48,000 USD a year" in str(hubspot["description"])
    assert list(hubspot.walk("VALARM"))
    # the same catalog on the same day gives the same bytes
    again = tmp_path / "again.ics"
    run_cli("renewals", str(ROOT), "--today", "2026-11-23", "--ics", str(again))
    assert again.read_bytes() == target.read_bytes()


# --- small catalogs ------------------------------------------------------------------------------


def test_which_contracts_are_listed(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("renews-soon", contract=contract(renewal="2026-12-10", notice_days=30))
    gov.add_entry("deadline-soon", contract=contract(renewal="2027-03-01", notice_days=90))
    gov.add_entry("far-away", contract=contract(renewal="2027-09-01", notice_days=30))
    gov.add_entry("lapsed", contract=contract(renewal="2026-10-01"))
    gov.add_entry("no-renewal", contract=contract(renewal=None))
    gov.add_entry("no-notice", contract=contract(renewal="2026-12-20", notice_days=None, auto_renew=None))
    gov.add_entry("retired-but-renewing", status="retired", contract=contract(renewal="2026-12-15", auto_renew=True))
    gov.add_entry("retired-lapsing", status="retired", contract=contract(renewal="2026-12-15", auto_renew=False))
    gov.add_entry("retired-unstated", status="retired", contract=contract(renewal="2026-12-15", auto_renew=None))
    gov.add_entry("denied", status="denied", contract=contract(renewal="2026-12-15", auto_renew=False))
    rows = renewals_json(run_cli, gov.path, "--within", "30d")["rows"]
    # sorted by deadline: 11-10 (passed), 11-15 (passed), 12-01, then 12-20 (no notice: the renewal)
    assert [row["tool"] for row in rows] == [
        "renews-soon",
        "retired-but-renewing",
        "retired-unstated",
        "deadline-soon",
        "no-notice",
    ]
    assert rows[0]["days_to_deadline"] == -13
    assert rows[1]["status"] == "retired" and rows[1]["auto_renew"] is True
    assert "retired but renews automatically: cancel before 2026-11-15" in rows[1]["note"]
    assert "retired but may renew automatically: cancel before 2026-11-15" in rows[2]["note"]
    assert rows[3]["deadline"] == "2026-12-01" and rows[3]["renewal"] == "2027-03-01"
    assert "no contract.notice_days" in rows[4]["note"] and "auto_renew not stated" in rows[4]["note"]


def test_malformed_entries_do_not_stop_the_report(gov: GovRepo, run_cli: Any, tmp_path: Path) -> None:
    gov.add_entry("ok", contract=contract(renewal="2026-12-10"))
    gov.write("catalog/broken.yaml", "contract: {renewal: [\n")
    gov.add_entry("bad-date", contract=contract(renewal="next spring", notice_days="thirty"))
    target = tmp_path / "out.ics"
    document = renewals_json(run_cli, gov.path, "--within", "30d", "--ics", str(target))
    assert [row["tool"] for row in document["rows"]] == ["ok"]
    assert any("catalog/broken.yaml: skipped" in note for note in document["meta"]["skipped"])
    assert len(events(target)) == 2


def test_uids_stay_when_a_renewal_moves(gov: GovRepo, run_cli: Any, tmp_path: Path) -> None:
    gov.add_entry("tool", contract=contract(renewal="2026-12-10", notice_days=5))
    first, second = tmp_path / "first.ics", tmp_path / "second.ics"
    run_cli("renewals", str(gov.path), "--today", "2026-11-23", "--ics", str(first))
    gov.add_entry("tool", contract=contract(renewal="2027-01-10", notice_days=5))
    run_cli("renewals", str(gov.path), "--today", "2026-11-24", "--within", "60d", "--ics", str(second))
    before = {str(e["uid"]): e.decoded("dtstart") for e in events(first)}
    after = {str(e["uid"]): e.decoded("dtstart") for e in events(second)}
    assert before.keys() == after.keys() == {"cancel-tool@acme-corp.martechgate", "renewal-tool@acme-corp.martechgate"}
    assert after["renewal-tool@acme-corp.martechgate"] == date(2027, 1, 10)


def test_ics_is_written_atomically(gov: GovRepo, run_cli: Any, tmp_path: Path) -> None:
    gov.add_entry("tool", name='Tool "Pro", Inc; with\\slashes', contract=contract(renewal="2026-12-10"))
    target = tmp_path / "calendar.ics"
    target.write_text("old calendar")
    result = run_cli("renewals", str(gov.path), "--today", "2026-11-23", "--ics", str(target))
    assert result.returncode == 0, result.stderr
    assert [str(e["summary"]) for e in events(target)] == [
        'Cancellation deadline: Tool "Pro", Inc; with\\slashes',
        'Renewal: Tool "Pro", Inc; with\\slashes',
    ]
    assert sorted(os.listdir(tmp_path)) == ["calendar.ics", "gov"]  # no temporary file left behind


def test_ics_into_a_missing_folder_exits_2(gov: GovRepo, run_cli: Any, tmp_path: Path) -> None:
    gov.add_entry("tool", contract=contract(renewal="2026-12-10"))
    target = tmp_path / "no" / "such" / "calendar.ics"
    result = run_cli("renewals", str(gov.path), "--today", "2026-11-23", "--ics", str(target))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr
    assert not target.parent.exists()


def test_missing_catalog_exits_2(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("renewals", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
