"""File names git writes oddly: each is kept (escaped), refused, and never lets a change pass unseen."""

from __future__ import annotations

from typing import Any

import pytest

from martechgate.audit.history import inventory
from martechgate.sources.git import Git
from tests.security.conftest import (
    TODAY,
    GovRepo,
    approve,
    branch,
    check,
    dump,
    entry,
    judge,
    refused,
    rule_names,
    write_named,
)

HOSTILE_NAMES = [
    pytest.param(b"catalog/caf\xe9.yaml", "catalog/caf\\xe9.yaml", id="not-utf8"),
    pytest.param(b"catalog/a\nb.yaml", "catalog/a\\nb.yaml", id="newline"),
    pytest.param(b"catalog/a\tb.yaml", "catalog/a\\tb.yaml", id="tab"),
    pytest.param(b"catalog/\x1b[2Khubspot.yaml", "catalog/\\x1b[2Khubspot.yaml", id="escape-sequence"),
    pytest.param("catalog/evil\u202elmth.yaml".encode(), "catalog/evil\\u202elmth.yaml", id="bidi-override"),
    pytest.param(b"catalog/x.yaml\n", "catalog/x.yaml\\n", id="suffix-hidden-by-newline"),
    pytest.param(b"catalog/x\r.yaml", "catalog/x\\r.yaml", id="carriage-return"),
]


@pytest.mark.parametrize(("raw", "shown"), HOSTILE_NAMES)
def test_an_entry_added_under_a_hostile_name_is_refused_by_the_pr_check(gov: GovRepo, raw: bytes, shown: str) -> None:
    branch(gov)
    write_named(gov, raw, dump(entry("sneaky", category="video")))
    gov.commit("Add a tool nobody sees")
    found = refused(check(gov))
    assert shown in found, found
    assert "not plain UTF-8 text" in found[shown].message and shown in found[shown].message


def test_a_hostile_name_in_the_uncommitted_work_tree_is_refused(gov: GovRepo) -> None:
    branch(gov)
    write_named(gov, b"catalog/caf\xe9.yaml", dump(entry("cafe")))  # untracked: the pre-commit check
    assert "catalog/caf\\xe9.yaml" in refused(check(gov, head=None))


def test_a_policy_under_a_non_utf8_name_is_refused(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.commit("Add canva")
    branch(gov)
    write_named(gov, b"policies/allow-all\xff.yaml", b"id: allow-all\n")
    gov.commit("A policy nobody reviews")
    assert "policies/allow-all\\xff.yaml" in refused(check(gov))


def test_a_hostile_name_still_needs_the_joint_review(gov: GovRepo) -> None:
    """The review does not see "no change": the file is a catalog change, unreadable, so every rule
    with tool conditions is assumed to apply (fail closed)."""
    branch(gov)
    write_named(gov, b"catalog/caf\xe9.yaml", dump(entry("cafe")))
    head = gov.commit("Add")
    verdict = judge(gov, [approve("alice-chen", head), approve("carol-diaz", head)])
    assert {"joint-cmo-cio", "high-risk", "new-exception"} <= rule_names(verdict)
    assert not verdict.approved


def test_approvals_go_stale_when_a_hostile_name_is_pushed_after_them(gov: GovRepo) -> None:
    branch(gov)
    gov.add_entry("canva")
    approved = gov.commit("Add canva")
    write_named(gov, b"catalog/canva\n.yaml", dump(entry("canva-2", category="video")))
    gov.commit("Slip in another tool after the approvals")
    verdict = judge(gov, [approve("alice-chen", approved), approve("carol-diaz", approved)])
    joint = next(rule for rule in verdict.rules if rule.name == "joint-cmo-cio")
    assert set(joint.stale) == {"alice-chen", "carol-diaz"} and not verdict.approved


def test_a_full_check_of_the_work_tree_refuses_a_hostile_name(gov: GovRepo, run_cli: Any) -> None:
    write_named(gov, b"catalog/caf\xe9.yaml", dump(entry("cafe")))
    result = run_cli("check", "--today", TODAY.isoformat(), "--no-cache", str(gov.path))
    assert result.returncode == 1, result.stderr
    assert "catalog/caf\\xe9.yaml" in result.stdout and "Traceback" not in result.stderr


def test_inventory_lists_a_hostile_name_as_unreadable(gov: GovRepo) -> None:
    gov.add_entry("canva")
    write_named(gov, b"catalog/caf\xe9.yaml", dump(entry("cafe")))
    gov.commit("Add two tools", when="2026-02-01T10:00:00+00:00")
    rows = {row["file"]: row for row in inventory(Git(gov.path), TODAY).rows}
    assert rows["catalog/caf\\xe9.yaml"]["status"] == "(unreadable)"
    assert rows["catalog/canva.yaml"]["status"] == "approved"


def test_a_workflow_under_a_hostile_name_is_refused(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.commit("Add canva")
    branch(gov)
    write_named(gov, b".github/workflows/ci\x1b[1A.yml", b"on: push\n")
    gov.commit("A workflow whose name rewrites the log line above it")
    assert ".github/workflows/ci\\x1b[1A.yml" in refused(check(gov))


def test_renaming_an_entry_to_a_hostile_name_is_refused(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.commit("Add canva")
    branch(gov)
    gov.git("mv", "catalog/canva.yaml", "catalog/canva\u2066.yaml")
    gov.commit("Rename canva to a name with an invisible isolate")
    assert "catalog/canva\\u2066.yaml" in refused(check(gov))
