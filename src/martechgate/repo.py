"""A governance repo's files, read from the working tree or from any git revision.

Both sources answer the same two questions (which files are in a folder, what bytes does a file
hold) and refuse the same things: files over the size limit, special files, and symlinks that
lead outside the repo. A revision is read from git's object store (never checked out), so the
policies of a base branch can judge a pull request's working tree.
"""

from __future__ import annotations

import copy
import hashlib
import os
import posixpath
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import git

from martechgate.errors import RepoError
from martechgate.yamlload import MAX_BYTES, Problem

YAML_SUFFIXES = (".yaml", ".yml")
CATALOG_DIR = "catalog"
POLICIES_DIR = "policies"
ORG_FILE = "martechgate.yaml"


@dataclass(frozen=True)
class FileData:
    """A file's bytes and git blob id, or why it was refused (then `data` is None)."""

    path: str
    data: bytes | None
    blob: str | None
    refused: Problem | None = None


def blob_id(data: bytes) -> str:
    """The id git gives these bytes: a cache key shared by the working tree and every revision."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data, usedforsecurity=False).hexdigest()


def _refused(path: str, message: str) -> FileData:
    return FileData(path, None, None, Problem("file-refused", message))


class Source(Protocol):
    label: str

    def exists(self, path: str) -> bool: ...

    def list_yaml(self, directory: str) -> list[str]: ...

    def read(self, path: str) -> FileData: ...


class WorkTree:
    """The files as they are on disk under `root`."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise RepoError(f"{root} is not a folder",
                            hint="Name the governance repo's folder, or run inside it.")
        self._real_root = os.path.realpath(self.root)
        self._folders: dict[str, bool] = {}  # folder -> resolves inside the repo
        self.label = "working tree"

    def exists(self, path: str) -> bool:
        return (self.root / path).exists()

    def list_yaml(self, directory: str) -> list[str]:
        folder = self.root / directory
        if not folder.is_dir():
            return []
        # Folders are not entries, whatever their name: the same as a git tree's blobs.
        names = sorted(entry.name for entry in os.scandir(folder)
                       if entry.name.endswith(YAML_SUFFIXES) and not entry.name.startswith(".")
                       and not entry.is_dir())
        return [f"{directory}/{name}" for name in names]

    def _inside(self, real: str) -> bool:
        return real == self._real_root or real.startswith(self._real_root + os.sep)

    def read(self, path: str) -> FileData:
        full = os.path.join(self.root, path)
        # Resolving every path is a large part of reading 10,000 files; a file that is not a link, in
        # a folder that resolves inside the repo, cannot lead out of it.
        folder = os.path.dirname(full)
        if folder not in self._folders:
            self._folders[folder] = self._inside(os.path.realpath(folder))
        try:
            info = os.lstat(full)
        except OSError as error:
            return _refused(path, f"the file cannot be read: {error.strerror}")
        target = full
        if stat.S_ISLNK(info.st_mode) or not self._folders[folder]:
            target = os.path.realpath(full)
            if not self._inside(target):
                shown = os.readlink(full) if stat.S_ISLNK(info.st_mode) else target
                return _refused(path, f"this is a link to {shown}, outside the repository; it was not read. "
                                      "Put the file itself in the repository")
            try:
                info = os.stat(target)
            except OSError as error:
                return _refused(path, f"the file cannot be read: {error.strerror}")
        if not stat.S_ISREG(info.st_mode):
            return _refused(path, "this is not a regular file (a device, pipe or folder); it was not read")
        if info.st_size > MAX_BYTES:
            return _refused(path, f"the file is {info.st_size:,} bytes, over the limit of {MAX_BYTES:,}; "
                                  "an entry is a few kilobytes: split or trim it")
        try:
            with open(target, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as error:
            return _refused(path, f"the file cannot be read: {error.strerror}")
        if len(data) > MAX_BYTES:  # grew since stat
            return _refused(path, f"the file is over the limit of {MAX_BYTES:,} bytes")
        return FileData(path, data, blob_id(data))


class GitRevision:
    """The files as they were at a git revision, read from the object store."""

    def __init__(self, repo_path: str | os.PathLike[str], rev: str) -> None:
        try:
            self.repo = git.Repo(repo_path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
            raise RepoError(f"{repo_path} is not inside a git repository",
                            hint="Run inside a clone of the governance repo.") from error
        try:
            self.commit = self.repo.commit(rev)
        except (git.BadName, ValueError, git.GitCommandError) as error:
            raise RepoError(f"the git revision {rev!r} does not exist here",
                            hint="Fetch it first (in CI: actions/checkout with fetch-depth: 0), "
                                 "or name a branch, tag or commit that exists.") from error
        # Paths are relative to the governance repo, which may be a folder inside the git repo.
        top = Path(self.repo.working_tree_dir or ".").resolve()
        self.prefix = Path(repo_path).resolve().relative_to(top).as_posix()
        self.prefix = "" if self.prefix == "." else self.prefix + "/"
        self.rev = rev
        self.label = f"{rev} ({self.commit.hexsha[:12]})"
        self._tree = self.commit.tree
        self._folders: dict[str, dict[str, git.objects.Blob | git.objects.Tree]] = {}

    def _folder(self, folder: str) -> dict[str, git.objects.Blob | git.objects.Tree]:
        """A folder's children by name, read once: `tree / path` re-reads every tree on the way,
        which made reading each file of a 10,000-entry catalog read the whole catalog tree again."""
        if folder not in self._folders:
            children: dict[str, git.objects.Blob | git.objects.Tree] = {}
            if folder == "":
                tree: object = self._tree
            else:
                parent, _, name = folder.rpartition("/")
                tree = self._folder(parent).get(name)
            if isinstance(tree, git.objects.Tree):
                children = {item.name: item for item in tree if isinstance(item, git.objects.Blob | git.objects.Tree)}
            self._folders[folder] = children
        return self._folders[folder]

    def at(self, rev: str) -> GitRevision:
        """The same repository at another revision, sharing this one's object reader: walking many
        commits (an audit) then costs no new git process per commit."""
        other = copy.copy(self)
        try:
            other.commit = self.repo.commit(rev)
        except (git.BadName, ValueError, git.GitCommandError) as error:
            raise RepoError(f"the git revision {rev!r} does not exist here",
                            hint="Fetch it first, or name a branch, tag or commit that exists.") from error
        other.rev = rev
        other.label = f"{rev} ({other.commit.hexsha[:12]})"
        other._tree = other.commit.tree
        return other

    def object_id(self, path: str) -> str | None:
        """The git id of the blob or tree at `path` (a cache key: same id, same content)."""
        found = self._lookup(path)
        return found.hexsha if found is not None else None

    def _lookup(self, path: str) -> git.objects.Blob | git.objects.Tree | None:
        full = (self.prefix + path).strip("/")
        if full == "":
            return self._tree
        folder, _, name = full.rpartition("/")
        return self._folder(folder).get(name)

    def exists(self, path: str) -> bool:
        return self._lookup(path) is not None

    def list_yaml(self, directory: str) -> list[str]:
        tree = self._lookup(directory)
        if not isinstance(tree, git.objects.Tree):
            return []
        folder = self._folder((self.prefix + directory).strip("/"))
        return sorted(f"{directory}/{name}" for name, item in folder.items()
                      if isinstance(item, git.objects.Blob) and name.endswith(YAML_SUFFIXES)
                      and not name.startswith("."))

    def read(self, path: str, _hops: int = 0) -> FileData:
        blob = self._lookup(path)
        if not isinstance(blob, git.objects.Blob):
            return _refused(path, f"the file is not in {self.label}")
        if blob.mode == 0o120000:  # a symlink: its content is the target path
            target = blob.data_stream.read().decode("utf-8", "replace")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if target.startswith("/") or resolved.startswith("../") or resolved == ".." or _hops > 8:
                return _refused(path, f"this is a link to {target}, outside the repository; it was not "
                                      "read. Put the file itself in the repository")
            followed = self.read(resolved, _hops + 1)
            return FileData(path, followed.data, followed.blob, followed.refused)
        if blob.mode == 0o160000:
            return _refused(path, "this is a git submodule, not a file; it was not read")
        if blob.size > MAX_BYTES:
            return _refused(path, f"the file is {blob.size:,} bytes, over the limit of {MAX_BYTES:,}; "
                                  "an entry is a few kilobytes: split or trim it")
        return FileData(path, blob.data_stream.read(), blob.hexsha)


def open_source(repo: str | os.PathLike[str], rev: str | None = None) -> Source:
    """The working tree of `repo`, or `repo` as it was at git revision `rev`."""
    return WorkTree(repo) if rev is None else GitRevision(repo, rev)
