"""The backward pass, one step at a time: the steps, the frames, a stepper.

`backward_steps(root)` watches the engine's one backward loop
(`engine.chain_rule`, through its `on_step` hook) run the chain rule as
`backward()` does, in reverse topological order, and records each step:
the node, the gradient that reached it (upstream), and for every input
edge the chain rule in numbers, `upstream × local = term`. A node used twice receives two
terms, and the step shows them adding up: `0.1993 + (-0.2618) = -0.06247`.
No `.grad` changes. The live explorer (`micrograd-scratch explore`) steps
through this same list, so the page and the pictures tell one story.

`backward_frames(root, outdir)` draws one picture per step. The graph is
laid out once, by `dot`, with every edge's label in place; each frame is
then drawn at those positions (`neato -n2` keeps them), so no node moves
and the picture never rescales between frames: only colours and text
change. frame_000 seeds d out/d out = 1, frame_k (k = 1..N) runs the k-th
rule, and the last frame says "done". With svg frames, backward.html steps
through them (slider, buttons, arrow keys), its counter reading the
frames' own captions. A second run into the same folder removes the frames
of the first that it did not rewrite, and only those: the names it wrote
are kept in the folder's `.backward_frames` file.

`stepper(root)` returns that page as an object that shows itself inline in
Jupyter (and writes itself with `.save(path)`).
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .. import engine
from ..engine import Value
from ..files import write_atomically
from .graph import (
    OUTPUT_NAME, _box, _build, _legend, _Plan, _Step, laid_out_size, op_symbol, role,
)
from .styles import (
    DPI, PICTURE_STYLES, DotError, PictureStyle, _write, digraph, fit_attrs, fmt, picture_style,
    pipe, pipe_json, png_with_dpi,
)

__all__ = ["backward_steps", "backward_frames", "stepper", "BackwardStep", "ChainTerm", "Stepper"]


# ---- the steps -------------------------------------------------------------


@dataclass(frozen=True)
class ChainTerm:
    """What one step of the backward pass sends along one input edge.

    `k` is the edge: the input's position in the node's `_prev`. `before`
    is the input's gradient before this term (None when this is the first
    term it receives), `after` the gradient with the term added."""

    input: Value
    k: int
    upstream: float
    local: float  # d node / d input
    term: float  # upstream * local
    before: float | None
    after: float

    @property
    def product(self) -> str:
        """The edge's label: "0.1745 × -1.5 = -0.2618"."""
        return f"{fmt(self.upstream)} × {fmt(self.local)} = {fmt(self.term)}"

    @property
    def sum(self) -> str | None:
        """For an input that already had a gradient, the sum it now holds:
        "0.1993 + (-0.2618) = -0.06247"; None for its first term."""
        if self.before is None:
            return None
        term = fmt(self.term)
        if term.startswith("-"):
            term = f"({term})"
        return f"{fmt(self.before)} + {term} = {fmt(self.after)}"


@dataclass(frozen=True)
class BackwardStep:
    """Step `number` of `total`: step 0 seeds the output's gradient with 1;
    step k runs the local rule of `node` (whose gradient, `upstream`, is
    complete by then) and sends one `ChainTerm` along each input edge."""

    number: int
    total: int
    node: Value
    upstream: float
    terms: tuple[ChainTerm, ...]

    @property
    def caption(self) -> str:
        """What the step does, in one line, with its counter."""
        where = f"backward step {self.number} of {self.total}"
        if self.number == 0:
            return (f"{where}: seed the output's gradient, d out/d out = 1 "
                    f"(every other grad starts at 0)")
        return (f"{where}: the {op_symbol(self.node)} node sends its gradient on; "
                f"each input's grad += upstream grad × local derivative")

    @property
    def sums(self) -> list[str]:
        """The sums of this step, one line per input that received a second term."""
        return [f"{_grad_of(t.input)}: {t.sum}" for t in self.terms if t.sum is not None]


def _name(v: Value) -> str:
    """A node as a caption names it, so that a learner finds it in the
    picture: its label, or else what its box shows, "the × node (-6)" for
    an op's result and "the constant 2" or "the input (1.5)" for a leaf."""
    if v.label:
        return v.label
    if v._prev:
        return f"the {op_symbol(v)} node ({fmt(v.data)})"
    kind = role(v)
    return f"the constant {fmt(v.data)}" if kind == "constant" else f"the {kind} ({fmt(v.data)})"


def _grad_of(v: Value, root: Value | None = None) -> str:
    """"a.grad", or for a node without a label "the grad of the × node (-6)";
    the root, drawn as "out", is "out.grad"."""
    if v is root and not v.label:
        return f"{OUTPUT_NAME}.grad"
    return f"{v.label}.grad" if v.label else f"the grad of {_name(v)}"


DONE_CAPTION = "done: every node holds d out/d node"


