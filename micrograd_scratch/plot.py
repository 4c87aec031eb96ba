"""Pictures of training: the loss curve and the decision boundary.

`plot_training(history, model, X, y)` draws the two plots of the talk's
notebook side by side: the loss of every epoch on a log scale (a loss that
falls from 0.7 to 0.001 is a straight-ish line, not a cliff and a floor),
and, for 2-D data, the regions where the trained model predicts each
class, the boundary between them as a smooth line, the training points on
top and the ones it gets wrong ringed. It returns the matplotlib Figure
(which shows itself in Jupyter), or with `path=` writes a .png (at `dpi`,
150 by default: sharp on a projector), .svg or .pdf. matplotlib is an
optional extra, imported only when a figure is drawn:
pip install -e ".[plot]" in a checkout (or pip install matplotlib).

`plot_snapshot(...)` draws the same two plots as one frame of a film of
training (drawing/animate.py's animate_training): the loss so far above,
the decision boundary below, on axes fixed for the whole run, so that
only the curve and the regions move from frame to frame.

Two terminal versions that need nothing but Python:

- `loss_sparkline(history)`: the loss curve in one line of text,
  `0.693 █▇▅▃▂▁▁ 0.00121`, one character per epoch (or per group of epochs),
  its height on the same log scale.
- `decision_map(model, X, y)`: a coarse character map of the decision
  regions (`.` where the model says 0, `#` where it says 1) with each
  training point printed as its label, so that a `0` standing in `#` is a
  point the model gets wrong.

How a model's output becomes a class: a list of outputs (one logit per
class) predicts the largest; a single output predicts 1 when it is above
0.5, the midpoint of the 0/1 labels (right for least squares). For logits
or margins pass `classify=lambda out: int(out.data > 0)`.

Sources: the talk's notebook (loss curve and decision boundary side by
side); Karpathy's micrograd demo (the decision-boundary plot of two moons).
"""

from __future__ import annotations

import math
import os
from typing import Callable, Sequence


__all__ = [
    "plot_training",
    "plot_snapshot",
    "loss_sparkline",
    "decision_map",
    "default_classify",
    "decision_threshold",
    "score",
    "INSTALL_HINT",
    "FORMATS",
]

INSTALL_HINT = 'pip install -e ".[plot]" (or pip install matplotlib)'

# The file types plot_training (and every matplotlib figure of ours) writes, by suffix.
FORMATS = (".png", ".svg", ".pdf")

# Sparkline levels, lowest first; ASCII_LEVELS for terminals without Unicode.
LEVELS = "▁▂▃▄▅▆▇█"
ASCII_LEVELS = "_.-=+*#@"

# Decision-map characters: a region of class k is REGIONS[k]; a cell with
# training points shows their label, or BOTH when labels differ in it.
REGIONS = ".#+~"
BOTH = "*"
UNDECIDED = -1  # a cell whose output is too close to the threshold to call
REGIONS_UNDECIDED = ":"

# Figure colours per class: points in full colour, their regions faded.
# Class 0 red and class 1 blue, as in the network picture and the explorer,
# whose signed colour map is red below 0 and blue above (a score above its
# threshold says class 1).
COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:purple", "tab:orange", "tab:brown")


# ---- checking the arguments ------------------------------------------------


def _history(history, where: str) -> list[float]:
    if isinstance(history, (str, bytes)) or not hasattr(history, "__len__"):
        raise TypeError(f"{where}: history must be a list of losses, got {type(history).__name__}")
    if len(history) == 0:
        raise ValueError(f"{where}: history is empty: train for at least one epoch first")
    values = []
    for epoch, loss in enumerate(history, start=1):
        if type(loss) is bool or not isinstance(loss, (int, float)):
            raise TypeError(f"{where}: the loss of epoch {epoch} is not a number: {loss!r}")
        if not math.isfinite(loss):
            raise ValueError(f"{where}: the loss of epoch {epoch} is {loss}: nothing to plot")
        values.append(float(loss))
    return values


def _data(X, y, where: str) -> tuple[list[list[float]], list[int]]:
    if X is None or y is None:
        raise ValueError(f"{where}: pass both the data X and the labels y")
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise ValueError(f"{where}: {len(X)} points in X but {len(y)} labels in y")
    if not X:
        raise ValueError(f"{where}: X is empty: no points to draw")
    for i, label in enumerate(y):
        if type(label) is bool or not isinstance(label, int) or label < 0:
            raise ValueError(f"{where}: label y[{i}] = {label!r}; labels are class numbers 0, 1, ...")
    return X, y


