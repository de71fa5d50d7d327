"""Attack scenarios: each builds a real git repository in tmp_path, attempts a way around the gate as a
pull-request author or a pusher with write access would, and shows it refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from martechgate.check.model import Finding
from martechgate.check.organisation import load_organization
from martechgate.gate import diff_check
from martechgate.gate.review import Review, Verdict, evaluate
from martechgate.sources.changes import compute
from tests.conftest import TODAY, GovRepo, dump, entry
from tests.github_server import FakeGitHub, serve

__all__ = ["TODAY", "GovRepo", "dump", "entry"]


def branch(gov: GovRepo, name: str = "pr", start: str = "main") -> None:
    gov.git("checkout", "-q", "-b", name, start)


def write_named(gov: GovRepo, raw_name: bytes, content: str | bytes) -> None:
    """A file whose name is exactly these bytes (not UTF-8, a newline, an escape sequence...)."""
    target = os.path.join(os.fsencode(gov.path), raw_name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(content if isinstance(content, bytes) else content.encode())


def check(gov: GovRepo, base: str = "main", head: str | None = "pr") -> list[Finding]:
    return list(diff_check.check_change(gov.path, base, head, TODAY).report.findings)


def refused(findings: list[Finding]) -> dict[str, Finding]:
    """The blocking file-refused findings, by file."""
    return {f.file or "": f for f in findings if f.rule == "file-refused" and f.blocking}


def judge(
    gov: GovRepo, reviews: list[Review], author: str = "mallory", base: str = "main", head: str = "pr"
) -> Verdict:
    """`martechgate review` offline: the rules of the base branch as it is now."""
    changeset = compute(gov.path, base, head)
    return evaluate(load_organization(changeset.rules), changeset, reviews, author)


def approve(user: str, commit: str | None) -> Review:
    return Review(user, "APPROVED", commit)


def rule_names(verdict: Verdict) -> set[str]:
    return {rule.name for rule in verdict.rules}


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    yield from serve()


def sha_of(gov: GovRepo, rev: str) -> str:
    return gov.git("rev-parse", rev)


def at(gov: GovRepo, relative: str) -> Path:
    return gov.path / relative
