"""`martechgate history`: every change to one entry, following renames, with PR numbers and field diffs."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from martechgate.audit.history import Git, diff_values, entry_history, render_history
from martechgate.errors import UsageError
from martechgate.sources.revision import GitRevision
from tests.conftest import GovRepo, dump, entry


def merge_pr(gov: GovRepo, number: int, branch: str, when: str, author: str, edit: Any) -> str:
    """A pull request on `branch` by `author`, merged into main with GitHub's merge commit message."""
    gov.git("checkout", "-q", "-b", branch)
    edit()
    gov.commit(f"Work on {branch}", when=when, author=author)
    gov.git("checkout", "-q", "main")
    gov.git("merge", "-q", "--no-ff", branch, "-m", f"Merge pull request #{number} from acme/{branch}", date_text=when)
    return gov.git("rev-parse", "HEAD")


def build_story(gov: GovRepo) -> dict[str, str]:
    """hubspot: added by PR #12 (merge), SSO and cost changed by squash #15, renamed by direct push,
    broken then fixed; another tool changes in between."""
    shas = {}
    no_sso = {"sso": "none", "mfa": "enforced", "scim": False, "evidence": []}
    shas["add"] = merge_pr(
        gov,
        12,
        "add-hubspot",
        "2026-02-01T10:00:00+00:00",
        "Mia Marketer <mia@example.com>",
        lambda: gov.add_entry("hubspot", security=no_sso),
    )
    gov.add_entry("canva")
    gov.commit("Add canva (#13)", when="2026-02-05T09:00:00+00:00", author="Bo <bo@example.com>")
    data = entry(
        "hubspot",
        security={"sso": "saml", "mfa": "enforced", "scim": False, "evidence": []},
        capabilities=["graphics", "email"],
    )
    data["contract"]["annual_cost"] = 48000
    gov.write("catalog/hubspot.yaml", dump(data))
    shas["squash"] = gov.commit(
        "Turn on SSO for HubSpot (#15)", when="2026-03-01T12:00:00+00:00", author="Raj <raj@example.com>"
    )
    gov.git("mv", "catalog/hubspot.yaml", "catalog/hubspot-marketing-hub.yaml")
    data["id"] = "hubspot-marketing-hub"
    gov.write("catalog/hubspot-marketing-hub.yaml", dump(data))
    shas["rename"] = gov.commit(
        "Rename hubspot", when="2026-04-01T08:00:00+00:00", author="Dan Direct <dan@example.com>"
    )
    gov.write("catalog/hubspot-marketing-hub.yaml", "id: [unclosed\n")
    shas["broken"] = gov.commit("Oops", when="2026-04-02T08:00:00+00:00")
    gov.write("catalog/hubspot-marketing-hub.yaml", dump(data))
    shas["fixed"] = gov.commit("Fix the entry", when="2026-04-03T08:00:00+00:00")
    return shas


def test_history_follows_renames_and_names_pull_requests(gov: GovRepo) -> None:
    shas = build_story(gov)
    revisions = entry_history(Git(gov.path), "hubspot-marketing-hub")
    order = ("fixed", "broken", "rename", "squash", "add")
    assert [r.commit.sha for r in revisions] == [shas[k] for k in order]
    added, squash, rename = revisions[4], revisions[3], revisions[2]
    assert added.action == "added" and added.commit.pull_request == 12
    # the proposer of a merged pull request is the author of its branch, not whoever clicked merge
    assert added.proposer == "Mia Marketer <mia@example.com>"
    assert squash.commit.pull_request == 15 and squash.proposer == "Raj <raj@example.com>"
    words = [f.words() for f in squash.fields]
    assert "security.sso: none → saml" in words
    assert "contract.annual_cost: 1,200 → 48,000" in words
    assert "capabilities: added email" in words
    assert rename.action == "renamed" and rename.change.old_path == "catalog/hubspot.yaml"
    assert rename.commit.pull_request is None
    assert [f.words() for f in rename.fields] == ["id: hubspot → hubspot-marketing-hub"]
    assert revisions[1].unreadable is not None and "unreadable after this change" in revisions[1].unreadable
    assert revisions[0].unreadable is not None and "was unreadable before" in revisions[0].unreadable


def test_history_cli_text_and_json(gov: GovRepo, run_cli: Any) -> None:
    build_story(gov)
    text = run_cli("history", "hubspot-marketing-hub", "--repo", str(gov.path))
    assert text.returncode == 0, text.stderr
    assert "PR #15" in text.stdout and "security.sso: none → saml" in text.stdout
    assert "renamed: catalog/hubspot.yaml → catalog/hubspot-marketing-hub.yaml" in text.stdout
    out = run_cli("history", "hubspot-marketing-hub", "--repo", str(gov.path), "--format", "json")
    document = json.loads(out.stdout)
    assert [c["pull_request"] for c in document["changes"]] == [None, None, None, 15, 12]
    assert document["changes"][4]["date"] == "2026-02-01T10:00:00+00:00"
    assert "canva" not in out.stdout


