"""One git layer: sources/git.py is the only module that imports a git library or starts a process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from martechgate.sources.git import Git, is_refused_name, path_text

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
