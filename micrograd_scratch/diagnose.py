"""Why is training stuck? A network's health, layer by layer, and what to try.

A run that ends at 1/4 on XOR has a reason, and the reason is usually one
of a few that Karpathy's lecture 4 teaches to look for (Building makemore,
part 3: activations and gradients):

- **dead units.** A relu whose input is negative on every example outputs
  0 everywhere and its slope is 0 everywhere: no gradient reaches its
  weights, so it never learns again. A too-large step can kill it; so can
  an unlucky start.
- **saturated units.** A tanh or sigmoid near the ends of its range on
  every example has a slope near 0: its gradient all but vanishes.
- **the gradient per layer.** The mean |d loss/d w| of each layer's
  weights: a layer whose gradient is a thousandth of the last layer's
  learns a thousand times slower (vanishing gradients).
- **the update-to-data ratio.** How much the last step changed a layer's
  weights, relative to their size, ||delta w|| / ||w||. The lecture aims
  for about 1e-3; a ratio near 1 rewrites the weights every step.

`diagnose(model, X, y, loss)` measures these on the whole data set and
returns a `Diagnosis`: one `LayerHealth` per layer and `warnings`, the
findings past the thresholds below in words, each with what to try.
Printed, it is a small table and its warnings (the command line's
`--diagnose`). A unit's slope is read from the engine itself (the
activation's backward rule on a fresh node), so an activation added to
ops.py is diagnosed too. An activation that is flat at 0, as relu is, has
dead units: a slope of exactly 0 on every example. One that is steepest at
0, as tanh and sigmoid are, has saturated units: a slope below SATURATED
of its slope at 0 on every example (tanh(100)'s slope rounds to 0: it is
saturated, not dead).

Sources: Karpathy, "Building makemore Part 3" (2022), the dead-neuron,
saturation, gradient and update-to-data plots; Goodfellow, Bengio and
Courville, *Deep Learning*, ch. 6.3 (hidden units) and 8.2 (plateaus).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .engine import Value
from .losses import LOSSES

__all__ = ["diagnose", "Diagnosis", "LayerHealth", "layer_weights", "mean_abs_grads"]

# ---- thresholds ----------------------------------------------------------------

# A saturated unit's slope is below this fraction of its slope at 0: for
# tanh that is |tanh| > 0.97, the lecture's cut.
SATURATED = 0.06
# Warn when at least this fraction of a layer's units is dead or saturated:
# a few dead units among many are harmless, half of them is not.
MOSTLY = 0.5
# Warn when a layer's mean |grad| is below this fraction of the last layer's.
VANISHING = 1e-3
# Warn when the last step changed a layer's weights by more than this
# fraction of their size (the lecture aims for about 1e-3).
TOO_LARGE_STEP = 0.1


@dataclass
class LayerHealth:
    """The figures of one layer. Counts are of units (neurons); `grad` and
    `update` are over the layer's weights (biases left out, as in the lecture)."""

    layer: int  # 1 for the first hidden layer; the last is the output layer
    activation: str
    units: int
    dead: int  # units whose slope is 0 on every example (a relu that is 0 everywhere)
    saturated: int  # units whose slope is below SATURATED of its slope at 0 on every example
    grad: float  # mean |d loss/d w| over the layer's weights
    update: float | None  # ||delta w|| / ||w|| of the last step; None when not known
    dead_units: list[int] = field(default_factory=list)  # their indices, for a picture
    dead_from_start: int | None = None  # of the dead, those dead before training; None: not known

    @property
    def dead_fraction(self) -> float:
        return self.dead / self.units

    @property
    def saturated_fraction(self) -> float:
        return self.saturated / self.units


@dataclass
class Diagnosis:
    """What `diagnose` found: the loss on the data, each layer's figures,
    and the warnings in words (empty when nothing is past a threshold)."""

    loss: float
    layers: list[LayerHealth]
    warnings: list[str]

    def table(self) -> str:
        """The figures as a small text table, one row per layer."""
        rows = [("layer", "units", "dead", "saturated", "mean |grad|", "update/data")]
        for h in self.layers:
            rows.append((
                f"{h.layer} ({h.activation})", str(h.units),
                _count(h.dead, h.units), _count(h.saturated, h.units),
                f"{h.grad:.2e}", "-" if h.update is None else f"{h.update:.2e}",
            ))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                                   for i, (cell, w) in enumerate(zip(row, widths)))
                         for row in rows)

    def __str__(self) -> str:
        lines = [self.table()]
        lines += [f"warning: {w}" for w in self.warnings] or ["no warnings: every figure is "
                                                             "inside its threshold"]
        return "\n".join(lines)


