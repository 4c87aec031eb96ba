"""The picture of a failed check: the small graph it checked, with the
node whose gradient (or place in the order) is wrong marked, and on it the
expected value beside the learner's.

Drawn with the package's own shapes and colours (drawing.styles), so it
reads like `draw`'s pictures: a box per Value, an ellipse per operation,
an edge per input. It shows itself inline in Jupyter, and `check` writes
it as an SVG beside the learner's file.
"""

from __future__ import annotations

import html
import textwrap

from ..drawing.styles import EDGE_ATTR, FIRE_COLOUR, FIRE_FILL, GRAPH_ATTR, NODE_ATTR, STYLES, digraph, fmt
from ..engine import Value, topological_order
from ..ops import symbol

__all__ = ["graph_picture", "name"]


def name(v: Value) -> str:
    """How a node is called in a verdict: its label, or its op and value."""
    if v.label:
        return v.label
    return f"{symbol(v._op)} = {fmt(v.data)}" if v._op else fmt(v.data)


def graph_picture(root: Value, *, notes: dict | None = None, marked: Value | None = None,
                  title: str = ""):
    """The graph below `root`, each Value with its data and its lines in
    `notes` ({node: ["grad 6 (yours 3)"]}), `marked` drawn in red."""
    notes = notes or {}
    # The verdict above the graph, wrapped: a one-line title would be wider than the graph.
    wrapped = "<BR/>".join(html.escape(line) for line in textwrap.wrap(title, 60))
    graph = digraph(graph_attr={**GRAPH_ATTR, "label": f"<{wrapped}>", "labelloc": "t"},
                    node_attr=NODE_ATTR, edge_attr=EDGE_ATTR)
    ids = {}
    for i, v in enumerate(topological_order(root)):
        ids[v] = f"v{i}"
        kind = "result" if v._prev else {"param": "parameter", "const": "constant"}.get(v._role, "input")
        shape, style, fill, border = STYLES[kind]
        lines = [f"<B>{html.escape(v.label)}</B>"] if v.label else []
        lines.append(f"data {fmt(v.data)}")
        lines += [html.escape(line) for line in notes.get(v, [])]
        width = "1.2"
        if v is marked:
            fill, border, width = FIRE_FILL, FIRE_COLOUR, "3"
            lines.append("<B>wrong here</B>")
        graph.node(ids[v], "<" + "<BR/>".join(lines) + ">", shape=shape, style=style,
                   fillcolor=fill, color=border, penwidth=width)
        if v._prev:
            shape, style, fill, border = STYLES["op"]
            graph.node(ids[v] + "op", html.escape(symbol(v._op)), shape=shape, style=style,
                       fillcolor=fill, color=border)
            graph.edge(ids[v] + "op", ids[v])
            for child in v._prev:  # an edge per input: a * a has two
                graph.edge(ids[child], ids[v] + "op")
    return graph
