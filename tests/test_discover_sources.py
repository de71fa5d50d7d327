"""The JSON exports, read in each documented shape: the vendors' own examples and generated files."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from martechgate.discovery import entra, google, okta
from martechgate.discovery.usage import RowProblem, Skipped, UsageRow
from martechgate.errors import UsageError
from tests.conftest import FIXTURES


def sso_event(
    user: str = "ann@example.com", app: str = "Canva", when: str = "2026-05-01T10:00:00.000Z", **changes: Any
) -> dict[str, Any]:
    """An Okta user.authentication.sso event, shaped like Okta's published example."""
    event = json.loads((FIXTURES / "okta-system-log-sso.json").read_text())[0]
    event["actor"]["alternateId"] = user
    event["published"] = when
    event["target"][0]["displayName"] = app
    event.update(changes)
    return event


def signin(user: str = "ann@example.com", app: str = "Canva", **changes: Any) -> dict[str, Any]:
    record = json.loads((FIXTURES / "entra-signins.json").read_text())["value"][0]
    record.update({"userPrincipalName": user, "appDisplayName": app, **changes})
    return record


def token_item(
    user: str = "ann@example.com",
    app: str = "Zapier",
    name: str = "authorize",
    scopes: list[str] | None = None,
    when: str = "2026-05-01T10:00:00Z",
) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": "app_name", "value": app},
        {"name": "client_id", "value": "123.apps.googleusercontent.com"},
    ]
    if scopes is not None:
        parameters.append({"name": "scope", "multiValue": scopes})
    return {
        "kind": "admin#reports#activity",
        "id": {"time": when, "applicationName": "token"},
        "actor": {"email": user},
        "events": [{"type": "auth", "name": name, "parameters": parameters}],
    }


def split(items: list[Any]) -> tuple[list[UsageRow], list[Skipped], list[RowProblem]]:
    return (
        [i for i in items if isinstance(i, UsageRow)],
        [i for i in items if isinstance(i, Skipped)],
        [i for i in items if isinstance(i, RowProblem)],
    )


def write(tmp_path: Path, name: str, content: Any) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


# --- the vendors' own examples -------------------------------------------------------------------------


def test_okta_published_sso_example_is_one_usage_row() -> None:
    rows, skipped, problems = split(list(okta.read(str(FIXTURES / "okta-system-log-sso.json"))))
    assert not problems and not skipped
    (row,) = rows
    # The abridged example has no displayName on the AppInstance: its alternateId names the app.
    assert (row.app_name, row.app_key, row.user) == (
        "Workplace by Facebook",
        "workplace-by-facebook",
        "some.user@oktaprise.com",
    )
    assert row.seen == datetime(2017, 4, 12, 20, 55, 53, 515000, tzinfo=UTC)
    assert row.app_ids == ("0oa1a35nndfI7w1yp1d8",)


def test_okta_list_example_is_a_session_start_and_is_skipped_not_dropped() -> None:
    rows, skipped, problems = split(list(okta.read(str(FIXTURES / "okta-system-log-list.json"))))
    assert rows == [] and problems == []
    assert [s.reason for s in skipped] == ["not an SSO sign-in event"]


def test_entra_published_example() -> None:
    rows, _, problems = split(list(entra.read(str(FIXTURES / "entra-signins.json"))))
    assert not problems
    (row,) = rows
    assert (row.app_name, row.user, row.app_ids) == (
        "Azure Portal",
        "jdoe@contoso.com",
        ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c",),
    )
    assert row.seen.isoformat() == "2018-11-06T18:48:33.852714+00:00"  # seven fractional digits read


def test_google_published_example_activity_event() -> None:
    rows, _, problems = split(list(google.read(str(FIXTURES / "google-token-activity.json"))))
    assert not problems
    (row,) = rows
    assert (row.app_name, row.user, row.app_ids, row.scopes) == (
        "Chrome Browser Postman",
        "test@example.com",
        ("423.apps.googleusercontent.com",),
        (),
    )


# --- generated files in each shape ---------------------------------------------------------------------


def test_okta_array_and_ndjson_give_the_same_rows(tmp_path: Path) -> None:
    events = [sso_event("Ann@Example.com"), sso_event("bob@example.com", app="Notion")]
    array = write(tmp_path, "a.json", events)
    lines = write(tmp_path, "a.ndjson", "\n".join(json.dumps(e) for e in events) + "\n\n")
    from_array = split(list(okta.read(array)))[0]
    from_lines = split(list(okta.read(lines)))[0]
    assert [(r.user, r.app_name) for r in from_array] == [("ann@example.com", "Canva"), ("bob@example.com", "Notion")]
    assert from_array == from_lines


def test_okta_ndjson_line_may_hold_a_page_array(tmp_path: Path) -> None:
    page = json.dumps([sso_event(), sso_event(app="Notion")])
    path = write(tmp_path, "pages.ndjson", page + "\n" + json.dumps(sso_event(app="Miro")) + "\n")
    rows, _, problems = split(list(okta.read(path)))
    assert [r.app_name for r in rows] == ["Canva", "Notion", "Miro"] and not problems


