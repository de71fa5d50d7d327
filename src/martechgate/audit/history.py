"""The catalog's git history: every change to an entry, and the catalog as it stood on a date.

Git is read in bulk, never one process per commit: one `git log` (NUL-separated, with raw diffs that
carry blob ids) lists the commits and the files they touched, and one `git cat-file --batch` reads
every blob needed. On a repo of 10,000 commits that is two processes (bench/bench_history.py).

The main branch is read along its first parents: each commit there is one change as it landed on
main (a merged pull request, a squash, or a direct push), which is what an auditor samples.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from martechgate.audit.versions import Parsed, VersionCache
from martechgate.check import identity
from martechgate.check.model import get
from martechgate.errors import UsageError
from martechgate.formats.controls import visible
from martechgate.sources.git import Git, first_parent_chain
from martechgate.sources.parsing import available_cores, parse_all
from martechgate.sources.repo import CATALOG_DIR, YAML_SUFFIXES, is_entry_file
from martechgate.sources.revision import GitRevision
from martechgate.sources.yamlload import Loaded, load_bytes
from martechgate.words import count

Progress = Callable[[int, int], None]  # (done, total)

_MERGE_PR = re.compile(r"^Merge pull request #(\d+) from ")
_SQUASH_PR = re.compile(r"\(#(\d+)\)\s*$")
# Fields of the `git log` format, NUL-separated; the message (%B) is last as it may hold anything but NUL.
# Each commit starts with \x01, which no commit message written by a person or GitHub contains.
_FORMAT = "%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x00"
_FIELDS = 9


@dataclass(frozen=True)
class FileChange:
    status: str  # A, M, D, R (copies are reported as additions)
    path: str  # governance-repo path after the change (the deleted path for D)
    old_path: str | None  # before the change (None for A)
    old_blob: str | None
    new_blob: str | None
    new_mode: str = "100644"  # 120000 a symlink, 160000 a submodule


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored: datetime
    committer_name: str
    committer_email: str
    committed: datetime
    message: str
    changes: tuple[FileChange, ...] = ()

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def pull_request(self) -> int | None:
        """The pull request number, from GitHub's merge message or a squash subject ending in (#N)."""
        match = _MERGE_PR.match(self.subject) or _SQUASH_PR.search(self.subject)
        return int(match.group(1)) if match else None

    @property
    def author(self) -> str:
        return f"{self.author_name} <{self.author_email}>"

    @property
    def date_utc(self) -> datetime:
        return self.committed.astimezone(UTC)


def _parse_raw(git: Git, tokens: list[bytes]) -> list[FileChange]:
    changes: list[FileChange] = []
    for item in git.parse_raw(tokens):
        new_mode = f"{item.new_mode:06o}"
        if item.status == "R" and item.old_path is not None:
            changes.append(FileChange("R", item.path, item.old_path, item.old_blob, item.new_blob, new_mode))
        elif item.status in "AC":
            changes.append(FileChange("A", item.path, None, None, item.new_blob, new_mode))
        elif item.status == "D":
            changes.append(FileChange("D", item.path, item.path, item.old_blob, None))
        else:
            changes.append(FileChange("M", item.path, item.path, item.old_blob, item.new_blob, new_mode))
    return changes


def log(git: Git, ref: str, paths: Sequence[str] = (CATALOG_DIR,)) -> list[Commit]:
    """The first-parent commits of `ref` (newest first, in ancestry order) that changed `paths`, with
    their file changes.

    A merge is diffed against its first parent: the change as it landed on the branch. Never filtered
    by date: dates are what the committer wrote (see `Ancestry`).
    """
    return _log(git, [git.resolve(ref)], git.pathspec(*paths))


def _log(git: Git, revs: list[str], pathspecs: list[str]) -> list[Commit]:
    args = [
        "log",
        "-z",
        "--raw",
        "--no-abbrev",
        "-M",
        f"--format={_FORMAT}",
        "--no-show-signature",
        "--no-color",
        "--first-parent",
        "--diff-merges=first-parent",
    ]
    return _parse_log(git, git.run(*args, *revs, "--", *pathspecs))


