"""Writing the site into OUT without ever leaving half a site, or losing a file that is not ours.

The site is built in a temporary folder beside OUT (same file system, so renames are atomic), then
swapped in. OUT may be new, empty, or a site this command wrote before, known by its marker file,
which also lists the files the site wrote: anything else a person put there (a CNAME for GitHub
Pages, a .git folder) is moved into the new site, never deleted.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from martechgate import __version__
from martechgate.errors import UsageError

MARKER = ".martechgate-site.json"


def _written_before(out: Path) -> set[str] | None:
    """The files a previous build wrote (relative, with /), or None if OUT is not such a site."""
    try:
        marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = marker.get("files") if isinstance(marker, dict) and marker.get("generator") == "martechgate" else None
    return {f for f in files if isinstance(f, str)} if isinstance(files, list) else None


def _check_target(out: Path) -> set[str]:
    if out.exists() and not out.is_dir():
        raise UsageError(
            f"{out} is a file, not a folder; nothing was written", hint="Name a new or empty folder for the site."
        )
    if not out.exists() or not any(out.iterdir()):
        return set()
    previous = _written_before(out)
    if previous is None:
        raise UsageError(
            f"{out} is not empty and holds no site written by martechgate (no {MARKER}); nothing was written there",
            hint="Name a new or empty folder, or the folder of a site martechgate built before.",
        )
    return previous


def _unrelated(old: Path, ours: set[str], relative: str = "") -> list[str]:
    """Paths in `old` that a previous build did not write: whole folders where nothing inside is ours."""
    found = []
    for item in sorted(os.scandir(old / relative) if relative else os.scandir(old), key=lambda e: e.name):
        path = f"{relative}{item.name}"
        if path in ours or path == MARKER:
            continue
        if item.is_dir(follow_symlinks=False) and any(f.startswith(path + "/") for f in ours):
            found.extend(_unrelated(old, ours, path + "/"))
        else:
            found.append(path)
    return found


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def write_site(out: Path, render: Callable[[Path], None]) -> list[str]:
    """Call `render(folder)` to fill a fresh folder, then make it OUT. Returns the files written."""
    out = Path(out).resolve()  # a link to the site folder: replace the folder, keep the link
    previous = _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    # mkdtemp makes a private (0700) folder; a site is read by web servers running as someone else.
    building.chmod(out.stat().st_mode & 0o7777 if out.exists() else 0o777 & ~_umask())
    moved: list[str] = []  # the person's files, moved from OUT into the new site
    try:
        render(building)
        written = _files(building)
        (building / MARKER).write_text(
            json.dumps({"generator": "martechgate", "version": __version__, "files": written}, indent=1) + "\n",
            encoding="utf-8",
        )
        keep = _unrelated(out, previous) if out.exists() else []
        clash = next((path for path in keep if (building / path).exists()), None)
        if clash is not None:
            raise UsageError(
                f"{out / clash} was not written by martechgate, and the new site has a file "
                "of that name; nothing was changed",
                hint="Move that file out of the site folder, then build again.",
            )
        for path in keep:
            (building / path).parent.mkdir(parents=True, exist_ok=True)
            os.rename(out / path, building / path)
            moved.append(path)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, retired / "site")
            try:
                os.rename(building, out)
            except OSError:
                os.rename(retired / "site", out)  # put the old site back as it was
                raise
            # The new site is in place; an old file that will not go is not worth failing for.
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.rename(building, out)
    except BaseException:
        if building.exists():
            # Return what we moved in before giving up, so nothing of the person's is lost.
            for path in moved:
                if out.is_dir() and not (out / path).exists():
                    (out / path).parent.mkdir(parents=True, exist_ok=True)
                    os.rename(building / path, out / path)
            shutil.rmtree(building, ignore_errors=True)
        raise
    return written
