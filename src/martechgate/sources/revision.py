"""A governance repo's files as they were at a git revision, read from git's object store (never
checked out), so the policies of a base branch can judge a pull request's working tree.

It answers the same questions as the working tree (repo.Source) and refuses the same things: a link
or a submodule is never followed (editing its target would change a governed file unseen), a file
whose name is not plain UTF-8 is never read.
"""

from __future__ import annotations

import copy
import os
import posixpath
from collections.abc import Iterator

from martechgate.sources.git import (
    MODE_LINK,
    MODE_SUBMODULE,
    MODE_TREE,
    Git,
    is_refused_name,
    path_text,
    refused_name_reason,
)
from martechgate.sources.repo import YAML_SUFFIXES, FileData, folder_too_deep, link_refused, refused, too_deep
from martechgate.sources.yamlload import MAX_BYTES

_SPECIAL = (MODE_LINK, MODE_SUBMODULE)


class GitRevision:
    """The files as they were at a git revision, read from the object store."""

    def __init__(self, repo_path: str | os.PathLike[str], rev: str, *, git: Git | None = None) -> None:
        self.git = git or Git(repo_path, hint="Run inside a clone of the governance repo.")
        self.sha = self.git.resolve(rev)
        # Paths are relative to the governance repo, which may be a folder inside the git repo.
        self.prefix = self.git.prefix
        self.rev = rev
        self.label = f"{rev} ({self.sha[:12]})"
        self._tree = self.git.commit_tree(self.sha)
        self._folders: dict[str, dict[str, tuple[int, str]]] = {}

    def at(self, rev: str) -> GitRevision:
        """The same repository at another revision, sharing this one's object reader: walking many
        commits (an audit) then costs no new git process per commit."""
        other = copy.copy(self)
        other.sha = self.git.resolve(rev)
        other.rev = rev
        other.label = f"{rev} ({other.sha[:12]})"
        other._tree = self.git.commit_tree(other.sha)
        other._folders = {}  # the folder cache is of this revision's tree, never shared
        return other

    def object_id(self, path: str) -> str | None:
        """The git id of the blob or tree at `path` (a cache key: same id, same content)."""
        found = self._lookup(path)
        return found[1] if found is not None else None

    def _lookup(self, path: str) -> tuple[int, str] | None:
        return self._object((self.prefix + path).strip("/"))

    def _object(self, full: str) -> tuple[int, str] | None:
        if not full:
            return MODE_TREE, self._tree
        directory, _, name = full.rpartition("/")
        return self._children(directory).get(name)

    def _children(self, directory: str) -> dict[str, tuple[int, str]]:
        # Each folder is parsed once per revision, and each tree object once per process.
        children = self._folders.get(directory)
        if children is None:
            tree = self._object(directory)
            children = (
                {entry.name: (entry.mode, entry.sha) for entry in self.git.tree_entries(tree[1])}
                if tree is not None and tree[0] == MODE_TREE
                else {}
            )
            self._folders[directory] = children
        return children

    def exists(self, path: str) -> bool:
        return self._lookup(path) is not None

    def list_yaml(self, directory: str, *, recursive: bool = False) -> list[str]:
        """The YAML files of a folder (and, `recursive`, of its folders), and anything there no reader
        may open (a link, a submodule, a name that is not plain text, a folder too deep), so that it is
        refused rather than passed over. A folder that is itself a link or a submodule is listed as
        itself, to be refused. Hidden files and folders are not entries."""
        return sorted(path for path, _ in self._walk(directory, recursive))

    def unplain(self, directory: str, *, recursive: bool = False) -> list[str]:
        """What in `directory` (or the folder itself) no reader may open: links, submodules, names that
        are not plain text, folders too deep; found from the trees alone, without reading a file."""
        return sorted(path for path, plain in self._walk(directory, recursive) if not plain)

    def _walk(self, directory: str, recursive: bool) -> Iterator[tuple[str, bool]]:
        """(path, whether it may be read) for each file `list_yaml` lists."""
        full = (self.prefix + directory).strip("/")
        folder = self._object(full)
        if folder is None:
            return
        if folder[0] in _SPECIAL:
            yield directory, False
            return
        if folder[0] != MODE_TREE:
            return
        for name, (mode, _) in self._children(full).items():
            path = f"{directory}/{name}"
            if mode in _SPECIAL or is_refused_name(name):
                yield path, False
            elif name.startswith("."):
                continue
            elif mode == MODE_TREE:
                if recursive:
                    if folder_too_deep(path):
                        yield path, False
                    else:
                        yield from self._walk(path, recursive)
            elif name.endswith(YAML_SUFFIXES):
                yield path, True

    def read(self, path: str, *, limit: int = MAX_BYTES) -> FileData:
        """The file's bytes, or why it was refused; `limit` is the most bytes read (an entry's, unless a
        larger file such as the baseline says otherwise)."""
        if is_refused_name(path):
            return refused(path, refused_name_reason(path))
        found = self._lookup(path)
        if found is None:
            return refused(path, f"the file is not in {self.label}")
        mode, sha = found
        if mode == MODE_LINK:
            found_target = self.git.read_object(sha, limit=4096)
            target = path_text(found_target[2]) if found_target and found_target[2] is not None else "?"
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            return link_refused(path, target, target.startswith("/") or resolved.split("/")[0] == "..")
        if mode == MODE_SUBMODULE:
            return refused(path, "this is a git submodule, not a file; it was not read. Put the file itself here")
        if mode == MODE_TREE:
            if folder_too_deep(path):
                return too_deep(path)
            return refused(path, "this is a folder, not a file; it was not read")
        blob = self.git.read_object(sha, limit=limit)
        if blob is None:
            return refused(path, f"git has no object {sha[:12]} for this file: the clone is incomplete")
        if blob[2] is None:
            return refused(
                path,
                f"the file is {blob[1]:,} bytes, over the limit of {limit:,}; "
                "an entry is a few kilobytes: split or trim it",
            )
        return FileData(path, blob[2], sha)
