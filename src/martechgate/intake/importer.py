"""`martechgate import`: an inventory's records -> catalog entries, one file each, and a report.

Each record becomes an entry through the mapping (intake/mapping.py). A value is converted to what the
entry schema wants at its field (an enum without case, yes/no as booleans, numbers without currency
signs, lists split from one cell) and checked against that part of the schema; what cannot be used is
counted, shown by example, and kept under `x-source` with the columns the mapping keeps, so nothing
the inventory said is lost. What the inventory does not know becomes `unknown` where the format takes
it (a state policies ask about), never a guess.

People named the way inventories name them ("Jane Doe", "@jdoe", "Marketing Ops") are resolved through
the mapping's people table; a name it cannot resolve is written as it is and counted as unresolved, so
the entry keeps who the inventory names and `check` points at the exact line to fix (an email, or a row
in the people table), rather than the entry being dropped or its owner silently lost.

Writing never loses anything: a new entry is created atomically and never over a file; an existing
entry that differs is left alone unless `update` is asked, and then only the mapped fields change.
`x-import` records a short fingerprint of each field as the import last wrote it, so a field edited
by hand since is recognised and kept. The same input imported twice changes nothing.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema_rs
from markdown_it import MarkdownIt

from martechgate import atomic
from martechgate.check import schemas
from martechgate.check.identity import owner_kind
from martechgate.check.vocabulary import MODELINE
from martechgate.intake.mapping import FieldRule, Mapping, people_key, target_schema
from martechgate.intake.proposal import API_VERSION, FIELD_ORDER, slug, yaml_text
from martechgate.intake.records import Record, lookup, read_records
from martechgate.sources.repo import CATALOG_DIR, WorkTree
from martechgate.sources.yamlload import load_bytes

MISSING: Any = object()
UNKNOWN = "unknown"
IMPORT_FIELD = "x-import"
SOURCE_FIELD = "x-source"
EXAMPLES = 3
WRITE_BATCH = 1000  # new entries written with one flush to disk
# Required by the entry format and able to say "unknown": filled so an entry stays valid when the
# inventory has no column for them.
REQUIRED_UNKNOWN = ("data.classification", "data.categories")
_LIST_SPLIT = re.compile(r"\s*(?:[,;\n]|\s/\s)\s*")
_YES = frozenset({"yes", "y", "true", "1", "x", "on", "enabled", "enforced"})
_NO = frozenset({"no", "n", "false", "0", "off", "disabled"})
_NUMBER_NOISE = re.compile(r"[\s,$€£¥]|USD|EUR|GBP", re.IGNORECASE)
_FORMAT_WORDS = {"email": "an email", "uri": "a web address", "date": "a date (YYYY-MM-DD)"}
_HEADER = "# Imported with `martechgate import` from {source}; x-import fingerprints what it wrote."


# --- the report ------------------------------------------------------------------------------------


@dataclass
class FieldCount:
    """How the values of one target field fared."""

    mapped: int = 0
    unknown: int = 0
    unusable: int = 0
    unresolved: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, example: str | None = None) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if example is not None:
            shown = self.examples.setdefault(kind, [])
            if len(shown) < EXAMPLES:
                shown.append(example)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mapped": self.mapped,
            "unknown": self.unknown,
            "unusable": self.unusable,
            "unresolved": self.unresolved,
            "examples": self.examples,
        }


@dataclass(frozen=True)
class Skipped:
    where: str
    reason: str


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    update: bool
    records: int = 0
    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[Skipped] = field(default_factory=list)  # entries that exist and differ, left alone
    skipped: list[Skipped] = field(default_factory=list)  # records that gave no entry
    hand_edits: list[tuple[str, str]] = field(default_factory=list)  # (entry id, field) kept on update
    fields: dict[str, FieldCount] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "update": self.update,
            "records": self.records,
            "written": self.written,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept": [{"entry": k.where, "reason": k.reason} for k in self.kept],
            "skipped": [{"record": s.where, "reason": s.reason} for s in self.skipped],
            "hand_edits": [{"entry": entry, "field": name} for entry, name in self.hand_edits],
            "fields": {name: count.to_dict() for name, count in self.fields.items()},
        }


# --- values: a cell -> the entry's value ------------------------------------------------------------


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark")


_MD = _markdown()
# What can make a cell Markdown rather than plain text: marks, links, headings, lists, quotes, HTML.
_MARKUP = re.compile(r"[*_`\[\]#>~<\\|]|^\s*(?:[-+]|\d+[.)])\s|\n\s*(?:[-+=]|\d+[.)])", re.MULTILINE)


def strip_markdown(text: str) -> str:
    """The text of a Markdown cell: emphasis, links, code marks, headings and bullets gone."""
    if not _MARKUP.search(text):  # most cells are plain: parsing them would change nothing
        return " ".join(text.split())
    words: list[str] = []
    for token in _MD.parse(text):
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if token.type.endswith("_close") and token.block:
            words.append(" ")
    return " ".join("".join(words).split())


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _plain_key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().casefold()


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


class Target:
    """One field of the entry, its part of the schema, and how a cell becomes its value."""

    def __init__(self, rule: FieldRule, mapping: Mapping) -> None:
        self.rule = rule
        self.mapping = mapping
        self.schema = target_schema(rule.target) if not rule.target.startswith("x-") else None
        self.is_list = bool(self.schema) and (self.schema or {}).get("type") == "array"
        # A field that takes one value or a list of them (an owner role): one value stays one value.
        alternatives = (self.schema or {}).get("anyOf", [])
        listed = next((option for option in alternatives if option.get("type") == "array"), None)
        self.may_list = listed is not None
        self.item_schema: dict[str, Any] | None = (
            (self.schema or {}).get("items") if self.is_list else listed["items"] if listed else self.schema
        )

    @cached_property
    def validator(self) -> jsonschema_rs.Draft202012Validator | None:
        return schemas.validator(self.schema) if self.schema is not None else None

    @cached_property
    def item_validator(self) -> jsonschema_rs.Draft202012Validator | None:
        return schemas.validator(self.item_schema) if self.item_schema is not None else None

    @cached_property
    def unknown_value(self) -> Any:
        # only where the format names the word: a free-text field would take it as its text
        if self.validator is None or UNKNOWN not in json.dumps(self.schema):
            return MISSING
        for candidate in (UNKNOWN, [UNKNOWN]):
            if self.validator.is_valid(candidate):
                return candidate
        return MISSING

    def fits(self, value: Any) -> bool:
        return self.validator is None or self.validator.is_valid(value)

    def _item(self, part: Any) -> tuple[str, Any]:
        """One value -> ("mapped", value) | ("unresolved", text as written) | ("unusable", reason)."""
        key = _plain_key(part)
        if key in self.rule.values:
            value = self.rule.values[key]
            if self.item_validator is None or self.item_validator.is_valid(value):
                return "mapped", value
            return "unusable", f"the mapping turns it into {_show(value)}, which {self.rule.target} does not take"
        if self.rule.people and isinstance(part, str):
            found = self.mapping.people.get(people_key(part))
            if found is not None:
                return "mapped", found
            if owner_kind(part, ()) == "name":  # an email or a GitHub handle is written as it is
                return "unresolved", " ".join(part.split())
        value = self._convert(part, self.item_schema or {})
        if self.item_validator is None or self.item_validator.is_valid(value):
            return "mapped", value
        return "unusable", self._why(value)

    def _why(self, value: Any) -> str:
        schema = self.item_schema or {}
        if "enum" in schema:
            return f"not one of: {', '.join(_plain_key(option) for option in schema['enum'])}"
        if schema.get("format") in _FORMAT_WORDS:
            return f"not {_FORMAT_WORDS[schema['format']]}"
        wanted = schema.get("type")
        if isinstance(wanted, list) and "number" in wanted:
            return "not a number"
        return f"not {' or '.join(wanted) if isinstance(wanted, list) else wanted or 'usable'}"

    @staticmethod
    def _convert(part: Any, schema: dict[str, Any]) -> Any:
        """A cell's value in the form the schema wants, where an unambiguous reading exists."""
        if not isinstance(part, str):
            if isinstance(part, float) and part.is_integer() and schema.get("type") == "integer":
                return int(part)
            if isinstance(part, int | float) and not isinstance(part, bool) and schema.get("type") == "string":
                return str(part)
            return part
        text = " ".join(part.split())
        options = schema.get("enum")
        if options is not None:
            word = text.casefold()
            for option in options:
                if isinstance(option, bool) and (word in _YES if option else word in _NO):
                    return option
                if isinstance(option, str) and (word == option or _normal(text) == option):
                    return option
            return text
        types = schema.get("type")
        types = types if isinstance(types, list) else [types]
        if "number" in types or "integer" in types:
            if text.casefold() == UNKNOWN:
                return UNKNOWN
            try:
                number = float(_NUMBER_NOISE.sub("", text))
            except ValueError:
                return text
            return int(number) if number.is_integer() else number
        if "boolean" in types:
            word = text.casefold()
            return True if word in _YES else False if word in _NO else text
        if schema.get("format") == "date":
            try:
                return date.fromisoformat(text[:10]).isoformat()
            except ValueError:
                return text
        if schema.get("pattern") == "^[A-Z]{2}$" or schema.get("pattern") == "^([A-Z]{2}|unknown)$":
            return text.upper() if len(text) == 2 else text
        if schema.get("pattern") == "^https?://" and " " not in text and not re.match(r"^[a-z]+://", text):
            return f"https://{text}"  # www.example.com, as inventories write web addresses
        if str(schema.get("pattern", "")).startswith("^[a-z0-9][a-z0-9-]"):  # ids and words: SOX -> sox
            return _normal(text)
        limit = schema.get("maxLength")
        if (
            isinstance(limit, int) and len(text) > limit
        ):  # an over-long title: cut at a word, keep the whole in x-source
            cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
            return cut + "…"
        return text

    def convert(self, record: dict[str, Any], where: str, count: FieldCount) -> tuple[Any, bool]:
        """The value for this field from `record` (MISSING: none), and whether the raw cell should be
        kept in x-source because not all of it made it into the entry."""
        rule = self.rule
        if rule.has_value:
            count.note("mapped")
            return rule.value, False
        assert rule.column is not None
        raw = lookup(record, rule.column)
        if rule.markdown and isinstance(raw, str):
            raw = strip_markdown(raw)
        if self.mapping.is_unknown(raw):
            count.note("unknown")
            return self._fallback(), False
        if _plain_key(raw) in rule.values:  # the whole cell is mapped before any split
            kind, value = self._item(raw)
            if self.is_list and not isinstance(value, list):
                value = [value]
            if kind == "mapped" and self.fits(value):
                count.note("mapped")
                return value, False
        parts = self._parts(raw)
        if not parts:
            count.note("unknown")
            return self._fallback(), False
        results = [(part, *self._item(part)) for part in parts]
        usable = [value for _, kind, value in results if kind == "mapped"]
        unresolved = [value for _, kind, value in results if kind == "unresolved"]
        refused = [(part, why) for part, kind, why in results if kind == "unusable"]
        shortened = any(isinstance(v, str) and v.endswith("…") and v != p for p, _, v in results)
        if self.is_list or self.may_list:
            values = list(dict.fromkeys(json.dumps(v, sort_keys=True) for v in usable + unresolved))
            chosen: Any = [json.loads(v) for v in values] or MISSING
            if self.may_list and isinstance(chosen, list) and len(chosen) == 1:
                chosen = chosen[0]
        else:
            chosen = usable[0] if usable else unresolved[0] if unresolved else MISSING
        if unresolved:
            count.note("unresolved", f"{where}: {', '.join(map(_show, unresolved))}")
        elif chosen is MISSING or refused:
            part, why = refused[0]
            count.note("unusable", f"{where}: {_show(part)} ({why})")
        else:
            count.note("mapped")
        if chosen is MISSING:
            return self._fallback(), True
        partial = bool(refused) or shortened or (not (self.is_list or self.may_list) and len(parts) > 1)
        return chosen, partial

    def _parts(self, raw: Any) -> list[Any]:
        if isinstance(raw, list):
            items = raw
        elif isinstance(raw, str) and self.rule.split is not None:
            items = self.rule.split.split(raw)
        elif isinstance(raw, str) and self.is_list:
            items = _LIST_SPLIT.split(raw)
        else:
            items = [raw]
        return [item for item in items if not self.mapping.is_unknown(item)]

    def _fallback(self) -> Any:
        if self.rule.has_default:
            return self.rule.default
        return self.unknown_value


