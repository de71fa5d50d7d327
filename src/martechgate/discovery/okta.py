"""Okta System Log (`GET /api/v1/logs`, or the same events as NDJSON).

An app sign-in is an event with `eventType` `user.authentication.sso`; the user is
`actor.alternateId` (their login), the app is the `target[]` of type `AppInstance` (its `displayName`,
or `alternateId` where Okta's abridged examples leave the display name out), the time is `published`.
Other event types and unsuccessful outcomes are skipped, and counted.
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

KIND = "okta"
TITLE = "Okta System Log export (JSON array or NDJSON of LogEvents)"
SSO_EVENT = "user.authentication.sso"
_NOT_SSO = Skipped("not an SSO sign-in event")
_FAILED = Skipped("sign-in did not succeed")


def read(path: str) -> Iterator[UsageRow | Skipped | RowProblem]:
    for where, event in JsonRecords(path, None, "an Okta System Log export", record_noun="a LogEvent"):
        if isinstance(event, RowProblem):
            yield event
        elif event.get("eventType") != SSO_EVENT:
            yield _NOT_SSO
        else:
            yield _row(path, where, event)


def _row(path: str, where: str, event: dict[str, Any]) -> UsageRow | Skipped | RowProblem:
    outcome = event.get("outcome")
    if isinstance(outcome, dict) and outcome.get("result") not in (None, "SUCCESS"):
        return _FAILED
    actor = event.get("actor")
    raw_user = actor.get("alternateId") if isinstance(actor, dict) else None
    user = clean_user(raw_user)
    if user is None:
        return RowProblem(path, where, describe_bad_name(raw_user, "actor.alternateId"))
    seen = parse_time(event.get("published"))
    if seen is None:
        return RowProblem(path, where, f"published is not an ISO 8601 time: {event.get('published')!r:.60}")
    targets = event.get("target")
    app = None
    for target in targets if isinstance(targets, list) else ():
        if isinstance(target, dict) and target.get("type") == "AppInstance":
            app = target
            break
    if app is None:
        return RowProblem(path, where, "no target of type AppInstance (the app signed in to)")
    raw_name = app.get("displayName") or app.get("alternateId")
    name = clean_name(raw_name)
    if name is None:
        return RowProblem(path, where, describe_bad_name(raw_name, "the AppInstance's displayName"))
    app_id = app.get("id")
    return UsageRow(KIND, slug(name), name, user, seen, app_ids=(app_id,) if isinstance(app_id, str) and app_id else ())
