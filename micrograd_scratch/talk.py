"""The talk as a deck: every slide of Sophie Seary's "Deep Learning from
scratch with python", each figure computed by this package as the slide is
made.

`build(seed=0)` runs the talk's story in code and returns its slides, in
the talk's order (0 the title, 1 to 10 one idea each, 11 the closing):

    1 the perceptron's rule, AND learnt, XOR cycling     perceptron.Perceptron.fit
    2 least squares on XOR: w = 0, b = 0.5               nn.Neuron, losses.mse, optim.fit
    3 the hand-set ReLU network and its table            ops.dot, Value.relu, drawing.draw_network
    4 two linear layers collapse to one                  nn.MLP, engine.grad
    5 gradient descent with three learning rates         optim.SGD
    6 batch against minibatch SGD                        optim.fit (batch_size)
    7 the graph of sigmoid(w*x + b)                      expr.parse_expression, drawing.draw
    8 the chain rule, and a Jacobian from the graph      engine.grad, Value.backward
    9 backpropagation, filmed                            drawing.animate_backward
   10 an MLP learns XOR and two moons                    optim.fit, plot.plot_training

Every number on a slide is computed here, by the package's functions, from
a seeded run (`seed` seeds every one of them together); a slide's
`made_by` names those functions and `alone` the command that makes its
figure on its own. `deck(seed, order)` adds a teacher's slides where they
go; `write_html(slides, folder)` writes the deck as one static page
(index.html, the figures in it), `write_pdf(slides, path)` as a 16:9 PDF,
a page a slide, every text 18 pt or more.

A slide's figure needs matplotlib, Graphviz's `dot` or Pillow. Without
one, the slide is still made, with its text and table, and its `missing`
says which; `missing_lines(slides)` gives the one line per dependency.

A teacher's own slides come from Markdown (`teacher_slides`; the README's
"The talk as slides" shows the syntax): a `---`, `after: N`, `---`
header, then `# title`, lines of text and `- ` points.

Sources: the talk (soph.info/scratch.pdf); Goodfellow, Bengio and
Courville, *Deep Learning* (2016), ch. 6 and 8; Minsky and Papert (1969);
Rumelhart, Hinton and Williams (1986).
"""

from __future__ import annotations

import importlib.util
import io
import math
import os
import random
import re
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Sequence

from . import data
from .drawing.styles import SLIDE_TEXT, DotError
from .engine import Value, grad
from .expr import parse_expression
from .losses import mse
from .nn import MLP, Neuron
from .ops import dot, total
from .optim import SGD, LinearDecay, fit
from .perceptron import Perceptron

__all__ = [
    "Slide", "Table", "Figure", "TeacherSlide", "DeckError",
    "build", "deck", "select", "parse_slides", "teacher_slides", "missing_lines",
    "page", "write_html", "write_pdf", "cell_text",
    "least_squares", "handset_table", "descend", "batch_runs", "neuron_values", "jacobian", "mlp_runs",
    "NEEDS", "TALK_SLIDES", "SETTINGS", "PAGE_NAME",
]

TALK_SLIDES = range(12)  # 0 the title, 1 to 10 the talk's ideas, 11 the closing


class DeckError(ValueError):
    """A --slides or --add that the deck cannot follow, in one line."""


# ---- what a slide holds --------------------------------------------------


@dataclass
class Table:
    """Rows of cells under a header; a number keeps its exact value (the
    page writes it beside its rounded text, for a reader to check)."""

    name: str  # what the page calls it: data-table="..."
    header: list[str]
    rows: list[list]  # each cell a str, a number shown rounded, or a list of numbers


@dataclass
class Figure:
    """One picture, in the formats it was made in: "svg" where it can be,
    "png" (for the PDF), "gif" for an animation."""

    files: dict[str, bytes]
    alt: str
    wide: bool = False  # drawn across the slide, under its text


@dataclass
class Slide:
    number: int | None  # its place in the talk, 0 to 11; None for a teacher's slide
    title: str
    lines: list[str] = field(default_factory=list)  # text, one paragraph or formula a line
    points: list[str] = field(default_factory=list)  # bullet points
    table: Table | None = None
    figures: list[Figure] = field(default_factory=list)
    made_by: str = ""  # the package's file and functions that computed it
    alone: str = ""  # the command that makes its figure on its own
    missing: list[str] = field(default_factory=list)  # dependencies its figure lacked


# What each figure needs, and how to install it: a slide without it is
# still written, with its text and table.
NEEDS = {
    "matplotlib": 'pip install -e ".[plot]" (or pip install matplotlib)',
    "Graphviz": "apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/",
    "Pillow": 'pip install -e ".[plot]" (or pip install pillow)',
}
_PYTHON_PACKAGE = {"matplotlib": "matplotlib", "Pillow": "PIL"}


class _Missing(Exception):
    def __init__(self, need: str):
        self.need = need


def _figure(slide: Slide, needs: Sequence[str], make: Callable[[], list[Figure]], broken: set) -> None:
    """Add make()'s figures to the slide, or, where one of `needs` is
    missing (a Python package not installed, or a `dot` that failed
    before: `broken`), note it on the slide instead."""
    for need in needs:
        package = _PYTHON_PACKAGE.get(need)
        if (package and importlib.util.find_spec(package) is None) or need in broken:
            slide.missing.append(need)
            return
    try:
        slide.figures.extend(make())
    except DotError:  # dot missing or broken: once is enough to know
        broken.add("Graphviz")
        slide.missing.append("Graphviz")


def missing_lines(slides: Sequence[Slide]) -> list[str]:
    """One line per missing dependency: what to install, and the slides
    (by the talk's numbers, as --slides takes them) written without their figure."""
    lines = []
    for need, how in NEEDS.items():
        at = [str(s.number) for s in slides if need in s.missing]
        if at:
            which = f"slide {at[0]} is" if len(at) == 1 else f"slides {', '.join(at)} are"
            lines.append(f"{need} is missing ({how}): {which} written without the figure")
    return lines


# ---- pictures ----------------------------------------------------------------
# Each slide's figure is drawn for the box it fills, so that its text is
# SLIDE_TEXT (18 pt) there too.

BOX = (6.8, 5.2)  # inches: the figure's place on a 13.33 x 7.5 slide, right of the text
WIDE = (12.4, 3.7)  # a figure across the whole slide, under the text
DPI = 110  # pixels per inch of a PNG for the PDF