def backward_steps(root: Value) -> list[BackwardStep]:
    """The backward pass from `root` as a list of steps (see the module
    docstring): step 0 seeds d root/d root = 1, then one step per node that
    passes gradients on, in the order `backward()` runs them. The steps are
    recorded by watching the engine's one backward loop (`on_step`) on
    `.grad`s lent for the pass and put back: no `.grad` is changed.

    The gradient of every node after step k is the `after` of the last
    term it received in steps 0..k (`gradients_after` collects them).
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: expected a Value, got {type(root).__name__}")
    seen = {root: 1.0}  # each node's gradient as the steps so far leave it
    recorded = []

    def record(node: Value, g: float, local_grads: tuple) -> None:
        # Each edge's term, local × g; then checked against what the loop
        # really left in each input's .grad. Where they differ (micrograd's
        # closure, bugs included, or an edited _backward), the step shows
        # what the loop did: the change, on the input's first edge.
        added = [(k, x, d, d * g if d and g else 0.0)
                 for k, (x, d) in enumerate(zip(node._prev, local_grads))]
        sums = {}
        for _, x, _, t in added:
            sums[x] = sums.get(x, seen.get(x, 0.0)) + t
        if not added or any(sums[x] != x.grad for x in sums):
            added = []
            for x in dict.fromkeys(node._prev):
                t = x.grad - seen.get(x, 0.0)
                added.append((node._prev.index(x), x, t / g if g else 0.0, t))
            if not any(t for *_, t in added) and not engine.made_by_hand(node):
                return  # a node made by hand without a _backward passes nothing on
        terms = []
        for k, x, d, t in added:
            before = seen.get(x)
            seen[x] = t if before is None else before + t
            terms.append(ChainTerm(x, k, g, d, t, before, seen[x]))
        recorded.append((node, g, tuple(terms)))

    order = engine.topological_order(root)
    with engine.lent_grads(order):  # the loop runs on .grad, which is put back afterwards
        root.grad = 1.0
        engine.chain_rule(order, on_step=record)
    total = len(recorded)
    return [BackwardStep(0, total, root, 1.0, ())] + [
        BackwardStep(number, total, node, g, terms)
        for number, (node, g, terms) in enumerate(recorded, start=1)
    ]


def gradients_after(steps: list[BackwardStep], k: int) -> dict:
    """{node: gradient} after steps 0..k (nodes not reached yet are absent)."""
    grads = {steps[0].node: 1.0}
    for step in steps[1 : k + 1]:
        for t in step.terms:
            grads[t.input] = t.after
    return grads


def steps_data(plan: _Plan, steps: list[BackwardStep]) -> list[dict]:
    """The steps as JSON-ready data for a page that draws the graph once
    and then changes colours and text: node ids as the drawing names them,
    each edge as its SVG title ("n0->n2_op") and which of the edges with
    that title it is (a * a draws two), every number already formatted."""
    out = []
    for s in steps:
        node = plan.id(s.node)
        terms = []
        for t in s.terms:
            src = plan.id(t.input)
            terms.append({
                "input": src,
                "name": _name(t.input),
                "edge": f"{src}->{node}_op",
                "occurrence": s.node._prev[: t.k].count(t.input),
                "product": t.product,
                "sum": t.sum,
                "grad": fmt(t.after),
            })
        out.append({
            "number": s.number,
            "node": node,
            "op": f"{node}_op" if s.number and s.node._prev else None,
            "grad": fmt(s.upstream),
            "caption": s.caption,
            "sums": s.sums,
            "terms": terms,
        })
    return out


# ---- one layout for every frame ---------------------------------------------


def layout_graph(plan: _Plan, steps: list[BackwardStep], *, title: str = "",
                 style: PictureStyle = PICTURE_STYLES["default"], grad_view: bool = False,
                 split: bool = False, labelled: bool = True):
    """The graph with the final gradients and every input edge labelled with
    its chain-rule product: the picture whose layout every frame (and the
    explorer's stepping view) keeps. Each edge runs once, so its label is
    the one its step shows, and dot leaves room for all of them. `split`,
    as the frames have it: each label on two lines ("a × b" over "= c") at
    the boxes' font size, so the picture is narrower and its numbers larger.
    Without `labelled`, no labels at all and no step: the single picture's
    layout, as draw() lays it out, which the frames spread where a label
    needs room (_spread) and whose legend they extend (_frame_legend)."""
    grads = gradients_after(steps, len(steps) - 1)
    first = steps[1] if len(steps) > 1 else None
    # Drawn as a step (the first), so that the legend has the step colours
    # every frame's legend shows, and every grad in bold, as wide as a
    # frame draws it when it is updated (the frames keep the boxes' sizes).
    graph = _build(plan, grads, grad_view=grad_view, legend=True, title=title,
                   step=_as_frame_step(first, split) if first and labelled else None, style=style,
                   bold=labelled)  # unlabelled: draw()'s own boxes
    if not labelled:
        return graph
    labels: dict = {}
    for s in steps[1:]:
        as_drawn = _as_frame_step(s, split)  # the label its frame draws
        for k, t in enumerate(s.terms):
            labels.setdefault((plan.id(t.input), plan.entry(t.input, s.node)), []).append(as_drawn.label_html(k))
    _label_edges(graph, labels, fontsize=style.node_font if split else None)
    return graph


# graphviz.Digraph keeps its statements as text lines; an edge is
# "\ttail -> head" with an optional " [attrs]". The drawing's ids are plain
# words (n3, n3_op), so the line is matched exactly.
_EDGE = re.compile(r"^\t(\w+) -> (\w+)(?: \[(.*)\])?$")


def _label_edges(graph, labels: dict, fontsize: float | None = None) -> None:
    """Give each edge tail -> head the next of labels[(tail, head)], an
    HTML-like label (edges with a label already keep it, and use up theirs)."""
    for i, line in enumerate(graph.body):
        m = _EDGE.match(line.rstrip("\n"))
        if not m or (m[1], m[2]) not in labels or not labels[m[1], m[2]]:
            continue
        text = labels[m[1], m[2]].pop(0)
        if m[3] and "label=" in m[3]:
            continue
        attrs = f"label={text}" + (f" fontsize={fontsize:g}" if fontsize else "")
        attrs += f" {m[3]}" if m[3] else ""
        graph.body[i] = f"\t{m[1]} -> {m[2]} [{attrs}]\n"


def _as_frame_step(s: BackwardStep, split: bool = False, labelled: bool = True) -> _Step:
    return _Step(s.node, s.upstream, [t.local for t in s.terms], [t.term for t in s.terms], split,
                 labelled)


def _positions(layout, room: dict | None = None) -> dict:
    """Where dot put each node and cluster of `layout`: {name: attributes};
    with `room`, spread apart to make it (see _spread)."""
    laid_out = pipe_json(layout)
    if room:
        _spread(laid_out, room, layout.graph_attr["rankdir"])
    found = {"": {"bb": laid_out["bb"]}}
    for obj in laid_out.get("objects", ()):
        if obj.get("bb"):
            found[obj["name"]] = {"bb": obj["bb"]}
        elif obj.get("pos"):
            found[obj["name"]] = {"pos": obj["pos"] + "!", "width": obj["width"],
                                  "height": obj["height"], "fixedsize": "true"}
    return found


LABEL_GAP = 10.0  # points between an edge's label and the boxes either side


def _label_sizes(plan: _Plan, steps: list[BackwardStep], style: PictureStyle) -> dict:
    """{(tail, head): [(width, height) in points, ...]}: the size of every
    edge's label as the frames draw it (split, at the boxes' font), measured
    by dot on a throwaway graph of plain-text nodes."""
    edges, texts = [], []
    for s in steps[1:]:
        drawn = _as_frame_step(s, split=True)
        for k, t in enumerate(s.terms):
            edges.append((plan.id(t.input), plan.entry(t.input, s.node)))
            texts.append(drawn.label_html(k))
    probe = digraph("labels", node_attr={"shape": "plaintext", "margin": "0",
                                         "fontname": "Helvetica", "fontsize": f"{style.node_font:g}"})
    for i, label in enumerate(texts):
        probe.node(f"l{i}", label)
    measured = {o["name"]: (float(o["width"]) * 72, float(o["height"]) * 72)
                for o in pipe_json(probe).get("objects", ())}
    sizes: dict = {}
    for i, edge in enumerate(edges):
        sizes.setdefault(edge, []).append(measured[f"l{i}"])
    return sizes


def _spread(laid_out: dict, room: dict, rankdir: str) -> None:
    """Move the ranks of dot's layout (json0) apart, in place, just enough
    that each edge in `room` ({(tail, head): [(w, h) pt]}) has its label's
    width (LR) or height (TB) free between its two ends: the single
    picture's layout, its rows and order kept, with room for the numbers.
    A rank moves by what the edges into it need, and every rank after it
    with it, so the edges already spread stay spread."""
    along = 0 if rankdir == "LR" else 1  # TB: the ranks go down the page
    sign = 1 if rankdir == "LR" else -1  # dot's y grows upwards
    nodes = {o["name"]: o for o in laid_out.get("objects", ()) if o.get("pos")}

    def at(o) -> float:  # a node's place along the ranks, growing from the first
        return sign * float(o["pos"].split(",")[along])

    def half(o) -> float:
        return float(o["width" if along == 0 else "height"]) * 72 / 2

    moves: list = []  # (from this place on, move by), places increasing

    def moved(c: float) -> float:
        return sum(by for start, by in moves if c >= start)

    into: dict = {}
    for (tail, head), sizes in room.items():
        if tail in nodes and head in nodes and at(nodes[tail]) < at(nodes[head]):
            into.setdefault(at(nodes[head]), []).append((tail, head, sizes))
    for place in sorted(into):
        need = 0.0
        for tail, head, sizes in into[place]:
            t, h = nodes[tail], nodes[head]
            t_end = at(t) + moved(at(t)) + half(t)
            h_end = place + moved(place) - half(h)
            extent = max(size[along] for size in sizes) + 2 * LABEL_GAP
            # The label sits at the middle: each half of the gap must hold half of it.
            need = max(need, extent - (h_end - t_end))
        if need > 0:
            moves.append((place, need))
    total = moved(math.inf)
    if not total:
        return

    def shifted(c: float) -> float:  # a coordinate in dot's axis, moved
        return c + moved(c) if along == 0 else c + total - moved(-c)

    for o in laid_out.get("objects", ()):  # the clusters first, from where their nodes were
        if o.get("bb") and o.get("nodes"):
            members = [at(laid_out["objects"][i]) for i in o["nodes"] if laid_out["objects"][i].get("pos")]
            o["bb"] = _moved_box(o["bb"], along, moved(min(members)), moved(max(members)), total)
    laid_out["bb"] = _moved_box(laid_out["bb"], along, 0.0, total, total)
    for o in nodes.values():
        xy = o["pos"].split(",")
        xy[along] = f"{shifted(float(xy[along])):.2f}"
        o["pos"] = ",".join(xy)


ARROW = 7.0  # points: an arrowhead's length (EDGE_ATTR's arrowsize 0.7 of dot's 10)


def _frame_legend(positions: dict, plan: _Plan, look: FrameLook) -> None:
    """Add to `positions` the legend entries a frame has and the single
    picture has not ("sends its gradient on", "its grad is updated"): a row
    of their own just outside the page, on the side where the legend is
    (or, for a legend that is a column, at the foot of the column, which
    a second column would make twice as wide: on a slide its text would
    shrink), inside the legend's box, which grows to hold them. Nothing of
    the picture moves."""
    sample = digraph("legend", node_attr=look.style.node_attr())
    _legend(sample, plan, [], look.grad_view, frame=True, style=look.style)
    sizes = {o["name"]: (float(o["width"]) * 72, float(o["height"]) * 72)
             for o in pipe_json(sample).get("objects", ()) if o.get("pos")}
    entries = [n for n in positions if n.startswith("legend_") and "pos" in positions[n]]
    if not entries or "cluster_legend" not in positions:
        return
    new = ("legend_fire", "legend_updated")
    gap = look.style.nodesep * 72
    px0, py0, px1, py1 = _bb(positions[""])
    lx0, ly0, lx1, ly1 = _bb(positions["cluster_legend"])
    ys = [_xy(positions[n])[1] for n in entries]
    if max(ys) - min(ys) < 1:  # a row: another row, below it (or above, at the top)
        tall = max(sizes[n][1] for n in new)
        below = (ly0 + ly1) / 2 < (py0 + py1) / 2
        y = ly0 - gap / 2 - tall / 2 if below else ly1 + gap / 2 + tall / 2
        x = lx0 + 8
        for name in new:
            w, h = sizes[name]
            _place(positions, name, x + w / 2, y, w, h)
            x += w + gap
        label = 0 if below else look.style.small_font * 1.5  # the box's own "legend", above the row
        box = (lx0, min(ly0, y - tall / 2 - 8), max(lx1, x - gap + 8), max(ly1, y + tall / 2 + 8 + label))
    else:  # a column: at its foot
        wide = max(sizes[n][0] for n in new)
        x = (lx0 + lx1) / 2
        y = min(_xy(positions[n])[1] - float(positions[n]["height"]) * 36 for n in entries) - gap
        for name in new:
            w, h = sizes[name]
            _place(positions, name, x, y - h / 2, w, h)
            y -= h + gap
        box = (min(lx0, x - wide / 2 - 8), min(ly0, y + gap - 8), max(lx1, x + wide / 2 + 8), ly1)
    positions["cluster_legend"]["bb"] = ",".join(f"{v:.2f}" for v in box)
    positions[""]["bb"] = ",".join(f"{v:.2f}" for v in (
        min(px0, box[0] - 4), min(py0, box[1] - 4), max(px1, box[2] + 4), max(py1, box[3] + 4)))
    _to_origin(positions)


def _bb(attrs: dict) -> tuple[float, ...]:
    return tuple(map(float, attrs["bb"].split(",")))


def _place(positions: dict, name: str, x: float, y: float, w: float, h: float) -> None:
    positions[name] = {"pos": f"{x:.2f},{y:.2f}!", "width": f"{w / 72:g}", "height": f"{h / 72:g}",
                       "fixedsize": "true"}


def _to_origin(positions: dict) -> None:
    """Move everything so that the page starts at 0,0, as dot's pages do."""
    x0, y0, _, _ = _bb(positions[""])
    if not (x0 or y0):
        return
    for attrs in positions.values():
        if "bb" in attrs:
            a, b, c, d = _bb(attrs)
            attrs["bb"] = f"{a - x0:.2f},{b - y0:.2f},{c - x0:.2f},{d - y0:.2f}"
        elif "pos" in attrs:
            x, y = _xy(attrs)
            attrs["pos"] = f"{x - x0:.2f},{y - y0:.2f}!"


