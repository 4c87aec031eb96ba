"""The expression graph: the forward pass, the gradients, neurons grouped.

`draw(root)` turns the graph below a Value into a `graphviz.Digraph`: one
box per Value and one ellipse per operation, with an edge for every input
occurrence (`a * a` has two edges into its `*`). Following the talk, the
nodes come in kinds, each with its own shape and colour and a legend:

    parameter   the things training updates (w, b): a model's parameters()
    input       leaves the user made, the data (x, y): the talk's placeholders
    constant    numbers Python wrapped automatically (the 2 in 2 * x)
    op result   what an operation produced, next to the operation itself

The kinds come from a leaf's `_role` ("param", "const" or "" for an
input) and whether a Value has inputs. Labels show the Value's name,
`data` and `grad` with four significant digits, so a gradient of 3e-07
reads 3e-07, not 0.0000.

After `backward()`, `draw(root, grad_view=True)` colours every node by its
gradient, red below 0, blue above, white at 0, darker the larger |grad|
(styles.signed_colour), and colours each edge by the gradient that flowed
back along it, thicker the larger that is. (frames.py films the backward
pass with the same pieces.)

With `model=` the nodes of each neuron and each layer are grouped
(Graphviz clusters), and `collapse=True` draws each neuron as one box, so
that a 2-16-16-1 network is still readable. Larger graphs than `max_nodes`
are refused rather than drawn as a hairball.

In Jupyter a drawing shows itself (styles.digraph); `value_mimebundle` is
what a Value that ends a cell shows: its graph, or past VALUE_LIMIT nodes
its plain repr.

Sources: Karpathy's micrograd (`draw_dot` in its trace_graph notebook,
whose picture this extends); the Graphviz DOT language and HTML-like label
documentation (graphviz.org/doc/info/lang.html, .../shapes.html#html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .. import ops
from ..engine import Value, lent_grads, local_grads, made_by_hand, topological_order
from . import styles
from .styles import (
    EDGE_ATTR,
    FIRE_COLOUR,
    FIRE_FILL,
    LEGEND,
    PICTURE_STYLES,
    STYLES,
    UPDATE_COLOUR,
    PictureStyle,
    _float,
    digraph,
    _html,
    _largest,
    _text,
    fit_attrs,
    flow_style,
    fmt,
    picture_style,
    signed_colour,
    text_colour,
)

__all__ = ["draw", "role", "value_mimebundle", "GraphTooLarge", "MAX_NODES", "VALUE_LIMIT"]

# A graph with more nodes than this is refused (override with max_nodes=):
# past a few hundred boxes a drawing stops explaining anything.
MAX_NODES = 250


class GraphTooLarge(ValueError):
    """The graph has more nodes than `max_nodes`; the message says what to do.
    `count` and `limit` are the numbers, for callers that phrase their own."""

    def __init__(self, message: str, count: int, limit: int):
        super().__init__(message)
        self.count = count
        self.limit = limit


def role(v: Value, params: frozenset | set = frozenset()) -> str:
    """The kind of a Value: 'parameter', 'input', 'constant' or 'result'."""
    if v._role == "param" or v in params:
        return "parameter"
    if v._prev:
        return "result"
    return "constant" if v._role == "const" else "input"


def op_symbol(v: Value) -> str:
    """The text in an operation's ellipse: +, ×, ReLU, σ, **2 ... (the op
    registry's symbol), and for a neuron's fused sum, w·x + b or w·x."""
    if v._op == "dot":  # its symbol depends on the node: with a bias or not
        return "w·x + b" if len(v._prev) % 2 else "w·x"
    return ops.symbol(v._op)


# ---- networks: neurons and layers ----------------------------------------


@dataclass(frozen=True, eq=False)
class _Neuron:
    """One neuron of a model, as far as drawing it is concerned."""

    name: str  # "L0.N3"
    cluster: str  # Graphviz subgraph name: "cluster_L0_N3"
    params: tuple  # its w's, then its b if it has one
    activation: str
    weights: int = 0  # how many of params are w's (the rest is its bias)


@dataclass(frozen=True, eq=False)
class _Layer:
    name: str
    cluster: str
    neurons: tuple


def _model_layers(model) -> list[_Layer]:
    """The layers of an MLP, a Layer or a Neuron (found by their attributes,
    so that drawing depends on the engine only); [] for any other Module."""
    if hasattr(model, "layers"):
        layers = [(f"L{i}", layer) for i, layer in enumerate(model.layers)]
    elif hasattr(model, "neurons"):
        layers = [("", model)]
    elif hasattr(model, "w") and hasattr(model, "b"):
        lone = _Neuron("neuron", "cluster_neuron", _neuron_params(model),
                       getattr(model, "activation", ""), len(model.w))
        return [_Layer("", "", (lone,))]
    else:
        return []
    out = []
    for lname, layer in layers:
        neurons = []
        for j, n in enumerate(layer.neurons):
            name = f"{lname}.N{j}" if lname else f"N{j}"
            neurons.append(
                _Neuron(name, "cluster_" + name.replace(".", "_"), _neuron_params(n),
                        getattr(n, "activation", ""), len(n.w))
            )
        out.append(_Layer(lname, f"cluster_{lname or 'layer'}", tuple(neurons)))
    return out


def _neuron_params(n) -> tuple:
    """w0, w1, ..., then b (a neuron made with bias=False has b None)."""
    return tuple(n.w) + ((n.b,) if getattr(n, "b", None) is not None else ())


WEIGHTS_PER_LINE = 4


def _weight_lines(plan: "_Plan", v: Value) -> list[str]:
    """A collapsed neuron's weights and bias as text: "w 0.52 -1.2 0.3",
    four to a line, then "b 0.1" (none for a neuron without bias)."""
    n = plan.neuron_of[v]
    ws = [fmt(p.data) for p in n.params[: n.weights]]
    lines = ["w " + "  ".join(ws[i:i + WEIGHTS_PER_LINE]) for i in range(0, len(ws), WEIGHTS_PER_LINE)]
    lines += [f"b {fmt(b.data)}" for b in n.params[n.weights:]]
    return lines


# ---- what to draw --------------------------------------------------------


class _Plan:
    """The nodes of one drawing, their kinds, groups and ids (made once).

    Node ids come from positions in the topological order (n0, n1, ...;
    the ellipse of the op that made n3 is n3_op), so the same expression
    gives the same DOT text in every process.
    """

    def __init__(self, root: Value, params, model, collapse: bool, max_nodes: int, rankdir: str,
                 weights: bool = False):
        if not isinstance(root, Value):
            raise TypeError(f"draw: expected a Value to draw, got {type(root).__name__}")
        if type(max_nodes) is not int or max_nodes < 1:
            raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
        if rankdir not in ("LR", "TB", "RL", "BT"):
            raise ValueError(
                f"rankdir must be 'LR' (left to right), 'TB' (top to bottom), "
                f"'RL' or 'BT', got {rankdir!r}"
            )
        self.rankdir = rankdir
        self.root = root
        if collapse and model is None:
            raise ValueError("collapse=True needs model=: the neurons to collapse come from the model")
        if weights and not collapse:
            raise ValueError("weights=True labels collapsed neurons: pass collapse=True too "
                             "(without it every weight has a box of its own)")
        self.weights = weights
        self.order = topological_order(root)
        self.index = {v: i for i, v in enumerate(self.order)}

        self.params: set = set()
        for p in params or ():
            if not isinstance(p, Value):
                raise TypeError(f"params: expected Values, got {type(p).__name__}: {p!r}")
            self.params.add(p)
        self.layers: list[_Layer] = []
        if model is not None:
            if not callable(getattr(model, "parameters", None)):
                raise TypeError(
                    f"model: expected a Module (something with parameters()), "
                    f"got {type(model).__name__}"
                )
            self.params.update(model.parameters())
            self.layers = _model_layers(model)

        self.consumers: dict = {v: [] for v in self.order}
        for v in self.order:
            for x in v._prev:
                self.consumers[x].append(v)

        self.neuron_of = self._find_neurons()
        self.box_of: dict = {}  # collapse: node -> the neuron output it is drawn in
        self.hidden: set = set()  # collapse: parameters drawn inside their boxes
        if collapse:
            self._collapse()
        # The Values that get a node of their own, in topological order.
        self.nodes = [v for v in self.order if v not in self.hidden and self.box_of.get(v, v) is v]

        count = self.count()
        if count > max_nodes:
            if model is not None and not collapse:
                how = "pass collapse=True to draw each neuron as one box, or raise max_nodes="
            else:
                how = f"pass max_nodes={count} (or more) to draw it anyway, or draw a smaller graph"
            raise GraphTooLarge(
                f"the graph has {count} nodes, more than max_nodes={max_nodes}: {how}",
                count, max_nodes,
            )

    def _find_neurons(self) -> dict:
        """Which neuron each parameter, weighted sum and activation belongs to."""
        owner = {}
        for layer in self.layers:
            for n in layer.neurons:
                for p in n.params:
                    owner[p] = n
        neuron_of = {}
        for v in self.order:
            if v in owner:
                neuron_of[v] = owner[v]
            elif v._op == "dot":
                owners = {owner[x] for x in v._prev if x in owner}
                if len(owners) == 1:  # a weighted sum made of one neuron's w and b
                    neuron_of[v] = owners.pop()
            elif ops.is_activation(v._op) and len(v._prev) == 1 and v._prev[0]._op == "dot":
                if v._prev[0] in neuron_of:
                    neuron_of[v] = neuron_of[v._prev[0]]
        return neuron_of

    def _collapse(self) -> None:
        """One box per neuron call: act(w·x + b), with its w and b inside."""
        for v in self.order:
            n = self.neuron_of.get(v)
            if n is None or v._op != "dot":
                continue
            users = self.consumers[v]
            if len(users) == 1 and ops.is_activation(users[0]._op) and self.neuron_of.get(users[0]) is n:
                self.box_of[v] = users[0]  # the sum is drawn inside its activation's box
                self.box_of[users[0]] = users[0]
            else:
                self.box_of[v] = v  # a linear neuron: the sum is the output
        for v in self.order:
            n = self.neuron_of.get(v)
            if n is not None and v in n.params and self.consumers[v] and all(
                u in self.box_of and self.neuron_of.get(u) is n for u in self.consumers[v]
            ):
                self.hidden.add(v)  # used only by its own neuron: drawn inside the box

    # -- queries used while drawing --

    def is_box(self, v: Value) -> bool:
        return self.box_of.get(v) is v

    def count(self) -> int:
        """Nodes in the drawing: one per drawn Value plus one per op ellipse."""
        return sum(1 + (bool(v._prev) and not self.is_box(v)) for v in self.nodes)

    def id(self, v: Value) -> str:
        return f"n{self.index[self.box_of.get(v, v)]}"

    def entry(self, x: Value, v: Value) -> str:
        """The node the edge from input x into v is drawn to: v's op ellipse
        (or v's box, collapsed). Into a neuron from outside it (an input,
        the layer before), its entry point instead: a dot just inside the
        neuron's border, where all its outside inputs meet and go on to its
        w·x + b as one arrow, so that no edge cuts through a neuron it does
        not enter, or crosses its border anywhere but there."""
        if self.is_box(v):
            return self.id(v)
        n = self.neuron_of.get(v)
        if n is not None and not self.box_of and self.neuron_of.get(x) is not n:
            return _entry_id(n)
        return self.id(v) + "_op"

    def entered(self, n: "_Neuron", vs: list) -> bool:
        """Whether neuron n (its drawn nodes vs) has an input from outside."""
        return any(self.entry(x, v) == _entry_id(n) for v in vs if v._prev for x in v._prev)

    def box_inputs(self, v: Value) -> list[Value]:
        """The inputs of a neuron box: its weighted sum's non-hidden inputs."""
        s = v if v._op == "dot" else v._prev[0]
        return [x for x in s._prev if x not in self.hidden]

    def role(self, v: Value) -> str:
        return "neuron" if self.is_box(v) else role(v, self.params)


