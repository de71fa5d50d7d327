"""Markdown for the pull-request comment and $GITHUB_STEP_SUMMARY: one screen per changed tool.

Each tool's section holds the facts a reviewer decides on (purpose, data, SSO/MFA, evidence, annual
cost, computed risk tier), its findings, the reviewers the organisation's review rules require for it,
and a Mermaid diagram of its integrations. Everything taken from the catalog is escaped, so an entry's
text cannot inject markup, links, HTML or @-mentions into the comment.
"""

from __future__ import annotations

from typing import Any

from martechgate.check.engine import CheckResult
from martechgate.check.model import Entry, Finding, Organization, get
from martechgate.check.money import Money
from martechgate.check.risk import computed_tier
from martechgate.formats.common import level
from martechgate.formats.controls import visible
from martechgate.formats.markup import escape
from martechgate.gate.applicable import AppliedRule, ChangedFile, applicable_rules
from martechgate.gate.diff_check import PullCheckResult, governance_rules
from martechgate.words import count

_ICONS = {"error": "❌", "warning": "⚠️", "notice": "✅"}


def _code(value: str) -> str:
    """Inline code that survives any content: no backticks inside, one line."""
    return "`" + visible(" ".join(value.replace("`", "'").split())) + "`"


def _mermaid_label(value: Any) -> str:
    text = visible(" ".join(str(value).split()))
    # In a quoted Mermaid label only entity codes are safe for quotes and markup.
    for char, code in (
        ("&", "#amp;"),
        ('"', "#quot;"),
        ("<", "#lt;"),
        (">", "#gt;"),
        ("`", "#96;"),
        ("|", "#124;"),
        ("[", "#91;"),
        ("]", "#93;"),
        ("{", "#123;"),
        ("}", "#125;"),
    ):
        text = text.replace(char, code)
    return text


def _facts(data: dict[str, Any], money: Money) -> list[tuple[str, str]]:
    tier, reasons = computed_tier(data, money)
    declared = get(data, "review", "risk_tier")
    categories = get(data, "data", "categories")
    evidence = get(data, "security", "evidence")
    items = [item for item in evidence if isinstance(item, dict)] if isinstance(evidence, list) else []
    evidence_text = (
        ", ".join(
            escape(item.get("type")) + (f" (expires {escape(item['expires'])})" if item.get("expires") else "")
            for item in items
        )
        or "none"
    )
    cost = get(data, "contract", "annual_cost")
    cost_text = (
        f"{cost:,.0f} {escape(get(data, 'contract', 'currency') or '')}".strip()
        if isinstance(cost, int | float) and not isinstance(cost, bool)
        else "not set"
    )
    scim = get(data, "security", "scim")
    return [
        ("Purpose", escape(data.get("purpose"))),
        (
            "Vendor",
            escape(get(data, "vendor", "name"))
            + (f" ({escape(get(data, 'vendor', 'country'))})" if get(data, "vendor", "country") else ""),
        ),
        ("Status / category", f"{escape(data.get('status'))} / {escape(data.get('category'))}"),
        (
            "Data",
            f"{escape(get(data, 'data', 'classification'))}: "
            + (", ".join(escape(c) for c in categories) if isinstance(categories, list) else "not set"),
        ),
        (
            "SSO / MFA / SCIM",
            f"{escape(get(data, 'security', 'sso'))} / "
            f"{escape(get(data, 'security', 'mfa'))} / {'yes' if scim is True else 'no'}",
        ),
        ("Evidence", evidence_text),
        ("Annual cost", cost_text),
        ("Risk tier", f"**{tier}** computed ({escape('; '.join(reasons))}); declared {escape(declared)}"),
    ]