def _place_labels(frame, positions: dict, room: dict, rankdir: str) -> None:
    """Draw each labelled edge of `frame` (its step's) as a straight line
    and set its label on it, on its white ground, just after the edge
    leaves its input, in the room _spread made (neato -n2 keeps an edge's
    pos and lp only together). Just after their inputs, the edges into a
    neuron's w·x + b are as far apart as the inputs, so their labels are.
    Top to bottom, a label (wider than tall) goes beside its line instead:
    left of the edge from the leftmost input, right of the others."""
    labelled = []
    for i, line in enumerate(frame.body):
        m = _EDGE.match(line.rstrip("\n"))
        if (m and m[3] and "label=" in m[3] and (m[1], m[2]) in room
                and "pos" in positions.get(m[1], {}) and "pos" in positions.get(m[2], {})):
            labelled.append((i, m))
    count: dict = {}
    leftmost: dict = {}  # head -> (tail, n) of its edge from the leftmost input
    for _, m in labelled:
        n = count[m[1], m[2]] = count.get((m[1], m[2]), -1) + 1
        if m[2] not in leftmost or _xy(positions[m[1]])[0] < _xy(positions[leftmost[m[2]][0]])[0]:
            leftmost[m[2]] = (m[1], n)
    count = {}
    for i, m in labelled:
        tail, head = m[1], m[2]
        n = count[tail, head] = count.get((tail, head), -1) + 1  # a * a: two edges, two labels
        w, h = room[tail, head][min(n, len(room[tail, head]) - 1)]
        (x0, y0), (x1, y1) = (_boundary(positions[tail], positions[head], box=True),
                              _boundary(positions[head], positions[tail], box=False))
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        arrow = "arrowhead=none" not in m[3]  # (an edge into a neuron's entry point has none)
        cut = ARROW / length if arrow else 0.0
        bx, by = x1 - (x1 - x0) * cut, y1 - (y1 - y0) * cut  # the arrow's base
        spline = " ".join(f"{x0 + (bx - x0) * t:.2f},{y0 + (by - y0) * t:.2f}" for t in (0, 1 / 3, 2 / 3, 1))
        tip = f"e,{x1:.2f},{y1:.2f} " if arrow else ""
        # Along the ranks, half the label and the gap from the input's side;
        # a second edge between the same two nodes (a * a) one label further.
        away = (n + 0.5) * ((w if rankdir == "LR" else h) + LABEL_GAP) + LABEL_GAP
        span = abs(x1 - x0) if rankdir == "LR" else abs(y1 - y0)
        t = min(0.5, away / span) if span else 0.5
        lp = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        if rankdir == "TB":  # a wide label beside its line: left of the leftmost edge, else right
            lp = (lp[0] + (-1 if leftmost[head] == (tail, n) else 1) * (w / 2 + 3), lp[1])
        frame.body[i] = (f'\t{tail} -> {head} [{m[3]} pos="{tip}{spline}" '
                         f'lp="{lp[0]:.2f},{lp[1]:.2f}"]\n')