# ---- gradients along edges -----------------------------------------------


def _terms(v: Value, g: float) -> list[float]:
    """What the backward loop sends back along each input edge of v when
    v's gradient is g: local * g for each input, as `Value._backward` adds
    (a local derivative of 0 passes nothing)."""
    if made_by_hand(v):  # micrograd's closure: what it adds, run on .grads lent at 0
        inputs = list(dict.fromkeys(v._prev))
        with lent_grads([v, *inputs]):
            v.grad = g
            v._backward()
            added = {x: x.grad for x in inputs}
        return [added.pop(x, 0.0) for x in v._prev]  # a * a: both terms on a's first edge
    return [local * g if local else 0.0 for local in local_grads(v)]


def _box_terms(plan: _Plan, v: Value, g: float) -> list[float]:
    """Gradient sent through a collapsed neuron box to each drawn input."""
    s = v
    if v._op != "dot":  # through the activation first
        s = v._prev[0]
        g = _terms(v, g)[0]
    return [t for x, t in zip(s._prev, _terms(s, g)) if x not in plan.hidden]


def _edge_flows(plan: _Plan, grads: dict) -> dict:
    """{(node, k): gradient sent back along the k-th input edge of node},
    signed: the term that edge adds to its input's grad (edges from
    constants left out: they are not shaded, nor part of the scale)."""
    flows = {}
    for v in plan.nodes:
        if not v._prev:
            continue  # a leaf: nothing flows below it
        g = grads.get(v, 0.0)
        try:
            terms = _box_terms(plan, v, g) if plan.is_box(v) else _terms(v, g)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue  # a rule with no gradient here (pow of a negative base)
        if not terms:
            continue  # a node made by hand without a backward rule: nothing to draw
        inputs = plan.box_inputs(v) if plan.is_box(v) else v._prev
        for k, t in enumerate(terms):
            if plan.role(inputs[k]) != "constant":  # not drawn: nothing updates a constant
                flows[v, k] = t
    return flows


