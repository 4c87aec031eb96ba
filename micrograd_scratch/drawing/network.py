"""The network picture: a trained MLP as columns of neurons, each one a map.

`draw_network(model, X, y, loss=mse)` draws what TensorFlow Playground
draws: the inputs on the left, then one column per layer, and in place of
each neuron a small map of what it computes over the input plane (x1
across, x2 up), blue where its output is positive, red where negative,
white at 0 (styles.signed_colour). A relu neuron is white on one side of
its line and blue on the other, so for the hand-set XOR network you see
its two lines, and the output's map is the decision the network makes.

Edges are coloured by the weight's sign (blue > 0, red < 0) and are wider
the larger |w| is, thin enough that 16 x 16 edges stay readable; small
layers also print each weight, and every neuron its bias (if it has one).

One example is followed through the network: a ring on every map marks
it, and each neuron shows its output on it and the gradient of that
example's loss with respect to that output. The example is chosen to
teach: by default the one with the largest loss (the first example of
XOR is (0, 0), on which every hidden relu reads 0, and an example a
trained network gets right has gradient 0 everywhere). A small box to the
right of the output shows the target and the loss.

`network_plan(...)` is everything the picture shows, as numbers (the
tests read it); `draw_network` returns a matplotlib Figure, which shows
itself in Jupyter, or writes it with `path=` (.png, .svg or .pdf).

Sources: TensorFlow Playground (playground.tensorflow.org: a neuron as a
heat map over the input plane, edges by the weight's sign and size);
Goodfellow, Bengio and Courville, Deep Learning, ch. 6.1 (the XOR network).
"""

from __future__ import annotations

import math
import os
import textwrap
from dataclasses import dataclass
from typing import Callable, Sequence

from ..engine import Value, grad
from ..plot import _bounds, decision_threshold, score  # _bounds: the box plot draws over
from .styles import (
    FIGURE_FORMATS, PICTURE_STYLES, checked_path, fmt, new_figure, picture_style, save_figure,
    signed_cmap, signed_colour,
)

__all__ = ["draw_network", "network_plan", "choose_example", "NetworkPlan", "Unit", "Edge", "Example",
           "Thinned"]

RESOLUTION = 41  # grid points along each side of a neuron's map
# A layer with more edges than DENSE draws thin lines, and by default only
# the STRONGEST largest |w| into each unit: of a 16 x 16 layer's 256
# crossing lines most are noise; 4 a unit (64) show what each one listens to.
DENSE = 64
STRONGEST = 4
NO_WEIGHT = "#d9d9d9"  # an edge whose weight is exactly 0


# ---- what the picture shows, as numbers ----------------------------------


@dataclass(frozen=True)
class Unit:
    """One input or neuron: a map (or a circle) in the picture."""

    name: str  # "x1", "L0.N0"
    column: int  # 0 for the inputs, then one per layer
    row: int  # 0 at the top
    activation: str  # "" for an input, "linear" for a neuron without one
    bias: float | None  # None for an input, and for a neuron made with bias=False
    value: float | None  # its output on the shown example
    grad: float | None  # d(loss)/d(its output) on the shown example
    grid: list | None  # its output over the input plane, bottom row first
    classes: list | None = None  # output units, given classify: the class over the plane
    line: tuple | None = None  # (grid, level): the contour drawn on its map


@dataclass(frozen=True)
class Edge:
    """The weight from `source` into neuron `target` (names of Units)."""

    source: str
    target: str
    weight: float
    colour: str  # by the weight's sign
    width: float  # points, by |weight| relative to the largest in its layer


@dataclass(frozen=True)
class Example:
    """The input followed through the network."""

    x: tuple  # the input point
    index: int | None  # its position in X, or None when it is not one of X
    target: object  # its label, when known
    output: object  # the network's output: a float, or a list for several outputs
    loss: float | None  # its loss, when a loss and a target are known
    why: str  # how it was chosen, in words


@dataclass(frozen=True)
class Thinned:
    """A layer whose edges were thinned: `kept` of its `total` weights are
    drawn, the `per_unit` strongest (largest |w|) into each of its units."""

    layer: str  # "L1"
    per_unit: int
    kept: int
    total: int


