"""martechgate spend: licence and total cost of ownership by group, cost per seat against the median."""

from __future__ import annotations

import json
from typing import Any

import pytest

from martechgate.check import engine
from martechgate.errors import UsageError
from martechgate.sources.repo import WorkTree
from martechgate.vendors import spend as spend_report
from martechgate.vendors.tools import read_tools
from tests.conftest import BASE_ENTRY, ROOT, TODAY, GovRepo

CONTRACT = BASE_ENTRY["contract"]


def contract(**changes: Any) -> dict[str, Any]:
    """The base contract with fields changed (None deletes one)."""
    result = {**CONTRACT, **changes}
    return {key: value for key, value in result.items() if value is not None}


def spend_json(run_cli: Any, repo: Any, *args: str) -> dict[str, Any]:
    result = run_cli("spend", str(repo), "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def rows_by(document: dict[str, Any], *keys: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(row[k] for k in keys): row for row in document["rows"]}


# --- the repo's own catalog ----------------------------------------------------------------------


def test_own_catalog_by_category_keeps_currencies_apart(run_cli: Any) -> None:
    document = spend_json(run_cli, ROOT)
    rows = document["rows"]
    assert {row["currency"] for row in rows} == {"EUR", "USD"}
    # marketing-automation is bought in both currencies: two rows, never one sum
    by_key = rows_by(document, "group", "currency")
    assert by_key[("marketing-automation", "EUR")]["annual_licence"] == 96000  # marketo-engage
    assert by_key[("marketing-automation", "USD")]["annual_licence"] == 48000  # hubspot
    for currency in ("EUR", "USD"):
        groups = [row for row in rows if row["currency"] == currency and row["group"] != "(all)"]
        total = by_key[("(all)", currency)]
        assert total["tco"] == pytest.approx(sum(row["tco"] for row in groups))
        assert total["tools"] == sum(row["tools"] for row in groups)
    assert "never added" in document["meta"]["currencies"]
    # drift (denied) and wordpress-vip (retired) are not in use
    assert sum(row["tools"] for row in rows if row["group"] == "(all)") == 23


def test_own_catalog_tco_of_one_tool(run_cli: Any) -> None:
    rows = rows_by(spend_json(run_cli, ROOT, "--by", "tool"), "tool")
    hubspot = rows[("hubspot-marketing-hub",)]
    # 2025-03-01 -> 2027-03-01: 24 months; 12 h/month x 24 months x 75
    assert hubspot["term_months"] == 24
    assert hubspot["licence_term"] == 96000
    assert hubspot["implementation"] == 15000
    assert hubspot["support_term"] == 21600
    assert hubspot["tco"] == 96000 + 15000 + 21600
    assert hubspot["tco_per_year"] == 66300
    google_ads = rows[("google-ads",)]
    assert google_ads["term_months"] == 12
    assert "12-month term assumed (no contract.renewal)" in google_ads["note"]


def test_own_catalog_cost_per_seat_against_category_median(run_cli: Any) -> None:
    rows = rows_by(spend_json(run_cli, ROOT, "--by", "tool"), "tool")
    figma, canva = rows[("figma",)], rows[("canva",)]
    assert figma["per_seat"] == 1500 and canva["per_seat"] == 300
    assert figma["category_median_per_seat"] == canva["category_median_per_seat"] == 900
    assert figma["above_median"] is True and canva["above_median"] is False
    # a single paid tool in its category has no median to compare with
    assert rows[("hubspot-marketing-hub",)]["category_median_per_seat"] is None
    # a free trial (0 a year) is not a price: it neither sets nor is judged against the median
    assert rows[("sprout-social",)]["above_median"] is None
    assert rows[("hootsuite",)]["category_median_per_seat"] is None


def test_own_catalog_every_format_and_grouping(run_cli: Any) -> None:
    for by in ("category", "department", "status", "tool"):
        table = run_cli("spend", str(ROOT), "--by", by)
        assert table.returncode == 0, table.stderr
        assert f"Spend by {by}" in table.stdout
        assert ("(all)" in table.stdout) == (by != "tool")
    csv_out = run_cli("spend", str(ROOT), "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("group,currency,tools,")
    markdown = run_cli("spend", str(ROOT), "--format", "markdown", "--by", "status").stdout
    assert "| Status | Currency |" in markdown


def test_all_includes_retired_and_denied(run_cli: Any) -> None:
    rows = rows_by(spend_json(run_cli, ROOT, "--by", "status", "--all"), "group", "currency")
    assert ("denied", "USD") in rows and ("retired", "USD") in rows
    assert "excluded" not in spend_json(run_cli, ROOT, "--all")["meta"]


# --- small catalogs ------------------------------------------------------------------------------


def test_mixed_currencies_in_one_category(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("tool-usd", contract=contract(annual_cost=1000, currency="USD"))
    gov.add_entry("tool-eur", contract=contract(annual_cost=2000, currency="EUR"))
    gov.add_entry("tool-eur-2", contract=contract(annual_cost=500, currency="EUR"))
    rows = rows_by(spend_json(run_cli, gov.path), "group", "currency")
    assert rows[("design", "USD")]["annual_licence"] == 1000
    assert rows[("design", "EUR")]["annual_licence"] == 2500
    assert rows[("(all)", "EUR")]["tools"] == 2


def test_missing_contract_fields_are_assumed_and_said(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry(
        "no-dates", contract=contract(start=None, renewal=None, implementation_cost=None, support_hours_month=None)
    )
    gov.add_entry("no-cost", contract=contract(annual_cost=None))
    gov.add_entry("no-contract", contract=None)
    gov.add_entry("backwards", contract=contract(start="2027-01-01", renewal="2026-01-01"))
    rows = rows_by(spend_json(run_cli, gov.path, "--by", "tool"), "tool")
    no_dates = rows[("no-dates",)]
    assert no_dates["term_months"] == 12 and no_dates["tco"] == 1200
    assert "12-month term assumed (no contract.start and renewal)" in no_dates["note"]
    assert "no contract.implementation_cost (counted as 0)" in no_dates["note"]
    assert rows[("no-cost",)]["tco"] == "unknown"  # not known, which is not 0
    assert "licence and TCO unknown" in rows[("no-cost",)]["note"]
    assert rows[("no-contract",)]["currency"] == "(none)"
    assert "renewal is not after start" in rows[("backwards",)]["note"]
    groups = rows_by(spend_json(run_cli, gov.path), "group", "currency")
    assert groups[("design", "USD")]["unpriced"] == 1  # no-cost: counted, not summed


def test_malformed_entries_are_skipped_with_a_note(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("good", contract=contract(annual_cost=3000))
    gov.write("catalog/broken.yaml", "id: broken\nname: [unclosed\n")
    gov.write("catalog/a-list.yaml", "- just\n- a list\n")
    gov.add_entry("wrong-types", contract=contract(annual_cost="lots", seats=2.5, start="someday"))
    gov.add_entry("good-copy", id="good")
    document = spend_json(run_cli, gov.path, "--by", "tool")
    skipped = "\n".join(document["meta"]["skipped"])
    assert "catalog/broken.yaml: skipped, it could not be read (line" in skipped
    assert "catalog/a-list.yaml: skipped, it is not a mapping" in skipped
    assert "catalog/good.yaml: skipped, its id 'good' is already used by catalog/good-copy.yaml" in skipped
    rows = rows_by(document, "tool")
    note = rows[("wrong-types",)]["note"]
    assert "contract.annual_cost is not a number of at least 0; ignored" in note
    assert "contract.seats is not a whole number" in note and "contract.start is not a date" in note
    # CSV has no meta: the notes go to stderr
    result = run_cli("spend", str(gov.path), "--format", "csv")
    assert result.returncode == 0 and "note: catalog/broken.yaml: skipped" in result.stderr


def test_hourly_rate_per_currency(gov: GovRepo) -> None:
    gov.add_entry("eur-tool", contract=contract(currency="EUR", support_hours_month=10))
    tools = read_tools(engine.load_catalog(WorkTree(gov.path), today=TODAY))
    rates = spend_report.HourlyRates.parse(["100", "eur=50"])
    cost = spend_report.cost_of(tools.tools[0], rates)
    # 2026-01-01 -> 2027-06-01 is 17 months
    assert cost.term_months == 17
    assert cost.support_term == pytest.approx(10 * 17 * 50)
    assert rates.of("USD") == 100


@pytest.mark.parametrize("value", ["abc", "-5", "EURO=5", "EUR=", "=5", "nan", "inf"])
def test_bad_hourly_rate(value: str) -> None:
    with pytest.raises(UsageError):
        spend_report.HourlyRates.parse([value])


def test_ref_reads_a_git_revision(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("tool", contract=contract(annual_cost=1000))
    gov.commit("Add tool")
    gov.add_entry("tool", contract=contract(annual_cost=9000))
    now = rows_by(spend_json(run_cli, gov.path), "group", "currency")
    then = spend_json(run_cli, gov.path, "--ref", "HEAD")
    assert now[("design", "USD")]["annual_licence"] == 9000
    assert rows_by(then, "group", "currency")[("design", "USD")]["annual_licence"] == 1000
    assert then["meta"]["source"].startswith("HEAD (")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--by", "vendor"], "Invalid value for '--by'"),
        (["--hourly-rate", "cheap"], "--hourly-rate 'cheap' is not a rate"),
        (["--ref", "no-such-branch"], "the git revision 'no-such-branch' does not exist"),
    ],
)
def test_bad_arguments_exit_2(gov: GovRepo, run_cli: Any, args: list[str], message: str) -> None:
    result = run_cli("spend", str(gov.path), *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_catalog_exits_2(tmp_path: Any, run_cli: Any, gov: GovRepo) -> None:
    (gov.path / "catalog").rmdir()
    result = run_cli("spend", str(gov.path))
    assert result.returncode == 2 and "there is no catalog/ folder" in result.stderr
    result = run_cli("spend", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