# ---- building the Digraph ------------------------------------------------


@dataclass
class _Step:
    """One step of the backward pass, for a frame: `node`'s rule runs."""

    node: Value
    upstream: float
    local: list
    terms: list
    split: bool = False  # each edge's label on two lines, "a × b" over "= c": a narrower frame
    labelled: bool = True  # False: no labels (a layout that makes room for them itself)

    def label(self, k: int) -> list[str]:
        """The chain rule on edge k, as the lines of its label."""
        product, term = f"{fmt(self.upstream)} × {fmt(self.local[k])}", f"= {fmt(self.terms[k])}"
        return [product, term] if self.split else [f"{product} {term}"]

    def label_html(self, k: int) -> str:
        """Edge k's label as Graphviz draws it: split, on a white ground, so
        that a frame can set it on its edge's line and it stays readable."""
        text = "<BR/>".join(map(_text, self.label(k)))
        if not self.split:
            return f"<{text}>"
        return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1" BGCOLOR="white">'
                f"<TR><TD>{text}</TD></TR></TABLE>>")


OUTPUT_NAME = "out"  # the root's name when it has none: frames say "d out/d out = 1"


def _value_label(plan: _Plan, v: Value, grad: float, *, bold_grad: bool = False,
                 compact: bool = False) -> str:
    lines = []
    name = v.label or (OUTPUT_NAME if v is plan.root else "")
    if compact and name and not plan.is_box(v):  # slides: "a = 2" on one line
        g = f"grad {fmt(grad)}"
        return _html(f"<B>{_text(name)}</B> = {fmt(v.data)}", f"<B>{g}</B>" if bold_grad else g)
    if plan.is_box(v):
        n = plan.neuron_of[v]
        act = v._op if ops.is_activation(v._op) else "linear"
        lines.append(f"<B>{_text(n.name)}</B> {_text(act)}")
        if plan.weights:  # collapse=True, weights=True: what the box hides
            lines += [_text(line, limit=80) for line in _weight_lines(plan, v)]
    elif v.label:
        lines.append(f"<B>{_text(v.label)}</B>")
    elif v is plan.root:
        lines.append(f"<B>{OUTPUT_NAME}</B>")
    g = f"grad {fmt(grad)}"
    lines += [f"data {fmt(v.data)}", f"<B>{g}</B>" if bold_grad else g]
    return _html(*lines)


