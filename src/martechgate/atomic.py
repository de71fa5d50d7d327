"""Writing a new file all at once, never over an existing one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_new(path: Path, text: str) -> bool:
    """Write `text` to `path` unless `path` exists (then False, and nothing changes).

    The bytes go to a hidden temporary file beside it; a hard link then gives them their name, which
    fails rather than replaces when the name is taken, so neither a crash nor a race leaves a half
    file or overwrites one. On a file system without hard links, a rename after a check.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:
            if path.exists():
                return False
            os.replace(temporary, path)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
