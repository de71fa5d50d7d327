"""Results of earlier runs, by file content, so an unchanged file is never parsed or judged twice.

A record is keyed by the file's path and git blob id; the whole cache belongs to one fingerprint of
the rules (organisation file, policies, martechgate's own code) and one day (policies read dates
relative to today). Anything else, and the cache is ignored and rebuilt.

Beside the records, as git's index does, each file's size, times and inode are kept with its blob id,
so an unchanged file is not even read or hashed. A file changed within RACY_NS of the run that saw it
could change again within the same clock tick, unseen: its identity is not kept, and it is read.

The file is a JSON header, a JSON index (each record's validity, projection, locations and waivers,
and where its findings are; the files' identities) and the records' findings, each as JSON, one after
the other. A record's findings are parsed when first read: a check that already has their output (the
output parts) never reads them, and at 40,000 findings they are two thirds of the file.

Never trusted: the cache lives outside the governance repo (a pull request could otherwise commit a
forged one that hides its findings), it is JSON (never pickle: loading it runs nothing), everything
after its header carries a checksum, and a record that does not have the expected shape drops the
whole cache (one whose findings turn out not to, when read, makes `engine.check` judge afresh).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path as FilePath
from typing import Any, BinaryIO, overload

import orjson

from martechgate import atomic, caching
from martechgate.check import baseline
from martechgate.check.baseline import BASELINE_FILE
from martechgate.check.model import CachedResult, Entry, Finding, Waiver
from martechgate.sources.repo import CATALOG_DIR, ORG_FILE, POLICIES_DIR, Signature, Source, WorkTree
from martechgate.sources.yamlload import Loaded, Path

FORMAT = "martechgate-cache/5"  # 4: the findings apart from the index, parsed when read; 5: CRC-32
MAX_RECORDS = 50_000
RACY_NS = 2_000_000_000  # file times on some file systems tick in 2 s steps
# The fields rules comparing entries read (duplicate-id, unknown-reference, data-flow-clearance): a
# cached entry keeps only these, and the locations of the ones those rules report on.
PROJECTED = ("id", "category", "alternative", "status", "integrations")
LOCATED = ("id", "category", "alternative", "integrations")


def rules_fingerprint(source: Source) -> str:
    digest = hashlib.sha256(caching.code_fingerprint().encode())
    for path in [ORG_FILE, *source.list_yaml(POLICIES_DIR)]:
        file = source.read(path)
        digest.update(f"{path}\0{file.blob}\0".encode())
    return digest.hexdigest()


class _CachedLoaded(Loaded):
    """A cached entry's projection. Its locations, keyed by dotted path, are looked up only when a
    rule reports on it: building tuples for every entry was most of a warm run."""

    def __init__(self, value: Any, ok: bool, at: dict[str, Any]) -> None:
        super().__init__(value=value, ok=ok)
        self._at = at

    def where(self, path: Path) -> tuple[int | None, int | None]:
        probe = tuple(path)
        while probe:
            found = self._at.get(".".join(str(part) for part in probe))
            if isinstance(found, list) and len(found) == 2:
                return int(found[0]), int(found[1])
            probe = probe[:-1]
        return 1, 1

    def where_key(self, path: Path) -> tuple[int | None, int | None]:
        return self.where(path)


def _finding_to(finding: Finding) -> list[Any]:
    # Severity, enforcement and remediation belong to the rule, which the fingerprint fixes; findings
    # are stored before waivers are applied.
    return [finding.rule, finding.entry, finding.line, finding.column, finding.path, finding.message]


def _waiver_to(waiver: Waiver) -> list[Any]:
    return [waiver.rule, waiver.approved_by, waiver.ticket, waiver.expires, waiver.reason]


def record_of(entry: Entry, valid: bool, findings: list[Finding], waivers: list[Waiver]) -> list[Any] | None:
    """What the cache keeps of a judged entry: validity, the projection other entries' rules read, its
    locations, and its own findings and waivers. None for a file that did not load cleanly: such files
    are cheap to judge again and have nothing to project."""
    data = entry.data
    if entry.blob is None or data is None or entry.loaded.problems:
        return None
    projection = {key: data[key] for key in PROJECTED if key in data}
    if isinstance(data.get("data"), dict) and "categories" in data["data"]:
        projection["data"] = {"categories": data["data"]["categories"]}  # what data-flow-clearance reads
    at = {
        ".".join(str(p) for p in path): list(where)
        for path, where in entry.loaded.locations.items()
        if path and path[0] in LOCATED and (len(path) < 3 or path[2] in ("target", "data"))
    }
    return [
        valid,
        projection,
        at,
        [_finding_to(f) for f in findings],
        [_waiver_to(w) for w in waivers],
        [baseline.fingerprint(f, entry) for f in findings],
    ]


class Damaged(Exception):
    """A record's findings, parsed when first read, do not have the shape `record_of` gives them."""


