"""Findings for people: grouped by file, `file:line:col`, rule, message, what to do; colour on a terminal."""

from __future__ import annotations

from itertools import groupby

from martechgate.check.engine import CheckResult
from martechgate.check.model import Finding
from martechgate.formats.controls import visible_finding
from martechgate.formats.style import style as styled
from martechgate.words import count

_SEVERITY_COLOURS = {"critical": "red", "high": "red", "medium": "yellow", "low": "cyan", "info": "blue"}


def _label(finding: Finding) -> str:
    if finding.waived_by is not None:
        return "waived"
    if finding.baselined is not None:
        return "known"
    if finding.blocking:
        return "error"
    return "warning" if finding.enforcement == "soft" else "advisory"


def render(result: CheckResult, color: bool = False) -> str:
    def style(text: str, fg: str | None = None, bold: bool = False) -> str:
        return styled(text, color, fg=fg, bold=bold)

    lines: list[str] = []
    report = result.report
    findings = [visible_finding(finding) for finding in report.findings]
    for file, group in groupby(findings, key=lambda f: f.file or "(repository)"):
        lines.append(style(file, bold=True))
        for finding in group:
            where = f"{file}:{finding.line or 1}:{finding.column or 1}" if finding.file else file
            label = _label(finding)
            colour = "green" if label in ("waived", "known") else _SEVERITY_COLOURS.get(finding.severity, "white")
            lines.append(
                f"  {where}: {style(label, fg=colour, bold=finding.blocking)} [{finding.rule}] {finding.message}"
            )
            if finding.path:
                lines.append(f"      field: {finding.path}")
            if finding.waived_by is not None:
                w = finding.waived_by
                lines.append(
                    f"      waived by {w.approved_by}"
                    + (f" ({w.ticket})" if w.ticket else "")
                    + f" until {w.expires}: {w.reason}"
                )
            elif finding.baselined is not None:
                known = finding.baselined
                lines.append(f"      known, due {known.due} (owner {known.owner}); fix: {finding.remediation}")
            else:
                lines.append(f"      fix: {finding.remediation}")
        lines.append("")
    blocking = report.blocking
    others = len(report.findings) - blocking
    verdict = style("passed", fg="green", bold=True) if report.passed else style("failed", fg="red", bold=True)
    lines.append(
        f"{verdict}: {count(report.entries, 'entry')} checked, {blocking} blocking, "
        f"{others} not blocking (advisory, waived or known)"
    )
    return "\n".join(lines) + "\n"
