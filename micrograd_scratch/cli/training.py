"""The training run that `xor` and `train` share: their options, the MLP,
`fit` with a progress line every so many epochs, and the accuracy.

`train_model(...)` builds the MLP, trains it while printing the loss and
returns a `TrainingRun` (model, data, loss, history, predictions);
`finish_training(args, run)` prints the accuracy and writes the outputs
asked for (outputs.py). An output either command can write after training
is an option in `add_training_options` and a few lines in outputs.py.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import sys
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from ..data import DATASETS, MAX_CLASSES, DataFileError, load_csv
from ..diagnose import diagnose
from ..losses import LOSSES, softmax
from ..ops import sigmoid
from ..nn import MLP, activation_names
from ..divergence import DEFAULT_FACTOR, DivergenceCheck, rate_that_holds, starting_loss
from ..optim import LinearDecay, TrainingDiverged, fit
from ..plot import FORMATS, INSTALL_HINT, default_classify
from ..serialize import check_model_size
from ..drawing import FORMATS as GRAPH_FORMATS
from ..drawing.styles import DPI, check_dpi
from .args import (
    FALLBACK, MAX_EPOCHS, PROG, UsageError, divergence_factor, epoch_count, finite_float,
    fraction, integer, layer_sizes, model_out_file, output_file, positive_float, positive_int,
)
from . import outputs, signals

__all__ = [
    "Objective", "OBJECTIVES", "TRAIN_DEFAULTS", "LOSS_DEFAULTS", "ACTIVATION_DEFAULTS",
    "defaults_for", "settings_for", "DecayAboveRate", "TrainingRun", "TrainingInterrupted", "train_model",
    "add_training_options", "train_from_args", "finish_training", "DATA_DEFAULTS",
    "label_kind", "objective_for",
]


# ---- what a loss says about the network ---------------------------------


@dataclass(frozen=True)
class Objective:
    """How a loss reads the network: `outputs` neurons in the last layer,
    and `classify`, which turns the network's output for one example into
    a predicted class 0 or 1. (Every loss takes the 0/1 labels of `data`
    as they are, so there is no target encoding to choose.)"""

    loss: str  # a key of losses.LOSSES
    outputs: int
    classify: Callable[[object], int]
    rule: str  # the prediction, in words
    regression: bool = False  # the labels are numbers to predict, not classes
    # An output too close to the threshold to call (the text map's `:`).
    undecided: Callable[[object], bool] | None = None


# An output within this of the threshold, read as a probability (mse's
# output, bce's sigmoid, cross-entropy's two largest) or a margin (hinge's
# score, whose targets are +-1), is undecided: a network stuck at 0.50
# everywhere has drawn no boundary, whatever rounding says.
UNDECIDED_BAND = 0.05


def _close_logits(out) -> bool:
    """Cross-entropy: the two largest class probabilities within 2 x the band."""
    p = sorted((v.data for v in softmax(out)), reverse=True)
    return p[0] - p[1] < 2 * UNDECIDED_BAND


# Keyed by the command-line spelling of the loss.
OBJECTIVES = {
    # Least squares regresses the label itself: 0 or 1, so the cut is 1/2.
    "mse": Objective("mse", 1, lambda out: int(out.data > 0.5), "1 if output > 0.5, else 0",
                     undecided=lambda out: abs(out.data - 0.5) < UNDECIDED_BAND),
    # A logit of 0 is probability sigmoid(0) = 1/2.
    "bce": Objective("bce", 1, lambda out: int(out.data > 0), "1 if logit > 0, else 0",
                     undecided=lambda out: abs(sigmoid(out.data) - 0.5) < UNDECIDED_BAND),
    # The margin loss pushes class 1 above +1 and class 0 below -1.
    "hinge": Objective("hinge", 1, lambda out: int(out.data > 0), "1 if score > 0, else 0",
                       undecided=lambda out: abs(out.data) < UNDECIDED_BAND),
    # One logit per class; the larger one wins.
    "cross-entropy": Objective("cross_entropy", 2, default_classify,  # the largest logit's class
                               "the class with the larger logit", undecided=_close_logits),
}

# `train`'s defaults for each data set, chosen so that a run takes seconds
# and reaches a high training accuracy with the default seed.
TRAIN_DEFAULTS = {
    # The talk's J: least squares on the four points, full batch.
    "xor": dict(loss="mse", lr=0.1, epochs=200, batch_size=None),
    # The talk's "difficult mode": 200 noisy points, so minibatches.
    "noisy-xor": dict(loss="bce", lr=0.2, epochs=10, batch_size=16),
    # Softmax cross-entropy over two classes; the blobs are easy to split.
    "blobs": dict(loss="cross-entropy", lr=0.1, epochs=5, batch_size=16),
    # micrograd's demo data and loss (hinge), with a decaying rate as in
    # micrograd's demo: at a constant 0.2 for 30 epochs the last epoch's
    # loss could jump 10x (0.017 -> 0.17 with seed 0; it ended 1.2-10x above
    # its best on 4 of seeds 0-4, 96-100% accurate); decayed over 50 epochs
    # it ends within 1.14x of its best, 100% on each seed.
    "moons": dict(loss="hinge", lr=0.2, lr_end=0.02, epochs=50, batch_size=16),
}

# Where another loss or activation needs other settings to learn on a data
# set. Each comment gives the training accuracy over seeds 0-4 with the
# data set's own settings, then with the row's.
LOSS_DEFAULTS = {
    # least squares on 200 noisy points: 50-95% at lr 0.2; 92-95%
    ("noisy-xor", "mse"): dict(lr=0.05),
    # hinge on noisy points: 86-94%; 90-95%
    ("noisy-xor", "hinge"): dict(lr=0.1),
    # least squares from (+-2, +-2) starts with outputs of ~10: the loss
    # explodes to 1e213 at lr 0.1; a smaller rate, decayed, 99-100%
    ("blobs", "mse"): dict(lr=0.02, lr_end=0.001, epochs=20),
    # 50% (diverged) to 99% at lr 0.2; 90-100% at 0.05 for 30 epochs, ending
    # up to 1.9x above its best loss; decayed over the 50 epochs, 96-100%
    ("moons", "mse"): dict(lr=0.05, lr_end=0.005),
}
ACTIVATION_DEFAULTS = {
    # sigmoid's slope is at most 1/4, so its units learn slowly:
    # 2-4 of the 4 points after 200 epochs, 4 of 4 after 1000
    ("xor", "sigmoid"): dict(epochs=1000),
}


# `train --data FILE`'s defaults, by what its labels are (label_kind). Two
# classes get the xor command's settings, so a file of the four XOR points
# trains exactly as `xor` does (a batch of 16 holds them all). `epochs` is
# for up to 100 points; a larger file gets fewer (data_epochs), so that a
# default run stays at about 20,000 examples.
DATA_DEFAULTS = {
    "two classes": dict(loss="mse", lr=0.1, epochs=200, batch_size=16),
    "classes": dict(loss="cross-entropy", lr=0.1, epochs=200, batch_size=16),
    # Numbers of any scale: a smaller rate (the divergence check says when
    # even that is too large for the file's numbers).
    "numbers": dict(loss="mse", lr=0.05, epochs=200, batch_size=16),
}


def label_kind(y) -> str:
    """What a file's labels are: "two classes" (0 and 1), "classes"
    (whole numbers 0 .. MAX_CLASSES - 1) or "numbers" (anything else,
    learnt by mse regression)."""
    if all(t in (0, 1) for t in y):
        return "two classes"
    if all(type(t) is int and 0 <= t < MAX_CLASSES for t in y):
        return "classes"
    return "numbers"


def data_epochs(n: int) -> int:
    """DATA_DEFAULTS' epochs for n points: 200 up to 100 points, then about
    20,000 examples in all, and never fewer than 20 epochs."""
    return max(20, min(200, 20_000 // n))


def objective_for(loss: str, y) -> Objective:
    """How `loss` (the command line's spelling) reads a network trained on
    the labels y: cross-entropy gets one output per class, and mse on
    labels that are not 0/1 is a regression, judged by its error."""
    objective = OBJECTIVES[loss]
    if objective.loss == "cross_entropy":
        classes = max(2, max(y) + 1)
        if classes > 2:
            objective = replace(objective, outputs=classes, rule="the class with the largest logit")
    elif objective.loss == "mse" and label_kind(y) != "two classes":
        objective = replace(objective, rule="the output is the prediction", regression=True)
    return objective


def defaults_for(dataset: str, loss: str | None = None, activation: str = "relu") -> dict:
    """The settings that learn `dataset` with `loss` (None: the data set's
    own) and `activation`: loss, lr, lr_end, epochs and batch_size.
    `dataset` may also be a kind of labels of DATA_DEFAULTS (train --data)."""
    settings = {"lr_end": None, **(TRAIN_DEFAULTS.get(dataset) or DATA_DEFAULTS[dataset])}
    settings["loss"] = loss = loss or settings["loss"]
    settings.update(LOSS_DEFAULTS.get((dataset, loss), {}))
    settings.update(ACTIVATION_DEFAULTS.get((dataset, activation), {}))
    return settings


class DecayAboveRate(ValueError):
    """A decay that would end above the rate it starts from (lr_end > lr):
    the rate would climb, which no one means."""

    def __init__(self, lr: float, lr_end: float):
        super().__init__(f"{lr_end:g} is above the learning rate {lr:g}; "
                         f"a decay ends below where it starts")
        self.lr, self.lr_end = lr, lr_end


def settings_for(dataset: str, loss: str | None = None, activation: str = "relu",
                 **given) -> dict:
    """The settings a run trains with: `defaults_for`'s, with each of
    `given` (lr, lr_end, epochs, batch_size; None: not given) put over
    them. A learning rate given alone trains without decay, since a tuned
    decay goes with its own rate. Raises DecayAboveRate for an lr_end
    above lr. The command line and the explorer both read their settings
    from here."""
    settings = defaults_for(dataset, loss, activation)
    for name, value in given.items():
        if value is not None:
            settings[name] = value
    if given.get("lr") is not None and given.get("lr_end") is None:
        settings["lr_end"] = None
    if settings["lr_end"] is not None and settings["lr_end"] > settings["lr"]:
        raise DecayAboveRate(settings["lr"], settings["lr_end"])
    return settings


def tuned_text(dataset: str) -> str:
    """The rows above for one data set, in words, for --help."""
    rows = [(f"--loss {k}", v) for (d, k), v in LOSS_DEFAULTS.items() if d == dataset]
    rows += [(f"--activation {k}", v) for (d, k), v in ACTIVATION_DEFAULTS.items() if d == dataset]
    parts = []
    for when, change in rows:
        what = []
        if "lr" in change:
            what.append(f"lr {change['lr']:g}" + (f" -> {change['lr_end']:g}" if "lr_end" in change else ""))
        if "epochs" in change:
            what.append(f"{change['epochs']} epochs")
        parts.append(f"with {when}, {', '.join(what)}")
    return "; ".join(parts)


# ---- the options ------------------------------------------------------------


def add_training_options(parser, *, hidden: list[int], activation: str, dataset: str | None = None):
    """The options xor and train share. Those left out are filled in by
    `defaults_for` from the data set, the loss and the activation
    (`dataset` None: it depends on --dataset)."""

    def default(name: str) -> str:
        if dataset is None:
            return "depends on --dataset"
        value = TRAIN_DEFAULTS[dataset].get(name)
        if value is None:
            return "no decay" if name == "lr_end" else "full batch"
        return str(value)

    parser.add_argument(
        "--hidden", type=layer_sizes, default=hidden, metavar="SIZES",
        help="hidden layer sizes, comma-separated, e.g. 16,16 (default: "
        f"{','.join(map(str, hidden))})",
    )
    parser.add_argument(
        "--activation", choices=activation_names(), default=activation,
        help="non-linearity of the hidden layers (default: %(default)s)",
    )
    parser.add_argument("--loss", choices=list(OBJECTIVES), default=None,
                        help=f"the loss to minimise (default: {default('loss')})")
    parser.add_argument("--lr", type=positive_float, default=None,
                        help=f"learning rate (default: {default('lr')})")
    parser.add_argument(
        "--lr-end", type=positive_float, default=None, metavar="LR",
        help="decay the learning rate linearly from --lr down to this over the run; "
        f"it may not be above --lr (default: {default('lr_end')}; a --lr given alone: no decay)",
    )
    parser.add_argument("--momentum", type=fraction, default=0.0, metavar="MU",
                        help="SGD with momentum MU, from 0 (plain SGD) to below 1; 0.9 is "
                        "usual (default: %(default)s)")
    parser.add_argument("--epochs", type=epoch_count, default=None,
                        help=f"passes over the data, at most {MAX_EPOCHS} "
                        f"(default: {default('epochs')})")
    parser.add_argument(
        "--batch-size", type=positive_int, default=None, metavar="N",
        help="examples per step: minibatch SGD when smaller than the data set "
        f"(default: {default('batch_size')})",
    )
    parser.add_argument("--seed", type=integer, default=0,
                        help="seeds the initial weights and the minibatch order "
                        "(default: %(default)s)")
    parser.add_argument(
        "--divergence-factor", type=divergence_factor, default=DEFAULT_FACTOR, metavar="F",
        help="stop with exit status 1 when the loss grows past F times its value before "
        "training, or ends the run above it (default: %(default)g; 0 turns it off)",
    )
    parser.add_argument(
        "--save", type=model_out_file, default=None, metavar="FILE",
        help="after training, save the model to FILE (.json; run it with "
        f"`{PROG} predict --model FILE X1 X2`); also on Ctrl-C, the model trained so far",
    )
    parser.add_argument(
        "--plot", type=output_file(FORMATS), default=None, metavar="FILE",
        help="after training, write the loss curve and the decision boundary to FILE "
        f"(.png, .svg or .pdf; needs matplotlib: {INSTALL_HINT})",
    )
    parser.add_argument(
        "--graph", type=output_file(GRAPH_FORMATS), default=None, metavar="FILE",
        help="after training, draw the network: each neuron a map of what it computes over "
        "the input plane, edges by the weights' sign and size, following the example with the "
        "largest loss (.png, .svg or .pdf, needs matplotlib; .dot or .gv: Graphviz's graph, "
        "one box per neuron)",
    )
    parser.add_argument("--graph-detail", action="store_true",
                        help="with --graph, draw Graphviz's graph of every weight and operation, "
                        "coloured by the gradient of the example's loss")
    parser.add_argument("--graph-input", type=graph_input, default=None, metavar="X1,X2",
                        help="with --graph, follow this input instead of the example with the "
                        "largest loss (its target: the label of the nearest training point)")
    outputs.add_training_animation_options(parser)  # --animate, --animate-every, --fps
    parser.add_argument("--dpi", type=dpi, default=DPI, metavar="N",
                        help="pixels per inch of a .png from --plot or --graph, and of the "
                        "frames of --animate (default: %(default)s)")
    outputs.add_picture_options(parser, network=True)  # --style, --size, --edges
    parser.add_argument("--diagnose", action="store_true",
                        help="after training, print each layer's health: dead and saturated "
                        "units, the mean |grad| of its weights and the last step's "
                        "update-to-data ratio, with a warning past each threshold (a run "
                        "that ends below 80%% accuracy gets the warnings anyway)")
    if dataset is None:  # train: your own points instead of a data set
        parser.add_argument(
            "--data", default=None, metavar="FILE",
            help="train on the points of a CSV file instead of --dataset: input columns "
            "(any number), then a label; a first row of names is a header. Labels 0/1 are "
            "two classes, 0..K-1 classes for cross-entropy, other numbers a regression "
            "with mse (defaults: " + "; ".join(
                f"{kind}: {d['loss']} loss, lr {d['lr']}" for kind, d in DATA_DEFAULTS.items())
            + "; 200 epochs up to 100 points, fewer past that)",
        )


def graph_input(text: str) -> tuple[float, float]:
    """--graph-input: two finite numbers, x1,x2."""
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected two numbers x1,x2, got {text!r}")
    return finite_float(parts[0]), finite_float(parts[1])


def dpi(text: str) -> int:
    """--dpi: pixels per inch, in the range every picture takes (styles.check_dpi)."""
    try:
        return check_dpi(integer(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# ---- the run ----------------------------------------------------------------


@dataclass
class TrainingRun:
    """Everything a training command produced, in one place for the
    outputs that follow it (the accuracy, a truth table, files)."""

    model: MLP
    X: list[list[float]]
    y: list[int]
    dataset: str
    objective: Objective
    history: list[float]  # the mean loss of each epoch finished so far
    activation: str = "relu"
    before: list[float] | None = None  # the parameters before the last step (for --diagnose)
    initial: list[float] | None = None  # the parameters before training (for --diagnose)
    recorder: object = None  # --animate's TrainingRecorder, which filmed the run

    def predict(self, x) -> int:
        """The predicted class, 0 or 1, of one example."""
        return self.objective.classify(self.model(x))

    def correct(self) -> int:
        """How many training examples the model now classifies right."""
        return sum(self.predict(x) == label for x, label in zip(self.X, self.y))

    def why_no_map(self) -> str | None:
        """Why the decision map cannot be drawn for this run, or None: a
        map is of two inputs, and of classes."""
        if len(self.X[0]) != 2:
            n = len(self.X[0])
            return (f"{self.dataset} has {n} input column{'s' if n > 1 else ''}, and a map "
                    "shows two (x1 across, x2 up)")
        if self.objective.regression:
            return "the labels are numbers to predict (a regression), not classes"
        return None

    def mse_and_r2(self) -> tuple[float, float | None]:
        """A regression's fit: the mean squared error, and R^2 = 1 - mse /
        variance of the labels (1 fits exactly, 0 is no better than
        predicting the mean; None when every label is the same)."""
        n = len(self.y)
        mse = sum((self.model(x).data - t) ** 2 for x, t in zip(self.X, self.y)) / n
        mean = sum(self.y) / n
        variance = sum((t - mean) ** 2 for t in self.y) / n
        return mse, (1 - mse / variance if variance > 0 else None)


class TrainingInterrupted(Exception):
    """Ctrl-C (or SIGTERM, SIGHUP: `signum`) during training: raised at
    the start of the next step, or, on a second signal, with the model put
    back as it was when the step it stopped began; either way the model
    holds whole steps only. `run` is the run so far (its history has one
    loss per finished epoch), `epochs` the number it was to run."""

    def __init__(self, signum: int, run: TrainingRun | None = None, epochs: int = 0):
        super().__init__(signals.describe(signum))
        self.signum, self.run, self.epochs = signum, run, epochs


def train_model(
    dataset: str,
    *,
    hidden: Sequence[int],
    activation: str,
    loss: str,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    lr_end: float | None = None,
    momentum: float = 0.0,
    seed: int = 0,
    divergence_factor: float = DEFAULT_FACTOR,
    data: tuple[list, list] | None = None,
    on_epoch: Callable[[int, TrainingRun], None] | None = None,
) -> TrainingRun:
    """Build an MLP for `dataset` (a key of TRAIN_DEFAULTS) and train it
    with `fit`, printing the setup and then the loss every so many epochs.
    `data`, an (X, y) pair, trains on those points instead (`dataset` then
    only names them): any number of inputs, labels as `objective_for` reads them.

    Raises DivergenceError (a TrainingDiverged) when the loss diverges
    (see divergence.py; `divergence_factor` 0 checks only for NaN and
    infinity), and TrainingInterrupted on Ctrl-C, with `.run` holding the
    model trained so far.

    `on_epoch(epoch, run)`, the hook for a view of training as it runs
    (--animate's TrainingRecorder), is called before the first step with
    epoch 0, then after each epoch, once its loss is in run.history."""
    X, y = data if data is not None else DATASETS[dataset.replace("-", "_")]()
    objective = objective_for(loss, y)
    loss_fn = LOSSES[objective.loss]
    sizes = list(hidden) + [objective.outputs]
    nin = len(X[0])
    model = MLP(nin, sizes, activation=activation, seed=seed)
    run = TrainingRun(model, X, y, dataset, objective, [], activation,
                      initial=[p.data for p in model.parameters()])

    full_batch = batch_size is None or batch_size >= len(X)
    steps_per_epoch = 1 if full_batch else math.ceil(len(X) / batch_size)
    schedule = None
    if lr_end is not None:
        schedule = LinearDecay(lr, lr_end, epochs * steps_per_epoch)

    arch = "-".join(map(str, [nin] + sizes))
    batching = "full batch" if full_batch else f"batches of {batch_size}"
    rate = f"lr {lr:g}" + (f" -> {lr_end:g}" if lr_end is not None else "")
    rate += f", momentum {momentum:g}" if momentum else ""

    # About ten progress lines, whatever the number of epochs.
    every = max(1, epochs // 10)
    width = len(str(epochs))

    def progress(epoch: int, value: float) -> None:
        run.history.append(value)
        if epoch == 1 or epoch % every == 0 or epoch == epochs:
            print(f"epoch {epoch:>{width}}/{epochs}  loss {_number(value)}", flush=True)
        if on_epoch is not None:
            on_epoch(epoch, run)

    with signals.asked_to_stop() as request:
        check = DivergenceCheck(starting_loss(model, X, y, loss_fn), divergence_factor,
                                epochs=epochs, then=progress,
                                final=lambda: starting_loss(model, X, y, loss_fn))
        # The first line says that training has started (flushed: a reader
        # of the pipe may wait for it before it sends Ctrl-C).
        print(f"MLP {arch} ({activation}, {len(model.parameters())} parameters) on {dataset} "
              f"({len(X)} points): {loss} loss, {rate}, {batching}, seed {seed}", flush=True)
        if on_epoch is not None:
            on_epoch(0, run)
        try:
            fit(model, X, y, _stopping(request, _remembering_start(loss_fn, run)), epochs=epochs,
                lr=lr, momentum=momentum, batch_size=batch_size, schedule=schedule, seed=seed,
                callback=check)
        except TrainingInterrupted as interrupted:  # a signal asked, and the step ended
            raise TrainingInterrupted(interrupted.signum, run, epochs) from None
        except KeyboardInterrupt as stop:  # a second signal stopped a step part-way
            if run.before is not None:
                for p, data in zip(model.parameters(), run.before):
                    p.data = data
            raise TrainingInterrupted(request.signum or signals.signal_of(stop), run,
                                      epochs) from None
    return run


def _remembering_start(loss_fn, run: TrainingRun):
    """loss_fn, keeping in run.before the parameters as each step starts
    (fit computes the loss first): diagnose's update-to-data ratio compares
    them with where the last step left them, whatever the optimizer did."""
    params = run.model.parameters()

    def loss(scores, targets):
        run.before = [p.data for p in params]
        return loss_fn(scores, targets)

    return loss


def _stopping(request: signals.StopRequest, loss_fn):
    """loss_fn, raising TrainingInterrupted once a signal has asked to
    stop. fit computes the loss at the start of each step, before the
    backward pass and the update, so this is where a step begins."""

    def loss(scores, targets):
        if request.signum is not None:
            raise TrainingInterrupted(request.signum)
        return loss_fn(scores, targets)

    return loss


def train_from_args(args: argparse.Namespace, dataset: str) -> TrainingRun:
    """train_model with the command line's options, those left out filled
    in by `defaults_for`. A Ctrl-C ends the command here, after one line
    (and the model saved with --save), with exit status 130."""
    outputs.check_distinct(("--save", args.save), ("--plot", args.plot), ("--graph", args.graph),
                           ("--animate", args.animate), inputs=[("--data", getattr(args, "data", None))])
    for option, given in (("--graph-detail", args.graph_detail), ("--graph-input", args.graph_input)):
        if given and args.graph is None:  # else it would be accepted and do nothing
            raise UsageError(f"argument {option}: says how --graph draws the network; "
                             "give --graph FILE too")
    if args.edges is not None and args.graph is None and args.animate is None:
        raise UsageError("argument --edges: says how many weights --graph and --animate draw "
                         "into each unit; give --graph FILE or --animate FILE too")
    data, defaults, nin = None, dataset, 2
    if getattr(args, "data", None) is not None:  # train --data FILE
        data = _read_data(args)
        dataset, defaults, nin = args.data, label_kind(data[1]), len(data[0][0])
        if args.graph_input is not None and nin != 2:
            raise UsageError(f"argument --graph-input: gives two inputs, and {args.data} has {nin}")
    try:
        settings = settings_for(defaults, args.loss, args.activation,
                                **{name: getattr(args, name)
                                   for name in ("lr", "lr_end", "epochs", "batch_size")})
    except DecayAboveRate as error:
        raise UsageError(f"argument --lr-end: {error.lr_end:g} is above --lr "
                         f"{error.lr:g}; a decay ends below where it starts") from None
    if data is not None and args.epochs is None:
        settings["epochs"] = data_epochs(len(data[0]))
    objective = OBJECTIVES[settings["loss"]] if data is None else objective_for(settings["loss"], data[1])
    outputs_count = objective.outputs
    try:  # the caps a model file is read under (serialize): what is trained can be loaded
        check_model_size(nin, list(args.hidden) + [outputs_count])
    except ValueError as error:
        raise UsageError(f"argument --hidden: {error}") from None
    X, y = data if data is not None else DATASETS[dataset.replace("-", "_")]()
    outputs.check_network_graph(args, MLP(nin, list(args.hidden) + [outputs_count],
                                          activation=args.activation, seed=args.seed),
                                X, y, objective.loss)
    recorder = outputs.training_recorder(args, settings["epochs"], nin, objective.regression)

    def filmed(epoch: int, run: TrainingRun) -> None:  # --animate: sees every epoch, keeps every K-th
        recorder.observe(epoch, run.model, run.history)

    try:
        run = train_model(dataset, hidden=args.hidden, activation=args.activation,
                          seed=args.seed, momentum=args.momentum,
                          divergence_factor=args.divergence_factor, data=data,
                          on_epoch=filmed if recorder is not None else None, **settings)
        run.recorder = recorder
        return run
    except TrainingInterrupted as stopped:
        with signals.held():  # another signal waits for the save, and this one stops the command
            sys.stdout.flush()
            line = (f"{PROG}: {signals.describe(stopped.signum)} at epoch "
                    f"{len(stopped.run.history) + 1} of {stopped.epochs}")
            if args.save is not None:
                try:
                    outputs.save_model(args, stopped.run, quiet=True)
                    line += f"; saved the model trained so far to {args.save}"
                except ValueError as error:
                    line += f"; {error}"
            print(line, file=sys.stderr, flush=True)
            raise signals.interrupt(stopped.signum) from None
    except TrainingDiverged as error:
        if error.step == 1:  # no step taken yet: the start is at fault, not the rate
            raise
        raise ValueError(f"{error}{_rate_to_try(args, dataset, data, settings, error)}") from None


RATES_TO_TRY = 6  # a tenth of the rate, a hundredth, ... a millionth


def _rate_to_try(args: argparse.Namespace, dataset: str, data, settings: dict,
                 error: TrainingDiverged) -> str:
    """The advice after a diverged run: a lower --lr that, tried on this
    run from the start, did not diverge in its first epochs (more than
    twice as many as the failed run took), or what to do when none held."""
    epochs = min(settings["epochs"], max(2 * error.epoch, 20))

    def attempt(rate: float) -> None:  # the same run, its lines not printed
        with contextlib.redirect_stdout(io.StringIO()):
            train_model(dataset, hidden=args.hidden, activation=args.activation, seed=args.seed,
                        momentum=args.momentum, divergence_factor=args.divergence_factor,
                        data=data, **{**settings, "lr": rate, "lr_end": None, "epochs": epochs})

    try:  # a rate that diverges stops within a few epochs: trying many costs little
        rate = rate_that_holds(attempt, settings["lr"], tries=RATES_TO_TRY)
    except TrainingInterrupted:  # a Ctrl-C while trying: the failure itself is the news
        return ""
    if rate is None:
        return (f"; --lr {settings['lr'] / 10:g} down to {settings['lr'] / 10 ** RATES_TO_TRY:g} "
                f"diverged too, in the first {epochs} epochs of this run")
    return f", e.g. --lr {rate:g} (it did not diverge in the first {epochs} epochs of this run)"


def _read_data(args: argparse.Namespace) -> tuple[list, list]:
    """--data FILE's points, read before anything runs: a bad file is a bad
    argument, named by its row and column. With --loss, each label must be
    one that loss learns from."""
    loss = OBJECTIVES[args.loss].loss if args.loss is not None else None
    try:
        return load_csv(args.data, loss=loss)
    except DataFileError as error:
        raise UsageError(f"argument --data: {error}") from None


def finish_training(args: argparse.Namespace, run: TrainingRun) -> int:
    """What every training command ends with: the training accuracy (and a
    hint when it is poor), then the files asked for, the model first (a
    trained model is never lost: until it is saved, a signal waits).
    Returns the exit status: 0, or 3 when a file asked for was written in
    a fallback format or not at all."""
    # Ctrl-C (or SIGTERM, SIGHUP) while the files are written: say which were not.
    pending = [f"{option} {path}" for option, path in
               (("--save", getattr(args, "save", None)), ("--plot", getattr(args, "plot", None)),
                ("--graph", getattr(args, "graph", None)), ("--animate", getattr(args, "animate", None)))
               if path is not None]

    def written(option: str) -> None:
        pending[:] = [p for p in pending if not p.startswith(option + " ")]

    with signals.naming_unwritten(pending):
        with signals.held():
            _report(args, run)
            outputs.save_model(args, run)
            written("--save")
        complete = outputs.pictures(args, run)
        written("--plot")
        complete = outputs.network_graph(args, run) and complete
        written("--graph")
        complete = outputs.training_animation(args, run) and complete
    return 0 if complete else FALLBACK


def _report(args: argparse.Namespace, run: TrainingRun) -> None:
    """The training accuracy (or a regression's error), and a hint or the
    diagnosis when it is poor or --diagnose asks."""
    n = len(run.y)
    if run.objective.regression:
        mse, r2 = run.mse_and_r2()
        shown = "-" if r2 is None else f"{r2:.3f}"
        print(f"training error: mse {mse:.6g}, R^2 {shown} (1 fits every label; 0 is no "
              "better than predicting their mean)")
        stuck = r2 is not None and r2 < 0.5
    else:
        correct = run.correct()
        print(f"training accuracy: {correct}/{n} ({100 * correct / n:.0f}%)")
        stuck = correct < 0.8 * n
    diagnosis = None
    if stuck or getattr(args, "diagnose", False):
        diagnosis = diagnose(run.model, run.X, run.y, LOSSES[run.objective.loss], before=run.before,
                             initial=run.initial)
    if getattr(args, "diagnose", False):
        print("\ndiagnosis, on the whole data after the last step:")
        print(diagnosis)
    elif stuck:
        # The first two findings, each one line; or, with none, the general advice.
        lines = diagnosis.warnings[:2] or [_hint(run)]
        momentum = getattr(args, "momentum", 0.0)
        if momentum:  # a likely cause the per-layer figures cannot name
            lines = lines[:1] + [
                f"momentum {momentum:g} makes each step up to {1 / (1 - momentum):.0f}x the "
                f"plain one (a sum of past steps); try a lower --momentum, or a lower --lr"]
        for line in lines:
            print("hint: " + line)


def _hint(run: TrainingRun) -> str:
    """What to try when a run learned too little."""
    if run.activation == "linear":
        return (f"with --activation linear the network is one linear map, so it draws one "
                f"straight boundary; {run.dataset} needs one that bends: use relu or tanh")
    if run.activation == "sigmoid":
        return ("sigmoid units learn slowly (their slope is at most 1/4); "
                "try --activation tanh, or more --epochs")
    return "try more --epochs, another --lr or --seed, or larger --hidden layers"


def _number(x: float) -> str:
    """A loss for the progress lines: fixed point, unless it has blown up."""
    return f"{x:.6f}" if abs(x) < 1e4 else f"{x:.3e}"
