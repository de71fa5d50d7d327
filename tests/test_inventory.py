"""`martechgate inventory --as-of DATE`: the catalog on main's first-parent line at the end of a day."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest

from martechgate.audit.history import Git, inventory
from tests.conftest import GovRepo


def build(gov: GovRepo) -> dict[str, str]:
    shas = {}
    gov.add_entry("canva")
    shas["canva"] = gov.commit("Add canva (#1)", when="2026-03-01T09:00:00+00:00")
    # a branch commit dated inside the window, merged later: it was not on main until the merge
    gov.git("checkout", "-q", "-b", "add-zoom")
    gov.add_entry(
        "zoom",
        name="Zoom, Webinars",
        contract={
            "annual_cost": 12000,
            "currency": "USD",
            "payment": "invoice",
            "seats": 5,
            "start": "2026-01-01",
            "renewal": "2027-06-01",
            "auto_renew": False,
            "notice_days": 30,
            "implementation_cost": 0,
            "support_hours_month": 1,
        },
    )
    gov.commit("Add zoom", when="2026-03-02T09:00:00+00:00")
    gov.git("checkout", "-q", "main")
    gov.git(
        "merge",
        "-q",
        "--no-ff",
        "add-zoom",
        "-m",
        "Merge pull request #2 from acme/add-zoom",
        date_text="2026-03-05T23:30:00+00:00",
    )
    shas["zoom"] = gov.git("rev-parse", "HEAD")
    gov.write("catalog/broken.yaml", "id: [oops\n")
    shas["broken"] = gov.commit("Add a broken entry", when="2026-03-06T01:00:00+02:00")  # 03-05 23:00 UTC
    gov.git("rm", "-q", "catalog/canva.yaml")
    shas["gone"] = gov.commit("Retire canva (#3)", when="2026-03-06T00:00:01+00:00")
    return shas


def test_inventory_reads_the_tip_of_main_at_the_end_of_the_day(gov: GovRepo) -> None:
    shas = build(gov)
    git = Git(gov.path)
    assert inventory(git, date(2026, 3, 2)).commit == shas["canva"]  # the branch commit was not on main
    day = inventory(git, date(2026, 3, 5))
    # the broken entry was committed at 01:00+02:00 on the 6th, i.e. 23:00 UTC on the 5th
    assert day.commit == shas["broken"]
    assert [r["id"] for r in day.rows] == ["broken", "canva", "zoom"]
    broken = day.rows[0]
    assert broken["status"] == "(unreadable)" and broken["file"] == "catalog/broken.yaml"
    assert inventory(git, date(2026, 3, 6)).commit == shas["gone"]
    assert [r["id"] for r in inventory(git, date(2026, 12, 31)).rows] == ["broken", "zoom"]


def test_same_call_same_population(gov: GovRepo, run_cli: Any) -> None:
    build(gov)
    runs = [
        json.loads(run_cli("inventory", "--as-of", "2026-03-05", "--repo", str(gov.path), "--format", "json").stdout)
        for _ in range(2)
    ]
    for document in runs:
        document["meta"].pop("extracted_at")
    assert runs[0] == runs[1]
    assert runs[0]["meta"]["rows"] == 3 and runs[0]["meta"]["as_of"] == "2026-03-05"
    assert runs[0]["meta"]["commit_date"] == "2026-03-05T23:00:00+00:00"


def test_formats(gov: GovRepo, run_cli: Any) -> None:
    build(gov)
    table = run_cli("inventory", "--as-of", "2026-03-05", "--repo", str(gov.path))
    assert table.returncode == 0, table.stderr
    assert "commit: " in table.stdout and "(3 rows)" in table.stdout and "12,000" in table.stdout
    rows = list(
        csv.DictReader(
            io.StringIO(
                run_cli("inventory", "--as-of", "2026-03-05", "--repo", str(gov.path), "--format", "csv").stdout
            )
        )
    )
    assert [r["id"] for r in rows] == ["broken", "canva", "zoom"] and rows[2]["name"] == "Zoom, Webinars"
    markdown = run_cli("inventory", "--as-of", "2026-03-05", "--repo", str(gov.path), "--format", "markdown")
    assert "| zoom |" in markdown.stdout


def test_before_the_first_commit_and_bad_input(gov: GovRepo, run_cli: Any) -> None:
    build(gov)
    early = run_cli("inventory", "--as-of", "2020-01-01", "--repo", str(gov.path))
    assert early.returncode == 2 and "no commit on or before 2020-01-01" in early.stderr
    bad = run_cli("inventory", "--as-of", "yesterday", "--repo", str(gov.path))
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    ref = run_cli("inventory", "--as-of", "2026-03-05", "--repo", str(gov.path), "--ref", "trunk")
    assert ref.returncode == 2 and "'trunk' does not exist" in ref.stderr and "Traceback" not in ref.stderr


@pytest.mark.slow
def test_a_shallow_clone_is_refused(gov: GovRepo, tmp_path: Any, run_cli: Any) -> None:
    build(gov)
    shallow = tmp_path / "shallow"
    gov.git("clone", "-q", "--depth", "1", f"file://{gov.path}", str(shallow))
    for args in (
        ("inventory", "--as-of", "2026-03-05"),
        ("history", "zoom"),
        ("verify",),
        ("audit", "--since", "2026-03-01", "--until", "2026-03-31"),
    ):
        result = run_cli(*args, "--repo", str(shallow))
        assert result.returncode == 2, args
        assert "shallow" in result.stderr and "fetch-depth: 0" in result.stderr