def _count(k: int, n: int) -> str:
    return "0" if k == 0 else f"{k} ({100 * k / n:.0f}%)"


# ---- measuring ------------------------------------------------------------------


def layer_weights(model) -> list[list[Value]]:
    """Each layer's weights, biases left out (a neuron may have none)."""
    return [[w for n in layer.neurons for w in n.w] for layer in model.layers]


def mean_abs_grads(model) -> list[float]:
    """Each layer's mean |grad| over its weights, as the last backward pass left them."""
    return [sum(abs(w.grad) for w in ws) / len(ws) for ws in layer_weights(model)]


def diagnose(
    model,
    X: Sequence,
    y: Sequence,
    loss: Callable | str,
    *,
    before: Sequence[float] | None = None,
    lr: float | None = None,
    initial: Sequence[float] | None = None,
) -> Diagnosis:
    """The health of an MLP on the data (X, y) under `loss` (a batch loss,
    or its name in LOSSES), layer by layer, with warnings.

    The update-to-data ratio needs the last step: `before`, the values of
    `model.parameters()` before it (exact for any optimizer), or `lr`, for
    the step plain SGD would take now on the whole data (lr * grad).
    Without either it is not measured. `initial`, the parameters before
    training, tells a unit dead from the start (an unlucky seed: another
    seed or more units help, a lower rate does not) from one that training
    killed (a step too large: a lower rate). Leaves the gradient of the
    whole data's loss in each parameter's `.grad`.
    """
    loss_fn = LOSSES[loss] if isinstance(loss, str) else loss
    X, y = list(X), list(y)
    if not X or len(X) != len(y):
        raise ValueError(f"diagnose: need as many labels as points, got {len(X)} and {len(y)}")
    layers = model.layers
    peaks = {n.activation: _slope(n.activation, 0.0) for layer in layers for n in layer.neurons}
    dead_at_start = None
    if initial is not None:  # the same forward pass, on the parameters before training
        params = model.parameters()
        now = [p.data for p in params]
        for p, x in zip(params, initial):
            p.data = x
        try:
            alive, _, _ = _slopes(model, X, peaks)
        finally:
            for p, x in zip(params, now):
                p.data = x
        dead_at_start = [[j for j, on in enumerate(units) if not on] for units in alive]

    model.zero_grad()
    alive, steep, outputs = _slopes(model, X, peaks)
    total = loss_fn(outputs, y)
    total.backward()

    grads = mean_abs_grads(model)
    updates = _updates(model, before, lr)
    health = []
    for li, layer in enumerate(layers):
        activation = layer.neurons[0].activation
        if peaks[activation] > 0:  # steepest at 0 (tanh, sigmoid): it saturates, it never dies
            dead, saturated = [], steep[li].count(False)
        else:  # flat at 0 (relu): a unit is dead or alive
            dead, saturated = [j for j, on in enumerate(alive[li]) if not on], 0
        health.append(LayerHealth(li + 1, activation, len(layer.neurons),
                                  len(dead), saturated, grads[li], updates[li], dead))
        if dead_at_start is not None:
            health[-1].dead_from_start = len(set(dead) & set(dead_at_start[li]))
    return Diagnosis(total.data, health, _warnings(health))


def _slopes(model, X: list, peaks: dict) -> tuple[list, list, list]:
    """The forward pass on every example, watching each unit's slope:
    alive[l][j], unit j of layer l had a non-zero slope on some example;
    steep[l][j], a slope of at least SATURATED of its peak on some example;
    and the model's outputs."""
    layers = model.layers
    alive = [[False] * len(layer.neurons) for layer in layers]
    steep = [[False] * len(layer.neurons) for layer in layers]
    outputs = []
    for x in X:
        h = x
        for li, layer in enumerate(layers):
            h = layer(h)
            values = h if isinstance(h, list) else [h]
            for j, (n, a) in enumerate(zip(layer.neurons, values)):
                if n.activation == "linear":
                    alive[li][j] = steep[li][j] = True
                    continue
                slope = _slope(n.activation, a._prev[0].data)  # a = act(z): z is its input
                alive[li][j] = alive[li][j] or slope != 0
                steep[li][j] = steep[li][j] or slope >= SATURATED * peaks[n.activation]
        outputs.append(h)
    return alive, steep, outputs


