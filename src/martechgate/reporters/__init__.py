"""Output formats of `martechgate check`: each a view of the same findings, registered by name."""

from __future__ import annotations

from collections.abc import Callable

from martechgate.engine import CheckResult
from martechgate.reporters import github, json_report, junit, markdown, sarif, text

Reporter = Callable[[CheckResult, bool], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
}
