"""The catalog as a static website: an index to search and filter, a page per tool, renewals, spend and
data flows. Plain files (no server), readable without JavaScript, publishable on GitHub Pages.

`build_site(repo, out)` reads the governance repo, runs the check, renders the pages with Jinja2
(autoescaped: catalog text is written by many people and is never trusted as markup) and writes them
into `out` atomically (see output.py).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from martechgate.audit import history
from martechgate.check import engine
from martechgate.check.catalog import Catalog
from martechgate.check.vocabulary import RISK_TIERS, STATUSES
from martechgate.errors import MartechgateError
from martechgate.site import propose, svg, views
from martechgate.site.output import write_site
from martechgate.site.views import HistoryItem, SiteData, ToolView, slug
from martechgate.sources.git import Git
from martechgate.sources.repo import CATALOG_DIR
from martechgate.sources.yamlload import load_bytes

FACETS = (  # (query name, label, values of a tool)
    ("category", "Category", lambda t: [t.category] if t.category else []),
    ("status", "Status", lambda t: [t.status] if t.status else []),
    ("data", "Data category", lambda t: t.data_categories),
    ("owner", "Owner", lambda t: t.owners),
    ("risk", "Risk (computed)", lambda t: [t.computed_risk] if t.computed_risk else []),
    ("declared", "Risk (declared)", lambda t: [t.declared_risk] if t.declared_risk else []),
)
ORDER = {"status": STATUSES, "risk": RISK_TIERS, "declared": RISK_TIERS}


@dataclass(frozen=True)
class Built:
    out: Path
    files: list[str]
    tools: int
    findings: int


def file_history(repo_path: Path, files: list[str]) -> dict[str, list[HistoryItem]]:
    """The changes to each catalog file on the checked-out branch, newest first, from the audit trail
    (martechgate.history): one `git log` of catalog/ along first parents, renames followed; who proposed
    each change, its subject, and the fields it changed in words. No history outside git (empty)."""
    try:
        git = Git(repo_path)
        commits = history.log(git, "HEAD", (CATALOG_DIR,))
    except MartechgateError:  # not a git repository, or no commit yet
        return {}
    named = {file: file for file in files}  # the name a file had in older commits -> the file now
    found: list[tuple[str, history.Commit, history.FileChange]] = []
    for commit in commits:
        for change in commit.changes:
            current = named.get(change.path)
            if current is None:
                continue
            found.append((current, commit, change))
            if change.status == "R" and change.old_path:
                named[change.old_path] = current  # older commits know it by its old name
    contents = git.blobs(b for _, _, ch in found for b in (ch.old_blob, ch.new_blob) if b)
    proposers = history.proposers(git, (commit for _, commit, _ in found))
    result: dict[str, list[HistoryItem]] = {file: [] for file in files}
    for current, commit, change in found:
        old, new = (_value(contents.get(blob or "")) for blob in (change.old_blob, change.new_blob))
        fields = [f.words() for f in history.diff_values(old, new)] if change.status == "M" else []
        action = {"A": "added", "D": "removed", "R": "renamed", "M": "changed"}[change.status]
        result[current].append(
            HistoryItem(
                commit.date_utc.date().isoformat(), proposers[commit.sha], commit.subject, commit.sha, action, fields
            )
        )
    return result


def _value(data: bytes | None) -> Any:
    loaded = load_bytes(data) if data is not None else None
    return loaded.value if loaded is not None and not loaded.problems else None


def _static(name: str) -> str:
    return resources.files("martechgate.templates").joinpath("site", name).read_text(encoding="utf-8")


def _sha256(content: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(content.encode()).digest()).decode()


def _money(value: float | None, currency: str | None = None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f} {currency or ''}".strip()


# CommonMark with raw HTML off: catalog text is written by many people, so `<script>` in a purpose stays
# text. Images are off too (the page's Content-Security-Policy would block them anyway), and
# markdown-it's own link check refuses javascript:, vbscript: and data: addresses.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def _markdown(text: str) -> Markup:
    return Markup(_MARKDOWN.render(text))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("martechgate", "templates/site"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = _money
    env.filters["slug"] = slug
    env.filters["markdown"] = _markdown
    # A catalog value used in a class name: itself when it is a plain word, else a neutral class.
    env.filters["cls"] = lambda value: value if re.fullmatch(r"[a-z0-9-]{1,40}", str(value)) else "other"
    return env


def _facets(tools: list[ToolView]) -> list[dict[str, Any]]:
    facets = []
    for name, label, values_of in FACETS:
        counts: dict[str, int] = {}
        for tool in tools:
            for value in dict.fromkeys(values_of(tool)):
                counts[value] = counts.get(value, 0) + 1
        order = ORDER.get(name, ())
        values = sorted(counts, key=lambda v: (order.index(v) if v in order else len(order), v))
        facets.append(
            {
                "name": name,
                "label": label,
                "values": [{"value": v, "count": counts[v], "path": f"by/{name}/{slug(v)}.html"} for v in values],
            }
        )
    return facets


def _script_data(tools: list[ToolView]) -> dict[str, Any]:
    return {
        "tools": [
            {
                "key": t.key,
                "text": t.search_text,
                "category": t.category,
                "status": t.status,
                "data": t.data_categories,
                "owner": t.owners,
                "risk": t.computed_risk,
                "declared": t.declared_risk,
            }
            for t in tools
        ]
    }


@dataclass(frozen=True)
class ProposeTarget:
    """Where the "Propose a tool" page sends a proposal: GitHub's new-file page in this repository and
    branch (no repository: the page offers only download and copy)."""

    repository: str | None = None
    branch: str = "main"


def render_site(site: SiteData, folder: Path, *, commit: str | None, target: ProposeTarget = ProposeTarget()) -> None:
    env = _environment()
    css, js = _static("style.css"), _static("filter.js")
    common = {
        "site": site,
        "organization": site.catalog.organization.name,
        "today": site.catalog.today,
        "commit": commit,
        "roles": views.owner_roles(site.catalog.organization),
        "css": css,
        "css_hash": _sha256(css),
        "script_hash": _sha256(js),
    }
    facets = _facets(site.tools)
    keys = {t.id: t.key for t in reversed(site.tools)}  # an id's first entry wins when ids repeat
    names = {t.id: t.name for t in reversed(site.tools)}

    def page(path: str, template: str, **values: Any) -> None:
        depth = path.count("/")
        html = env.get_template(template).render({**common, "root": "../" * depth, "current": path, **values})
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")

    page(
        "index.html",
        "index.html",
        tools=site.tools,
        facets=facets,
        facet=None,
        script=js,
        data=_script_data(site.tools),
    )
    for facet in facets:
        name, label = facet["name"], facet["label"]
        values_of = next(f[2] for f in FACETS if f[0] == name)
        for value in facet["values"]:
            chosen = [t for t in site.tools if value["value"] in values_of(t)]
            page(
                value["path"],
                "index.html",
                tools=chosen,
                facets=facets,
                script=None,
                data=None,
                facet={"name": name, "label": label, "value": value["value"]},
            )
    for tool in site.tools:
        page(f"tools/{tool.key}.html", "tool.html", tool=tool, keys=keys, names=names)
    page("renewals.html", "renewals.html", months=views.renewals(site.catalog, keys))
    form_script = _static("propose.js")
    page(
        "propose.html",
        "propose.html",
        data=propose.page_data(site.catalog, site.catalog.today, target.repository, target.branch),
        target=target if target.repository else None,
        script=form_script,
        script_hash=_sha256(form_script),
    )
    spends = views.spend(site.catalog)
    page("spend.html", "spend.html", spends=[(s, svg.bar_chart(s)) for s in spends])
    page("flows.html", "flows.html", graph=svg.flow_graph(site.tools, site.flows), keys=keys, names=names)
    (folder / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve the files as they are


def _head_commit(repo_path: Path) -> str | None:
    try:
        return Git(repo_path).head()
    except MartechgateError:  # not a git repository
        return None


def build_site(
    catalog: Catalog,
    repo_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    target: ProposeTarget = ProposeTarget(),
) -> Built:
    """Check `catalog` (read from `repo_path`) and write its site into `out`."""
    propose.check_target(target.repository, target.branch)
    result = engine.run(catalog)
    site = views.build(catalog, result.report)
    histories = file_history(Path(repo_path), [tool.file for tool in site.tools])
    for tool in site.tools:
        tool.history = histories.get(tool.file, [])
    commit = _head_commit(Path(repo_path))
    files = write_site(Path(out), lambda folder: render_site(site, folder, commit=commit, target=target))
    return Built(Path(out), files, len(site.tools), len(result.report.findings))


__all__ = ["Built", "ProposeTarget", "build_site", "file_history", "render_site"]
