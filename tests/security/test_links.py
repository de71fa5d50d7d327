"""Links inside the repo: a symbolic link or a submodule in a governed path is a hard file-refused
finding, in the work tree and in any revision; its target is never read."""

from __future__ import annotations

import os
from typing import Any

from martechgate.sources.repo import WorkTree
from martechgate.sources.revision import GitRevision
from tests.security.conftest import TODAY, GovRepo, branch, check, dump, entry, refused


def with_canva(gov: GovRepo) -> None:
    gov.add_entry("canva")
    gov.commit("Add canva")


def test_an_entry_that_links_to_a_file_outside_catalog_is_refused(gov: GovRepo) -> None:
    with_canva(gov)
    branch(gov)
    gov.write("docs/notes.yaml", dump(entry("zoom")))
    os.symlink("../docs/notes.yaml", gov.path / "catalog" / "zoom.yaml")
    gov.commit("Add zoom as a link to a file nobody reviews")
    found = refused(check(gov))
    assert "catalog/zoom.yaml" in found and "link to ../docs/notes.yaml" in found["catalog/zoom.yaml"].message


def test_editing_only_the_target_of_an_existing_link_is_refused(gov: GovRepo) -> None:
    """The link came in before; the pull request edits only its target, outside every review path."""
    with_canva(gov)
    gov.write("docs/notes.yaml", dump(entry("zoom")))
    os.symlink("../docs/notes.yaml", gov.path / "catalog" / "zoom.yaml")
    gov.commit("An old link")
    branch(gov)
    gov.write("docs/notes.yaml", dump(entry("zoom", exceptions=[{"rule": "x"}])))
    gov.commit("Only the target changes")
    assert "catalog/zoom.yaml" in refused(check(gov))


def test_an_organisation_file_that_is_a_link_is_refused(gov: GovRepo, run_cli: Any) -> None:
    with_canva(gov)
    branch(gov)
    os.rename(gov.path / "martechgate.yaml", gov.path / "org.yaml")
    os.symlink("org.yaml", gov.path / "martechgate.yaml")
    gov.commit("The rules now live in a file no rule covers")
    assert "martechgate.yaml" in refused(check(gov))
    full = run_cli("check", "--no-cache", "--today", TODAY.isoformat(), str(gov.path))
    assert full.returncode == 2 and "link to org.yaml" in full.stderr and "Traceback" not in full.stderr


def test_a_link_into_dot_git_is_refused(gov: GovRepo) -> None:
    with_canva(gov)
    branch(gov)
    os.symlink("../.git/config", gov.path / "catalog" / "config.yaml")
    gov.commit("An entry anyone with push access to git config could edit")
    assert "catalog/config.yaml" in refused(check(gov))
    assert WorkTree(gov.path).read("catalog/config.yaml").data is None
    assert GitRevision(gov.path, "pr").read("catalog/config.yaml").data is None


def test_a_policy_that_is_a_link_is_refused(gov: GovRepo) -> None:
    with_canva(gov)
    branch(gov)
    policy = gov.path / "policies" / "pii-requires-sso.yaml"
    os.rename(policy, gov.path / "docs-policy.yaml")
    os.symlink("../docs-policy.yaml", policy)
    gov.commit("A policy edited through a file outside policies/")
    assert "policies/pii-requires-sso.yaml" in refused(check(gov))


def test_a_submodule_in_the_catalog_is_refused(gov: GovRepo) -> None:
    with_canva(gov)
    branch(gov)
    commit = gov.git("rev-parse", "HEAD")
    gov.git("update-index", "--add", "--cacheinfo", f"160000,{commit},catalog/vendor.yaml")
    gov.git("commit", "-q", "-m", "A submodule where an entry should be")
    found = refused(check(gov))
    assert "catalog/vendor.yaml" in found and "submodule" in found["catalog/vendor.yaml"].message
    assert "catalog/vendor.yaml" in GitRevision(gov.path, "pr").list_yaml("catalog")


def test_a_catalog_folder_that_is_a_link_is_refused(gov: GovRepo) -> None:
    with_canva(gov)
    branch(gov)
    os.rename(gov.path / "catalog", gov.path / "elsewhere")
    os.symlink("elsewhere", gov.path / "catalog")
    gov.commit("The whole catalog moved where no rule looks")
    assert "catalog" in refused(check(gov))


def test_a_full_check_of_the_work_tree_refuses_a_link_entry(gov: GovRepo, run_cli: Any) -> None:
    with_canva(gov)
    os.symlink("canva.yaml", gov.path / "catalog" / "canva-copy.yaml")
    result = run_cli("check", "--no-cache", "--format", "json", "--today", TODAY.isoformat(), str(gov.path))
    assert result.returncode == 1, result.stderr
    assert '"file": "catalog/canva-copy.yaml"' in result.stdout and '"rule": "file-refused"' in result.stdout


def test_an_uncommitted_link_is_refused_by_the_pre_commit_check(gov: GovRepo) -> None:
    with_canva(gov)
    branch(gov)
    os.symlink("canva.yaml", gov.path / "catalog" / "canva-pro.yaml")  # untracked, in the work tree
    assert "catalog/canva-pro.yaml" in refused(check(gov, head=None))


def test_a_link_in_a_subfolder_of_the_catalog_is_refused(gov: GovRepo) -> None:
    with_canva(gov)
    branch(gov)
    (gov.path / "catalog" / "archive").mkdir()
    os.symlink("../canva.yaml", gov.path / "catalog" / "archive" / "canva.yaml")
    gov.commit("A link one folder down")
    assert "catalog/archive/canva.yaml" in refused(check(gov))
