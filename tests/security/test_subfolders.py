"""Catalog subfolders: an adversary with write access hides a tool, or a link, in a folder of
catalog/ that a reader might pass over. Every such file is read as an entry or refused, never skipped,
in the work tree and in the pull-request check."""

from __future__ import annotations

import os
from typing import Any

from martechgate.sources.repo import MAX_FOLDER_DEPTH, WorkTree
from martechgate.sources.revision import GitRevision
from tests.security.conftest import TODAY, GovRepo, branch, check, dump, entry, judge, refused, rule_names


def base(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.commit("Add canva")
    branch(gov)


def test_a_link_in_a_subfolder_to_a_file_outside_the_repo_is_refused(gov: GovRepo, run_cli: Any) -> None:
    base(gov)
    (gov.path / "catalog" / "hr").mkdir()
    os.symlink("/etc/passwd", gov.path / "catalog" / "hr" / "payroll.yaml")
    gov.commit("A tool in hr/ that is a link out of the repo")
    found = refused(check(gov))
    assert "link to /etc/passwd, outside the repository" in found["catalog/hr/payroll.yaml"].message
    result = run_cli("check", "--no-cache", "--today", TODAY.isoformat(), "--repo", str(gov.path))
    assert result.returncode == 1 and "catalog/hr/payroll.yaml" in result.stdout
    assert "root:" not in result.stdout + result.stderr  # the target was never read


def test_a_linked_folder_below_a_subfolder_is_refused_not_walked(gov: GovRepo) -> None:
    base(gov)
    gov.write("elsewhere/zoom.yaml", dump(entry("zoom")))
    (gov.path / "catalog" / "hr").mkdir()
    os.symlink("../../elsewhere", gov.path / "catalog" / "hr" / "more")
    gov.commit("A folder of catalog/hr that leads to files no review path covers")
    assert "catalog/hr/more" in refused(check(gov))
    assert WorkTree(gov.path).list_yaml("catalog", recursive=True) == ["catalog/canva.yaml", "catalog/hr/more"]
    assert GitRevision(gov.path, "pr").read("catalog/hr/more").data is None


def test_a_tool_nested_deeper_than_the_limit_is_refused_not_skipped(gov: GovRepo, run_cli: Any) -> None:
    base(gov)
    deep = "/".join(f"d{level}" for level in range(MAX_FOLDER_DEPTH + 1))
    gov.write(f"catalog/{deep}/hidden-tool.yaml", dump(entry("hidden-tool", data={"categories": ["contact-pii"]})))
    gov.commit("A tool buried where a reader might stop looking")
    folder = "catalog/" + "/".join(f"d{level}" for level in range(MAX_FOLDER_DEPTH + 1))
    found = refused(check(gov))
    assert f"more than {MAX_FOLDER_DEPTH} folders below catalog/" in found[folder].message
    result = run_cli("check", "--no-cache", "--today", TODAY.isoformat(), "--repo", str(gov.path))
    assert result.returncode == 1 and folder in result.stdout and "Traceback" not in result.stderr


def test_a_tool_moved_into_a_subfolder_keeps_its_exceptions_reviewed(gov: GovRepo) -> None:
    """Moving catalog/x.yaml to catalog/hr/x.yaml must not launder an exception added on the way."""
    gov.add_entry("canva")
    gov.commit("Add canva")
    branch(gov)
    (gov.path / "catalog" / "canva.yaml").unlink()
    exception = {"rule": "pii-requires-dpa", "reason": "r", "approved_by": "x@example.com", "expires": "2027-01-01"}
    gov.write("catalog/design/canva.yaml", dump(entry("canva", exceptions=[exception])))
    gov.commit("Move canva to design/ and add an exception")
    verdict = judge(gov, [])
    assert "new-exception" in rule_names(verdict)


def test_a_tool_filed_in_a_folder_cannot_dodge_a_rule_written_for_the_top(gov: GovRepo) -> None:
    """An organisation wrote its joint review for `catalog/*.yaml` (no `**`) before entries had folders;
    the adversary files a new tool in catalog/tools/ to need no reviewer at all."""
    org = gov.path / "martechgate.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace('paths: ["catalog/**"]', 'paths: ["catalog/*.yaml"]'))
    base(gov)
    gov.write("catalog/tools/sneaky.yaml", dump(entry("sneaky")))
    gov.commit("Add a tool where the rule's pattern does not look")
    verdict = judge(gov, [])
    assert "joint-cmo-cio" in rule_names(verdict)
    assert not verdict.approved