def _matplotlib_figure(fig, alt: str) -> Figure:
    """A matplotlib Figure as SVG (for the page) and PNG (for the PDF)."""
    import matplotlib

    files = {}
    for format in ("svg", "png"):
        buffer = io.BytesIO()
        # No date and no random ids in the SVG: the same seed makes the same page, byte for byte.
        with matplotlib.rc_context({"svg.hashsalt": "micrograd-scratch talk"}):
            fig.savefig(buffer, format=format, dpi=DPI,
                        metadata={"Date": None} if format == "svg" else None)
        files[format] = buffer.getvalue()
    return Figure(files, alt, wide=fig.get_figwidth() > BOX[0])


def _graphviz_figure(graph, alt: str) -> Figure:
    from .drawing.styles import pipe

    return Figure({"svg": pipe(graph, "svg"), "png": pipe(graph, "png")}, alt)


def _axes(boxes: int, size=BOX):
    """A slide figure with `boxes` axes side by side."""
    from .drawing.styles import new_figure

    fig = new_figure(figsize=size, layout="constrained", dpi=DPI)
    return fig, fig.subplots(1, boxes, squeeze=False)[0]


def _big_text(ax) -> None:
    from .plot import _text_size

    _text_size(ax, SLIDE_TEXT)


# ---- the slides ----------------------------------------------------------------

# The settings of slide 10's runs: the `xor` and `train --dataset moons`
# commands' own (cli/training.py's TRAIN_DEFAULTS, which a test compares),
# so that the command on the slide trains the very same network.
SETTINGS = {
    "xor": dict(hidden=[16], loss="mse", lr=0.1, epochs=200, batch_size=None, lr_end=None),
    "moons": dict(hidden=[16, 16], loss="hinge", lr=0.2, lr_end=0.02, epochs=50, batch_size=16),
}


def _title(seed: int, broken: set) -> Slide:
    return Slide(0, "Deep Learning from scratch with python", lines=[
        "after the talk by Sophie Seary",
        "every number and figure in this deck is computed by micrograd_scratch, "
        f"a scalar autograd engine in pure Python, from runs seeded with {seed}",
    ], made_by="micrograd_scratch/talk.py, build", alone=f"micrograd-scratch talk --seed {seed}")


def _perceptron(seed: int, broken: set) -> Slide:
    X, y = data.xor()
    and_y = [0, 0, 0, 1]
    learnt = Perceptron(2)
    result = learnt.fit(X, and_y)

    # XOR, one update at a time: fit on one example for one epoch is the
    # rule applied once, so the states between updates can be shown.
    cycling, states = Perceptron(2), []
    for epoch in range(1, 5):
        for x, d in zip(X, y):
            before = cycling.predict(x)
            cycling.fit([x], [d], max_epochs=1)
            states.append((epoch, x, d, before, *cycling.w, cycling.b))
    last = [s for s in states if s[0] == 4]
    table = Table("perceptron-xor", ["x", "d", "f_old", "w1", "w2", "b"],
                  [[f"{x[0]:g}, {x[1]:g}", d, f, w1, w2, b] for e, x, d, f, w1, w2, b in last])
    start = states[-5][4:]  # w1, w2, b at the end of epoch 3
    slide = Slide(1, "The perceptron (Rosenblatt 1957)", lines=[
        "classify: f(x) = 1 if w · x + b > 0, else 0",
        "learn: w(t+1) = w(t) + (d − f_old) x",
    ], points=[
        f"AND: learnt in {result.epochs} epochs, w = [{learnt.w[0]:g}, {learnt.w[1]:g}], "
        f"b = {learnt.b:g}",
        f"XOR, epoch 4 below: 4 mistakes, and back at w = [{start[0]:g}, {start[1]:g}], "
        f"b = {start[2]:g}: a cycle",
        "no line splits XOR (Minsky, Papert 1969)",
    ], table=table, made_by="micrograd_scratch/perceptron.py, Perceptron.fit",
        alone="micrograd-scratch perceptron --gate and; micrograd-scratch perceptron --gate xor")

    def figure() -> list[Figure]:
        from .plot import _boundary_axes

        fig, (left, right) = _axes(2)
        _boundary_axes(left, lambda x: learnt.predict(x), X, and_y, lambda out: out, 60, SLIDE_TEXT,
                       title="AND: learnt")
        left.get_legend().remove()  # red 0, blue 1, as on every map of the deck
        updates = range(1, len(states) + 1)
        for k, name in ((4, "w1"), (5, "w2"), (6, "b")):
            right.step(updates, [s[k] for s in states], where="post", label=name, linewidth=2.5)
        right.set_title("XOR: w, b cycle")
        right.set_xlabel("update (4 an epoch)")
        right.legend(fontsize=SLIDE_TEXT, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3,
                     handlelength=1, columnspacing=0.8)
        _big_text(right)
        return [_matplotlib_figure(fig, "the perceptron's line learning AND; its weights on XOR, "
                                        "cycling update after update")]

    _figure(slide, ["matplotlib"], figure, broken)
    return slide


def least_squares(seed: int) -> tuple[Neuron, list[float]]:
    """Slide 2's fit: one linear unit, mse, full-batch gradient descent."""
    X, y = data.xor()
    linear = Neuron(2, nonlin=False, seed=seed)
    history = fit(linear, X, y, mse, epochs=500, lr=0.5)
    return linear, history


def _least_squares(seed: int, broken: set) -> Slide:
    X, y = data.xor()
    linear, history = least_squares(seed)
    outputs = [linear(x).data for x in X]
    table = Table("least-squares", ["x", "y", "f(x; θ)"],
                  [[f"{x[0]:g}, {x[1]:g}", t, f] for x, t, f in zip(X, y, outputs)])
    w1, w2 = (w.data for w in linear.w)
    slide = Slide(2, "A linear model on XOR", lines=[
        "f(x; θ) = w · x + b,   J(θ) = Σ (f(x_i; θ) − y_i)²  (here as a mean)",
    ], points=[
        f"gradient descent from seed {seed}, 500 steps: w = [{w1:.4f}, {w2:.4f}], "
        f"b = {linear.b.data:.4f}",
        "J is convex: one minimum, and it is f = 0.5 for every x",
        f"the loss stops at {history[-1]:.4f}: every point is off by one half",
    ], table=table, made_by="micrograd_scratch/nn.py Neuron(nonlin=False), losses.py mse, optim.py fit",
        alone="python examples/02_least_squares_xor.py")

    def figure() -> list[Figure]:
        from .plot import plot_training

        fig = plot_training(history, linear, X, y, style="slides", size=WIDE, resolution=40, dpi=DPI)
        regions = fig.axes[1]
        regions.get_legend().remove()  # red 0, blue 1, as on every map of the deck
        regions.set_title(regions.get_title().replace("decision boundary", "regions")
                          .replace(" training points", ""), fontsize=SLIDE_TEXT)
        return [_matplotlib_figure(fig, "the loss of least squares on XOR falling to 0.25, "
                                        "and the model's one region")]

    _figure(slide, ["matplotlib"], figure, broken)
    return slide


