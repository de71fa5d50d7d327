"""Google Workspace OAuth token audit (Admin SDK Reports API,
`activity/users/all/applications/token`: an object with an `items` list; or an array, or NDJSON).

Each activity has `actor.email`, `id.time` and `events`; an event's `parameters` carry `app_name`,
`client_id` and, on `authorize` events, `scope` (a `multiValue` list, or one space-separated
`value`). `authorize` and `activity` events are usage; `revoke` and other events are skipped.
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

KIND = "google"
TITLE = "Google Workspace OAuth token audit (Reports API `items`, JSON array or NDJSON)"
USAGE_EVENTS = ("authorize", "activity")
_NOT_USAGE = Skipped("not a token grant or use")


def read(path: str) -> Iterator[UsageRow | Skipped | RowProblem]:
    items = JsonRecords(path, "items", "a Google Workspace token audit export", "events", record_noun="an activity")
    for where, item in items:
        if isinstance(item, RowProblem):
            yield item
        else:
            yield from _rows(path, where, item)


def _parameters(event: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for parameter in event.get("parameters") or ():
        if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
            value = parameter.get("multiValue", parameter.get("value"))
            found[parameter["name"]] = value
    return found


def _scopes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(scope for scope in value if isinstance(scope, str) and scope)
    return ()


def _rows(path: str, where: str, item: dict[str, Any]) -> Iterator[UsageRow | Skipped | RowProblem]:
    actor = item.get("actor")
    raw_user = actor.get("email") if isinstance(actor, dict) else None
    user = clean_user(raw_user)
    ident = item.get("id")
    raw_time = ident.get("time") if isinstance(ident, dict) else None
    seen = parse_time(raw_time)
    events = item.get("events")
    if not isinstance(events, list) or not events:
        yield RowProblem(path, where, "no events list")
        return
    for number, event in enumerate(events):
        here = f"{where}.events[{number}]"
        if not isinstance(event, dict):
            yield RowProblem(path, here, f"an event is a JSON object, not {type(event).__name__}")
            continue
        if event.get("name") not in USAGE_EVENTS:
            yield _NOT_USAGE
            continue
        if user is None:
            yield RowProblem(path, here, describe_bad_name(raw_user, "actor.email"))
            continue
        if seen is None:
            yield RowProblem(path, here, f"id.time is not an ISO 8601 time: {raw_time!r:.60}")
            continue
        parameters = _parameters(event)
        raw_name = parameters.get("app_name")
        client_id = parameters.get("client_id")
        name = clean_name(raw_name) or clean_name(client_id)  # unnamed apps are known by client id
        if name is None:
            yield RowProblem(path, here, describe_bad_name(raw_name, "app_name (and client_id)"))
            continue
        yield UsageRow(
            KIND,
            slug(name),
            name,
            user,
            seen,
            app_ids=(client_id,) if isinstance(client_id, str) and client_id else (),
            scopes=_scopes(parameters.get("scope")),
        )
