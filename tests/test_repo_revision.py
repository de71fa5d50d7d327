"""GitRevision reads folders from git's objects, each tree parsed once: same answers as the working tree."""

from __future__ import annotations

import os

from martechgate.sources.repo import WorkTree
from martechgate.sources.revision import GitRevision
from tests.conftest import ROOT, GovRepo


def test_revision_and_working_tree_agree_on_the_project_catalog() -> None:
    revision, tree = GitRevision(ROOT, "HEAD"), WorkTree(ROOT)
    listed = revision.list_yaml("catalog")
    assert listed == tree.list_yaml("catalog") and len(listed) >= 25
    for path in listed[:5]:
        assert revision.read(path).blob == tree.read(path).blob
    assert revision.exists("catalog") and revision.exists("martechgate.yaml")
    assert not revision.exists("catalog/nope.yaml") and not revision.exists("nope/deeper/x.yaml")
    assert revision.list_yaml("nope") == [] and revision.list_yaml("martechgate.yaml") == []


def test_listing_skips_hidden_other_files_and_folders(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.write("catalog/.hidden.yaml", "id: x\n")
    gov.write("catalog/README.md", "notes\n")
    gov.write("catalog/sub/inner.yaml", "id: y\n")
    gov.write("catalog/b.yml", "id: b\n")
    gov.write("catalog/odd name é.yaml", "id: odd\n")
    gov.commit("files")
    revision = GitRevision(gov.path, "HEAD")
    assert revision.list_yaml("catalog") == ["catalog/b.yml", "catalog/canva.yaml", "catalog/odd name é.yaml"]
    assert revision.read("catalog/odd name é.yaml").data == b"id: odd\n"
    assert GitRevision(gov.path, "HEAD").read("catalog/sub/inner.yaml").data == b"id: y\n"


def test_symlinks_inside_and_outside_are_refused(gov: GovRepo) -> None:
    gov.add_entry("canva")
    os.symlink("canva.yaml", gov.path / "catalog" / "alias.yaml")
    os.symlink("../../etc/passwd", gov.path / "catalog" / "evil.yaml")
    gov.commit("links")
    revision = GitRevision(gov.path, "HEAD")
    alias = revision.read("catalog/alias.yaml")
    assert alias.data is None and alias.refused is not None
    assert "another file of the repository" in alias.refused.message
    refused = revision.read("catalog/evil.yaml")
    assert refused.data is None and refused.refused is not None and "outside" in refused.refused.message