def test_unknown_tool_is_a_usage_error(gov: GovRepo, run_cli: Any) -> None:
    build_story(gov)
    with pytest.raises(UsageError):
        entry_history(Git(gov.path), "nope")
    result = run_cli("history", "nope", "--repo", str(gov.path))
    assert result.returncode == 2 and "Traceback" not in result.stderr and "inventory" in result.stderr


def test_not_a_git_repo(tmp_path: Any, run_cli: Any) -> None:
    result = run_cli("history", "x", "--repo", str(tmp_path))
    assert result.returncode == 2 and "not inside a git repository" in result.stderr


def test_deleted_and_re_added_entry(gov: GovRepo) -> None:
    gov.add_entry("zoom")
    gov.commit("Add zoom (#1)", when="2026-01-02T00:00:00+00:00")
    gov.git("rm", "-q", "catalog/zoom.yaml")
    gov.commit("Retire zoom (#2)", when="2026-01-03T00:00:00+00:00")
    gov.add_entry("zoom", status="trial")
    gov.commit("Bring zoom back (#3)", when="2026-01-04T00:00:00+00:00")
    revisions = entry_history(Git(gov.path), "zoom")
    assert [(r.action, r.commit.pull_request) for r in revisions] == [("added", 3), ("removed", 2), ("added", 1)]
    assert "entry removed" in render_history("zoom", revisions)


def test_diff_in_words_for_lists_of_mappings() -> None:
    old = {
        "exceptions": [{"rule": "a", "expires": "2026-01-01"}],
        "integrations": [{"target": "x", "direction": "outbound"}],
    }
    new = {
        "exceptions": [{"rule": "a", "expires": "2026-06-01"}, {"rule": "b", "expires": "2026-02-01"}],
        "integrations": [],
    }
    described = [f.words() for f in diff_values(old, new)]
    assert described == [
        "exceptions[a].expires: 2026-01-01 → 2026-06-01",
        "exceptions[b]: added {rule: b, expires: 2026-02-01}",
        "integrations[x]: removed {target: x, direction: outbound}",
    ]
    assert [f.words() for f in diff_values({"l": [[1], [2]]}, {"l": [[1], [3]]})] == [
        "l.1: removed 2",
        "l.1: added 3",
    ]
    assert [f.words() for f in diff_values({"a": True}, {"a": None})] == ["a: true → (not set)"]


def test_a_governance_repo_in_a_subfolder(tmp_path: Any, run_cli: Any) -> None:
    """The governance repo may be a folder of a larger repository: paths are read relative to it."""
    top = tmp_path / "monorepo"
    (top / "governance" / "catalog").mkdir(parents=True)
    (top / "catalog").mkdir()

    def git(*args: str, when: str | None = None) -> None:
        env = {**os.environ, **({"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {})}
        subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
            cwd=top,
            env=env,
            check=True,
            capture_output=True,
        )

    git("init", "-q", "-b", "main")
    (top / "catalog" / "decoy.yaml").write_text("id: decoy\n")  # outside the governance folder
    (top / "governance" / "catalog" / "zoom.yaml").write_text(dump(entry("zoom")))
    git("add", "-A")
    git("commit", "-q", "-m", "Add zoom (#5)", when="2026-02-01T00:00:00+00:00")
    (top / "governance" / "catalog" / "zoom.yaml").write_text(dump(entry("zoom", status="trial")))
    (top / "catalog" / "decoy.yaml").write_text("id: decoy2\n")
    git("commit", "-q", "-am", "Trial zoom (#6)", when="2026-02-02T00:00:00+00:00")
    revisions = entry_history(Git(top / "governance"), "zoom")
    assert [(r.commit.pull_request, r.change.path) for r in revisions] == [
        (6, "catalog/zoom.yaml"),
        (5, "catalog/zoom.yaml"),
    ]
    assert [f.words() for f in revisions[0].fields] == ["status: approved → trial"]
    rows = json.loads(
        run_cli("inventory", "--as-of", "2026-02-02", "--repo", str(top / "governance"), "--format", "json").stdout
    )["rows"]
    assert [r["id"] for r in rows] == ["zoom"]


def test_git_revision_at_reads_its_own_tree(gov: GovRepo) -> None:
    """GitRevision.at shares the object reader, never the folder cache of another revision."""
    first = gov.git("rev-parse", "HEAD")
    gov.add_entry("zoom")
    second = gov.commit("Add zoom (#1)")
    old = GitRevision(gov.path, first)
    assert old.list_yaml("catalog") == []
    new = old.at(second)
    assert new.list_yaml("catalog") == ["catalog/zoom.yaml"] and new.read("catalog/zoom.yaml").data
    assert old.list_yaml("catalog") == [] and new.git is old.git
    assert new.object_id("catalog/zoom.yaml") == gov.git("rev-parse", f"{second}:catalog/zoom.yaml")
