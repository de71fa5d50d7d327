"""The one place martechgate talks to git: every git process starts here (and ssh-keygen, which git
itself runs to sign with SSH keys), and nothing else imports a git library.

Git is read as bytes and NUL-separated (`-z`): a file name is whatever bytes the committer chose, and
a name that is not UTF-8, or that holds a newline, must not drop out of a listing or a diff. Names
come out as text in one form (`path_text`): a name that is not plain printable UTF-8 is written with
its bad characters escaped (`caf\\xe9.yaml`, `a\\nb.yaml`), and such a name always holds a backslash,
so `is_refused_name` knows it on sight and no reader ever opens it.

Names of revisions are resolved explicitly (`resolve`): `refs/heads/NAME`, `refs/remotes/NAME`, then
a commit id. A name two refs answer to (a tag called `main` beside the branch `main`) is an error
naming both, never a guess: whoever can push a tag must not choose what a pull request is judged
against.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from martechgate.errors import RepoError, UsageError

NULL_SHA = "0" * 40
MODE_TREE = 0o040000
MODE_LINK = 0o120000
MODE_SUBMODULE = 0o160000
_FULL_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_SHORT_SHA = re.compile(r"^[0-9a-f]{4,63}$")
# A revision suffix git understands and martechgate accepts after a name: ~N, ^N, ^.
_SUFFIX = re.compile(r"((?:~\d*|\^\d*)*)$")
# A tree object is "<octal mode> <name>\0<20-byte id>", repeated.
_TREE_ENTRY = re.compile(rb"([0-7]+) ([^\0]*)\0(.{20})", re.DOTALL)
# GIT_NO_REPLACE_OBJECTS: `git replace` (refs/replace/*) makes git show another object wherever one is
# asked for; a replace ref in CI's clone would have the base judged by the adversary's commit, so the
# objects are read as they are.
_ENV = {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_REPLACE_OBJECTS": "1"}
# Bidirectional controls and invisible separators: a name holding one reads differently than it is.
_INVISIBLE = frozenset("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


# ----- names ------------------------------------------------------------------------------------


def _unsafe(char: str) -> bool:
    return char == "\\" or char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs")


# The same characters as `_unsafe` as one pattern (Cc is U+0000-U+001F and U+007F-U+009F, Cs the
# surrogates that hold bytes that are not UTF-8): a name is tested at C speed, 10,000 of them a check.
_UNSAFE = re.compile("[\\\\\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(_INVISIBLE)) + "]")


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    named = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def path_text(raw: bytes) -> str:
    """A path git gave as bytes, as martechgate names it: the text itself when it is printable UTF-8,
    else the text with each bad byte or character escaped (always holding a backslash)."""
    text = raw.decode("utf-8", "surrogateescape")
    if _UNSAFE.search(text) is None:
        return text
    return "".join(_escape(char) if _unsafe(char) else char for char in text)


def is_refused_name(path: str) -> bool:
    """Whether a path names a file no reader may open: its name is not valid UTF-8, or holds a control
    or bidirectional character or a backslash (written escaped by `path_text`)."""
    return _UNSAFE.search(path) is not None


def refused_name_reason(path: str) -> str:
    """Why a file is not read, naming it escaped (`path` is already escaped when it came from git)."""
    shown = path if not any(_unsafe(c) for c in path if c != "\\") else path_text(os.fsencode(path))
    return (
        f"the file name {shown} is not plain UTF-8 text (it holds a byte that is not UTF-8, a control or "
        "bidirectional character, or a backslash), so what git, GitHub and reviewers show differs; it was "
        "not read. Rename the file to its id with plain letters, digits and dashes"
    )


# ----- revisions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawChange:
    """One file of a `git diff --raw -z`, paths as `path_text` names them."""

    status: str  # A, M, D, R, C, T
    path: str  # after the change (for D, the deleted path)
    old_path: str | None  # before the change (for R and C; None otherwise)
    old_mode: int
    new_mode: int
    old_blob: str | None
    new_blob: str | None


@dataclass(frozen=True)
class TreeEntry:
    name: str
    mode: int
    sha: str


def _find_top(path: Path) -> Path | None:
    """The work tree holding `path`: the nearest folder with a `.git` (a folder, or a file for a linked
    worktree), found without starting git."""
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    return None


class _ObjectReader:
    """One long-lived `git cat-file --batch` per repository: reading thousands of objects (an audit
    walking many commits) costs one process, not one each."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.process is None or self.process.poll() is not None:
            try:
                self.process = subprocess.Popen(
                    ["git", "cat-file", "--batch"],
                    cwd=self.cwd,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env={**os.environ, **_ENV},
                )
            except FileNotFoundError as error:
                raise RepoError("git is not installed or not on PATH", hint="Install git.") from error
            weakref.finalize(self, _stop, self.process)
        return self.process

    def read(self, sha: str, limit: int | None = None) -> tuple[str, int, bytes | None] | None:
        """(type, size, content) of an object; content None when over `limit`; None when missing."""
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(sha.encode("ascii") + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3:
                return None  # "<name> missing"
            kind, size = header[1].decode("ascii"), int(header[2])
            if limit is not None and size > limit:
                remaining = size + 1
                while remaining:  # drained in pieces: a huge object never sits in memory
                    chunk = process.stdout.read(min(remaining, 1 << 20))
                    if not chunk:
                        raise OSError("the output ended early")
                    remaining -= len(chunk)
                return kind, size, None
            data = process.stdout.read(size)
            process.stdout.read(1)  # the newline after the content
        except (OSError, ValueError) as error:
            self.process = None
            raise RepoError(
                f"git cat-file stopped while reading {sha[:12]}: {error}",
                hint="Check that the repository is not damaged (`git fsck`).",
            ) from error
        return kind, size, data


def _stop(process: subprocess.Popen[bytes]) -> None:
    # Killed, not asked to end by closing its input: a worker process forked meanwhile (parsing on
    # every core) holds a copy of that pipe, so git would never see its end and this would wait for
    # nothing (an audit spent 5 s here). It only reads objects: nothing is lost.
    if process.stdin is not None:
        process.stdin.close()
    process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


class Git:
    """Git for one governance repo, which may be a folder inside a larger git repository. Paths given
    and returned are relative to the governance repo (`local`, `pathspec` translate)."""

    def __init__(self, path: str | os.PathLike[str], *, hint: str | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise RepoError(f"{path} is not a folder", hint="Name the governance repo's folder, or run inside it.")
        top = _find_top(self.path.resolve())
        if top is None:
            raise RepoError(
                f"{path} is not inside a git repository",
                hint=hint or "Run inside a clone of the governance repo (in CI: actions/checkout with fetch-depth: 0).",
            )
        self.top = top
        self.cwd = top  # git reads pathspecs relative to where it runs; ours are from the top
        prefix = self.path.resolve().relative_to(top).as_posix()
        self.prefix = "" if prefix == "." else prefix + "/"
        self._objects = _ObjectReader(top)
        self._trees: dict[str, list[TreeEntry]] = {}

    # --- running git ---

    def attempt(
        self, *args: str, input_data: bytes | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """Run git and return whatever happened (for commands whose failure is an answer)."""
        full_env = {**os.environ, **_ENV, **(env or {})}
        try:
            return subprocess.run(
                ["git", *args], cwd=self.cwd, input=input_data, capture_output=True, env=full_env, check=False
            )
        except FileNotFoundError as error:
            raise RepoError("git is not installed or not on PATH", hint="Install git.") from error

    def run(
        self, *args: str, input_data: bytes | None = None, env: dict[str, str] | None = None, check: bool = True
    ) -> bytes:
        result = self.attempt(*args, input_data=input_data, env=env)
        if check and result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RepoError(
                f"git {args[0]} failed: {message[-1] if message else 'no message'}",
                hint="Check that the revision exists and the repository is not corrupt.",
            )
        return result.stdout

    def require_full_history(self) -> None:
        """Refuse a shallow clone: its history is cut off, so an audit read from it would look
        complete and not be."""
        if self.run("rev-parse", "--is-shallow-repository").strip() == b"true":
            raise RepoError(
                "this clone is shallow: its history is cut off, so the answer would be incomplete",
                hint="Run `git fetch --unshallow` (in CI: actions/checkout with fetch-depth: 0).",
            )

    def local(self, path: str) -> str | None:
        """A path from git (relative to the top) as a governance-repo path, or None if outside it."""
        return path[len(self.prefix) :] if path.startswith(self.prefix) else None

    def pathspec(self, *paths: str) -> list[str]:
        # Literal pathspecs: a governance path is a name, never a pattern.
        return [f":(literal){self.prefix}{p}" for p in paths]

    # --- naming revisions ---

    def resolve(self, rev: str) -> str:
        """The commit a user-given name means, resolved explicitly.

        `HEAD`, a branch (`refs/heads/NAME`), a remote-tracking branch (`refs/remotes/NAME`), a full
        ref name, or a commit id, each optionally followed by `~N`/`^N`. A name that two refs answer to
        (a tag or another ref beside the branch), or a short commit id that more than one object
        starts with, is refused with both named: the caller must say which."""
        name, suffix = rev, ""
        match = _SUFFIX.search(rev)
        if match and match.group(1):
            name, suffix = rev[: match.start(1)], match.group(1)
        if not name or any(char in name for char in "\n\0") or name.startswith("-"):
            raise self._unknown(rev)
        base = self._resolve_name(name)
        if not suffix:
            return base
        return self._commit_of(f"{base}{suffix}") or _raise(self._unknown(rev))

    def _resolve_name(self, name: str) -> str:
        if name == "HEAD":
            return self._commit_of(name) or _raise(self._unknown(name))
        hexname = name.lower()
        if _FULL_SHA.match(hexname):  # a full id names one object whatever refs exist (as in git)
            return hexname if self.object_type(hexname) == "commit" else _raise(self._unknown(name))
        refs = self._refs_named(name)
        objects: list[str] = []
        if _SHORT_SHA.match(hexname):
            listed = self.run("rev-parse", "--disambiguate=" + hexname, check=False).decode("ascii", "replace")
            objects = sorted(set(listed.split()))
        if refs and objects:
            raise UsageError(
                f"the revision {name!r} is ambiguous: it names the ref {refs[0]} and the object {objects[0][:12]}",
                hint="Name it in full: the ref (e.g. refs/heads/main) or the commit's full 40-character id.",
            )
        if len(refs) > 1:
            raise UsageError(
                f"the revision {name!r} is ambiguous: it names both {refs[0]} and {refs[1]}",
                hint=f"Name the one you mean in full (e.g. {refs[0]}), and remove the other if nobody "
                "meant to create it (a tag named like a branch lets whoever pushed it choose what is compared).",
            )
        if len(objects) > 1:
            raise UsageError(
                f"the short commit id {name!r} is ambiguous: {objects[0]} and {objects[1]} both start with it",
                hint="Give the commit's full 40-character id (`git rev-parse` prints it).",
            )
        if refs:
            sha = self._commit_of(refs[0])
        elif objects:
            sha = objects[0] if self.object_type(objects[0]) == "commit" else None
        else:
            sha = None
        if sha is None:
            raise self._unknown(name)
        return sha

    def _refs_named(self, name: str) -> list[str]:
        """Every ref `name` could mean, the way git looks names up (refs/NAME, tags, branches, remotes)."""
        if name.startswith("refs/"):
            candidates = [name]
        else:
            candidates = [
                f"refs/{name}",
                f"refs/tags/{name}",
                f"refs/heads/{name}",
                f"refs/remotes/{name}",
                f"refs/remotes/{name}/HEAD",
            ]
        out = self.run("for-each-ref", "--format=%(refname)", "--", *candidates, check=False)
        found = {line for line in out.decode("utf-8", "surrogateescape").splitlines() if line in candidates}
        return [ref for ref in candidates if ref in found]

    def _commit_of(self, ref: str) -> str | None:
        out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False)
        return out.decode("ascii").strip() or None

    def _unknown(self, rev: str) -> RepoError:
        return RepoError(
            f"the git revision {rev!r} does not exist here",
            hint="Fetch it first (in CI: actions/checkout with fetch-depth: 0), or name a branch "
            "or a commit that exists.",
        )

    def default_branch(self, configured: str | None = None) -> str:
        """The repository's default branch, read and never assumed, as a name `resolve` takes.

        In order: the remote's default as the clone recorded it (origin/HEAD; the local branch of
        that name if there is one, else origin/NAME); `configured` (the organisation file's
        `default_branch`, an explicit statement about this repository); git's `init.defaultBranch`
        when that branch exists here (a person's preference for new repositories, so it comes after);
        the one of main and master that exists."""
        remote = self.attempt("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD").stdout.decode().strip()
        if remote.startswith("refs/remotes/origin/"):
            name = remote.removeprefix("refs/remotes/origin/")
            return name if self._commit_of(f"refs/heads/{name}") else f"origin/{name}"
        if configured:
            return configured
        preferred = self.attempt("config", "--get", "init.defaultBranch").stdout.decode().strip()
        if preferred and self._commit_of(f"refs/heads/{preferred}"):
            return preferred
        existing = [name for name in ("main", "master") if self._commit_of(f"refs/heads/{name}")]
        if len(existing) == 1:
            return existing[0]
        branches = self.run("for-each-ref", "--format=%(refname:short)", "refs/heads").decode().split()
        raise RepoError(
            "this repository does not say which branch is its default: no origin/HEAD, no default_branch "
            "in martechgate.yaml, "
            + (f"no branch {preferred} (init.defaultBranch), " if preferred else "no init.defaultBranch, ")
            + (
                "both main and master exist"
                if existing
                else f"and its branches are {', '.join(branches) or 'none yet'}"
            ),
            hint="Name the branch with --ref BRANCH, or set `default_branch: BRANCH` in martechgate.yaml "
            "(or, in a clone, run `git remote set-head origin --auto`).",
        )

    def head(self) -> str | None:
        """The commit checked out, or None before the first commit."""
        return self._commit_of("HEAD")

    def merge_base(self, one: str, other: str) -> str | None:
        out = self.run("merge-base", one, other, check=False).decode("ascii").strip()
        return out or None

    # --- objects ---

    def object_type(self, sha: str) -> str | None:
        found = self._objects.read(sha, limit=0)
        return found[0] if found else None

    def read_object(self, sha: str, limit: int | None = None) -> tuple[str, int, bytes | None] | None:
        """(type, size, content) of an object (content None when over `limit`), None when missing."""
        return self._objects.read(sha, limit)

    def commit_tree(self, sha: str) -> str:
        found = self._objects.read(sha)
        if found is None or found[0] != "commit" or found[2] is None:
            raise self._unknown(sha)
        return found[2][5:45].decode("ascii")  # a commit object starts "tree <id>\n"

    def tree_entries(self, sha: str) -> list[TreeEntry]:
        """The entries of a tree object, read straight from its bytes; trees never change, so each
        is parsed once."""
        entries = self._trees.get(sha)
        if entries is None:
            found = self._objects.read(sha)
            raw = found[2] if found is not None and found[0] == "tree" and found[2] is not None else b""
            entries = [
                TreeEntry(path_text(name), int(mode, 8), binsha.hex())
                for mode, name, binsha in _TREE_ENTRY.findall(raw)
            ]
            if len(self._trees) >= 256:
                self._trees.clear()
            self._trees[sha] = entries
        return entries

    def tree(self, rev: str, *paths: str) -> dict[str, tuple[str, str]]:
        """path -> (mode, blob id) of every file under `paths` at `rev`, in one `git ls-tree`."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", rev, "--", *self.pathspec(*paths))
        result = {}
        for item in out.split(b"\x00"):
            if b"\t" not in item:
                continue
            meta, raw = item.split(b"\t", 1)
            mode, kind, sha = meta.decode("ascii").split()
            local = self.local(path_text(raw))
            if local is not None and kind in ("blob", "commit"):
                result[local] = (mode, sha)
        return result

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of many blobs, read by one `git cat-file --batch`."""
        wanted = sorted({s for s in shas if s and s != NULL_SHA})
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch", input_data="".join(f"{s}\n" for s in wanted).encode())
        result: dict[str, bytes] = {}
        position = 0
        for sha in wanted:
            end = out.index(b"\n", position)
            header = out[position:end].split()
            position = end + 1
            if len(header) == 2 and header[1] == b"missing":
                continue
            size = int(header[2])
            result[sha] = out[position : position + size]
            position += size + 1  # the content is followed by a newline
        return result

    # --- differences ---

    def diff(self, old: str, new: str | None, *, renames: bool = True) -> list[RawChange]:
        """What differs from commit `old` to commit `new` (None: the work tree, untracked files
        included), every path read as bytes; paths relative to the governance repo, others dropped."""
        args = ["diff", "--raw", "-z", "--no-abbrev", "--no-color", "--no-ext-diff", "--no-relative"]
        args += ["-M" if renames else "--no-renames", old] + ([new] if new is not None else []) + ["--"]
        changes = self.parse_raw(self.run(*args).split(b"\x00"))
        if new is None:
            listed = self.run("ls-files", "-z", "--others", "--exclude-standard", "--full-name", "--", ".")
            for raw in listed.split(b"\x00"):
                local = self.local(path_text(raw)) if raw else None
                if local:
                    mode = _work_tree_mode(self.top / os.fsdecode(raw))
                    changes.append(RawChange("A", local, None, 0, mode, None, None))
        return changes

    def parse_raw(self, tokens: Sequence[bytes]) -> list[RawChange]:
        """The changes of `--raw -z` output (split at NUL), paths relative to the governance repo."""
        changes: list[RawChange] = []
        index = 0
        while index < len(tokens):
            meta = tokens[index]
            if not meta.startswith(b":"):
                index += 1
                continue
            old_mode, new_mode, old_blob, new_blob, status = meta[1:].decode("ascii").split(" ")[:5]
            kind = status[0]
            if kind in "RC":
                old_path, new_path = path_text(tokens[index + 1]), path_text(tokens[index + 2])
                index += 3
            else:
                old_path = new_path = path_text(tokens[index + 1])
                index += 2
            old_local, new_local = self.local(old_path), self.local(new_path)
            old_sha = None if old_blob == NULL_SHA else old_blob
            new_sha = None if new_blob == NULL_SHA else new_blob
            modes = int(old_mode, 8), int(new_mode, 8)
            if kind in "RC" and old_local is None and new_local is None:
                continue
            if kind in "RC" and (old_local is None or new_local is None):
                # A move across the governance repo's edge is an addition or a deletion inside it.
                if new_local is not None:
                    changes.append(RawChange("A", new_local, None, 0, modes[1], None, new_sha))
                elif old_local is not None and kind == "R":
                    changes.append(RawChange("D", old_local, None, modes[0], 0, old_sha, None))
                continue
            if kind in "RC":
                changes.append(RawChange(kind, new_local or "", old_local, *modes, old_sha, new_sha))
            elif new_local is not None:
                changes.append(RawChange(kind, new_local, None, *modes, old_sha, new_sha))
        return changes

    def grep(self, rev: str, folder: str, words: Sequence[str]) -> set[str]:
        """Files under `folder` at `rev` whose text holds one of `words` as a whole word."""
        # The words come from entries (ids an entry names): on stdin, one a line, so that however many
        # or long they are they never overflow the command line (an entry's huge `alternative` did).
        # A word holding a line break is as many words, each a superset of what is looked for.
        patterns = "\n".join(words).encode("utf-8", "surrogateescape") + b"\n"
        result = self.attempt(
            "grep",
            "-z",
            "-l",
            "-I",
            "-F",
            "-w",
            "-f",
            "-",
            rev,
            "--",
            *self.pathspec(folder.rstrip("/") + "/"),
            input_data=patterns,
        )
        if result.returncode == 1:  # git grep: nothing matched
            return set()
        if result.returncode != 0:
            said = result.stderr.decode("utf-8", "replace").strip()
            raise RepoError(
                f"git grep failed in {rev[:12]}: {said}",
                hint="Check that the repository is not damaged (`git fsck`).",
            )
        found = set()
        for item in result.stdout.split(b"\x00"):
            if not item:
                continue
            raw = item.split(b":", 1)[1] if item.startswith(rev.encode("ascii") + b":") else item
            local = self.local(path_text(raw))
            if local is not None:
                found.add(local)
        return found


def _work_tree_mode(path: Path) -> int:
    if path.is_symlink():
        return MODE_LINK
    return MODE_TREE if path.is_dir() else 0o100644


def _raise(error: Exception) -> str:
    raise error


def top_and_prefix(path: str | os.PathLike[str]) -> tuple[Path, str]:
    """The git work tree holding `path` and the governance repo's folder inside it (`""` or `gov/`);
    outside git, `path` itself and `""`."""
    resolved = Path(path).resolve()
    top = _find_top(resolved)
    if top is None:
        return resolved, ""
    prefix = resolved.relative_to(top).as_posix()
    return top, "" if prefix == "." else prefix + "/"


# ----- ancestry and commits, for the audit trail -----------------------------------------------------


def first_parent_chain(git: Git, tip: str) -> list[tuple[str, int]]:
    """(sha, committer timestamp) of every first-parent commit of `tip`, oldest first.

    The order is ancestry, read parent by parent; the timestamps are whatever the committer wrote
    (a pusher chooses them), so callers must never sort by them.
    """
    out = git.run("log", "--first-parent", "--reverse", "--format=%H %ct", "--no-show-signature", tip, "--")
    chain = []
    for line in out.decode("ascii", "replace").splitlines():
        sha, _, stamp = line.partition(" ")
        if sha and stamp.lstrip("-").isdigit():
            chain.append((sha, int(stamp)))
    return chain


def is_ancestor(git: Git, ancestor: str, descendant: str) -> bool:
    """Whether `ancestor` is `descendant` or one of its ancestors (False when either is missing)."""
    return git.attempt("merge-base", "--is-ancestor", ancestor, descendant).returncode == 0


@dataclass(frozen=True)
class CommitShape:
    """What an approval record binds of a commit: its id, its tree and its parents, in order."""

    sha: str
    tree: str
    parents: tuple[str, ...]


def commit_shape(git: Git, sha: str) -> CommitShape | None:
    """The commit's tree and parents, read from the commit object; None when it is not a commit here."""
    found = git.read_object(sha) if _FULL_SHA.match(sha) else None
    if found is None or found[0] != "commit" or found[2] is None:
        return None
    tree, parents = "", []
    for line in found[2].split(b"\n"):
        if not line:
            break  # the headers end at the first empty line
        if line.startswith(b"tree "):
            tree = line[5:].decode("ascii")
        elif line.startswith(b"parent "):
            parents.append(line[7:].decode("ascii"))
    return CommitShape(sha, tree, tuple(parents))


def ssh_keygen(args: Sequence[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    """Run OpenSSH's ssh-keygen, the program git itself runs to sign and verify with SSH keys
    (`gpg.format ssh`). In a new session: with no terminal, a key with a passphrase fails at once
    instead of waiting for one."""
    try:
        return subprocess.run(
            ["ssh-keygen", *args], input=data, capture_output=True, check=False, start_new_session=True, timeout=60
        )
    except FileNotFoundError:
        raise UsageError(
            "ssh-keygen is not installed or not on PATH",
            hint="Install OpenSSH's client (Debian/Ubuntu: apt-get install openssh-client; GitHub's runners have it).",
        ) from None
