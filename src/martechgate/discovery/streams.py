"""Reading large exports record by record, in bounded memory.

JSON exports come in three shapes: a top-level array (Okta `GET /api/v1/logs`, the Entra portal's
download), an object whose list is one key (Graph's `value`, the Reports API's `items`), and NDJSON,
one object per line (log shippers, SIEM exports). Arrays and objects are parsed incrementally by
ijson (its C backend, yajl2_c, when installed); NDJSON and CSV are read line by line. A line longer
than the limit is reported as malformed and skipped without being held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

import ijson

from martechgate.discovery.usage import RowProblem
from martechgate.errors import UsageError

BOM = b"\xef\xbb\xbf"
MAX_LINE = 16 * 1024 * 1024  # one NDJSON record; Okta events are a few kilobytes
_PEEK = 64 * 1024


class TooLong:
    """Stands for a line over the limit (its bytes were skipped, never held)."""


TOO_LONG = TooLong()


def lines(handle: IO[bytes], limit: int = MAX_LINE) -> Iterator[tuple[int, bytes | TooLong]]:
    """(line number, bytes with their line ending) for each line; TOO_LONG for a line over `limit`."""
    number = 0
    readline = handle.readline
    while True:
        line = readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the line in pieces
                chunk = readline(1 << 20)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield number, TOO_LONG
            continue
        yield number, line


def open_binary(path: str) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}",
                         hint="Check the file name and that you may read it.") from None


class JsonRecords:
    """The records of a JSON export as (where, record) pairs, whatever its shape.

    `container` is the key holding the list in the object form (`value`, `items`); None when the
    source has no object form. Records are yielded as parsed (the reader judges them), or as a
    RowProblem where an NDJSON line is not JSON.
    """

    def __init__(self, path: str, container: str | None, what: str, record_key: str = "") -> None:
        self.path = path
        self.container = container
        self.record_key = record_key  # a key every record has: tells a record from a response
        self.what = what  # "an Okta System Log export", for messages

    def _shape_error(self, found: str) -> UsageError:
        expected = "a JSON array of records, or one JSON object per line (NDJSON)"
        if self.container:
            expected = f"a JSON object with a `{self.container}` list, " + expected
        return UsageError(f"{self.path} is not {self.what}: {found}",
                          hint=f"Expected {expected}. Check that the right file was given to the right "
                               "option.")

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        with open_binary(self.path) as handle:
            head = handle.read(_PEEK)
            start = len(BOM) if head.startswith(BOM) else 0
            stripped = head[start:].lstrip()
            if not stripped:
                raise self._shape_error("the file is empty")
            first = stripped[:1]
            handle.seek(start)
            if first not in (b"[", b"{"):
                raise self._shape_error(f"it does not start with JSON (first character {first!r})")
            if self._is_ndjson(handle, start):
                yield from self._ndjson(handle)
            elif first == b"[":
                yield from self._array(handle, "item", "")
            elif self.container:
                yield from self._array(handle, f"{self.container}.item", self.container)
            else:
                raise self._shape_error("it is one JSON object spread over several lines")

    def _is_ndjson(self, handle: IO[bytes], start: int) -> bool:
        """One JSON value per line: the first line is a whole value (not the wrapper object), and
        another line follows it (a minified array or Graph page is one value on one line)."""
        first_line = handle.readline(MAX_LINE)
        rest = handle.read(_PEEK).strip()
        handle.seek(start)
        try:
            value = json.loads(first_line)
        except ValueError:
            return False  # a pretty-printed or very long value spans more than the line read
        if isinstance(value, dict) and self.container:
            # A lone one-line object is a one-record NDJSON file only if it looks like a record; else it
            # is a whole response (with its list under another key, or from another API).
            return self.container not in value and (bool(rest) or self.record_key in value)
        return isinstance(value, dict) or (isinstance(value, list) and bool(rest))

    def _array(self, handle: IO[bytes], prefix: str, label: str) -> Iterator[tuple[str, Any]]:
        index = -1
        try:
            for index, record in enumerate(ijson.items(handle, prefix, use_float=True)):
                yield f"{label}[{index}]", record
        except ijson.JSONError as error:
            after = f"after {label}[{index}]" if index >= 0 else "before the first record"
            raise UsageError(f"{self.path} is not valid JSON: it breaks {after} ({_short(error)}); "
                             "nothing after that point could be read",
                             hint="Export the file again; a truncated download is the usual cause.") from None
        if index < 0 and label:
            self._check_empty_container(handle)

    def _check_empty_container(self, handle: IO[bytes]) -> None:
        """No record under `container`: fine when it is an empty list, a wrong file otherwise."""
        handle.seek(0)
        data = handle.read(len(BOM))
        handle.seek(len(BOM) if data == BOM else 0)
        keys = []
        try:
            for prefix, event, value in ijson.parse(handle):
                if prefix == "" and event == "map_key":
                    keys.append(value)
                elif prefix == self.container and event == "start_array":
                    return
        except ijson.JSONError:
            pass
        shown = ", ".join(f"`{key}`" for key in keys[:8]) or "none"
        raise self._shape_error(f"it has no `{self.container}` list (top-level keys: {shown})")

    def _ndjson(self, handle: IO[bytes]) -> Iterator[tuple[str, Any]]:
        loads = json.loads
        for number, line in lines(handle, MAX_LINE):
            if isinstance(line, TooLong):
                yield f"line {number}", RowProblem(self.path, f"line {number}",
                                                   f"the line is over {MAX_LINE:,} bytes")
                continue
            if not line.strip():
                continue
            try:
                value = loads(line)
            except ValueError as error:
                yield f"line {number}", RowProblem(self.path, f"line {number}", f"not JSON ({_short(error)})")
                continue
            if isinstance(value, list):  # a page of records on one line
                for index, record in enumerate(value):
                    yield f"line {number} [{index}]", record
            else:
                yield f"line {number}", value


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