def restore(path: str, record: Any, rules: dict[str, tuple[str, str, str]]) -> tuple[Loaded, CachedResult]:
    """The entry and result a record stands for: one `record_of` made, or one as the cache keeps it
    (`ResultCache.store`: its findings as JSON); TypeError or ValueError when it has neither shape. Kept
    findings are parsed when first read, and raise Damaged then if they do not have their shape."""
    if len(record) == 6:  # record_of's
        valid, projection, at, findings, waivers, fingerprints = record
        kept: Any = [findings, fingerprints]
    else:
        valid, projection, at, waivers, kept = record
        if not isinstance(kept, bytes | memoryview):
            raise TypeError("a record's findings are kept as JSON")
    if not isinstance(at, dict) or not isinstance(projection, dict):
        raise TypeError("a record's projection and locations are mappings")
    found = _Found(path, kept, rules)
    cached = CachedResult(
        bool(valid),
        _Lazy(found, 0),
        tuple(
            Waiver(str(rule), str(approver), None if ticket is None else str(ticket), str(expires), str(reason))
            for rule, approver, ticket, expires, reason in waivers
        ),
        _Lazy(found, 1),
    )
    return _CachedLoaded(value=projection, ok=True, at=at), cached


class _Found:
    """A cached entry's own findings and their baseline fingerprints, parsed from the kept JSON when
    first read: a check that already has their output (engine.run's `reuse`) never reads them, so it
    costs what changed, not what was found."""

    __slots__ = ("_kept", "_made", "_path", "_rules")

    def __init__(self, path: str, kept: Any, rules: dict[str, tuple[str, str, str]]) -> None:
        self._path, self._kept, self._rules = path, kept, rules  # kept: JSON, or the parsed [rows, fingerprints]
        self._made: tuple[tuple[Finding, ...], tuple[str, ...]] | None = None

    def made(self) -> tuple[tuple[Finding, ...], tuple[str, ...]]:
        if self._made is None:
            try:
                kept = self._kept
                rows, fingerprints = orjson.loads(kept) if isinstance(kept, bytes | memoryview) else kept
                if len(fingerprints) != len(rows) or not all(isinstance(f, str) for f in fingerprints):
                    raise ValueError("one fingerprint per finding")
                self._made = (tuple(self._finding(row) for row in rows), tuple(fingerprints))
            except (TypeError, ValueError, KeyError) as error:
                raise Damaged(f"{self._path}: {error}") from error
        return self._made

    def _finding(self, row: Any) -> Finding:
        if not isinstance(row, list) or len(row) != 6:
            raise ValueError("a finding is kept as its rule, entry, line, column, path and message")
        rule, entry, line, column, field_path, message = row
        severity, enforcement, remediation = self._rules[rule]  # an unknown rule: KeyError
        return Finding(
            str(rule),
            entry,
            file=self._path,
            line=line,
            column=column,
            path=field_path,
            severity=severity,
            enforcement=enforcement,
            message=str(message),
            remediation=remediation,
        )


class _Lazy(Sequence[Any]):
    """One of what `_Found` makes (its findings, or their fingerprints), made when first read."""

    __slots__ = ("_found", "_which")

    def __init__(self, found: _Found, which: int) -> None:
        self._found, self._which = found, which

    def _all(self) -> tuple[Any, ...]:
        return self._found.made()[self._which]

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Any, ...]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return self._all()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())