def commit_info(git: Git, rev: str) -> Commit:
    """One commit's metadata (without its changes)."""
    out = git.run("log", "-1", "-z", f"--format={_FORMAT}", "--no-show-signature", git.resolve(rev), "--")
    return _parse_log(git, out)[0]


def _parse_log(git: Git, out: bytes) -> list[Commit]:
    commits = []
    for record in out.split(b"\x01")[1:]:
        parts = record.split(b"\x00", _FIELDS)
        if len(parts) <= _FIELDS - 1:
            continue
        sha, parents, an, ae, ad, cn, ce, cd, message = (part.decode("utf-8", "replace") for part in parts[:_FIELDS])
        rest = parts[_FIELDS] if len(parts) > _FIELDS else b""
        # File names stay bytes until sources/git.py names them: none is lost to a decoding.
        tokens = rest.lstrip(b"\x00\n").split(b"\x00")
        commits.append(
            Commit(
                sha,
                tuple(parents.split()),
                an,
                ae,
                datetime.fromisoformat(ad),
                cn,
                ce,
                datetime.fromisoformat(cd),
                message.strip(),
                tuple(_parse_raw(git, tokens)),
            )
        )
    return commits


def proposers(git: Git, commits: Iterable[Commit]) -> dict[str, str]:
    """Who proposed each change, by commit: for a merge, the author of the merged branch's head (the
    merge commit's author is whoever pressed the button); else the commit's author. One `git show`."""
    commits = list(commits)
    heads = sorted({c.parents[1] for c in commits if c.is_merge})
    head_authors = {}
    if heads:
        out = git.run("show", "-s", "--format=%H%x00%an <%ae>", *heads).decode("utf-8", "replace")
        head_authors = dict(line.split("\x00", 1) for line in out.splitlines() if "\x00" in line)
    return {c.sha: head_authors.get(c.parents[1], c.author) if c.is_merge else c.author for c in commits}


# ----- field-level differences, in words -------------------------------------------------------

_IDENTITY_KEYS = ("id", "rule", "target", "type", "name")


@dataclass(frozen=True)
class FieldChange:
    path: str
    kind: str  # "added", "removed", "changed"
    old: Any = None
    new: Any = None

    def words(self) -> str:
        if self.kind == "added":
            return f"{self.path}: added {words(self.new)}"
        if self.kind == "removed":
            return f"{self.path}: removed {words(self.old)}"
        return f"{self.path}: {words(self.old)} → {words(self.new)}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}