def _mermaid(entry: Entry, data: dict[str, Any]) -> list[str]:
    listed = data.get("integrations")  # anything but a list (`integrations: true`) is a schema finding
    integrations = [item for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []
    if not integrations:
        return ["No integrations."]
    lines = ["```mermaid", "flowchart LR", f'  self["{_mermaid_label(data.get("name") or entry.id)}"]']
    for index, item in enumerate(integrations):
        node = f"t{index}"
        lines.append(f'  {node}["{_mermaid_label(item.get("target"))}"]')
        carried = item.get("data")
        label = _mermaid_label(", ".join(str(c) for c in carried)) if isinstance(carried, list) else ""
        direction = item.get("direction")
        arrow = "<-->" if direction == "bidirectional" else "-->"
        edge = f'{arrow}|"{label}"|' if label else arrow
        ends = (node, "self") if direction == "inbound" else ("self", node)
        lines.append(f"  {ends[0]} {edge} {ends[1]}")
    lines.append("```")
    return lines


def _finding_line(finding: Finding) -> str:
    where = f"line {finding.line}" if finding.line else "whole file"
    field = f" {_code(finding.path)}" if finding.path else ""
    text = f"- {_ICONS[level(finding)]} **{escape(finding.rule)}**{field} ({where}): {escape(finding.message)}"
    if finding.waived_by is not None:
        waiver = finding.waived_by
        return text + (
            f" — waived by {escape(waiver.approved_by)} until {escape(waiver.expires)}: {escape(waiver.reason)}"
        )
    return text + f"<br>Fix: {escape(finding.remediation)}"


def _rules_for(result: CheckResult, file: str, data: dict[str, Any] | None) -> list[AppliedRule]:
    """The review rules `file` triggers: in a change, those `martechgate review` finds it triggers;
    otherwise those a change to it would (an unreadable file is assumed to meet every condition)."""
    if isinstance(result, PullCheckResult):
        return [found for applied in result.review_rules if (found := applied.about(file)) is not None]
    unreadable = None if data is not None else f"{file} could not be read"
    return applicable_rules(result.catalog.organization, [ChangedFile(file, entry=data, unreadable=unreadable)])


def _reviewer_lines(organization: Organization, needed: list[AppliedRule]) -> list[str]:
    if not needed:
        return ["- No review rule applies."]
    return [
        f"- **{escape(item.rule.name)}** ({escape(item.reason)}): "
        + ", ".join(
            f"{count} of {escape(group)}" + _group_who(organization, group)
            for group, count in item.rule.require.items()
        )
        for item in needed
    ]


def _group_who(organization: Organization, name: str) -> str:
    group = organization.groups.get(name)
    if group is None:
        return ""
    who = ([_code("@" + group.github_team)] if group.github_team else []) + [
        _code("@" + member) for member in group.members
    ]
    return f" ({', '.join(who)})" if who else ""


def _section(result: CheckResult, file: str, findings: list[Finding]) -> list[str]:
    entry = next((e for e in result.catalog.entries if e.file == file), None)
    change = result.change
    deleted = change is not None and file in change.deleted_files
    kind = (
        "deleted"
        if deleted
        else ("new" if change is not None and file in change.added_files else "changed" if change is not None else "")
    )
    data = entry.data if entry is not None else None
    title = escape(get(data, "name") or (findings[0].entry if findings else None) or file)
    lines = [f"### {title} {_code(file)}" + (f" — {kind}" if kind else ""), ""]
    if data is not None:
        facts = _facts(data, result.catalog.organization.money)
        lines += [
            "| | |",
            "|---|---|",
            *[f"| {name} | {value} |" for name, value in facts],
            "",
        ]
    elif not deleted:
        lines += ["The file could not be read as an entry (see the findings).", ""]
    lines.append("**Findings**" if findings else "**Findings**: none.")
    lines += [_finding_line(finding) for finding in findings]
    lines += ["", "**Reviewers needed**" if change is not None else "**Reviewers a change to it needs**"]
    lines += _reviewer_lines(result.catalog.organization, _rules_for(result, file, data))
    if data is not None and entry is not None:
        lines += ["", "**Integrations**", "", *_mermaid(entry, data)]
    lines.append("")
    return lines


def render(result: CheckResult, color: bool = False) -> str:
    report = result.report
    change = result.change
    verdict = "✅ passed" if report.passed else "❌ failed"
    lines = [
        f"## martechgate check: {verdict}",
        "",
        f"{count(report.entries, 'entry')} checked, {report.blocking} blocking, "
        f"{len(report.findings) - report.blocking} not blocking (advisory or waived).",
    ]
    if change is not None:
        lines[-1] += f" Judged by the rules of the base branch at {_code(change.base_label)}."
    lines.append("")
    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_file.setdefault(finding.file or "(repository)", []).append(finding)
    if change is not None and change.governance_files:
        organization = result.catalog.organization
        needed = governance_rules(result)
        lines += [
            "> [!IMPORTANT]",
            "> This change edits governance files: " + ", ".join(_code(path) for path in change.governance_files) + ".",
            "> It was judged by the rules as they are on the base branch, not by its own edits.",
            "> It needs the governance reviewers: "
            + (
                "; ".join(
                    f"**{escape(item.rule.name)}**: "
                    + ", ".join(
                        f"{count} of {escape(group)}" + _group_who(organization, group)
                        for group, count in item.rule.require.items()
                    )
                    for item in needed
                )
                or "no review rule covers these paths; have IT and security review it."
            ),
            "",
        ]
    if change is not None:
        tools = sorted(set(change.changed_files) | set(change.deleted_files))
    else:
        tools = sorted(file for file in by_file if file != "(repository)")
    for file in tools:
        lines += _section(result, file, by_file.pop(file, []))
    others = [finding for file in sorted(by_file) for finding in by_file[file]]
    if others:
        heading = "Other entries this change affects" if change is not None else "Other findings"
        lines += [f"### {heading}", ""]
        lines += [f"- {_code(f.file or '(repository)')}: " + _finding_line(f)[2:] for f in others]
        lines.append("")
    if not tools and not others:
        lines += ["No catalog entries changed." if change is not None else "No findings.", ""]
    return "\n".join(lines)
