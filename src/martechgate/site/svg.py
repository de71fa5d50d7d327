"""Geometry for the two server-rendered SVG pictures: the spend bar chart and the data-flow graph.

Only numbers and the values to label them with; the templates draw (and escape) them. The graph
layout is a circle in a fixed order (by category, then id), so the same catalog always gives the
same picture, with no layout engine to install.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from martechgate.site.views import Flow, Spend, ToolView

BAR_LABEL_WIDTH = 170
BAR_MAX_WIDTH = 400
BAR_ROW = 34
BAR_HEIGHT = 22


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def bar_chart(spend: Spend) -> BarChart:
    top = max((bar.amount for bar in spend.bars), default=0.0) or 1.0
    bars = [
        Bar(
            bar.category,
            f"{bar.amount:,.0f} {spend.currency}",
            8 + i * BAR_ROW,
            max(2.0, round(BAR_MAX_WIDTH * bar.amount / top, 1)),
        )
        for i, bar in enumerate(spend.bars)
    ]
    return BarChart(BAR_LABEL_WIDTH + BAR_MAX_WIDTH + 150, 16 + len(bars) * BAR_ROW, BAR_LABEL_WIDTH, bars)


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    key: str | None  # the tool page, None for a target that is not in the catalog
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str  # text-anchor of the label


@dataclass(frozen=True)
class Edge:
    flow: Flow
    path: str  # SVG path data
    kind: str  # "uncleared", "personal" or "plain"


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]

    @property
    def listing(self) -> list[Flow]:
        """The flows for the text list, by the names of their ends."""
        label = {node.id: node.label.lower() for node in self.nodes}
        return sorted(
            (edge.flow for edge in self.edges), key=lambda f: (label[f.source], label[f.target], f.source, f.target)
        )


NODE_RADIUS = 6
LABEL_SPACE = 200


def _round(value: float) -> float:
    return round(value, 1)


def flow_graph(tools: Sequence[ToolView], flows: Sequence[Flow]) -> Graph:
    known = {tool.id: tool for tool in tools}
    ids = sorted(
        {end for flow in flows for end in (flow.source, flow.target)},
        key=lambda i: ((known[i].category or "") if i in known else "~", i),
    )
    radius = max(150.0, len(ids) * 20.0)
    cx0, cy0 = radius + LABEL_SPACE, radius + 40
    nodes: dict[str, Node] = {}
    for index, tool_id in enumerate(ids):
        angle = -math.pi / 2 + 2 * math.pi * index / max(1, len(ids))
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "start" if cos > 0.05 else "end" if cos < -0.05 else "middle"
        tool = known.get(tool_id)
        nodes[tool_id] = Node(
            tool_id,
            tool.name if tool else tool_id,
            tool.key if tool else None,
            _round(cx0 + radius * cos),
            _round(cy0 + radius * sin),
            _round(cx0 + (radius + 12) * cos),
            _round(cy0 + (radius + 12) * sin + 4 + 8 * sin),
            anchor,
        )
    edges = []
    for flow in flows:
        a, b = nodes[flow.source], nodes[flow.target]
        dx, dy = b.x - a.x, b.y - a.y
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        # Bend each edge to its right, so A->B and B->A are two visible curves, not one line.
        bx, by = (a.x + b.x) / 2 - uy * length * 0.12, (a.y + b.y) / 2 + ux * length * 0.12
        start = (a.x + ux * NODE_RADIUS, a.y + uy * NODE_RADIUS)
        end = (b.x - ux * (NODE_RADIUS + 3), b.y - uy * (NODE_RADIUS + 3))
        path = f"M{_round(start[0])},{_round(start[1])} Q{_round(bx)},{_round(by)} {_round(end[0])},{_round(end[1])}"
        kind = "uncleared" if flow.uncleared else "personal" if flow.personal else "plain"
        edges.append(Edge(flow, path, kind))
    # Red last, so a flagged flow is drawn over the others.
    edges.sort(key=lambda e: ("plain", "personal", "uncleared").index(e.kind))
    return Graph(int(2 * cx0), int(2 * cy0), list(nodes.values()), edges)
