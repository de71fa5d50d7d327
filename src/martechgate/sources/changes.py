"""What a change touches: the files that differ between the merge base of BASE and HEAD, and HEAD.

HEAD is a git revision, or the working tree (tracked changes plus untracked files) when not given,
so a marketer can check a change before committing it. Renames are followed, so a renamed tool is
one change, not a deletion and an addition. Paths are read from git as bytes (sources/git.py): a
name that is not plain text is kept, escaped, never dropped.

The change is judged by the rules of BASE as it is now (`target`, the base branch's tip), not as it
was when the change branched off: a policy added to main since then judges it too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from martechgate.errors import RepoError
from martechgate.sources.git import Git, RawChange
from martechgate.sources.repo import Source, WorkTree
from martechgate.sources.revision import GitRevision


@dataclass(frozen=True)
class Change:
    status: str  # "A" added, "M" modified, "D" deleted, "R" renamed
    path: str  # the path at HEAD (for a deletion, the path that was deleted)
    old_path: str | None = None  # for a rename, the path at the merge base
    mode: int = 0o100644  # at HEAD (for a deletion, at the merge base): MODE_LINK, MODE_SUBMODULE, ...

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if self.old_path is None else (self.old_path, self.path)


@dataclass
class ChangeSet:
    base: GitRevision  # the merge base: what the change started from
    head: Source
    changes: list[Change]
    target: GitRevision | None = None  # the base branch's tip, whose rules judge the change (None: base)

    @property
    def rules(self) -> GitRevision:
        """Where the rules come from: the base branch as it is now."""
        return self.target or self.base

    def touched(self) -> set[str]:
        return {path for change in self.changes for path in change.paths}

    def under(self, folder: str) -> list[Change]:
        prefix = folder.rstrip("/") + "/"
        return [c for c in self.changes if any(p.startswith(prefix) for p in c.paths)]


def from_raw(raw: list[RawChange]) -> list[Change]:
    """Git's changes as the gate sees them (a copy is an addition; a type change is a modification)."""
    changes = []
    for item in raw:
        if item.status == "R" and item.old_path is not None:
            changes.append(Change("R", item.path, item.old_path, item.new_mode))
        elif item.status in "AC":
            changes.append(Change("A", item.path, None, item.new_mode))
        elif item.status == "D":
            changes.append(Change("D", item.path, None, item.old_mode))
        else:
            changes.append(Change("M", item.path, None, item.new_mode))
    return sorted(changes, key=lambda c: c.path)


def compute(repo_path: str | os.PathLike[str], base: str, head: str | None = None) -> ChangeSet:
    git = Git(repo_path, hint="A diff-aware check needs the governance repo's git history.")
    base_sha = git.resolve(base)
    head_sha = git.resolve(head) if head is not None else git.head()
    if head_sha is None:
        raise RepoError(f"{repo_path} has no commit yet", hint="Commit once, then compare with the base branch.")
    merge_base = git.merge_base(base_sha, head_sha)
    if merge_base is None:
        raise RepoError(
            f"{base} and {head or 'HEAD'} share no history",
            hint="Fetch the full history (fetch-depth: 0) so the merge base can be found.",
        )
    changes = from_raw(git.diff(merge_base, head_sha if head is not None else None))
    head_source: Source = GitRevision(repo_path, head_sha, git=git) if head is not None else WorkTree(repo_path)
    if isinstance(head_source, GitRevision) and head is not None:
        head_source.rev, head_source.label = head, f"{head} ({head_sha[:12]})"
    base_source = GitRevision(repo_path, merge_base, git=git)
    target = base_source if base_sha == merge_base else GitRevision(repo_path, base_sha, git=git)
    return ChangeSet(base_source, head_source, changes, target)