def _is_2d(X) -> bool:
    return all(len(x) == 2 for x in X)


# ---- the model's decisions ----------------------------------------------------


def default_classify(out) -> int:
    """The predicted class of one model output: the largest of several
    outputs, or 1 when a single output is above 0.5."""
    if isinstance(out, (list, tuple)):
        return max(range(len(out)), key=lambda k: _number(out[k]))
    return int(_number(out) > 0.5)


def _number(v) -> float:
    return v.data if hasattr(v, "data") else float(v)


def _bounds(X, pad: float = 0.1) -> tuple[float, float, float, float]:
    """The data's bounding box, widened by `pad` of its size on each side
    (the unit square padded when there is no data)."""
    if not X:
        return -0.5, 1.5, -0.5, 1.5
    xs = [x[0] for x in X]
    ys = [x[1] for x in X]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    dx = (x1 - x0) * pad or 1.0  # a single point or a line still gets a box
    dy = (y1 - y0) * pad or 1.0
    return x0 - dx, x1 + dx, y0 - dy, y1 + dy


def decision_threshold(scores: Sequence[float], classes: Sequence[int]) -> float | None:
    """The level of `scores` that separates class 0 from class 1, when one
    does (every class-0 score below every class-1 score), else None.

    A picture contours a smooth score at this level rather than the
    staircase edge between grid cells of different classes. The score of
    one output is its value (mse's cut is 0.5, a logit's 0); of two, their
    difference (see `score`)."""
    below = [s for s, c in zip(scores, classes) if c == 0]
    above = [s for s, c in zip(scores, classes) if c == 1]
    if not below or not above or len(below) + len(above) != len(classes):
        return None
    if not max(below) <= min(above):
        return None
    return (max(below) + min(above)) / 2


def score(out) -> float | None:
    """One number per output that grows toward class 1: a single output's
    value, or the second logit minus the first; None for more outputs."""
    if isinstance(out, (list, tuple)):
        return _number(out[1]) - _number(out[0]) if len(out) == 2 else None
    return _number(out)


def _grid_classes(model, classify, box, columns: int, rows: int,
                  undecided: Callable[[object], bool] | None = None) -> list[list[int]]:
    """The predicted class at the centre of each cell, top row first
    (UNDECIDED where `undecided` says the output is too close to call)."""
    x0, x1, y0, y1 = box

    def read(out) -> int:
        return UNDECIDED if undecided is not None and undecided(out) else classify(out)

    grid = []
    for r in range(rows):
        y = y1 - (r + 0.5) * (y1 - y0) / rows  # row 0 is the top
        grid.append([
            read(model([x0 + (c + 0.5) * (x1 - x0) / columns, y])) for c in range(columns)
        ])
    return grid


# ---- the terminal: a sparkline and a character map -------------------------------