@dataclass(frozen=True)
class NetworkPlan:
    columns: list  # of lists of Units: inputs, then each layer
    edges: list  # of Edges drawn, layer by layer, each neuron's weights in order
    example: Example | None
    box: tuple | None  # (x1 from, x1 to, x2 from, x2 to) of the maps, None unless 2 inputs
    X: list  # the training points drawn on the output's map
    y: list
    loss_name: str
    thinned: list = ()  # of Thinned: the layers that do not draw every weight


def _layers(model) -> list[list]:
    """The neurons of an MLP, a Layer or a Neuron, layer by layer."""
    if hasattr(model, "layers"):
        return [list(layer.neurons) for layer in model.layers]
    if hasattr(model, "neurons"):
        return [list(model.neurons)]
    if hasattr(model, "w") and hasattr(model, "b"):
        return [[model]]
    raise TypeError(
        f"draw_network: expected an MLP, a Layer or a Neuron, got {type(model).__name__}"
    )


def _forward(layers: list[list], x: Sequence) -> list[list[Value]]:
    """Every neuron's output on input x, layer by layer (through the
    neurons themselves, so the picture shows exactly what the model computes)."""
    outs = []
    h = [v if isinstance(v, Value) else Value(float(v), label=f"x{i + 1}") for i, v in enumerate(x)]
    for layer in layers:
        h = [n(h) for n in layer]
        outs.append(h)
    return outs


def _network_output(last: list[Value]):
    """The model's answer as the loss functions take it: one Value for a
    one-neuron output layer, else the list (as Layer.__call__ returns)."""
    return last[0] if len(last) == 1 else list(last)


def choose_example(
    model,
    X: Sequence[Sequence[float]] | None = None,
    y: Sequence | None = None,
    *,
    loss: Callable | None = None,
    example: int | Sequence[float] | Example | None = None,
) -> Example | None:
    """The example a picture of `model` follows, with its output and loss.

    By default the one of X with the largest loss (None without a loss and
    labels); `example=` an index into X or a point (x1, x2). A point that
    is not in X takes the label of the training point nearest to it, so
    that it still has a loss to show.
    """
    if isinstance(example, Example):  # chosen already (the CLI titles its picture with it)
        return example
    layers = _layers(model)
    X = [tuple(map(float, x)) for x in X] if X is not None else []
    y = list(y) if y is not None else []
    nin = len(layers[0][0].w)
    if example is None:
        if loss is None or not y or not X:
            return None
        losses = [loss([_network_output(_forward(layers, x)[-1])], [t]).data for x, t in zip(X, y)]
        # The largest loss teaches most; a nan loss, if any, most of all.
        index = max(range(len(losses)), key=lambda i: (math.isnan(losses[i]), losses[i]))
        point, why = X[index], f"the largest loss of the {len(X)} examples"
    elif type(example) is int:
        if not -len(X) <= example < len(X):
            raise ValueError(f"example={example} is not an index into X ({len(X)} points)")
        index = example % len(X)
        point, why = X[index], f"example {index}"
    else:
        point = tuple(float(v) for v in example)
        if len(point) != nin:
            raise ValueError(f"the example has {len(point)} numbers; the network takes {nin}")
        index, why = (X.index(point), "the chosen example") if point in X else (None, "the chosen point")
    target = y[index] if index is not None and y else None
    if index is None and y and X:
        nearest = min(range(len(X)), key=lambda i: sum((a - b) ** 2 for a, b in zip(X[i], point)))
        target, why = y[nearest], f"the chosen point, with the label of its nearest training point {X[nearest]}"
    output = _network_output(_forward(layers, point)[-1])
    value = loss([output], [target]).data if loss is not None and target is not None else None
    shown = [v.data for v in output] if isinstance(output, list) else output.data
    return Example(point, index, target, shown, value, why)