def _index_and_rest(body: memoryview) -> tuple[memoryview, memoryview]:
    """A cache body's JSON index line (with its line break) and the rest, as views; ValueError when it
    has no line break."""
    raw = body.obj  # the bytes read, of which `body` is the end (caching.read)
    assert isinstance(raw, bytes)
    start = len(raw) - len(body)
    end = raw.index(b"\n", start) + 1 - start
    return body[:end], body[end:]


class ResultCache:
    """One governance repo's cache file."""

    def __init__(
        self, path: FilePath, fingerprint: str, today: date, taken: dict[str, Signature] | None = None
    ) -> None:
        self.path = path
        self.taken = dict(taken or {})  # files' identities taken earlier in this run, before any was read
        self.header = {"format": FORMAT, "fingerprint": fingerprint, "today": today.isoformat()}
        self.records: dict[str, Any] = {}
        self.stats: dict[str, list[Any]] = {}  # path -> [*signature, blob id]
        self.baseline: list[Any] = []  # [blob id, rows]: the last baseline.yaml parsed
        self.hits = 0
        self.dirty = False
        self._started_ns = time.time_ns()
        self._load()

    @classmethod
    def for_repo(
        cls,
        repo: str | os.PathLike[str],
        source: Source,
        today: date,
        folder: FilePath | None = None,
        fingerprint: str | None = None,
        taken: dict[str, Signature] | None = None,
    ) -> ResultCache:
        return cls(caching.location(repo, folder), fingerprint or rules_fingerprint(source), today, taken)

    def _load(self) -> None:
        body = caching.read(self.path, self.header)
        if body is None:
            return
        try:
            index, findings = _index_and_rest(body)
            loaded = orjson.loads(index)
            if (
                isinstance(loaded, dict)
                and isinstance(loaded.get("records"), dict)
                and isinstance(loaded.get("stats"), dict)
            ):
                records = {}
                for key, (valid, projection, at, waivers, start, length) in loaded["records"].items():
                    if not (isinstance(start, int) and isinstance(length, int) and 0 <= start <= start + length):
                        raise ValueError("a record's findings lie within the file")
                    if start + length > len(findings):
                        raise ValueError("a record's findings lie within the file")
                    records[key] = [valid, projection, at, waivers, findings[start : start + length]]
                self.records, self.stats = records, loaded["stats"]
                baseline_rows = loaded.get("baseline")
                self.baseline = baseline_rows if isinstance(baseline_rows, list) and len(baseline_rows) == 2 else []
        except (ValueError, TypeError):
            self.records, self.stats = {}, {}

    @staticmethod
    def _key(path: str, blob: str) -> str:
        return f"{path}\0{blob}"

    def signature(self, source: WorkTree, path: str) -> Signature | None:
        """The identity of the file at `path`, taken before it is read: the one taken earlier in this run
        (for the run memo's key) if there was one, else the file system's now."""
        taken = self.taken.pop(path, None)
        return taken if taken is not None else source.signature(path)

    def known_blob(self, path: str, signature: Signature) -> str | None:
        """The blob id of the file at `path` if it is unchanged on disk since a run that read it."""
        known = self.stats.get(path)
        if not isinstance(known, list) or len(known) != len(signature) + 1 or tuple(known[:-1]) != signature:
            return None
        blob = known[-1]
        return blob if isinstance(blob, str) else None

    def note_blob(self, path: str, signature: Signature, blob: str) -> None:
        """Keep the identity `signature` (taken before the file was read) of the file read as `blob`."""
        _, mtime, ctime, _, _ = signature
        if max(mtime, ctime) >= self._started_ns - RACY_NS:
            self.stats.pop(path, None)  # racy: it could change again unseen within its clock tick
            return
        known = self.stats.get(path)
        if known is None or known != [*signature, blob]:
            self.stats[path] = [*signature, blob]
            self.dirty = True

    def get(self, path: str, blob: str, rules: dict[str, tuple[str, str, str]]) -> tuple[Loaded, CachedResult] | None:
        """The cached result of this file, or None. `rules` gives each rule id's severity,
        enforcement and remediation."""
        record = self.records.get(self._key(path, blob))
        if record is None:
            return None
        try:
            restored = restore(path, record, rules)
        except (KeyError, TypeError, ValueError, AttributeError):
            self.drop()  # a record of the wrong shape: trust none of them
            return None
        self.hits += 1
        return restored

    def drop(self) -> None:
        """Trust none of the records (one had the wrong shape), nor the files' identities; the cache is
        rebuilt from what this run judges."""
        self.records, self.stats = {}, {}
        self.dirty = True

    def baseline_rows(self, blob: str) -> list[Any] | None:
        """The rows of the baseline.yaml whose blob id is `blob`, if it was parsed before."""
        if self.baseline and self.baseline[0] == blob and isinstance(self.baseline[1], list):
            rows: list[Any] = self.baseline[1]
            return rows
        return None

    def keep_baseline_rows(self, blob: str, rows: list[Any]) -> None:
        self.baseline = [blob, rows]
        self.dirty = True

    def put(self, entry: Entry, valid: bool, findings: list[Finding], waivers: list[Waiver]) -> None:
        record = record_of(entry, valid, findings, waivers)
        if record is not None and entry.blob is not None:
            self.store(entry.file, entry.blob, record)

    def store(self, path: str, blob: str, record: list[Any]) -> None:
        """Keep a record made by `record_of` (perhaps in another process) for the file `path` as `blob`:
        its findings and their fingerprints as JSON, the rest as it is."""
        valid, projection, at, findings, waivers, fingerprints = record
        try:
            kept = orjson.dumps([findings, fingerprints])
        except TypeError:  # a value JSON cannot hold: judged again next time
            return
        self.records[self._key(path, blob)] = [valid, projection, at, waivers, kept]
        self.dirty = True

    def save(self) -> None:
        """Write atomically; a cache that cannot be written is only a slower next run."""
        if not self.dirty:
            return
        records = self.records
        if len(records) > MAX_RECORDS:
            records = dict(list(records.items())[-MAX_RECORDS:])
        stats = self.stats
        if len(stats) > MAX_RECORDS:
            stats = dict(list(stats.items())[-MAX_RECORDS:])
        index: dict[str, list[Any]] = {}
        findings: list[bytes | memoryview] = []
        offset = 0
        for key, (valid, projection, at, waivers, kept) in records.items():
            index[key] = [valid, projection, at, waivers, offset, len(kept)]
            findings.append(kept)
            offset += len(kept)
        try:
            # orjson: the same compact JSON as the standard library's, written six times as fast (0.02
            # against 0.12 s for 10,000 records); every run that judged a file writes the whole cache.
            listed = orjson.dumps({"records": index, "stats": stats, "baseline": self.baseline}) + b"\n"
        except TypeError:  # a value JSON cannot hold (an integer past 64 bits): only a slower next run
            return
        caching.write(self.path, self.header, [listed, *findings])  # the kept findings as they were read


