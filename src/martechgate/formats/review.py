"""Views of a review verdict (`martechgate review --format`): text, json, markdown, registered by name.

Each says, per rule: why it applies, who filled which seat, who can still approve, who blocks.
"""

from __future__ import annotations

from collections.abc import Callable

from martechgate.formats.controls import json_text, visible
from martechgate.formats.markup import escape
from martechgate.formats.style import style as styled
from martechgate.gate.review import RuleVerdict, Verdict

ReviewRenderer = Callable[[Verdict, bool], str]


def _needs(rule: RuleVerdict) -> str:
    open_seats: dict[str, int] = {}
    for seat in rule.seats:
        if seat.reviewer is None:
            open_seats[seat.group] = open_seats.get(seat.group, 0) + 1
    return ", ".join(f"{n} {visible(group)}" for group, n in open_seats.items())


def _status(rule: RuleVerdict) -> str:
    if rule.satisfied:
        return "satisfied"
    parts = []
    if rule.blocked_by:
        parts.append(f"changes requested by {_names(rule.blocked_by)}")
    needs = _needs(rule)
    if needs:
        parts.append(f"needs {needs}")
    return "; ".join(parts)


def _names(logins: tuple[str, ...] | list[str]) -> str:
    """Logins (from the forge or a reviews file) on one line, each control character escaped."""
    return ", ".join(map(visible, logins))


def render_text(verdict: Verdict, color: bool = False) -> str:
    def style(text: str, fg: str | None = None, bold: bool = False) -> str:
        return styled(text, color, fg=fg, bold=bold)

    head = verdict.head[:12] if verdict.head else "the working tree"
    lines = [
        f"Review of {head} by {visible(verdict.author)} (rules from the base branch at {verdict.rules_commit[:12]})",
        "",
    ]
    if not verdict.rules:
        lines.append("No review rule applies to this change.")
    for rule in verdict.rules:
        mark = style("ok", fg="green", bold=True) if rule.satisfied else style("missing", fg="red", bold=True)
        lines.append(f"{mark} {style(visible(rule.name), bold=True)}: {_status(rule)}")
        for why in rule.why:
            lines.append(f"    why: {visible(why)}")
        for seat in rule.seats:
            lines.append(f"    {visible(seat.group)}: {visible(seat.reviewer or '(open)')}")
        for group, who in rule.can_satisfy.items():
            lines.append(f"    can still approve for {visible(group)}: {_names(who) or 'nobody (add members)'}")
        if rule.blocked_by:
            lines.append(f"    blocked by: {_names(rule.blocked_by)} (requested changes)")
        if rule.stale:
            lines.append(
                f"    stale: {_names(rule.stale)} approved an older commit, and what this rule "
                "governs has changed since; approve again"
            )
        lines.append("")
    verdict_text = (
        style("approved", fg="green", bold=True) if verdict.approved else style("not approved", fg="red", bold=True)
    )
    satisfied = sum(1 for rule in verdict.rules if rule.satisfied)
    lines.append(f"{verdict_text}: {satisfied} of {len(verdict.rules)} review rules satisfied")
    return "\n".join(lines) + "\n"


def render_json(verdict: Verdict, color: bool = False) -> str:
    return json_text(verdict.to_dict(), indent=2) + "\n"


def _logins(who: tuple[str, ...] | list[str]) -> str:
    # Code spans, not @mentions: a status comment should not ping everyone it lists.
    return ", ".join(_login(login) for login in who)


def _login(login: str) -> str:
    # A code span (no @mention), closed whatever the login holds.
    return "`" + visible(login.replace("`", "'")) + "`"


def render_markdown(verdict: Verdict, color: bool = False) -> str:
    state = "approved" if verdict.approved else "not approved yet"
    head = f"`{verdict.head[:12]}`" if verdict.head else "the working tree"
    lines = [
        f"### Joint approval: {state}",
        "",
        f"Head {head}, opened by {_login(verdict.author)}; rules from the base branch at "
        f"`{verdict.rules_commit[:12]}`.",
        "",
    ]
    if not verdict.rules:
        lines.append("No review rule applies to this change.")
        return "\n".join(lines) + "\n"
    lines += ["| | Rule | Why | Approved by | Can still approve |", "| --- | --- | --- | --- | --- |"]
    for rule in verdict.rules:
        mark = "✅" if rule.satisfied else "❌"
        why = "<br>".join(escape(line) for line in rule.why)
        approved = ", ".join(f"{escape(seat.group)}: {_login(seat.reviewer)}" for seat in rule.seats if seat.reviewer)
        still = "<br>".join(f"{escape(group)}: {_logins(who) or 'nobody'}" for group, who in rule.can_satisfy.items())
        status = escape(_status(rule))
        if rule.stale:
            status += f"<br>approval of an older commit, no longer counted: {_logins(rule.stale)}"
        lines.append(f"| {mark} | **{escape(rule.name)}**<br>{status} | {why} | {approved or '—'} | {still or '—'} |")
    return "\n".join(lines) + "\n"


REVIEW_FORMATS: dict[str, ReviewRenderer] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
