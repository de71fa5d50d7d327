"""Where martechgate keeps what it worked out in earlier runs, and what makes it stale.

Every cache lives outside the governance repo it belongs to: a pull request could otherwise commit one
that hides its findings. Each is tied to the fingerprint of martechgate's own code, so a changed rule
or parser never reuses results of the old one. (check/cache.py keeps the results of a check;
audit/versions.py the parsed versions `history` reads.)
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from martechgate import __version__, atomic
from martechgate.errors import UsageError


def default_dir() -> Path:
    configured = os.environ.get("MARTECHGATE_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "martechgate"


def code_fingerprint() -> str:
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


def location(repo: str | os.PathLike[str], folder: Path | None = None, kind: str = "") -> Path:
    """The cache file of a governance repo, outside it: the check's results, or another `kind`."""
    root = os.path.realpath(repo)
    folder = folder or default_dir()
    real_folder = os.path.realpath(folder)
    if real_folder == root or real_folder.startswith(root + os.sep):
        raise UsageError(
            f"the cache folder {folder} is inside the governance repo, where a pull request "
            "could commit results that hide its findings",
            hint="Choose a folder outside the repo (--cache-dir or MARTECHGATE_CACHE_DIR), or run with --no-cache.",
        )
    suffix = f".{kind}.json" if kind else ".json"
    return folder / f"{hashlib.sha256(root.encode()).hexdigest()[:24]}{suffix}"


def checksum(*pieces: bytes | memoryview) -> str:
    """CRC-32 of the pieces, one after the other: what a cache's header carries to find the file cut
    short or damaged. Not a defence against a forgery (whoever can write the cache can write its
    checksum too: the cache folder is the user's own), so the cheapest that finds damage: four times
    as fast as SHA-256 here, and a warm check reads and writes 40 MB of caches at 40,000 findings."""
    value = 0
    for piece in pieces:
        value = zlib.crc32(piece, value)
    return f"{value:08x}"


def read(path: Path, header: dict[str, Any]) -> memoryview | None:
    """The body of the cache file at `path`, as a view of the bytes read (tens of megabytes are never
    copied), or None when it cannot be read, is damaged (its checksum) or was written under another
    `header` (another format, code, rules or day): a cache like that is only a slower run."""
    try:
        raw = path.read_bytes()
        end = raw.index(b"\n")
        found = json.loads(raw[:end])
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    body = memoryview(raw)[end + 1 :]
    if not isinstance(found, dict) or found.get("crc32") != checksum(body):
        return None  # damaged or cut short
    if {key: found.get(key) for key in header} != header:
        return None  # foreign
    return body


def write(path: Path, header: dict[str, Any], body: Sequence[bytes | memoryview]) -> None:
    """Write a cache file: `header` with the checksum of `body`, then `body`'s pieces one after the
    other, all at once but not flushed to the disk (after a crash, the checksum finds it damaged). One
    that cannot be written is only a slower next run."""
    line = json.dumps({**header, "crc32": checksum(*body)}).encode() + b"\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.replace(path, [line, *body], durable=False)
    except OSError:
        return