class RunMemo:
    """The output of the last check whose every input was unchanged on disk, beside the cache file.

    A warm check of a catalog nobody edited then prints it without loading the result cache: at
    10,000 entries with 40,000 findings, restoring and rendering every finding is most of a second.
    The key holds the rules' fingerprint (organisation file, policies, martechgate's code), the day,
    the options that shape the output, and each input file's size, times, inode and device (as the
    result cache trusts them, and only when none changed within RACY_NS of the run): any edit, new or
    removed file makes another key, and the check runs.
    """

    def __init__(self, cache_file: FilePath) -> None:
        self.path = cache_file.with_name(cache_file.stem + ".last.json")

    @staticmethod
    def key(
        source: Source,
        files: list[str],
        fingerprint: str,
        today: date,
        options: list[Any],
        seen: dict[str, Signature] | None = None,
    ) -> str | None:
        """The run's key, or None when an input cannot be trusted unchanged by its identity. Each file's
        identity is added to `seen`, for the result cache to use rather than ask the file system again."""
        if not isinstance(source, WorkTree):
            return None
        started = time.time_ns()
        identities: list[Any] = []
        for path in files:
            signature = source.signature(path)
            if signature is not None and seen is not None:
                seen[path] = signature
            if signature is None or max(signature[1], signature[2]) >= started - RACY_NS:
                return None
            identities.append([path, *signature])
        text = json.dumps([FORMAT, fingerprint, today.isoformat(), options, identities], separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str) -> MemoHit | None:
        """The kept output of the run with this key, read only when it is written out."""
        try:
            with self.path.open("rb") as handle:
                line = handle.readline(4096)
            header = json.loads(line)
            size = self.path.stat().st_size
        except (OSError, ValueError, UnicodeDecodeError):
            return None
        if not isinstance(header, dict) or header.get("key") != key:
            return None
        start, shown, plain, code = len(line), header.get("shown"), header.get("plain"), header.get("exit")
        if not (isinstance(shown, int) and isinstance(plain, int) and shown >= 0 and plain >= 0) or code not in (0, 1):
            return None
        if start + shown + plain != size:
            return None  # cut short or grown: not what was kept
        hit = MemoHit(self.path, start, shown, plain, code)
        return hit if hit.digest() == header.get("crc32") else None  # checked as the result cache is

    def put(self, key: str, shown: Sequence[Piece], plain: Sequence[Piece] | None, code: int) -> None:
        """Keep this run's output, in UTF-8 pieces (the plain text only when it differs: else None); a
        memo that cannot be written is only a slower next run."""
        pieces = [*shown, *(plain or ())]
        shown_size = sum(len(piece) for piece in shown)
        plain_size = sum(len(piece) for piece in plain or ())
        header = {
            "key": key,
            "exit": code,
            "shown": shown_size,
            "plain": plain_size,
            "crc32": caching.checksum(*pieces),
        }
        line = json.dumps(header).encode() + b"\n"  # the output starts after it
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic.replace(self.path, [line, *pieces], durable=False)
        except OSError:
            return


