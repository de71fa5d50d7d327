"""Reading a governance repo from the working tree and from git revisions."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from martechgate.errors import RepoError
from martechgate.sources.repo import WorkTree, blob_id
from martechgate.sources.revision import GitRevision
from tests.conftest import GovRepo


def test_worktree_lists_yaml_only(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.write("catalog/notes.txt", "not an entry")
    gov.write("catalog/.hidden.yaml", "id: x")
    gov.write("catalog/figma.yml", "id: figma")
    assert WorkTree(gov.path).list_yaml("catalog") == ["catalog/canva.yaml", "catalog/figma.yml"]


def test_blob_id_matches_git(gov: GovRepo) -> None:
    path = gov.add_entry("canva")
    assert WorkTree(gov.path).read("catalog/canva.yaml").blob == gov.git("hash-object", str(path))
    assert blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # git's empty blob


def test_symlink_outside_refused_in_worktree(gov: GovRepo, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    os.symlink(secret, gov.path / "catalog" / "leak.yaml")
    read = WorkTree(gov.path).read("catalog/leak.yaml")
    assert read.data is None and read.refused is not None
    assert "outside the repository" in read.refused.message
    assert "hunter2" not in read.refused.message


def test_symlink_inside_refused(gov: GovRepo) -> None:
    """A link to another file of the repo is not followed: editing its target would change the entry unseen."""
    gov.add_entry("canva")
    os.symlink("canva.yaml", gov.path / "catalog" / "alias.yaml")
    read = WorkTree(gov.path).read("catalog/alias.yaml")
    assert read.data is None and read.refused is not None
    assert "link to canva.yaml, another file of the repository" in read.refused.message


def test_fifo_refused_without_blocking(gov: GovRepo) -> None:
    os.mkfifo(gov.path / "catalog" / "pipe.yaml")
    read = WorkTree(gov.path).read("catalog/pipe.yaml")
    assert read.refused is not None and "not a regular file" in read.refused.message


def test_git_revision_reads_committed_state(gov: GovRepo) -> None:
    gov.add_entry("canva")
    first = gov.commit("Add canva")
    gov.add_entry("figma")
    gov.write("catalog/canva.yaml", "changed: true\n")
    revision = GitRevision(gov.path, first)
    assert revision.list_yaml("catalog") == ["catalog/canva.yaml"]
    data = revision.read("catalog/canva.yaml").data
    assert data is not None and b"apiVersion" in data
    assert revision.exists("martechgate.yaml") and not revision.exists("nope.yaml")


def test_git_revision_symlink_out_refused(gov: GovRepo) -> None:
    os.symlink("/etc/passwd", gov.path / "catalog" / "leak.yaml")
    os.symlink("../../outside.yaml", gov.path / "catalog" / "up.yaml")
    commit = gov.commit("links")
    revision = GitRevision(gov.path, commit)
    for name in ("leak", "up"):
        read = revision.read(f"catalog/{name}.yaml")
        assert read.data is None and read.refused is not None
        assert "outside the repository" in read.refused.message


def test_git_revision_of_subfolder(tmp_path: Path) -> None:
    """A governance repo kept in a folder of a larger git repository."""
    outer = tmp_path / "outer"
    governance = GovRepo(outer / "governance")
    (governance.path / ".git").rename(outer / ".git")  # the git repository is the outer folder
    governance.add_entry("canva")
    subprocess.run(["git", "add", "-A"], cwd=outer, check=True)
    subprocess.run(["git", "commit", "-qm", "x"], cwd=outer, check=True)
    revision = GitRevision(governance.path, "HEAD")
    assert revision.list_yaml("catalog") == ["catalog/canva.yaml"]
    assert revision.exists("martechgate.yaml")


def test_unknown_revision_is_a_clear_error(gov: GovRepo) -> None:
    with pytest.raises(RepoError, match="does not exist"):
        GitRevision(gov.path, "no-such-branch")


def test_not_a_git_repo(tmp_path: Path) -> None:
    with pytest.raises(RepoError, match="not inside a git repository"):
        GitRevision(tmp_path, "HEAD")


def test_catalog_folder_linked_outside_is_refused(tmp_path: Path) -> None:
    gov = GovRepo(tmp_path / "gov")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "canva.yaml").write_text("id: canva\n")
    (gov.path / "catalog").rmdir()
    os.symlink(outside, gov.path / "catalog")
    tree = WorkTree(gov.path)
    assert tree.list_yaml("catalog") == ["catalog"]  # the folder itself, to be refused
    folder = tree.read("catalog")
    assert folder.refused is not None and "outside the repository" in folder.refused.message
    read = tree.read("catalog/canva.yaml")
    assert read.data is None and read.refused is not None and "reached through a symbolic link" in read.refused.message
