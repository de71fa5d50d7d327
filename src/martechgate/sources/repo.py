"""A governance repo's files, read from the working tree or (revision.GitRevision) any git revision.

Both sources answer the same two questions (which files are in a folder, what bytes does a file
hold) and refuse the same things: files over the size limit, special files, and symlinks that
lead outside the repo. The revision reader lives in its own module because GitPython takes a tenth
of a second to import, which a check of the working tree does not need.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from martechgate.errors import RepoError
from martechgate.sources.yamlload import MAX_BYTES, Problem

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


# size, mtime_ns, ctime_ns, inode, device
Signature = tuple[int, int, int, int, int]


def blob_id(data: bytes) -> str:
    """The id git gives these bytes: a cache key shared by the working tree and every revision."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data, usedforsecurity=False).hexdigest()


def refused(path: str, message: str) -> FileData:
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
            raise RepoError(f"{root} is not a folder", hint="Name the governance repo's folder, or run inside it.")
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
        names = sorted(
            entry.name
            for entry in os.scandir(folder)
            if entry.name.endswith(YAML_SUFFIXES) and not entry.name.startswith(".") and not entry.is_dir()
        )
        return [f"{directory}/{name}" for name in names]

    def _inside(self, real: str) -> bool:
        return real == self._real_root or real.startswith(self._real_root + os.sep)

    def _folder_inside(self, full: str) -> bool:
        # Resolving every path is a large part of reading 10,000 files; a file that is not a link, in
        # a folder that resolves inside the repo, cannot lead out of it.
        folder = os.path.dirname(full)
        if folder not in self._folders:
            self._folders[folder] = self._inside(os.path.realpath(folder))
        return self._folders[folder]

    def signature(self, path: str) -> Signature | None:
        """A plain file's identity on disk, as git's index keeps it: unchanged size, times, inode and
        device mean unchanged bytes. None for anything `read` must look at itself (a link, a folder
        leading out of the repo, a missing or special file)."""
        full = os.path.join(self.root, path)
        if not self._folder_inside(full):
            return None
        try:
            info = os.lstat(full)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev

    def read(self, path: str) -> FileData:
        full = os.path.join(self.root, path)
        inside = self._folder_inside(full)
        try:
            info = os.lstat(full)
        except OSError as error:
            return refused(path, f"the file cannot be read: {error.strerror}")
        target = full
        if stat.S_ISLNK(info.st_mode) or not inside:
            target = os.path.realpath(full)
            if not self._inside(target):
                shown = os.readlink(full) if stat.S_ISLNK(info.st_mode) else target
                return refused(
                    path,
                    f"this is a link to {shown}, outside the repository; it was not read. "
                    "Put the file itself in the repository",
                )
            try:
                info = os.stat(target)
            except OSError as error:
                return refused(path, f"the file cannot be read: {error.strerror}")
        if not stat.S_ISREG(info.st_mode):
            return refused(path, "this is not a regular file (a device, pipe or folder); it was not read")
        if info.st_size > MAX_BYTES:
            return refused(
                path,
                f"the file is {info.st_size:,} bytes, over the limit of {MAX_BYTES:,}; "
                "an entry is a few kilobytes: split or trim it",
            )
        try:
            with open(target, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as error:
            return refused(path, f"the file cannot be read: {error.strerror}")
        if len(data) > MAX_BYTES:  # grew since stat
            return refused(path, f"the file is over the limit of {MAX_BYTES:,} bytes")
        return FileData(path, data, blob_id(data))


def open_source(repo: str | os.PathLike[str], rev: str | None = None) -> Source:
    """The working tree of `repo`, or `repo` as it was at git revision `rev`."""
    if rev is None:
        return WorkTree(repo)
    from martechgate.sources.revision import (
        GitRevision,  # GitPython costs 0.1 s to import: only when a revision is read
    )

    return GitRevision(repo, rev)
