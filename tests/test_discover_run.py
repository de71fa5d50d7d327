"""Discovery as a library: folding sources per app, statuses, alternatives, the MCC filter, proposals."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from martechgate.check.catalog import load_entries
from martechgate.discovery import proposals
from martechgate.discovery.expenses import CsvOptions
from martechgate.discovery.run import SourceSpec, discover
from martechgate.discovery.usage import Notice, RowProblem
from martechgate.errors import UsageError
from martechgate.sources.repo import WorkTree
from tests.conftest import ROOT, entry


def own_catalog() -> list[dict[str, Any]]:
    return [e.data for e in load_entries(WorkTree(ROOT)) if e.data is not None]


def signins(tmp_path: Path, *pairs: tuple[str, str]) -> SourceSpec:
    records = [
        {
            "createdDateTime": f"2026-0{1 + i % 9}-01T00:00:00Z",
            "userPrincipalName": user,
            "appDisplayName": app,
            "appId": f"id-{app}",
        }
        for i, (user, app) in enumerate(pairs)
    ]
    path = tmp_path / "signins.json"
    path.write_text(json.dumps({"value": records}), encoding="utf-8")
    return SourceSpec("entra", str(path))


def card(tmp_path: Path, text: str) -> SourceSpec:
    path = tmp_path / "card.csv"
    path.write_text(text, encoding="utf-8")
    return SourceSpec("expenses", str(path))


def test_sources_fold_into_one_row_per_catalog_entry(tmp_path: Path) -> None:
    specs = [
        signins(tmp_path, ("a@x.com", "SurveyMonkey"), ("b@x.com", "Survey Monkey"), ("a@x.com", "Typeform")),
        card(
            tmp_path,
            "Date,Merchant,Amount,Currency\n2026-01-05,SURVEYMONKEY.COM,99,USD\n2026-02-05,SURVEYMONKEY.COM,80.5,EUR\n",
        ),
    ]
    result = discover(specs, own_catalog())
    (survey,) = result.unapproved
    assert (survey.entry_id, survey.status, sorted(survey.usage.sources)) == (
        "surveymonkey",
        "proposed",
        ["entra", "expenses"],
    )
    assert len(survey.usage.users) == 2 and survey.usage.events == 4
    assert {str(amount) for amount in survey.usage.spend.values()} == {"99", "80.5"}
    # SurveyMonkey (sign-ins) and SURVEYMONKEY.COM (the card) are one app before matching: one name
    assert survey.matches == ["domain surveymonkey.com", "name 'Survey Monkey' is the entry id 'surveymonkey'"]
    # A proposed entry has no `alternative`: the approved tool of its category sharing most capabilities.
    assert (survey.alternative, survey.alternative_reason) == ("typeform", "same category survey, shares surveys")
    assert [app.entry_id for app in result.apps if app.sanctioned] == ["typeform"]


def test_trial_and_restricted_tools_are_sanctioned(tmp_path: Path) -> None:
    result = discover([signins(tmp_path, ("a@x.com", "ON24 Webcast Elite"), ("a@x.com", "Mailchimp"))], own_catalog())
    assert {(app.entry_id, app.status) for app in result.apps} == {("on24", "trial"), ("mailchimp", "restricted")}
    assert result.unapproved == []


def test_expense_merchants_outside_software_codes_are_counted_not_listed(tmp_path: Path) -> None:
    spec = card(
        tmp_path,
        "Date,Merchant,Amount,MCC\n2026-01-05,STARBUCKS 1234,5,5814\n"
        "2026-01-06,DELTA AIR,500,3058\n2026-01-07,NOTION LABS,10,5734\n"
        "2026-01-08,CANVA* 123,10,5999\n",
    )
    result = discover([spec], own_catalog())
    # Canva is in the catalog, so its odd MCC does not hide it; Notion is software; the others are not.
    assert sorted(app.name for app in result.apps) == ["Canva for Teams", "Notion Labs"]
    assert result.not_software == 2


def test_problems_reach_the_callback_and_the_counts(tmp_path: Path) -> None:
    path = tmp_path / "o.ndjson"
    good = '{"eventType": "user.authentication.sso", "actor": {"alternateId": "ann@example.com"}, '
    good += '"target": [{"type": "AppInstance", "displayName": "Canva"}], "published": "2026-05-01T10:00:00Z"}'
    path.write_text('{"eventType": "user.authentication.sso"}\nnot json\n' + good + "\n", encoding="utf-8")
    seen: list[RowProblem | Notice] = []
    result = discover([SourceSpec("okta", str(path))], own_catalog(), on_problem=seen.append)
    assert [(p.where, p.reason) for p in seen if isinstance(p, RowProblem)] == [
        ("line 1", "no actor.alternateId"),
        ("line 2", "not JSON (Expecting value: line 1 column 1 (char 0))"),
    ]
    assert result.sources[0].summary() == "3 records, 1 used, 2 malformed"


def test_a_file_of_which_no_record_could_be_read_is_an_error(tmp_path: Path) -> None:
    """Dates no format reads: nothing listed would look like "every tool in use is approved"."""
    path = tmp_path / "card.csv"
    path.write_text("Date,Merchant,Amount\nDec 31,CALENDLY.COM,12.00\nDec 30,ZOOM.US,15.00\n")
    with pytest.raises(UsageError) as caught:
        discover([SourceSpec("expenses", str(path))], own_catalog())
    assert "none of the 2 records of" in str(caught.value) and "line 2: date 'Dec 31'" in str(caught.value)
    assert caught.value.exit_code == 2 and "--date-format" in str(caught.value)
    found = discover([SourceSpec("expenses", str(path))], own_catalog(), CsvOptions(date_format="%b %d"))
    assert found.sources[0].used == 2


@pytest.mark.parametrize(
    "dates, first",
    [
        (["12/31/2026", "01/02/2026"], "2026-12-31"),  # month first: 31 cannot be a month
        (["31.12.2026", "01.02.2026"], "2026-12-31"),  # day first
        (["2026-12-31", "2026-01-02"], "2026-12-31"),
        (["1798675200", "1767312000"], "2026-12-31"),  # seconds since 1970
    ],
)
def test_date_formats_are_detected_per_file(dates: list[str], first: str, tmp_path: Path) -> None:
    path = tmp_path / "card.csv"
    path.write_text("Date,Merchant,Amount\n" + "".join(f"{day},CALENDLY.COM,12.00\n" for day in dates))
    notes: list[RowProblem | Notice] = []
    found = discover([SourceSpec("expenses", str(path))], own_catalog(), on_problem=notes.append)
    [app] = found.apps
    assert found.sources[0].used == 2 and app.usage.last_seen is not None
    assert app.usage.last_seen.date().isoformat() == first
    assert all(isinstance(note, Notice) for note in notes)


def test_dates_that_could_be_either_way_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "card.csv"
    path.write_text("Date,Merchant,Amount\n01/02/2026,CALENDLY.COM,12.00\n03/04/2026,ZOOM.US,1\n")
    with pytest.raises(UsageError, match="could be day/month or month/day"):
        discover([SourceSpec("expenses", str(path))], own_catalog())


def test_unlisted_app_gets_a_fuzzy_alternative_only_when_close(tmp_path: Path) -> None:
    result = discover([signins(tmp_path, ("a@x.com", "Figmo"), ("a@x.com", "Calendly"))], own_catalog())
    alternatives = {app.name: (app.alternative, app.alternative_reason) for app in result.apps}
    assert alternatives == {"Figmo": ("figma", "name 80% like 'Figma'"), "Calendly": (None, None)}


def test_proposal_id_and_content(tmp_path: Path) -> None:
    result = discover([signins(tmp_path, ("a@x.com", "Zapier: Automation!"))], [entry("figma", name="Figma")])
    (app,) = result.apps
    assert proposals.proposal_id(app) == "zapier-automation"
    data = proposals.entry_for(app, "zapier-automation", date(2026, 11, 23))
    assert data["name"] == "Zapier: Automation!" and data["status"] == "proposed"
    assert data["x-aliases"] == ["id-zapier: automation!"]  # Entra app ids compared without case
    assert "owners" not in data and "category" not in data  # left for the owner, listed in the header


def test_no_valid_id_is_said_not_guessed(tmp_path: Path) -> None:
    result = discover([signins(tmp_path, ("a@x.com", "飞书"))], [])
    (app,) = result.apps
    written = proposals.write_proposals(tmp_path, result.apps, date(2026, 11, 23), [])
    assert proposals.proposal_id(app) is None
    assert [(w.written, w.note) for w in written] == [(False, "its name gives no valid id; write the entry by hand")]


def test_departments_of_sign_in_users_come_from_expense_cost_centres(tmp_path: Path) -> None:
    specs = [
        signins(tmp_path, ("ann@x.com", "Calendly"), ("bob@x.com", "Calendly"), ("cy@x.com", "Calendly")),
        card(
            tmp_path,
            "Date,Merchant,Amount,Employee,Cost Centre\n2026-01-05,FIGMA,9,Ann@x.com,Brand\n"
            "2026-01-06,FIGMA,9,bob@x.com,Sales\n2026-01-07,FIGMA,9,cy@x.com,Sales\n",
        ),
    ]
    result = discover(specs, own_catalog())
    calendly = next(app for app in result.apps if app.name == "Calendly")
    assert calendly.departments == ["Sales", "Brand"]


def test_one_vendor_under_several_descriptors_is_one_app_and_rides_are_left_out(tmp_path: Path) -> None:
    spec = card(
        tmp_path,
        "Date,Merchant,Amount\n2026-01-05,CALENDLY.COM,12\n2026-01-06,CALENDLY*PRO,12\n"
        "2026-01-07,Calendly LLC,12\n2026-01-08,UBER *TRIP,30\n2026-01-09,DELTA AIR 0062,400\n",
    )
    result = discover([spec], own_catalog())
    assert [(app.name, app.usage.events) for app in result.apps] == [("Calendly", 3)]
    assert result.known_not_saas == 2 and result.not_software == 0
