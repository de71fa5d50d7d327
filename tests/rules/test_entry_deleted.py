"""entry-deleted: deleting a catalog file is a hard finding at the deleted file; retiring is the way."""

from __future__ import annotations

from typing import Any

from martechgate.check import engine
from martechgate.check.rules import entry_deleted, get
from martechgate.gate import diff_check as pullcheck
from martechgate.sources.repo import WorkTree
from tests.conftest import TODAY, GovRepo


def test_registered_and_documented() -> None:
    assert get("entry-deleted") is entry_deleted
    doc = entry_deleted.__doc__ or ""
    assert "Passes" in doc and "Fails" in doc and "status: retired" in doc
    assert entry_deleted.ENFORCEMENT == "hard"


def test_no_finding_without_a_change(gov: GovRepo) -> None:
    gov.add_entry("canva")
    catalog = engine.load_catalog(WorkTree(gov.path), today=TODAY)
    assert list(entry_deleted.check(catalog)) == []


def test_a_deletion_is_found_at_the_deleted_file(gov: GovRepo) -> None:
    catalog = engine.load_catalog(WorkTree(gov.path), today=TODAY)
    catalog.deleted = {"catalog/hootsuite.yaml": "hootsuite"}
    [finding] = entry_deleted.check(catalog)
    assert (finding.file, finding.entry) == ("catalog/hootsuite.yaml", "hootsuite")
    assert finding.blocking and finding.line is None and "retire" in finding.message


def test_retiring_instead_passes(gov: GovRepo) -> None:
    gov.add_entry("hootsuite", name="Hootsuite")
    gov.commit("main")
    gov.git("checkout", "-q", "-b", "retire")
    gov.add_entry(
        "hootsuite",
        name="Hootsuite",
        status="retired",
        contract={
            "annual_cost": 0,
            "currency": "USD",
            "payment": "invoice",
            "seats": 0,
            "start": "2026-01-01",
            "renewal": "2027-06-01",
            "auto_renew": False,
            "notice_days": 30,
            "implementation_cost": 0,
            "support_hours_month": 0,
        },
    )
    gov.commit("Retire Hootsuite")
    result = pullcheck.check_change(gov.path, "main", "retire", TODAY)
    assert "entry-deleted" not in {f.rule for f in result.report.findings}


def test_a_file_moved_out_of_the_catalog_is_deleted(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("hootsuite", name="Hootsuite")
    gov.commit("main")
    gov.git("checkout", "-q", "-b", "archive")
    (gov.path / "archive").mkdir()
    gov.git("mv", "catalog/hootsuite.yaml", "archive/hootsuite.yaml")
    gov.commit("Archive it")
    result = pullcheck.check_change(gov.path, "main", "archive", TODAY)
    assert [(f.rule, f.file) for f in result.report.findings] == [("entry-deleted", "catalog/hootsuite.yaml")]
    explained = run_cli("explain", "entry-deleted")
    assert explained.returncode == 0 and "status: retired" in explained.stdout
