"""Commit dates are what the pusher writes. A commit dated in the past and pushed today must not
rewrite an inventory already given, slip out of an audit period, or escape `verify --since`: every
command orders by first-parent ancestry and says when a date goes backwards."""

from __future__ import annotations

import json
from typing import Any

from martechgate.audit.history import Git
from martechgate.audit.records import SigningKey, verify
from tests.conftest import GovRepo
from tests.recording import adopt


def backdated(gov: GovRepo) -> str:
    """catalog/canva.yaml added on 2026-03-01; then a push of shadow-tool dated 2026-01-15."""
    gov.add_entry("canva")
    gov.commit("Add canva (#1)", when="2026-03-01T10:00:00+00:00")
    gov.add_entry("shadow-tool")
    return gov.commit("Add shadow-tool", when="2026-01-15T10:00:00+00:00", author="Admin <admin@example.com>")


def test_a_backdated_commit_does_not_rewrite_a_past_inventory(gov: GovRepo, run_cli: Any) -> None:
    pushed = backdated(gov)
    args = ("inventory", "--repo", str(gov.path), "--format", "json", "--as-of")
    january = run_cli(*args, "2026-01-31")
    assert january.returncode == 0, january.stderr
    document = json.loads(january.stdout)
    assert document["rows"] == []  # as it was: the start of the repo, before canva and the push
    assert document["meta"]["commit"] == gov.git("rev-list", "--max-parents=0", "HEAD")
    assert f"the date of {pushed[:12]} (2026-01-15T10:00:00+00:00) goes backwards" in january.stderr
    assert document["meta"]["dates_backwards"]
    march = json.loads(run_cli(*args, "2026-03-01").stdout)
    assert [row["id"] for row in march["rows"]] == ["canva", "shadow-tool"]  # landed after its parent


def test_a_backdated_commit_lands_in_the_period_it_was_pushed(gov: GovRepo, run_cli: Any) -> None:
    pushed = backdated(gov)

    def audit(since: str, until: str) -> dict[str, Any]:
        result = run_cli("audit", "--repo", str(gov.path), "--since", since, "--until", until, "--format", "json")
        assert result.returncode == 0, result.stderr
        assert "goes backwards" in result.stderr
        document: dict[str, Any] = json.loads(result.stdout)
        return document

    assert audit("2026-01-01", "2026-01-31")["events"] == []
    march = audit("2026-03-01", "2026-03-31")
    assert [(e["tool"], e["commit"]) for e in march["events"]] == [
        ("canva", gov.git("rev-parse", "HEAD~1")),
        ("shadow-tool", pushed),
    ]
    assert march["meta"]["dates_backwards"]


def test_verify_since_does_not_skip_a_backdated_push(gov: GovRepo, ci_key: SigningKey) -> None:
    first = adopt(gov, ci_key)  # PR #1 on 2026-05-01
    gov.add_entry("shadow-tool")
    pushed = gov.commit("Add shadow-tool", when="2025-12-24T10:00:00+00:00")
    result = verify(Git(gov.path), since=None, first_record=first.hash)
    assert [(p.kind, p.commit) for p in result.problems] == [("unrecorded", pushed)]
    recent = verify(Git(gov.path), since=__import__("datetime").date(2026, 5, 1), first_record=first.hash)
    assert [(p.kind, p.commit) for p in recent.problems] == [("unrecorded", pushed)]
    assert any("goes backwards" in note for note in recent.notes)


def test_history_orders_by_ancestry_and_flags_the_backdated_change(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry("canva")
    added = gov.commit("Add canva", when="2026-03-01T10:00:00+00:00")
    gov.add_entry("canva", status="deprecated")
    changed = gov.commit("Deprecate canva", when="2026-01-02T10:00:00+00:00")
    result = run_cli("history", "canva", "--repo", str(gov.path), "--format", "json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert [c["commit"] for c in changes] == [changed, added]  # newest first by ancestry, not by date
    assert changes[0]["date_goes_backwards"] and changes[0]["landed_no_earlier_than"].startswith("2026-03-01")
    assert not changes[1]["date_goes_backwards"]
    text = run_cli("history", "canva", "--repo", str(gov.path)).stdout
    assert "its date goes backwards (before its parent's): it landed no earlier than 2026-03-01 10:00 UTC" in text
