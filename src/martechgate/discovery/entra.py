"""Microsoft Entra ID sign-in logs (Graph `GET /auditLogs/signIns`: an object with a `value` list;
the portal's JSON download: an array; or NDJSON).

The user is `userPrincipalName`, the app `appDisplayName` (its `appId` is kept for exact matching),
the time `createdDateTime`. A sign-in whose `status.errorCode` is not 0 did not happen, and is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from martechgate.check.names import slug
from martechgate.discovery.streams import JsonRecords
from martechgate.discovery.usage import (
    RowProblem,
    Skipped,
    UsageRow,
    clean_name,
    clean_user,
    describe_bad_name,
    parse_time,
)

KIND = "entra"
TITLE = "Microsoft Entra sign-in logs (Graph `value` list, JSON array or NDJSON)"
_FAILED = Skipped("sign-in failed")


def read(path: str) -> Iterator[UsageRow | Skipped | RowProblem]:
    records = JsonRecords(path, "value", "an Entra sign-in export", "createdDateTime", record_noun="a signIn")
    for where, record in records:
        if isinstance(record, RowProblem):
            yield record
        else:
            yield _row(path, where, record)


def _row(path: str, where: str, record: dict[str, Any]) -> UsageRow | Skipped | RowProblem:
    status = record.get("status")
    if isinstance(status, dict) and status.get("errorCode") not in (None, 0):
        return _FAILED
    raw_user = record.get("userPrincipalName")
    user = clean_user(raw_user)
    if user is None:
        return RowProblem(path, where, describe_bad_name(raw_user, "userPrincipalName"))
    seen = parse_time(record.get("createdDateTime"))
    if seen is None:
        return RowProblem(
            path, where, f"createdDateTime is not an ISO 8601 time: {record.get('createdDateTime')!r:.60}"
        )
    raw_name = record.get("appDisplayName")
    name = clean_name(raw_name)
    if name is None:
        return RowProblem(path, where, describe_bad_name(raw_name, "appDisplayName"))
    app_id = record.get("appId")
    return UsageRow(
        KIND, slug(name), name, user, seen, app_ids=(app_id.lower(),) if isinstance(app_id, str) and app_id else ()
    )
