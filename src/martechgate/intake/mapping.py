"""The import mapping (`apiVersion: martechgate/import-v1`): how an inventory's records become entries.

A mapping file is read like every other file martechgate takes from people: as located YAML, checked
against its packaged JSON Schema (`martechgate schema --kind mapping`), then for what a schema cannot
say (a target field the entry format does not have, a regular expression that does not compile, a
people table that cannot be read). Every problem is a MappingError at the file, line and column of the
offending value (exit 2), so a bad mapping is fixed before any entry is written.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from martechgate.check import schemas
from martechgate.check.vocabulary import load_schema
from martechgate.errors import UsageError
from martechgate.sources.yamlload import Loaded, load_bytes

API_VERSION = "martechgate/import-v1"
FORMATS = ("csv", "xlsx", "json", "yaml")
# What an inventory writes when it does not know; the mapping's `unknown` list replaces it.
DEFAULT_UNKNOWN = ("tbd", "n/a", "na", "none", "unknown", "?", "-", "")
MAX_MAPPING_BYTES = 256 * 1024
# Fields the importer sets itself: a mapping naming them would be ignored or would break the entry.
RESERVED = ("apiVersion", "id", "x-import")


class MappingError(UsageError):
    """The mapping file (or its people table) cannot be used as written."""


@dataclass(frozen=True)
class FieldRule:
    """One target field of the entry and where its value comes from."""

    target: str  # dotted path in the entry, e.g. owners.business
    column: str | None = None  # the source column (`from`)
    split: re.Pattern[str] | None = None
    people: bool = False
    values: dict[str, Any] = field(default_factory=dict)  # casefolded source value -> entry value
    default: Any = None
    has_default: bool = False
    value: Any = None
    has_value: bool = False
    markdown: bool = False
    keep: tuple[str, ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.target.split("."))


@dataclass(frozen=True)
class Mapping:
    file: str
    format: str
    records: str
    sheet: str | None
    delimiter: str
    id_column: str
    unknown: frozenset[str]
    people: dict[str, str]  # casefolded name, handle (without @) or team -> email or group
    fields: tuple[FieldRule, ...]

    def is_unknown(self, value: Any) -> bool:
        if value is None:
            return True
        return isinstance(value, str) and (not value.strip() or value.strip().casefold() in self.unknown)


def _fail(
    message: str, file: str, loaded: Loaded, path: tuple[str | int, ...], hint: str | None = None
) -> MappingError:
    line, column = loaded.where(path)
    return MappingError(message, file=file, line=line, column=column, hint=hint)


def target_schema(target: str) -> dict[str, Any] | None:
    """The entry schema's part for a dotted target (None: the entry format has no such field)."""
    node: Any = load_schema("entry")
    for part in target.split("."):
        properties = node.get("properties", {}) if isinstance(node, dict) else {}
        if part not in properties:
            return None
        node = properties[part]
    return node if isinstance(node, dict) else None


def people_key(text: str) -> str:
    """How a person is looked up: without case, surrounding space or a leading @."""
    return " ".join(text.strip().lstrip("@").split()).casefold()


def _people_table(path: Path, file: str, loaded: Loaded) -> dict[str, str]:
    where = ("people",)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise _fail(
            f"the people table {path} cannot be read ({error.strerror or error})",
            file,
            loaded,
            where,
            hint="Give a CSV file with the columns key and email, relative to the mapping file.",
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(f"the people table {path} is not UTF-8 text; save it as UTF-8", file, loaded, where) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"key", "email"} <= {name.strip() for name in reader.fieldnames}:
        raise _fail(
            f"the people table {path} needs the columns key and email (it has: {', '.join(reader.fieldnames or [])})",
            file,
            loaded,
            where,
        )
    table: dict[str, str] = {}
    for row in reader:
        row = {(name or "").strip(): (value or "").strip() for name, value in row.items() if isinstance(value, str)}
        if row.get("key") and row.get("email"):
            table[people_key(row["key"])] = row["email"]
    return table


def _rule(target: str, spec: Any, file: str, loaded: Loaded) -> FieldRule:
    where = ("fields", target)
    if target in RESERVED or target.split(".")[0] in RESERVED:
        raise _fail(f"{target} is set by the import itself; remove it from fields", file, loaded, where)
    is_extension = target.startswith("x-")
    if not is_extension and target_schema(target) is None:
        raise _fail(
            f"the entry format has no field {target!r}",
            file,
            loaded,
            where,
            hint="Use a field of `martechgate schema` (dotted, like owners.business), or an x- field of your own.",
        )
    if isinstance(spec, str):
        return FieldRule(target, column=spec)
    sources = [key for key in ("from", "value", "keep") if key in spec]
    if len(sources) != 1:
        raise _fail(
            f"{target} needs exactly one of from (a column), value (a fixed value) or keep (columns to keep)",
            file,
            loaded,
            where,
        )
    if "keep" in spec and not is_extension:
        raise _fail(f"keep copies columns as they are, so only into an x- field, not {target}", file, loaded, where)
    split = None
    if "split" in spec:
        try:
            split = re.compile(spec["split"])
        except re.error as error:
            raise _fail(
                f"split is not a regular expression: {error}",
                file,
                loaded,
                (*where, "split"),
                hint=r"For example: '\s*[,;]\s*'",
            ) from None
    values = {str(key).strip().casefold(): value for key, value in (spec.get("values") or {}).items()}
    return FieldRule(
        target,
        column=spec.get("from"),
        split=split,
        people=bool(spec.get("people", False)),
        values=values,
        default=spec.get("default"),
        has_default="default" in spec,
        value=spec.get("value"),
        has_value="value" in spec,
        markdown=spec.get("markdown") == "strip",
        keep=tuple(spec.get("keep", ())),
    )


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; MappingError (located) when it cannot be used."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise MappingError(
            f"the mapping file cannot be read ({error.strerror or error})",
            file=file,
            hint="Give the path of a YAML mapping file (docs/import.md shows one).",
        ) from None
    loaded = load_bytes(raw, max_bytes=MAX_MAPPING_BYTES)
    if loaded.problems:
        problem = loaded.problems[0]
        raise MappingError(problem.message, file=file, line=problem.line, column=problem.column)
    value = loaded.value
    if not isinstance(value, dict):
        raise MappingError(
            "a mapping file is a YAML mapping with apiVersion, source, id and fields",
            file=file,
            line=1,
            column=1,
            hint=f"Start it with `apiVersion: {API_VERSION}` (docs/import.md shows a whole one).",
        )
    invalid = schemas.first_error("mapping", value, loaded)
    if invalid is not None:
        message, line, column = invalid
        raise MappingError(message, file=file, line=line, column=column, hint="docs/import.md describes each key.")
    source = value["source"]
    fmt = source["format"]
    if fmt == "xlsx" and source.get("records"):
        raise _fail("records is for JSON and YAML; an XLSX file names its sheet", file, loaded, ("source", "records"))
    unknown = value.get("unknown")
    words = DEFAULT_UNKNOWN if unknown is None else (*unknown, "")
    people = _people_table(path.parent / value["people"], file, loaded) if "people" in value else {}
    rules = tuple(_rule(target, spec, file, loaded) for target, spec in value["fields"].items())
    return Mapping(
        file=file,
        format=fmt,
        records=source.get("records", "") or "",
        sheet=source.get("sheet"),
        delimiter=source.get("delimiter", ","),
        id_column=value["id"]["from"],
        unknown=frozenset(str(word).strip().casefold() for word in words),
        people=people,
        fields=rules,
    )
