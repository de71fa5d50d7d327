"""What a change touches: the files that differ between the merge base of BASE and HEAD, and HEAD.

HEAD is a git revision, or the working tree (tracked changes plus untracked files) when not given,
so a marketer can check a change before committing it. Renames are followed, so a renamed tool is
one change, not a deletion and an addition.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import git

from martechgate.errors import RepoError
from martechgate.sources.repo import Source, WorkTree
from martechgate.sources.revision import GitRevision


@dataclass(frozen=True)
class Change:
    status: str  # "A" added, "M" modified, "D" deleted, "R" renamed
    path: str  # the path at HEAD (for a deletion, the path that was deleted)
    old_path: str | None = None  # for a rename, the path at the merge base

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if self.old_path is None else (self.old_path, self.path)


@dataclass
class ChangeSet:
    base: GitRevision  # the merge base: what the change started from, and whose rules judge it
    head: Source
    changes: list[Change]

    def touched(self) -> set[str]:
        return {path for change in self.changes for path in change.paths}

    def under(self, folder: str) -> list[Change]:
        prefix = folder.rstrip("/") + "/"
        return [c for c in self.changes if any(p.startswith(prefix) for p in c.paths)]


def _repo(path: str | os.PathLike[str]) -> git.Repo:
    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
        raise RepoError(
            f"{path} is not inside a git repository", hint="A diff-aware check needs the governance repo's git history."
        ) from error


def _commit(repo: git.Repo, rev: str) -> git.Commit:
    try:
        return repo.commit(rev)
    except (git.BadName, ValueError, git.GitCommandError) as error:
        raise RepoError(
            f"the git revision {rev!r} does not exist here",
            hint="Fetch it first (in CI: actions/checkout with fetch-depth: 0), or name a "
            "branch, tag or commit that exists.",
        ) from error


def compute(repo_path: str | os.PathLike[str], base: str, head: str | None = None) -> ChangeSet:
    repo = _repo(repo_path)
    base_commit = _commit(repo, base)
    head_commit = _commit(repo, head) if head is not None else repo.head.commit
    merge_bases = repo.merge_base(base_commit, head_commit)
    if not merge_bases:
        raise RepoError(
            f"{base} and {head or 'HEAD'} share no history",
            hint="Fetch the full history (fetch-depth: 0) so the merge base can be found.",
        )
    merge_base = merge_bases[0]
    assert isinstance(merge_base, git.Commit)
    top = Path(repo.working_tree_dir or ".").resolve()
    prefix = Path(repo_path).resolve().relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"

    def local(path: str | None) -> str | None:
        if path is None or not path.startswith(prefix):
            return None
        return path[len(prefix) :]

    # find_renames: one change for a renamed tool; None compares with the working tree.
    diffs = merge_base.diff(head_commit if head is not None else None, find_renames=True)
    changes: list[Change] = []
    for diff in diffs:
        kind = diff.change_type
        old, new = local(diff.a_path), local(diff.b_path)
        if kind == "A" and new:
            changes.append(Change("A", new))
        elif kind == "D" and old:
            changes.append(Change("D", old))
        elif kind == "R" and (old or new):
            changes.append(Change("R", new or old or "", old))
        elif new or old:
            changes.append(Change("M", new or old or ""))
    if head is None:
        for path in repo.untracked_files:
            mine = local(path)
            if mine:
                changes.append(Change("A", mine))
    head_source: Source = GitRevision(repo_path, head) if head is not None else WorkTree(repo_path)
    changes.sort(key=lambda c: c.path)
    return ChangeSet(GitRevision(repo_path, merge_base.hexsha), head_source, changes)
