"""Run the engine on a governance repo and return its findings, optionally of one rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from martechgate.check import engine
from martechgate.check.model import Finding
from martechgate.sources.repo import WorkTree
from tests.conftest import TODAY

Findings = Callable[..., list[Finding]]


def findings_of(path: Path, rule: str | None = None) -> list[Finding]:
    result = engine.check(WorkTree(path), today=TODAY)
    return [f for f in result.report.findings if rule is None or f.rule == rule]


@pytest.fixture
def findings() -> Findings:
    return findings_of