def _xy(node: dict) -> tuple[float, float]:
    x, y = node["pos"].rstrip("!").split(",")
    return float(x), float(y)


def _boundary(node: dict, toward: dict, *, box: bool) -> tuple[float, float]:
    """Where the line from `node`'s centre to `toward`'s leaves `node`: a
    box's border, or an ellipse's (the op nodes)."""
    (x, y), (tx, ty) = _xy(node), _xy(toward)
    a, b = float(node["width"]) * 36, float(node["height"]) * 36  # half sizes, points
    dx, dy = tx - x, ty - y
    if box:
        scale = min(a / abs(dx) if dx else math.inf, b / abs(dy) if dy else math.inf)
    else:
        scale = 1 / math.sqrt((dx / a) ** 2 + (dy / b) ** 2) if (dx or dy) else 0.0
    return x + dx * scale, y + dy * scale


def _moved_box(bb: str, along: int, first: float, last: float, total: float) -> str:
    """A box "x0,y0,x1,y1" whose first rank moved by `first` and last by
    `last` (LR: to the right; TB: down, the whole page grown by `total` at
    the bottom, so everything above moves up instead)."""
    x0, y0, x1, y1 = map(float, bb.split(","))
    if along == 0:
        x0, x1 = x0 + first, x1 + last
    else:
        y0, y1 = y0 + total - last, y1 + total - first
    return f"{x0:.2f},{y0:.2f},{x1:.2f},{y1:.2f}"


