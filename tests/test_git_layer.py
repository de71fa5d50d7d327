"""One git layer: sources/git.py is the only module that imports a git library or starts a process."""

from __future__ import annotations

import gc
import os
import re
from pathlib import Path

import pytest

from martechgate.sources.git import Git, is_refused_name, path_text
from tests.conftest import GovRepo

SRC = Path(__file__).resolve().parent.parent / "src" / "martechgate"
LAYER = SRC / "sources" / "git.py"
# Importing a git library, or anything that starts a process (git included).
FORBIDDEN = re.compile(
    r"^\s*(?:import|from)\s+(?:git|gitdb|pygit2|dulwich|subprocess|pexpect|sh)\b"
    r"|\bos\.(?:system|popen|exec\w*|spawn\w*|posix_spawn\w*)\s*\(",
    re.MULTILINE,
)


def test_only_the_git_layer_runs_git() -> None:
    offenders = [
        f"{path.relative_to(SRC)}: {match.group(0).strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path != LAYER
        for match in FORBIDDEN.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_check_can_fail() -> None:
    """The pattern catches what it is for (so the test above cannot pass vacuously)."""
    for line in ("import subprocess", "from git import Repo", "import git", "os.system('git log')", "  import pygit2"):
        assert FORBIDDEN.search(line), line
    for line in ("import gitignore_parser_not", "from martechgate.sources.git import Git", "# run git here"):
        assert not FORBIDDEN.search(line), line
    assert FORBIDDEN.search(LAYER.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"catalog/hubspot.yaml", "catalog/hubspot.yaml"),
        (b"catalog/caf\xc3\xa9.yaml", "catalog/caf\u00e9.yaml"),  # UTF-8 is kept as it is
        (b"catalog/caf\xe9.yaml", "catalog/caf\\xe9.yaml"),
        (b"catalog/a\nb.yaml", "catalog/a\\nb.yaml"),
        (b"catalog/a\tb.yaml", "catalog/a\\tb.yaml"),
        (b"catalog/a\x1b[2Kb.yaml", "catalog/a\\x1b[2Kb.yaml"),
        (b"catalog/a\\b.yaml", "catalog/a\\\\b.yaml"),
        ("catalog/evil\u202eLMTH.yaml".encode(), "catalog/evil\\u202eLMTH.yaml"),
    ],
)
def test_names_from_git_are_escaped_once(raw: bytes, shown: str) -> None:
    assert path_text(raw) == shown
    assert is_refused_name(shown) == (shown != raw.decode("utf-8", "replace"))


def test_git_outside_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    from martechgate.errors import RepoError

    with pytest.raises(RepoError, match="not inside a git repository"):
        Git(tmp_path)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forking is how workers start on Linux")
def test_the_object_reader_ends_though_a_forked_process_holds_its_input(gov: GovRepo) -> None:
    """Parsing on every core forks worker processes, which hold copies of every pipe this process has
    open, the long-lived `git cat-file --batch`'s input among them: git never sees that input end, so
    a reader that waited for it to exit waited 5 s at the end of an audit. It is killed instead."""
    gov.add_entry("zoom")
    gov.commit("Add zoom")
    git = Git(gov.path)
    assert git.object_type(git.resolve("HEAD")) == "commit"  # starts the reader
    process = git._objects.process
    assert process is not None and process.poll() is None
    release, hold = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child holds every descriptor until released
        os.close(hold)
        os.read(release, 1)
        os._exit(0)
    try:
        os.close(release)
        del git
        gc.collect()  # the reader's finalizer runs
        assert process.poll() is not None
        assert os.waitpid(child, os.WNOHANG) == (0, 0)  # while the child still holds the reader's input
    finally:
        os.write(hold, b"x")
        os.close(hold)
        os.waitpid(child, 0)
