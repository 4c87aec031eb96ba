"""A network that trains a few steps at a time, for the explorer's Train panel.

The page asks for a handful of steps, draws what comes back (the loss
curve, the decision boundary, each neuron's map, the weights), and asks
again: training runs here, in the engine, one SGD step after another. A
step is `fit` itself on one batch (one epoch of full-batch gradient
descent on those examples), so the explorer trains exactly as the
`train` command does; this file only keeps the state between requests:
the model, where it is in its epoch, the learning-rate schedule and the
loss history.

Honest as the command line is:
- the settings are the command line's: its defaults for each data set,
  loss and activation (`settings_for`), its layer caps, its refusal of a
  decay that ends above the rate;
- at the end of every epoch the command line's `DivergenceCheck` looks at
  the epoch's loss, so a loss that grows past 10^6 times its start stops
  the run with one line, as `train` stops; a loss that overflows or
  becomes NaN stops it too, and the message names the session's step.

Bounded, since any page may send anything:
- work is counted in parameter-points, one parameter used for one data
  point (a multiply-add, forward: about a microsecond on two shared
  cores): a network whose answer (its passes over the data set and its
  picture grid, answer_work) costs more than MAX_EVAL_WORK is refused
  before it is built, and a step request whose steps x parameters x batch
  exceed MAX_STEP_WORK is refused before it runs;
- at most MAX_WORKING requests (api.py) train or evaluate at once, so
  the graphs held at once are bounded too;
- a step request stops after STEP_SECONDS, checking the clock before
  each example's forward pass, not only between steps, and every request
  (a new session's too) stops as soon as the page that asked is gone,
  before its pictures and diagnosis;
- the loss history is kept at a bounded length, averaging old steps in
  pairs as it grows.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable

from ..cli.training import OBJECTIVES, TRAIN_DEFAULTS, DecayAboveRate, settings_for
from ..data import DATASETS, DataFileError, parse_csv
from ..diagnose import diagnose, mean_abs_grads
from ..divergence import DEFAULT_FACTOR, DivergenceCheck, DivergenceError, starting_loss
from ..losses import LOSSES
from ..nn import MLP, activation_names
from ..optim import LinearDecay, TrainingDiverged, batch_order, fit
from ..plot import _bounds  # the box the plots draw the boundary over
from ..serialize import MAX_HIDDEN_LAYERS, MAX_LAYER_SIZE, check_model_size

__all__ = [
    "TrainingSession", "SettingsError", "Stopped", "settings_from", "MAX_STEPS", "DEFAULTS",
    "MAX_EVAL_WORK", "MAX_STEP_WORK",
]

MAX_STEPS = 500  # SGD steps one request may ask for
STEP_SECONDS = 0.25  # and it stops after about this long, to answer
MAX_POINTS = 500  # data points a data set may have here
# Parameter-points (see the module docstring): one answer, its passes over
# the data and the picture grid (answer_work); a step request's steps,
# though STEP_SECONDS stops those sooner.
MAX_EVAL_WORK = 1_000_000
MAX_STEP_WORK = 2_000_000
GRID_WORK = 200_000  # grid points x parameters per picture, when the grid is above its least
MIN_GRID, MAX_GRID = 8, 25  # the boundary and the neuron maps: 8 x 8 to 25 x 25 points
# An answer's passes over the whole data set: the loss before training (a new
# session's DivergenceCheck), the loss and accuracy it reports, and the
# diagnosis, whose forward pass (with every unit's slope) and backward pass
# cost three forward passes (measured: 0.59 s against 0.20 s for [100] on
# 500 points). The most an answer may cost, MAX_EVAL_WORK, then took 1.1 s
# on two shared cores.
DATA_PASSES = 5

# The page's defaults: the `xor` command's network. The loss, learning rate,
# its decay and the batch size are the command line's (settings_for).
DEFAULTS = {"hidden": [16], "activation": "relu", "seed": 0}


class SettingsError(ValueError):
    """A training setting the explorer refuses; the message says which and why."""


class Stopped(Exception):
    """Raised inside a step when its time is up or its page has gone: the
    step is abandoned before its update, so the model is as it was."""


# ---- the settings ---------------------------------------------------------------


def _number(payload: dict, name: str, *, low: float, high: float, integer=False):
    """payload[name] checked: None when absent or null (the default applies)."""
    x = payload.get(name)
    if x is None:
        return None
    kind = "an integer" if integer else "a number"
    if type(x) is bool or not isinstance(x, (int, float)):
        raise SettingsError(f"{name} must be {kind}, got {_shown(x)}")
    if isinstance(x, float) and not math.isfinite(x):
        raise SettingsError(f"{name} must be a finite number, got {x!r}")
    if not low <= x <= high:  # (compared exactly: an int of 400 digits is only large)
        raise SettingsError(f"{name} must be between {low:g} and {high:g}, got {_shown(x)}")
    if integer and x != int(x):
        raise SettingsError(f"{name} must be {kind}, got {x!r}")
    return int(x) if integer else float(x)


def _choice(payload: dict, name: str, choices, default):
    """payload[name], one of `choices`; `default` when absent, null or ""."""
    x = payload.get(name)
    if x is None or x == "":
        return default
    if not isinstance(x, str) or x not in choices:
        raise SettingsError(f"unknown {name} {_shown(x)}; choose one of {', '.join(choices)}")
    return x


def _shown(x) -> str:
    """A value as a message quotes it: short, whatever was sent."""
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


# Every field a new session's request may hold (the page sends these).
SETTINGS_FIELDS = ("dataset", "hidden", "activation", "loss", "lr", "lr_end", "decay_steps",
                   "batch_size", "seed", "points", "csv", "weights")


def settings_from(payload: dict) -> dict:
    """The training settings in a request, checked, with the command line's
    defaults filled in, and the network's size checked against the work
    caps before anything is built."""
    if not isinstance(payload, dict):
        raise SettingsError("the training settings must be a JSON object")
    unknown = [key for key in payload if key not in SETTINGS_FIELDS]
    if unknown:  # a misspelt "lr_end" must not train with the default without a word
        raise SettingsError(f"unknown setting {_shown(unknown[0])}; the settings are "
                            f"{', '.join(SETTINGS_FIELDS)}")
    dataset = _choice(payload, "dataset", list(TRAIN_DEFAULTS), "xor")
    hidden = payload.get("hidden", DEFAULTS["hidden"])
    if not isinstance(hidden, list) or not all(type(n) is int for n in hidden):
        raise SettingsError(f"hidden must be a list of layer sizes (whole numbers, like 16 or 8,8), "
                            f"got {_shown(hidden)}")
    if len(hidden) > MAX_HIDDEN_LAYERS or any(not 1 <= n <= MAX_LAYER_SIZE for n in hidden):
        raise SettingsError(f"hidden: at most {MAX_HIDDEN_LAYERS} layers of 1 to "
                            f"{MAX_LAYER_SIZE} neurons, got {_shown(hidden)}")
    activation = _choice(payload, "activation", list(activation_names()), DEFAULTS["activation"])
    loss = _choice(payload, "loss", list(OBJECTIVES), None)
    given = {
        "lr": _number(payload, "lr", low=1e-6, high=10.0),
        "lr_end": _number(payload, "lr_end", low=1e-6, high=10.0),
        "batch_size": _number(payload, "batch_size", low=1, high=MAX_POINTS, integer=True),
    }
    decay_steps = _number(payload, "decay_steps", low=1, high=10**6, integer=True)
    seed = _number(payload, "seed", low=0, high=2**31, integer=True)
    try:
        cli = settings_for(dataset, loss, activation, **given)
    except DecayAboveRate as error:
        raise SettingsError(f"lr_end (decays to) {error.lr_end:g} is above lr {error.lr:g}; "
                            f"a decay ends below where it starts") from None
    own = points_from(payload)  # the page's own points, or None for the data set's
    points = len(_data(dataset)[0]) if own is None else len(own)
    batch = cli["batch_size"] if cli["batch_size"] is not None else points
    settings = {
        "dataset": dataset, "hidden": hidden, "activation": activation, "loss": cli["loss"],
        "lr": float(cli["lr"]), "lr_end": cli["lr_end"],
        # The command line decays over its whole run: epochs x steps per epoch.
        "decay_steps": decay_steps or cli["epochs"] * math.ceil(points / min(batch, points)),
        "batch_size": cli["batch_size"],
        "seed": DEFAULTS["seed"] if seed is None else seed,
        "points": own,
    }
    params = _check_work(settings, points)
    settings["weights"] = _weights_from(payload, params)
    return settings


# ---- your own points, and a trained network, from the page ---------------------------

MAX_COORDINATE = 1e6  # |x1|, |x2| of a point the page may send
MAX_LINK_PARAMETERS = 500  # a network this small travels in the link with its weights


def points_from(payload: dict) -> list[list] | None:
    """The page's own points: `points`, a list of [x1, x2, label], or
    `csv`, the text of a CSV file (x1,x2,label, header optional, read by
    data.parse_csv); None when it sends neither. Labels are 0 or 1 (the
    page draws two classes), at most MAX_POINTS points."""
    if payload.get("csv") is not None:
        text = payload["csv"]
        if not isinstance(text, str):
            raise SettingsError(f"csv must be the text of a CSV file, got {_shown(text)}")
        try:
            X, y = parse_csv(text, name="the CSV")
        except DataFileError as error:
            raise SettingsError(str(error)) from None
        if len(X[0]) != 2:
            raise SettingsError(f"the CSV has {len(X[0])} input columns; the map here has two: "
                                "write x1,x2,label")
        points = [[a, b, t] for (a, b), t in zip(X, y)]
    else:
        points = payload.get("points")
        if points is None:
            return None
        if not isinstance(points, list):
            raise SettingsError(f"points must be a list of [x1, x2, label], got {_shown(points)}")
    if not 1 <= len(points) <= MAX_POINTS:
        raise SettingsError(f"{len(points)} points; the explorer trains on 1 to {MAX_POINTS}")
    for i, p in enumerate(points, start=1):
        if not (isinstance(p, list) and len(p) == 3
                and all(_coordinate(v) for v in p[:2])):
            raise SettingsError(f"point {i} must be [x1, x2, label] with x1 and x2 finite numbers "
                                f"from -{MAX_COORDINATE:g} to {MAX_COORDINATE:g}, got {_shown(p)}")
        if p[2] not in (0, 1) or type(p[2]) is bool:
            raise SettingsError(f"point {i}: label {_shown(p[2])}; the explorer draws two classes, "
                                "0 and 1")
    return [[float(a), float(b), int(t)] for a, b, t in points]


def _coordinate(x) -> bool:
    """Whether x is a number from -MAX_COORDINATE to MAX_COORDINATE. The
    comparison alone decides: it is false for nan and inf, and exact for an
    int of 400 digits, which math.isfinite or float() would overflow on."""
    return type(x) in (int, float) and abs(x) <= MAX_COORDINATE


def _weights_from(payload: dict, params: int) -> list[float] | None:
    """`weights`: every parameter of the network, in model.parameters()
    order (a trained network sent in a link), or None to start from the seed's."""
    weights = payload.get("weights")
    if weights is None:
        return None
    if not isinstance(weights, list) or len(weights) != params:
        count = len(weights) if isinstance(weights, list) else _shown(weights)
        raise SettingsError(f"weights: this network has {params} parameters, the link gives "
                            f"{count}; was the link cut short?")
    for i, w in enumerate(weights):
        if not _coordinate(w):
            raise SettingsError(f"weight {i + 1} must be a finite number from "
                                f"-{MAX_COORDINATE:g} to {MAX_COORDINATE:g}, got {_shown(w)}")
    return [float(w) for w in weights]


