"""Renewals and cancellation deadlines in a window, and the same as an iCalendar file.

The cancellation deadline is the last day notice can be given: contract.renewal minus
contract.notice_days. A tool is listed when its renewal is today or later and its renewal or its
deadline falls within the window, so a deadline that has already passed on a contract still to renew
is listed too (with negative days left): that is the one to escalate.

A retired or denied tool is not in use, so its renewal is left out, unless its contract renews by
itself (or the entry does not say): then it is listed with a note to cancel before the deadline, or
the company pays for a tool nobody uses.

A window is written as a number and a unit: `120d` (days), `8w` (weeks), `6m` (calendar months),
`1y` (calendar years); a plain number means days.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
from dateutil.relativedelta import relativedelta

from martechgate import atomic
from martechgate.errors import UsageError
from martechgate.formats.tables import Column, Table
from martechgate.vendors.spend import amount
from martechgate.vendors.tools import Tool, ToolSet

WINDOW = re.compile(r"^\s*(\d{1,5})\s*([dwmy]?)\s*$", re.IGNORECASE)
ICS_PRODID = "-//martechgate//renewals//EN"


def window_end(window: str, today: date) -> date:
    """The last day of a window that starts today (see the module docstring for the syntax)."""
    match = WINDOW.match(window)
    if not match:
        raise UsageError(
            f"--within {window!r} is not a window",
            hint="Write a number and a unit: 120d (days), 8w (weeks), 6m (months), 1y (years).",
        )
    count, unit = int(match.group(1)), match.group(2).lower() or "d"
    step = {
        "d": relativedelta(days=count),
        "w": relativedelta(weeks=count),
        "m": relativedelta(months=count),
        "y": relativedelta(years=count),
    }[unit]
    later: date = today + step
    return later


@dataclass(frozen=True)
class Renewal:
    tool: Tool
    renewal: date
    deadline: date | None  # None when the notice period is not recorded
    today: date

    @property
    def sort_date(self) -> date:
        return self.deadline or self.renewal

    def note(self) -> str | None:
        notes = list(self.tool.notes)
        if not self.tool.active:
            renews = "renews automatically" if self.tool.auto_renew else "may renew automatically"
            notes.append(f"{self.tool.status} but {renews}: cancel before {self.sort_date.isoformat()}")
        if self.deadline is None:
            notes.append("no contract.notice_days: check the contract for the notice period")
        elif self.deadline < self.today:
            notes.append(
                "the cancellation deadline has passed"
                if self.tool.auto_renew is not False
                else "the notice deadline has passed (the contract does not auto-renew)"
            )
        if self.tool.auto_renew is None:
            notes.append("contract.auto_renew not stated")
        return "; ".join(notes) or None


def due(tools: ToolSet, today: date, end: date) -> list[Renewal]:
    """The renewals that matter between today and `end`, earliest deadline first."""
    result = []
    for tool in tools.tools:
        if tool.renewal is None or tool.renewal < today:
            continue
        if not tool.active and tool.auto_renew is False:
            continue
        deadline = tool.renewal - timedelta(days=tool.notice_days) if tool.notice_days is not None else None
        if tool.renewal <= end or (deadline is not None and deadline <= end):
            result.append(Renewal(tool, tool.renewal, deadline, today))
    result.sort(key=lambda r: (r.sort_date, r.renewal, r.tool.id))
    return result


COLUMNS = (
    Column("deadline", "Cancel by"),
    Column("days_to_deadline", "Days left", "right"),
    Column("renewal", "Renews"),
    Column("days_to_renewal", "Days to renewal", "right", drop=5),
    Column("tool", "Tool"),
    Column("status", "Status", drop=3),
    Column("auto_renew", "Auto-renew", drop=2),
    Column("notice_days", "Notice (days)", "right", drop=4),
    Column("annual_cost", "Cost/yr", "right", drop=1),
    Column("currency", "Currency", drop=1),
    Column("owner", "Business owner", drop=3),
    Column("technical_owner", "Technical owner", drop=6),
    Column("department", "Department", drop=6),
    Column("note", "Note"),
)


def renewals_table(
    renewals: list[Renewal], today: date, end: date, source: str = "", skipped: list[str] | None = None
) -> Table:
    rows = []
    for item in renewals:
        tool = item.tool
        rows.append(
            {
                "deadline": item.deadline.isoformat() if item.deadline else None,
                "days_to_deadline": (item.deadline - today).days if item.deadline else None,
                "renewal": item.renewal.isoformat(),
                "days_to_renewal": (item.renewal - today).days,
                "tool": tool.id,
                "status": tool.status,
                "auto_renew": tool.auto_renew,
                "notice_days": tool.notice_days,
                "annual_cost": amount(tool.annual_cost),
                "currency": tool.currency,
                "owner": tool.owner_business,
                "technical_owner": tool.owner_technical,
                "department": tool.department,
                "note": item.note(),
            }
        )
    meta: dict[str, Any] = {"source": source, "today": today.isoformat(), "until": end.isoformat()}
    if skipped:
        meta["skipped"] = skipped
    return Table(COLUMNS, rows, title=f"Renewals and cancellation deadlines until {end.isoformat()}", meta=meta)


def _uid(kind: str, tool: Tool, organization: str) -> str:
    # Stable across runs and date changes: re-importing the file updates the event rather than adding
    # a second one, and a renewal moved by a contract change moves the same event.
    org = re.sub(r"[^a-z0-9]+", "-", organization.lower()).strip("-") or "catalog"
    return f"{kind}-{tool.id}@{org}.martechgate"


def _event(
    kind: str, tool: Tool, day: date, summary: str, description: str, organization: str, stamp: datetime
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", _uid(kind, tool, organization))
    event.add("dtstamp", stamp)
    event.add("dtstart", day)  # a date: an all-day event
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("categories", ["martechgate", kind])
    event.add("transp", "TRANSPARENT")
    return event


def _cost_text(tool: Tool) -> str:
    if tool.annual_cost is None:
        return "annual cost not recorded"
    return f"{amount(tool.annual_cost):,} {tool.currency or ''} a year".replace("  ", " ")


def calendar(renewals: list[Renewal], organization: str, today: date) -> bytes:
    """An iCalendar file: one all-day event per cancellation deadline (with a reminder a week before)
    and one per renewal. DTSTAMP is `today`, so the same catalog and day give the same bytes."""
    cal = icalendar.Calendar()
    cal.add("prodid", ICS_PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{organization} renewals (martechgate)")
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
    for item in renewals:
        tool = item.tool
        owners = ", ".join(o for o in (tool.owner_business, tool.owner_technical) if o) or "not recorded"
        renews = {True: "yes", False: "no", None: "not recorded"}[tool.auto_renew]
        facts = (
            f"{tool.name} ({tool.id}), {_cost_text(tool)}. Owners: {owners}. Auto-renew: {renews}. "
            f"Renews {item.renewal.isoformat()}. Catalog file: {tool.file}."
        )
        if item.deadline is not None:
            event = _event(
                "cancel",
                tool,
                item.deadline,
                f"Cancellation deadline: {tool.name}",
                f"Last day to give {tool.notice_days} days' notice. {facts}",
                organization,
                stamp,
            )
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Cancellation deadline for {tool.name} in a week")
            alarm.add("trigger", timedelta(days=-7))
            event.add_component(alarm)
            cal.add_component(event)
        cal.add_component(_event("renewal", tool, item.renewal, f"Renewal: {tool.name}", facts, organization, stamp))
    ical: bytes = cal.to_ical()
    return ical


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: a reader never sees half a file."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(
            f"cannot write {target}: the folder {folder} does not exist",
            hint="Create the folder first, or name a file in an existing folder.",
        )
    try:
        atomic.replace(target, data)
    except OSError as error:
        raise UsageError(
            f"cannot write {target}: {error.strerror}", hint="Name a file in a folder you can write to."
        ) from error
