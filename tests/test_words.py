"""Counts in words: a report never reads "1 entries", nor "2 changed entrys"."""

from __future__ import annotations

import pytest

from martechgate.words import count, plural


@pytest.mark.parametrize(
    ("number", "noun", "said"),
    [
        (1, "entry", "1 entry"),
        (2, "entry", "2 entries"),
        (0, "policy", "0 policies"),
        (3, "change", "3 changes"),
        (1, "changed entry", "1 changed entry"),
        (2, "changed entry", "2 changed entries"),
        (5, "other person", "5 other people"),
        (1234, "governance change", "1234 governance changes"),
    ],
)
def test_count(number: int, noun: str, said: str) -> None:
    assert count(number, noun) == said


def test_grouped_and_plural() -> None:
    assert count(12345, "expense merchant", grouped=True) == "12,345 expense merchants"
    assert plural("new policy") == "new policies" and plural("match") == "matches"
