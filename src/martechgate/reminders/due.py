"""What needs someone soon: reviews due, evidence and exceptions expiring, known findings of the
baseline coming due, cancellation deadlines and renewals, proposals left waiting. Each item names the
tool, the date, who owns it, and what to do.

An item is listed when its date is on or before the end of the window (`--within`, from today), so an
overdue one stays listed until someone acts. A proposal is listed when it has waited longer than
`proposal_days` since its file was first committed (read from git; outside git, proposals are not
listed and the result says so). Retired and denied tools need no review, evidence or exception; their
contracts are still listed when they may renew by themselves (see vendors/renewals.py).

Every item has a stable `key` (kind, tool and what it is about, never the date): `due --github` finds
its issue again by that key, so a date moved in the entry updates the same issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from martechgate.check.baseline import BASELINE_FILE, Baseline
from martechgate.check.catalog import Catalog
from martechgate.check.model import get
from martechgate.errors import RepoError
from martechgate.formats.tables import Column, Table
from martechgate.sources.git import Git, path_text
from martechgate.sources.repo import CATALOG_DIR
from martechgate.vendors import renewals as renewals_report
from martechgate.vendors.tools import INACTIVE, read_tools

KINDS = ("review", "evidence", "exception", "baseline", "cancellation", "renewal", "proposal")
DEFAULT_PROPOSAL_DAYS = 14


@dataclass(frozen=True)
class Item:
    kind: str  # one of KINDS
    key: str  # stable across runs and date changes: kind/tool/subject
    tool: str
    name: str
    file: str
    when: date
    days: int  # from today: negative when overdue
    what: str  # one sentence: what is due
    action: str  # what to do about it
    owners: tuple[str, ...]

    @property
    def overdue(self) -> bool:
        return self.days < 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "tool": self.tool,
            "name": self.name,
            "file": self.file,
            "date": self.when.isoformat(),
            "days": self.days,
            "overdue": self.overdue,
            "what": self.what,
            "action": self.action,
            "owners": list(self.owners),
        }


@dataclass(frozen=True)
class DueReport:
    today: date
    until: date
    items: list[Item]
    notes: list[str]  # what could not be looked at, and why


def _key_part(value: Any) -> str:
    """A part of an item's key: catalog text reduced to what a hidden marker may safely hold."""
    return re.sub(r"[^a-z0-9-]+", "-", str(value).lower()).strip("-")[:60] or "unnamed"


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _owners(data: dict[str, Any]) -> tuple[str, ...]:
    found = []
    for role in ("business", "technical"):
        value = get(data, "owners", role)
        values = value if isinstance(value, list) else [value]
        found += [v for v in values if isinstance(v, str) and v]
    return tuple(dict.fromkeys(found))


def _when(days: int) -> str:
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} ago"
    if days == 0:
        return "today"
    return f"in {days} day{'s' if days != 1 else ''}"


def first_added(repo: Path) -> dict[str, date] | None:
    """The day each catalog file was first committed on HEAD, from one `git log`; None outside git
    (or before the first commit). A shallow clone gives later days: the workflow fetches full history."""
    try:
        git = Git(repo)
        if git.head() is None:
            return None
        out = git.run(
            "log",
            "-z",
            "--diff-filter=A",
            "--format=%x01%cs",
            "--name-only",
            "--no-renames",
            "HEAD",
            "--",
            *git.pathspec(CATALOG_DIR),
        )
    except RepoError:
        return None
    added: dict[str, date] = {}
    for block in out.split(b"\x01")[1:]:
        day_text, _, names = block.partition(b"\0")  # "%x01DAY\0\nNAME\0NAME\0..."
        day = _date(day_text.decode("ascii", "replace").strip())
        for raw in names.lstrip(b"\n").split(b"\0"):
            name = git.local(path_text(raw)) if raw else None
            if day is not None and name is not None:
                added[name] = day  # the log is newest first: the last one seen is the first added
    return added


