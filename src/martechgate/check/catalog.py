"""The catalog as the rules see it: entries, organisation, policies and today's date, loaded once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from martechgate.check import schemas
from martechgate.check.model import Entry, Finding, Organization
from martechgate.check.policy import Policy
from martechgate.check.vocabulary import load_schema
from martechgate.sources.repo import CATALOG_DIR, Source, WorkTree
from martechgate.sources.yamlload import Loaded, Path, Problem, load_bytes

if TYPE_CHECKING:
    from martechgate.check.cache import ResultCache


def read_known(
    source: Source, path: str, cache: ResultCache | None = None, rules: dict[str, tuple[str, str, str]] | None = None
) -> Entry | tuple[bytes, str | None]:
    """The entry at `path` when it needs no parsing (the cache knows it, or the file is refused); else
    the file's bytes and blob id, still to be parsed."""
    signature = None
    if cache is not None and rules is not None and isinstance(source, WorkTree):
        # Taken before reading: a change made while the file is read shows as a changed identity.
        signature = cache.signature(source, path)
        blob = cache.known_blob(path, signature) if signature is not None else None
        hit = cache.get(path, blob, rules) if blob is not None else None
        if hit is not None:  # unchanged on disk since it was judged by identical rules: not even read
            return Entry(path, hit[0], blob, hit[1])
    file = source.read(path)
    if file.data is None:
        refused = file.refused or Problem("file-refused", "the file could not be read")
        return Entry(path, Loaded(problems=[refused]), None)
    if cache is not None and rules is not None and file.blob is not None:
        if signature is not None:
            cache.note_blob(path, signature, file.blob)
        hit = cache.get(path, file.blob, rules)
        if hit is not None:  # an identical file was judged by identical rules: not parsed again
            return Entry(path, hit[0], file.blob, hit[1])
    return file.data, file.blob


def read_entry(
    source: Source, path: str, cache: ResultCache | None = None, rules: dict[str, tuple[str, str, str]] | None = None
) -> Entry:
    found = read_known(source, path, cache, rules)
    if isinstance(found, Entry):
        return found
    data, blob = found
    return Entry(path, load_bytes(data), blob)


def load_entries(
    source: Source, cache: ResultCache | None = None, rules: dict[str, tuple[str, str, str]] | None = None
) -> list[Entry]:
    """The catalog's entries; with a cache, `rules` (id -> severity, enforcement, remediation) restores
    cached findings."""
    return [read_entry(source, path, cache, rules) for path in source.list_yaml(CATALOG_DIR, recursive=True)]


@dataclass
class Catalog:
    entries: list[Entry]
    organization: Organization
    policies: list[Policy]
    today: date = field(default_factory=date.today)
    # Catalog files a change deletes, with the id each had at the merge base (rule entry-deleted);
    # empty unless a diff-aware check set it.
    deleted: dict[str, str] = field(default_factory=dict)

    # Every rule id, built-in or policy, with its severity, enforcement and remediation
    # (rules.known_rules): given, because the rules' registry builds on this module.
    known_rules: dict[str, tuple[str, str, str]] = field(kw_only=True)

    _schema_problems: dict[str, list[schemas.SchemaProblem]] = field(default_factory=dict, repr=False)

    def schema_problems(self, entry: Entry) -> list[schemas.SchemaProblem]:
        """The entry-schema problems of an entry that loaded as a mapping (computed once)."""
        if entry.file not in self._schema_problems:
            data, validator = entry.data, schemas.packaged_validator("entry")
            problems: dict[tuple[str | int, ...], schemas.SchemaProblem] = {}
            if data is not None and not validator.is_valid(data):
                for error in validator.iter_errors(data):
                    problem = schemas.describe(error, load_schema("entry")["properties"], schema=load_schema("entry"))
                    problems.setdefault(problem.path, problem)  # one sentence per field is enough
            self._schema_problems[entry.file] = list(problems.values())
        return self._schema_problems[entry.file]

    def is_valid(self, entry: Entry) -> bool:
        """Read cleanly and fits the schema: rules can trust the types of its fields."""
        if entry.cached is not None:
            return entry.cached.valid
        return entry.data is not None and not entry.loaded.problems and not self.schema_problems(entry)

    @cached_property
    def valid(self) -> list[Entry]:
        return [entry for entry in self.entries if self.is_valid(entry)]

    @cached_property
    def by_id(self) -> dict[str, list[Entry]]:
        """Entries by declared id (text ids only), every entry that loaded as a mapping."""
        index: dict[str, list[Entry]] = {}
        for entry in self.entries:
            data = entry.data
            if data is not None and isinstance(data.get("id"), str):
                index.setdefault(data["id"], []).append(entry)
        return index

    @cached_property
    def rule_ids(self) -> set[str]:
        return set(self.known_rules)

    @cached_property
    def enforcement_of(self) -> dict[str, str]:
        return {rule_id: meta[1] for rule_id, meta in self.known_rules.items()}

    def finding(
        self,
        rule_id: str,
        entry: Entry | None,
        path: Path | None,
        message: str,
        *,
        missing: bool = False,
        line: int | None = None,
        column: int | None = None,
    ) -> Finding:
        """A finding of a built-in rule, located at `path` in `entry` (at its parent's key when the
        value is missing)."""
        severity, enforcement, remediation = self.known_rules[rule_id]
        if entry is not None and line is None and path is not None:
            line, column = entry.where(path, missing=missing)
        return Finding(
            rule=rule_id,
            entry=entry.id if entry else None,
            file=entry.file if entry else None,
            line=line,
            column=column,
            path=".".join(str(p) for p in path) if path else None,
            severity=severity,
            enforcement=enforcement,
            message=message,
            remediation=remediation,
        )

    def load_problems(self, rule_id: str, entry: Entry) -> list[Finding]:
        """Findings for the problems met while reading a file, of one structural rule."""
        return [
            self.finding(rule_id, entry, problem.path, problem.message, line=problem.line, column=problem.column)
            for problem in entry.loaded.problems
            if problem.rule == rule_id
        ]
