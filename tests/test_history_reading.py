"""How `history` reads git: only the tool's own changes, renames followed across the whole catalog; the
answer is the one reading every change to the catalog gives."""

from __future__ import annotations

from typing import Any

import pytest

from martechgate.audit import history
from martechgate.audit.history import Revision, entry_history
from martechgate.sources.git import Git
from tests.conftest import GovRepo, dump, entry


def _shape(revisions: list[Revision]) -> list[Any]:
    return [(r.commit.sha, r.change, r.fields, r.proposer, r.unreadable, r.landed) for r in revisions]


def _whole_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make history read every change to the catalog, as it does for a name holding a glob character."""
    monkeypatch.setattr(history, "_tool_pathspecs", lambda git, tool: None)


def build_renames(gov: GovRepo) -> None:
    """crm-suite: added as `old-name`, renamed to crm-suite, edited, moved into a folder, renamed away
    to `newer-name` by a merged pull request; then a new crm-suite is added, removed and added again.
    Other tools change in between, one of them with a name the tool's is a prefix of."""
    gov.add_entry("old-name")
    gov.commit("Add old-name (#1)")
    gov.git("mv", "catalog/old-name.yaml", "catalog/crm-suite.yaml")
    gov.add_entry("crm-suite")
    gov.commit("Rename old-name to crm-suite (#2)")
    gov.add_entry("crm-suite-two")
    gov.commit("Add crm-suite-two (#3)")
    gov.add_entry("crm-suite", status="trial")
    gov.commit("Trial crm-suite (#4)")
    (gov.path / "catalog" / "crm").mkdir()
    gov.git("mv", "catalog/crm-suite.yaml", "catalog/crm/crm-suite.yaml")
    gov.commit("Move crm-suite into crm/ (#5)")
    gov.git("checkout", "-q", "-b", "rename-away")
    gov.git("mv", "catalog/crm/crm-suite.yaml", "catalog/newer-name.yaml")
    gov.add_entry("newer-name", status="trial")
    gov.commit("Call it newer-name")
    gov.git("checkout", "-q", "main")
    gov.git("merge", "-q", "--no-ff", "rename-away", "-m", "Merge pull request #6 from acme/rename-away")
    gov.add_entry("crm-suite", name="A new one")
    gov.commit("Add another crm-suite (#7)")
    gov.git("rm", "-q", "catalog/crm-suite.yaml")
    gov.commit("Remove it (#8)")
    gov.write("catalog/crm-suite.yml", dump(entry("crm-suite", name="Back again")))
    gov.commit("Bring it back as .yml (#9)")


def test_only_the_tools_changes_are_read_and_renames_are_followed_as_in_the_whole_catalog(
    gov: GovRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_renames(gov)
    git = Git(gov.path)
    read = entry_history(git, "crm-suite")
    assert [(r.action, r.commit.pull_request, r.change.path) for r in read] == [
        ("added", 9, "catalog/crm-suite.yml"),
        ("removed", 8, "catalog/crm-suite.yaml"),
        ("added", 7, "catalog/crm-suite.yaml"),
        ("renamed", 6, "catalog/newer-name.yaml"),
        ("renamed", 5, "catalog/crm/crm-suite.yaml"),
        ("changed", 4, "catalog/crm-suite.yaml"),
        ("renamed", 2, "catalog/crm-suite.yaml"),
        ("added", 1, "catalog/old-name.yaml"),
    ]
    assert [f.words() for f in read[5].fields] == ["status: approved → trial"]
    _whole_catalog(monkeypatch)
    assert _shape(entry_history(git, "crm-suite")) == _shape(read)
    assert _shape(entry_history(git, "newer-name")) == _shape(read[3:])


def test_a_name_a_glob_would_misread_is_read_from_the_whole_catalog(gov: GovRepo) -> None:
    gov.add_entry("odd1")  # what the pattern odd[1] would match
    gov.write("catalog/odd[1].yaml", dump(entry("odd[1]")))
    gov.commit("Add two (#1)")
    gov.write("catalog/odd[1].yaml", dump(entry("odd[1]", status="trial")))
    gov.commit("Trial odd[1] (#2)")
    git = Git(gov.path)
    assert history._tool_pathspecs(git, "odd[1]") is None
    assert history._tool_pathspecs(git, "odd1") is not None
    revisions = entry_history(git, "odd[1]")
    assert [(r.commit.pull_request, r.change.path) for r in revisions] == [
        (2, "catalog/odd[1].yaml"),
        (1, "catalog/odd[1].yaml"),
    ]
    assert [(r.commit.pull_request, r.change.path) for r in entry_history(git, "odd1")] == [(1, "catalog/odd1.yaml")]