def _pin(frame, positions: dict) -> None:
    """Put every node of `frame` where the layout has it (neato -n2 draws
    at given positions), and give clusters and the page their layout's
    boxes, so the frame is drawn to the same scale. neato -n2 measures the
    page again from what it draws, so a frame whose title is narrower or
    wider than the layout's would shift every node on the page: two
    invisible points at the layout's bottom corners keep its width (the
    titles all have the same number of lines, so the same height). They sit
    on the page's edge, below the legend's margin, so they touch no node
    (neato would fall back to straight edges if one did)."""
    source = frame.source
    for name, attrs in positions.items():
        if not name:
            frame.attr(bb=attrs["bb"], splines="true")
            x0, y0, x1, y1 = map(float, attrs["bb"].split(","))
            corners = (("_page_left", x0, y0), ("_page_right", x1, y0), ("_page_top", x0, y1))
            for side, x, y in corners:
                frame.node(side, label="", shape="point", style="invis", width="0",
                           height="0", fixedsize="true", pos=f"{x},{y}!")
        elif "bb" in attrs:
            # Into the cluster's own statement: one opened again at the top
            # would be another cluster (a neuron's is inside its layer's),
            # drawn with the page's title as its label.
            for i, line in enumerate(frame.body):
                if line.strip() == f"subgraph {name} {{":
                    frame.body.insert(i + 1, f'{line[:len(line) - len(line.lstrip())]}\tgraph [bb="{attrs["bb"]}"]\n')
                    break
        elif re.search(rf"^\t+{re.escape(name)} \[", source, re.M):
            frame.node(name, **attrs)  # a second statement adds attributes
    frame.engine = "neato"