# The talk's hand-set network (Goodfellow et al. 6.1).
W1, B1 = [[1.0, 1.0], [1.0, 1.0]], [0.0, -1.0]
W2, B2 = [1.0, -2.0], 0.0


def handset_table() -> list[tuple[list[float], list[float], list[float], float]]:
    """For each XOR point: w(1)·x + b(1), f(1) = relu of it, f(2)."""
    rows = []
    for x in data.xor()[0]:
        pre = [dot(row, x, b) for row, b in zip(W1, B1)]
        hidden = [h.relu() for h in pre]
        rows.append((x, [p.data for p in pre], [h.data for h in hidden], dot(W2, hidden, B2).data))
    return rows


def _handset(seed: int, broken: set) -> Slide:
    X, y = data.xor()
    rows = handset_table()
    table = Table("handset", ["x", "w(1)·x + b(1)", "f(1)", "f(2)"],
                  [[f"{x[0]:g}, {x[1]:g}", pre, hidden, out] for x, pre, hidden, out in rows])
    slide = Slide(3, "A hand-set ReLU network computes XOR", lines=[
        "f(1) = max{0, w(1) · x + b(1)},   f(2) = w(2) · f(1) + b(2)",
        "w(1) = [[1, 1], [1, 1]],  b(1) = [0, −1],  w(2) = [1, −2],  b(2) = 0",
    ], points=[
        "the hidden layer sends (0, 1) and (1, 0) to the same point, (1, 0): "
        "there, a line splits the classes",
    ], table=table, made_by="micrograd_scratch/ops.py dot, engine.py Value.relu; "
        "drawing/network.py draw_network", alone="python examples/03_handset_relu_xor.py")

    def figure() -> list[Figure]:
        from .drawing import draw_network

        model = MLP(2, [2, 1])
        for p, v in zip(model.parameters(), [*W1[0], B1[0], *W1[1], B1[1], *W2, B2]):
            p.data = v  # neuron by neuron, weights then bias
        fig = draw_network(model, X, y, loss=mse, loss_name="mse", style="slides", size=WIDE, dpi=DPI,
                           resolution=25, classify=lambda out: int(out.data > 0.5))
        return [_matplotlib_figure(fig, "the hand-set network: each neuron a map of what it computes")]

    _figure(slide, ["matplotlib"], figure, broken)
    return slide


def _collapse(seed: int, broken: set) -> Slide:
    X, y = data.xor()
    model = MLP(2, [2, 1], activation="linear", seed=seed)
    fit(model, X, y, mse, epochs=1000, lr=0.2)
    hidden, (out,) = model.layers[0].neurons, model.layers[1].neurons
    # The one layer it equals, read from the network by the engine: a
    # linear f has the same gradient everywhere, its w, and f(0) = b.
    xs = [Value(0.0), Value(0.0)]
    f0 = model(xs)
    w = grad(f0, xs)
    b = f0.data
    table = Table("collapse", ["", "w", "b"], [
        *[[f"layer 1, unit {i + 1}", [p.data for p in n.w], n.b.data] for i, n in enumerate(hidden)],
        ["layer 2", [p.data for p in out.w], out.b.data],
        ["one layer", w, b],
    ])
    one = [dot(w, x, b).data for x in X]
    net = [model(x).data for x in X]
    slide = Slide(4, "Why non-linearities: linear layers collapse", lines=[
        "f(2)(f(1)(x)) = w(2) · (W(1) x + b(1)) + b(2) = (w(2) W(1)) · x + (w(2) · b(1) + b(2))",
    ], points=[
        f"a 2-2-1 network without ReLU, trained on XOR from seed {seed}; the engine reads "
        "its one layer off it: w = ∂f/∂x, b = f(0)",
        "network: " + ", ".join(f"{v:.3f}" for v in net) + ";  one layer: "
        + ", ".join(f"{v:.3f}" for v in one),
        "the same function, so back at least squares' 0.5: depth needs a non-linearity",
    ], table=table, made_by="micrograd_scratch/nn.py MLP(activation=\"linear\"), optim.py fit, "
        "engine.py grad", alone="micrograd-scratch talk --slides 4 --export DIR")
    return slide


RATES = {"too small": 0.02, "right": 0.3, "too large": 1.05}  # for f(x) = (x - 3)^2


def descend(lr: float, x0: float = 0.0, steps: int = 10) -> list[float]:
    """x after each step of gradient descent on f(x) = (x - 3)^2, from x0."""
    x = Value(x0)
    opt = SGD([x], lr=lr)
    path = [x.data]
    for _ in range(steps):
        loss = (x - 3) ** 2
        opt.zero_grad()
        loss.backward()
        opt.step()  # x' = x - lr * f'(x)
        path.append(x.data)
    return path


def _descent(seed: int, broken: set) -> Slide:
    paths = {name: descend(lr) for name, lr in RATES.items()}
    table = Table("descent", ["ε", "x after 10 steps", "f(x)"],
                  [[RATES[name], p[-1], (p[-1] - 3) ** 2] for name, p in paths.items()])
    slide = Slide(5, "Gradient descent (Cauchy 1847)", lines=[
        "x' = x − ε ∇f(x)      (ε: the learning rate)",
        "on f(x) = (x − 3)², from x = 0, ten steps each:",
    ], points=[
        f"ε = {RATES['too small']}: too small, still far after ten steps",
        f"ε = {RATES['right']}: right, close to 3 in a few steps",
        f"ε = {RATES['too large']}: too large, each step overshoots further",
    ], table=table, made_by="micrograd_scratch/optim.py SGD.step, engine.py Value.backward",
        alone="micrograd-scratch talk --slides 5 --export DIR")

    def figure() -> list[Figure]:
        fig, axes = _axes(3, WIDE)
        for ax, (name, path) in zip(axes, paths.items()):
            lo, hi = min(min(path), 0.0) - 0.5, max(max(path), 6.0) + 0.5
            grid = [lo + (hi - lo) * i / 100 for i in range(101)]
            ax.plot(grid, [(g - 3) ** 2 for g in grid], color="#737373")
            ax.plot(path, [(p - 3) ** 2 for p in path], "o-", color="#cb181d", markersize=6)
            ax.set_title(f"ε = {RATES[name]}: {name}")
            ax.set_xlabel("x")
            _big_text(ax)
        return [_matplotlib_figure(fig, "gradient descent on (x - 3)^2 with three learning rates")]

    _figure(slide, ["matplotlib"], figure, broken)
    return slide


