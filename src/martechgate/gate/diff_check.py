"""The diff-aware check of a pull request: the change's entries, judged by the base branch's rules.

The rules (martechgate.yaml and policies/) are read from the base branch's tip in git's objects,
never from the head or the working tree, so a change that edits them is judged by the rules it is
trying to change; and not from the merge base, so a policy added to the base branch after the change
branched off judges it too. What changed is merge base to head. The catalog is read from the head
(the working tree when no head is named). Only what the change touched is reported, plus what it
breaks elsewhere: an entry that integrates with a tool the change removed or renamed, or an id the
change duplicated. A governed file no reader may open (a link, a submodule, a name that is not plain
text) is a hard `file-refused` finding wherever it is in the head's catalog/ and policies/, and
anywhere the change touches a governed path.

Speed: a pull request usually touches one entry of thousands. Policies and entry-scope rules judge one
entry at a time; the catalog-scope rules compare entries only through ids. So the check reads the
changed entries plus every entry whose text names an id the change touches or refers to (`git grep`
finds those in the merge base's objects: unchanged files are the same there), and nothing else is read
or parsed. A catalog-scope rule not known to work that way makes the check load the whole catalog, so
a new cross-entry rule is never judged on a partial catalog.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from datetime import date

from martechgate.check import baseline as known
from martechgate.check import engine
from martechgate.check.catalog import read_entry
from martechgate.check.engine import ChangeScope, CheckResult
from martechgate.check.model import Entry, Finding, Report, get
from martechgate.check.rules import RULES, file_refused
from martechgate.check.vocabulary import ID_PATTERN
from martechgate.errors import RepoError
from martechgate.gate.applicable import (
    AppliedRule,
    ChangedFile,
    applicable_rules,
    describe_requirement,
    rules_for_change,
)
from martechgate.sources import changes
from martechgate.sources.changes import ChangeSet
from martechgate.sources.git import MODE_LINK, MODE_SUBMODULE, is_refused_name, refused_name_reason
from martechgate.sources.repo import CATALOG_DIR, ORG_FILE, POLICIES_DIR, is_entry_file

GOVERNANCE_DIRS = (POLICIES_DIR + "/", ".github/")
GOVERNANCE_FILES = (ORG_FILE, known.BASELINE_FILE)
# Rules whose finding on one entry can be caused by a change to another entry; they compare entries
# only through the ids entries name (integrations[].target, alternative, id).
CROSS_ENTRY_RULES = frozenset({"unknown-reference", "duplicate-id", "data-flow-clearance"})
# The catalog-scope rules a partial catalog (changed entries and those naming them) judges right;
# entry-scope rules judge one file each, so they always do. approvals-possible reads the organisation
# file alone (its finding is on martechgate.yaml, so a pull request's check does not report it: the
# base's file judges, and a pull request fixing it must not be blocked by it).
PARTIAL_CATALOG_RULES = CROSS_ENTRY_RULES | {"entry-deleted", "approvals-possible"}
MAX_SEARCHED_IDS = 2_000
_INTEGRATION = re.compile(r"^integrations\.(\d+)(?:\.|$)")


@dataclass(frozen=True)
class PullCheckResult(CheckResult):
    """A diff-aware check's result, which also knows the change: for the reviewers it needs."""

    changeset: ChangeSet | None = None

    @functools.cached_property
    def review_rules(self) -> tuple[AppliedRule, ...]:
        """The review rules the change triggers, exactly as `martechgate review` decides them (worked
        out only when a format shows them: it reads each changed entry again)."""
        if self.changeset is None:
            return ()
        return tuple(rules_for_change(self.catalog.organization, self.changeset))


def governance_rules(result: CheckResult) -> list[AppliedRule]:
    """The review rules the governance files a change edits trigger."""
    files = result.change.governance_files if result.change is not None else ()
    return applicable_rules(result.catalog.organization, [ChangedFile(path) for path in files])


def is_governance_file(path: str) -> bool:
    return path in GOVERNANCE_FILES or path.startswith(GOVERNANCE_DIRS)


