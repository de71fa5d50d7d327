"""GitHub Actions workflow commands: each finding an annotation on its file and line in the pull request.

`::error` for what blocks the merge, `::warning` for advisory findings, `::notice` for waived ones.
Values are escaped as the runner reads them: `%`, CR and LF in the message; also `:` and `,` in the
properties (file, title), so catalog text cannot end a property or inject a command.
"""

from __future__ import annotations

from martechgate.check.engine import CheckResult
from martechgate.check.model import Finding
from martechgate.formats.common import level
from martechgate.formats.controls import visible, visible_finding
from martechgate.words import count


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(finding: Finding) -> str:
    finding = visible_finding(finding)  # a control character in a value would show in the log as itself
    properties = []
    if finding.file:
        properties.append(f"file={escape_property(finding.file)}")
        if finding.line is not None:
            properties.append(f"line={finding.line}")
            if finding.column is not None:
                properties.append(f"col={finding.column}")
    state = "blocks the merge" if finding.blocking else ("waived" if finding.waived_by is not None else "advisory")
    if finding.baselined is not None:
        state = f"known, due {finding.baselined.due}"
    title = f"{finding.rule} ({finding.severity}, {state})"
    properties.append(f"title={escape_property(title)}")
    message = finding.message + (f"\nField: {finding.path}" if finding.path else "")
    if finding.waived_by is not None:
        waiver = finding.waived_by
        message += f"\nWaived by {waiver.approved_by} until {waiver.expires}: {waiver.reason}"
    else:
        message += f"\nFix: {finding.remediation}"
    return f"::{level(finding)} {','.join(properties)}::{escape_data(message)}"


def render(result: CheckResult, color: bool = False) -> str:
    lines = [_command(finding) for finding in result.report.findings]
    change = result.change
    if change is not None and change.governance_files:
        # Not a finding (the change is judged by the base's rules), but reviewers must know.
        message = (
            f"This change edits {', '.join(map(visible, change.governance_files))}. It was judged by the rules "
            f"of the base branch at {change.base_label}, not by its own edits; it needs the governance "
            "reviewers."
        )
        lines.append(f"::warning title={escape_property('Governance files changed')}::{escape_data(message)}")
    report = result.report
    summary = (
        f"martechgate: {'passed' if report.passed else 'failed'}: {count(report.entries, 'entry')} checked, "
        f"{report.blocking} blocking, {len(report.findings) - report.blocking} not blocking"
    )
    lines.append(summary)
    return "\n".join(lines) + "\n"
