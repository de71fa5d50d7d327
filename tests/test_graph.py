"""martechgate graph: the integration graph as Mermaid and DOT, personal data marked, uncleared flows red.

Neither pydot nor Graphviz is installed here, so the output is read back with the small parsers below:
they accept only well-formed statements and undo each syntax's escaping, so a test can check that a
hostile label comes back exactly as written and cannot add a statement of its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from martechgate.check import engine
from martechgate.sources.repo import WorkTree
from martechgate.vendors.graph import RED, dot_text, mermaid_text
from tests.conftest import ROOT, TODAY, GovRepo

# --- a strict reader for the DOT we write ---------------------------------------------------------

DOT_TOKEN = re.compile(
    r'\s*(?:(?P<q>"(?:[^"\\]|\\.)*")|(?P<arrow>->)|(?P<p>[{}\[\];,=])'
    r"|(?P<id>[A-Za-z_]\w*))"
)


def _dot_unquote(token: str) -> str:
    if not token.startswith('"'):
        return token
    out, body, index = [], token[1:-1], 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            following = body[index + 1]
            # anything else would be a Graphviz escString (\N, \G, \l ...) that a label must not form
            assert following in '\\"n', f"stray escape \\{following} in {token}"
            out.append({"n": "\n"}.get(following, following))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def parse_dot(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while text[position:].strip():
        match = DOT_TOKEN.match(text, position)
        assert match, f"cannot read DOT at {text[position : position + 40]!r}"
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    index = 0

    def take(*kinds: str) -> str:
        nonlocal index
        kind, value = tokens[index]
        assert kind in kinds or value in kinds, f"expected {kinds}, got {value!r}"
        index += 1
        return value

    def attributes() -> dict[str, str]:
        result: dict[str, str] = {}
        take("[")
        while tokens[index][1] != "]":
            key = take("id")
            take("=")
            result[key] = _dot_unquote(take("q", "id"))
            if tokens[index][1] == ",":
                take(",")
        take("]")
        return result

    assert take("digraph") == "digraph"
    take("id")
    take("{")
    while tokens[index][1] != "}":
        first = take("q", "id")
        if tokens[index][1] == "=":
            take("=")
            take("id", "q")
        elif first in ("node", "edge", "graph"):
            attributes()
        elif tokens[index][0] == "arrow":
            take("arrow")
            second = take("q", "id")
            edges.append((_dot_unquote(first), _dot_unquote(second), attributes() if tokens[index][1] == "[" else {}))
        else:
            nodes[_dot_unquote(first)] = attributes() if tokens[index][1] == "[" else {}
        take(";")
    take("}")
    assert index == len(tokens), "text after the closing brace"
    return nodes, edges


# --- a strict reader for the Mermaid we write -----------------------------------------------------

MERMAID_NODE = re.compile(r'^  (n\d+)\["([^"]*)"\]$')
MERMAID_EDGE = re.compile(r'^  (n\d+) (-->|<-->)(?:\|"([^"]*)"\|)? (n\d+)$')
MERMAID_OTHER = re.compile(r"^  (linkStyle \d+ [\w:#,.-]+|classDef \w+ [\w:#,. -]+|class [n\d,]+ \w+)$")
SAFE = re.compile(r"^[A-Za-z0-9 .,:/()_+#;-]*$")


def _mermaid_unescape(text: str) -> str:
    assert SAFE.match(text), f"unescaped character in {text!r}"
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)


def parse_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str, str, str | None]], list[str]]:
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str, str | None]] = []
    styles: list[str] = []
    for line in lines[1:]:
        if node := MERMAID_NODE.match(line):
            nodes[node.group(1)] = _mermaid_unescape(node.group(2))
        elif edge := MERMAID_EDGE.match(line):
            assert edge.group(1) in nodes and edge.group(4) in nodes, f"edge to an undeclared node: {line}"
            label = _mermaid_unescape(edge.group(3)) if edge.group(3) is not None else None
            edges.append((edge.group(1), edge.group(2), edge.group(4), label))
        else:
            assert MERMAID_OTHER.match(line), f"not a Mermaid statement we write: {line!r}"
            styles.append(line.strip())
    return nodes, edges, styles


def graph(run_cli: Any, repo: Path, fmt: str) -> str:
    result = run_cli("graph", str(repo), "--format", fmt)
    assert result.returncode == 0, result.stderr
    return str(result.stdout)


# --- the repo's own catalog ----------------------------------------------------------------------


def _own_integrations() -> int:
    return sum(
        len(yaml.safe_load(path.read_text()).get("integrations") or []) for path in (ROOT / "catalog").glob("*.yaml")
    )


def test_own_catalog_mermaid(run_cli: Any) -> None:
    nodes, edges, styles = parse_mermaid(graph(run_cli, ROOT, "mermaid"))
    assert len(nodes) == 25
    assert len(edges) == _own_integrations()
    names = {label: node for node, label in nodes.items()}
    hubspot, salesforce = names["HubSpot Marketing Hub"], names["Salesforce Sales Cloud"]
    assert (hubspot, "-->", salesforce, "contact-pii, behavioral") in edges
    # every flow in the example catalog carries personal data: each one is styled
    assert sum(1 for style in styles if style.startswith("linkStyle")) == len(edges)
    assert "Drift #91;denied#93;" not in nodes.values() and "Drift [denied]" in nodes.values()


def test_own_catalog_dot(run_cli: Any) -> None:
    nodes, edges = parse_dot(graph(run_cli, ROOT, "dot"))
    assert len(nodes) == 25 and len(edges) == _own_integrations()
    assert nodes["drift"]["label"] == "Drift [denied]"
    # mailchimp's integration is inbound from hubspot: the arrow points the way the data moves
    assert any(a == "hubspot-marketing-hub" and b == "mailchimp" for a, b, _ in edges)
    intercom = next(attrs for a, b, attrs in edges if a == "intercom")
    assert intercom["dir"] == "both"


def test_own_catalog_edge_table(run_cli: Any) -> None:
    rows = json.loads(graph(run_cli, ROOT, "json"))["rows"]
    assert len(rows) == _own_integrations()
    assert all(row["personal"] for row in rows)
    assert "Integrates with" in graph(run_cli, ROOT, "table")


# --- clearance: the same verdict as the data-flow-clearance rule ----------------------------------

PII = {"classification": "confidential", "categories": ["contact-pii"]}


def _flows_catalog(gov: GovRepo) -> None:
    gov.add_entry(
        "sender",
        name="Sender",
        data=PII,
        integrations=[
            {"target": "receiver", "direction": "outbound", "data": ["contact-pii"]},
            {"target": "cleared", "direction": "outbound", "data": ["contact-pii"]},
            {"target": "not-in-catalog", "direction": "outbound", "data": ["none"]},
        ],
    )
    gov.add_entry("receiver", name="Receiver")  # data.categories: [none]
    gov.add_entry("cleared", name="Cleared", data=PII)
    gov.add_entry(
        "puller", name="Puller", integrations=[{"target": "cleared", "direction": "inbound", "data": ["contact-pii"]}]
    )


def test_uncleared_flows_are_red_as_the_rule_says(gov: GovRepo, run_cli: Any) -> None:
    _flows_catalog(gov)
    nodes, edges = parse_dot(graph(run_cli, gov.path, "dot"))
    red = {(a, b) for a, b, attrs in edges if attrs.get("color") == RED}
    assert red == {("sender", "receiver"), ("cleared", "puller")}
    sender_receiver = next(attrs for a, b, attrs in edges if (a, b) == ("sender", "receiver"))
    assert sender_receiver["label"] == "contact-pii (not cleared: contact-pii into receiver)"
    assert next(attrs for a, b, attrs in edges if b == "cleared")["color"] == "#ff7f0e"  # personal, cleared
    assert nodes["not-in-catalog"]["label"] == "not-in-catalog (not in catalog)"
    assert "dashed" in nodes["not-in-catalog"]["style"]
    findings = engine.check(WorkTree(gov.path), today=TODAY).report.findings
    flagged = {f.entry for f in findings if f.rule == "data-flow-clearance"}
    assert flagged == {"sender", "puller"}

    mermaid_nodes, mermaid_edges, styles = parse_mermaid(graph(run_cli, gov.path, "mermaid"))
    red_indexes = {int(s.split()[1]) for s in styles if s.startswith("linkStyle") and RED in s}
    red_mermaid = {(mermaid_nodes[mermaid_edges[i][0]], mermaid_nodes[mermaid_edges[i][2]]) for i in red_indexes}
    assert red_mermaid == {("Sender", "Receiver"), ("Cleared", "Puller")}
    assert any(s.startswith("class ") and s.endswith(" missing") for s in styles)


# --- escaping ------------------------------------------------------------------------------------

HOSTILE = [
    'Tool "Pro"',
    "Brackets [x] {y} (z)",
    'A"] --> B["injected',
    "Pipe | hash # semicolon ; amp &",
    "Less <b>than</b> & greater",
    "Back\\slash \\N \\l \\G",
    "Two\nlines",
    "Ünïcödé 日本",
    "end",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_labels_survive_both_syntaxes(gov: GovRepo, run_cli: Any, name: str) -> None:
    gov.add_entry(
        "end", name=name, integrations=[{"target": "other", "direction": "bidirectional", "data": ["behavioral"]}]
    )
    gov.add_entry("other")
    nodes, edges = parse_dot(graph(run_cli, gov.path, "dot"))
    assert nodes["end"]["label"] == name
    assert len(edges) == 1
    mermaid_nodes, mermaid_edges, _ = parse_mermaid(graph(run_cli, gov.path, "mermaid"))
    expected = " ".join(name.splitlines())  # Mermaid labels are one line
    assert expected in mermaid_nodes.values()
    assert len(mermaid_edges) == 1 and mermaid_edges[0][1] == "<-->"


def test_escape_functions() -> None:
    assert dot_text('say "hi"\\N\nnext') == '"say \\"hi\\"\\\\N\\nnext"'
    assert mermaid_text('a"b<c>|#') == "a#34;b#60;c#62;#124;#35;"
    assert mermaid_text("x\ny") == "x y"


def test_malformed_entries_are_skipped_with_a_note(gov: GovRepo, run_cli: Any) -> None:
    gov.add_entry(
        "fine", integrations=[{"target": "other", "direction": "sideways"}, {"direction": "outbound"}, "not a mapping"]
    )
    gov.add_entry("other")
    gov.write("catalog/broken.yaml", "id: [\n")
    result = run_cli("graph", str(gov.path), "--format", "dot")
    assert result.returncode == 0
    nodes, edges = parse_dot(result.stdout)
    assert set(nodes) == {"fine", "other"} and edges == []
    assert "note: catalog/broken.yaml: skipped" in result.stderr
    document = json.loads(graph(run_cli, gov.path, "json"))
    assert any("broken.yaml" in note for note in document["meta"]["skipped"])


def test_bad_format_and_missing_catalog_exit_2(run_cli: Any, tmp_path: Path) -> None:
    assert run_cli("graph", str(ROOT), "--format", "svg").returncode == 2
    result = run_cli("graph", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