def network_plan(
    model,
    X: Sequence[Sequence[float]] | None = None,
    y: Sequence | None = None,
    *,
    loss: Callable | None = None,
    loss_name: str = "",
    example: int | Sequence[float] | None = None,
    classify: Callable | None = None,
    resolution: int = RESOLUTION,
    edges: int | None = None,
) -> NetworkPlan:
    """Everything `draw_network` draws, computed and checked (see there)."""
    layers = _layers(model)
    nin = len(layers[0][0].w)
    X = [list(map(float, x)) for x in X] if X is not None else []
    y = list(y) if y is not None else []
    if y and len(y) != len(X):
        raise ValueError(f"draw_network: {len(X)} points in X but {len(y)} labels in y")
    for i, x in enumerate(X):
        if len(x) != nin:
            raise ValueError(f"draw_network: X[{i}] has {len(x)} numbers; the network takes {nin}")
    if type(resolution) is not int or resolution < 2:
        raise ValueError(f"draw_network: resolution must be an int of at least 2, got {resolution!r}")
    if edges is not None and (type(edges) is not int or edges < 1):
        raise ValueError(f"draw_network: edges must be a whole number of edges per unit, at least 1, "
                         f"got {edges!r}")

    try:
        shown = choose_example(model, X, y, loss=loss, example=example)
    except ValueError as error:
        raise ValueError(f"draw_network: {error}") from None
    point = shown.x if shown is not None else ()

    # The shown example: every neuron's output and the loss's gradient.
    values = grads = None
    if shown is not None:
        values = _forward(layers, point)
        if shown.loss is not None:
            loss_v = loss([_network_output(values[-1])], [shown.target])
            flat = [v for layer in values for v in layer]
            grads = dict(zip(flat, grad(loss_v, flat)))

    # The maps: each neuron's output over a grid on the input plane.
    box = _bounds(X, pad=0.15) if nin == 2 else None
    grids = pre = classes = boundary = None
    if box is not None:
        x0, x1, y0, y1 = box
        cells = [
            [x0 + (x1 - x0) * c / (resolution - 1), y0 + (y1 - y0) * r / (resolution - 1)]
            for r in range(resolution) for c in range(resolution)
        ]
        per_cell = [_forward(layers, p) for p in cells]
        grids = [
            [_rows([[v.data for v in outs[li]] for outs in per_cell], j, resolution)
             for j in range(len(layer))]
            for li, layer in enumerate(layers)
        ]
        # A neuron's line: where its weighted sum w·x + b is 0 (where a
        # relu switches on). Drawn from the sum, not the output, so that it
        # is straight on the first layer even where the relu is flat.
        pre = [
            [_rows([[_sum(v) for v in outs[li]] for outs in per_cell], j, resolution)
             for j in range(len(layer))]
            for li, layer in enumerate(layers)
        ]
        if classify is not None:  # the decision the network makes at each point
            decided = [[classify(_network_output(outs[-1]))] for outs in per_cell]
            classes = _rows(decided, 0, resolution)
            boundary = _boundary([outs[-1] for outs in per_cell], [c[0] for c in decided], resolution)

    columns = [[
        Unit(f"x{i + 1}", 0, i, "", None, point[i] if point else None, None,
             _input_grid(i, box, resolution) if box else None)
        for i in range(nin)
    ]]
    for li, layer in enumerate(layers):
        column = []
        for j, n in enumerate(layer):
            v = values[li][j] if values else None
            activation = getattr(n, "activation", "linear")
            line = None
            if grids and li == len(layers) - 1 and classes is not None:
                line = boundary
            elif grids and activation != "linear":
                line = (pre[li][j], 0.0)
            elif grids:
                line = (grids[li][j], 0.0)
            column.append(Unit(
                f"L{li}.N{j}", li + 1, j, activation,
                _bias(n), v.data if v is not None else None,
                grads[v] if grads is not None else None,
                grids[li][j] if grids else None,
                classes if li == len(layers) - 1 else None,
                line,
            ))
        columns.append(column)

    drawn, thinned = [], []
    for li, layer in enumerate(layers):
        sources = columns[li]
        largest = max((abs(_number(w)) for n in layer for w in n.w), default=0.0)
        total = len(sources) * len(layer)
        dense = total > DENSE  # 16 x 16 stays readable with thinner lines
        per_unit = edges if edges is not None else (STRONGEST if dense else None)
        kept = 0
        for j, n in enumerate(layer):
            weights = [_number(w) for w in n.w]
            strongest = set(sorted(range(len(weights)), key=lambda i: -_strength(weights[i]))[:per_unit])
            for i, (src, w) in enumerate(zip(sources, weights)):
                if i not in strongest:
                    continue  # thinned: the legend says how many are drawn
                colour = NO_WEIGHT if w == 0 else signed_colour(math.copysign(1.0, w), 1.0)
                t = abs(w) / largest if largest > 0 and math.isfinite(w) else 1.0
                width = (0.15 + 1.6 * t) if dense else (0.5 + 3.5 * t)
                drawn.append(Edge(src.name, columns[li + 1][j].name, w, colour, round(width, 3)))
                kept += 1
        if kept < total:
            thinned.append(Thinned(f"L{li}", per_unit, kept, total))
    return NetworkPlan(columns, drawn, shown, box, X, y, loss_name, thinned)


