"""A network that trains a few steps at a time, for the explorer's Train panel.

The page asks for a handful of steps, draws what comes back (the loss
curve, the decision boundary, each neuron's map, the weights), and asks
again: training runs here, in the engine, one SGD step after another. A
step is `fit` itself on one batch (one epoch of full-batch gradient
descent on those examples), so the explorer trains exactly as the
`train` command does, divergence checks included; this file only keeps
the state between requests: the model, where it is in its epoch, the
learning-rate schedule and the loss history.

The settings are checked with the command line's own rules (its layer
sizes, its losses and their defaults), and the work of one request is
bounded: at most MAX_STEPS steps, and a picture grid sized to the network.
"""

from __future__ import annotations

import math
import threading
import time

from ..cli.args import MAX_HIDDEN_LAYERS, MAX_LAYER_SIZE
from ..cli.training import OBJECTIVES, TRAIN_DEFAULTS
from ..data import DATASETS
from ..losses import LOSSES
from ..nn import MLP, activation_names
from ..optim import LinearDecay, batch_order, fit
from ..plot import _bounds  # the box the plots draw the boundary over

__all__ = ["TrainingSession", "SettingsError", "settings_from", "MAX_STEPS", "DEFAULTS"]

MAX_STEPS = 500  # SGD steps one request may ask for
STEP_SECONDS = 0.25  # and it stops early after about this long, to answer
MAX_POINTS = 500  # data points a data set may have here
GRID_WORK = 200_000  # grid points x parameters per picture: about 0.2 s of engine time
MAX_GRID = 25  # the boundary and the neuron maps: at most 25 x 25 points

# The page's defaults: the `xor` command's network, with each data set's
# `train` defaults for the loss, learning rate and batch size.
DEFAULTS = {"hidden": [16], "activation": "relu", "seed": 0, "lr_end": None, "decay_steps": 1000}


class SettingsError(ValueError):
    """A training setting the explorer refuses; the message says which and why."""


def _number(payload: dict, name: str, default, *, low: float, high: float, integer=False):
    x = payload.get(name, default)
    if x is None:
        return None
    if type(x) is bool or not isinstance(x, (int, float)) or (integer and x != int(x)):
        kind = "an integer" if integer else "a number"
        raise SettingsError(f"{name} must be {kind}, got {x!r}")
    if not low <= x <= high:
        raise SettingsError(f"{name} must be between {low:g} and {high:g}, got {x!r}")
    return int(x) if integer else float(x)


def settings_from(payload: dict) -> dict:
    """The training settings in a request, checked, with defaults filled in."""
    if not isinstance(payload, dict):
        raise SettingsError("the training settings must be a JSON object")
    dataset = payload.get("dataset", "xor")
    if dataset not in TRAIN_DEFAULTS:
        raise SettingsError(f"unknown dataset {dataset!r}; choose one of {', '.join(TRAIN_DEFAULTS)}")
    defaults = TRAIN_DEFAULTS[dataset]
    hidden = payload.get("hidden", DEFAULTS["hidden"])
    if not isinstance(hidden, list) or not all(type(n) is int for n in hidden):
        raise SettingsError(f"hidden must be a list of layer sizes (whole numbers, like 16 or 8,8), got {hidden!r}")
    if len(hidden) > MAX_HIDDEN_LAYERS or any(not 1 <= n <= MAX_LAYER_SIZE for n in hidden):
        raise SettingsError(
            f"hidden: at most {MAX_HIDDEN_LAYERS} layers of 1 to {MAX_LAYER_SIZE} neurons, got {hidden!r}"
        )
    activation = payload.get("activation", DEFAULTS["activation"])
    if activation not in activation_names():
        raise SettingsError(
            f"unknown activation {activation!r}; choose one of {', '.join(activation_names())}"
        )
    loss = payload.get("loss", defaults["loss"])
    if loss not in OBJECTIVES:
        raise SettingsError(f"unknown loss {loss!r}; choose one of {', '.join(OBJECTIVES)}")
    settings = {
        "dataset": dataset, "hidden": hidden, "activation": activation, "loss": loss,
        "lr": _number(payload, "lr", defaults["lr"], low=1e-6, high=10.0),
        "lr_end": _number(payload, "lr_end", DEFAULTS["lr_end"], low=1e-6, high=10.0),
        "decay_steps": _number(payload, "decay_steps", DEFAULTS["decay_steps"], low=1,
                               high=10**6, integer=True),
        "batch_size": _number(payload, "batch_size", defaults["batch_size"], low=1,
                              high=MAX_POINTS, integer=True),
        "seed": _number(payload, "seed", DEFAULTS["seed"], low=0, high=2**31, integer=True),
    }
    return settings


