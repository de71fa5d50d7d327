"""The shipped table of merchant spellings (merchants.yaml): aliases that name one product, and merchants
that are never software (transport, meals, travel, lodging)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml


@cache
def _table() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    loaded = yaml.safe_load(resources.files("martechgate.discovery").joinpath("merchants.yaml").read_text("utf-8"))
    aliases = {spelling.lower(): name for name, spellings in loaded["aliases"].items() for spelling in spellings}
    aliases.update({name.lower(): name for name in loaded["aliases"]})
    not_saas = tuple((words.lower(), kind) for kind, names in loaded["not_saas"].items() for words in names)
    return aliases, not_saas


def canonical(name: str) -> str:
    """The product's name for a cleaned descriptor: `ZOOM VIDEO COMMUNICATIONS` -> `Zoom`."""
    return _table()[0].get(name.lower(), name)


def not_saas(name: str) -> str | None:
    """The kind of merchant (transport, meals, travel, lodging) when `name` starts with a known one."""
    lowered = name.lower()
    for words, kind in _table()[1]:
        if lowered == words or lowered.startswith(words + " "):
            return kind
    return None