def _strength(w: float) -> float:
    """How strongly an edge counts when edges are thinned: |w|, a nan first."""
    return math.inf if math.isnan(w) else abs(w)


def _number(w) -> float:
    return w.data if isinstance(w, Value) else float(w)


def _bias(n) -> float | None:
    """A neuron's bias, or None for one without (bias=False: `n.b` is None)."""
    b = getattr(n, "b", None)
    return None if b is None else _number(b)


def _sum(v: Value) -> float:
    """The weighted sum inside a neuron's output: the activation's input."""
    return v._prev[0].data if v._prev and len(v._prev) == 1 else v.data


def _boundary(outputs: list, decided: list, resolution: int) -> tuple:
    """(grid, level) whose contour is the decision boundary: a smooth line
    where the outputs' score separates the classes by a threshold (as
    plot's boundary does), else the staircase between the class regions."""
    scores = [score(_network_output(o)) for o in outputs]
    level = None if None in scores else decision_threshold(scores, decided)
    if level is not None:
        return _rows([[s] for s in scores], 0, resolution), level
    return _rows([[c] for c in decided], 0, resolution), 0.5


def _rows(per_cell: list, j: int, resolution: int) -> list[list]:
    """Entry j of each grid point's list, as rows of the grid, bottom row first."""
    flat = [cell[j] for cell in per_cell]
    return [flat[r * resolution:(r + 1) * resolution] for r in range(resolution)]


def _input_grid(i: int, box, resolution: int) -> list[list[float]]:
    x0, x1, y0, y1 = box
    if i == 0:
        return [[x0 + (x1 - x0) * c / (resolution - 1) for c in range(resolution)] for _ in range(resolution)]
    return [[y0 + (y1 - y0) * r / (resolution - 1)] * resolution for r in range(resolution)]


# ---- the figure ------------------------------------------------------------


def draw_network(
    model,
    X: Sequence[Sequence[float]] | None = None,
    y: Sequence | None = None,
    *,
    loss: Callable | None = None,
    loss_name: str = "",
    example: int | Sequence[float] | None = None,
    classify: Callable | None = None,
    title: str = "",
    path: str | os.PathLike | None = None,
    dpi: int = 150,
    resolution: int = RESOLUTION,
    edges: int | None = None,
    style: str = "default",
    size: tuple[float, float] | None = None,
):
    """The picture of a network (an MLP, a Layer or a Neuron) as a matplotlib
    Figure, or, with `path=` (.png, .svg or .pdf), written there (returns the path).

    X, y      the training data: the maps cover it, the output's map shows it.
    loss      loss(outputs, targets) -> Value, e.g. losses.mse: with it the
              example with the largest loss is followed, and each neuron
              shows the gradient of that loss; loss_name names it.
    example   follow this one instead: an index into X, or a point (x1, x2).
    classify  output -> class: the output's map then draws the decision
              boundary (where the class changes) instead of its zero line.
    title     a line above the picture.
    dpi       pixels per inch of a .png (and of the inline picture).
    edges     draw only the this many strongest weights (largest |w|) into
              each unit; by default a layer of more than 64 weights draws
              its 4 strongest a unit, and the caption says so.
    style     "default", or "slides": 16:9, every text 18 pt on the slide.
    size      (width, height) in inches: lay the picture out to fill it.

    Maps need 2 inputs; other networks get circles coloured by their output.
    """
    from .graph import _box  # the check draw() makes of size=

    look, box = picture_style(style), _box(size)
    plan = network_plan(model, X, y, loss=loss, loss_name=loss_name, example=example,
                        classify=classify, resolution=resolution, edges=edges)
    if path is not None:
        path = checked_path(path, FIGURE_FORMATS, "draw_network")
    fig = _figure(plan, title, dpi, look, box)
    if path is None:
        return fig
    return save_figure(fig, path, dpi)


