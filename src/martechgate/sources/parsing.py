"""Parsing many versions of catalog files on every core: `history` and the audit read thousands.

Here and not beside the check's own workers (check/parallel.py) so that reading history does not
import the rules and the engine.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from martechgate.sources.yamlload import Loaded, load_bytes

# A version parses in about 0.3 ms and comes back from a worker in 0.1 ms, so workers pay off only
# for many.
MIN_BLOBS = 1000
CHUNK = 200
START_METHOD: str | None = None  # the platform's own: fork on Linux, spawn on macOS and Windows


def available_cores() -> int:
    """The cores this process may run on (a CI runner's container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def parse_all(blobs: Mapping[str, bytes], jobs: int) -> Iterator[tuple[str, Loaded]]:
    """Each blob's id and its parse (load_bytes), in the mapping's order: in `jobs` processes when there
    are many (history and the audit read thousands of versions), else here; the same either way. The
    workers start at the first request and run ahead of it, so a caller that judges each version as it
    comes works while the rest are parsed."""
    items = list(blobs.items())
    done = 0
    if jobs > 1 and len(items) >= MIN_BLOBS:
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(START_METHOD)) as pool:
                for loaded in pool.map(load_bytes, [data for _, data in items], chunksize=CHUNK):
                    yield items[done][0], loaded
                    done += 1
        except (OSError, BrokenProcessPool):
            pass  # processes cannot be started or were lost: the rest are parsed here, slower, never lost
    for blob, data in items[done:]:
        yield blob, load_bytes(data)
