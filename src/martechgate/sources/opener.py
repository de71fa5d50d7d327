"""Opening a governance repo as a source: its working tree, or the repo at a git revision.

Here, not in repo.py, because it is the one place that knows both readers: the revision reader
builds on repo.py, so repo.py cannot import it back.
"""

from __future__ import annotations

import os

from martechgate.sources.repo import Source, WorkTree


def open_source(repo: str | os.PathLike[str], rev: str | None = None) -> Source:
    """The working tree of `repo`, or `repo` as it was at git revision `rev`."""
    if rev is None:
        return WorkTree(repo)
    from martechgate.sources.revision import GitRevision  # a check of the working tree never needs git

    return GitRevision(repo, rev)