def _titles(steps: list[BackwardStep]) -> list[str]:
    """Each frame's title: its caption and its sums, then "done"."""
    return _same_height([[s.caption, *s.sums] for s in steps] + [[DONE_CAPTION]])


def _same_height(titles: list[list[str]]) -> list[str]:
    """Titles given as lines, each given as many lines as the longest
    (blank ones are a no-break space), so that the picture's height, and
    so its scale and where the graph starts, is the same in every frame."""
    lines = max(len(t) for t in titles)
    return ["\n".join(t + ["\u00a0"] * (lines - len(t))) for t in titles]


def _layout_title(titles: list[str]) -> str:
    """A title for the layout as tall as every frame's and as wide as the
    widest line of any of them, so that each frame's title fits its box."""
    lines = [line for t in titles for line in t.split("\n")]
    return "\n".join([max(lines, key=len)] + ["\u00a0"] * titles[0].count("\n"))


@dataclass(frozen=True)
class FrameLook:
    """How the frames are drawn: the picture style, shaded by gradient or
    not, fitted to a box (inches) or not, and the rankdirs to choose from
    (a slide takes whichever of LR and TB fills it better)."""

    style: PictureStyle = PICTURE_STYLES["default"]
    grad_view: bool = False
    box: tuple | None = None
    rankdirs: tuple = ("LR",)


def frame_look(rankdir: str | None, style, grad_view: bool, size) -> FrameLook:
    """A FrameLook from the options every frame-drawing function takes."""
    style = picture_style(style)
    box = _box(size) or style.canvas
    rankdirs = (rankdir,) if rankdir else (("LR", "TB") if box else ("LR",))
    return FrameLook(style, grad_view, box, rankdirs)


def _frame_graphs(plan: _Plan, steps: list[BackwardStep], titles: list[str],
                  look: FrameLook = FrameLook()) -> list:
    """One Digraph per frame (the steps, then "done")."""
    frames = [
        _build(plan, gradients_after(steps, s.number), grad_view=look.grad_view, legend=True,
               title=title, step=_as_frame_step(s, split=True) if s.number else None, style=look.style)
        for s, title in zip(steps, titles)
    ]
    frames.append(_build(plan, gradients_after(steps, len(steps) - 1), grad_view=look.grad_view,
                         legend=True, title=titles[-1], style=look.style))
    return frames


# Rank directions whose frames keep the single picture's layout, spread
# where a label needs room; RL and BT keep dot's layout with every label.
SPREAD = ("LR", "TB")


def _pinned_frames(plan: _Plan, steps: list[BackwardStep], look: FrameLook = FrameLook(),
                   titles: list[str] | None = None) -> list:
    """The frames, each pinned to the one layout (needs `dot`); `titles`,
    one per frame, from _same_height (the steps' captions by default).
    Fitted to a box, of look's rankdirs the one whose frames fill it at
    the largest scale (as the frames measure, with their spread, legend and
    title: the single picture's choice left a 16:9 box half empty)."""
    titles = titles or _titles(steps)
    if not look.box:
        return _pinned_as(plan, steps, look, titles, look.rankdirs[0])
    best = None
    for rankdir in look.rankdirs:
        frames = _pinned_as(plan, steps, look, titles, rankdir)
        # Fitted as the frame itself measures (neato puts the title above
        # the layout's box, so a frame is taller than its layout).
        fit, scale = fit_attrs(laid_out_size(frames[0], neato_no_op=2), look.box)
        if best is None or scale > best[3] + 1e-9:
            best = (rankdir, frames, fit, scale)
    plan.rankdir, frames, fit, scale = best
    for frame in frames:  # the same size and pad for all: they measure alike
        frame.attr(**fit)
        frame.text_scale = scale  # as draw()'s fitted picture keeps it
    return frames


def _pinned_as(plan: _Plan, steps: list[BackwardStep], look: FrameLook, titles: list[str],
               rankdir: str) -> list:
    """The frames laid out in `rankdir`, pinned, at their natural size."""
    plan.rankdir = rankdir
    laid_out = layout_graph(plan, steps, title=_layout_title(titles), style=look.style,
                            grad_view=look.grad_view, split=True, labelled=rankdir not in SPREAD)
    room = _label_sizes(plan, steps, look.style) if rankdir in SPREAD else None
    positions = _positions(laid_out, room)
    if room:
        _frame_legend(positions, plan, look)
    frames = _frame_graphs(plan, steps, titles, look)
    for frame in frames:
        _pin(frame, positions)
        if room:
            _place_labels(frame, positions, room, rankdir)
    return frames


def _counters(steps: list[BackwardStep]) -> list[str]:
    """What the page's counter says on each frame: the frame's own words."""
    return [f"step {s.number} of {s.total}" for s in steps] + ["done"]


# ---- writing the frames ------------------------------------------------------

MANIFEST = ".backward_frames"  # the names the last run wrote, one per line
_OURS = re.compile(r"^(frame_\d{3,}\.(svg|png|pdf|dot)|backward\.html)$")