# --- entries ---------------------------------------------------------------------------------------


def _get(data: Any, path: Iterable[str]) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return MISSING
        data = data[part]
    return data


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    if value is MISSING:
        node.pop(path[-1], None)
        return
    node[path[-1]] = value


def _prune(data: dict[str, Any], path: tuple[str, ...]) -> None:
    """Remove groups left empty by a removed field (owners: {} says nothing)."""
    for depth in range(len(path) - 1, 0, -1):
        parent = _get(data, path[: depth - 1]) if depth > 1 else data
        group = parent.get(path[depth - 1]) if isinstance(parent, dict) else None
        if isinstance(group, dict) and not group:
            parent.pop(path[depth - 1])


def fingerprint(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def ordered(entry: dict[str, Any]) -> dict[str, Any]:
    """The contract's field order, then other fields, then x- fields, so files read alike."""
    rank = {name: index for index, name in enumerate(FIELD_ORDER)}
    return dict(
        sorted(entry.items(), key=lambda item: (item[0].startswith("x-"), rank.get(item[0], len(rank)), item[0]))
    )


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[: 63 - len(suffix)].rstrip("-") + suffix
    taken.add(candidate)
    return candidate


class Importer:
    def __init__(self, mapping: Mapping, source_name: str) -> None:
        self.mapping = mapping
        self.source_name = source_name
        self.targets = [Target(rule, mapping) for rule in mapping.fields if not rule.keep]
        self.keeps = [rule for rule in mapping.fields if rule.keep]
        mapped = {rule.target for rule in mapping.fields}
        self.filled = [
            (name, Target(FieldRule(name, column=None, value=None), mapping))
            for name in REQUIRED_UNKNOWN
            if name not in mapped
        ]
        self.managed = [target.rule.target for target in self.targets] + [name for name, _ in self.filled]
        self.managed += [rule.target for rule in self.keeps]
        if SOURCE_FIELD not in self.managed:
            self.managed.append(SOURCE_FIELD)

    def entry(self, record: Record, entry_id: str, report: ImportReport) -> dict[str, Any]:
        fields = record.fields or {}
        entry: dict[str, Any] = {"apiVersion": API_VERSION, "id": entry_id}
        kept: dict[str, Any] = {}
        for target in self.targets:
            count = report.fields.setdefault(target.rule.target, FieldCount())
            value, partial = target.convert(fields, record.where, count)
            if value is not MISSING:
                _set(entry, target.rule.path, value)
            if partial and target.rule.column is not None:
                raw = lookup(fields, target.rule.column)
                kept[target.rule.column] = raw
        for name, target in self.filled:
            if _get(entry, name.split(".")) is MISSING:
                _set(entry, tuple(name.split(".")), target.unknown_value)
        for rule in self.keeps:
            values = {
                column: lookup(fields, column)
                for column in rule.keep
                if not self.mapping.is_unknown(lookup(fields, column))
            }
            if rule.target == SOURCE_FIELD:
                values.update(kept)
                kept = {}
            if values:
                _set(entry, rule.path, values)
        if kept:
            entry[SOURCE_FIELD] = kept
        prints = {
            name: fingerprint(value) for name in self.managed if (value := _get(entry, name.split("."))) is not MISSING
        }
        entry[IMPORT_FIELD] = {"from": self.source_name, "fields": dict(sorted(prints.items()))}
        return ordered(entry)

    def merge(self, existing: dict[str, Any], fresh: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """`existing` with the mapped fields taken from `fresh`, except those edited by hand since
        the last import (their value no longer matches the fingerprint the import left)."""
        before = existing.get(IMPORT_FIELD)
        prior = before.get("fields") if isinstance(before, dict) else None
        prior = prior if isinstance(prior, dict) else {}
        merged = copy.deepcopy(existing)
        prints = dict(fresh[IMPORT_FIELD]["fields"])
        hand: list[str] = []
        for name in self.managed:
            path = tuple(name.split("."))
            old = _get(existing, path)
            if name in prior and (fingerprint(old) if old is not MISSING else None) != prior[name]:
                hand.append(name)
                if old is MISSING:
                    prints.pop(name, None)
                else:
                    prints[name] = prior[name]
                continue
            value = _get(fresh, path)
            if old is not MISSING and (value is MISSING or value in (UNKNOWN, [UNKNOWN])):
                continue  # the inventory not knowing is no reason to forget what the entry knows
            _set(merged, path, value)
            _prune(merged, path)
        merged[IMPORT_FIELD] = {"from": self.source_name, "fields": dict(sorted(prints.items()))}
        return ordered(merged), hand

    def render(self, entry: dict[str, Any]) -> str | None:
        text = f"{MODELINE}\n{_HEADER.format(source=self.source_name)}\n{yaml_text(entry)}"
        if load_bytes(text.encode("utf-8")).value != entry:  # it must read back as built, or not be written
            return None
        return text


def run_import(
    repo: Path, inventory: Path, mapping: Mapping, *, dry_run: bool = False, update: bool = False
) -> ImportReport:
    """Import every record of `inventory` into `repo`'s catalog as `mapping` says; the report says
    what was written, updated, left alone and skipped, and how each field's values fared."""
    report = ImportReport(source=str(inventory), dry_run=dry_run, update=update)
    importer = Importer(mapping, inventory.name)
    catalog = repo / CATALOG_DIR
    # The entries there now, in catalog/ or any folder of it: an entry a company moved to catalog/hr/
    # is the same tool on the next import, never written a second time at the top.
    tree = WorkTree(repo)
    existing = {path.rsplit("/", 1)[-1].rsplit(".", 1)[0]: path for path in tree.list_yaml(CATALOG_DIR, recursive=True)}
    taken: set[str] = set()
    pending: list[tuple[str, Path, str]] = []
    for record in read_records(inventory, mapping):
        report.records += 1
        if record.fields is None:
            report.skipped.append(Skipped(record.where, "not a record (a mapping of fields)"))
            continue
        title = lookup(record.fields, mapping.id_column)
        base = slug(str(title)) if not mapping.is_unknown(title) and isinstance(title, str | int | float) else ""
        if not base.strip("-") or base == "-tool":
            report.skipped.append(Skipped(record.where, f"no id: {mapping.id_column} is empty or unknown"))
            continue
        entry_id = _unique_id(base, taken)
        entry = importer.entry(record, entry_id, report)
        _settle(importer, report, tree, existing, record, entry_id, entry, pending, dry_run=dry_run, update=update)
        if len(pending) >= WRITE_BATCH:
            _write_pending(report, catalog, pending)
    _write_pending(report, catalog, pending)
    return report


def _write_pending(report: ImportReport, catalog: Path, pending: list[tuple[str, Path, str]]) -> None:
    """Write the new entries collected so far, each whole and never over a file, with one flush to disk."""
    if not pending:
        return
    catalog.mkdir(parents=True, exist_ok=True)
    results = atomic.write_new_all([(path, text) for _, path, text in pending])
    for (entry_id, path, _), written in zip(pending, results, strict=True):
        if written:
            report.written.append(entry_id)
        else:
            report.kept.append(Skipped(entry_id, f"{CATALOG_DIR}/{path.name} appeared while importing; left alone"))
    pending.clear()


def _settle(
    importer: Importer,
    report: ImportReport,
    tree: WorkTree,
    existing: dict[str, str],
    record: Record,
    entry_id: str,
    entry: dict[str, Any],
    pending: list[tuple[str, Path, str]],
    *,
    dry_run: bool,
    update: bool,
) -> None:
    """Write (through `pending`), update or leave alone the entry of `entry_id` (catalog/<id>.yaml, or
    where it is now in a folder of catalog/), and say which in the report."""
    relative = existing.get(entry_id)
    if relative is None:
        path = tree.root / CATALOG_DIR / f"{entry_id}.yaml"
        text = importer.render(entry)
        if text is None:
            report.skipped.append(
                Skipped(record.where, "the entry would not read back as written (please report this)")
            )
            return
        if dry_run:
            report.written.append(entry_id)
        else:
            pending.append((entry_id, path, text))
        return
    # Read as check reads it: a link or an oversized file is refused, never followed or merged.
    file = tree.read(relative)
    if file.data is None:
        why = file.refused.message if file.refused else "it cannot be read"
        report.kept.append(Skipped(entry_id, f"{relative} cannot be read ({why}); fix or remove it, then import again"))
        return
    loaded = load_bytes(file.data)
    if loaded.problems or not isinstance(loaded.value, dict):
        why = loaded.problems[0].message if loaded.problems else "it is not a mapping of fields"
        report.kept.append(Skipped(entry_id, f"{relative} cannot be read ({why}); fix or remove it, then import again"))
        return
    merged, hand = importer.merge(loaded.value, entry)
    if merged == loaded.value:
        report.unchanged.append(entry_id)
        return
    if not update:
        report.kept.append(Skipped(entry_id, f"{relative} exists and differs; --update changes its mapped fields"))
        return
    text = importer.render(merged)
    if text is None:
        report.skipped.append(Skipped(record.where, "the entry would not read back as written (please report this)"))
        return
    report.hand_edits.extend((entry_id, name) for name in hand)
    if not dry_run:
        atomic.replace(tree.root / relative, text)
    report.updated.append(entry_id)