def words(value: Any) -> str:
    """A value as a person reads it: 48,000, true, (not set), [a, b], {k: v}."""
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,}"
    if isinstance(value, list):
        return "[" + ", ".join(words(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {words(v)}" for k, v in value.items()) + "}"
    return str(value)


def _named_by(items: list[Any], key: str) -> bool:
    names = [i.get(key) if isinstance(i, dict) else None for i in items]
    return all(isinstance(n, str | int) for n in names) and len(set(names)) == len(names)


def _identity(old: list[Any], new: list[Any]) -> str | None:
    """The key that names each item of a list of mappings (exceptions by rule, integrations by
    target), when every item on both sides has a distinct one; lists are then compared item by item,
    not by position."""
    for key in _IDENTITY_KEYS:
        if all(_named_by(side, key) for side in (old, new) if side):
            return key
    return None


def diff_values(old: Any, new: Any, path: str = "") -> list[FieldChange]:
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[FieldChange] = []
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                out.append(FieldChange(sub, "removed", old=old[key]))
            elif key not in old:
                out.append(FieldChange(sub, "added", new=new[key]))
            else:
                out.extend(diff_values(old[key], new[key], sub))
        return out
    if isinstance(old, list) and isinstance(new, list):
        if all(not isinstance(v, dict | list) for v in old + new):
            removed = [v for v in old if v not in new]
            added = [v for v in new if v not in old]
            if not removed and not added:  # same items, another order
                return [FieldChange(path, "changed", old, new)]
            return [FieldChange(path, "removed", old=v) for v in removed] + [
                FieldChange(path, "added", new=v) for v in added
            ]
        key = _identity(old, new)
        if key is not None:
            old_by = {i[key]: i for i in old}
            new_by = {i[key]: i for i in new}
            result: list[FieldChange] = []
            for name, item in old_by.items():
                sub = f"{path}[{name}]"
                if name not in new_by:
                    result.append(FieldChange(sub, "removed", old=item))
                else:
                    result.extend(diff_values(item, new_by[name], sub))
            result += [FieldChange(f"{path}[{n}]", "added", new=i) for n, i in new_by.items() if n not in old_by]
            return result
        result = []
        for index in range(max(len(old), len(new))):
            sub = f"{path}.{index}"
            if index >= len(new):
                result.append(FieldChange(sub, "removed", old=old[index]))
            elif index >= len(old):
                result.append(FieldChange(sub, "added", new=new[index]))
            else:
                result.extend(diff_values(old[index], new[index], sub))
        return result
    return [FieldChange(path or "(entry)", "changed", old, new)]


# ----- one entry's history ---------------------------------------------------------------------


@dataclass(frozen=True)
class Revision:
    """One change to an entry as it landed on the branch."""

    commit: Commit
    change: FileChange
    proposer: str
    fields: tuple[FieldChange, ...]
    unreadable: str | None = None  # why the entry could not be read after (or before) this change
    landed: datetime | None = None  # when ancestry says it landed, if later than its own date (backdated)

    @property
    def action(self) -> str:
        return {"A": "added", "D": "removed", "R": "renamed", "M": "changed"}[self.change.status]

    def to_dict(self) -> dict[str, Any]:
        c = self.commit
        return {
            "commit": c.sha,
            "date": c.date_utc.isoformat(),
            "author": self.proposer,
            "committer": f"{c.committer_name} <{c.committer_email}>",
            "pull_request": c.pull_request,
            "subject": c.subject,
            "action": self.action,
            "file": self.change.path,
            "old_file": self.change.old_path if self.change.status == "R" else None,
            "unreadable": self.unreadable,
            "date_goes_backwards": self.landed is not None,
            "landed_no_earlier_than": self.landed.isoformat() if self.landed else None,
            "changes": [f.to_dict() for f in self.fields],
            "in_words": [f.words() for f in self.fields],
        }


def _load(data: bytes | None) -> tuple[Any, str | None]:
    if data is None:
        return None, None
    return value_of(load_bytes(data))


def value_of(loaded: Loaded) -> Parsed:
    """A parsed version's value, or None and its first problem, located by line."""
    if loaded.problems:
        first = loaded.problems[0]
        where = f"line {first.line}: " if first.line else ""
        return None, f"{where}{first.message}"
    return loaded.value, None


def is_tool_file(path: str | None, tool: str) -> bool:
    """Whether `path` is the entry of `tool`: <tool>.yaml or .yml in catalog/ or any folder of it."""
    return path is not None and is_entry_file(path) and path.rsplit("/", 1)[-1] in {tool + s for s in YAML_SUFFIXES}


_GLOB_CHARACTERS = re.compile(r"[*?\[\]\\]")


def _tool_changes(git: Git, tool: str, tip: str, ancestry: Callable[[], Ancestry]) -> list[tuple[Commit, FileChange]]:
    """Each commit from `tip` back (newest first by ancestry) that changed the tool's entry, with that
    change; a rename switches to the old path for older commits.

    `git log` is asked for the tool's file name only (in any folder of catalog/), as `git log --follow`
    is: reading every change to a catalog of 10,000 tools for one of them took most of the time. A
    change other than an edit in place is then read again among all of the catalog's changes in its
    commit, as rename detection pairs files across the whole commit: an addition may be a rename from
    another name, a deletion a rename to one. So the result is the same as reading the whole catalog,
    which is still done when a name holds a glob character."""
    specs = _tool_pathspecs(git, tool)
    whole = specs is None
    if specs is None:
        specs = git.pathspec(CATALOG_DIR)
    tracked: set[str] | None = None  # None: the tool's file in any folder, until a rename names it

    def is_tracked(path: str | None) -> bool:
        return path in tracked if tracked is not None else is_tool_file(path, tool)

    found: list[tuple[Commit, FileChange]] = []
    revs = [tip]
    while revs:
        # newest first by ancestry, never by the dates committers wrote
        commits = _log(git, revs, specs)
        position = ancestry().position
        commits.sort(key=lambda c: position.get(c.sha, -1), reverse=True)
        revs = []
        for commit in commits:
            if not whole and any(change.status != "M" for change in commit.changes):
                commit = _log(git, ["-1", commit.sha], git.pathspec(CATALOG_DIR))[0]
            renamed = False
            for change in commit.changes:
                if is_tracked(change.path) or (change.status in "DR" and is_tracked(change.old_path)):
                    found.append((commit, change))
                    if change.status == "R" and change.old_path:
                        tracked = {change.old_path}  # older commits know the entry by its old name
                        renamed = True
                    break
            if renamed and not whole:
                # Older commits are read by the old name, from the first parent on (a root commit has
                # none: nothing is older).
                revs = list(commit.parents[:1])
                specs = git.pathspec(*sorted(tracked or ()))
                break
    return found


def _tool_pathspecs(git: Git, tool: str) -> list[str] | None:
    """Git pathspecs for the tool's file in catalog/ or any folder of it (a superset of is_tool_file's
    names, which filters them again), or None when the tool's name or the repo's folder holds a
    character a glob would read as a pattern."""
    folder = f"{git.prefix}{CATALOG_DIR}"
    if _GLOB_CHARACTERS.search(folder + tool):
        return None
    # catalog/ itself by literal names, its folders by a pattern: git matches a literal path faster
    # (70 against 100 ms on the bench repo's 10,000 commits; both, 84 ms).
    return [f":(literal){folder}/{tool}{suffix}" for suffix in YAML_SUFFIXES] + [
        f":(glob){folder}/*/**/{tool}{suffix}" for suffix in YAML_SUFFIXES
    ]


def entry_history(
    git: Git,
    tool: str,
    ref: str = "HEAD",
    progress: Progress | None = None,
    versions: VersionCache | None = None,
) -> list[Revision]:
    """Every change to catalog/<tool>.yaml on `ref` (newest first), following renames. With `versions`,
    a version parsed by an earlier run is not read from git or parsed again, and the new ones are kept."""
    git.require_full_history()
    tip = git.resolve(ref)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Both wait for git: the branch's ancestry is read while the tool's changes are (one git
        # process each; the thread only runs one and reads its lines).
        reading = pool.submit(lambda: Ancestry.of_chain(first_parent_chain(git, tip)))
        found = _tool_changes(git, tool, tip, reading.result)
        ancestry = reading.result()
    if not found:
        raise UsageError(
            f"no change to {CATALOG_DIR}/{tool}.yaml was found on {ref}",
            hint="Name the tool by its id (the file name without .yaml); `martechgate "
            "inventory --as-of DATE` lists the ids.",
        )
    parsed: dict[str, Parsed] = {}
    for blob in {b: None for _, ch in found for b in (ch.old_blob, ch.new_blob) if b}:
        known = versions.get(blob) if versions is not None else None
        if known is not None:
            parsed[blob] = known
    contents = git.blobs(b for _, ch in found for b in (ch.old_blob, ch.new_blob) if b and b not in parsed)
    authors = proposers(git, (c for c, _ in found))
    # Each version parsed once, though it is the "after" of one change and the "before" of the next; on
    # every core when there are thousands.
    for done, (sha, loaded) in enumerate(parse_all(contents, available_cores()), 1):
        parsed[sha] = value_of(loaded)
        if versions is not None:
            versions.put(sha, parsed[sha])
        if progress:
            progress(done, len(contents))
    if versions is not None:
        versions.save()
    revisions = []
    for commit, change in found:
        old, old_problem = parsed.get(change.old_blob or "", (None, None))
        new, new_problem = parsed.get(change.new_blob or "", (None, None))
        unreadable = None
        if new_problem:
            unreadable = f"unreadable after this change ({new_problem})"
        elif old_problem:
            unreadable = f"was unreadable before this change ({old_problem})"
        fields = () if unreadable else tuple(diff_values(old, new))
        landed = ancestry.landed.get(commit.sha)
        backdated = landed if landed is not None and landed > commit.date_utc else None
        revisions.append(Revision(commit, change, authors[commit.sha], fields, unreadable, backdated))
    return revisions


def render_history(tool: str, revisions: list[Revision]) -> str:
    lines = [f"History of {tool} ({count(len(revisions), 'change')}, newest first)", ""]
    for rev in revisions:
        c = rev.commit
        pr = f"  PR #{c.pull_request}" if c.pull_request else ""
        lines.append(f"{c.date_utc:%Y-%m-%d %H:%M} UTC  {c.sha[:12]}{pr}  {rev.action} by {rev.proposer}")
        lines.append(f"    {c.subject}")
        if rev.landed is not None:
            lines.append(
                f"    its date goes backwards (before its parent's): it landed no earlier than "
                f"{rev.landed:%Y-%m-%d %H:%M} UTC"
            )
        if rev.change.status == "R":
            lines.append(f"    renamed: {rev.change.old_path} → {rev.change.path}")
        if rev.unreadable:
            lines.append(f"    {rev.unreadable}")
        elif rev.change.status == "A":
            lines.append("    entry added")
        elif rev.change.status == "D":
            lines.append("    entry removed")
        else:
            lines.extend(f"    {f.words()}" for f in rev.fields)
        lines.append("")
    # Subjects, names and values are the pusher's and the entry's words: a line break or an escape
    # sequence in them is shown escaped, never acted on.
    return "\n".join(map(visible, lines))


# ----- the catalog on a date -------------------------------------------------------------------


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in UTC: an inventory as of a date includes everything merged that day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC) - timedelta(microseconds=1)


@dataclass(frozen=True)
class Ancestry:
    """A branch's first-parent commits in the order they landed, read parent by parent.

    Commit dates are what the committer wrote, and a pusher can write any: a commit dated last year
    pushed today must not change last year's inventory. So a commit counts as landed at its own date
    or its parent's, whichever is later (never before its parent), and each commit whose date goes
    backwards is named.
    """

    shas: tuple[str, ...]  # oldest first
    position: dict[str, int]
    landed: dict[str, datetime]  # the date ancestry allows: never before the parent's
    backwards: tuple[str, ...]  # a sentence for each commit whose date goes backwards

    @classmethod
    def of(cls, git: Git, ref: str) -> Ancestry:
        return cls.of_chain(first_parent_chain(git, git.resolve(ref)))

    @classmethod
    def of_chain(cls, chain: list[tuple[str, int]]) -> Ancestry:
        """From first_parent_chain's (sha, committer timestamp), oldest first."""
        shas: list[str] = []
        landed: dict[str, datetime] = {}
        backwards: list[str] = []
        latest: int | None = None
        for sha, stamp in chain:
            if latest is not None and stamp < latest:
                backwards.append(
                    f"the date of {sha[:12]} ({_utc(stamp)}) goes backwards, before its parent's ({_utc(latest)}); "
                    "it is taken as landed after its parent (dates are what the committer wrote, ancestry is "
                    "what happened)"
                )
            latest = stamp if latest is None else max(latest, stamp)
            shas.append(sha)
            landed[sha] = datetime.fromtimestamp(latest, UTC)
        return cls(tuple(shas), {sha: index for index, sha in enumerate(shas)}, landed, tuple(backwards))

    def as_of(self, moment: datetime) -> str | None:
        """The tip of the branch at `moment`: the last commit landed at or before it."""
        found = None
        for sha in self.shas:
            if self.landed[sha] > moment:
                break
            found = sha
        return found

    def between(self, commits: Iterable[Commit], start: datetime | None, end: datetime | None) -> list[Commit]:
        """`commits` that landed within [start, end], oldest first by ancestry."""
        kept = [
            c
            for c in commits
            if c.sha in self.landed
            and (start is None or self.landed[c.sha] >= start)
            and (end is None or self.landed[c.sha] <= end)
        ]
        return sorted(kept, key=lambda c: self.position[c.sha])


def _utc(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat()


INVENTORY_COLUMNS = (
    "id",
    "name",
    "vendor",
    "category",
    "status",
    "business_owner",
    "technical_owner",
    "classification",
    "data_categories",
    "risk_tier",
    "annual_cost",
    "currency",
    "renewal",
    "file",
    "blob",
)


@dataclass
class Inventory:
    ref: str
    as_of: date
    commit: str
    commit_date: datetime
    extracted_at: datetime
    rows: list[dict[str, Any]] = field(default_factory=list)
    dates_backwards: list[str] = field(default_factory=list)

    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "ref": self.ref,
            "as_of": self.as_of.isoformat(),
            "commit": self.commit,
            "commit_date": self.commit_date.astimezone(UTC).isoformat(),
            "extracted_at": self.extracted_at.isoformat(timespec="seconds"),
            "rows": len(self.rows),
        }
        if self.dates_backwards:
            meta["dates_backwards"] = self.dates_backwards
        return meta


def inventory_row(path: str, blob: str | None, data: bytes | None) -> dict[str, Any]:
    value, problem = _load(data)
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if not isinstance(value, dict):
        return {"id": stem, "status": "(unreadable)", "name": problem or "not a mapping", "file": path, "blob": blob}
    categories = get(value, "data", "categories")
    return {
        "id": value.get("id") if isinstance(value.get("id"), str) else stem,
        "name": value.get("name"),
        "vendor": get(value, "vendor", "name"),
        "category": value.get("category"),
        "status": value.get("status"),
        "business_owner": _people(get(value, "owners", "business")),
        "technical_owner": _people(get(value, "owners", "technical")),
        "classification": get(value, "data", "classification"),
        "data_categories": categories if isinstance(categories, list) else None,
        "risk_tier": get(value, "review", "risk_tier"),
        "annual_cost": get(value, "contract", "annual_cost"),
        "currency": get(value, "contract", "currency"),
        "renewal": get(value, "contract", "renewal"),
        "file": path,
        "blob": blob,
    }


def _people(value: Any) -> Any:
    """An owner role in one cell: several owners joined by commas, anything else as it is."""
    return ", ".join(identity.owner_values(value)) if isinstance(value, list) else value


def inventory(git: Git, as_of: date, ref: str = "main", now: datetime | None = None) -> Inventory:
    """The catalog on `ref` at the end of `as_of` (UTC), read from the commit that was the tip then."""
    git.require_full_history()
    ancestry = Ancestry.of(git, ref)
    sha = ancestry.as_of(end_of_day(as_of))
    if sha is None:
        raise UsageError(
            f"{ref} has no commit on or before {as_of.isoformat()}",
            hint=f"Pick a later date; `git log --first-parent --reverse {ref}` shows when it starts.",
        )
    source = GitRevision(git.path, sha, git=git)
    paths = source.list_yaml(CATALOG_DIR, recursive=True)
    files = {path: source.read(path) for path in paths}
    rows = [inventory_row(path, f.blob, f.data) for path, f in files.items()]
    rows.sort(key=lambda r: (str(r["id"]), r["file"]))
    committed = commit_info(git, sha).committed
    return Inventory(ref, as_of, sha, committed, now or datetime.now(UTC), rows, list(ancestry.backwards))
