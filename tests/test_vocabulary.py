"""The entry format's words are read from the packaged schema once, never retyped in a module."""

from __future__ import annotations

import pytest

from martechgate.check import vocabulary
from martechgate.intake import proposal
from tests.conftest import ROOT

SOURCES = {path: path.read_text(encoding="utf-8") for path in (ROOT / "src" / "martechgate").rglob("*.py")}
ENUMS = [name for name in dir(vocabulary) if name.isupper() and isinstance(getattr(vocabulary, name), tuple)]


def test_the_schema_gives_every_enum() -> None:
    assert vocabulary.STATUSES[0] == "proposed" and vocabulary.RISK_TIERS == ("low", "medium", "high", "critical")
    assert "none" not in vocabulary.PERSONAL and "contact-pii" in vocabulary.PERSONAL
    assert vocabulary.ID_PATTERN.match("hubspot-marketing-hub") and not vocabulary.ID_PATTERN.match("Bad_Id")
    assert vocabulary.MODELINE.endswith("$schema=https://martechgate.dev/schema/entry-v1.json")
    assert proposal.render({"id": "x"}, proposal.date(2026, 1, 1)).splitlines()[0] == vocabulary.MODELINE


@pytest.mark.parametrize("name", ENUMS)
def test_no_module_retypes_an_enum(name: str) -> None:
    values = getattr(vocabulary, name)
    spelled = ", ".join(f'"{value}"' for value in values[:2])
    assert [path.name for path, text in SOURCES.items() if spelled in text] == []


@pytest.mark.parametrize(
    ("text", "home"),
    [
        ("# yaml-language-server:", ["vocabulary.py"]),
        ("[a-z0-9][a-z0-9-]{1,62}", []),
        (r"^[^@\s]+@", []),  # the loose address pattern is gone: one form, in identity.py
        ("@(?P<domain>", ["identity.py"]),
    ],
)
def test_modeline_id_and_email_patterns_are_defined_once(text: str, home: list[str]) -> None:
    assert [path.name for path, source in SOURCES.items() if text in source] == home