def backward_frames(
    root: Value,
    outdir: str | os.PathLike,
    *,
    format: str = "svg",
    rankdir: str | None = None,
    params: Iterable[Value] | None = None,
    model=None,
    max_nodes: int = 200,
    html_page: bool = True,
    grad_view: bool = False,
    style: str | PictureStyle = "default",
    size: tuple[float, float] | None = None,
) -> list[Path]:
    """Film the backward pass from `root`: one numbered picture per step.

    Frame 0 seeds d(root)/d(root) = 1. Then, in reverse topological order,
    each node sends its gradient on: the node is red, the inputs whose
    gradients it updates are blue, each red edge reads
    `upstream grad × local derivative = term`, and an input that already
    had a gradient shows the sum in the caption. The last frame says done.
    Every frame has the same layout (see the module docstring).

    The gradients are computed here, as `backward()` computes them for one
    call (starting from 0); no `.grad` is changed. Frames are written to
    outdir as frame_000.svg, frame_001.svg, ... (format 'svg', 'png',
    'pdf' or 'dot'); with format 'svg' and html_page=True, backward.html
    shows them with a slider, self-contained. Frames an earlier call wrote
    there and this one did not are removed. Returns the paths written,
    frames in order (then the page), as a list whose `text_scale` says how
    much fitting them to a box (style, size) scaled their text.

    grad_view, style and size are draw's: every frame shaded by the
    gradients so far, in the slide style, fitted to a box; left out,
    rankdir is LR, or on a slide whichever of LR and TB fits it better.
    """
    if format not in ("svg", "png", "pdf", "dot"):
        raise ValueError(f"format must be 'svg', 'png', 'pdf' or 'dot', got {format!r}")
    look = frame_look(rankdir, style, grad_view, size)
    plan = _Plan(root, params, model, False, max_nodes, look.rankdirs[0])
    steps = backward_steps(root)

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    count = len(steps) + 1  # and "done"
    width = max(3, len(str(count - 1)))
    paths = [outdir / f"frame_{i:0{width}d}.{format}" for i in range(count)]
    try:
        frames = _pinned_frames(plan, steps, look)
        written = WrittenFrames(_write_pinned(graph, path) for graph, path in zip(frames, paths))
        written.text_scale = frames[0].text_scale
    except DotError as error:  # dot missing or broken: the frames' DOT text instead
        frames = _frame_graphs(plan, steps, _titles(steps), look)
        written = WrittenFrames(_write(graph, path.with_suffix(".dot")) for graph, path in zip(frames, paths))
        print(f"{error.why}, so the frames were written as .dot files in {outdir}; {error.how}",
              file=sys.stderr)
        _forget_stale(outdir, written)
        return written
    if format == "svg" and html_page:
        page = outdir / "backward.html"
        svgs = [p.read_bytes() for p in written]
        page_bytes = _slider_page(svgs, _counters(steps), look.style).encode("utf-8")
        write_atomically(page, lambda f: f.write(page_bytes))
        written.append(page)
    _forget_stale(outdir, written)
    return written


class WrittenFrames(list):
    """The paths backward_frames wrote, in order, and `text_scale`: how
    much fitting the frames to their box scaled their text (1.0 unfitted),
    as a fitted drawing's text_scale says it."""

    text_scale: float = 1.0


def _write_pinned(frame, path: Path, dpi: int = DPI) -> Path:
    """Write a pinned frame: drawn by neato at the given positions (-n2),
    or its DOT text, which `neato -n2` draws the same way."""
    if path.suffix == ".dot":
        return _write(frame, path)
    data = pinned_picture(frame, path.suffix[1:], dpi)
    write_atomically(path, lambda f: f.write(data))
    return path


def pinned_picture(frame, format: str, dpi: int = DPI) -> bytes:
    """A pinned frame drawn as svg, pdf or png (at `dpi`, which it records)."""
    if format != "png":
        return pipe(frame, format, neato_no_op=2)
    sharp = frame.copy()
    sharp.attr(dpi=str(dpi))
    return png_with_dpi(pipe(sharp, "png", neato_no_op=2), dpi)


def _forget_stale(outdir: Path, written: list[Path]) -> None:
    """Remove what the last run wrote here and this one did not, then
    record this run's names. Only names this function wrote are touched."""
    manifest = outdir / MANIFEST
    names = {p.name for p in written}
    try:
        before = manifest.read_text(encoding="utf-8").split()
    except OSError:
        before = []
    for name in before:
        if _OURS.match(name) and name not in names:
            try:
                (outdir / name).unlink()
            except FileNotFoundError:
                pass
    text = "\n".join(sorted(names)) + "\n"
    write_atomically(manifest, lambda f: f.write(text.encode("utf-8")))


# ---- the page, and the stepper for Jupyter ---------------------------------------


# The frames' numbers (the edges' chain rule, at the boxes' font size) are
# never shown smaller than this: a page narrower than the frame scrolls
# sideways instead (a 1561-pt frame with 10-pt numbers on a 1400-px page
# showed them at 8 px, in a 900-px Jupyter column at 5.5 px).
READABLE_PX = 11


def _width_pt(svg: bytes) -> float:
    """A frame's own width, in points (1 pt is 4/3 CSS px)."""
    return float(re.search(rb'<svg width="([\d.]+)pt"', svg)[1])