def _build(
    plan: _Plan,
    grads: dict,
    *,
    grad_view: bool,
    legend: bool,
    title: str,
    step: _Step | None = None,
    style: PictureStyle = PICTURE_STYLES["default"],
    bold: bool = False,
):
    graph = digraph(
        "micrograd",
        graph_attr=style.graph_attr(plan.rankdir),
        node_attr=style.node_attr(),
        edge_attr=style.edge_attr(),
    )
    if plan.layers:
        # Collapsed neurons, and each neuron's parameters, are chained in
        # order (see _layer_cluster); dot's final re-crossing pass would
        # rotate them.
        graph.attr(remincross="false")
    if title:
        graph.attr(label=_html(_text(title, limit=200)), labelloc="t")
    drawn = plan.nodes

    # grad_view shades everything but constants: nothing ever updates them,
    # and the gradient reaching a wrapped 1 or -1 only distracts.
    shaded = [v for v in drawn if plan.role(v) != "constant"]
    flows = _edge_flows(plan, grads) if grad_view else {}
    # One scale for the boxes and the edges: the largest |gradient| among
    # the nodes and the terms sent back along edges, leaving out the root's
    # own seed (d out/d out = 1 always, which would leave everything else
    # pale); the root, past the scale, gets the strongest colour. With a
    # model, the scale is the network's own: loss nodes after it are past
    # the scale too.
    if plan.layers:
        scale = [v for v in shaded if v in plan.neuron_of]
    else:
        scale = [v for v in shaded if v is not plan.root]
    # (Nothing but the root to scale by, e.g. a lone Value or every
    # gradient below it 0: the root's own then.)
    biggest = _largest(
        [abs(grads.get(v, 0.0)) for v in scale]
        + [abs(f) for (v, _), f in flows.items() if not plan.layers or v in plan.neuron_of]
    ) or _largest(abs(grads.get(v, 0.0)) for v in shaded)

    fired = step.node if step else None
    updated = set(fired._prev) if step else set()

    def value_node(g, v):
        kind = plan.role(v)
        shape, drawn_as, fill, border = STYLES[kind]
        attrs = {"shape": shape, "style": drawn_as, "fillcolor": fill, "color": border}
        if grad_view and kind != "constant":
            attrs["fillcolor"] = signed_colour(grads.get(v, 0.0), biggest)
            if text_colour(attrs["fillcolor"]):  # light text on the darkest fills
                attrs["fontcolor"] = text_colour(attrs["fillcolor"])
        if v is fired:
            attrs.update(color=FIRE_COLOUR, penwidth="3")
        elif v in updated:
            attrs.update(color=UPDATE_COLOUR, penwidth="3")
        # An updated grad in bold, but not in a frame pinned to draw()'s boxes
        # (split): its thick blue border says it there, and bold would not fit.
        bolded = bold or (v in updated and not step.split)
        g.node(plan.id(v), _value_label(plan, v, grads.get(v, 0.0), bold_grad=bolded,
                                        compact=style.compact), **attrs)
        if v._prev and not plan.is_box(v):
            shape, drawn_as, fill, border = STYLES["op"]
            attrs = {"shape": shape, "style": drawn_as, "fillcolor": fill, "color": border}
            if v is fired:
                attrs.update(fillcolor=FIRE_FILL, color=FIRE_COLOUR, penwidth="3")
            g.node(plan.id(v) + "_op", _html(_text(op_symbol(v))), **attrs)

    if legend:
        _legend(graph, plan, drawn, grad_view, frame=step is not None, style=style)

    # Nodes: those outside any neuron first, then layer by layer.
    grouped = {}
    for v in drawn:
        n = plan.neuron_of.get(v)
        if n is None:
            value_node(graph, v)
        else:
            grouped.setdefault(n, []).append(v)
    for layer in plan.layers:
        members = [(n, grouped[n]) for n in layer.neurons if n in grouped]
        if members:
            _layer_cluster(graph, plan, layer, members, value_node)

    # The network's inputs left of (or above) its first layer, not beside
    # it: an invisible edge from each input to the neurons it feeds puts
    # their parameters one rank later.
    if plan.layers and not plan.box_of:
        for v in drawn:
            n = plan.neuron_of.get(v)
            if n is None or v._op != "dot":
                continue
            first = next((p for p in n.params if p in plan.neuron_of and p not in plan.hidden), None)
            for x in dict.fromkeys(v._prev):
                if first is not None and not x._prev and plan.role(x) == "input":
                    graph.edge(plan.id(x), plan.id(first), style="invis")

    # Edges: input -> op ellipse -> result, one per input occurrence.
    for v in drawn:
        if not v._prev:
            continue
        box = plan.is_box(v)
        inputs = plan.box_inputs(v) if box else v._prev
        target = plan.id(v) if box else plan.id(v) + "_op"
        entered = False  # some input came in through the neuron's entry point
        for k, x in enumerate(inputs):
            head = plan.entry(x, v)
            attrs = {}
            if head != target:  # it ends at the entry point, where the inputs meet
                attrs["arrowhead"] = "none"
                entered = True
            if grad_view and (v, k) in flows and plan.role(x) != "constant":
                attrs.update(flow_style(flows[v, k], biggest))
            if v is fired:
                attrs.update(color=FIRE_COLOUR, penwidth="2.5", fontcolor=FIRE_COLOUR)
                if step.labelled:
                    attrs["label"] = step.label_html(k)
                if step.split:  # a frame's numbers: as large as the boxes' text
                    attrs["fontsize"] = f"{style.node_font:g}"
            graph.edge(plan.id(x), head, **attrs)
        if entered:  # from the entry point on to the w·x + b, one arrow for them all
            attrs = {"color": FIRE_COLOUR, "penwidth": "2.5"} if v is fired else {}
            graph.edge(_entry_id(plan.neuron_of[v]), target, **attrs)
        if not box:
            attrs = {}
            if grad_view:
                attrs.update(flow_style(grads.get(v, 0.0), biggest))
            if v is fired:
                attrs.update(color=FIRE_COLOUR, penwidth="2.5")
            graph.edge(plan.id(v) + "_op", plan.id(v), **attrs)
    return graph