def batch_runs(seed: int, epochs: int = 20, batch: int = 10) -> dict:
    """Slide 6's runs (examples/05_batch_vs_minibatch.py's): the same
    network and data trained full-batch and in minibatches, epochs passes each."""
    from .losses import bce_with_logits

    X, y = data.noisy_xor(n=200, noise=0.25, seed=seed)
    full = MLP(2, [8, 8, 1], seed=seed)
    full_history = fit(full, X, y, bce_with_logits, epochs=epochs,
                       schedule=LinearDecay(0.5, 0.05, epochs))
    mini = MLP(2, [8, 8, 1], seed=seed)
    steps = epochs * math.ceil(len(X) / batch)
    mini_history = fit(mini, X, y, bce_with_logits, epochs=epochs, batch_size=batch, seed=seed,
                       schedule=LinearDecay(0.5, 0.005, steps))

    def accuracy(model) -> float:
        return sum((model(x).data > 0) == (t == 1) for x, t in zip(X, y)) / len(y)

    return {"points": len(X), "batch": batch, "epochs": epochs, "steps": steps,
            "full": (full_history, accuracy(full)), "mini": (mini_history, accuracy(mini))}


def _batches(seed: int, broken: set) -> Slide:
    runs = batch_runs(seed)
    n, b, epochs = runs["points"], runs["batch"], runs["epochs"]
    (full, full_acc), (mini, mini_acc) = runs["full"], runs["mini"]
    table = Table("batches", ["", "full batch", f"minibatch of {b}"], [
        ["points a step looks at", n, b],
        [f"steps in {epochs} passes", epochs, runs["steps"]],
        ["last loss", full[-1], mini[-1]],
        ["training accuracy", f"{100 * full_acc:.1f}%", f"{100 * mini_acc:.1f}%"],
    ])
    slide = Slide(6, "Batch and minibatch SGD", lines=[
        "batch: θ' = θ − ε ∇θ J(θ), J = 1/|X| Σ_{x∈X} L(x, y, θ): a step costs O(|X|)",
        "minibatch: g = 1/|B| ∇θ Σ_{x∈B} L(x, y; θ), θ' = θ − ε g: a step costs O(|B|)",
    ], points=[
        f"noisy XOR, {n} points, seed {seed}; the same work (each point seen {epochs} times), "
        f"{runs['steps'] // epochs}× the steps: minibatch gets further",
    ], table=table, made_by="micrograd_scratch/optim.py fit(batch_size=...), batch_order, LinearDecay",
        alone="python examples/05_batch_vs_minibatch.py")

    def figure() -> list[Figure]:
        from .plot import _loss_axes

        fig, (left, right) = _axes(2, WIDE)
        _loss_axes(left, full, SLIDE_TEXT)
        left.set_title(f"full batch: {epochs} steps of {n} points", fontsize=SLIDE_TEXT)
        _loss_axes(right, mini, SLIDE_TEXT)
        right.set_title(f"minibatch: {runs['steps']} steps of {b}", fontsize=SLIDE_TEXT)
        for ax in (left, right):
            ax.set_xlabel("pass over the data")
            _big_text(ax)
        return [_matplotlib_figure(fig, "the loss of full-batch and minibatch SGD, pass by pass")]

    _figure(slide, ["matplotlib"], figure, broken)
    return slide


NEURON = "sigmoid(w*x + b)"  # the talk's o(plus(b, Matmul(x, w))), for one input


def neuron_values(seed: int) -> dict[str, float]:
    """Slides 7 and 9's numbers: w and b of a seeded Neuron, to 2 decimals
    (so that the command on the slide can set them), and the input x = 1.5."""
    n = Neuron(1, seed=seed)
    return {"w": round(n.w[0].data, 2), "x": 1.5, "b": round(n.b.data, 2)}


def _neuron_command(values: dict, extra: str) -> str:
    sets = " ".join(f"{k}={v:g}" for k, v in values.items())
    return f'micrograd-scratch draw "{NEURON}" --set {sets} --params w,b {extra}'


def _graph(seed: int, broken: set) -> Slide:
    values = neuron_values(seed)
    root, inputs = parse_expression(NEURON, values)
    root.backward()
    slide = Slide(7, "Computational graphs and forward propagation", lines=[
        "h = σ(plus(b, Matmul(x, w))),  σ(x) = 1 / (1 + e^−x)",
    ], points=[
        "operations (σ, +, ·): ellipses, each with its local rule",
        "variables (w, b), things to be updated: orange, the parameters",
        "placeholders (x): blue, the data fed in",
        f"forward: σ({values['w']:g} · {values['x']:g} + {values['b']:g}) = {root.data:.4f}",
    ], made_by="micrograd_scratch/expr.py parse_expression, drawing/graph.py draw",
        alone=_neuron_command(values, "--backward -o graph.svg"))

    def figure() -> list[Figure]:
        from .drawing import draw

        graph = draw(root, params=[inputs["w"], inputs["b"]], style="slides", size=BOX)
        return [_graphviz_figure(graph, f"the graph of {NEURON}: operations, variables, placeholders")]

    _figure(slide, ["Graphviz"], figure, broken)
    return slide


def jacobian(seed: int) -> dict:
    """Slide 8's vector chain rule: y = W x with a seeded 2 x 2 W,
    z = y1² + y2²; the Jacobian ∂y/∂x read from the scalar graph, one
    row per y_i, by grad()."""
    rng = random.Random(seed)
    W = [[float(rng.choice([-3, -2, -1, 1, 2, 3])) for _ in range(2)] for _ in range(2)]
    xs = [Value(0.5, label="x1"), Value(-2.0, label="x2")]
    ys = [dot(row, xs) for row in W]
    z = total([yi ** 2 for yi in ys])
    J = [grad(yi, xs) for yi in ys]
    grad_y = grad(z, ys)
    chained = [sum(J[i][j] * grad_y[i] for i in range(2)) for j in range(2)]  # (∂y/∂x)ᵀ ∇y z
    z.backward()
    return {"W": W, "J": J, "grad_y": grad_y, "chained": chained, "backward": [x.grad for x in xs]}