def loss_sparkline(history: Sequence[float], width: int = 60, *, ascii: bool = False) -> str:
    """The loss curve in one line: first loss, a bar per epoch, last loss.

    With more epochs than `width`, each bar is the mean of a group of
    consecutive epochs. Heights are on a log scale (linear when some loss
    is 0 or negative). `ascii=True` uses ASCII characters only.
    """
    losses = _history(history, "loss_sparkline")
    if type(width) is not int or width < 1:
        raise ValueError(f"loss_sparkline: width must be a positive int, got {width!r}")
    log = all(v > 0 for v in losses)
    scaled = [math.log10(v) for v in losses] if log else losses
    # Group the epochs into at most `width` buckets of (nearly) equal size.
    n = len(scaled)
    buckets = min(width, n)
    means = []
    for b in range(buckets):
        group = scaled[b * n // buckets : (b + 1) * n // buckets]
        means.append(sum(group) / len(group))
    levels = ASCII_LEVELS if ascii else LEVELS
    low, high = min(means), max(means)
    top = len(levels) - 1
    if high == low:
        bars = levels[top // 2] * buckets  # a flat curve: a flat line
    else:
        bars = "".join(levels[round((m - low) / (high - low) * top)] for m in means)
    scale = "log scale" if log else "linear scale"
    return f"{losses[0]:.4g} {bars} {losses[-1]:.4g}  ({len(losses)} epochs, {scale})"


def decision_map(
    model: Callable,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    width: int = 48,
    height: int = 20,
    *,
    classify: Callable[[object], int] | None = None,
    undecided: Callable[[object], bool] | None = None,
) -> str:
    """A `width` x `height` character map of the model's decision regions
    over the 2-D data, with every training point printed as its label.

    Regions: `.` class 0, `#` class 1 (`+`, `~` for classes 2 and 3), and
    `:` where `undecided(output)` says the output is too close to the
    threshold to call (a stuck network that answers 0.50 everywhere shows
    no boundary, rather than one drawn by rounding). A cell holding points
    shows their label, or `*` when it holds points of different labels.
    The x1 axis runs left to right, x2 bottom to top.
    """
    X, y = _data(X, y, "decision_map")
    if not _is_2d(X):
        raise ValueError("decision_map: the points must have 2 coordinates (x1, x2) to be mapped")
    for name, n in (("width", width), ("height", height)):
        if type(n) is not int or n < 2:
            raise ValueError(f"decision_map: {name} must be an int of at least 2, got {n!r}")
    classify = classify or default_classify
    box = _bounds(X)
    x0, x1, y0, y1 = box
    classes = _grid_classes(model, classify, box, width, height, undecided)

    def region(k: int) -> str:
        return REGIONS_UNDECIDED if k == UNDECIDED else REGIONS[k] if k < len(REGIONS) else "?"

    cells = [[region(k) for k in row] for row in classes]

    # The points on top of the regions: each in the cell that contains it.
    labels_in: dict[tuple[int, int], set[int]] = {}
    for (px, py), label in zip(X, y):
        c = min(int((px - x0) / (x1 - x0) * width), width - 1)
        r = min(int((y1 - py) / (y1 - y0) * height), height - 1)
        labels_in.setdefault((r, c), set()).add(label)
    for (r, c), labels in labels_in.items():
        cells[r][c] = str(next(iter(labels)) % 10) if len(labels) == 1 else BOTH

    wrong = sum(classify(model(list(x))) != label for x, label in zip(X, y))
    lines = ["|" + "".join(row) + "|" for row in cells]
    border = "+" + "-" * width + "+"
    shown = sorted({k for row in classes for k in row} - {UNDECIDED})
    regions = [f"{k} on {region(k)}" for k in shown]
    if any(UNDECIDED in row for row in classes):
        regions.append(f"neither on {REGIONS_UNDECIDED} (an output too close to the threshold "
                       "to call)")
    regions = ", ".join(regions)
    mixed = any(len(labels) > 1 for labels in labels_in.values())
    legend = [
        f"x1 {x0:.3g}..{x1:.3g} across, x2 {y0:.3g}..{y1:.3g} up; the model predicts {regions}",
        "digits are training points, shown by their label"
        + (f" ({BOTH}: points of different labels in one cell)" if mixed else "")
        + f"; {wrong} of {len(y)} misclassified",
    ]
    return "\n".join([border, *lines, border, *legend])


# ---- the figure ---------------------------------------------------------------


def plot_training(
    history: Sequence[float],
    model: Callable | None = None,
    X: Sequence[Sequence[float]] | None = None,
    y: Sequence[int] | None = None,
    *,
    path: str | os.PathLike | None = None,
    classify: Callable[[object], int] | None = None,
    resolution: int = 100,
    title: str = "",
    dpi: int = 150,
    style: str = "default",
    size: tuple[float, float] | None = None,
):
    """The loss curve (log scale) and, given a model and 2-D data, its
    decision regions with the training points, side by side. Returns the
    matplotlib Figure, or with `path=` (.png, .svg or .pdf) writes it there
    and returns the path.

    The decision regions are the model's predicted class on a `resolution`
    x `resolution` grid over the data; `classify` turns one output into a
    class (see the module docstring for the default). Data that is not 2-D
    gets the loss curve alone. `dpi`: pixels per inch of a .png and of the
    picture Jupyter shows. `style="slides"`: a 16:9 slide, every text 18 pt
    or more; `size=(width, height)` in inches: the figure's size.
    """
    # drawing.styles, which makes and writes our matplotlib figures, imports
    # this module: imported here, when a figure is drawn, not at the top.
    from .drawing.graph import _box
    from .drawing.styles import SLIDE_TEXT, check_dpi, checked_path, new_figure, picture_style, save_figure

    look, box = picture_style(style), _box(size)
    # On a slide every text is SLIDE_TEXT points (matplotlib's own are 10 to 12).
    text = SLIDE_TEXT if look.canvas else None

    losses = _history(history, "plot_training")
    if path is not None:
        path = checked_path(path, FORMATS, "plot_training")
    if model is not None or X is not None or y is not None:
        if model is None:
            raise ValueError("plot_training: X and y are drawn with a model's decisions: pass model= too")
        X, y = _data(X, y, "plot_training")
    if type(resolution) is not int or resolution < 2:
        raise ValueError(f"plot_training: resolution must be an int of at least 2, got {resolution!r}")
    check_dpi(dpi, "plot_training")
    boundary = model is not None and _is_2d(X)

    natural = (11, 4.5) if boundary else (6, 4.5)
    fig = new_figure(figsize=box or look.canvas or natural, layout="constrained", dpi=dpi)
    if title:
        fig.suptitle(title, fontsize=text and text + 2)
    axes = fig.subplots(1, 2 if boundary else 1, squeeze=False)[0]
    _loss_axes(axes[0], losses, text)
    if boundary:
        _boundary_axes(axes[1], model, X, y, classify or default_classify, resolution, text)
    if path is None:
        return fig
    return save_figure(fig, path, dpi)  # through a temporary file: whole or not at all


def _loss_axes(ax, losses: list[float], text: float | None = None, *,
               epochs: int | None = None, limits: tuple[float, float] | None = None) -> None:
    """The loss curve. A frame of a film gives `epochs`, the run's length,
    and `limits`, its losses' range: the axes then stay put while the
    curve grows (and may be empty, before the first epoch)."""
    ax.plot(range(1, len(losses) + 1), losses, color="tab:blue", linewidth=1.5,
            marker="o" if len(losses) < 30 else None)
    if all(v > 0 for v in [*losses, *(limits or ())]):
        ax.set_yscale("log")
        ax.set_ylabel("loss (log scale)")
    else:  # a loss of exactly 0 has no logarithm
        ax.set_ylabel("loss")
    ax.set_xlabel("epoch")
    ax.xaxis.get_major_locator().set_params(integer=True)  # no epoch 2.5
    if epochs is not None:
        ax.set_xlim(0, max(epochs, 1))
    if limits is not None:
        ax.set_ylim(*limits)
    ax.set_title(f"training loss: {losses[0]:.4g} -> {losses[-1]:.4g}" if losses
                 else "training loss: before the first epoch")
    ax.grid(True, which="both", alpha=0.3)
    _text_size(ax, text)


def _text_size(ax, text: float | None) -> None:
    """Every text of an axes at `text` points (None: matplotlib's own)."""
    if text is None:
        return
    for label in (ax.title, ax.xaxis.label, ax.yaxis.label):
        label.set_fontsize(text)
    ax.tick_params(which="both", labelsize=text)


def _boundary_axes(ax, model, X, y, classify, resolution: int, text: float | None = None, *,
                   title: str = "decision boundary: {right}/{n} training points right",
                   legend_below: float = 0.12, ring_in_legend: bool = True) -> None:
    """The decision regions, the boundary and the points (the wrong ones
    ringed); `title` is formatted with right and n, the legend hangs
    `legend_below` of the axes' height under them (the ring in it, unless
    the title explains it: then the legend is the same in every frame)."""
    box = _bounds(X)
    x0, x1, y0, y1 = box
    xs = [x0 + (c + 0.5) * (x1 - x0) / resolution for c in range(resolution)]
    ys = [y0 + (r + 0.5) * (y1 - y0) / resolution for r in range(resolution)]
    outs = [[model([x, y_]) for x in xs] for y_ in ys]  # bottom row first
    grid = [[classify(o) for o in row] for row in outs]
    n_classes = max(max(y), max(max(row) for row in grid)) + 1
    colours = [COLOURS[k % len(COLOURS)] for k in range(n_classes)]
    from matplotlib.colors import ListedColormap  # matplotlib is there: the Figure imported it

    # The boundary: where a score that separates the classes crosses its
    # threshold, a smooth line; else the edge between the class cells.
    scores = [[score(o) for o in row] for row in outs]
    flat = [s for row in scores for s in row]
    level = None if None in flat else decision_threshold(flat, [c for row in grid for c in row])
    if level is not None and n_classes == 2:
        low, high = min(flat), max(flat)
        ax.contourf(xs, ys, scores, levels=[min(low, level) - 1, level, max(high, level) + 1],
                    colors=colours, alpha=0.25)
        ax.contour(xs, ys, scores, levels=[level], colors="black", linewidths=1.2,
                   linestyles="solid")  # matplotlib dashes a negative level otherwise
    else:
        ax.imshow(grid, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", alpha=0.25,
                  cmap=ListedColormap(colours), vmin=-0.5, vmax=n_classes - 0.5, interpolation="nearest")
        if n_classes > 1:
            ax.contour(xs, ys, grid, levels=[k + 0.5 for k in range(n_classes - 1)],
                       colors="black", linewidths=1.0)
    big = len(X) < 20
    for k in sorted(set(y)):
        pts = [x for x, label in zip(X, y) if label == k]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=60 if big else 30, color=colours[k],
                   edgecolors="black", linewidths=0.5, label=f"class {k}", zorder=3)
    wrong = [x for x, label in zip(X, y) if classify(model(list(x))) != label]
    if wrong:  # ringed, so a wrong point is found at a glance
        ax.scatter([p[0] for p in wrong], [p[1] for p in wrong], s=220 if big else 110,
                   facecolors="none", edgecolors="black", linewidths=1.6, zorder=4,
                   label=f"misclassified ({len(wrong)})" if ring_in_legend else None)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title.format(right=len(y) - len(wrong), n=len(y)))
    # Below the plot, where it hides neither points nor boundary.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -legend_below), ncol=len(set(y)) + bool(wrong and ring_in_legend),
              fontsize=text or "small")
    _text_size(ax, text)