def test_okta_malformed_records_are_reported_with_their_index(tmp_path: Path) -> None:
    no_actor = sso_event()
    del no_actor["actor"]
    bad_time = sso_event(when="yesterday")
    no_app = sso_event()
    no_app["target"] = [{"type": "AppUser", "displayName": "x"}]
    huge = sso_event(app="x" * 100_000)
    failed = sso_event(outcome={"result": "FAILURE", "reason": "INVALID_CREDENTIALS"})
    path = write(tmp_path, "bad.json", [sso_event(), no_actor, 42, bad_time, no_app, huge, failed])
    rows, skipped, problems = split(list(okta.read(path)))
    assert len(rows) == 1
    assert [s.reason for s in skipped] == ["sign-in did not succeed"]
    assert [(p.where, p.reason.split(" ")[0]) for p in problems] == [
        ("[1]", "no"),
        ("[2]", "a"),
        ("[3]", "published"),
        ("[4]", "no"),
        ("[5]", "the"),
    ]
    assert "100,000 characters" in problems[-1].reason
    assert all(p.file == path for p in problems)


def test_ndjson_bad_line_is_reported_by_line_number_and_reading_goes_on(tmp_path: Path) -> None:
    good = json.dumps(sso_event())
    path = write(tmp_path, "x.ndjson", f'{good}\n{{"eventType": \n{good}\n')
    rows, _, problems = split(list(okta.read(path)))
    assert len(rows) == 2
    assert [(p.where, p.reason[:8]) for p in problems] == [("line 2", "not JSON")]


def test_entra_graph_object_array_and_ndjson(tmp_path: Path) -> None:
    records = [signin(), signin("bob@example.com", "Miro", status={"errorCode": 50126})]
    shapes = {
        "graph.json": {"@odata.context": "x", "value": records},
        "portal.json": records,
        "lines.ndjson": "\n".join(json.dumps(r) for r in records),
    }
    for name, content in shapes.items():
        rows, skipped, problems = split(list(entra.read(write(tmp_path, name, content))))
        assert [(r.user, r.app_name) for r in rows] == [("ann@example.com", "Canva")], name
        assert [s.reason for s in skipped] == ["sign-in failed"] and not problems


def test_entra_graph_object_on_one_line_is_not_mistaken_for_ndjson(tmp_path: Path) -> None:
    path = write(tmp_path, "one-line.json", json.dumps({"value": [signin(), signin(app="Miro")]}))
    assert len(split(list(entra.read(path)))[0]) == 2


def test_entra_malformed_record_named_by_value_index(tmp_path: Path) -> None:
    path = write(tmp_path, "e.json", {"value": [signin(), signin(appDisplayName=None), "text"]})
    _, _, problems = split(list(entra.read(path)))
    assert [(p.where, p.reason) for p in problems] == [
        ("value[1]", "no appDisplayName"),
        ("value[2]", "a signIn is a JSON object, not str"),
    ]


def test_empty_graph_page_is_fine(tmp_path: Path) -> None:
    assert list(entra.read(write(tmp_path, "e.json", {"@odata.context": "x", "value": []}))) == []


def test_google_authorize_scopes_and_revoke(tmp_path: Path) -> None:
    items = [
        token_item(scopes=["https://mail.google.com/", "openid"]),
        token_item("bob@example.com", name="revoke"),
        {"actor": {"email": "c@example.com"}, "id": {"time": "2026-01-01T00:00:00Z"}, "events": "no"},
    ]
    path = write(tmp_path, "g.json", {"kind": "admin#reports#activities", "items": items})
    rows, skipped, problems = split(list(google.read(path)))
    assert [(r.app_name, r.scopes) for r in rows] == [("Zapier", ("https://mail.google.com/", "openid"))]
    assert [s.reason for s in skipped] == ["not a token grant or use"]
    assert [(p.where, p.reason) for p in problems] == [("items[2]", "no events list")]


def test_google_scope_as_space_separated_value(tmp_path: Path) -> None:
    item = token_item()
    item["events"][0]["parameters"].append({"name": "scope", "value": "email https://www.googleapis.com/auth/drive"})
    rows = split(list(google.read(write(tmp_path, "g.ndjson", json.dumps(item) + "\n"))))[0]
    assert rows[0].scopes == ("email", "https://www.googleapis.com/auth/drive")


@pytest.mark.parametrize(
    ("reader", "content", "message"),
    [
        (okta.read, "<html>Sign in</html>", "does not start with JSON"),
        (okta.read, "", "the file is empty"),
        (okta.read, '{\n  "value": []\n}', "one JSON object spread over several lines"),
        (entra.read, '{\n  "items": []\n}', "it has no `value` list (top-level keys: `items`)"),
        (google.read, '{\n  "value": [1]\n}', "it has no `items` list"),
        (okta.read, '[{"eventType": "user.authentication.sso"}, {"eventType": ', "breaks after [0]"),
        (entra.read, '{"value": [{"a": 1} {"b": 2}]}', "is not valid JSON"),
    ],
)
def test_whole_file_that_is_not_the_export_is_an_error(tmp_path: Path, reader: Any, content: str, message: str) -> None:
    path = write(tmp_path, "wrong.json", content)
    with pytest.raises(UsageError) as caught:
        list(reader(path))
    assert message in str(caught.value)
    assert caught.value.exit_code == 2 and caught.value.hint


