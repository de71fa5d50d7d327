"""The JSON report (schema_version 1, docs/report.md): the contract other tools read."""

from __future__ import annotations

from martechgate import __version__
from martechgate.check.engine import CheckResult
from martechgate.formats.controls import plain_json_text


def render(result: CheckResult, color: bool = False) -> str:
    # The report holds text, integers, true/false and null only (docs/report.md).
    return plain_json_text(result.report.to_dict(__version__)) + "\n"