def _layer_cluster(graph, plan: _Plan, layer: _Layer, members: list, value_node) -> None:
    """A layer's cluster holding one cluster per neuron, or, collapsed, the
    neuron boxes themselves in a column. A lone Neuron has no layer."""
    if not layer.cluster:
        for n, vs in members:
            _neuron_cluster(graph, plan, n, vs, value_node)
        return
    with graph.subgraph(name=layer.cluster) as lg:
        lg.attr(label=_html(f"<B>layer {_text(layer.name)}</B>" if layer.name else "<B>layer</B>"),
                style="rounded", color="#bdbdbd", labeljust="l")
        if not plan.box_of:
            for n, vs in members:
                _neuron_cluster(lg, plan, n, vs, value_node)
            return
        boxes = [v for _, vs in members for v in vs if plan.is_box(v)]
        for v in (v for _, vs in members for v in vs if not plan.is_box(v)):
            value_node(lg, v)  # a parameter also used outside its neuron
        _column(lg, plan, boxes, value_node)  # N0, N1, N2 ... from the top


def _neuron_cluster(graph, plan: _Plan, n: _Neuron, vs: list, value_node) -> None:
    if plan.box_of:  # collapsed: the box is the neuron, no frame around it
        for v in vs:
            value_node(graph, v)
        return
    with graph.subgraph(name=n.cluster) as ng:
        ng.attr(label=_html(_text(n.name)), style="rounded,dashed", color="#9e9ac8", labeljust="l")
        drawn = set(vs)
        params = [p for p in n.params if p in drawn]  # w0, w1, ..., b
        for v in vs:
            if v not in params:
                value_node(ng, v)
        # w0, w1, ..., b from the top, and the entry point inside the border
        # (the inputs' edges end there), between them
        _column(ng, plan, params, value_node, _entry_id(n) if plan.entered(n, vs) else None)