def test_byte_order_mark_before_json(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.json", b"\xef\xbb\xbf" + json.dumps([sso_event()]).encode())
    assert len(split(list(okta.read(path)))[0]) == 1


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        list(okta.read(str(tmp_path / "nope.json")))


def test_overlong_ndjson_line_is_reported_and_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from martechgate.discovery import streams

    monkeypatch.setattr(streams, "MAX_LINE", 2000)  # the real limit is 16 MiB; the logic is the same
    long_event = sso_event(app="Canva", padding="y" * 5000)
    events = (sso_event(), long_event, sso_event())
    path = write(tmp_path, "long.ndjson", "\n".join(json.dumps(e) for e in events))
    rows, _, problems = split(list(okta.read(path)))
    assert len(rows) == 2
    assert [(p.where, p.reason) for p in problems] == [("line 2", "the line is over 2,000 bytes")]


# --- the streaming scanner at buffer boundaries -------------------------------------------------------

records_strategy = st.lists(
    st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.one_of(
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=30),
            st.booleans(),
            st.none(),
            st.lists(st.integers(), max_size=3),
        ),
        max_size=4,
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(records=records_strategy, indent=st.sampled_from([None, 0, 2]), chunk=st.integers(1, 17), wrapped=st.booleans())
def test_scanner_reads_any_array_whatever_the_buffer_size(
    records: list[dict[str, Any]], indent: int | None, chunk: int, wrapped: bool
) -> None:
    from martechgate.discovery import streams

    document: Any = records
    if wrapped:
        document = {"@odata.context": "x", "value": records, "after": [1, {"b": "]"}]}
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    original = streams._CHUNK
    streams._CHUNK = chunk  # tiny buffers put every boundary inside numbers, strings and UTF-8 sequences
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "x.json"
            path.write_bytes(text.encode("utf-8"))
            label = "value" if wrapped else ""
            scanner = streams.JsonRecords(str(path), "value", "a test export")
            with open(path, "rb") as handle:
                got = [record for _, record in scanner._array(handle, label)]
    finally:
        streams._CHUNK = original
    assert got == records


def test_json_that_is_not_utf8_is_a_whole_file_error(tmp_path: Path) -> None:
    text = json.dumps([sso_event(app="Café")], ensure_ascii=False)
    path = write(tmp_path, "latin.json", text.encode("latin-1"))
    with pytest.raises(UsageError, match="not UTF-8"):
        list(okta.read(path))


def test_record_over_the_limit_is_a_whole_file_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from martechgate.discovery import streams

    monkeypatch.setattr(streams, "MAX_RECORD", 5000)
    monkeypatch.setattr(streams, "_CHUNK", 1000)
    path = write(tmp_path, "big.json", json.dumps([sso_event(), sso_event(padding="z" * 20_000)]))
    with pytest.raises(
        UsageError,
        match=r"breaks after \[0\] \(Unterminated string .*, and the record "
        r"does not end within 5,000 characters\)",
    ):
        list(okta.read(path))


def test_trailing_garbage_after_the_array(tmp_path: Path) -> None:
    path = write(tmp_path, "x.json", json.dumps([sso_event()], indent=2) + "\n]")
    with pytest.raises(UsageError, match="more data after the end"):
        list(okta.read(path))


def test_control_characters_in_names_never_reach_the_terminal(tmp_path: Path) -> None:
    path = write(tmp_path, "x.json", [sso_event(app="Evil\x1b[2JApp", user="a\x07@x.com")])
    (row,) = split(list(okta.read(path)))[0]
    assert (row.app_name, row.user) == ("Evil [2JApp", "a @x.com")


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300), reader=st.sampled_from([okta.read, entra.read, google.read]))
def test_any_bytes_give_records_problems_or_a_usage_error_never_a_crash(body: bytes, reader: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.json"
        path.write_bytes(body)
        try:
            for item in reader(str(path)):
                assert isinstance(item, UsageRow | Skipped | RowProblem)
        except UsageError:
            pass


@settings(max_examples=200, deadline=None)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "value",
                        "items",
                        "actor",
                        "events",
                        "target",
                        "published",
                        "eventType",
                        "id",
                        "parameters",
                        "name",
                        "time",
                        "x",
                    ]
                ),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    ),
    reader=st.sampled_from([okta.read, entra.read, google.read]),
)
def test_any_json_shape_gives_records_problems_or_a_usage_error(value: Any, reader: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shape.json"
        path.write_text(json.dumps(value), encoding="utf-8")
        try:
            for item in reader(str(path)):
                assert isinstance(item, UsageRow | Skipped | RowProblem)
        except UsageError:
            pass