def _data(dataset: str):
    return DATASETS[dataset.replace("-", "_")]()


def grid_size(params: int) -> int:
    """Points a side of the pictures' grid for a network of `params`
    parameters: as many as GRID_WORK allows, from MIN_GRID to MAX_GRID."""
    return max(MIN_GRID, min(MAX_GRID, int(math.sqrt(GRID_WORK / params))))


def answer_work(params: int, points: int) -> int:
    """Parameter-points of one answer with its pictures: DATA_PASSES over
    the data, and one forward pass for each point of the pictures' grid."""
    return params * (DATA_PASSES * points + grid_size(params) ** 2)


def _check_work(settings: dict, points: int) -> int:
    """The network's parameter count, or SettingsError when one answer
    (answer_work) would cost more than MAX_EVAL_WORK parameter-points.
    Counted, not built."""
    sizes = settings["hidden"] + [OBJECTIVES[settings["loss"]].outputs]
    try:
        params = check_model_size(2, sizes)
    except ValueError as error:
        raise SettingsError(f"hidden: {error}") from None
    work = answer_work(params, points)
    if work > MAX_EVAL_WORK:
        grid = grid_size(params) ** 2
        raise SettingsError(
            f"this network is too large to train here: {params:,} parameters x "
            f"({DATA_PASSES} passes over {points} points + {grid} picture points) = {work:,}, "
            f"over the limit of {MAX_EVAL_WORK:,}; use smaller hidden layers or fewer points"
        )
    return params


