"""Matching apps seen in exports to catalog entries, the reasons shown, and broad OAuth scopes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from martechgate.check.catalog import load_entries
from martechgate.check.names import FUZZY_THRESHOLD, slug
from martechgate.discovery.match import Matcher
from martechgate.discovery.scopes import broad, broad_scopes
from martechgate.discovery.usage import AppUsage, UsageRow
from martechgate.intake import proposal
from martechgate.sources.repo import WorkTree
from tests.conftest import ROOT, entry


def own_catalog() -> list[dict[str, Any]]:
    return [e.data for e in load_entries(WorkTree(ROOT)) if e.data is not None]


def seen(name: str, *ids: str) -> AppUsage:
    app = AppUsage(slug(name))
    app.add(UsageRow("okta", slug(name), name, "ann@example.com", datetime(2026, 1, 1, tzinfo=UTC), app_ids=ids))
    return app


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(own_catalog())


@pytest.mark.parametrize(
    ("name", "ids", "entry_id", "reason"),
    [
        (
            "HubSpot Marketing Hub",
            (),
            "hubspot-marketing-hub",
            "name 'HubSpot Marketing Hub' is the entry name 'HubSpot Marketing Hub'",
        ),
        (
            "hubspot-marketing-hub",
            (),
            "hubspot-marketing-hub",
            "name 'hubspot-marketing-hub' is the entry name 'HubSpot Marketing Hub'",
        ),
        ("HUBSPOT INC", ("app.hubspot.com",), "hubspot-marketing-hub", "domain app.hubspot.com"),
        # The catalog's Zoom site is zoom.com, not zoom.us; the domain's label `zoom` is like the entry's name.
        ("ZOOM.US", ("zoom.us",), "zoom-webinars", "name 'zoom' 90% like 'Zoom Webinars' (entry name)"),
        ("DRIFT.COM", ("drift.com",), "drift", "name 'drift' is the entry name 'Drift'"),
        ("Salesloft", (), "drift", "name 'Salesloft' is the vendor 'Salesloft'"),
        ("HubSpot", (), "hubspot-marketing-hub", "name 'HubSpot' is the vendor 'HubSpot'"),
        (
            "Hubspot Marketing",
            (),
            "hubspot-marketing-hub",
            "name 'Hubspot Marketing' 95% like 'HubSpot Marketing Hub' (entry name)",
        ),
        ("Marketo", (), "marketo-engage", "name 'Marketo' 90% like 'Adobe Marketo Engage' (entry name)"),
        ("Survey Monkey", (), "surveymonkey", "name 'Survey Monkey' is the entry id 'surveymonkey'"),
        (
            "Google Analytics",
            (),
            "google-analytics-4",
            "name 'Google Analytics' 95% like 'Google Analytics 4' (entry name)",
        ),
        ("Google Ads", (), "google-ads", "name 'Google Ads' is the entry name 'Google Ads'"),
        ("Google", (), None, None),  # the vendor of two entries, and as like one as the other: no guess
        ("Google Drive", (), None, None),
        ("Workplace by Facebook", (), None, None),
        ("Notion", (), None, None),
        ("Box", (), None, None),  # too short to be fuzzily contained in anything
    ],
)
def test_own_catalog_matches(
    matcher: Matcher, name: str, ids: tuple[str, ...], entry_id: str | None, reason: str | None
) -> None:
    found = matcher.match(seen(name, *ids))
    assert (found.entry_id if found else None, found.reason if found else None) == (entry_id, reason)


def test_x_aliases_match_ids_exactly_before_anything_else() -> None:
    catalog = [
        entry("canva-teams", name="Canva Teams", **{"x-aliases": ["0oa1a35nndfI7w1yp1d8", "Canva"]}),
        entry("canva", name="Canva"),
    ]
    found = Matcher(catalog).match(seen("Canva", "0oa1a35nndfi7w1yp1d8"))
    assert found is not None
    assert (found.entry_id, found.reason) == ("canva-teams", "x-aliases lists 0oa1a35nndfi7w1yp1d8")


def test_alias_name_is_an_exact_name() -> None:
    catalog = [entry("workplace", name="Workplace", **{"x-aliases": ["Workplace by Facebook"]})]
    found = Matcher(catalog).match(seen("Workplace by Facebook"))
    assert found is not None and found.reason == "name 'Workplace by Facebook' is the x-aliases 'Workplace by Facebook'"


def test_fuzzy_tie_between_entries_is_no_match() -> None:
    catalog = [entry("acme-mail", name="Acme Mail"), entry("acme-chat", name="Acme Chat")]
    assert Matcher(catalog).match(seen("Acme")) is None


def test_threshold_is_what_the_docs_say() -> None:
    assert FUZZY_THRESHOLD == 88


def test_entries_without_ids_or_with_odd_fields_do_not_break_the_index() -> None:
    odd = [
        {"name": "No id"},
        {"id": "x1", "vendor": "not a mapping", "x-aliases": "not a list"},
        {"id": "x2", "vendor": {"website": 42}},
    ]
    assert Matcher(odd).match(seen("No id")) is None


@pytest.mark.parametrize(
    ("scope", "why"),
    [
        ("https://mail.google.com/", "full Gmail access"),
        ("https://www.googleapis.com/auth/drive", "all Google Drive files"),
        ("https://www.googleapis.com/auth/drive.readonly", "all Google Drive files"),
        ("https://www.googleapis.com/auth/admin.directory.user", "Google Workspace admin"),
        ("https://www.googleapis.com/auth/gmail.readonly", "reads or changes Gmail"),
        ("Mail.ReadWrite", "reads or sends mail"),
        ("Files.ReadWrite.All", "all files"),
        ("full_access_as_user", "full mailbox access"),
        ("https://www.googleapis.com/auth/drive.file", None),
        ("openid", None),
        ("email", None),
        ("https://www.googleapis.com/auth/userinfo.profile", None),
    ],
)
def test_broad_scopes(scope: str, why: str | None) -> None:
    assert broad(scope) == why


def test_broad_scopes_listed_with_reason() -> None:
    found = broad_scopes({"openid", "https://mail.google.com/"})
    assert found == ["https://mail.google.com/ (full Gmail access)"]


def test_new_and_discover_agree_on_what_is_already_in_the_catalog() -> None:
    """One matcher (check.names): a proposal `new` flags as already in the catalog is the entry
    `discover` matches an app of that name to, and a name neither matches is new to both."""
    catalog = {
        "hubspot-marketing-hub": {"id": "hubspot-marketing-hub", "name": "HubSpot Marketing Hub", "status": "approved"},
        "canva": {"id": "canva", "name": "Canva", "status": "approved"},
    }
    index = Matcher(catalog.values())
    for name, expected in (("HubSpot Marketng Hub", "hubspot-marketing-hub"), ("Canva", "canva"), ("Figma", None)):
        flagged = [
            o.entry_id for o in proposal.overlaps({"name": name}, catalog) if "already in the catalog" in o.sentence
        ]
        matched = index.match(seen(name))
        assert flagged == ([expected] if expected else [])
        assert (matched.entry_id if matched else None) == expected
