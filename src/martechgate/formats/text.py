"""Findings for people: grouped by file, `file:line:col`, rule, message, what to do; colour on a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from martechgate.check.cache import OutputParts, Piece
from martechgate.check.engine import CheckResult
from martechgate.check.model import Finding, Report
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


def _block(file: str, group: list[Finding], color: bool) -> str:
    """One file's findings, under its name, and a blank line."""

    def style(text: str, fg: str | None = None, bold: bool = False) -> str:
        return styled(text, color, fg=fg, bold=bold)

    lines = [style(file, bold=True)]
    for finding in group:
        where = f"{file}:{finding.line or 1}:{finding.column or 1}" if finding.file else file
        label = _label(finding)
        colour = "green" if label in ("waived", "known") else _SEVERITY_COLOURS.get(finding.severity, "white")
        lines.append(f"  {where}: {style(label, fg=colour, bold=finding.blocking)} [{finding.rule}] {finding.message}")
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
    return "\n".join(lines) + "\n\n"


def _groups(report: Report) -> Iterator[tuple[str, str, list[Finding]]]:
    """Each file's findings, in the report's order: (its name in that order, its name shown, findings)."""
    findings = [visible_finding(finding) for finding in report.findings]
    for file, group in groupby(findings, key=lambda f: f.file or ""):
        yield file, file or "(repository)", list(group)


def _summary(entries: int, blocking: int, others: int, color: bool) -> str:
    passed = blocking == 0
    verdict = styled("passed", color, fg="green", bold=True) if passed else styled("failed", color, fg="red", bold=True)
    return (
        f"{verdict}: {count(entries, 'entry')} checked, {blocking} blocking, "
        f"{others} not blocking (advisory, waived or known)\n"
    )


def render(result: CheckResult, color: bool = False) -> str:
    report = result.report
    blocks = [_block(shown, group, color) for _, shown, group in _groups(report)]
    blocking = report.blocking
    return "".join(blocks) + _summary(report.entries, blocking, len(report.findings) - blocking, color)


@dataclass(frozen=True)
class Rendered:
    """Text output in UTF-8 pieces, to be written one after the other: as shown, and plain (the same
    list unless coloured)."""

    shown: list[Piece]
    plain: list[Piece]
    blocking: int


def render_reusing(result: CheckResult, color: bool, parts: OutputParts) -> Rendered:
    """The text output of a check run with `reuse=parts.reusable`: the files the report leaves out
    (result.reused) are `parts`' kept ones, never decoded or copied; the others are rendered here, and
    kept. The same text as `render` gives."""
    report = result.report
    pieces: list[tuple[str, Piece, Piece]] = []
    blocking = others = 0
    for file, shown_name, group in _groups(report):
        shown = _block(shown_name, group, color).encode()
        plain = _block(shown_name, group, False).encode() if color else None
        blocks = sum(1 for finding in group if finding.blocking)
        if file:
            parts.put(file, shown, plain, blocks, len(group))
        pieces.append((file, shown, plain or shown))
        blocking, others = blocking + blocks, others + len(group) - blocks
    for file in result.reused:
        part = parts.kept[file]
        pieces.append((file, part.shown, part.plain or part.shown))
        blocking, others = blocking + part.blocking, others + part.count - part.blocking
    pieces.sort(key=lambda piece: piece[0])
    shown_pieces = [piece[1] for piece in pieces]
    shown_pieces.append(_summary(report.entries, blocking, others, color).encode())
    if not color:
        return Rendered(shown_pieces, shown_pieces, blocking)
    plain_pieces = [piece[2] for piece in pieces]
    plain_pieces.append(_summary(report.entries, blocking, others, False).encode())
    return Rendered(shown_pieces, plain_pieces, blocking)