def _chain_rule(seed: int, broken: set) -> Slide:
    x = Value(0.7, label="x")
    y = x ** 2
    z = y.tanh()
    (dz_dy,), (dy_dx,) = grad(z, [y]), grad(y, [x])
    z.backward()
    v = jacobian(seed)
    J = v["J"]
    table = Table("jacobian", ["i", "∂y_i/∂x", "∂z/∂y_i", "(Jᵀ ∇y z)_i", "x_i.grad"], [
        [i + 1, J[i], v["grad_y"][i], v["chained"][i], v["backward"][i]] for i in range(2)
    ])
    slide = Slide(8, "The chain rule", lines=[
        "z = f(g(x)): dz/dx = dz/dy · dy/dx",
        "vectors: ∇x z = Jᵀ ∇y z, J = ∂y/∂x",
    ], points=[
        f"z = tanh(x²), x = 0.7: {dz_dy:.4f} × {dy_dx:.4f} = {dz_dy * dy_dx:.4f}, "
        f"as backward() gives",
        f"y = W x, W = {[[int(w) for w in row] for row in v['W']]}, x = [0.5, −2], z = y1² + y2²; "
        "J's rows: grad(y_i, x)",
    ], table=table, made_by="micrograd_scratch/engine.py grad, Value.backward; ops.py dot, total",
        alone='micrograd-scratch draw "tanh(x**2)" --set x=0.7 --backward -o chain.svg')

    def figure() -> list[Figure]:
        from .drawing import draw

        graph = draw(z, style="slides", size=(WIDE[0], WIDE[1] * 0.8))
        figure = _graphviz_figure(graph, "x → g → y → f → z: the scalar chain, with its gradients")
        figure.wide = True
        return [figure]

    _figure(slide, ["Graphviz"], figure, broken)
    return slide


def _backprop(seed: int, broken: set) -> Slide:
    values = neuron_values(seed)
    root, inputs = parse_expression(NEURON, values)
    root.backward()
    grads = {name: v.grad for name, v in inputs.items()}
    slide = Slide(9, "Back-propagation (Rumelhart et al. 1986)", lines=[
        "d out/d out = 1; then, in reverse topological order, each node passes "
        "upstream × local to its inputs",
    ], points=[
        f"{NEURON} at w = {values['w']:g}, x = {values['x']:g}, b = {values['b']:g}: "
        + ", ".join(f"∂out/∂{k} = {g:.4f}" for k, g in grads.items()),
        "one chain-rule step a frame (a PDF shows the last)",
    ], made_by="micrograd_scratch/drawing/animate.py animate_backward (engine.py chain_rule)",
        alone=_neuron_command(values, "--backward --animate backprop.gif"))

    def figure() -> list[Figure]:
        from .drawing import animate_backward

        film = animate_backward(root, params=[inputs["w"], inputs["b"]], size=WIDE, dpi=DPI)
        with tempfile.TemporaryDirectory() as folder:  # Animation.save writes GIFs: read it back
            gif = film.save(os.path.join(folder, "backprop.gif")).read_bytes()
        # The page shows the film, the PDF (which cannot animate) its last frame.
        return [Figure({"gif": gif, "png": film.frames[-1]}, "the backward pass, one chain-rule "
                       "step a frame", wide=True)]

    _figure(slide, ["Graphviz", "Pillow"], figure, broken)
    return slide


def mlp_runs(seed: int) -> dict:
    """Slide 10's runs, with the `xor` and `train --dataset moons` commands'
    settings (SETTINGS): the model, data, history and classify of each."""
    runs = {}
    for name, s in SETTINGS.items():
        X, y = data.DATASETS[name]()
        model = MLP(2, s["hidden"] + [1], seed=seed)
        steps = s["epochs"] * (1 if s["batch_size"] is None else math.ceil(len(X) / s["batch_size"]))
        schedule = None if s["lr_end"] is None else LinearDecay(s["lr"], s["lr_end"], steps)
        history = fit(model, X, y, s["loss"], epochs=s["epochs"], lr=s["lr"], batch_size=s["batch_size"],
                      schedule=schedule, seed=seed)
        threshold = 0.5 if s["loss"] == "mse" else 0.0  # least squares' midpoint; a margin's sign
        classify = (lambda t: lambda out: int(out.data > t))(threshold)
        right = sum(classify(model(x)) == t for x, t in zip(X, y))
        runs[name] = dict(model=model, X=X, y=y, history=history, classify=classify, right=right)
    return runs


def _mlp(seed: int, broken: set) -> Slide:
    runs = mlp_runs(seed)
    table = Table("mlp", ["", "network", "loss", "epochs", "last loss", "right"], [
        [name, "-".join(map(str, [2, *SETTINGS[name]["hidden"], 1])), SETTINGS[name]["loss"],
         SETTINGS[name]["epochs"], r["history"][-1], f"{r['right']}/{len(r['y'])}"]
        for name, r in runs.items()
    ])
    slide = Slide(10, "An MLP learns XOR and two moons", lines=[
        "ReLU hidden layers, trained by gradient descent on the loss, from random weights "
        f"(seed {seed})",
    ], table=table, made_by="micrograd_scratch/nn.py MLP, optim.py fit; plot.py, plot_training's "
        "two plots (_loss_axes, _boundary_axes)",
        alone=f"micrograd-scratch xor --seed {seed} --plot xor.png; "
        f"micrograd-scratch train --dataset moons --seed {seed} --plot moons.png")

    def figure() -> list[Figure]:
        from .plot import _boundary_axes, _loss_axes

        fig, axes = _axes(4, WIDE)
        for (name, r), (loss_ax, map_ax) in zip(runs.items(), (axes[:2], axes[2:])):
            _loss_axes(loss_ax, r["history"], SLIDE_TEXT)
            loss_ax.set_title(f"{name}: loss", fontsize=SLIDE_TEXT)
            _boundary_axes(map_ax, r["model"], r["X"], r["y"], r["classify"], 40, SLIDE_TEXT,
                           title=name + ": {right}/{n}")
            map_ax.get_legend().remove()  # red 0, blue 1, as on every map of the deck
            map_ax.set_xlabel("")
            map_ax.set_ylabel("")
        return [_matplotlib_figure(fig, "an MLP on XOR and on two moons: loss and decision boundary")]

    _figure(slide, ["matplotlib"], figure, broken)
    return slide


def _closing(seed: int, broken: set) -> Slide:
    return Slide(11, "Now read the code, and write it", points=[
        "README.md: install, the tour of the code in reading order, the command line",
        "docs/tutorial.md: this talk, section by section, next to the functions that run it",
        "micrograd-scratch learn start: the talk as ten exercises you write, checked",
        "micrograd-scratch explore: the live explorer; explore --export site/ puts it on a course page",
        "this deck: micrograd-scratch talk --export talk/ --pdf talk.pdf",
    ], made_by="micrograd_scratch/talk.py", alone="micrograd-scratch talk --export talk/")


