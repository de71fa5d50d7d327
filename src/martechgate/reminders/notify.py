"""Reminders that arrive: one GitHub issue per due item, and one digest to a chat webhook.

Issues: each item's issue carries a hidden marker with the item's stable key
(`<!-- martechgate-due: review/hubspot/next -->`) and the `martechgate-due` label. A run lists the
open labelled issues, then for each item edits its issue when the text changed (or opens one), and
closes, with a comment, every marked issue whose item is no longer due. Run twice, nothing changes the
second time; an issue is never opened twice for one key. Assignees are the owners written as GitHub
handles (`@login` or `login`) and the members of an owner that is a group of martechgate.yaml; owners
written as email addresses are named in the body instead.

Webhooks: Slack's incoming webhooks take `{"text": ...}` (mrkdwn); Microsoft Teams' Workflows
webhooks take a message with an Adaptive Card attachment. The kind is chosen from the host
(hooks.slack.com, *.webhook.office.com, *.logic.azure.com, *.powerplatform.com) or given.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from martechgate.errors import UsageError
from martechgate.formats.markup import escape
from martechgate.reminders.due import DueReport, Item
from martechgate.sources.github import GitHubClient

LABEL = "martechgate-due"
_MARKER = re.compile(r"<!-- martechgate-due: ([a-z0-9/-]{1,200}) -->")
_HANDLE = re.compile(r"^@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$")
WEBHOOK_KINDS = ("slack", "teams")
TITLES = {
    "review": "Review due",
    "evidence": "Evidence expiring",
    "exception": "Exception expiring",
    "cancellation": "Cancellation deadline",
    "renewal": "Renewal",
    "proposal": "Proposal waiting",
}


def marker(item: Item) -> str:
    return f"<!-- martechgate-due: {item.key} -->"


def handles(owners: Sequence[str], groups: Mapping[str, Sequence[str]]) -> list[str]:
    """The GitHub logins to assign: owners written as logins, and the members of an owner that is a
    group of martechgate.yaml (an email address is not a login; a team cannot be assigned)."""
    found: set[str] = set()
    for owner in owners:
        if owner in groups:
            found.update(groups[owner])
        elif match := _HANDLE.match(owner):
            found.add(match.group(1))
    return sorted(found)


def issue_title(item: Item) -> str:
    return f"{TITLES[item.kind]}: {item.name} ({item.when.isoformat()})"[:256]


def issue_body(item: Item) -> str:
    owners = ", ".join(escape(owner) for owner in item.owners) or "not recorded"
    return "\n".join(
        (
            marker(item),
            f"**{escape(item.what)}** for {escape(item.name)} ({escape(item.tool)}, file {escape(item.file)}).",
            "",
            f"- Owners: {owners}",
            f"- What to do: {escape(item.action)}",
            "",
            "This issue is kept by `martechgate due --github`: it is updated while the item is due and closed "
            "once the entry no longer makes it due. Edit the entry, not this issue.",
        )
    )


@dataclass
class SyncResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


def sync_issues(
    client: GitHubClient, repository: str, report: DueReport, groups: Mapping[str, Sequence[str]]
) -> SyncResult:
    """Make the open `martechgate-due` issues match `report`'s items (see the module docstring);
    `groups` are the organisation's (name -> GitHub logins), for owners written as a group."""
    result = SyncResult()
    by_key: dict[str, dict[str, Any]] = {}
    duplicates: list[dict[str, Any]] = []
    for issue in sorted(client.open_issues(repository, LABEL), key=lambda i: int(i.get("number") or 0)):
        match = _MARKER.search(str(issue.get("body") or ""))
        if match is None:
            continue  # labelled by a person, not ours to close
        if match.group(1) in by_key:
            duplicates.append(issue)  # e.g. two runs at once: keep the oldest, close the rest
        else:
            by_key[match.group(1)] = issue
    for item in report.items:
        title, body, assignees = issue_title(item), issue_body(item), handles(item.owners, groups)
        found: dict[str, Any] | None = by_key.pop(item.key, None)
        if found is None:
            created = client.create_issue(repository, title, body, [LABEL], assignees)
            result.created.append(int(created.get("number") or 0))
            continue
        number = int(found["number"])
        current = sorted(str(a.get("login")) for a in found.get("assignees") or [] if isinstance(a, dict))
        changes: dict[str, Any] = {}
        if found.get("title") != title:
            changes["title"] = title
        if found.get("body") != body:
            changes["body"] = body
        if assignees and current != assignees:
            changes["assignees"] = assignees
        if changes:
            client.update_issue(repository, number, **changes)
            result.updated.append(number)
        else:
            result.unchanged.append(number)
    for issue in [*by_key.values(), *duplicates]:
        number = int(issue["number"])
        client.comment(
            repository,
            number,
            "Resolved: the catalog no longer makes this due (the entry was updated, or the tool retired). "
            "Closed by `martechgate due --github`.",
        )
        client.update_issue(repository, number, state="closed", state_reason="completed")
        result.closed.append(number)
    return result


# --- chat digests ------------------------------------------------------------------------------


def webhook_kind(url: str, given: str | None) -> str:
    if given:
        return given
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host == "hooks.slack.com":
        return "slack"
    if host.endswith((".webhook.office.com", ".logic.azure.com", ".powerplatform.com")):
        return "teams"
    raise UsageError(
        f"cannot tell from the host {host!r} whether the webhook is Slack's or Teams'",
        hint="Add --webhook-kind slack or --webhook-kind teams.",
    )


def _slack_text(text: str) -> str:
    # Slack's documented escaping for message text: only these three characters are control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _lines(report: DueReport) -> list[str]:
    return [
        f"{item.when.isoformat()} {item.name} ({item.tool}): {item.what}. "
        f"Owners: {', '.join(item.owners) or 'not recorded'}"
        for item in report.items
    ]


def digest(report: DueReport, kind: str, organization: str) -> dict[str, Any]:
    """One message listing every item, in the webhook's documented JSON shape."""
    overdue = sum(1 for item in report.items if item.overdue)
    heading = (
        f"{organization}: {len(report.items)} item(s) due until {report.until.isoformat()}"
        + (f", {overdue} overdue" if overdue else "")
        if report.items
        else f"{organization}: nothing due until {report.until.isoformat()}"
    )
    lines = _lines(report)
    if kind == "slack":
        text = "\n".join([f"*{_slack_text(heading)}*", *(f"• {_slack_text(line)}" for line in lines)])
        return {"text": text}
    blocks: list[dict[str, Any]] = [{"type": "TextBlock", "text": heading, "weight": "Bolder", "wrap": True}]
    blocks += [{"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"} for line in lines]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": blocks,
                },
            }
        ],
    }
