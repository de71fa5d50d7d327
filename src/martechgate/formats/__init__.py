"""Output formats of `martechgate check`: each a view of the same findings, registered by name.

Each format is named here with the module that renders it; a module is imported only when its format
is asked for (the markdown one pulls in the review code, a cost plain `check` need not pay).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from martechgate.check.engine import CheckResult

Reporter = Callable[["CheckResult", bool], str]

# format name -> module in martechgate.formats; each module's `render` draws the report
REPORTERS: dict[str, str] = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
}

# Formats that show each entry's fields, not only its findings: they need every entry read in full.
# Entries from the result cache or from worker processes keep only what rules comparing entries read.
FULL_ENTRIES = frozenset({"markdown"})


def get(name: str) -> Reporter:
    """The renderer of format `name` (one of REPORTERS)."""
    render: Reporter = importlib.import_module(f"martechgate.formats.{REPORTERS[name]}").render
    return render


def render(name: str, result: CheckResult, color: bool = False) -> str:
    return get(name)(result, color)
