"""The JSON report (schema_version 1, docs/report.md): the contract other tools read."""

from __future__ import annotations

import json

from martechgate import __version__
from martechgate.check.engine import CheckResult


def render(result: CheckResult, color: bool = False) -> str:
    return json.dumps(result.report.to_dict(__version__), indent=2, ensure_ascii=False) + "\n"