def collect(
    catalog: Catalog,
    today: date,
    until: date,
    *,
    added: dict[str, date] | None,
    proposal_days: int = DEFAULT_PROPOSAL_DAYS,
    baseline: Baseline | None = None,
) -> DueReport:
    """Every item due on or before `until` (see the module docstring); `added` from first_added()."""
    items: list[Item] = []
    notes: list[str] = []

    def add(kind: str, subject: str, data: dict[str, Any], file: str, when: date, what: str, action: str) -> None:
        tool = str(data.get("id"))
        days = (when - today).days
        items.append(
            Item(
                kind,
                f"{kind}/{_key_part(tool)}/{_key_part(subject)}",
                tool,
                str(data.get("name") or tool),
                file,
                when,
                days,
                what.format(when=_when(days), date=when.isoformat()),
                action,
                _owners(data),
            )
        )

    for entry in catalog.entries:
        data = entry.data
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            continue
        status = data.get("status")
        in_use = status not in INACTIVE
        next_review = _date(get(data, "review", "next_review"))
        if in_use and status != "proposed" and next_review is not None and next_review <= until:
            add(
                "review",
                "next",
                data,
                entry.file,
                next_review,
                "Review due {when} ({date})",
                "Review the tool with its owners and reviewers, then set review.last_reviewed and "
                "review.next_review in the entry.",
            )
        evidence = get(data, "security", "evidence")
        for item in evidence if isinstance(evidence, list) and in_use else []:
            expires = _date(item.get("expires")) if isinstance(item, dict) else None
            if expires is None or expires > until:
                continue
            kind_of = str(item.get("type") or "evidence")
            add(
                "evidence",
                kind_of,
                data,
                entry.file,
                expires,
                f"{kind_of} evidence expires {{when}} ({{date}})",
                "Ask the vendor for the current report (most publish it in a trust centre) and update "
                "security.evidence.",
            )
        exceptions = data.get("exceptions")
        for item in exceptions if isinstance(exceptions, list) and in_use else []:
            expires = _date(item.get("expires")) if isinstance(item, dict) else None
            if expires is None or expires > until:
                continue
            rule = str(item.get("rule") or "a rule")
            add(
                "exception",
                rule,
                data,
                entry.file,
                expires,
                f"Exception to {rule} expires {{when}} ({{date}})",
                "Fix what the rule asks for, or ask the approver to renew the exception with a new expiry.",
            )
        if status == "proposed":
            first = added.get(entry.file) if added is not None else None
            if first is not None and (today - first).days > proposal_days:
                waiting = (today - first).days
                items.append(
                    Item(
                        "proposal",
                        f"proposal/{_key_part(data['id'])}/waiting",
                        str(data["id"]),
                        str(data.get("name") or data["id"]),
                        entry.file,
                        first,
                        -waiting,
                        f"Proposed {waiting} days ago ({first.isoformat()}) and still waiting for a decision",
                        "Reviewers: approve, deny or ask for changes; owners: answer the open findings.",
                        _owners(data),
                    )
                )
    by_id = {entry.data.get("id"): entry.data for entry in catalog.entries if isinstance(entry.data, dict)}
    for known in baseline.items if baseline is not None else ():
        if known.due > until:
            continue
        # The owner the baseline names answers for the item, whoever owns the tool.
        data = {**(by_id.get(known.entry) or {"id": known.entry or "catalog"}), "owners": {"business": known.owner}}
        where = f" at {known.path}" if known.path else ""
        add(
            "baseline",
            f"{known.rule}:{known.path or ''}",
            data,
            BASELINE_FILE,
            known.due,
            f"Known finding {known.rule}{where} is due {{when}} ({{date}}); after that it blocks",
            f"Fix what {known.rule} asks for and re-run `martechgate baseline`, or agree a new due date in "
            f"{BASELINE_FILE} in a pull request the governance reviewers approve.",
        )
    if added is None:
        notes.append("proposals waiting: not listed, the repo's git history could not be read")
    tools = read_tools(catalog)
    for renewal in renewals_report.due(tools, today, until):
        tool = renewal.tool
        data = by_id.get(tool.id) or {"id": tool.id, "name": tool.name}
        if renewal.deadline is not None:
            add(
                "cancellation",
                "notice",
                data,
                tool.file,
                renewal.deadline,
                f"Last day to cancel {{when}} ({{date}}): {tool.notice_days} days' notice before "
                f"the renewal on {renewal.renewal.isoformat()}",
                "Decide whether to keep the tool; to stop or renegotiate, give notice before this date.",
            )
        if renewal.renewal <= until:
            add(
                "renewal",
                "contract",
                data,
                tool.file,
                renewal.renewal,
                "Contract renews {when} ({date})",
                "Check seats and cost against use before it renews; update contract.renewal afterwards.",
            )
    notes += [str(skipped) for skipped in tools.skipped]
    items.sort(key=lambda item: (item.when, KINDS.index(item.kind), item.tool, item.key))
    return DueReport(today, until, items, notes)


def within(window: str, today: date) -> date:
    """The window's last day (`30d`, `8w`, `6m`, `1y`), as renewals reads it."""
    return renewals_report.window_end(window, today)


COLUMNS = (
    Column("date", "Date"),
    Column("days", "Days", "right"),
    Column("kind", "Kind"),
    Column("tool", "Tool"),
    Column("what", "What"),
    Column("owners", "Owners", drop=1),
    Column("action", "What to do", drop=2),
)


def due_table(report: DueReport, source: str = "") -> Table:
    meta: dict[str, Any] = {"source": source, "today": report.today.isoformat(), "until": report.until.isoformat()}
    if report.notes:
        meta["notes"] = report.notes
    rows = [item.as_dict() for item in report.items]
    return Table(COLUMNS, rows, title=f"Due until {report.until.isoformat()}", meta=meta)