@dataclass(frozen=True)
class _Type:
    """The network picture's font sizes, in points."""

    title: float
    head: float  # "layer L0: relu" over each column
    weight: float  # "w -2" on the edges of a small network
    unit: float  # the words under a map
    loss: float  # the loss box
    caption: float  # the key at the bottom


# The slide style keeps every text at 18 pt on its 13.333-inch slide.
TYPE = {"default": _Type(11, 9, 7, 7.5, 9, 7.5), "slides": _Type(20, 18, 18, 18, 18, 18)}
ROOMY = 8  # columns of up to 8 units get words under each map; past that, one line
MIN_MAP = 0.3  # inches: fitted to a box, a column whose words leave maps smaller goes without them
SMALL_MAP = 0.2  # inches: 29 px on a slide shown 1920 px wide; smaller maps, and the key says so


def _figure(plan: NetworkPlan, title: str, dpi: int, style=PICTURE_STYLES["default"],
            box: tuple | None = None):
    """The picture: laid out at its natural size, or to fill `box` (inches;
    the slide style's canvas unless given)."""
    columns = plan.columns
    rows = max(len(c) for c in columns)
    type_ = TYPE[style.name]
    box = box or style.canvas
    roomy = rows <= ROOMY
    slide = style.canvas is not None
    # A column of up to ROOMY units gets words under each map, a longer one
    # a line of numbers (in words still); on a slide, whose 18 pt words do
    # not fit under 16 units, none (the caption says so).
    room = [len(column) <= ROOMY for column in columns]
    labelled = [room[c] or not slide for c in range(len(columns))]
    # On a slide a column too long for words stands in two staggered rows
    # (zigzag), each map as tall as two cells: a 2-16-1 network's hidden
    # maps were 0.14 inches in a slide-style training film's panel and
    # 0.19 on a whole slide (27 px at 1920 px wide); they are 0.36 and 0.47.
    zigzag = [slide and c > 0 and not room[c] for c in range(len(columns))]
    line = type_.unit * 1.3 / 72  # inches a line of unit text takes
    text_h = [(len(_unit_lines(column[0], room[c], slide)) * line + 0.06) if labelled[c] else 0.05
              for c, column in enumerate(columns)]
    heads = [_head(column, c, slide) for c, column in enumerate(columns)]
    head_lines = max(h.count("\n") + 1 for h in heads)
    top = (type_.title * 2.2 / 72 if title else 0.25) + type_.head * (0.4 + 1.2 * head_lines) / 72 + 0.1
    has_loss = plan.example is not None and plan.example.loss is not None
    loss_w = (type_.loss * 0.62 * 10 / 72 + 0.75) if has_loss else 0.3

    if box is None:
        # Sizes in inches. The tallest column sets the height; a column with
        # fewer units spreads them out and draws larger maps (up to BIG).
        small = rows <= 4
        cell = 1.75 if small else max(0.62, min(1.3, 9.0 / rows))
        span = rows * cell
        BIG = 1.3
        sizes = [min(BIG, span / len(column) * (0.62 if small else 0.64 if roomy else 0.76))
                 for column in columns]
        gap = 2.3 if small else 2.6  # between column centres: room for the edges to fan out
        width = 0.3 + sizes[0] / 2 + gap * (len(columns) - 1) + sizes[-1] / 2 + loss_w + 0.2
        captions, bottom = _key(plan, labelled, slide, width, type_.caption)
        height = top + span + bottom
        if not roomy and width < height * 16 / 9:
            # A column of 16 is tall: spread the columns to a landscape
            # page (more room for the edges between them, too).
            gap += (height * 16 / 9 - width) / max(1, len(columns) - 1)
            width = height * 16 / 9
    else:
        width, height = box
        captions, bottom = _key(plan, labelled, slide, width, type_.caption)
        span = height - top - bottom
        if span < 0.5:
            raise ValueError(f"draw_network: a box of {width:g} x {height:g} inches leaves no room "
                             f"for the network under its title and caption; give a larger size")
        for c, column in enumerate(columns):
            if labelled[c] and span / len(column) - text_h[c] - 0.08 < MIN_MAP:
                # The words would leave the maps too small to see: a map
                # says more than its numbers, so they go (the key says so).
                labelled[c], text_h[c] = False, 0.05
                captions, bottom = _key(plan, labelled, slide, width, type_.caption)
                span = height - top - bottom

        def spread(sizes):  # the gap between column centres that fills the width
            return (width - 0.3 - sizes[0] / 2 - sizes[-1] / 2 - loss_w - 0.2) / max(1, len(columns) - 1)

        def map_sizes():  # each column's maps: as large as its cells and the gaps allow
            sizes = [max(0.05, min(2.2, span / len(column) * (1 + zigzag[c]) - text_h[c] - 0.08))
                     for c, column in enumerate(columns)]
            return [max(0.05, min(s_, spread(sizes) * 0.45 / (1 + zigzag[c])))
                    for c, s_ in enumerate(sizes)]

        sizes = map_sizes()
        if slide and min(sizes) < SMALL_MAP:
            # Too small to read from the back of a room: the key says so,
            # and what would draw them larger.
            captions, bottom = _key(plan, labelled, slide, width, type_.caption, crowded=rows)
            span = height - top - bottom
            sizes = map_sizes()
        gap = spread(sizes)  # the maps shrank: the columns take the room they left
    left = 0.3 + sizes[0] / 2

    fig = new_figure(figsize=(width, height), dpi=dpi)
    # One transparent axes over the whole figure, in inches, for edges and text.
    ink = fig.add_axes((0, 0, 1, 1), zorder=0)
    ink.set_xlim(0, width)
    ink.set_ylim(0, height)
    ink.axis("off")
    if title:
        ink.text(width / 2, height - type_.title * 1.1 / 72 - 0.05, title, ha="center", va="center",
                 fontsize=type_.title, wrap=True)

    centre = {}  # unit name -> (x, y) of its map's centre, in inches
    size_of = {}
    for c, column in enumerate(columns):
        x = left + gap * c
        each = span / len(column)
        aside = (sizes[c] + 0.08) / 2 if zigzag[c] else 0.0  # zigzag: odd rows right, even left
        for unit in column:
            # Above the middle of its cell by half its text, which goes below.
            centre[unit.name] = (x + (aside if unit.row % 2 else -aside),
                                 bottom + span - each * (unit.row + 0.5) + text_h[c] / 2)
            size_of[unit.name] = sizes[c]
        ink.text(x, bottom + span + 0.08, heads[c], ha="center", va="bottom", fontsize=type_.head,
                 color="#525252", fontweight="bold", linespacing=1.2)

    label_weights = len(plan.edges) <= 12
    for e in plan.edges:
        (xs, ys), (xt, yt) = centre[e.source], centre[e.target]
        xs, xt = xs + size_of[e.source] / 2, xt - size_of[e.target] / 2
        ink.plot([xs, xt], [ys, yt], color=e.colour, linewidth=e.width,
                 alpha=0.8 if label_weights else 0.6, solid_capstyle="butt", zorder=1)
        if label_weights:
            t = 0.28  # near the source, where edges from one unit fan apart
            ink.text(xs + (xt - xs) * t, ys + (yt - ys) * t, f"w {e.weight:.3g}", fontsize=type_.weight,
                     ha="center", va="center", color=e.colour, zorder=2,
                     bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))

    cmap = signed_cmap()
    for c, column in enumerate(columns):
        for unit in column:
            cx, cy = centre[unit.name]
            size = size_of[unit.name]
            ax = fig.add_axes(((cx - size / 2) / width, (cy - size / 2) / height, size / width, size / height),
                              zorder=3)
            _unit_axes(ax, unit, plan, cmap, size)
            if labelled[c]:
                ink.text(cx, cy - size / 2 - 0.03, "\n".join(_unit_lines(unit, room[c], slide)),
                         ha="center", va="top", fontsize=type_.unit, color="#252525", linespacing=1.2,
                         zorder=4, bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none", alpha=0.8))

    if has_loss:
        outputs = columns[-1]
        _loss_box(ink, plan, [centre[u.name] for u in outputs], size_of[outputs[0].name], type_.loss)
    ink.text(width / 2, 0.12, "\n".join(captions), ha="center", va="bottom", fontsize=type_.caption,
             color="#525252", linespacing=1.4)
    return fig


def _unit_axes(ax, unit: Unit, plan: NetworkPlan, cmap, size: float) -> None:
    """One unit's map (size inches wide): its output or classes, its line, the example."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#525252")
        spine.set_linewidth(0.8)
    if unit.grid is not None:
        x0, x1, y0, y1 = plan.box
        if unit.classes is not None:  # the class it predicts: 1 blue, 0 red, pale
            ax.imshow([[1 if c == 1 else -1 for c in row] for row in unit.classes], origin="lower",
                      extent=(x0, x1, y0, y1), cmap=cmap, vmin=-3, vmax=3,
                      interpolation="nearest", aspect="auto")
        else:  # its output, on its own scale: white at 0
            finite = [abs(v) for row in unit.grid for v in row if math.isfinite(v)]
            scale = max(finite, default=0.0) or 1.0
            ax.imshow(unit.grid, origin="lower", extent=(x0, x1, y0, y1), cmap=cmap, vmin=-scale,
                      vmax=scale, interpolation="bilinear", aspect="auto")
        if unit.line is not None:
            grid, level = unit.line
            xs = [x0 + (x1 - x0) * c / (len(grid[0]) - 1) for c in range(len(grid[0]))]
            ys = [y0 + (y1 - y0) * r / (len(grid) - 1) for r in range(len(grid))]
            if min(min(r) for r in grid) < level < max(max(r) for r in grid):
                ax.contour(xs, ys, grid, levels=[level], colors="#252525", linewidths=0.9,
                           linestyles="solid")  # a negative level is not dashed
        if unit.column == len(plan.columns) - 1 and plan.X:  # the data, on the output
            for k, marker in ((0, dict(facecolor="white")), (1, dict(facecolor="black"))):
                pts = [x for x, t in zip(plan.X, plan.y) if _class(t) == k]
                if pts:
                    ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=14 if len(plan.X) < 20 else 4,
                               edgecolors="black", linewidths=0.5, zorder=3, **marker)
        if plan.example is not None:
            ax.plot(*plan.example.x[:2], marker="o", markersize=max(5.0, 8 * size), markerfacecolor="none",
                    markeredgecolor="#ffbf00", markeredgewidth=1.2 + size, zorder=4)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
    else:  # no input plane: a disc coloured by the output on the example
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        colour = signed_colour(unit.value, abs(unit.value) or 1.0) if unit.value is not None else "white"
        from matplotlib.patches import Circle  # matplotlib is there: the figure imported it

        ax.add_patch(Circle((0, 0), 0.9, color=colour))
        ax.axis("off")


def _head(column: list, c: int, slide: bool) -> str:
    """The words over column c: "input", or the layer and its activation,
    on two lines on a slide, where at 18 pt one line is wider than the gap
    between two columns ("layer L0: relu layer L1: linear" ran together)."""
    if c == 0:
        return "input"
    between = "\n" if slide else ": "
    return f"layer L{c - 1}{between}{column[0].activation}"


def _class(t) -> int:
    return int(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else -1


def _key(plan: NetworkPlan, labelled: list, slide: bool, width: float, font: float,
         crowded: int = 0) -> tuple[list, float]:
    """The caption's lines wrapped to a page `width` inches wide, and the
    height in inches they take at `font` points. `crowded`: the units in
    the longest column, when they leave its maps too small for a slide."""
    chars = int(width * 72 / (font * 0.55))  # DejaVu Sans: about half an em a character, and a margin
    key = _caption_lines(plan, labelled, slides=slide)
    if crowded:
        key.append(f"{crowded} units a layer make small maps on a slide; {ROOMY} or fewer draw them larger")
    lines = [part for line in key for part in _wrap_evenly(line, chars)]
    return lines, len(lines) * font * 1.45 / 72 + 0.2


def _wrap_evenly(text: str, chars: int) -> list[str]:
    """`text` in as few lines of at most `chars` characters as it takes,
    each as long as the others, so that no word is left alone on the last
    ("... the gradient of its" over "loss L"). Words joined by a no-break
    space (w·x + b = 0) stay on one line."""
    lines = textwrap.wrap(text, chars)
    while chars > 1 and len(textwrap.wrap(text, chars - 1)) == len(lines):
        chars -= 1
    return textwrap.wrap(text, chars)


def _unit_lines(unit: Unit, roomy: bool, slide: bool) -> list[str]:
    """The words under a unit's map: its name (and bias), then its output
    and gradient on the example. A column of more than ROOMY units gets
    the numbers alone, in words still; a slide puts each on its own line."""
    on_example = []
    if unit.value is not None:
        on_example.append(f"out {fmt(unit.value)}")
        if unit.grad is not None:
            on_example.append(f"∂L/∂out {fmt(unit.grad)}")
    if not roomy:
        return [" · ".join(on_example) or unit.name]
    name = unit.name if unit.bias is None else f"{unit.name}  b {fmt(unit.bias)}"
    return [name, *on_example] if slide else [name] + ([" · ".join(on_example)] if on_example else [])


def _loss_box(ink, plan: NetworkPlan, outputs: list, size: float, fontsize: float):
    """The loss, compactly: one box right of the output column, level with
    the outputs' maps, but never reaching below their feet, where the
    words under a map are wider than the map (a slide's box, taller than
    the map, came down over "L1.N0  b 0.0484")."""
    ex = plan.example
    x = outputs[0][0] + size / 2
    y = sum(c[1] for c in outputs) / len(outputs)
    text = f"target {ex.target}\n{plan.loss_name or 'the'} loss\n{fmt(ex.loss)}"
    pad = 0.4 * fontsize / 72  # inches of the box around its text (pad=0.4, in ems)
    tall = 3 * 1.2 * fontsize / 72 + 2 * pad  # the box: three lines and its pad
    foot = max(y - size / 2, y - tall / 2)  # the box's lower edge
    box = ink.text(x + 0.5, foot + pad, text, ha="left", va="bottom", fontsize=fontsize,
                   bbox=dict(boxstyle="round,pad=0.4", fc="#f7f7f7", ec="#969696"))
    for _, y_out in outputs:  # an arrow from each output into the loss
        ink.annotate("", xy=(x + 0.42, y), xytext=(x + 0.05, y_out),
                     arrowprops=dict(arrowstyle="->", color="#525252", lw=1.0))
    return box


def _caption_lines(plan: NetworkPlan, labelled: list, slides: bool) -> list[str]:
    """The key under the picture: what the maps, the edges, the ring and
    the words mean, and which edges were left out. A slide says it shortly."""
    classes = plan.columns[-1][0].classes is not None
    example = plan.example
    if slides:
        parts = []
        if plan.box is not None:
            parts.append("maps: each unit's output over the input plane, blue > 0, red < 0"
                         + ("; the output's: the class" if classes else ""))
        edges = "edges: weights, blue > 0, red < 0, wider = larger"
        edges += "".join(f"; {t.layer}: the {t.per_unit} strongest a unit" for t in plan.thinned)
        parts.append(edges)
        if example is not None:
            parts.append(f"ring: the example ({', '.join(fmt(v) for v in example.x)})"
                         + ("; ∂L/∂out: the gradient of its loss L" if example.loss is not None else ""))
        return parts
    parts = []
    if plan.box is not None:
        maps = ("each map: that unit's output over the input plane (x1 across, x2 up), "
                "blue > 0, red < 0, white 0, each on its own scale; its line: w·x\u00a0+\u00a0b\u00a0=\u00a00")
        if classes:
            maps += ("\nthe output's map: the class it predicts (1 blue, 0 red), its line the decision "
                     "boundary; dots: the training points (filled: class 1)")
        parts.append(maps)
    edges = "edges: weight > 0 blue, < 0 red, wider = larger |w|"
    for t in plan.thinned:
        edges += (f"; layer {t.layer}: the {t.per_unit} strongest into each unit "
                  f"({t.kept} of {t.total})")
    parts.append(edges)
    if example is not None:
        shown = f"ring: the example x = ({', '.join(fmt(v) for v in example.x)})"
        if example.why:
            shown += f", {example.why}"
        if example.loss is not None:
            shown += ("; under each unit" + ("" if all(labelled) else " with room for words")
                      + ": its output on it, and ∂L/∂out, the gradient of its loss L")
        parts.append(shown)
    return "\n".join(parts).split("\n")