def _slope(activation: str, z: float) -> float:
    """d act/d z at z, from the engine: the activation on a fresh node,
    then backward (so it is the op's own rule, whatever ops.py says)."""
    if activation == "linear":
        return 1.0
    node = Value(z)
    getattr(node, activation)().backward()
    return node.grad


def _updates(model, before, lr) -> list[float | None]:
    """||delta w|| / ||w|| per layer: the last step's (from `before`) or
    the SGD step lr * grad, or None for each layer."""
    weights = layer_weights(model)
    if before is None and lr is None:
        return [None] * len(weights)
    if before is not None:
        params = model.parameters()
        if len(before) != len(params):
            raise ValueError(f"diagnose: before has {len(before)} values, the model "
                             f"{len(params)} parameters")
        old = {id(p): b for p, b in zip(params, before)}
        step = lambda w: w.data - old[id(w)]  # noqa: E731
    else:
        step = lambda w: lr * w.grad  # noqa: E731
    ratios = []
    for ws in weights:
        size = math.sqrt(sum(w.data ** 2 for w in ws))
        moved = math.sqrt(sum(step(w) ** 2 for w in ws))
        ratios.append(moved / size if size > 0 else None)
    return ratios


# ---- in words -------------------------------------------------------------------


def _warnings(health: list[LayerHealth]) -> list[str]:
    """The findings past the thresholds, most telling first, each with what to try."""
    found = []
    last = len(health)
    for h in health:
        where = "the output layer" if h.layer == last else f"layer {h.layer}"
        if h.dead and h.dead_fraction >= MOSTLY:
            found.append(f"{where}: {h.dead} of {h.units} {h.activation} units are dead (0 on "
                         f"every example), so no gradient reaches their weights; "
                         + _dead_advice(h))
        if h.saturated and h.saturated_fraction >= MOSTLY:
            found.append(
                f"{where}: {h.saturated} of {h.units} {h.activation} units are saturated (flat "
                f"on every example), so their gradient is nearly 0; try a lower learning rate, "
                f"another seed, or relu")
    top = health[-1].grad
    for h in health[:-1]:
        if top > 0 and h.grad < VANISHING * top:
            found.append(
                f"layer {h.layer}: its mean |grad| is {h.grad / top:.1e} of the output "
                f"layer's, so it learns that much slower (vanishing gradients); try relu, "
                f"fewer layers, or another seed")
    for h in health:
        if h.update is not None and h.update > TOO_LARGE_STEP:
            where = "the output layer" if h.layer == last else f"layer {h.layer}"
            found.append(
                f"{where}: the last step changed its weights by {100 * h.update:.0f}% of their "
                f"size (about 0.1% learns steadily); try a lower learning rate")
    return found


def _dead_advice(h: LayerHealth) -> str:
    """What to try for dead units, the cause seen first: dead before the
    first step, only a new start revives them; killed by training, a
    smaller step would have spared them."""
    if h.dead_from_start == h.dead:
        return ("they were dead before the first step (an unlucky start, which a lower "
                "learning rate cannot fix): try another seed or more units")
    if h.dead_from_start == 0:
        return ("they were alive at the start and died during training (a step too large): "
                "try a lower learning rate, or another seed")
    if h.dead_from_start is not None:  # some of each: the fix for most of them first
        killed = h.dead - h.dead_from_start
        fixes = ["a lower learning rate", "another seed or more units"]
        return (f"{h.dead_from_start} of them were dead before the first step, and training "
                f"killed {killed}: try {' and '.join(fixes if killed >= h.dead_from_start else fixes[::-1])}")
    return ("try another seed or more units (if they were dead from the start), a lower "
            "learning rate (if a large step killed them), or another activation such as tanh")

