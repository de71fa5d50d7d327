"""How `history` reads git: only the tool's own changes (renames followed across the whole catalog),
and each version parsed once across runs. Either way the answer is the one reading everything gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from martechgate import caching
from martechgate.audit import history
from martechgate.audit.history import Revision, entry_history
from martechgate.audit.versions import VersionCache
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


def _versions_file(cache_dir: Path, repo: Path) -> Path:
    return caching.location(repo, cache_dir, "versions")


def _rewrite(path: Path, body: bytes, checksum: bool) -> None:
    head = json.loads(path.read_bytes().partition(b"\n")[0])
    if checksum:
        head["crc32"] = caching.checksum(body)
    path.write_bytes(json.dumps(head).encode() + b"\n" + body)


def test_versions_parsed_once_are_taken_from_the_cache_and_a_tampered_cache_is_ignored(
    gov: GovRepo, isolated_cache: Path, run_cli: Any
) -> None:
    gov.add_entry("zoom")
    gov.commit("Add zoom (#1)")
    gov.add_entry("zoom", status="trial")
    gov.commit("Trial zoom (#2)")
    command = ("history", "zoom", "--repo", str(gov.path), "--format", "json")
    first = run_cli(*command)
    assert first.returncode == 0, first.stderr
    stored = _versions_file(isolated_cache, gov.path)
    versions = json.loads(stored.read_bytes().partition(b"\n")[2])
    assert len(versions) == 2 and all(value["id"] == "zoom" for value, problem in versions.values())
    assert run_cli(*command).stdout == first.stdout
    # A version the cache holds is not read from git again: what the cache says is what is shown.
    for value, _ in versions.values():
        value["name"] = "From the cache"
    _rewrite(stored, json.dumps(versions).encode(), checksum=True)
    assert "From the cache" in run_cli(*command).stdout
    # Its body changed without its checksum: the whole cache is ignored, and rebuilt.
    _rewrite(stored, json.dumps(versions).replace("From the cache", "Forged").encode(), checksum=False)
    again = run_cli(*command)
    assert again.stdout == first.stdout and "Forged" not in again.stdout
    assert b"Forged" not in stored.read_bytes()
    stored.write_bytes(b"\xff\xfe not json at all")
    assert run_cli(*command).stdout == first.stdout


def test_a_value_json_would_change_is_never_cached(gov: GovRepo, isolated_cache: Path, run_cli: Any) -> None:
    text = dump(entry("zoom"))
    gov.write("catalog/zoom.yaml", text.replace("annual_cost: 1200", "annual_cost: 1e400"))  # infinity
    gov.commit("Add zoom (#1)")
    gov.write("catalog/zoom.yaml", text)
    gov.commit("Cost zoom (#2)")
    command = ("history", "zoom", "--repo", str(gov.path), "--format", "json")
    first = run_cli(*command)
    assert first.returncode == 0, first.stderr
    assert "Infinity" in first.stdout
    stored = _versions_file(isolated_cache, gov.path)
    versions = json.loads(stored.read_bytes().partition(b"\n")[2])
    assert [value["contract"]["annual_cost"] for value, _ in versions.values()] == [1200]  # JSON has no infinity
    assert run_cli(*command).stdout == first.stdout
    cache = VersionCache(isolated_cache / "direct.json")
    cache.put("a", ({"cost": float("nan")}, None))
    cache.put("b", ({1: "a key that is not text"}, None))
    cache.put("c", ({"big": 2**70}, None))
    cache.put("d", ({"cost": 1.5, "tags": ["x"], "none": None}, None))
    assert [cache.get(blob) for blob in "abc"] == [None, None, None]
    assert cache.get("d") == ({"cost": 1.5, "tags": ["x"], "none": None}, None)


def test_no_cache_keeps_nothing_and_a_cache_inside_the_repo_is_refused(
    gov: GovRepo, isolated_cache: Path, run_cli: Any
) -> None:
    gov.add_entry("zoom")
    gov.commit("Add zoom (#1)")
    plain = run_cli("history", "zoom", "--repo", str(gov.path), "--no-cache")
    assert plain.returncode == 0 and "entry added" in plain.stdout
    assert not _versions_file(isolated_cache, gov.path).exists()
    inside = run_cli("history", "zoom", "--repo", str(gov.path), "--cache-dir", str(gov.path / "cache"))
    assert inside.returncode == 2 and "inside the governance repo" in inside.stderr
    assert not (gov.path / "cache").exists()