@dataclass(frozen=True)
class MemoHit:
    """A kept output in the memo file: copied out in chunks, so a 20 MB report costs no memory."""

    path: FilePath
    start: int
    shown: int
    plain: int
    code: int

    def digest(self) -> str | None:
        value = 0
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.start)
                while chunk := handle.read(1 << 20):
                    value = zlib.crc32(chunk, value)
        except OSError:
            return None
        return f"{value:08x}"  # caching.checksum, read in chunks

    def copy_shown(self, out: BinaryIO) -> None:
        self._copy(out, self.start, self.shown)

    def plain_text(self) -> str:
        """The output as written to a file (only asked with --output)."""
        offset, length = (self.start + self.shown, self.plain) if self.plain else (self.start, self.shown)
        with self.path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(length).decode()

    def _copy(self, out: BinaryIO, offset: int, length: int) -> None:
        with self.path.open("rb") as handle:
            handle.seek(offset)
            while length > 0:
                chunk = handle.read(min(length, 1 << 20))
                if not chunk:
                    break
                out.write(chunk)
                length -= len(chunk)
        out.flush()


PARTS_FORMAT = "martechgate-parts/2"  # 2: CRC-32


Piece = bytes | memoryview  # of UTF-8 text


@dataclass(frozen=True)
class Part:
    """One catalog file's part of the text output: its findings rendered as UTF-8 (with colour when
    asked; `plain` is None when that is the same text), and how many there are and block."""

    key: str
    shown: Piece
    plain: Piece | None
    blocking: int
    count: int


