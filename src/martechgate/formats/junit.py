"""JUnit XML, the test report every CI shows: one test suite per entry, one test case per finding.

A blocking finding is a failure (CI lists it by name: `pii-requires-sso: security.sso`); a waived one
is skipped, with the exception as the reason; an advisory one passes with its message as output. An
entry without findings has one passing case, so the report shows what was checked, not only what
failed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from martechgate.check.engine import CheckResult
from martechgate.check.model import Finding
from martechgate.formats.controls import visible, visible_finding

# XML 1.0 cannot carry these, even escaped; catalog text could hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", visible(value))


def _files(result: CheckResult) -> list[str]:
    if result.change is not None:
        files = set(result.change.changed_files) | set(result.change.deleted_files)
    else:
        files = {entry.file for entry in result.catalog.entries}
    files |= {finding.file or "(repository)" for finding in result.report.findings}
    return sorted(files)


def _case(suite: ET.Element, finding: Finding) -> None:
    finding = visible_finding(finding)
    name = finding.rule + (f": {finding.path}" if finding.path else "")
    case = ET.SubElement(
        suite,
        "testcase",
        name=_text(name),
        classname=_text(finding.entry or "repository"),
        file=_text(finding.file or ""),
        time="0",
    )
    if finding.line is not None:
        case.set("line", str(finding.line))
    where = finding.file or "(repository)"
    if finding.file and finding.line is not None:
        where += f":{finding.line}:{finding.column or 1}"
    detail = (
        f"{where}: {finding.message}\n"
        f"rule: {finding.rule} ({finding.severity}, {finding.enforcement})\nfix: {finding.remediation}"
    )
    if finding.blocking:
        failure = ET.SubElement(case, "failure", message=_text(finding.message), type=finding.rule)
        failure.text = _text(detail)
    elif finding.waived_by is not None:
        waiver = finding.waived_by
        ET.SubElement(
            case, "skipped", message=_text(f"waived by {waiver.approved_by} until {waiver.expires}: {waiver.reason}")
        )
    else:
        ET.SubElement(case, "system-out").text = _text("advisory: " + detail)


def render(result: CheckResult, color: bool = False) -> str:
    findings = {
        file: list(group) for file, group in groupby(result.report.findings, key=lambda f: f.file or "(repository)")
    }
    root = ET.Element("testsuites", name="martechgate check")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for file in _files(result):
        mine = findings.get(file, [])
        suite = ET.SubElement(root, "testsuite", name=_text(file))
        for finding in mine:
            _case(suite, finding)
        if not mine:
            ET.SubElement(
                suite,
                "testcase",
                name="passes every rule",
                classname=_text(file.rsplit("/", 1)[-1].rsplit(".", 1)[0]),
                file=_text(file),
                time="0",
            )
        counts = {
            "tests": max(len(mine), 1),
            "failures": sum(1 for f in mine if f.blocking),
            "skipped": sum(1 for f in mine if f.waived_by is not None),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("errors", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