def _same_tool(changeset: ChangeSet, old_path: str, new_path: str) -> bool:
    """Whether a rename git found moved one tool's record (same id or same tool name), rather than
    deleting one tool and adding a different one that looks alike: entries share a template, so git's
    similarity alone would call most replacements renames. The vendor is no proof (one vendor, many
    tools)."""
    old, new = read_entry(changeset.base, old_path).data, read_entry(changeset.head, new_path).data
    if old is None or new is None:
        return False
    return any(get(old, key) is not None and get(old, key) == get(new, key) for key in ("id", "name"))


def scope_of(changeset: ChangeSet) -> tuple[list[str], dict[str, str], list[str]]:
    """The catalog files changed at head, the catalog files deleted (with their id at the merge base),
    and the governance files touched."""
    changed: list[str] = []
    deleted: dict[str, str] = {}

    def delete(path: str) -> None:
        deleted[path] = read_entry(changeset.base, path).id or path

    for change in changeset.changes:
        old = change.old_path
        if change.status == "D":
            if is_entry_file(change.path):
                delete(change.path)
            continue
        if is_entry_file(change.path):
            changed.append(change.path)
        if (
            change.status == "R"
            and old
            and is_entry_file(old)
            and not (is_entry_file(change.path) and _same_tool(changeset, old, change.path))
        ):
            delete(old)  # moved out of catalog/, or replaced by another tool
    governance = sorted({path for change in changeset.changes for path in change.paths if is_governance_file(path)})
    return changed, deleted, governance


def _ids_before(changeset: ChangeSet, paths: list[str]) -> set[str]:
    """The ids the merge base gave these files (a change may rename an id, or remove it)."""
    ids = set()
    for path in paths:
        if changeset.base.exists(path):
            entry_id = read_entry(changeset.base, path).id
            if entry_id:
                ids.add(entry_id)
    return ids


def _caused_by(finding: Finding, entry: Entry | None, touched_ids: set[str]) -> bool:
    """Whether a cross-entry finding on an entry the change left alone is about a tool it touched."""
    if entry is None or finding.rule not in CROSS_ENTRY_RULES:
        return False
    data = entry.data
    if finding.rule == "duplicate-id":
        return entry.id in touched_ids
    path = finding.path or ""
    if path == "alternative":
        return get(data, "alternative") in touched_ids
    integration = _INTEGRATION.match(path)
    if integration:
        return get(data, "integrations", int(integration.group(1)), "target") in touched_ids
    return False


def _referred_ids(entry: Entry) -> set[str]:
    data = entry.data or {}
    ids = [entry.id or "", data.get("alternative")]  # a list: a malformed value may be unhashable
    integrations = data.get("integrations")
    if isinstance(integrations, list):
        ids += [get(item, "target") for item in integrations]
    return {value for value in ids if isinstance(value, str) and value}


def _mentioning(changeset: ChangeSet, ids: set[str]) -> set[str]:
    """Catalog files at the merge base whose text names any of `ids` (a superset of those that refer
    to them), found by git in its object store."""
    # Only what can be an id: entries name a tool by its id, and a value of any other shape (a huge
    # text as `id` or `alternative`) is a schema finding of its own, not a word to look for.
    ids = {value for value in ids if ID_PATTERN.match(value)}
    if not ids:
        return set()
    base = changeset.base
    return base.git.grep(base.sha, CATALOG_DIR, sorted(ids))


def _refusal(path: str, message: str) -> Finding:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return Finding(
        file_refused.ID,
        stem if is_entry_file(path) else None,
        path,
        None,
        None,
        None,
        file_refused.SEVERITY,
        file_refused.ENFORCEMENT,
        message,
        file_refused.REMEDIATION,
    )


def unreadable_governed(changeset: ChangeSet, already: set[str]) -> list[Finding]:
    """Hard findings for governed files no reader may open: in the head's catalog/ and policies/ (and
    its organisation file), and every governed path the change adds or edits, wherever it is."""
    found: dict[str, str] = {}
    head = changeset.head
    for directory, recursive in ((CATALOG_DIR, True), (POLICIES_DIR, False)):
        for path in head.unplain(directory, recursive=recursive):
            refusal = head.read(path).refused
            found[path] = refusal.message if refusal else "it is not a plain file"
    organisation = head.read(ORG_FILE) if head.exists(ORG_FILE) else None
    if organisation is not None and organisation.refused is not None:
        found[ORG_FILE] = organisation.refused.message
    for change in changeset.changes:
        if change.status == "D" or not (is_governance_file(change.path) or change.path.startswith(CATALOG_DIR + "/")):
            continue
        if is_refused_name(change.path):
            found[change.path] = refused_name_reason(change.path)
        elif change.mode == MODE_LINK:
            found[change.path] = (
                "this is a symbolic link; governed files must be plain files, since editing a link's target "
                "changes this file unseen. Put the file itself here"
            )
        elif change.mode == MODE_SUBMODULE:
            found[change.path] = "this is a git submodule, not a file. Put the file itself here"
    return [_refusal(path, message) for path, message in sorted(found.items()) if path not in already]


