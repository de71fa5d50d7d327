"""The integration graph: every tool a node, every declared integration an edge, as Mermaid or
Graphviz DOT (or as a table of edges).

An edge points the way data moves: `outbound` from the tool to its target, `inbound` from the target
to the tool, `bidirectional` both ways. Its label lists the data categories it carries. An edge that
carries personal data (vocabulary.PERSONAL) is drawn in orange; one that moves data into a tool not cleared
for it (the data-flow-clearance rule, whose logic this reuses) in red. A target that is not in the
catalog is drawn dashed; retired and denied tools in grey.

Labels are escaped for each syntax, so a tool name with quotes, brackets, `#`, `|`, `<` or line
breaks cannot break the diagram or inject statements into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from martechgate.check.catalog import Catalog
from martechgate.check.rules import data_flow
from martechgate.check.vocabulary import PERSONAL
from martechgate.formats.tables import Column, Table
from martechgate.vendors.tools import Tool, ToolSet

RED = "#d62728"
ORANGE = "#ff7f0e"
GREY = "#7f7f7f"
FORMATS = ("mermaid", "dot")


@dataclass(frozen=True)
class Edge:
    source: str  # the tool whose entry declares the integration
    target: str
    direction: str
    data: tuple[str, ...]
    method: str | None
    personal: tuple[str, ...]
    uncleared: tuple[str, ...]  # human-readable, e.g. "contact-pii into google-analytics-4"

    @property
    def label(self) -> str:
        text = ", ".join(self.data) if self.data else ""
        if self.uncleared:
            text += f" (not cleared: {'; '.join(self.uncleared)})"
        return text.strip()

    @property
    def colour(self) -> str | None:
        if self.uncleared:
            return RED
        if self.personal:
            return ORANGE
        return None


@dataclass(frozen=True)
class Graph:
    nodes: dict[str, Tool | None]  # id -> tool; None for a target not in the catalog
    edges: list[Edge]


def build(catalog: Catalog, tools: ToolSet) -> Graph:
    by_id = tools.by_id()
    nodes: dict[str, Tool | None] = dict(sorted(by_id.items()))
    edges = []
    for tool in sorted(tools.tools, key=lambda t: t.id):
        for integration in tool.integrations:
            nodes.setdefault(integration.target, by_id.get(integration.target))
            flows = data_flow.uncleared(
                catalog, tool.data_categories, integration.target, integration.direction, integration.data
            )
            uncleared = tuple(
                f"{', '.join(missing)} into {integration.target if way == 'outbound' else tool.id}"
                for way, missing in flows
            )
            edges.append(
                Edge(
                    tool.id,
                    integration.target,
                    integration.direction,
                    integration.data,
                    integration.method,
                    tuple(c for c in integration.data if c in PERSONAL),
                    uncleared,
                )
            )
    return Graph(dict(sorted(nodes.items())), edges)


def _node_label(tool_id: str, tool: Tool | None) -> str:
    if tool is None:
        return f"{tool_id} (not in catalog)"
    if tool.status and tool.status != "approved":
        return f"{tool.name} [{tool.status}]"
    return tool.name


def _ends(edge: Edge) -> tuple[str, str]:
    return (edge.target, edge.source) if edge.direction == "inbound" else (edge.source, edge.target)


# --- Mermaid -------------------------------------------------------------------------------------


def mermaid_text(text: str) -> str:
    """Text safe inside a Mermaid quoted label: everything but letters, digits, spaces and a few
    harmless marks becomes an entity code (#34; for a quote), line breaks become spaces."""
    text = " ".join(text.splitlines())
    return "".join(ch if (ch.isalnum() and ch.isascii()) or ch in " .,:/()_-+" else f"#{ord(ch)};" for ch in text)


def to_mermaid(graph: Graph) -> str:
    # Node ids are generated (n0, n1, ...): catalog ids could collide with Mermaid keywords (`end`).
    ids = {tool_id: f"n{index}" for index, tool_id in enumerate(graph.nodes)}
    out = ["flowchart LR"]
    for tool_id, tool in graph.nodes.items():
        out.append(f'  {ids[tool_id]}["{mermaid_text(_node_label(tool_id, tool))}"]')
    styles = []
    for index, edge in enumerate(graph.edges):
        start, end = _ends(edge)
        arrow = "<-->" if edge.direction == "bidirectional" else "-->"
        label = f'|"{mermaid_text(edge.label)}"|' if edge.label else ""
        out.append(f"  {ids[start]} {arrow}{label} {ids[end]}")
        if edge.colour:
            width = 3 if edge.uncleared else 2
            styles.append(f"  linkStyle {index} stroke:{edge.colour},stroke-width:{width}px,color:{edge.colour}")
    out.extend(styles)
    out.append(f"  classDef missing stroke-dasharray:5 5,color:{GREY}")
    out.append(f"  classDef inactive fill:#eeeeee,color:{GREY}")
    missing = [ids[i] for i, tool in graph.nodes.items() if tool is None]
    inactive = [ids[i] for i, tool in graph.nodes.items() if tool is not None and not tool.active]
    if missing:
        out.append(f"  class {','.join(missing)} missing")
    if inactive:
        out.append(f"  class {','.join(inactive)} inactive")
    return "\n".join(out) + "\n"


# --- Graphviz DOT --------------------------------------------------------------------------------


def dot_text(text: str) -> str:
    """A DOT quoted string. Backslashes are doubled so a name cannot form an escape such as \\N or \\l;
    line breaks become DOT's centred line break; quotes are escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "\\n".join(escaped.splitlines()) if escaped else escaped
    return f'"{escaped}"'


def _attributes(pairs: dict[str, str]) -> str:
    return "[" + ", ".join(f"{key}={dot_text(value)}" for key, value in pairs.items()) + "]"


def to_dot(graph: Graph) -> str:
    out = ["digraph integrations {", "  rankdir=LR;", '  node [shape=box, style="rounded"];']
    for tool_id, tool in graph.nodes.items():
        attributes = {"label": _node_label(tool_id, tool)}
        if tool is None:
            attributes.update(style="rounded,dashed", fontcolor=GREY)
        elif not tool.active:
            attributes.update(style="rounded,filled", fillcolor="#eeeeee", fontcolor=GREY)
        out.append(f"  {dot_text(tool_id)} {_attributes(attributes)};")
    for edge in graph.edges:
        start, end = _ends(edge)
        attributes = {"label": edge.label} if edge.label else {}
        if edge.direction == "bidirectional":
            attributes["dir"] = "both"
        if edge.colour:
            attributes.update(color=edge.colour, fontcolor=edge.colour, penwidth="2" if edge.uncleared else "1.5")
        suffix = f" {_attributes(attributes)}" if attributes else ""
        out.append(f"  {dot_text(start)} -> {dot_text(end)}{suffix};")
    out.append("}")
    return "\n".join(out) + "\n"


RENDERERS = {"mermaid": to_mermaid, "dot": to_dot}


EDGE_COLUMNS = (
    Column("source", "Tool"),
    Column("direction", "Direction", drop=2),
    Column("target", "Integrates with"),
    Column("data", "Data", drop=1),
    Column("method", "Method", drop=3),
    Column("personal", "Personal data", drop=2),
    Column("uncleared", "Not cleared"),
)


def without_integrations(tools: ToolSet) -> str:
    """How many tools record no integration: an empty graph may only mean nobody wrote them down."""
    lacking = sorted(tool.id for tool in tools.tools if not tool.integrations)
    listed = f": {', '.join(lacking[:10])}{' ...' if len(lacking) > 10 else ''}" if lacking else ""
    return f"{len(lacking)} of {len(tools.tools)} tools record no integrations (none, or not written down){listed}"


def edges_table(graph: Graph, source: str = "", skipped: list[str] | None = None, lacking: str | None = None) -> Table:
    rows = [
        {
            "source": e.source,
            "direction": e.direction,
            "target": e.target,
            "data": list(e.data),
            "method": e.method,
            "personal": bool(e.personal),
            "uncleared": list(e.uncleared) or None,
        }
        for e in graph.edges
    ]
    meta: dict[str, Any] = {"source": source}
    if lacking:
        meta["without integrations"] = lacking
    if skipped:
        meta["skipped"] = skipped
    return Table(EDGE_COLUMNS, rows, title="Integrations", meta=meta)
