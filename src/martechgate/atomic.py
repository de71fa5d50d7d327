"""Writing a file all at once: a reader, a crash or a failed write never leaves half a file, and a
failure leaves nothing behind.

The bytes go to a hidden temporary file beside the target and are flushed to disk; only then does
the file get its name. A new file gets the mode the user's umask gives any new file (the temporary
file is private until then); a file written over keeps its mode.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it, so put it straight back
    os.umask(mask)
    return mask


# What may be written: text (as UTF-8), bytes, or bytes in pieces (written one after the other, so a
# file made of parts kept elsewhere is never joined in memory first).
Data = str | bytes | Sequence[bytes | memoryview]


def _encode(data: Data) -> Sequence[bytes | memoryview]:
    if isinstance(data, str):
        return [data.encode("utf-8")]
    return [data] if isinstance(data, bytes) else data


def _write(
    path: Path, data: Sequence[bytes | memoryview], mode: int, name: Callable[[str], bool], durable: bool = True
) -> bool:
    """Write `data` to a temporary file beside `path` with `mode`, then let `name` give it its name
    (False: it did not, and nothing changed). The temporary file never outlives the call."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            for piece in data:
                out.write(piece)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.chmod(temporary, mode)
        return name(temporary)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def replace(path: str | os.PathLike[str], data: Data, *, durable: bool = True) -> None:
    """Write `data` (text as UTF-8) to `path`, over the file there if there is one (keeping its mode).
    A device or a pipe there is written to as it is (it cannot be written all at once). Not `durable`:
    not flushed to the disk before it is named (a cache: after a crash its checksum finds it damaged,
    and it is only a slower run).

    Raises OSError when it cannot; then a file at `path` is as it was.
    """
    target = Path(path)
    try:
        status = os.stat(target)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    else:
        if not stat.S_ISREG(status.st_mode) and not stat.S_ISDIR(status.st_mode):
            # A device or a pipe (-o /dev/stdout, /dev/null, a FIFO) is written to, never replaced by a
            # file: renamed over /dev/null by root, a report would have taken its place.
            with open(target, "wb") as out:
                for piece in _encode(data):
                    out.write(piece)
            return
        mode = status.st_mode & 0o7777

    def rename(temporary: str) -> bool:
        os.replace(temporary, target)
        return True

    _write(target, _encode(data), mode, rename, durable)


def write_new(path: str | os.PathLike[str], data: Data) -> bool:
    """Write `data` (text as UTF-8) to `path` unless `path` exists (then False, and nothing changes).

    A hard link gives the bytes their name, which fails rather than replaces when the name is taken,
    so not even a race overwrites a file. On a file system without hard links, a rename after a check.
    Raises OSError when it cannot write.
    """
    target = Path(path)
    return _write(target, _encode(data), 0o666 & ~_umask(), lambda temporary: _link(temporary, target))


def _link(temporary: str, target: Path) -> bool:
    try:
        os.link(temporary, target)
    except FileExistsError:
        return False
    except OSError:
        if target.exists():
            return False
        os.replace(temporary, target)
    return True


def write_new_all(files: Sequence[tuple[Path, str | bytes]]) -> list[bool]:
    """`write_new` for many files at once: for each, True when written, False when its path exists.

    Every file's bytes reach the disk before any of them gets its name, as with `write_new`, but with
    one flush for all of them: a sync per file made the disk, not the work, the limit of an import of
    thousands of entries. Raises OSError when it cannot write; then no file has been named.
    """
    mode = 0o666 & ~_umask()
    temporaries: list[str] = []
    try:
        for path, data in files:
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temporaries.append(temporary)
            with os.fdopen(handle, "wb") as out:
                for piece in _encode(data):
                    out.write(piece)
            os.chmod(temporary, mode)
        if hasattr(os, "sync"):
            os.sync()
        else:  # pragma: no cover - Windows has no sync(); flush each file instead
            for temporary in temporaries:
                with open(temporary, "rb+") as out:
                    os.fsync(out.fileno())
        return [_link(temporary, path) for temporary, (path, _) in zip(temporaries, files, strict=True)]
    finally:
        for temporary in temporaries:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
