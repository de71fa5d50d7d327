"""SARIF 2.1.0, for GitHub code scanning and other static-analysis viewers.

Every rule that judged the catalog is a reportingDescriptor (its help is the remediation); a finding
is a result at its file (relative to the repository root, where code scanning expects it) and
line/column. Levels: a blocking finding is an error; an advisory one a warning (a note for low and
info severity); a waived one is kept, with the exception as an in-source suppression.
"""

from __future__ import annotations

import hashlib
from typing import Any

from martechgate import __version__
from martechgate.check.engine import CheckResult
from martechgate.check.model import Finding
from martechgate.formats.common import rules_of
from martechgate.formats.controls import json_text

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/martechgate/martechgate"
# GitHub code scanning ranks results by this property of the rule (a CVSS-like score as text).
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def _level(finding: Finding) -> str:
    if finding.blocking or finding.waived_by is not None:  # a waived finding shows as suppressed
        return "error" if finding.enforcement != "advisory" else "warning"
    return "note" if finding.severity in ("low", "info") else "warning"


def _default_level(severity: str, enforcement: str) -> str:
    if enforcement != "advisory":
        return "error"
    return "note" if severity in ("low", "info") else "warning"


def _result(finding: Finding, index: int) -> dict[str, Any]:
    text = finding.message + (f" (field {finding.path})" if finding.path else "")
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": _level(finding),
        "message": {"text": text},
        "properties": {
            "severity": finding.severity,
            "enforcement": finding.enforcement,
            "blocking": finding.blocking,
            "entry": finding.entry,
            "path": finding.path,
            "remediation": finding.remediation,
        },
    }
    if finding.file:
        location: dict[str, Any] = {"artifactLocation": {"uri": finding.file, "uriBaseId": "%SRCROOT%"}}
        if finding.line is not None:
            location["region"] = {"startLine": finding.line, "startColumn": finding.column or 1}
        result["locations"] = [{"physicalLocation": location}]
    # Stable across line moves, so code scanning tracks one finding through edits of its file.
    identity = "\x1f".join([finding.rule, finding.file or "", finding.entry or "", finding.path or ""])
    result["partialFingerprints"] = {"martechgateFinding/v1": hashlib.sha256(identity.encode("utf-8")).hexdigest()}
    if finding.waived_by is not None:
        waiver = finding.waived_by
        result["suppressions"] = [
            {
                "kind": "inSource",
                "status": "accepted",
                "justification": f"{waiver.reason} (approved by {waiver.approved_by}"
                + (f", {waiver.ticket}" if waiver.ticket else "")
                + f", until {waiver.expires})",
            }
        ]
    return result


def render(result: CheckResult, color: bool = False) -> str:
    rules = rules_of(result)
    index = {info.id: position for position, info in enumerate(rules)}
    descriptors = []
    for info in rules:
        descriptors.append(
            {
                "id": info.id,
                "name": "".join(part.capitalize() for part in info.id.split("-")),
                "shortDescription": {"text": info.title},
                "fullDescription": {"text": info.description or info.title},
                "help": {"text": info.remediation, "markdown": info.remediation},
                "defaultConfiguration": {"level": _default_level(info.severity, info.enforcement)},
                "properties": {
                    "tags": ["governance", "built-in" if info.origin == "built-in" else "policy"],
                    "security-severity": _SECURITY_SEVERITY.get(info.severity, "5.5"),
                    "severity": info.severity,
                    "enforcement": info.enforcement,
                    "origin": info.origin,
                },
            }
        )
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "martechgate",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The governance repository."}}},
                "results": [_result(finding, index[finding.rule]) for finding in result.report.findings],
                "properties": {
                    "passed": result.report.passed,
                    "blocking": result.report.blocking,
                    "entries": result.report.entries,
                },
            }
        ],
    }
    return json_text(log, indent=2) + "\n"
