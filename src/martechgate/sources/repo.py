"""A governance repo's files, read from the working tree or (revision.GitRevision) any git revision.

Both sources answer the same two questions (which files are in a folder, what bytes does a file
hold) and refuse the same things: files over the size limit, special files, links of any kind (a
link's target can be edited with no change to the governed file itself), and names that are not
plain UTF-8 text (listed escaped, never read). `opener.open_source` picks one of the two.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from martechgate.errors import RepoError
from martechgate.sources.git import is_refused_name, path_text, refused_name_reason
from martechgate.sources.yamlload import MAX_BYTES, Problem

YAML_SUFFIXES = (".yaml", ".yml")
CATALOG_DIR = "catalog"
POLICIES_DIR = "policies"
ORG_FILE = "martechgate.yaml"
# How many folders below catalog/ an entry may sit (catalog/hr/bamboohr.yaml is one). Deeper folders
# are refused, never walked: a company needs a few levels, and a limit keeps a planted tree of
# thousands of nested folders from making every check crawl.
MAX_FOLDER_DEPTH = 8


@functools.lru_cache(maxsize=65536)  # an audit asks it of every path at every commit: 390,000 times a year
def is_entry_file(path: str) -> bool:
    """Whether `path` (relative to the governance repo) is a catalog entry's file: a YAML file in
    catalog/ or a folder of it at most MAX_FOLDER_DEPTH down, no part of its path hidden. The same
    files `list_yaml(CATALOG_DIR, recursive=True)` lists as readable."""
    parts = path.split("/")
    return (
        len(parts) >= 2
        and parts[0] == CATALOG_DIR
        and len(parts) - 2 <= MAX_FOLDER_DEPTH
        and parts[-1].endswith(YAML_SUFFIXES)
        and not any(part.startswith(".") for part in parts[1:])
    )


def too_deep(path: str) -> FileData:
    """A folder deeper than MAX_FOLDER_DEPTH below catalog/, listed so that it is refused, not skipped."""
    return refused(
        path,
        f"this folder is more than {MAX_FOLDER_DEPTH} folders below {CATALOG_DIR}/; entries are read at most "
        f"{MAX_FOLDER_DEPTH} folders down, so nothing in it was read. Move its files up",
    )


def folder_too_deep(folder: str) -> bool:
    """Whether `folder` is below catalog/ deeper than MAX_FOLDER_DEPTH (catalog/hr is 1 down)."""
    return folder.startswith(CATALOG_DIR + "/") and folder.count("/") > MAX_FOLDER_DEPTH


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


def link_refused(path: str, target: str, outside: bool) -> FileData:
    """A symbolic link is never followed, even to a file of the repository: editing the target would
    change the governed file with no change to it, so no review, check or record would see it."""
    where = "outside the repository" if outside else "another file of the repository"
    return refused(
        path,
        f"this is a link to {target}, {where}; governed files must be plain files, since editing a "
        "link's target changes this file unseen. It was not read: put the file itself here",
    )


class Source(Protocol):
    label: str

    def exists(self, path: str) -> bool: ...

    def list_yaml(self, directory: str, *, recursive: bool = False) -> list[str]: ...

    def read(self, path: str, *, limit: int = MAX_BYTES) -> FileData: ...

    def unplain(self, directory: str, *, recursive: bool = False) -> list[str]: ...


class WorkTree:
    """The files as they are on disk under `root`."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise RepoError(f"{root} is not a folder", hint="Name the governance repo's folder, or run inside it.")
        self._real_root = os.path.realpath(self.root)
        self._folders: dict[str, bool] = {}  # folder -> inside the repo, reached through no link
        self.label = "working tree"

    def exists(self, path: str) -> bool:
        return (self.root / path).exists()

    def list_yaml(self, directory: str, *, recursive: bool = False) -> list[str]:
        """The YAML files of a folder (and, `recursive`, of its folders), and anything there no reader
        may open (a link, a name that is not plain text, escaped by `path_text`, a folder too deep), so
        that it is refused rather than passed over. A folder that is itself a link is listed as itself,
        to be refused. Hidden files and folders are not entries."""
        return sorted(path for path, _ in self._walk(directory, recursive))

    def unplain(self, directory: str, *, recursive: bool = False) -> list[str]:
        """What in `directory` (or the folder itself) no reader may open: links, names that are not
        plain text, folders too deep; found from the folder listings alone, without reading a file."""
        return sorted(path for path, plain in self._walk(directory, recursive) if not plain)

    def _walk(self, directory: str, recursive: bool) -> Iterator[tuple[str, bool]]:
        """(path, whether it may be read) for each file `list_yaml` lists."""
        folder = self.root / directory
        if folder.is_symlink():
            yield directory, False
            return
        if not folder.is_dir():
            return
        for entry in os.scandir(folder):
            path = f"{directory}/{path_text(os.fsencode(entry.name))}"
            if entry.is_symlink() or is_refused_name(entry.name):
                yield path, False
            elif entry.name.startswith("."):
                continue
            elif entry.is_dir():
                # Folders are not entries, whatever their name: the same as a git tree's blobs.
                if recursive:
                    if folder_too_deep(path):
                        yield path, False
                    else:
                        yield from self._walk(path, recursive)
            elif entry.name.endswith(YAML_SUFFIXES):
                yield path, True

    def _folder_plain(self, full: str) -> bool:
        # Resolving every path is a large part of reading 10,000 files, so each folder is resolved
        # once: a folder whose real path is where it stands is inside the repo and reached through no
        # link, and a plain file in it cannot lead anywhere else.
        folder = os.path.dirname(full)
        if folder not in self._folders:
            relative = os.path.relpath(os.path.abspath(folder), os.path.abspath(self.root))
            expected = os.path.normpath(os.path.join(self._real_root, relative))
            self._folders[folder] = os.path.realpath(folder) == expected and not relative.startswith("..")
        return self._folders[folder]

    def signature(self, path: str) -> Signature | None:
        """A plain file's identity on disk, as git's index keeps it: unchanged size, times, inode and
        device mean unchanged bytes. None for anything `read` must look at itself (a link, a folder
        leading out of the repo, a missing or special file)."""
        full = os.path.join(self.root, path)
        if not self._folder_plain(full):
            return None
        try:
            info = os.lstat(full)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev

    def read(self, path: str, *, limit: int = MAX_BYTES) -> FileData:
        """The file's bytes, or why it was refused; `limit` is the most bytes read (an entry's, unless a
        larger file such as the baseline says otherwise)."""
        if is_refused_name(path):
            return refused(path, refused_name_reason(path))
        full = os.path.join(self.root, path)
        plain = self._folder_plain(full)
        try:
            info = os.lstat(full)
        except OSError as error:
            return refused(path, f"the file cannot be read: {error.strerror}")
        if stat.S_ISLNK(info.st_mode):
            real = os.path.realpath(full)
            outside = not (real == self._real_root or real.startswith(self._real_root + os.sep))
            return link_refused(path, path_text(os.fsencode(os.readlink(full))), outside)
        if not plain:
            real = path_text(os.fsencode(os.path.dirname(os.path.realpath(full))))
            return refused(
                path,
                f"this is in a folder reached through a symbolic link (to {real}); governed files must be "
                "plain files in plain folders. It was not read: put the file itself here",
            )
        if stat.S_ISDIR(info.st_mode) and folder_too_deep(path):
            return too_deep(path)
        if not stat.S_ISREG(info.st_mode):
            return refused(path, "this is not a regular file (a device, pipe or folder); it was not read")
        if info.st_size > limit:
            return refused(
                path,
                f"the file is {info.st_size:,} bytes, over the limit of {limit:,}; "
                "an entry is a few kilobytes: split or trim it",
            )
        try:
            # O_NOFOLLOW: a link put in the file's place after the check above is refused too.
            with os.fdopen(os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as handle:
                data = handle.read(limit + 1)
        except OSError as error:
            return refused(path, f"the file cannot be read: {error.strerror}")
        if len(data) > limit:  # grew since stat
            return refused(path, f"the file is over the limit of {limit:,} bytes")
        return FileData(path, data, blob_id(data))
