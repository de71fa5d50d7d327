"""Counts in words: "1 entry", "2 entries". Every message that states a number of things says it here,
so a report never reads "1 entries"."""

from __future__ import annotations

# Plurals that adding "s" gets wrong; everything else takes "s".
_IRREGULAR = {"entry": "entries", "policy": "policies", "match": "matches", "person": "people"}


def plural(noun: str) -> str:
    """The plural of a noun, or of the last word of a noun with words before it ("changed entries")."""
    head, space, last = noun.rpartition(" ")
    return head + space + _IRREGULAR.get(last, last + "s")


def count(number: int, noun: str, *, grouped: bool = False) -> str:
    """`number` and the noun in the form it takes; `grouped` writes thousands separators (1,234)."""
    shown = f"{number:,}" if grouped else str(number)
    return f"{shown} {noun if number == 1 else plural(noun)}"
