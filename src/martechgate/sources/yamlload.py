"""YAML text -> plain values, with the line and column of every key and value.

Built on libyaml's C *event* parser rather than its composer or constructor, for four reasons:
- the composer recurses in C and a deeply nested file could exhaust the stack; events are flat, so
  depth is bounded here with a clear message;
- aliases are counted as they are met, so a "billion laughs" file is refused after a fixed number of
  values, without ever being expanded;
- duplicate keys are seen at the second key (the constructor silently keeps the last);
- scalars are resolved with the YAML 1.2 core schema: `country: NO` stays the text "NO" (YAML 1.1
  would read it as false), `yes`/`on` stay text, and dates stay ISO text ("2026-06-30"), which is
  what JSON Schema's `format: date` and the JSON report want.

Only plain data is built: any tag that would construct an object (`!!python/object`, `!!binary`,
`!custom`) is refused. Nothing is executed.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev

try:  # libyaml is a hard requirement of the speed targets, but a pure parser still gives right answers.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")} | {"!"}

_SPECIAL_WORDS: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

# JSON (and so the report and the schema validator) has no infinities and no integers past 64 bits;
# such a value is kept as its text, so the schema reports it as a wrong type at its own line.
_INT_LIMIT = 2**63


@dataclass(frozen=True)
class Problem:
    """Why a file could not be read (fully) as plain YAML. `rule` is a structural rule id."""

    rule: str
    message: str
    line: int | None = None
    column: int | None = None
    path: Path | None = None


@dataclass
class Loaded:
    """The value of a file, where each part of it stands, and what went wrong reading it."""

    value: Any = None
    ok: bool = False
    locations: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_locations: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def where(self, path: Path) -> tuple[int | None, int | None]:
        """Line and column of the value at `path`, else of the nearest enclosing key that exists."""
        probe = tuple(path)
        while probe:
            if probe in self.locations:
                return self.locations[probe]
            probe = probe[:-1]
        return self.locations.get((), (1, 1)) if self.ok else (None, None)

    def where_key(self, path: Path) -> tuple[int | None, int | None]:
        """Line and column of the key at `path` (for a value that is missing: its parent's key)."""
        probe = tuple(path)
        while probe:
            if probe in self.key_locations:
                return self.key_locations[probe]
            probe = probe[:-1]
        return self.where(())


class _Abort(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema resolution of an untagged plain scalar."""
    if text in _SPECIAL_WORDS:
        return _SPECIAL_WORDS[text]
    first = text[0]
    if first.isalpha():  # most values are words: the fast path
        return text
    if first.isdigit() or first in "+-.":
        if _INT10.match(text):
            number = int(text)
            return number if -_INT_LIMIT <= number < _INT_LIMIT else text
        if _FLOAT.match(text):
            return float(text)
        if _INF.match(text) or _NAN.match(text):
            return text
    if first == "0" and len(text) > 2:
        if _INT8.match(text):
            return int(text[2:], 8)
        if _INT16.match(text):
            return int(text[2:], 16)
    return text


def _scalar(event: Any) -> Any:
    tag = event.tag
    if tag is None:
        return resolve_plain(event.value) if event.implicit[0] else event.value
    if tag not in _PLAIN_TAGS:
        raise _Abort(
            Problem(
                "yaml-syntax",
                f"the tag {_short_tag(tag)} is not allowed: an entry holds only plain values "
                "(text, numbers, true/false, dates, lists and mappings); remove the tag",
                *_mark(event),
            )
        )
    if tag in ("!", f"{_CORE}str"):
        return event.value
    value = resolve_plain(event.value)
    wanted = tag[len(_CORE) :]
    kinds: dict[str, type | tuple[type, ...]] = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}
    if wanted in kinds and (not isinstance(value, kinds[wanted]) or (wanted != "bool" and isinstance(value, bool))):
        raise _Abort(Problem("yaml-syntax", f"{event.value!r} is not a valid !!{wanted}", *_mark(event)))
    return float(value) if wanted == "float" else value


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


class _Frame:
    __slots__ = ("anchor", "container", "is_map", "key", "key_mark", "merged", "path", "start", "start_count")

    def __init__(self, container: dict[str, Any] | list[Any], path: Path, anchor: str | None, start_count: int) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.path = path
        self.anchor = anchor
        self.start_count = start_count
        self.key: Any = _NO_KEY
        self.key_mark: tuple[int, int] = (0, 0)
        self.merged: set[str] = set()
        self.start: tuple[int, int] = (0, 0)


_NO_KEY = object()
_SKIP = object()
_MERGE = object()


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """Bytes -> text, refusing binary, non-UTF-8 and text shown otherwise than it is read, with the
    place of the first bad byte or character."""
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line = data.count(b"\n", 0, offset) + 1
        return None, Problem(
            "file-refused",
            "the file is binary (it contains a NUL byte), not YAML text; replace it with a text file",
            line,
            None,
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return None, Problem(
            "yaml-syntax",
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02X} cannot be read); save it as UTF-8",
            line,
            column,
        )
    refused = renders_differently(text)
    return (None, refused) if refused else (text, None)


# Characters that make a file read differently from how it is shown. libyaml takes U+2028, U+2029,
# U+0085 and a CR not followed by LF as line breaks, where git, GitHub's diff and editors show one
# line: a key written after one of them looks like part of a comment to a reviewer, yet is read.
# Bidirectional controls reorder what is displayed (Trojan Source, CVE-2021-42574).
_LINE_BREAKS = {"\u2028": "a line separator", "\u2029": "a paragraph separator", "\u0085": "a next-line character"}
_RENDERS_DIFFERENTLY = re.compile("[\u2028\u2029\u0085\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]|\r(?!\n)")


def renders_differently(text: str) -> Problem | None:
    """A `file-refused` problem at the first character that git and YAML would show differently, at
    the line and column git shows it (lines end at LF only; columns count characters)."""
    found = _RENDERS_DIFFERENTLY.search(text)
    if found is None:
        return None
    offset = found.start()
    char = text[offset]
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    code = f"U+{ord(char):04X}"
    if char == "\r":
        what = "a carriage return (CR) not followed by a line feed"
    elif char in _LINE_BREAKS:
        what = f"{_LINE_BREAKS[char]} ({code})"
    else:
        what = f"a bidirectional control character ({code} {unicodedata.name(char, '')})".replace(" )", ")")
    why = (
        "which reorders the text as it is displayed"
        if char not in _LINE_BREAKS and char != "\r"
        else "which YAML reads as a line break where git and GitHub show none"
    )
    return Problem(
        "file-refused",
        f"the file holds {what}, {why}: what a reviewer sees would not be what is checked, so nothing in "
        "this file is used; "
        + ("save the file with LF (or CRLF) line endings" if char == "\r" else "delete the character"),
        line,
        column,
    )


def load_bytes(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH
) -> Loaded:
    if len(data) > max_bytes:
        return Loaded(
            problems=[
                Problem(
                    "file-refused",
                    f"the file is {len(data):,} bytes, over the limit of {max_bytes:,}; "
                    "an entry is a few kilobytes: split or trim it",
                    None,
                    None,
                )
            ]
        )
    text, problem = decode(data)
    if problem is not None or text is None:
        return Loaded(problems=[problem] if problem else [])
    return load_text(text, max_nodes=max_nodes, max_depth=max_depth)


# libyaml's messages name parser states ("while parsing a block mapping did not find expected key");
# the people who edit entries need to know what to change. First match wins; the parser's own words
# stay in brackets for whoever knows YAML. The table covers every message libyaml's scanner, parser
# and reader can give (tests/test_plain_words.py triggers each); the older and newer spellings of a
# message are both listed, since the wording moves between libyaml releases.
_SYNTAX_WORDS = (
    ("exceeded maximum nesting depth", f"the file nests deeper than {MAX_DEPTH} levels; an entry needs a few"),
    ("quoted scalar found unexpected end", "a quoted text is not closed: add the closing quote"),
    (
        "unknown escape character",
        "a backslash (\\) in double quotes starts an escape: use single quotes, or write \\\\",
    ),
    (
        "hexdecimal number",
        "an escape such as \\u or \\x in double quotes needs hexadecimal digits: use single quotes, or write \\\\",
    ),
    (
        "hexadecimal number",
        "an escape such as \\u or \\x in double quotes needs hexadecimal digits: use single quotes, or write \\\\",
    ),
    (
        "invalid Unicode character escape",
        "an escape such as \\u in double quotes names no character: use single quotes, or write \\\\",
    ),
    ("flow sequence", "a list in [ ] is not closed or misses a comma: add the ] or the ,"),
    ("flow mapping", "a group in { } is not closed or misses a comma: add the } or the ,"),
    (
        "mapping values are not allowed",
        "a colon (:) is out of place: check this line's indentation, or put a text that contains ': ' in quotes",
    ),
    ("mapping keys are not allowed", "a question mark (?) starts a complex key here: put the value in quotes"),
    ("sequence entries are not allowed", "a list item ('- ') is out of place: check this line's indentation"),
    ("could not find expected ':'", "a line has no colon: write it as key: value"),
    (
        "block mapping did not find expected key",
        "the indentation is off: lines of the same group start at the same column",
    ),
    ("expected '-' indicator", "a list item is out of line: the items of a list start with '- ' at the same column"),
    ("cannot start any token", "a value cannot start with this character (such as @ or `): put the value in quotes"),
    ("tab character", "a tab is used for indentation: indent with spaces"),
    (
        "block scalar",
        "a text block after | or > is malformed: put nothing after the | or > on its line, and "
        "indent the text under it",
    ),
    ("anchor", "an & must be followed by a name (letters, digits, - or _): put a value that starts with & in quotes"),
    ("alias", "a * must be followed by a name (letters, digits, - or _): put a value that starts with * in quotes"),
    ("tag", "a value that starts with ! is read as a YAML tag: put the value in quotes"),
    ("directive", "a line that starts with % is read as a YAML directive: remove it, or put it in quotes"),
    ("document start", "a line that starts with % is read as a YAML directive: remove it, or put it in quotes"),
    ("document indicator", "a line of three dashes (---) or dots (...) ends the entry early: remove it"),
    ("document separator", "a line of three dashes (---) or dots (...) ends the entry early: remove it"),
    ("expected node content", "a value is missing or out of place: check the brackets and indentation around here"),
    ("unexpected end of stream", "the file ends in the middle of a value: close what is open"),
    ("control characters are not allowed", "the file holds an invisible control character: delete it"),
    ("special characters are not allowed", "the file holds an invisible control character: delete it"),
    ("UTF-8", "the file is not valid UTF-8 text: save it as UTF-8"),
    ("input is too long", "the file is too long to read: an entry is a few kilobytes"),
    (
        "comment or line break",
        "something follows a value on the same line: put it on its own line, or start a comment with ' #'",
    ),
    ("expected key", "the indentation is off: lines of the same group start at the same column"),
    ("did not find expected", "a value is missing or out of place: check the brackets and indentation around here"),
)


def plain_syntax_error(what: str, found: str = "") -> str:
    """The parser's complaint in words; `found` is the character it stopped at."""
    if found == "\t":
        return f"this is not valid YAML: a tab is used for indentation: indent with spaces [{what}]"
    for marker, words in _SYNTAX_WORDS:
        if marker in what:
            return f"this is not valid YAML: {words} [{what}]"
    return f"this is not valid YAML: {what}"


def load_text(text: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> Loaded:
    result = Loaded()
    try:
        _build(text, result, max_nodes, max_depth)
    except _Abort as abort:
        result.problems.append(abort.problem)
        result.value, result.ok = None, False
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context_mark is not None and mark is not None and not text[mark.index :].strip():
            # Stopped at the end of the file (a bracket or quote never closed): where it opened is
            # what to fix.
            mark = error.context_mark
        what = " ".join(part for part in (error.context, error.problem) if part)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        lines = text.splitlines()
        found = lines[mark.line][mark.column : mark.column + 1] if mark and mark.line < len(lines) else ""
        result.problems.append(Problem("yaml-syntax", plain_syntax_error(what, found), line, column))
        result.value, result.ok = None, False
    except yaml.YAMLError as error:  # a reader error (a control character) has no problem_mark
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        line = column = None
        position = getattr(error, "position", None)  # a reader error counts characters from the start
        if isinstance(position, int) and 0 <= position <= len(text):
            before = text[:position]
            line = before.count("\n") + 1
            column = position - (before.rfind("\n") + 1) + 1
        result.problems.append(Problem("yaml-syntax", plain_syntax_error(first_line), line, column))
        result.value, result.ok = None, False
    return result


def _build(text: str, result: Loaded, max_nodes: int, max_depth: int) -> None:
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    open_anchors: set[str] = set()
    count = 0
    documents = 0
    locations = result.locations
    key_locations = result.key_locations
    problems = result.problems

    def place(value: Any, mark: tuple[int, int], is_key: bool) -> None:
        if not stack:
            result.value = value
            locations[()] = mark
            return
        top = stack[-1]
        container: Any = top.container  # a list or a dict, by top.is_map (isinstance costs in this loop)
        if not top.is_map:
            locations[(*top.path, len(container))] = mark
            container.append(value)
            return
        if top.key is _NO_KEY:
            if not is_key:
                problems.append(
                    Problem(
                        "yaml-syntax",
                        "a mapping key must be plain text, not a list or mapping",
                        mark[0],
                        mark[1],
                        top.path,
                    )
                )
                top.key = _SKIP
            elif value is _MERGE:
                top.key = _MERGE
            elif value in container and value not in top.merged:
                first = key_locations.get((*top.path, value))
                where = f" (first at line {first[0]})" if first else ""
                problems.append(
                    Problem(
                        "duplicate-key",
                        f"the key {value!r} appears twice in the same group of fields{where}; keep one",
                        mark[0],
                        mark[1],
                        (*top.path, value),
                    )
                )
                top.key = _SKIP
            else:
                top.key = value
                top.key_mark = mark
            return
        key, top.key = top.key, _NO_KEY
        if key is _SKIP:
            return
        if key is _MERGE:
            _merge(top, value, mark)
            return
        if top.merged:
            top.merged.discard(key)
        container[key] = value
        path = (*top.path, key)
        locations[path] = mark
        key_locations[path] = top.key_mark

    def _merge(top: _Frame, value: Any, mark: tuple[int, int]) -> None:
        sources = value if isinstance(value, list) else [value]
        container = top.container
        assert isinstance(container, dict)
        for source in sources:
            if not isinstance(source, dict):
                raise _Abort(
                    Problem(
                        "yaml-syntax",
                        "a merge key (<<) takes a mapping or a list of mappings",
                        mark[0],
                        mark[1],
                        top.path,
                    )
                )
            for key, item in source.items():
                if key not in container:
                    container[key] = item
                    top.merged.add(key)
                    locations[(*top.path, key)] = mark
                    key_locations[(*top.path, key)] = mark

    def child_path() -> Path:
        if not stack:
            return ()
        top = stack[-1]
        if not top.is_map:
            return (*top.path, len(top.container))
        key = top.key
        return (*top.path, key) if isinstance(key, str) else top.path

    event: Any  # PyYAML's event classes are untyped; each kind has its own attributes
    for event in yaml.parse(text, Loader=_Loader):
        cls = type(event)
        if cls is ev.ScalarEvent:
            count += 1
            if stack and stack[-1].is_map and stack[-1].key is _NO_KEY:
                # Keys are their literal text: `no:` or `2024:` is a key named "no" or "2024".
                value = event.value
                is_merge = value == "<<" and event.tag is None and event.implicit[0]
                place(_MERGE if is_merge else value, _mark(event), True)
            else:
                tag = event.tag
                if tag is None:  # the common case, kept out of _scalar's checks
                    value = resolve_plain(event.value) if event.implicit[0] else event.value
                else:
                    value = _scalar(event)
                mark = event.start_mark
                place(value, (mark.line + 1, mark.column + 1), False)
            if event.anchor:
                anchors[event.anchor] = (value, 1)
        elif cls is ev.MappingStartEvent or cls is ev.SequenceStartEvent:
            count += 1
            if event.tag not in (None, "!", f"{_CORE}map", f"{_CORE}seq"):
                raise _Abort(
                    Problem(
                        "yaml-syntax",
                        f"the tag {_short_tag(event.tag)} is not allowed: "
                        "only plain mappings and lists; remove the tag",
                        *_mark(event),
                    )
                )
            if len(stack) >= max_depth:
                raise _Abort(
                    Problem(
                        "yaml-syntax",
                        f"the file nests deeper than {max_depth} levels; an entry needs a few",
                        *_mark(event),
                    )
                )
            frame = _Frame({} if cls is ev.MappingStartEvent else [], child_path(), event.anchor, count)
            frame.start = _mark(event)
            if event.anchor:
                open_anchors.add(event.anchor)
            stack.append(frame)
        elif cls is ev.MappingEndEvent or cls is ev.SequenceEndEvent:
            frame = stack.pop()
            if frame.is_map and frame.key is not _NO_KEY:  # libyaml always pairs keys, defensive only
                raise _Abort(Problem("yaml-syntax", "a key has no value", *_mark(event)))
            if frame.anchor:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (frame.container, count - frame.start_count + 1)
            place(frame.container, frame.start, False)
        elif cls is ev.AliasEvent:
            anchor = event.anchor
            if anchor in open_anchors:
                raise _Abort(
                    Problem(
                        "yaml-syntax",
                        f"the alias *{anchor} refers to a value that contains it (a loop); write the value out",
                        *_mark(event),
                    )
                )
            if anchor not in anchors:
                raise _Abort(
                    Problem(
                        "yaml-syntax",
                        f"the alias *{anchor} refers to no anchor &{anchor} defined before it",
                        *_mark(event),
                    )
                )
            value, size = anchors[anchor]
            count += size
            if count > max_nodes:
                raise _Abort(
                    Problem(
                        "yaml-syntax",
                        f"aliases expand this file to more than {max_nodes:,} "
                        "values (an alias bomb?); write the values out",
                        *_mark(event),
                    )
                )
            place(value, _mark(event), False)
        elif cls is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Abort(
                    Problem(
                        "yaml-syntax",
                        "the file holds several YAML documents (---); one file holds one entry",
                        *_mark(event),
                    )
                )
        if count > max_nodes:
            raise _Abort(
                Problem(
                    "yaml-syntax",
                    f"the file holds more than {max_nodes:,} values; an entry needs a few hundred",
                    *_mark(event),
                )
            )
    result.ok = True