def check_change(
    repo: str | os.PathLike[str], base: str, head: str | None = None, today: date | None = None
) -> PullCheckResult:
    changeset = changes.compute(repo, base, head)
    if not changeset.head.exists(CATALOG_DIR) and not changeset.base.exists(CATALOG_DIR):
        raise RepoError(
            f"there is no {CATALOG_DIR}/ folder in {repo}",
            hint="A governance repo keeps one YAML file per tool in catalog/; `martechgate init DIR` starts one.",
        )
    changed, deleted, governance = scope_of(changeset)
    changed_entries = [read_entry(changeset.head, path) for path in changed]
    old_paths = [p for c in changeset.changes for p in c.paths if is_entry_file(p)]
    touched_ids = _ids_before(changeset, old_paths) | set(deleted.values())
    touched_ids |= {entry.id for entry in changed_entries if entry.id}

    entries: list[Entry] | None = None  # None: the whole catalog
    wanted = touched_ids.union(*(_referred_ids(entry) for entry in changed_entries))
    # A change touching most of the catalog (an import) gains nothing from searching: read it all.
    if len(wanted) <= MAX_SEARCHED_IDS and all(
        rule.SCOPE == "entry" or rule.ID in PARTIAL_CATALOG_RULES for rule in RULES.values()
    ):
        skip = set(changed) | set(deleted)
        related = sorted(
            path
            for path in _mentioning(changeset, wanted)
            if is_entry_file(path) and path not in skip and changeset.head.exists(path)
        )
        entries = sorted(
            changed_entries + [read_entry(changeset.head, path) for path in related], key=lambda entry: entry.file
        )
    catalog = engine.load_catalog(changeset.head, changeset.rules, today, entries=entries)
    catalog.deleted = deleted
    by_file = {entry.file: entry for entry in catalog.entries}
    reported = set(changed) | set(deleted)

    def select(finding: Finding) -> bool:
        if finding.file in reported:
            return True
        return _caused_by(finding, by_file.get(finding.file or ""), touched_ids)

    # The baseline too is the base branch's: a change that adds its own findings to baseline.yaml
    # is judged without them (and needs the governance reviewers to merge that edit).
    result = engine.run(catalog, select, baseline=known.load(changeset.rules))
    refused_here = {f.file for f in result.report.findings if f.rule == "file-refused" and f.file}
    findings = tuple(
        sorted(result.report.findings + tuple(unreadable_governed(changeset, refused_here)), key=Finding.sort_key)
    )
    scope = ChangeScope(
        base_label=changeset.rules.sha[:12],
        head_label=changeset.head.label,
        changed_files=tuple(changed),
        deleted_files=tuple(sorted(deleted)),
        governance_files=tuple(governance),
        added_files=tuple(
            c.path for c in changeset.changes if c.path in changed and (c.status == "A" or c.old_path in deleted)
        ),
    )
    return PullCheckResult(Report(len(changed), findings), catalog, scope, changeset=changeset)


def governance_note(result: CheckResult) -> str:
    """The change edits the rules themselves: say it was judged by the base's rules, and who must review."""
    scope = result.change
    assert scope is not None
    organization = result.catalog.organization
    needed = governance_rules(result)
    lines = [
        f"note: this change edits governance files ({', '.join(scope.governance_files)}).",
        f"  It was judged by the rules as they are on the base branch now ({scope.base_label}), not by "
        "its own edits; they apply once merged.",
    ]
    if needed:
        lines.append(
            "  It needs the governance reviewers: "
            + "; ".join(f"{item.rule.name}: {describe_requirement(organization, item.rule)}" for item in needed)
        )
    else:
        lines.append(
            "  No review rule in martechgate.yaml covers these paths: have IT and security "
            "review it anyway, and add a rule with `when: {paths: [...]}` for them."
        )
    return "\n".join(lines)