def _min_width(svg: bytes, style: PictureStyle) -> int:
    """The narrowest, in CSS px, a frame may be shown with its edge labels
    (style.node_font pt at the frame's own size) still READABLE_PX tall."""
    return math.ceil(_width_pt(svg) * READABLE_PX / style.node_font)


def _natural_px(svg: bytes) -> int:
    """A frame's own width in CSS px: it is never enlarged past it."""
    return math.ceil(_width_pt(svg) * 4 / 3)


def _slider_page(svgs: list[bytes], counters: list[str],
                 style: PictureStyle = PICTURE_STYLES["default"]) -> str:
    """One HTML page showing the frames with a slider (and arrow keys);
    the SVGs are embedded as data: URIs, so the page needs nothing else.
    The counter shows each frame's own words, so it agrees with the captions.
    A frame shrinks to the page's width, but not past _min_width."""
    imgs = "\n".join(
        f'<img class="frame" alt="{html.escape(counters[i])}" '
        f'src="data:image/svg+xml;base64,{base64.b64encode(s).decode("ascii")}"'
        f'{"" if i == 0 else " hidden"}>'
        for i, s in enumerate(svgs)
    )
    last = len(svgs) - 1
    words = html.escape(json.dumps(counters), quote=False)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>The backward pass, step by step</title>
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; }}
  .controls {{ display: flex; gap: 0.75em; align-items: center; margin-bottom: 1em; }}
  input[type=range] {{ width: 24em; }}
  .frames {{ overflow-x: auto; }}
  img.frame {{ max-width: 100%; min-width: min({_min_width(svgs[0], style)}px, {_natural_px(svgs[0])}px); }}
</style>
</head>
<body>
<div class="controls">
  <button id="prev" type="button">&larr; back</button>
  <input id="step" type="range" min="0" max="{last}" value="0" aria-label="backward step">
  <button id="next" type="button">next &rarr;</button>
  <span id="where">{html.escape(counters[0])}</span>
</div>
<div class="frames">
{imgs}
</div>
<script>
  // Show one frame at a time; the slider, the buttons and the arrow keys move it.
  const words = {words};
  const frames = document.querySelectorAll("img.frame");
  const slider = document.getElementById("step");
  const where = document.getElementById("where");
  function show(i) {{
    i = Math.max(0, Math.min({last}, i));
    frames.forEach((f, k) => {{ f.hidden = k !== i; }});
    slider.value = i;
    where.textContent = words[i];
  }}
  slider.addEventListener("input", () => show(Number(slider.value)));
  document.getElementById("prev").addEventListener("click", () => show(Number(slider.value) - 1));
  document.getElementById("next").addEventListener("click", () => show(Number(slider.value) + 1));
  document.addEventListener("keydown", (e) => {{
    if (e.key === "ArrowLeft") show(Number(slider.value) - 1);
    if (e.key === "ArrowRight") show(Number(slider.value) + 1);
  }});
</script>
</body>
</html>
"""


class Stepper:
    """The backward pass as a page with a slider: Jupyter shows it inline
    (in a frame of its own, so two steppers in a notebook never mix), and
    `save(path)` writes it as a self-contained HTML file."""

    def __init__(self, page: str | None, steps: list[BackwardStep], missing: str = ""):
        self.page = page  # None when Graphviz's dot could not draw the frames
        self.steps = steps
        self.missing = missing  # why there is no page, in one line

    def _repr_html_(self) -> str | None:
        if self.page is None:
            return None  # Jupyter shows the text below instead
        return (f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
                f'style="width: 100%; height: 32em; border: 0" '
                f'title="the backward pass, step by step"></iframe>')

    def save(self, path: str | os.PathLike) -> Path:
        if self.page is None:
            raise RuntimeError(self.missing)
        path = Path(path)
        data = self.page.encode("utf-8")
        write_atomically(path, lambda f: f.write(data))
        return path

    def __repr__(self) -> str:
        if self.page is None:  # the steps in words, after the one line that says why
            lines = [self.missing] + [s.caption for s in self.steps]
            return "\n".join(lines)
        return f"<Stepper: {len(self.steps)} steps of the backward pass>"


def stepper(
    root: Value,
    *,
    rankdir: str | None = None,
    params: Iterable[Value] | None = None,
    model=None,
    max_nodes: int = 200,
    grad_view: bool = False,
    style: str | PictureStyle = "default",
    size: tuple[float, float] | None = None,
) -> Stepper:
    """The backward pass from `root` as a `Stepper`: in Jupyter, the last
    line of a cell, `stepper(loss)`, shows the frames with a slider inline.
    Needs Graphviz's `dot` program. The options are backward_frames'."""
    look = frame_look(rankdir, style, grad_view, size)
    plan = _Plan(root, params, model, False, max_nodes, look.rankdirs[0])
    steps = backward_steps(root)
    try:
        svgs = [pipe(frame, "svg", neato_no_op=2) for frame in _pinned_frames(plan, steps, look)]
    except DotError as error:
        return Stepper(None, steps, f"{error.why}, so the backward pass is shown in words; {error.how}")
    return Stepper(_slider_page(svgs, _counters(steps), look.style), steps)