class TrainingSession:
    """One network being trained: its settings, data, model and history.

    Each call holds the session's lock, so two requests for one session
    (a Step click while Play runs) take turns instead of mixing updates.
    """

    def __init__(self, settings: dict):
        self.settings = settings
        self.lock = threading.Lock()
        self.X, self.y = DATASETS[settings["dataset"].replace("-", "_")]()
        self.objective = OBJECTIVES[settings["loss"]]
        sizes = list(settings["hidden"]) + [self.objective.outputs]
        self.model = MLP(2, sizes, activation=settings["activation"], seed=settings["seed"])
        self.loss_fn = LOSSES[self.objective.loss]
        n = len(self.X)
        batch = settings["batch_size"]
        self.batch_size = n if batch is None or batch >= n else batch
        # The batches in fit's order: the same seed, the same batches.
        self.epochs = batch_order(n, self.batch_size, settings["seed"])
        self.queue: list[list[int]] = []  # this epoch's batches still to run
        self.steps = 0
        self.history: list[float] = []  # the batch loss of every step
        self.schedule = None
        if settings["lr_end"] is not None:
            self.schedule = LinearDecay(settings["lr"], settings["lr_end"], settings["decay_steps"])
        self.diverged: str | None = None

    def lr(self) -> float:
        return self.settings["lr"] if self.schedule is None else self.schedule(self.steps)

    def _next_batch(self) -> list[int]:
        if not self.queue:
            self.queue = list(next(self.epochs))
        return self.queue.pop(0)

    def train(self, steps: int) -> int:
        """Run up to `steps` SGD steps (fewer if STEP_SECONDS pass first, or
        training diverges); return how many ran."""
        ran = 0
        deadline = time.monotonic() + STEP_SECONDS
        while ran < steps and self.diverged is None and time.monotonic() < deadline:
            batch = self._next_batch()
            try:
                # One step: fit's one epoch of full-batch descent on this batch.
                [loss] = fit(self.model, [self.X[i] for i in batch], [self.y[i] for i in batch],
                             self.loss_fn, epochs=1, lr=self.lr())
            except (ValueError, ArithmeticError) as error:  # TrainingDiverged, overflow
                self.diverged = f"training stopped at step {self.steps + 1}: {error}"
                break
            self.steps += 1
            self.history.append(loss)
            ran += 1
        return ran

    # ---- what the page draws ---------------------------------------------

    def _forward(self, x) -> tuple[list[list[float]], object]:
        """The model on one input: each hidden layer's outputs (floats) and the output."""
        layers = []
        h = x
        for layer in self.model.layers[:-1]:
            h = layer(h)
            h = h if isinstance(h, list) else [h]
            layers.append([v.data for v in h])
        return layers, self.model.layers[-1](h)

    def score(self, out) -> float:
        """The output as one signed number: above 0 means class 1."""
        if isinstance(out, list):  # cross-entropy's two logits
            return out[1].data - out[0].data
        return out.data - 0.5 if self.objective.loss == "mse" else out.data

    def state(self, *, pictures: bool = True) -> dict:
        """Where training is: step, epoch, loss, accuracy; with `pictures`
        the boundary and neuron maps over a grid, and the weights."""
        outs = [self.model(x) for x in self.X]
        loss = self.loss_fn(outs, self.y).data
        correct = sum(self.objective.classify(o) == t for o, t in zip(outs, self.y))
        state = {
            "steps": self.steps,
            "epoch": self.steps * self.batch_size / len(self.X),
            "lr": self.lr(),
            "loss": loss if math.isfinite(loss) else None,
            "correct": correct,
            "total": len(self.y),
            "history": _thin(self.history, MAX_HISTORY),
            "diverged": self.diverged,
        }
        if pictures:
            state.update(self._pictures())
        return state

    def _pictures(self) -> dict:
        params = len(self.model.parameters())
        size = max(8, min(MAX_GRID, int(math.sqrt(GRID_WORK / params))))
        x0, x1, y0, y1 = _bounds(self.X)
        xs = [x0 + (x1 - x0) * (i + 0.5) / size for i in range(size)]
        ys = [y1 - (y1 - y0) * (j + 0.5) / size for j in range(size)]  # top row first
        widths = [len(layer.neurons) for layer in self.model.layers]
        maps = [[[] for _ in range(w)] for w in widths]  # every layer's, the output's too
        boundary = []
        for y in ys:
            for x in xs:
                hidden, out = self._forward([x, y])
                boundary.append(_finite(self.score(out)))
                outputs = [o.data for o in out] if isinstance(out, list) else [out.data]
                for li, values in enumerate(hidden + [outputs]):
                    for ni, v in enumerate(values):
                        maps[li][ni].append(_finite(v))
        weights = [[[_finite(w.data) for w in n.w] + [_finite(n.b.data)] for n in layer.neurons]
                   for layer in self.model.layers]
        return {
            "grid": {"size": size, "box": [x0, x1, y0, y1]},
            "boundary": boundary,
            "maps": maps,
            "weights": weights,
            "points": [[x[0], x[1], t] for x, t in zip(self.X, self.y)],
        }

    # ---- one neuron as an expression ----------------------------------------

    def neuron_expression(self, layer: int, neuron: int, example: int) -> dict:
        """Neuron `neuron` of layer `layer` on training example `example`,
        as an expression for the expression view: act(w0*x0 + ... + b),
        with the neuron's weights (marked as parameters) and the inputs it
        sees for that example."""
        layers = self.model.layers
        if not 0 <= layer < len(layers) or not 0 <= neuron < len(layers[layer].neurons):
            raise SettingsError(f"no neuron {neuron} in layer {layer}")
        if not 0 <= example < len(self.X):
            raise SettingsError(f"no example {example}: the data set has {len(self.X)}")
        n = layers[layer].neurons[neuron]
        if len(n.w) > MAX_NEURON_INPUTS:
            raise SettingsError(
                f"this neuron has {len(n.w)} inputs; the expression view shows neurons "
                f"with at most {MAX_NEURON_INPUTS}"
            )
        x = self.X[example]
        hidden, _ = self._forward(x)
        inputs = list(x) if layer == 0 else hidden[layer - 1]
        prefix = "x" if layer == 0 else "h"
        terms = [f"w{i}*{prefix}{i}" for i in range(len(n.w))]
        text = " + ".join(terms + ["b"])
        if n.activation != "linear":
            text = f"{n.activation}({text})"
        values = {f"w{i}": w.data for i, w in enumerate(n.w)}
        values.update({f"{prefix}{i}": v for i, v in enumerate(inputs)})
        values["b"] = n.b.data
        where = "output" if layer == len(layers) - 1 else f"hidden layer {layer + 1}"
        return {
            "expression": text,
            "values": values,
            "params": [f"w{i}" for i in range(len(n.w))] + ["b"],
            "caption": (f"neuron {neuron + 1} of the {where}, on example {example + 1} "
                        f"(x = {x[0]:.3g}, {x[1]:.3g}; label {self.y[example]}), after "
                        f"{self.steps} steps"),
        }


MAX_NEURON_INPUTS = 32  # a wider neuron's graph has too many boxes to read


MAX_HISTORY = 1000  # loss values sent per answer: a long run is averaged down to this


def _thin(values: list[float], most: int) -> list[float]:
    """At most `most` numbers: the means of consecutive runs of `values`."""
    if len(values) <= most:
        return values
    size = math.ceil(len(values) / most)
    return [sum(values[i : i + size]) / len(values[i : i + size]) for i in range(0, len(values), size)]


def _finite(x: float) -> float | None:
    """A number as JSON can hold it: nan and inf (a diverged network) become null."""
    return x if math.isfinite(x) else None

