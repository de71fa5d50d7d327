"""Parsed versions of catalog files, by git blob id, kept between runs.

A blob id names its content: the same id is the same bytes in any commit and on any branch, so what it
parses to (the values, or the first problem) changes only with martechgate's own code. `history` of a
tool reads hundreds of its versions; parsing them was most of its time (bench/bench_history.py).

Kept as the result cache is (check/cache.py, caching.py): outside the governance repo, as JSON (loading it runs
nothing) whose header carries a checksum of the body and the fingerprint of martechgate's code; a file
that is not as expected is ignored whole. A value is kept only if JSON gives it back exactly as it was
(not a NaN, an integer past 64 bits, a mapping keyed by a number): any other is parsed again each run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from martechgate import caching

FORMAT = "martechgate-versions/2"  # 2: CRC-32
MAX_VERSIONS = 20_000  # about 30 MB of JSON at the bench's 1.5 KB a version
Parsed = tuple[Any, str | None]  # a version's value, or None and its first problem (history.value_of)


class VersionCache:
    """One governance repo's parsed versions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header = {"format": FORMAT, "code": caching.code_fingerprint()}
        self.versions: dict[str, list[Any]] = {}
        self.used: set[str] = set()
        self.dirty = False
        self._load()

    @classmethod
    def for_repo(cls, repo: str | os.PathLike[str], folder: Path | None = None) -> VersionCache:
        return cls(caching.location(repo, folder, "versions"))

    def _load(self) -> None:
        body = caching.read(self.path, self.header)  # None for another version of martechgate
        if body is None:
            return
        try:
            loaded = orjson.loads(body)
        except ValueError:
            return
        if isinstance(loaded, dict) and all(_well_formed(record) for record in loaded.values()):
            self.versions = loaded

    def get(self, blob: str) -> Parsed | None:
        record = self.versions.get(blob)
        if record is None:
            return None
        self.used.add(blob)
        return record[0], record[1]

    def put(self, blob: str, parsed: Parsed) -> None:
        record = [parsed[0], parsed[1]]
        try:
            if orjson.loads(orjson.dumps(record)) != record:
                return  # JSON would give back another value (a NaN): parsed again next time
        except TypeError:
            return  # JSON cannot hold it (an integer past 64 bits, a key that is not text)
        self.versions[blob] = record
        self.used.add(blob)
        self.dirty = True

    def save(self) -> None:
        """Write atomically, with the versions this run used last: when it is full, those used longest
        ago go first. A cache that cannot be written is only a slower next run."""
        if not self.dirty:
            return
        kept = {blob: record for blob, record in self.versions.items() if blob not in self.used}
        kept.update((blob, self.versions[blob]) for blob in self.versions if blob in self.used)
        if len(kept) > MAX_VERSIONS:
            kept = dict(list(kept.items())[-MAX_VERSIONS:])
        caching.write(self.path, self.header, [orjson.dumps(kept)])


def _well_formed(record: Any) -> bool:
    return isinstance(record, list) and len(record) == 2 and (record[1] is None or isinstance(record[1], str))