def loss_limits(history: Sequence[float]) -> tuple[float, float]:
    """A y range that holds every loss of a run, with a margin: a log
    range (a fifth of a decade either side) when every loss is above 0."""
    losses = _history(history, "loss_limits")
    low, high = min(losses), max(losses)
    if low > 0:
        return low / 10 ** 0.2, high * 10 ** 0.2
    pad = (high - low) * 0.05 or 1.0
    return low - pad, high + pad


SNAPSHOT_TEXT = 9  # pt: a frame's plots share it with the network picture beside them
# Margins of a snapshot, in units of its text size: room for tick labels,
# axis labels, titles and the legend under the map, whatever they say.
_SNAPSHOT_MARGINS = dict(left=6.5, right=1.5, top=4.2, gap=5.2, bottom=6.0)


def plot_snapshot(
    history: Sequence[float],
    model: Callable,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    *,
    epochs: int,
    limits: tuple[float, float],
    caption: str = "",
    classify: Callable[[object], int] | None = None,
    resolution: int = 40,
    size: tuple[float, float] = (4.4, 5.4),
    dpi: int = 100,
    style: str = "default",
):
    """One frame of a film of training: the losses so far (`history`, may
    be empty) on axes of `epochs` epochs and loss range `limits`
    (loss_limits of the whole run), above `model`'s decision regions over
    the 2-D data; `caption` on top. The layout is fixed in inches, not
    fitted to what the texts say, so every frame of a run puts every axis
    at the same pixels. Returns the matplotlib Figure (`size` inches)."""
    from .drawing.styles import SLIDE_TEXT, check_dpi, new_figure, picture_style

    check_dpi(dpi, "plot_snapshot")
    losses = _history(history, "plot_snapshot") if len(history) else []  # [] before epoch 1
    X, y = _data(X, y, "plot_snapshot")
    if not _is_2d(X):
        raise ValueError("plot_snapshot: the points must have 2 coordinates (x1, x2) to be mapped")
    text = SLIDE_TEXT if picture_style(style).canvas else SNAPSHOT_TEXT
    em = text / 72  # inches of one line of text
    width, height = size
    m = {k: v * em for k, v in _SNAPSHOT_MARGINS.items()}
    panel = (height - m["top"] - m["gap"] - m["bottom"]) / 2  # each plot's height
    if panel < 0.5 or width - m["left"] - m["right"] < 0.5:
        raise ValueError(f"plot_snapshot: {width:g} x {height:g} inches leaves no room for the plots")

    fig = new_figure(figsize=size, dpi=dpi)
    if caption:
        fig.text(0.5, 1 - 0.3 * em / height, caption, ha="center", va="top",
                 fontsize=text + 2, fontweight="bold")

    def axes(bottom: float):  # inches from the bottom -> a fixed axes
        return fig.add_axes((m["left"] / width, bottom / height,
                             (width - m["left"] - m["right"]) / width, panel / height))

    loss_ax = axes(m["bottom"] + panel + m["gap"])
    _loss_axes(loss_ax, losses, text, epochs=epochs, limits=limits)
    loss_ax.set_title("the loss so far", fontsize=text)  # its numbers are the caption's
    _boundary_axes(axes(m["bottom"]), model, X, y, classify or default_classify, resolution, text,
                   title="boundary: {right}/{n} right, wrong ringed", legend_below=3.2 * em / panel,
                   ring_in_legend=False)
    return fig
