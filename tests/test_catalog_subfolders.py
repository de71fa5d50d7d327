"""A company-wide catalog: entries in folders of catalog/ (catalog/hr/bamboohr.yaml) are entries to
every command, as those at the top are."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from martechgate.audit.history import entry_history, inventory
from martechgate.check import engine
from martechgate.gate import diff_check
from martechgate.sources.git import Git
from martechgate.sources.repo import WorkTree
from martechgate.sources.revision import GitRevision
from tests.conftest import TODAY, GovRepo, dump, entry
from tests.test_import import do_import, write_inventory

HR = {"name": "BambooHR", "category": "analytics"}


def company(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.write("catalog/hr/bamboohr.yaml", dump(entry("bamboohr", **HR)))
    gov.write("catalog/finance/ap/bill.yaml", dump(entry("bill", name="Bill")))
    gov.write("catalog/.drafts/half-done.yaml", "id: half-done\n")  # hidden: not an entry
    gov.commit("A catalog in folders")


def test_both_sources_list_entries_in_folders_and_leave_hidden_ones_out(gov: GovRepo) -> None:
    company(gov)
    expected = ["catalog/canva.yaml", "catalog/finance/ap/bill.yaml", "catalog/hr/bamboohr.yaml"]
    assert WorkTree(gov.path).list_yaml("catalog", recursive=True) == expected
    assert GitRevision(gov.path, "HEAD").list_yaml("catalog", recursive=True) == expected
    assert WorkTree(gov.path).list_yaml("catalog") == ["catalog/canva.yaml"]  # policies stay flat


def test_check_reads_every_folder_and_locates_findings_there(gov: GovRepo, run_cli: Any) -> None:
    company(gov)
    gov.write("catalog/hr/bamboohr.yaml", dump(entry("bamboohr", **HR, owners={"business": "not-an-email"})))
    result = engine.check(WorkTree(gov.path), today=TODAY)
    files = {entry.file for entry in result.catalog.entries}
    assert files == {"catalog/canva.yaml", "catalog/finance/ap/bill.yaml", "catalog/hr/bamboohr.yaml"}
    assert any(f.file == "catalog/hr/bamboohr.yaml" and f.blocking for f in result.report.findings)
    out = run_cli("check", "--no-cache", "--today", TODAY.isoformat(), "--repo", str(gov.path), "--format", "json")
    report = json.loads(out.stdout)
    assert out.returncode == 1 and report["summary"]["entries"] == 3
    assert {f["file"] for f in report["findings"] if f["blocking"]} == {"catalog/hr/bamboohr.yaml"}
    # a folder named on the command line limits the report to its entries
    only = run_cli("check", "--no-cache", "--today", TODAY.isoformat(), str(gov.path / "catalog" / "finance"))
    assert only.returncode == 0 and "1 entry" in only.stdout, only.stdout + only.stderr


def test_the_id_is_the_file_name_and_a_duplicate_in_another_folder_names_both(gov: GovRepo) -> None:
    company(gov)
    gov.write("catalog/design/canva.yaml", dump(entry("canva")))
    findings = engine.check(WorkTree(gov.path), today=TODAY).report.findings
    duplicate = [f for f in findings if f.rule == "duplicate-id"]
    # the finding is on one file and names the other: both paths, since the base names are the same
    assert [(f.file, f.message) for f in duplicate] == [
        ("catalog/design/canva.yaml", "the id 'canva' is already used by catalog/canva.yaml")
    ]
    assert not [f for f in findings if f.rule == "id-mismatch"]


def test_a_pull_request_adding_a_tool_in_a_folder_is_checked_and_reviewed(gov: GovRepo) -> None:
    company(gov)
    gov.git("checkout", "-q", "-b", "pr")
    gov.write("catalog/hr/gusto.yaml", dump(entry("gusto", owners={"business": "x"})))
    gov.commit("Add gusto")
    result = diff_check.check_change(gov.path, "main", "pr", TODAY)
    assert result.change is not None and result.change.changed_files == ("catalog/hr/gusto.yaml",)
    assert result.change.added_files == ("catalog/hr/gusto.yaml",)
    assert any(f.file == "catalog/hr/gusto.yaml" and f.blocking for f in result.report.findings)
    assert "joint-cmo-cio" in {item.rule.name for item in result.review_rules}


def test_moving_an_entry_into_a_folder_is_a_rename_not_a_new_exception(gov: GovRepo) -> None:
    exception = {"rule": "pii-requires-dpa", "reason": "r", "approved_by": "x@example.com", "expires": "2027-01-01"}
    gov.add_entry("canva", exceptions=[exception])
    gov.commit("Add canva")
    gov.git("checkout", "-q", "-b", "pr")
    (gov.path / "catalog" / "design").mkdir()
    (gov.path / "catalog" / "canva.yaml").rename(gov.path / "catalog" / "design" / "canva.yaml")
    gov.commit("File canva under design/")
    result = diff_check.check_change(gov.path, "main", "pr", TODAY)
    names = {item.rule.name for item in result.review_rules}
    assert "new-exception" not in names, names  # the same exception, only moved
    assert result.change is not None and result.change.deleted_files == ()


def test_history_and_inventory_follow_an_entry_into_a_folder(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("bamboohr", **HR)
    gov.commit("Add bamboohr", when="2026-03-01T10:00:00+00:00")
    (gov.path / "catalog" / "hr").mkdir()
    (gov.path / "catalog" / "bamboohr.yaml").rename(gov.path / "catalog" / "hr" / "bamboohr.yaml")
    gov.commit("File it under hr/", when="2026-03-02T10:00:00+00:00")
    gov.write("catalog/hr/bamboohr.yaml", dump(entry("bamboohr", **HR, purpose="People records")))
    gov.commit("Say what it is for", when="2026-03-03T10:00:00+00:00")
    revisions = entry_history(Git(gov.path), "bamboohr", "main")
    assert [r.action for r in revisions] == ["changed", "renamed", "added"]
    assert revisions[1].change.old_path == "catalog/bamboohr.yaml"
    rows = inventory(Git(gov.path), date(2026, 3, 3)).rows
    assert [(r["id"], r["file"]) for r in rows] == [("bamboohr", "catalog/hr/bamboohr.yaml")]
    text = run_cli("history", "bamboohr", "--repo", str(gov.path))
    assert text.returncode == 0 and "catalog/bamboohr.yaml → catalog/hr/bamboohr.yaml" in text.stdout


def test_import_finds_an_entry_a_person_moved_into_a_folder(gov: GovRepo, tmp_path: Path) -> None:
    inventory_file, mapping = write_inventory(tmp_path / "in", "csv")
    first = do_import(gov, inventory_file, mapping)
    assert "canva" in first.written
    (gov.path / "catalog" / "design").mkdir()
    (gov.path / "catalog" / "canva.yaml").rename(gov.path / "catalog" / "design" / "canva.yaml")
    again = do_import(gov, inventory_file, mapping)
    assert again.written == [] and "canva" in again.unchanged
    assert not (gov.path / "catalog" / "canva.yaml").exists()  # never written a second time


def test_every_report_sees_an_entry_filed_only_in_a_folder(gov: GovRepo, run_cli: Any, tmp_path: Path) -> None:
    """No command lists catalog/ by itself: each one finds a tool that exists only in catalog/hr/."""
    gov.write(
        "catalog/hr/bamboohr.yaml",
        dump(entry("bamboohr", **HR, integrations=[{"target": "canva", "direction": "outbound", "data": []}])),
    )
    gov.add_entry("canva")
    gov.commit("Add both", when="2026-03-01T10:00:00+00:00")
    repo = ["--repo", str(gov.path)]
    today = ["--today", TODAY.isoformat()]
    commands = [
        ["spend", *repo, "--format", "csv", "--by", "tool"],
        ["renewals", *repo, *today, "--within", "3y", "--format", "csv"],
        ["graph", *repo],
        ["due", *repo, *today, "--within", "3y", "--format", "csv"],
        ["audit", *repo, "--since", "2026-01-01", "--until", "2026-12-31", "--format", "json"],
        ["inventory", *repo, "--as-of", "2026-12-31", "--format", "csv"],
        ["history", "bamboohr", *repo],
    ]
    for command in commands:
        result = run_cli(*command)
        assert result.returncode in (0, 1), (command, result.stderr)
        assert "bamboohr" in result.stdout.lower(), (command, result.stdout)
    checked = run_cli("check", *repo, *today, "--no-cache", "--format", "json")
    assert json.loads(checked.stdout)["summary"]["entries"] == 2
    site = run_cli("site", *repo, *today, str(tmp_path / "site"))
    assert site.returncode == 0, site.stderr
    assert "BambooHR" in (tmp_path / "site" / "tools" / "bamboohr.html").read_text(encoding="utf-8")