def _entry_id(n: _Neuron) -> str:
    """The id of neuron n's entry point (see _Plan.entry)."""
    return n.cluster + "_in"


def _column(graph, plan: _Plan, values: list, value_node, entry: str | None = None) -> None:
    """Draw values in one rank, in their order from the top, chained by
    invisible edges: dot would otherwise reorder them to cross fewer edges
    (N2, N0, N1 or w13, w14, b, w0, ...). Left to right, a rank is laid out
    bottom up, so the chain is reversed there. `entry`, a neuron's entry
    point, goes in the middle of the column, level with its w·x + b."""
    column = values[::-1] if plan.rankdir == "LR" else values
    ids = [plan.id(v) for v in column]
    with graph.subgraph() as same:
        same.attr(rank="same")
        for v in column:
            value_node(same, v)
        if entry is not None:
            same.node(entry, "", shape="point", width="0.06", color=EDGE_ATTR["color"])
            ids.insert(len(ids) // 2, entry)
    for a, b in zip(ids, ids[1:]):
        graph.edge(a, b, style="invis")


def _legend(graph, plan: _Plan, drawn: list, grad_view: bool, frame: bool,
            style: PictureStyle) -> None:
    """A small cluster with one sample node per kind present in the drawing."""
    small = f"{style.small_font - 1:g}" if style.canvas is None else f"{style.small_font:g}"
    kinds = {plan.role(v) for v in drawn}
    if any(v._prev and not plan.is_box(v) for v in drawn):
        kinds.add("op")
    ids = []
    with graph.subgraph(name="cluster_legend") as lg:
        lg.attr(label=_html("<B>legend</B>"), style="rounded", color="#d9d9d9",
                fontsize=f"{style.small_font:g}")
        for kind in STYLES:
            if kind not in kinds:
                continue
            shape, drawn_as, fill, border = STYLES[kind]
            if grad_view and kind not in ("constant", "op"):
                fill = "#ffffff"  # drawn nodes of this kind are filled by their grad
            ids.append(f"legend_{kind}")
            lg.node(ids[-1], _html(_text(LEGEND[kind])), shape=shape, style=drawn_as,
                    fillcolor=fill, color=border, fontsize=small)
        if grad_view:  # the fills and edge widths, as they are drawn
            for sign, value in (("negative", -1.0), ("positive", 1.0)):
                ids.append(f"legend_{sign}")
                fill = signed_colour(value, 1.0)
                lg.node(ids[-1], _html(_text(LEGEND[sign])), shape="box", style="filled",
                        fillcolor=fill, color="#525252", fontsize=small,
                        **({"fontcolor": text_colour(fill)} if text_colour(fill) else {}))
            ids.append("legend_flow")
            lg.node(ids[-1], _html(_text(LEGEND["flow"])), shape="plaintext", fontsize=small)
        if frame:  # what the colours of a backward step mean
            ids += ["legend_fire", "legend_updated"]
            lg.node(ids[-2], _html(_text(LEGEND["fire"])), shape="ellipse", style="filled",
                    fillcolor=FIRE_FILL, color=FIRE_COLOUR, penwidth="3", fontsize=small)
            lg.node(ids[-1], _html(_text(LEGEND["updated"])), shape="box", style="filled",
                    fillcolor="#ffffff", color=UPDATE_COLOUR, penwidth="3", fontsize=small)
        if plan.rankdir in ("LR", "RL") or style.canvas:
            # Left to right, unconnected nodes would stack into a tall
            # column; invisible edges lay the legend out as one row instead.
            # On a slide top to bottom, the same edges make it a column
            # beside the graph, which is tall and narrow there.
            for a, b in zip(ids, ids[1:]):
                lg.edge(a, b, style="invis")


# ---- the public drawing functions ----------------------------------------


def draw(
    root: Value,
    *,
    rankdir: str | None = None,
    params: Iterable[Value] | None = None,
    model=None,
    collapse: bool = False,
    weights: bool = False,
    grad_view: bool = False,
    max_nodes: int = MAX_NODES,
    legend: bool = True,
    title: str = "",
    style: str | PictureStyle = "default",
    size: tuple[float, float] | None = None,
):
    """The computational graph below `root` as a `graphviz.Digraph`.

    rankdir   'LR' (inputs on the left) or 'TB' (inputs at the top);
              'RL' and 'BT' mirror them. Left out: 'LR', or, fitting a
              box (slides, size=), whichever of LR and TB fills it better.
    params    extra Values to draw as parameters (nn's are recognised anyway).
    model     a Module: its parameters() are parameters, and the nodes of
              each of its neurons and layers are grouped in clusters.
    collapse  with model=, draw each neuron as one box, act(w·x + b);
    weights   and with it, print each neuron's weights and bias in its box.
    grad_view after backward(): shade nodes and edges by |gradient|.
    max_nodes refuse (GraphTooLarge) a graph with more nodes than this.
    legend    add a legend of the kinds of node drawn.
    title     a line of text above the graph.
    style     "default", or "slides": 16:9, text of 18 pt or more on a
              slide shown 1920 px wide (styles.PICTURE_STYLES).
    size      (width, height) in inches: the picture is fitted to exactly
              this box (its shape kept, centred), e.g. (8, 4.5).

    The result shows itself in Jupyter (without Graphviz's `dot` program,
    as one line saying how to install it and the DOT source); write it with
    `render(graph, path)`. Its `text_scale` is how much fitting scaled its
    text (1.0 when nothing was fitted).
    """
    style = picture_style(style)
    box = _box(size) or style.canvas
    plan = _Plan(root, params, model, collapse, max_nodes, rankdir or "LR", weights)
    grads = {v: _float(v.grad) for v in plan.order}

    def build(direction: str):
        plan.rankdir = direction
        return _build(plan, grads, grad_view=grad_view, legend=legend, title=title, style=style)

    return fitted(build, box, [rankdir] if rankdir else ["LR", "TB"])


def _box(size) -> tuple[float, float] | None:
    """size= checked: two positive numbers of inches, or None."""
    if size is None:
        return None
    try:
        width, height = (float(x) for x in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (width, height) in inches, got {size!r}") from None
    if not (0 < width <= 200 and 0 < height <= 200):
        raise ValueError(f"size must be two numbers of inches above 0 and at most 200, got {size!r}")
    return width, height


def laid_out_size(graph, **options) -> tuple[float, float] | None:
    """(width, height) in inches of dot's layout of `graph` (or of what
    `options` say, neato_no_op=2 for a pinned frame), without its pad; None
    where Graphviz is missing or broken (render then says so in one line)."""
    try:
        laid_out = styles.pipe_json(graph, **options)
    except styles.DotError:
        return None
    x0, y0, x1, y1 = map(float, laid_out["bb"].split(","))
    return (x1 - x0) / 72, (y1 - y0) / 72


def fitted(build, box: tuple[float, float] | None, rankdirs: list[str]):
    """build(rankdir) fitted to `box` (inches): of `rankdirs`, the one
    whose layout fills the box at the largest scale (the first on a tie),
    with the attributes that make its page exactly the box. Without a box,
    or without `dot` to lay it out, build(rankdirs[0]) as it is."""
    if box is None:
        graph = build(rankdirs[0])
        graph.text_scale = 1.0
        return graph
    best = None
    for rankdir in rankdirs:
        graph = build(rankdir)
        natural = laid_out_size(graph)
        if natural is None:  # no dot: the DOT source is what will be shown
            graph.text_scale = 1.0
            return graph
        attrs, scale = fit_attrs(natural, box)
        if best is None or scale > best[2] + 1e-9:
            best = (rankdir, attrs, scale)
    rankdir, attrs, scale = best
    graph = build(rankdir) if rankdir != rankdirs[-1] else graph
    graph.attr(**attrs)
    graph.text_scale, graph.fit, graph.box = scale, attrs, box
    return graph


# A Value that ends a Jupyter cell shows its graph up to this many nodes
# (boxes and ellipses); a larger one shows its plain repr.
VALUE_LIMIT = 60


def value_mimebundle(v: Value, include=None, exclude=None, *, limit: int = VALUE_LIMIT) -> dict:
    """What Jupyter shows for a Value that ends a cell (Value's
    `_repr_mimebundle_` calls this): the picture of its graph as SVG, with
    its repr as the text form. A graph of more than `limit` nodes, or one
    that cannot be drawn here (no graphviz package, no `dot` program),
    shows only the repr: a one-line Value never turns into an error."""
    text = {"text/plain": repr(v)}
    try:
        bundle = draw(v, max_nodes=limit)._repr_mimebundle_(include, exclude)
    except (GraphTooLarge, ImportError):
        return text
    if "image/svg+xml" not in bundle:  # the no-dot fallback: not for every Value shown
        return text
    return {**bundle, **text}