class OutputParts:
    """Each catalog file's part of the text output of the last check, beside the cache file.

    After an edit, a file whose part is kept is neither restored nor rendered again (engine.run's
    `reuse`), so the check costs what changed, not what was found. A part stands while everything its
    file's findings and their rendering depend on is the same: the file's content (its blob id) and its
    findings of rules comparing entries, which the part's key holds; the rules (organisation file,
    policies, martechgate's code), the day, the baseline and the colouring, which the file's header
    holds, or the whole file is ignored.

    The file is a JSON header (with a checksum of the rest), a JSON index (file -> key, where its text
    starts, the lengths of its shown and plain text, its counts) and the texts, as UTF-8 bytes: at
    40,000 findings the texts are 20 MB, which JSON would escape and unescape for nothing."""

    def __init__(self, cache_file: FilePath, fingerprint: str, today: date, color: bool, known: baseline.Baseline):
        self.path = cache_file.with_name(cache_file.stem + ".parts")
        self.header = {
            "format": PARTS_FORMAT,
            "fingerprint": fingerprint,
            "today": today.isoformat(),
            "color": color,
            "baseline": hashlib.sha256(repr(known.items).encode()).hexdigest(),
        }
        self.index: dict[str, list[Any]] = {}  # the last run's
        self.texts = memoryview(b"")  # its parts' texts: a kept part is a slice of them, never copied
        self.kept: dict[str, Part] = {}  # this run's parts, those taken from the last run's and those rendered
        self._keys: dict[str, str] = {}  # the files whose part is to be rendered, with the key it will have
        self._load()

    def _load(self) -> None:
        body = caching.read(self.path, self.header)  # None for other rules, day, baseline or colouring
        if body is None:
            return
        try:
            listed, texts = _index_and_rest(body)
            index = orjson.loads(listed)
        except ValueError:
            return
        if isinstance(index, dict) and all(_is_part(value, len(texts)) for value in index.values()):
            self.index, self.texts = index, texts

    @staticmethod
    def key(entry: Entry, compared: list[Finding]) -> str:
        # The blob id, and the findings of rules comparing entries, every field in the order the rules
        # gave them (most entries have none: no hashing for them). The path is the part's own name.
        if not compared:
            return str(entry.blob)
        return f"{entry.blob} " + hashlib.sha256(repr(compared).encode()).hexdigest()

    def reusable(self, entry: Entry, compared: list[Finding]) -> bool:
        """Whether this run can take the entry's part as the last run kept it (then it is kept again)."""
        key = self.key(entry, compared)
        known = self.index.get(entry.file)
        if known is not None and known[0] == key:
            _, start, shown, plain, blocking, count = known
            middle = start + shown
            self.kept[entry.file] = Part(
                key, self.texts[start:middle], self.texts[middle : middle + plain] if plain else None, blocking, count
            )
            return True
        self._keys[entry.file] = key
        return False

    def put(self, file: str, shown: Piece, plain: Piece | None, blocking: int, count: int) -> None:
        """Keep the part just rendered of a file that `reusable` was asked about (no other is kept)."""
        key = self._keys.get(file)
        if key is not None:
            self.kept[file] = Part(key, shown, plain, blocking, count)

    def save(self, files: Collection[str]) -> None:
        """Write the parts of the catalog's `files`: this run's, or for a file outside its scope the last
        run's (its key is checked when it is next asked for). Atomically; parts that cannot be written
        are only a slower next run."""
        index: dict[str, list[Any]] = {}
        chunks: list[Piece] = []
        offset = 0
        for file in sorted(files):
            part = self.kept.get(file)
            if part is not None:
                key, shown, plain, blocking, count = part.key, part.shown, part.plain or b"", part.blocking, part.count
            elif file in self.index and file not in self._keys:
                key, start, shown_length, plain_length, blocking, count = self.index[file]
                middle = start + shown_length
                shown, plain = self.texts[start:middle], self.texts[middle : middle + plain_length]
            else:
                continue
            index[file] = [key, offset, len(shown), len(plain), blocking, count]
            chunks += (shown, plain)
            offset += len(shown) + len(plain)
        caching.write(self.path, self.header, [orjson.dumps(index) + b"\n", *chunks])


def _is_part(value: Any, size: int) -> bool:
    if not (isinstance(value, list) and len(value) == 6 and isinstance(value[0], str)):
        return False
    numbers = value[1:]
    if not all(isinstance(number, int) and not isinstance(number, bool) and number >= 0 for number in numbers):
        return False
    start, shown, plain = numbers[:3]
    return bool(start + shown + plain <= size)


def run_memo(
    repo: str | os.PathLike[str], source: Source, today: date, folder: FilePath | None, options: list[Any]
) -> tuple[RunMemo, str | None, str, dict[str, Signature]]:
    """The repo's run memo, this run's key (None when an input cannot be trusted by its identity),
    the rules' fingerprint and the files' identities (for the result cache, so neither the rules nor
    the files' identities are read twice)."""
    fingerprint = rules_fingerprint(source)
    files = source.list_yaml(CATALOG_DIR, recursive=True)
    if source.exists(BASELINE_FILE):
        files.append(BASELINE_FILE)
    memo = RunMemo(caching.location(repo, folder))
    seen: dict[str, Signature] = {}
    return memo, RunMemo.key(source, files, fingerprint, today, options, seen), fingerprint, seen
