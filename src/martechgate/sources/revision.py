"""A governance repo's files as they were at a git revision, read from git's object store (never
checked out), so the policies of a base branch can judge a pull request's working tree.

It answers the same questions as the working tree (repo.Source) and refuses the same things.
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
from pathlib import Path

import git

from martechgate.errors import RepoError
from martechgate.sources.repo import YAML_SUFFIXES, FileData, refused
from martechgate.sources.yamlload import MAX_BYTES

_TREES: dict[bytes, list[tuple[str, int, bytes]]] = {}
_TREES_KEPT = 64
# A tree object is "<octal mode> <name>\0<20-byte sha>", repeated.
_TREE_ENTRY = re.compile(rb"([0-7]+) ([^\0]*)\0(.{20})", re.DOTALL)


def _tree_entries(repo: git.Repo, binsha: bytes) -> list[tuple[str, int, bytes]]:
    """(name, mode, binary sha) of a git tree object, read straight from its bytes.

    GitPython's own parser validates every name as a path to check out (a third of a second for a
    folder of 10,000 files); here names are only dictionary keys, never paths on disk. Trees are
    immutable, so their entries are kept by object id.
    """
    entries = _TREES.get(binsha)
    if entries is None:
        raw = repo.odb.stream(binsha).read()
        entries = [
            (name.decode("utf-8", "surrogateescape"), int(mode, 8), sha) for mode, name, sha in _TREE_ENTRY.findall(raw)
        ]
        if len(_TREES) >= _TREES_KEPT:
            _TREES.clear()
        _TREES[binsha] = entries
    return entries


class GitRevision:
    """The files as they were at a git revision, read from the object store."""

    def __init__(self, repo_path: str | os.PathLike[str], rev: str) -> None:
        try:
            self.repo = git.Repo(repo_path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
            raise RepoError(
                f"{repo_path} is not inside a git repository", hint="Run inside a clone of the governance repo."
            ) from error
        try:
            self.commit = self.repo.commit(rev)
        except (git.BadName, ValueError, git.GitCommandError) as error:
            raise RepoError(
                f"the git revision {rev!r} does not exist here",
                hint="Fetch it first (in CI: actions/checkout with fetch-depth: 0), "
                "or name a branch, tag or commit that exists.",
            ) from error
        # Paths are relative to the governance repo, which may be a folder inside the git repo.
        top = Path(self.repo.working_tree_dir or ".").resolve()
        self.prefix = Path(repo_path).resolve().relative_to(top).as_posix()
        self.prefix = "" if self.prefix == "." else self.prefix + "/"
        self.rev = rev
        self.label = f"{rev} ({self.commit.hexsha[:12]})"
        self._tree = self.commit.tree
        self._folders: dict[str, dict[str, tuple[int, bytes]]] = {}

    def at(self, rev: str) -> GitRevision:
        """The same repository at another revision, sharing this one's object reader: walking many
        commits (an audit) then costs no new git process per commit."""
        other = copy.copy(self)
        try:
            other.commit = self.repo.commit(rev)
        except (git.BadName, ValueError, git.GitCommandError) as error:
            raise RepoError(
                f"the git revision {rev!r} does not exist here",
                hint="Fetch it first, or name a branch, tag or commit that exists.",
            ) from error
        other.rev = rev
        other.label = f"{rev} ({other.commit.hexsha[:12]})"
        other._tree = other.commit.tree
        other._folders = {}  # the folder cache is of this revision's tree, never shared
        return other

    def object_id(self, path: str) -> str | None:
        """The git id of the blob or tree at `path` (a cache key: same id, same content)."""
        found = self._lookup(path)
        return found.hexsha if found is not None else None

    def _lookup(self, path: str) -> git.objects.Blob | git.objects.Tree | None:
        return self._object((self.prefix + path).strip("/"))

    def _object(self, full: str) -> git.objects.Blob | git.objects.Tree | None:
        if not full:
            return self._tree
        directory, _, name = full.rpartition("/")
        found = self._children(directory).get(name)
        if found is None:
            return None
        mode, binsha = found
        kind = git.objects.Tree if mode == 0o040000 else git.objects.Blob
        return kind(self.repo, binsha, mode, full)

    def _children(self, directory: str) -> dict[str, tuple[int, bytes]]:
        # GitPython parses a tree again on every `tree / path` (quadratic in a catalog of thousands of
        # files), so each folder is parsed once per revision, and its entries once per process.
        children = self._folders.get(directory)
        if children is None:
            tree = self._object(directory)
            children = (
                {name: (mode, binsha) for name, mode, binsha in _tree_entries(self.repo, tree.binsha)}
                if isinstance(tree, git.objects.Tree)
                else {}
            )
            self._folders[directory] = children
        return children

    def exists(self, path: str) -> bool:
        return self._lookup(path) is not None

    def list_yaml(self, directory: str) -> list[str]:
        full = (self.prefix + directory).strip("/")
        if not isinstance(self._object(full), git.objects.Tree):
            return []
        return sorted(
            f"{directory}/{name}"
            for name, (mode, _) in self._children(full).items()
            if mode not in (0o040000, 0o160000) and name.endswith(YAML_SUFFIXES) and not name.startswith(".")
        )

    def read(self, path: str, _hops: int = 0) -> FileData:
        blob = self._lookup(path)
        if not isinstance(blob, git.objects.Blob):
            return refused(path, f"the file is not in {self.label}")
        if blob.mode == 0o120000:  # a symlink: its content is the target path
            target = blob.data_stream.read().decode("utf-8", "replace")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if target.startswith("/") or resolved.startswith("../") or resolved == ".." or _hops > 8:
                return refused(
                    path,
                    f"this is a link to {target}, outside the repository; it was not "
                    "read. Put the file itself in the repository",
                )
            followed = self.read(resolved, _hops + 1)
            return FileData(path, followed.data, followed.blob, followed.refused)
        if blob.mode == 0o160000:
            return refused(path, "this is a git submodule, not a file; it was not read")
        if blob.size > MAX_BYTES:
            return refused(
                path,
                f"the file is {blob.size:,} bytes, over the limit of {MAX_BYTES:,}; "
                "an entry is a few kilobytes: split or trim it",
            )
        return FileData(path, blob.data_stream.read(), blob.hexsha)