MAKERS = [_title, _perceptron, _least_squares, _handset, _collapse, _descent, _batches, _graph,
          _chain_rule, _backprop, _mlp, _closing]


def build(seed: int = 0, numbers: Sequence[int] | None = None) -> list[Slide]:
    """The talk's slides `numbers` (default all, 0 to 11), in that order,
    each computed now from runs seeded with `seed`."""
    broken: set = set()  # dependencies found missing while drawing (a failing dot)
    return [MAKERS[n](seed, broken) for n in (TALK_SLIDES if numbers is None else numbers)]


# ---- choosing slides, and a teacher's own ---------------------------------------------


def parse_slides(text: str) -> list[int]:
    """--slides: numbers and ranges in the order wanted, '1-4,7,9'."""
    chosen = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not match:
            raise DeckError(f"{part.strip()!r} is not a slide number or a range like 1-4")
        first, last = int(match[1]), int(match[2] or match[1])
        if first > last:
            raise DeckError(f"{part.strip()!r}: a range goes up, as in {last}-{first}")
        for n in range(first, last + 1):
            if n not in TALK_SLIDES:
                raise DeckError(f"there is no slide {n}: the talk's slides are "
                                f"{TALK_SLIDES[0]} to {TALK_SLIDES[-1]}")
            if n in chosen:
                raise DeckError(f"slide {n} is named twice")
            chosen.append(n)
    return chosen


@dataclass
class TeacherSlide:
    after: int  # the talk's slide it follows
    slide: Slide


def teacher_slides(text: str, name: str = "notes.md") -> list[TeacherSlide]:
    """A teacher's slides, from Markdown. Each begins with a header naming
    the talk's slide it follows, then a `# title`, then lines of text and
    `- ` points; `code` in backquotes stays as typed:

        ---
        after: 2
        ---
        # Why 0.5?
        The mean of the four labels.
        - try `micrograd-scratch xor --activation linear`
    """
    lines = text.splitlines()
    slides, i = [], 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        if lines[i].strip() != "---":
            raise DeckError(f"{name}, line {i + 1}: a slide begins with a line '---', then "
                            f"'after: N' and '---'; found {lines[i].strip()[:40]!r}")
        header = re.fullmatch(r"\s*after:\s*(\d+)\s*", lines[i + 1]) if i + 1 < len(lines) else None
        if not header or i + 2 >= len(lines) or lines[i + 2].strip() != "---":
            raise DeckError(f"{name}, line {i + 2}: after '---' comes 'after: N' (the talk's slide "
                            f"this one follows, {TALK_SLIDES[0]} to {TALK_SLIDES[-1]}), then '---'")
        after = int(header[1])
        if after not in TALK_SLIDES:
            raise DeckError(f"{name}, line {i + 2}: after: {after}, but the talk's slides are "
                            f"{TALK_SLIDES[0]} to {TALK_SLIDES[-1]}")
        start, i = i + 3, i + 3
        while i < len(lines) and lines[i].strip() != "---":
            i += 1
        slide = Slide(None, "", made_by=f"{name}, line {start + 1}")
        for line in lines[start:i]:
            line = line.strip()
            if line.startswith("# ") and not slide.title:
                slide.title = line[2:].strip()
            elif line.startswith(("- ", "* ")):
                slide.points.append(line[2:].strip())
            elif line:
                slide.lines.append(line)
        if not slide.title:
            raise DeckError(f"{name}, line {start + 1}: the slide has no '# title' line")
        slides.append(TeacherSlide(after, slide))
    if not slides:
        raise DeckError(f"{name} holds no slide: begin one with '---', 'after: N', '---'")
    return slides


def select(numbers: Sequence[int], added: Sequence[TeacherSlide]) -> list[int | TeacherSlide]:
    """The deck's order: the talk's `numbers`, each followed by the
    teacher's slides that name it (in the order given)."""
    for t in added:
        if t.after not in numbers:
            raise DeckError(f"{t.slide.made_by}: after: {t.after}, but slide {t.after} is not "
                            "in --slides")
    order: list[int | TeacherSlide] = []
    for n in numbers:
        order.append(n)
        order.extend(t for t in added if t.after == n)
    return order


def deck(seed: int = 0, order: Sequence[int | TeacherSlide] | None = None) -> list[Slide]:
    """The slides in `order` (select's: the talk's numbers and a teacher's
    slides; default the whole talk), the talk's computed now from `seed`."""
    order = list(TALK_SLIDES) if order is None else order
    made = iter(build(seed, [n for n in order if isinstance(n, int)]))
    return [next(made) if isinstance(n, int) else n.slide for n in order]


# ---- the text of a cell, the same on the page and in the PDF ---------------------------


def cell_text(value) -> str:
    """A table cell as shown: a number to 4 significant digits (with a
    true minus sign), a list of them in parentheses."""
    if isinstance(value, list):
        return "(" + ", ".join(cell_text(v) for v in value) + ")"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    shown = f"{value:.4g}" if isinstance(value, float) else str(value)
    if shown in ("-0", "0"):
        shown = "0"
    return shown.replace("-", "−")


# ---- the page ---------------------------------------------------------------------
# One file, index.html: the figures are in it as data: URLs, so the page
# makes no request at all (its Content-Security-Policy says so to the
# browser), works from any static server, a course page or a USB stick,
# and is written whole or not at all.

PAGE_NAME = "index.html"
MIME = {"svg": "image/svg+xml", "gif": "image/gif", "png": "image/png"}

