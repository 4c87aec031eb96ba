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
import math
from dataclasses import dataclass
from typing import Callable, Sequence

from ..data import DATASETS
from ..losses import LOSSES
from ..nn import MLP, activation_names
from ..optim import LinearDecay, fit
from ..plot import FORMATS, INSTALL_HINT
from ..draw import FORMATS as GRAPH_FORMATS
from .args import PROG, integer, layer_sizes, model_out_file, output_file, positive_float, positive_int
from . import outputs

__all__ = [
    "Objective", "OBJECTIVES", "TRAIN_DEFAULTS", "TrainingRun", "train_model",
    "add_training_options", "train_from_args", "finish_training",
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


def _argmax(logits) -> int:
    return max(range(len(logits)), key=lambda i: logits[i].data)


# Keyed by the command-line spelling of the loss.
OBJECTIVES = {
    # Least squares regresses the label itself: 0 or 1, so the cut is 1/2.
    "mse": Objective("mse", 1, lambda out: int(out.data > 0.5), "1 if output > 0.5, else 0"),
    # A logit of 0 is probability sigmoid(0) = 1/2.
    "bce": Objective("bce", 1, lambda out: int(out.data > 0), "1 if logit > 0, else 0"),
    # The margin loss pushes class 1 above +1 and class 0 below -1.
    "hinge": Objective("hinge", 1, lambda out: int(out.data > 0), "1 if score > 0, else 0"),
    # One logit per class; the larger one wins.
    "cross-entropy": Objective("cross_entropy", 2, _argmax, "the class with the larger logit"),
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
    # micrograd's demo data and loss (hinge).
    "moons": dict(loss="hinge", lr=0.2, epochs=30, batch_size=16),
}


# ---- the options ------------------------------------------------------------


def add_training_options(parser, *, hidden, activation, loss=None, lr=None, epochs=None):
    """The options xor and train share. A default of None is filled in
    from the data set's row of TRAIN_DEFAULTS."""

    def default(value):
        return "depends on --dataset" if value is None else "%(default)s"

    parser.add_argument(
        "--hidden", type=layer_sizes, default=hidden, metavar="SIZES",
        help="hidden layer sizes, comma-separated, e.g. 16,16 (default: "
        f"{','.join(map(str, hidden))})",
    )
    parser.add_argument(
        "--activation", choices=activation_names(), default=activation,
        help="non-linearity of the hidden layers (default: %(default)s)",
    )
    parser.add_argument(
        "--loss", choices=list(OBJECTIVES), default=loss,
        help=f"the loss to minimise (default: {default(loss)})",
    )
    parser.add_argument("--lr", type=positive_float, default=lr,
                        help=f"learning rate (default: {default(lr)})")
    parser.add_argument(
        "--lr-end", type=positive_float, default=None, metavar="LR",
        help="decay the learning rate linearly from --lr to this over the run "
        "(default: no decay)",
    )
    parser.add_argument("--epochs", type=positive_int, default=epochs,
                        help=f"passes over the data (default: {default(epochs)})")
    parser.add_argument(
        "--batch-size", type=positive_int, default=None, metavar="N",
        help="examples per step: minibatch SGD when smaller than the data set "
        f"(default: {'full batch' if epochs is not None else 'depends on --dataset'})",
    )
    parser.add_argument("--seed", type=integer, default=0,
                        help="seeds the initial weights and the minibatch order "
                        "(default: %(default)s)")
    parser.add_argument(
        "--save", type=model_out_file, default=None, metavar="FILE",
        help="after training, save the model to FILE (JSON; run it with "
        f"`{PROG} predict --model FILE X1 X2`)",
    )
    parser.add_argument(
        "--plot", type=output_file(FORMATS), default=None, metavar="FILE",
        help="after training, write the loss curve and the decision boundary to FILE "
        f"(.png or .svg; needs matplotlib: {INSTALL_HINT})",
    )
    parser.add_argument(
        "--graph", type=output_file(GRAPH_FORMATS), default=None, metavar="FILE",
        help="after training, draw the network's forward pass on the first example, one box "
        "per neuron, shaded by the gradient of its loss (.svg, .png, .pdf or .dot)",
    )
    parser.add_argument("--graph-detail", action="store_true",
                        help="with --graph, draw every weight and operation, not one box per neuron")


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
    history: list[float]  # the mean loss of each epoch

    def predict(self, x) -> int:
        """The predicted class, 0 or 1, of one example."""
        return self.objective.classify(self.model(x))

    def correct(self) -> int:
        """How many training examples the model now classifies right."""
        return sum(self.predict(x) == label for x, label in zip(self.X, self.y))


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
    seed: int = 0,
) -> TrainingRun:
    """Build an MLP for `dataset` (a key of TRAIN_DEFAULTS) and train it
    with `fit`, printing the setup and then the loss every so many epochs."""
    X, y = DATASETS[dataset.replace("-", "_")]()
    objective = OBJECTIVES[loss]
    sizes = list(hidden) + [objective.outputs]
    model = MLP(2, sizes, activation=activation, seed=seed)

    full_batch = batch_size is None or batch_size >= len(X)
    steps_per_epoch = 1 if full_batch else math.ceil(len(X) / batch_size)
    schedule = None
    if lr_end is not None:
        schedule = LinearDecay(lr, lr_end, epochs * steps_per_epoch)

    arch = "-".join(map(str, [2] + sizes))
    batching = "full batch" if full_batch else f"batches of {batch_size}"
    rate = f"lr {lr:g}" + (f" -> {lr_end:g}" if lr_end is not None else "")
    print(f"MLP {arch} ({activation}, {len(model.parameters())} parameters) on {dataset} "
          f"({len(X)} points): {loss} loss, {rate}, {batching}, seed {seed}")

    # About ten progress lines, whatever the number of epochs.
    every = max(1, epochs // 10)
    width = len(str(epochs))

    def progress(epoch: int, value: float) -> None:
        if epoch == 1 or epoch % every == 0 or epoch == epochs:
            print(f"epoch {epoch:>{width}}/{epochs}  loss {_number(value)}", flush=True)

    history = fit(model, X, y, LOSSES[objective.loss], epochs=epochs, lr=lr, batch_size=batch_size,
                  schedule=schedule, seed=seed, callback=progress)
    return TrainingRun(model, X, y, dataset, objective, history)


def train_from_args(args: argparse.Namespace, dataset: str) -> TrainingRun:
    """train_model with the command line's options, a None filled in from
    the data set's defaults."""
    options = dict(TRAIN_DEFAULTS[dataset])
    for name in options:
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    return train_model(dataset, hidden=args.hidden, activation=args.activation,
                       lr_end=args.lr_end, seed=args.seed, **options)


def finish_training(args: argparse.Namespace, run: TrainingRun) -> None:
    """What every training command ends with: the training accuracy, then
    the files asked for (the model first: a trained model is never lost)."""
    n = len(run.y)
    correct = run.correct()
    print(f"training accuracy: {correct}/{n} ({100 * correct / n:.0f}%)")
    outputs.save_model(args, run)
    outputs.pictures(args, run)
    outputs.network_graph(args, run)


def _number(x: float) -> str:
    """A loss for the progress lines: fixed point, unless it has blown up."""
    return f"{x:.6f}" if abs(x) < 1e4 else f"{x:.3e}"
