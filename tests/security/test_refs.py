"""Names that mean something else: a ref two refs answer to, or a short id two objects share, is an
error naming both (exit 2), never a guess the attacker chose."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from martechgate.errors import UsageError
from martechgate.gate import review_input
from martechgate.sources.git import Git
from tests.security.conftest import TODAY, GovRepo, branch, check, judge, rule_names, write_named


def attacker_tag(gov: GovRepo, name: str) -> str:
    """A tag `name` on a commit where the catalog holds nothing to judge: a harmless-looking base."""
    gov.git("checkout", "-q", "-b", "decoy", "main")
    gov.add_entry("canva")
    decoy = gov.commit("Decoy")
    gov.git("tag", name, decoy)
    gov.git("checkout", "-q", "main")
    return decoy


def test_a_tag_called_main_is_refused_in_check_base(gov: GovRepo, run_cli: Any) -> None:
    attacker_tag(gov, "main")
    branch(gov, start="refs/heads/main")
    gov.add_entry("canva")
    gov.commit("Add canva")
    result = run_cli("check", "--base", "main", "--head", "pr", "--today", TODAY.isoformat(), str(gov.path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refs/tags/main" in result.stderr and "refs/heads/main" in result.stderr and "ambiguous" in result.stderr


def test_a_tag_called_origin_main_is_refused(tmp_path: Any, gov: GovRepo) -> None:
    clone = GovRepo.__new__(GovRepo)
    clone.path, clone.tick = tmp_path / "clone", 0
    gov.add_entry("canva")
    gov.commit("Add canva")
    gov.git("clone", "-q", str(gov.path), str(clone.path))
    clone.git("config", "user.name", "Ci")
    clone.git("config", "user.email", "ci@example.com")
    clone.git("tag", "origin/main", "HEAD")
    with pytest.raises(UsageError, match=r"refs/tags/origin/main.*refs/remotes/origin/main"):
        check(clone, base="origin/main", head="HEAD")
    # Named in full, as the shipped workflow does, the branch is unambiguous.
    assert check(clone, base="refs/remotes/origin/main", head="HEAD") == []


def test_a_tag_called_main_is_refused_in_review(gov: GovRepo, tmp_path: Any) -> None:
    attacker_tag(gov, "main")
    branch(gov, start="refs/heads/main")
    gov.add_entry("canva")
    gov.commit("Add canva")
    reviews = tmp_path / "reviews.json"
    reviews.write_text("[]")
    with pytest.raises(UsageError, match="ambiguous"):
        review_input.review_offline(gov.path, "main", "pr", str(reviews), "mallory")


@pytest.mark.parametrize("command", ["inventory", "history", "verify", "audit"])
def test_a_tag_called_main_is_refused_by_the_audit_commands(gov: GovRepo, run_cli: Any, command: str) -> None:
    gov.add_entry("canva")
    gov.commit("Add canva", when="2026-02-01T10:00:00+00:00")
    attacker_tag(gov, "main")
    args = {
        "inventory": ["inventory", "--as-of", "2026-03-01", "--ref", "main"],
        "history": ["history", "canva", "--ref", "main"],
        "verify": ["verify", "--ref", "main"],
        "audit": ["audit", "--since", "2026-01-01", "--until", "2026-03-01", "--ref", "main"],
    }[command]
    result = run_cli(*args, "--repo", str(gov.path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refs/tags/main" in result.stderr and "Traceback" not in result.stderr


def test_a_short_id_another_object_shares_is_refused(gov: GovRepo) -> None:
    """The attacker writes a blob whose id starts like the commit an auditor quoted."""
    target = gov.git("rev-parse", "HEAD")
    prefix = target[:5]
    counter = 0
    while True:  # about a million tries at most for 5 hex digits; found in a second
        data = b"collision %d\n" % counter
        if hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest().startswith(prefix):
            break
        counter += 1
    write_named(gov, b"docs/collision.txt", data)
    gov.git("hash-object", "-w", "docs/collision.txt")
    with pytest.raises(UsageError, match="ambiguous"):
        Git(gov.path).resolve(prefix)
    assert Git(gov.path).resolve(target) == target  # the full id still names it


def test_a_branch_named_like_a_short_commit_id_is_refused(gov: GovRepo) -> None:
    first = gov.git("rev-parse", "HEAD")
    gov.add_entry("canva")
    gov.commit("Add canva")
    gov.git("branch", first[:8], "HEAD")  # the branch `<8 hex>` names another commit than the id
    with pytest.raises(UsageError, match="ambiguous"):
        Git(gov.path).resolve(first[:8])


def test_plain_names_still_resolve(gov: GovRepo) -> None:
    """No honest name changes meaning: a branch, HEAD, HEAD~1, a full id, a tag alone."""
    gov.add_entry("canva")
    second = gov.commit("Add canva")
    first = gov.git("rev-parse", "HEAD~1")
    gov.git("tag", "v1", first)
    git = Git(gov.path)
    assert git.resolve("main") == git.resolve("HEAD") == git.resolve("refs/heads/main") == second
    assert git.resolve("HEAD~1") == git.resolve("main^") == git.resolve("v1") == git.resolve(first) == first
    assert git.resolve(second[:12]) == second


def test_a_replace_ref_cannot_swap_the_rules_of_the_base(gov: GovRepo) -> None:
    """`git replace` makes git show another object wherever the replaced one is asked for. An adversary
    who gets `refs/replace/<main's commit>` into the clone CI runs in (a mirror fetch, a `+refs/*` refspec)
    would have the base judged by a commit of their own, with no review rules. martechgate reads the
    objects as they are."""
    gov.add_entry("canva")
    gov.commit("Add canva")
    main_sha = gov.git("rev-parse", "main")
    gov.git("checkout", "-q", "-b", "lenient", "main")
    org = gov.path / "martechgate.yaml"
    text = org.read_text(encoding="utf-8")
    org.write_text(text.replace('paths: ["catalog/**"]', 'paths: ["nothing/**"]'), encoding="utf-8")
    gov.commit("The joint review covers nothing")
    # the same history as main's commit, with the adversary's tree: a stand-in git shows in its place
    parents = gov.git("log", "-1", "--format=%P", main_sha).split()
    stand_in = gov.git("commit-tree", "lenient^{tree}", *[a for p in parents for a in ("-p", p)], "-m", "Add canva")
    gov.git("replace", "-f", main_sha, stand_in)
    branch(gov, start=main_sha)
    gov.add_entry("zoom")
    gov.commit("Add zoom")
    verdict = judge(gov, [])
    assert "joint-cmo-cio" in rule_names(verdict) and not verdict.approved
    assert "catalog/**" in Git(gov.path).run("cat-file", "-p", f"{main_sha}:martechgate.yaml").decode()