# ---- the session ------------------------------------------------------------------


class TrainingSession:
    """One network being trained: its settings, data, model and history.

    Each call holds the session's lock, so two requests for one session
    (a Step click while Play runs) take turns instead of mixing updates.
    """

    def __init__(self, settings: dict, gone: Callable[[], bool] = lambda: False):
        """A new network on the settings' data; `gone()`, asked before each
        example of the loss before training, stops it (Stopped)."""
        self.settings = settings
        self.lock = threading.Lock()
        self.objective = OBJECTIVES[settings["loss"]]
        sizes = list(settings["hidden"]) + [self.objective.outputs]
        self.model = MLP(2, sizes, activation=settings["activation"], seed=settings["seed"])
        if settings.get("weights") is not None:  # a trained network, from a link
            for p, w in zip(self.model.parameters(), settings["weights"]):
                p.data = w
        self.parameters = len(self.model.parameters())
        self.loss_fn = LOSSES[self.objective.loss]
        self.steps = 0
        self.history = _History()  # the batch loss of every step
        # Each layer's mean |grad| at every step, kept as the loss is.
        self.grads = [_History() for _ in self.model.layers]
        self.before: list[float] | None = None  # the parameters before the last step
        self.fixed_box = None  # see box()
        self.schedule = None
        if settings["lr_end"] is not None:
            self.schedule = LinearDecay(settings["lr"], settings["lr_end"], settings["decay_steps"])
        self.diverged: str | None = None
        own = settings.get("points")
        X, y = _data(settings["dataset"]) if own is None else ([p[:2] for p in own], [p[2] for p in own])
        self.use_data(X, y, gone)

    def use_points(self, points: list[list], gone: Callable[[], bool] = lambda: False) -> None:
        """The page's own points (from points_from), checked against the
        work cap for this network, then trained on from the next step."""
        _check_work(self.settings, len(points))
        self.settings["points"] = points
        X = [p[:2] for p in points]
        # The map keeps its box while points are edited (a click lands where
        # it was made), and only grows to take in a point outside it.
        x0, x1, y0, y1 = self.box()
        margin = 0.05 * max(x1 - x0, y1 - y0)
        xs, ys = [x for x, _ in X], [y for _, y in X]
        self.fixed_box = (min(x0, min(xs) - margin), max(x1, max(xs) + margin),
                          min(y0, min(ys) - margin), max(y1, max(ys) + margin))
        self.use_data(X, [p[2] for p in points], gone)

    def box(self) -> tuple[float, float, float, float]:
        """The part of the input plane the pictures show: the data's box,
        or the one kept while the page edits its points."""
        return self.fixed_box or _bounds(self.X)

    def use_data(self, X: list, y: list, gone: Callable[[], bool] = lambda: False) -> None:
        """Train on these points from the next step on (the page's own,
        edited while training runs): the model and its history stay.
        `gone()` stops the loss before training, a pass over the points."""
        self.X, self.y = X, y
        n = len(self.X)
        batch = self.settings["batch_size"]
        self.batch_size = n if batch is None or batch >= n else batch
        # The batches in fit's order: the same seed, the same batches.
        self.epochs = batch_order(n, self.batch_size, self.settings["seed"])
        self.queue: list[list[int]] = []  # this epoch's batches still to run
        self.epoch = 0  # epochs finished
        self.epoch_total = 0.0  # sum of loss x batch size over this epoch's steps so far
        # The command line's check, against the loss before training (on
        # these points); the explorer has no last epoch, so no end-of-run check.
        self.check = DivergenceCheck(starting_loss(_Watched(self.model, gone), self.X, self.y,
                                                   self.loss_fn),
                                     DEFAULT_FACTOR, lr=self.settings["lr"])

    def lr(self) -> float:
        return self.settings["lr"] if self.schedule is None else self.schedule(self.steps)

    def step_work(self) -> int:
        """Parameter-points of one step: every parameter, for each point of a batch."""
        return self.parameters * self.batch_size

    def max_steps(self) -> int:
        """The most steps one request may ask for (MAX_STEPS and MAX_STEP_WORK)."""
        return max(1, min(MAX_STEPS, MAX_STEP_WORK // self.step_work()))

    def check_steps(self, steps: int) -> None:
        """Refuse, up front, a request whose steps would cost more than MAX_STEP_WORK."""
        work = steps * self.step_work()
        if steps > 1 and work > MAX_STEP_WORK:
            raise SettingsError(
                f"{steps} steps x {self.parameters:,} parameters x {self.batch_size} points = "
                f"{work:,}, over the limit of {MAX_STEP_WORK:,} a request may ask for; "
                f"ask for at most {self.max_steps()} steps"
            )

    def train(self, steps: int, gone: Callable[[], bool] = lambda: False) -> int:
        """Run up to `steps` SGD steps; fewer if STEP_SECONDS pass first, if
        `gone()` says the page that asked has left, or if training diverges.
        Return how many ran. The first step of a request always finishes
        (unless the page has gone), so that training moves on however slow
        the machine."""
        ran = 0
        deadline = time.monotonic() + STEP_SECONDS

        def stop() -> bool:
            return gone() or (ran > 0 and time.monotonic() > deadline)

        while ran < steps and self.diverged is None and not stop():
            try:
                self._step(stop)
            except Stopped:
                break
            ran += 1
        return ran

    def _step(self, stop: Callable[[], bool]) -> None:
        """One step on the next batch, and the divergence check at an epoch's end."""
        if not self.queue:
            self.queue = list(next(self.epochs))
        batch = self.queue[0]
        lr = self.lr()
        before = [p.data for p in self.model.parameters()]  # for the update-to-data ratio
        try:
            # One step: fit's one epoch of full-batch descent on this batch.
            [loss] = fit(_Watched(self.model, stop), [self.X[i] for i in batch],
                         [self.y[i] for i in batch], self.loss_fn, epochs=1, lr=lr)
        except TrainingDiverged as error:  # NaN or infinity, at this session's step
            self.diverged = self._fit_stopped(error, lr)
            return
        self.queue.pop(0)
        self.steps += 1
        self.history.append(loss)
        self.before = before
        for history, grad in zip(self.grads, mean_abs_grads(self.model)):  # fit's backward left them
            history.append(grad)
        self.epoch_total += loss * len(batch)
        if not self.queue:  # an epoch is done: the command line's check, on its mean loss
            self.epoch += 1
            mean, self.epoch_total = self.epoch_total / len(self.X), 0.0
            try:
                self.check(self.epoch, mean)
            except DivergenceError as error:
                self.diverged = f"training stopped at step {self.steps}: {error}"

    def _fit_stopped(self, error: TrainingDiverged, lr: float) -> str:
        """fit's message with this session's step: each fit call here is one
        step, so fit itself counts "epoch 1, step 1"."""
        what = str(error).partition(" at epoch ")[0]  # "loss became infinite (...)"
        step = self.steps + 1
        if self.steps == 0:
            advice = "no step was taken yet: check the data and the model's initial outputs"
        else:
            advice = f"lower the learning rate (try a tenth: {lr / 10:g})"
        return f"training stopped at step {step} (lr {lr:g}): the {what}; {advice}"

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

    def state(self, *, pictures: bool = True, gone: Callable[[], bool] = lambda: False) -> dict:
        """Where training is: step, epoch, loss, accuracy; with `pictures`
        the boundary and neuron maps over a grid, the weights and the
        diagnosis. `gone()`, asked before each example and each row of
        the grid, stops it (Stopped): no picture for a page that has left."""
        watched = _Watched(self.model, gone)
        outs = [watched(x) for x in self.X]
        try:
            loss = self.loss_fn(outs, self.y).data
        except ArithmeticError:  # outputs so large that the loss overflows a float
            loss = math.inf
        correct = sum(self.objective.classify(o) == t for o, t in zip(outs, self.y))
        history, stride = self.history.values(MAX_HISTORY)
        state = {
            "steps": self.steps,
            "epoch": self.steps * self.batch_size / len(self.X),
            "lr": self.lr(),
            "loss": _finite(loss),
            "correct": correct,
            "total": len(self.y),
            "history": history,
            "history_stride": stride,  # steps averaged into each history value
            # each layer's mean |grad| over the same steps
            "grad_history": [[_finite(g) for g in h.values(MAX_HISTORY)[0]] for h in self.grads],
            "max_steps": self.max_steps(),
            "diverged": self.diverged,
        }
        if pictures:
            state.update(self._pictures(gone))
        return state

    def _pictures(self, gone: Callable[[], bool]) -> dict:
        size = grid_size(self.parameters)
        x0, x1, y0, y1 = self.box()
        xs = [x0 + (x1 - x0) * (i + 0.5) / size for i in range(size)]
        ys = [y1 - (y1 - y0) * (j + 0.5) / size for j in range(size)]  # top row first
        widths = [len(layer.neurons) for layer in self.model.layers]
        maps = [[[] for _ in range(w)] for w in widths]  # every layer's, the output's too
        boundary = []
        for y in ys:
            if gone():
                raise Stopped()
            for x in xs:
                hidden, out = self._forward([x, y])
                boundary.append(_finite(self.score(out)))
                outputs = [o.data for o in out] if isinstance(out, list) else [out.data]
                for li, values in enumerate(hidden + [outputs]):
                    for ni, v in enumerate(values):
                        maps[li][ni].append(_finite(v))
        if gone():  # the diagnosis is a pass forward and back over the data: not for no one
            raise Stopped()
        weights = [[[_finite(w.data) for w in n.w] + ([_finite(n.b.data)] if n.b is not None else [])
                    for n in layer.neurons]
                   for layer in self.model.layers]
        return {
            "grid": {"size": size, "box": [x0, x1, y0, y1]},
            "boundary": boundary,
            "maps": maps,
            "weights": weights,
            "points": [[x[0], x[1], t] for x, t in zip(self.X, self.y)],
            "diagnosis": self._diagnosis(),
            # every parameter, in model.parameters() order, for a link to carry (small networks)
            "parameters": ([p.data for p in self.model.parameters()]
                           if self.parameters <= MAX_LINK_PARAMETERS and self.diverged is None else None),
        }

    def _diagnosis(self) -> dict | None:
        """diagnose() on all the points, for the network view: each layer's
        dead units, saturated units, mean |grad| and last update ratio, and
        the warnings; None for a network whose numbers have overflowed."""
        try:
            d = diagnose(self.model, self.X, self.y, self.loss_fn, before=self.before)
        except (ValueError, ArithmeticError):
            return None
        layers = [{"dead_units": h.dead_units, "dead": h.dead, "saturated": h.saturated,
                   "units": h.units, "activation": h.activation, "grad": _finite(h.grad),
                   "update": None if h.update is None else _finite(h.update)} for h in d.layers]
        return {"layers": layers, "warnings": d.warnings}

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
        params = [f"w{i}" for i in range(len(n.w))]
        values = {f"w{i}": w.data for i, w in enumerate(n.w)}
        if n.b is not None:
            terms.append("b")
            params.append("b")
            values["b"] = n.b.data
        text = " + ".join(terms)
        if n.activation != "linear":
            text = f"{n.activation}({text})"
        values.update({f"{prefix}{i}": v for i, v in enumerate(inputs)})
        where = "output" if layer == len(layers) - 1 else f"hidden layer {layer + 1}"
        return {
            "expression": text,
            "values": values,
            "params": params,
            "caption": (f"neuron {neuron + 1} of the {where}, on example {example + 1} "
                        f"(x = {x[0]:.3g}, {x[1]:.3g}; label {self.y[example]}), after "
                        f"{self.steps} steps"),
        }


class _Watched:
    """The model as fit sees it in the explorer: the same parameters and
    forward pass, with `stop()` asked before each example, so that a step
    whose time is up, or whose page has gone, is abandoned (Stopped) before
    its update (and a pass over the data for a page that has gone, too)."""

    def __init__(self, model: MLP, stop: Callable[[], bool]):
        self.model = model
        self.stop = stop

    def parameters(self):
        return self.model.parameters()

    def __call__(self, x):
        if self.stop():
            raise Stopped()
        return self.model(x)


MAX_NEURON_INPUTS = 32  # a wider neuron's graph has too many boxes to read


MAX_HISTORY = 1000  # loss values sent per answer: a long run is averaged down to this


class _History:
    """The loss of every step, kept in at most 2 x MAX_HISTORY numbers: when
    the list fills up, neighbours are averaged in pairs and each number
    stands for twice as many steps as before (a page left playing for a
    day must not fill the server's memory)."""

    def __init__(self):
        self.means: list[float] = []
        self.stride = 1  # steps per number in `means`
        self.partial: list[float] = []  # the steps not yet averaged into one

    def append(self, loss: float) -> None:
        self.partial.append(loss)
        if len(self.partial) < self.stride:
            return
        self.means.append(sum(self.partial) / len(self.partial))
        self.partial = []
        if len(self.means) >= 2 * MAX_HISTORY:
            self.means = [(a + b) / 2 for a, b in zip(self.means[::2], self.means[1::2])]
            self.stride *= 2

    def values(self, most: int) -> tuple[list[float], int]:
        """At most `most` numbers, and how many steps each stands for."""
        values = self.means + ([sum(self.partial) / len(self.partial)] if self.partial else [])
        if len(values) <= most:
            return values, self.stride
        size = math.ceil(len(values) / most)
        thinned = [sum(values[i : i + size]) / len(values[i : i + size])
                   for i in range(0, len(values), size)]
        return thinned, self.stride * size


def _finite(x: float) -> float | None:
    """A number as JSON can hold it: nan and inf (a diverged network) become null."""
    return x if math.isfinite(x) else None