PAGE_STYLE = """
:root { --w: min(100vw, 177.78vh); }
html, body { margin: 0; height: 100%; background: #1f1f1f; overflow: hidden;
  font-family: Helvetica, Arial, sans-serif; color: #1a1a1a; }
.slide { display: none; position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%);
  width: var(--w); height: calc(var(--w) * 9 / 16); box-sizing: border-box; background: #fff;
  padding: 2% 3% 1.5%; font-size: calc(var(--w) * 0.02); line-height: 1.25;
  grid-template-rows: auto minmax(0, 1fr) auto; }
.slide.current { display: grid; }
h1 { font-size: 1.55em; margin: 0 0 0.4em; color: #08306b; }
.body { display: grid; grid-template-columns: 44% 54%; gap: 2%; min-height: 0; }
.body.wide { grid-template-columns: 1fr; grid-template-rows: auto minmax(0, 1fr); }
.body.wide .text { display: grid; grid-template-columns: 1fr auto; gap: 3%; align-items: start; }
.body.bare { grid-template-columns: 1fr; }
.line { margin: 0 0 0.35em; font-family: Georgia, serif; }
ul { margin: 0.3em 0; padding-left: 1.1em; } li { margin: 0 0 0.25em; }
table { border-collapse: collapse; margin-top: 0.3em; font-size: 0.94em; }
th, td { padding: 0.05em 0.45em; border-bottom: 1px solid #d9d9d9; text-align: right; white-space: nowrap; }
th { color: #525252; font-weight: normal; }
.figures { display: flex; flex-direction: column; gap: 2%; justify-content: center; align-items: center;
  min-height: 0; }
.figures img { flex: 1 1 0; width: 100%; min-height: 0; object-fit: contain; }
.missing { align-self: center; color: #8c2d04; }
.caption { font-size: 0.94em; color: #525252; border-top: 1px solid #d9d9d9; padding-top: 0.2em; }
code { font-family: Menlo, Consolas, monospace; font-size: 0.95em; }
.number { position: absolute; right: 1.5%; top: 1.5%; font-size: 0.94em; color: #737373; }
.title h1 { font-size: 2.6em; margin-top: 12%; }
"""

PAGE_SCRIPT = """
const slides = Array.from(document.querySelectorAll('.slide'));
let current = 1;
function show(n) {
  current = Math.max(1, Math.min(slides.length, n));
  slides.forEach((s, k) => s.classList.toggle('current', k === current - 1));
  if (location.hash !== '#' + current) history.replaceState(null, '', '#' + current);
}
function fromHash() {
  const n = parseInt(location.hash.slice(1), 10);
  show(Number.isFinite(n) ? n : 1);
}
const NEXT = ['ArrowRight', 'ArrowDown', 'PageDown', ' '], BACK = ['ArrowLeft', 'ArrowUp', 'PageUp'];
addEventListener('keydown', e => {
  if (NEXT.includes(e.key)) show(current + 1);
  else if (BACK.includes(e.key)) show(current - 1);
  else if (e.key === 'Home') show(1);
  else if (e.key === 'End') show(slides.length);
  else return;
  e.preventDefault();
});
// A click on the left third goes back, anywhere else on to the next slide.
addEventListener('click', e => {
  if (getSelection().toString()) return;  // selecting a command to copy it
  show(e.clientX < innerWidth / 3 ? current - 1 : current + 1);
});
addEventListener('hashchange', fromHash);
fromHash();
"""


def _inline(text: str) -> str:
    """A teacher's text as HTML: escaped, `code` in backquotes as code."""
    import html

    parts = re.split(r"`([^`]*)`", text)
    return "".join(f"<code>{html.escape(p)}</code>" if k % 2 else html.escape(p)
                   for k, p in enumerate(parts))


def _cell_html(value, header: bool = False) -> str:
    import html
    import json

    tag = "th" if header else "td"
    numeric = isinstance(value, list) or (isinstance(value, (int, float)) and not isinstance(value, bool))
    exact = f' data-value="{html.escape(json.dumps(value))}"' if numeric else ""
    return f"<{tag}{exact}>{html.escape(cell_text(value))}</{tag}>"


def _slide_html(slide: Slide, k: int, count: int) -> str:
    import base64
    import html

    words = [f'<div class="line">{_inline(line)}</div>' for line in slide.lines]
    if slide.points:
        words.append("<ul>" + "".join(f"<li>{_inline(p)}</li>" for p in slide.points) + "</ul>")
    text = [f'<div class="words">{"".join(words)}</div>']
    if slide.table:
        t = slide.table
        head = "<tr>" + "".join(_cell_html(h, True) for h in t.header) + "</tr>"
        rows = "".join("<tr>" + "".join(_cell_html(c) for c in row) + "</tr>" for row in t.rows)
        text.append(f'<table data-table="{t.name}">{head}{rows}</table>')
    pictures = []
    for f in slide.figures:
        format = next(fmt for fmt in ("svg", "gif", "png") if fmt in f.files)
        url = f"data:{MIME[format]};base64," + base64.b64encode(f.files[format]).decode("ascii")
        pictures.append(f'<img src="{url}" alt="{html.escape(f.alt)}">')
    if slide.missing:
        note = f"(figure not drawn: {', '.join(slide.missing)} is missing)"
        pictures.append(f'<div class="missing">{html.escape(note)}</div>')
    wide = any(f.wide for f in slide.figures)
    layout = "wide" if wide else ("" if pictures else "bare")
    caption = ""
    if slide.made_by:
        caption = (f"made by {html.escape(slide.made_by)}"
                   + (f"; alone: <code>{html.escape(slide.alone)}</code>" if slide.alone else ""))
    kind = ' title' if slide.number == 0 else ""
    talk = f' data-talk="{slide.number}"' if slide.number is not None else ' data-talk="teacher"'
    return (f'<section class="slide{kind}" id="slide-{k}"{talk}>'
            f'<h1>{_inline(slide.title)}</h1>'
            f'<div class="body {layout}"><div class="text">{"".join(text)}</div>'
            + (f'<div class="figures">{"".join(pictures)}</div>' if pictures else "")
            + f'</div><div class="caption">{caption}</div>'
            f'<div class="number">{k} / {count}</div></section>')


def page(slides: Sequence[Slide]) -> str:
    """The deck as one HTML page: arrow keys and clicks move, #N in the URL is slide N."""
    body = "\n".join(_slide_html(s, k, len(slides)) for k, s in enumerate(slides, 1))
    policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>Deep Learning from scratch with python</title>"
            f"<style>{PAGE_STYLE}</style></head><body>\n{body}\n<script>{PAGE_SCRIPT}</script>"
            "</body></html>\n")


def write_html(slides: Sequence[Slide], folder: str | os.PathLike) -> str:
    """Write the deck as `folder`/index.html (the folder made if new),
    whole or not at all; return the file's path."""
    from .files import write_atomically

    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, PAGE_NAME)
    text = page(slides)
    write_atomically(path, lambda f: f.write(text), text=True)
    return path


# ---- the PDF -------------------------------------------------------------------
# A 16:9 page a slide, 13.33 x 7.5 inches (styles.SLIDE), laid out as the
# page lays out the HTML slide; every text SLIDE_TEXT (18 pt) or more.

TITLE_PT, LINE_PT = 30, 20
MARGIN = 0.45  # inches
FAMILY = {"sans": "sans-serif", "serif": "serif"}


