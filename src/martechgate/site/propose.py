"""The data behind the site's "Propose a tool" page: `new`'s questions, the entry schema's fields, the
risk tier's thresholds, the review rules and the catalog's names, as one JSON document the page's
script (templates/site/propose.js) reads. Nothing is retyped for the page: each value comes from the
module that defines it for the command line, so the page and `martechgate new` ask the same
questions, check answers with the same patterns and enums, and compute the same tier and reviewers
(tests/test_propose_page.py runs both on the same cases).

Where the page ends: GitHub's "create new file" page for `catalog/<id>.yaml` in the repository and
branch given to `martechgate site` (`--github-repo`, `--branch`, or GITHUB_REPOSITORY in Actions), a
download, or a copy.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import date
from typing import Any

from martechgate.check import codes, risk
from martechgate.check.approvability import DEPARTMENT_LIKENESS, ENTRY_CONDITIONS
from martechgate.check.catalog import Catalog
from martechgate.check.model import get
from martechgate.check.vocabulary import MODELINE, PERSONAL, RISK_TIERS, load_schema
from martechgate.discovery.match import ALIASES_FIELD
from martechgate.errors import UsageError
from martechgate.gate.applicable import matching_pattern
from martechgate.intake import proposal
from martechgate.intake.proposal import Draft, Question
from martechgate.site.views import owner_roles

_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_BRANCH = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")
# A new entry's path, to judge review rules by `paths`: any new id gives the same answer unless a
# pattern names one entry's file, which a rule for new tools has no reason to do.
PROBE_PATH = "catalog/new-tool.yaml"


def check_target(repository: str | None, branch: str) -> None:
    if repository is not None and (not _REPOSITORY.match(repository) or {".", ".."} & set(repository.split("/"))):
        raise UsageError(f"--github-repo {repository!r} is not of the form owner/name")
    if not _BRANCH.match(branch) or ".." in branch or branch.startswith(("/", "-")):
        raise UsageError(f"--branch {branch!r} is not a branch name")


def _field_schema(key: str) -> dict[str, Any]:
    """The schema of an entry field by dotted key, with only what the page checks. `integrations.*.`
    names a field of each integration."""
    node: Any = load_schema("entry")
    for part in key.split("."):
        if part == "*":
            node = node.get("items", {})
            continue
        node = node.get("properties", {}).get(part, {})
    kept = {k: node[k] for k in ("type", "enum", "pattern", "minimum", "minLength", "maxLength") if k in node}
    items = node.get("items")
    if isinstance(items, dict):
        kept["items"] = {k: items[k] for k in ("type", "enum", "pattern") if k in items}
    return kept


def _question(question: Question, draft: Draft, prefix: str = "") -> dict[str, Any]:
    return {
        "key": question.key,
        "text": proposal.written_text(question),
        "help": proposal.written_help(question),
        "flag": question.flag,
        "optional": question.optional,
        "suggest": question.suggest,
        "when": question.when,
        "kind": proposal.kind_of(question),
        "choices": list(question.choices(draft)) if question.choices else None,
        "schema": _field_schema(prefix + question.key),
    }


def _who(catalog: Catalog, group_name: str) -> list[str]:
    group = catalog.organization.groups.get(group_name)
    if group is None:
        return []
    return ([f"@{group.github_team}"] if group.github_team else []) + [f"@{m}" for m in group.members]


def _rules(catalog: Catalog) -> list[dict[str, Any]]:
    rules = []
    for rule in catalog.organization.review.rules:
        patterns = rule.when.get("paths")
        rules.append(
            {
                "name": rule.name,
                # True: no path condition; False: a new entry's file does not match; else the pattern
                "paths": True if patterns is None else (matching_pattern(patterns, PROBE_PATH) or False),
                "when": {k: v for k, v in rule.when.items() if k in ENTRY_CONDITIONS},
                "require": [
                    {"group": group, "count": count, "who": _who(catalog, group)}
                    for group, count in rule.require.items()
                ],
            }
        )
    return rules


def _tools(catalog: Catalog) -> list[dict[str, Any]]:
    tools = []
    for entry in catalog.entries:
        data = entry.data
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            continue
        aliases = data.get(ALIASES_FIELD)
        tools.append(
            {
                "id": data["id"],
                "name": data.get("name") if isinstance(data.get("name"), str) else data["id"],
                "aliases": [a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else [],
                "status": data.get("status"),
                "category": data.get("category"),
                "capabilities": [c for c in data.get("capabilities") or [] if isinstance(c, str)]
                if isinstance(data.get("capabilities"), list)
                else [],
                "vendor": get(data, "vendor", "name") if isinstance(get(data, "vendor", "name"), str) else None,
                "website": get(data, "vendor", "website") if isinstance(get(data, "vendor", "website"), str) else None,
            }
        )
    return sorted(tools, key=lambda t: t["id"])


def new_file_url(repository: str, branch: str, entry_id: str, text: str) -> str:
    """GitHub's "create new file" page with the entry filled in (the page's script builds the same)."""
    query = urllib.parse.urlencode({"filename": f"catalog/{entry_id}.yaml", "value": text})
    return f"https://github.com/{repository}/new/{urllib.parse.quote(branch)}?{query}"


def page_data(catalog: Catalog, today: date, repository: str | None, branch: str) -> dict[str, Any]:
    tools = _tools(catalog)
    draft = Draft(catalog.organization, {t["id"]: {} for t in tools}, today)
    return {
        "today": today.isoformat(),
        "questions": [_question(q, draft) for q in proposal.QUESTIONS],
        "integration_questions": [_question(q, draft, "integrations.*.") for q in proposal.INTEGRATION_QUESTIONS],
        "codes": codes.lists(),
        "departmentLikeness": DEPARTMENT_LIKENESS,
        "money": catalog.organization.money.as_data(),
        "patterns": proposal.patterns(),
        "field_order": list(proposal.FIELD_ORDER),
        "api_version": proposal.API_VERSION,
        "modeline": MODELINE,
        "eea": sorted(proposal.EEA),
        "in_use": list(proposal.IN_USE),
        "risk": {
            "tiers": list(RISK_TIERS),
            "personal": sorted(PERSONAL),
            "special": sorted(risk.SPECIAL),
            "high_cost": risk.HIGH_COST,
            "medium_cost": risk.MEDIUM_COST,
        },
        "rules": _rules(catalog),
        "roles": owner_roles(catalog.organization),
        "tools": tools,
        "target": {"repository": repository, "branch": branch} if repository else None,
    }
