"""Exceptions (waivers) in an entry: which are valid, which are invalid, which have expired.

One function judges them, so the two exception rules and the engine's waiving agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from martechgate.check import identity
from martechgate.check.model import Entry, Waiver
from martechgate.sources.yamlload import Path

if TYPE_CHECKING:
    from martechgate.check.catalog import Catalog

MAX_DAYS_AHEAD = 365
REQUIRED = ("rule", "reason", "approved_by", "expires")


@dataclass(frozen=True)
class Judged:
    index: int
    waiver: Waiver | None  # set only when the exception is valid
    problem: str | None = None  # "exception-invalid" or "exception-expired"
    path: Path = ()
    message: str = ""
    missing: bool = False


def judge(catalog: Catalog, entry: Entry) -> list[Judged]:
    data = entry.data
    if data is None or not isinstance(data.get("exceptions"), list):
        return []
    owners = data.get("owners")
    owners = owners if isinstance(owners, dict) else {}
    # Every mailbox an owner's value names, however written: the owner never approves their own waiver.
    owner_mailboxes = set().union(*(identity.mailboxes(owners.get(role)) for role in ("business", "technical")))
    results = []
    for index, item in enumerate(data["exceptions"]):
        base: Path = ("exceptions", index)

        def invalid(
            message: str, field: str | None = None, *, missing: bool = False, index: int = index, base: Path = base
        ) -> Judged:
            path = (*base, field) if field else base
            return Judged(index, None, "exception-invalid", path, message, missing)

        if not isinstance(item, dict):
            results.append(
                invalid("the exception must be written as fields: rule, reason, approved_by, ticket, expires")
            )
            continue
        absent = [key for key in REQUIRED if item.get(key) in (None, "")]
        if absent:
            results.append(
                invalid(
                    f"the exception has no {absent[0]}; an exception names the rule, the "
                    "reason, who approved it and when it expires",
                    absent[0],
                    missing=True,
                )
            )
            continue
        rule = item["rule"]
        if not isinstance(rule, str):
            results.append(invalid(f"rule is {_kind(rule)}; write one rule's id, such as pii-requires-sso", "rule"))
            continue
        if rule not in catalog.rule_ids:
            results.append(
                invalid(
                    f"the exception names the rule {rule!r}, which does not exist (`martechgate rules` lists them)",
                    "rule",
                )
            )
            continue
        if catalog.enforcement_of.get(rule) == "hard":
            results.append(
                invalid(f"{rule} is a hard rule: it cannot be waived by an exception; fix the entry instead", "rule")
            )
            continue
        written = item["approved_by"]
        approver = identity.canonical_email(written)
        if approver is None:
            shown = repr(written) if isinstance(written, str) else _kind(written)
            results.append(
                invalid(f"approved_by is {shown}; write the approver's email address as {identity.FORM}", "approved_by")
            )
            continue
        if approver in owner_mailboxes:
            results.append(
                invalid(f"{approver} owns this tool and cannot approve its own exception; ask security", "approved_by")
            )
            continue
        try:
            expires = date.fromisoformat(str(item["expires"]))
        except ValueError:
            results.append(invalid(f"expires is {item['expires']!r}; write a date as YYYY-MM-DD", "expires"))
            continue
        if expires > catalog.today + timedelta(days=MAX_DAYS_AHEAD):
            results.append(
                invalid(
                    f"the exception expires {expires}, more than {MAX_DAYS_AHEAD} days after "
                    f"today ({catalog.today}); exceptions are time-limited",
                    "expires",
                )
            )
            continue
        if expires < catalog.today:
            results.append(
                Judged(
                    index,
                    None,
                    "exception-expired",
                    (*base, "expires"),
                    f"the exception for {rule} expired on {expires}, so the finding it waived blocks again",
                )
            )
            continue
        ticket = item.get("ticket")
        results.append(
            Judged(
                index,
                Waiver(
                    rule,
                    approver,
                    str(ticket) if ticket is not None else None,
                    expires.isoformat(),
                    str(item["reason"]),
                ),
            )
        )
    return results


def _kind(value: object) -> str:
    """What a value that should be text is, in words."""
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}, not text"
