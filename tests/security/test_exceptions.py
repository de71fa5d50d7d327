"""Laundering an exception: exceptions are compared with the same entry id on the base branch, not
with whatever file git's rename detection paired the entry with."""

from __future__ import annotations

from typing import Any

from tests.security.conftest import GovRepo, branch, dump, entry, judge, rule_names

WAIVER: list[dict[str, Any]] = [
    {
        "rule": "pii-requires-sso",
        "reason": "SSO needs the Enterprise plan",
        "approved_by": "ciso@example.com",
        "ticket": "SEC-1",
        "expires": "2027-01-31",
    }
]


def test_an_exception_written_under_docs_then_moved_into_catalog_is_new(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.write("docs/draft.yaml", dump(entry("zoom", exceptions=WAIVER)))
    gov.commit("A draft nobody governs")
    branch(gov)
    gov.git("mv", "docs/draft.yaml", "catalog/zoom.yaml")
    gov.commit("Move the draft into the catalog")
    assert "R" in gov.git("diff", "--name-status", "-M", "main...pr")  # git calls it a rename
    assert "new-exception" in rule_names(judge(gov, []))


def test_an_exception_carried_over_by_renaming_another_entry_is_new(gov: GovRepo) -> None:
    gov.add_entry("canva", exceptions=WAIVER)
    gov.commit("Canva with its waiver")
    branch(gov)
    gov.git("mv", "catalog/canva.yaml", "catalog/zoom.yaml")
    gov.write("catalog/zoom.yaml", dump(entry("zoom", exceptions=WAIVER)))
    gov.commit("Zoom inherits canva's waiver")
    assert "new-exception" in rule_names(judge(gov, []))


def test_an_unchanged_exception_needs_no_new_exception_review(gov: GovRepo) -> None:
    """The honest case is unchanged: editing a tool that already holds a waiver."""
    gov.add_entry("canva", exceptions=WAIVER)
    gov.commit("Canva with its waiver")
    branch(gov)
    gov.add_entry("canva", exceptions=WAIVER, purpose="Design social graphics and slides")
    gov.commit("Edit the purpose")
    assert "new-exception" not in rule_names(judge(gov, []))
