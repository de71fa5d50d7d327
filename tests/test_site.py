"""`martechgate site`: the pages' structure, escaping of every piece of catalog text, what the pages
say, and writing OUT atomically without touching files that are not the site's.

The browser half (filtering, JavaScript off, no dialog firing) is tests/test_site_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from martechgate.check import engine
from martechgate.errors import UsageError
from martechgate.site import build_site
from martechgate.site.output import MARKER, write_site
from martechgate.sources.opener import open_source
from tests.conftest import TODAY, GovRepo
from tests.site_catalog import PAYLOADS, XSS_NAME, XSS_PURPOSE, XSS_SUBJECT, XSS_TARGET, build_repo


class Page(HTMLParser):
    """The parts of a page the tests look at: tags with attributes, headings, text, inline code."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[int, str]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._in: list[str] = []
        self._heading: list[str] | None = None
        self._raw: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []
        if tag in ("script", "style"):
            self._raw = []

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((int(tag[1]), "".join(self._heading).strip()))
            self._heading = None
        if tag == "script":
            self.scripts.append((self.tags_named("script")[-1], "".join(self._raw)))
        if tag == "style":
            self.styles.append("".join(self._raw))
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] in ("script", "style"):
            self._raw.append(data)
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def tags_named(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def _page(out: Path, name: str) -> Page:
    return Page((out / name).read_text(encoding="utf-8"))


def _build(gov: GovRepo, out: Path) -> Any:
    catalog = engine.load_catalog(open_source(gov.path), today=TODAY)
    return build_site(catalog, gov.path, out)


@pytest.fixture(scope="module")
def built(gov_template: GovRepo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """site_catalog's repo and its site, built once for the tests that only read the pages."""
    folder = tmp_path_factory.mktemp("built")
    gov = build_repo(gov_template.copy_to(folder / "gov"))
    out = folder / "site"
    _build(gov, out)
    return out


def _html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_page_is_there(built: Path) -> None:
    tools = sorted(p.name for p in (built / "tools").glob("*.html"))
    assert len(tools) == 28  # the project's 25, xss-tool, broken-tool, unreadable
    assert "hubspot-marketing-hub.html" in tools and "unreadable.html" in tools
    for name in (
        "index.html",
        "renewals.html",
        "spend.html",
        "flows.html",
        ".nojekyll",
        MARKER,
        "by/category/email.html",
        "by/status/approved.html",
        "by/data/contact-pii.html",
        "by/risk/high.html",
        "by/declared/low.html",
    ):
        assert (built / name).is_file(), name
    owners = list((built / "by" / "owner").glob("*.html"))
    assert owners and all(re.fullmatch(r"[a-z0-9.-]+\.html", p.name) for p in owners)


def test_pages_are_accessible_in_structure(built: Path) -> None:
    for path in _html_files(built):
        page = _page(built, str(path.relative_to(built)))
        where = path.relative_to(built)
        assert page.tags_named("html")[0].get("lang") == "en", where
        assert next(a.get("href") for a in page.tags_named("a")) == "#main", f"{where}: skip link first"
        assert [a for a in page.tags_named("main") if a.get("id") == "main"], where
        assert page.tags_named("header") and page.tags_named("nav") and page.tags_named("footer"), where
        levels = [level for level, _ in page.headings]
        assert levels.count(1) == 1 and levels[0] == 1, f"{where}: one h1, first"
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), f"{where}: {levels}"
        ids = {attrs["id"] for _, attrs in page.tags if attrs.get("id")}
        for tag, attrs in page.tags:
            if tag in ("input", "select"):
                assert any(a.get("for") == attrs.get("id") for a in page.tags_named("label")), (
                    f"{where}: {tag} {attrs.get('id')} has no label"
                )
            for ref in ("aria-labelledby", "aria-describedby"):
                if attrs.get(ref):
                    assert set(str(attrs[ref]).split()) <= ids, f"{where}: {ref}={attrs[ref]}"
            if tag == "th":
                assert attrs.get("scope") in ("col", "row"), f"{where}: th without scope"


def test_every_internal_link_leads_to_a_page(built: Path) -> None:
    for path in _html_files(built):
        page = _page(built, str(path.relative_to(built)))
        ids = {attrs["id"] for _, attrs in page.tags if attrs.get("id")}
        for attrs in page.tags_named("a"):
            href = str(attrs.get("href"))
            parts = urlsplit(href)
            if parts.scheme in ("http", "https"):
                continue
            assert not parts.scheme, f"{path}: {href}"
            if parts.path:
                assert (path.parent / parts.path).resolve().is_file(), f"{path}: broken link {href}"
            elif parts.fragment:
                assert parts.fragment in ids, f"{path}: no #{parts.fragment}"


def test_catalog_text_is_never_markup(built: Path) -> None:
    for path in _html_files(built):
        html = path.read_text(encoding="utf-8")
        for payload in PAYLOADS:
            assert payload not in html, f"{path} holds {payload!r} unescaped"
        page = Page(html)
        for tag, attrs in page.tags:
            assert not any(name.startswith("on") for name in attrs), f"{path}: {tag} {attrs}"
            assert tag not in ("img", "iframe", "object", "embed"), f"{path}: {tag}"
            href = (attrs.get("href") or "").lower()
            assert not href.startswith("javascript:"), f"{path}: {href}"
            assert not href.startswith("data:") or (tag, href) == ("link", "data:,"), f"{path}: {href}"
        # Only our own scripts run: the filter on the index, the form on the proposal page, nothing else.
        runnable = [s for s in page.scripts if s[0].get("type") != "application/json"]
        ours = path.parent == built and path.name in ("index.html", "propose.html")
        assert len(runnable) == (1 if ours else 0), path
    tool = _page(built, "tools/xss-tool.html")
    assert tool.headings[0] == (1, XSS_NAME)  # shown as text
    assert XSS_PURPOSE in tool.all_text
    assert XSS_SUBJECT in tool.all_text  # the commit subject, in the history
    broken = _page(built, "tools/broken-tool.html")
    assert XSS_TARGET in broken.all_text and broken.headings[0] == (1, XSS_NAME)


def test_the_script_data_survives_escaping(built: Path) -> None:
    html = (built / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="tool-data">(.*?)</script>', html, re.S)
    assert block is not None and "<" not in block.group(1)
    tools = json.loads(block.group(1))["tools"]
    assert XSS_PURPOSE.lower() in next(t["text"] for t in tools if t["key"] == "xss-tool")
    options = [a.get("value") for a in Page(html).tags_named("option")]
    assert XSS_NAME not in options and "jane.doe@example.com" in options


def test_inline_code_is_allowed_by_its_hash_and_nothing_else(built: Path) -> None:
    def digest(text: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    page = _page(built, "index.html")
    policy = next(m["content"] for m in page.tags_named("meta") if m.get("http-equiv"))
    assert policy and "default-src 'none'" in policy and "unsafe" not in policy
    script = next(code for attrs, code in page.scripts if attrs.get("type") is None)
    assert f"script-src '{digest(script)}'" in policy
    assert f"style-src '{digest(page.styles[0])}'" in policy
    assert not [attrs for _, attrs in page.tags if "style" in attrs], "inline style attributes are blocked"


def test_tool_page_shows_facts_findings_exceptions_flows_history(built: Path) -> None:
    page = _page(built, "tools/hubspot-marketing-hub.html")
    text = page.all_text
    headings = [title for _, title in page.headings]
    for section in ("Findings", "Risk", "Exceptions", "Facts", "Integrations", "History"):
        assert section in headings
    assert "HubSpot, Inc." in text and "jane.doe@example.com" in text and "SEC-1423" in text
    assert "2027-04-30" in text and "158 days left" in text  # the exception and its expiry, as of TODAY
    assert "pii-requires-scim" in text and "Waived by" in text and "ciso@example.com" in text
    assert "Ask IT to connect the tool" in text  # the remediation
    links = [a.get("href") for a in page.tags_named("a")]
    assert "../tools/salesforce-sales-cloud.html" in links
    assert "Import the catalog" in text and "Alice Chen" in text


def test_a_flow_into_an_uncleared_tool_is_red_on_the_graph_and_in_the_list(built: Path) -> None:
    html = (built / "flows.html").read_text(encoding="utf-8")
    red = re.findall(r'<path d="[^"]+" class="edge uncleared"[^>]*><title>([^<]*)</title>', html)
    assert red == ["xss-tool → canva: behavioral"]
    assert 'class="edge personal"' in html  # the catalog's contact-pii flows
    assert "not cleared for this data" in _page(built, "flows.html").all_text
    assert "not cleared" in _page(built, "tools/xss-tool.html").all_text
    assert "&lt;img src=x onerror=alert(1)&gt;</text>" in html  # the node label, escaped in the SVG


def test_renewals_give_the_cancellation_deadline(built: Path) -> None:
    page = _page(built, "renewals.html")
    assert [title for level, title in page.headings if level == 2][:2] == ["January 2027", "February 2027"]
    html = (built / "renewals.html").read_text(encoding="utf-8")
    row = re.search(r"HubSpot Marketing Hub</a></th>(.*?)</tr>", html, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert cells[:5] == ["2027-03-01", "2026-12-31", "yes", "48,000 USD", "jane.doe@example.com"]


def test_spend_is_a_chart_with_a_table_per_currency(built: Path) -> None:
    page = _page(built, "spend.html")
    # The figures of `martechgate spend --by category` (its (all) rows), xss-tool's 1,200 USD included.
    assert [t for lvl, t in page.headings if lvl == 2] == [
        "In USD: 1,074,800 USD a year in licences",
        "In EUR: 174,400 EUR a year in licences",
    ]
    html = (built / "spend.html").read_text(encoding="utf-8")
    assert html.count('<svg role="img"') == 2 and html.count("<table>") == 2
    assert '<text x="160" y="24" text-anchor="end" class="bar-label">advertising</text>' in html
    assert "426,000 USD" in page.all_text


def test_facet_pages_list_only_their_tools(built: Path) -> None:
    page = _page(built, "by/category/email.html")
    rows = [a.get("href") for a in page.tags_named("a") if str(a.get("href")).startswith("../../tools/")]
    assert rows == ["../../tools/mailchimp.html"]
    assert page.headings[0] == (1, "Category: email")


def test_broken_entries_still_get_a_row_and_their_findings(built: Path) -> None:
    page = _page(built, "tools/unreadable.html")
    assert "could not be read" in page.all_text and "yaml-syntax" in page.all_text
    assert "unreadable file" in _page(built, "index.html").all_text


def test_the_same_catalog_gives_the_same_site(gov: GovRepo, tmp_path: Path) -> None:
    build_repo(gov)
    first, second = tmp_path / "a", tmp_path / "b"
    _build(gov, first)
    _build(gov, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_a_folder_outside_git_has_no_history_but_a_site(tmp_path: Path) -> None:
    repo = tmp_path / "plain"
    repo.mkdir()
    root = Path(__file__).resolve().parents[1]
    (repo / "martechgate.yaml").write_bytes((root / "martechgate.yaml").read_bytes())
    (repo / "catalog").mkdir()
    (repo / "catalog" / "figma.yaml").write_bytes((root / "catalog" / "figma.yaml").read_bytes())
    catalog = engine.load_catalog(open_source(repo), today=TODAY)
    build_site(catalog, repo, tmp_path / "out")
    assert "No recorded history" in _page(tmp_path / "out", "tools/figma.html").all_text


# Writing OUT ----------------------------------------------------------------------------------------


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def _fill(files: dict[str, str]) -> Any:
    def render(folder: Path) -> None:
        for name, content in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(content)

    return render


def test_rebuilding_replaces_the_site_and_keeps_the_persons_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(out, _fill({"index.html": "one", "tools/a.html": "a", "tools/gone.html": "x"}))
    (out / "CNAME").write_text("catalog.example.com")
    (out / "tools" / "notes.txt").write_text("mine")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages")
    write_site(out, _fill({"index.html": "two", "tools/a.html": "a2"}))
    assert (out / "index.html").read_text() == "two" and (out / "tools/a.html").read_text() == "a2"
    assert not (out / "tools" / "gone.html").exists()  # a page the new build no longer has
    assert (out / "CNAME").read_text() == "catalog.example.com"
    assert (out / "tools" / "notes.txt").read_text() == "mine"
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages"
    assert json.loads((out / MARKER).read_text())["files"] == ["index.html", "tools/a.html"]
    assert _leftovers(tmp_path) == []


def test_refuses_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "report.txt").write_text("important")
    with pytest.raises(UsageError, match="not empty and holds no site written by martechgate"):
        write_site(out, _fill({"index.html": "x"}))
    assert sorted(p.name for p in out.iterdir()) == ["report.txt"]
    (out / MARKER).write_text("{not json")
    with pytest.raises(UsageError):
        write_site(out, _fill({"index.html": "x"}))
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        write_site(file, _fill({"index.html": "x"}))
    assert _leftovers(tmp_path) == []


def test_an_empty_folder_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir(mode=0o750)
    assert write_site(out, _fill({"index.html": "x"})) == ["index.html"]
    assert out.stat().st_mode & 0o777 == 0o750  # the folder's own permissions survive the swap


def test_a_new_site_is_readable_by_a_web_server(tmp_path: Path) -> None:
    os.umask(old := os.umask(0o022))
    try:
        write_site(tmp_path / "new", _fill({"index.html": "x"}))
    finally:
        os.umask(old)
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o755  # not mkdtemp's private 0700


def test_a_link_to_the_site_folder_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    write_site(real, _fill({"index.html": "one"}))
    (tmp_path / "link").symlink_to(real)
    write_site(tmp_path / "link", _fill({"index.html": "two"}))
    assert (tmp_path / "link").is_symlink() and (real / "index.html").read_text() == "two"


def test_a_failed_build_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(out, _fill({"index.html": "old"}))
    (out / "CNAME").write_text("keep")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def fails(folder: Path) -> None:
        (folder / "index.html").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_site(out, fails)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _leftovers(tmp_path) == []


def test_a_persons_file_where_the_new_site_writes_stops_the_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(out, _fill({"index.html": "old"}))
    (out / "spend.html").write_text("my own page")
    with pytest.raises(UsageError, match="was not written by martechgate"):
        write_site(out, _fill({"index.html": "new", "spend.html": "generated"}))
    assert (out / "spend.html").read_text() == "my own page" and (out / "index.html").read_text() == "old"
    assert _leftovers(tmp_path) == []


# The command ----------------------------------------------------------------------------------------


def test_cli_builds_and_refuses_in_plain_words(gov: GovRepo, tmp_path: Path, run_cli: Any) -> None:
    build_repo(gov)
    out = tmp_path / "public"
    result = run_cli("site", str(out), str(gov.path), "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    assert "Wrote the site of 28 tools" in result.stdout and (out / "index.html").is_file()
    result = run_cli("site", str(gov.path / "catalog"), str(gov.path))
    assert result.returncode == 2
    assert "nothing was written" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("site", str(out), str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_today_decides_what_has_expired(gov: GovRepo, tmp_path: Path) -> None:
    build_repo(gov)
    catalog = engine.load_catalog(open_source(gov.path), today=date(2027, 5, 1))
    build_site(catalog, gov.path, tmp_path / "later")
    text = _page(tmp_path / "later", "tools/hubspot-marketing-hub.html").all_text
    assert "expired: the finding it waived blocks again" in text


def test_an_empty_catalog_still_gives_a_site_that_says_so(gov: GovRepo, tmp_path: Path) -> None:
    _build(gov, tmp_path / "out")
    out = tmp_path / "out"
    assert "0 tools." in _page(out, "index.html").all_text
    assert "No tool renews from today on." in _page(out, "renewals.html").all_text
    assert "No tool in use has a licence cost." in _page(out, "spend.html").all_text
    assert "No tool declares an integration." in _page(out, "flows.html").all_text


def test_a_target_outside_the_catalog_is_named_not_linked(built: Path) -> None:
    html = (built / "flows.html").read_text(encoding="utf-8")
    assert "&lt;svg&gt;&lt;script&gt;alert(4)&lt;/script&gt;&lt;/svg&gt; (not in the catalog)</text>" in html
    assert "(not in the catalog)" in _page(built, "tools/broken-tool.html").all_text


def test_renewals_say_what_needs_attention(built: Path) -> None:
    html = (built / "renewals.html").read_text(encoding="utf-8")

    def attention(name: str) -> str:
        row = re.search(rf">{re.escape(name)}</a></th>(.*?)</tr>", html, re.S)
        assert row is not None, name
        return re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)[-1]).strip()

    assert "WordPress VIP" not in html  # renewed 2026-06-30, before TODAY: not a renewal to come
    assert (
        attention("Adobe Marketo Engage") == "act now the notice deadline has passed (the contract does not auto-renew)"
    )  # 2026-11-02
    assert attention("HubSpot Marketing Hub") == ""  # cancel by 2026-12-31: more than 30 days ahead


def test_history_is_newest_first_with_proposer_fields_and_renames(gov: GovRepo, tmp_path: Path) -> None:
    gov.add_entry("figma-like")
    gov.commit("Propose figma-like", when="2026-02-01T10:00:00+00:00", author="Ann Proposer <ann@example.com>")
    gov.add_entry("figma-like", purpose="Design social graphics and decks")
    gov.commit("Widen the purpose", when="2026-03-05T10:00:00+00:00", author="Raj Patel <raj@example.com>")
    gov.git("mv", "catalog/figma-like.yaml", "catalog/design-suite.yaml")
    gov.add_entry("design-suite", purpose="Design social graphics and decks")
    gov.commit("Rename to design-suite", when="2026-04-01T10:00:00+00:00", author="Raj Patel <raj@example.com>")
    _build(gov, tmp_path / "out")
    page = _page(tmp_path / "out", "tools/design-suite.html")
    html = (tmp_path / "out" / "tools" / "design-suite.html").read_text(encoding="utf-8")
    days = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td>", html)
    assert days == ["2026-04-01", "2026-03-05", "2026-02-01"]  # newest first, across the rename
    assert "Ann Proposer <ann@example.com>" in page.all_text and "(renamed)" in page.all_text
    assert "purpose: Design social graphics → Design social graphics and decks" in page.all_text


def test_a_purpose_in_markdown_is_rendered_and_raw_html_stays_text(gov: GovRepo, tmp_path: Path) -> None:
    gov.add_entry(
        "md-tool",
        purpose="Nurture **leads** for `demand-gen`, see [the brief](https://example.com/brief) "
        "and [this](javascript:alert(1)) <script>alert(7)</script> <b>raw</b>",
    )
    gov.commit("Add md-tool")
    out = tmp_path / "site"
    _build(gov, out)
    page = (out / "tools" / "md-tool.html").read_text()
    lead = page.split('<div class="lead purpose">', 1)[1].split("</div>", 1)[0]
    assert "<strong>leads</strong>" in lead and "<code>demand-gen</code>" in lead
    assert '<a href="https://example.com/brief">the brief</a>' in lead
    assert "javascript:" not in lead.replace("[this](javascript:alert(1))", "")
    assert "<script>" not in lead and "&lt;script&gt;alert(7)&lt;/script&gt;" in lead
    assert "<b>" not in lead and "&lt;b&gt;raw&lt;/b&gt;" in lead


def test_owner_role_labels_come_from_the_organisation_file(gov: GovRepo, tmp_path: Path) -> None:
    gov.add_entry("plain-tool", contract={**engine_contract(), "renewal": "2026-12-20"})
    gov.commit("Add plain-tool")
    out = tmp_path / "default"
    _build(gov, out)
    assert "<dt>Marketing owner</dt>" in (out / "tools" / "plain-tool.html").read_text()  # the starter's words
    assert "<dt>IT owner</dt>" in (out / "tools" / "plain-tool.html").read_text()
    organisation = (gov.path / "martechgate.yaml").read_text()
    named_roles = "owner_roles: {business: CMO-side owner, technical: CIO-side owner}"
    gov.write("martechgate.yaml", re.sub(r"(?m)^owner_roles: .*$", named_roles, organisation))
    gov.commit("Name the owners")
    named = tmp_path / "named"
    _build(gov, named)
    page = (named / "tools" / "plain-tool.html").read_text()
    assert "<dt>CMO-side owner</dt>" in page and "<dt>CIO-side owner</dt>" in page
    assert '<th scope="col">CMO-side owner</th>' in (named / "renewals.html").read_text()


def engine_contract() -> dict[str, Any]:
    from tests.conftest import BASE_ENTRY

    return dict(BASE_ENTRY["contract"])