def _width(text: str, pt: float, family: str = "sans", bold: bool = False) -> float:
    """The width of `text` in inches, as matplotlib will draw it."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(family=FAMILY[family], size=pt, weight="bold" if bold else "normal")
    return TextToPath().get_text_width_height_descent(text, font, ismath=False)[0] / 72


def _wrap(text: str, width_in: float, pt: float, family: str = "sans", bold: bool = False) -> list[str]:
    """`text` in lines no wider than `width_in` inches, broken between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and _width(lines[-1] + " " + word, pt, family, bold) <= width_in:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _pdf_text(fig, slide: Slide, left: float, top: float, width: float, beside: bool = False) -> float:
    """The slide's lines and points from `left`, `top` (inches from the
    page's top-left), `width` inches wide, and its table under them, or
    with `beside` right of them, flush with the right margin; returns
    the height where they end."""
    W, H = fig.get_size_inches()

    def put(x: float, y: float, text: str, pt: float, ha: str = "left", **style) -> None:
        fig.text(x / W, 1 - y / H, text, fontsize=pt, va="top", ha=ha, **style)

    end = top
    if slide.table:
        t = slide.table
        rows = [t.header] + [[cell_text(c) for c in row] for row in t.rows]
        gap = 0.25
        widths = [max(_width(str(r[j]), SLIDE_TEXT) for r in rows) + gap for j in range(len(t.header))]
        if beside:
            x0, y = W - MARGIN - sum(widths) + gap, top
            width = x0 - left - 0.3
        else:
            x0, y = left, None  # under the words, placed below
    y_words = top
    for line in slide.lines:
        for part in _wrap(line, width, LINE_PT, "serif"):
            put(left, y_words, part, LINE_PT, family="serif")
            y_words += LINE_PT * 1.3 / 72
        y_words += 0.08
    for point in slide.points:
        for k, part in enumerate(_wrap(point, width - 0.3, SLIDE_TEXT)):
            put(left + 0.3, y_words, part, SLIDE_TEXT)
            if k == 0:
                put(left + 0.05, y_words, "•", SLIDE_TEXT)
            y_words += SLIDE_TEXT * 1.3 / 72
        y_words += 0.06
    end = y_words
    if slide.table:
        y = y if beside else y_words + 0.1
        for r, row in enumerate(rows):
            x = x0
            for j, cell in enumerate(row):
                x += widths[j]
                put(x - gap, y, str(cell), SLIDE_TEXT, ha="right", color="#525252" if r == 0 else "#1a1a1a")
            y += SLIDE_TEXT * 1.35 / 72
        end = max(end, y)
    return end


def _pdf_page(fig, slide: Slide, k: int, count: int) -> None:
    """One slide on a SLIDE-sized figure: the title, the text on the left
    (or above, for a wide figure), the figures, the caption at the foot."""
    import matplotlib.image

    W, H = fig.get_size_inches()
    title_pt = TITLE_PT if slide.number else 40
    title = _wrap(slide.title, W - 2 * MARGIN - 1.2, title_pt, bold=True)
    fig.text(MARGIN / W, 1 - MARGIN / H, "\n".join(title), fontsize=title_pt,
             va="top", ha="left", color="#08306b", weight="bold")
    fig.text(1 - MARGIN / W, 1 - MARGIN / H, f"{k} / {count}", fontsize=SLIDE_TEXT,
             va="top", ha="right", color="#737373")
    caption = ""
    if slide.made_by:
        caption = f"made by {slide.made_by}" + (f"; alone: {slide.alone}" if slide.alone else "")
    foot = _wrap(caption, W - 2 * MARGIN, SLIDE_TEXT)[:3]
    foot_top = H - MARGIN - len(foot) * SLIDE_TEXT * 1.25 / 72
    fig.text(MARGIN / W, 1 - foot_top / H, "\n".join(foot), fontsize=SLIDE_TEXT, va="top", ha="left",
             color="#525252", linespacing=1.1)
    top = MARGIN + len(title) * title_pt * 1.25 / 72 + 0.25
    if slide.number == 0:
        top += 1.2
    wide = any(f.wide for f in slide.figures)
    pictures = [f for f in slide.figures if "png" in f.files]
    if wide and slide.table:  # as on the page: the words left, the table right, the figure under both
        end = _pdf_text(fig, slide, MARGIN, top, W - 2 * MARGIN, beside=True)
    elif wide:
        end = _pdf_text(fig, slide, MARGIN, top, W - 2 * MARGIN)
    else:
        text_width = W - 2 * MARGIN - (BOX[0] + 0.2 if pictures else 0)
        end = _pdf_text(fig, slide, MARGIN, top, text_width)
    if slide.missing:
        note = f"(figure not drawn: {', '.join(slide.missing)} is missing)"
        fig.text(0.72, 0.5, note, fontsize=SLIDE_TEXT, ha="center", color="#8c2d04")
    if not pictures:
        return
    # The figures' place: right of the text, or under it across the page.
    if wide:
        box = (MARGIN, end + 0.1, W - 2 * MARGIN, foot_top - end - 0.2)
    else:
        left = MARGIN + text_width + 0.2
        box = (left, top, W - MARGIN - left, foot_top - top - 0.1)
    x, y, w, h = box
    h = max(h, 1.5)  # (a slide whose words leave less is too wordy: its figure runs into the foot)
    each = h / len(pictures)  # one above the other, as on the page
    for i, f in enumerate(pictures):
        ax = fig.add_axes([x / W, 1 - (y + (i + 1) * each) / H, w / W, each / H])
        ax.imshow(matplotlib.image.imread(io.BytesIO(f.files["png"]), format="png"))
        ax.set_axis_off()


def write_pdf(slides: Sequence[Slide], path: str | os.PathLike) -> str:
    """Write the deck as a 16:9 PDF, one page a slide, whole or not at all."""
    from .files import write_atomically

    write_atomically(path, lambda f: _write_pdf_to(slides, f))
    return os.fspath(path)


def _write_pdf_to(slides: Sequence[Slide], file) -> None:
    """The PDF, into an open binary file."""
    from matplotlib.backends.backend_pdf import PdfPages

    from .drawing.styles import SLIDE, new_figure

    # No creation date: the same seed makes the same PDF, byte for byte.
    with PdfPages(file, metadata={"Title": "Deep Learning from scratch with python",
                                  "Creator": "micrograd-scratch talk", "CreationDate": None}) as pdf:
        for k, slide in enumerate(slides, 1):
            fig = new_figure(figsize=SLIDE)
            _pdf_page(fig, slide, k, len(slides))
            pdf.savefig(fig)
