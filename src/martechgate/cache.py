"""Results of earlier runs, by file content, so an unchanged file is never parsed or judged twice.

A record is keyed by the file's path and git blob id; the whole cache belongs to one fingerprint of
the rules (organisation file, policies, martechgate's own code) and one day (policies read dates
relative to today). Anything else, and the cache is ignored and rebuilt.

Never trusted: the cache lives outside the governance repo (a pull request could otherwise commit a
forged one that hides its findings), it is JSON (never pickle: loading it runs nothing), its body
carries a checksum, and a record that does not have the expected shape drops the whole cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from martechgate import __version__
from martechgate.model import CachedResult, Entry, Finding
from martechgate.repo import ORG_FILE, POLICIES_DIR, Source
from martechgate.yamlload import Loaded

FORMAT = "martechgate-cache/1"
MAX_RECORDS = 50_000
# The fields rules comparing entries read (duplicate-id, unknown-reference, data-flow-clearance) and
# waivers (exceptions, owners): a cached entry keeps only these, with their locations.
PROJECTED = ("id", "category", "alternative", "status", "integrations", "data", "owners", "exceptions")


def default_dir() -> Path:
    configured = os.environ.get("MARTECHGATE_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "martechgate"


def _code_fingerprint() -> str:
    """martechgate's own code and schemas: a changed rule must not reuse results of the old one."""
    digest = hashlib.sha256(__version__.encode())
    package = resources.files("martechgate")
    stack = [package]
    while stack:
        folder = stack.pop()
        for item in sorted(folder.iterdir(), key=lambda t: t.name):
            if item.is_dir():
                if item.name != "__pycache__":
                    stack.append(item)
            elif item.name.endswith((".py", ".json")):
                digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()


def rules_fingerprint(source: Source) -> str:
    digest = hashlib.sha256(_code_fingerprint().encode())
    for path in [ORG_FILE, *source.list_yaml(POLICIES_DIR)]:
        file = source.read(path)
        digest.update(f"{path}\0{file.blob}\0".encode())
    return digest.hexdigest()


def _finding_from(raw: dict[str, Any]) -> Finding:
    return Finding(rule=str(raw["rule"]), entry=raw["entry"], file=raw["file"], line=raw["line"],
                   column=raw["column"], path=raw["path"], severity=str(raw["severity"]),
                   enforcement=str(raw["enforcement"]), message=str(raw["message"]),
                   remediation=str(raw["remediation"]))


def _finding_to(finding: Finding) -> dict[str, Any]:
    raw = finding.to_dict()
    for derived in ("blocking", "waived_by"):  # findings are stored before waivers are applied
        raw.pop(derived)
    return raw


class ResultCache:
    """One governance repo's cache file."""

    def __init__(self, path: Path, fingerprint: str, today: date) -> None:
        self.path = path
        self.header = {"format": FORMAT, "fingerprint": fingerprint, "today": today.isoformat()}
        self.records: dict[str, Any] = {}
        self.hits = 0
        self.dirty = False
        self._load()

    @classmethod
    def for_repo(cls, repo: str | os.PathLike[str], source: Source, today: date,
                 folder: Path | None = None) -> ResultCache:
        name = hashlib.sha256(os.path.realpath(repo).encode()).hexdigest()[:24]
        return cls((folder or default_dir()) / f"{name}.json", rules_fingerprint(source), today)

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
            head, _, body = raw.partition(b"\n")
            header = json.loads(head)
            if not isinstance(header, dict) or header.get("sha256") != hashlib.sha256(body).hexdigest():
                return  # corrupt or truncated
            if {k: header.get(k) for k in self.header} != self.header:
                return  # another version, other rules or another day: foreign
            records = json.loads(body)
            if isinstance(records, dict):
                self.records = records
        except (OSError, ValueError, UnicodeDecodeError):
            self.records = {}

    @staticmethod
    def _key(path: str, blob: str) -> str:
        return f"{path}\0{blob}"

    def get(self, path: str, blob: str) -> tuple[Loaded, CachedResult] | None:
        record = self.records.get(self._key(path, blob))
        if record is None:
            return None
        try:
            loaded = Loaded(value=record["projection"], ok=True,
                            locations={tuple(p): (int(line), int(column)) for p, line, column in record["at"]},
                            key_locations={tuple(p): (int(line), int(column)) for p, line, column in record["key_at"]})
            cached = CachedResult(bool(record["valid"]), tuple(_finding_from(f) for f in record["findings"]))
        except (KeyError, TypeError, ValueError):
            self.records = {}  # a record of the wrong shape: trust none of them
            return None
        if not isinstance(loaded.value, dict):
            self.records = {}
            return None
        self.hits += 1
        return loaded, cached

    def put(self, entry: Entry, valid: bool, findings: list[Finding]) -> None:
        data = entry.data
        if entry.blob is None or data is None or entry.loaded.problems:
            return  # unreadable files are cheap to judge again and have nothing to project
        projection = {key: data[key] for key in PROJECTED if key in data}
        self.records[self._key(entry.file, entry.blob)] = {
            "valid": valid,
            "findings": [_finding_to(f) for f in findings],
            "projection": projection,
            "at": [[list(p), *at] for p, at in entry.loaded.locations.items() if p and p[0] in projection],
            "key_at": [[list(p), *at] for p, at in entry.loaded.key_locations.items() if p[0] in projection],
        }
        self.dirty = True

    def save(self) -> None:
        """Write atomically; a cache that cannot be written is only a slower next run."""
        if not self.dirty:
            return
        records = self.records
        if len(records) > MAX_RECORDS:
            records = dict(list(records.items())[-MAX_RECORDS:])
        body = json.dumps(records, separators=(",", ":")).encode()
        header = json.dumps({**self.header, "sha256": hashlib.sha256(body).hexdigest()}).encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(header + b"\n" + body)
            os.replace(temporary, self.path)
        except OSError:
            return
