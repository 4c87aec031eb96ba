"""The command line: `micrograd-scratch xor | train | perceptron`.

    micrograd-scratch xor                      # an MLP learns XOR, in seconds
    micrograd-scratch train --dataset moons    # any data set, loss, network
    micrograd-scratch perceptron --gate xor    # Rosenblatt's perceptron fails
    micrograd-scratch draw "relu(w*x + b)" --set w=2 x=-1 b=0.5 --backward
    micrograd-scratch train --save model.json  # keep the trained network...
    micrograd-scratch predict --model model.json 0.5 -1   # ...and run it

`python -m micrograd_scratch` is the same program.

Exit status: 0 when the command ran (a perceptron that does not converge on
XOR is the lesson being shown, not a failure, so it exits 0 too); 1 when
a command fails at run time (the loss diverged, a math error, a prediction
that overflowed), with one line
`micrograd-scratch: error: ...` on stderr; 2 for bad arguments, with
argparse's usage message; 130 on Ctrl-C.

How the pieces fit, for adding to it:
- `build_parser()` makes one subparser per command and points it at its
  function with `set_defaults(func=...)`; `main()` parses, calls
  `args.func(args)` and turns library errors into the one-line message.
  Bad values are refused by the `type=` functions below, while parsing, so
  they get the usage message and exit status 2.
- `xor` and `train` share their options (`_add_training_options`) and their
  work: `train_model(...)` builds the MLP, trains it while printing the loss
  and returns a `TrainingRun` (model, data, loss, history, predictions);
  `finish_training(args, run)` prints the accuracy. An output that either
  command can write after training (a drawing, a plot) is an option in
  `_add_training_options` and a few lines in `finish_training`.

Sources: the talk (perceptron, XOR, gradient descent, minibatch SGD);
Goodfellow, Bengio and Courville, *Deep Learning*, ch. 6.1 (learning XOR);
Karpathy's micrograd demo (two moons with hinge loss).
"""

from __future__ import annotations

import argparse
import math
import operator
import os
import sys
from dataclasses import dataclass
from typing import Callable, Sequence

from .data import DATASETS
from .losses import LOSSES
from .nn import ACTIVATIONS, MLP, Module
from .optim import LinearDecay, fit
from .perceptron import Perceptron
from .serialize import ModelFileError, architecture, load, save
from .plot import FORMATS, INSTALL_HINT, decision_map, loss_sparkline, plot_training
from . import expr, viz

__all__ = [
    "main", "build_parser", "cmd_xor", "cmd_train", "cmd_perceptron", "cmd_predict",
    "train_model", "finish_training", "TrainingRun", "Objective", "OBJECTIVES", "cmd_draw",
]

PROG = "micrograd-scratch"


# ---- argument types -------------------------------------------------------
# Each turns one command-line string into a value or raises
# ArgumentTypeError, which argparse reports as "argument --x: <message>"
# under the usage line, with exit status 2.


def integer(text: str) -> int:
    """Any whole number: seeds."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    """A whole number >= 1: epochs, batch sizes."""
    n = integer(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return n


def number(text: str) -> float:
    """Any float, nan and inf included; the types below narrow it."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def positive_float(text: str) -> float:
    """A finite number > 0: learning rates."""
    x = number(text)
    if not 0 < x < math.inf:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, got {text}")
    return x


# A scalar network this large already takes minutes a step; past it, a typo
# (16000 for 16) would fill the memory before the first epoch.
MAX_LAYER_SIZE = 1024
MAX_HIDDEN_LAYERS = 16


def layer_sizes(text: str) -> list[int]:
    """Hidden layer sizes, comma-separated: "16,16" -> [16, 16]."""
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise argparse.ArgumentTypeError(
                f"empty layer size in {text!r}; write the sizes like 16,16"
            )
        try:
            n = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"layer size {part!r} in {text!r} is not a whole number; write the sizes like 16,16"
            ) from None
        if n < 1:
            raise argparse.ArgumentTypeError(f"layer size {n} in {text!r} must be at least 1")
        if n > MAX_LAYER_SIZE:
            raise argparse.ArgumentTypeError(
                f"layer size {n} in {text!r} is too large for a scalar engine "
                f"(at most {MAX_LAYER_SIZE})"
            )
        sizes.append(n)
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise argparse.ArgumentTypeError(
            f"{len(sizes)} hidden layers in {text!r}; at most {MAX_HIDDEN_LAYERS}"
        )
    return sizes


def output_file(formats: Sequence[str]) -> Callable[[str], str]:
    """The type of an option that names a file to write, ending in one of
    `formats` (".png", ...), in a folder that exists."""

    def check(text: str) -> str:
        if os.path.splitext(text)[1].lower() not in formats:
            allowed = ", ".join(formats[:-1]) + " or " + formats[-1]
            raise argparse.ArgumentTypeError(
                f"cannot write {text!r}: the file name must end in {allowed}"
            )
        return in_existing_folder(text)

    return check


def in_existing_folder(text: str) -> str:
    """A file to write later, in a folder that exists now."""
    folder = os.path.dirname(text) or "."
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: no folder {folder!r}")
    return text


def finite_float(text: str) -> float:
    """Any finite number: a network's inputs."""
    x = number(text)
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
    return x


def model_out_file(text: str) -> str:
    """Where --save writes the model: checked now, not after the training."""
    in_existing_folder(text)
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: it is a folder")
    if os.path.exists(text) and not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: it is not a regular file")
    return text


def model_file(text: str) -> Module:
    """A saved model, loaded: a missing or damaged file is a bad argument."""
    try:
        return load(text)
    except ModelFileError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot read {text!r}: {error.strerror or error}") from None


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

# The four points every gate is defined on, in truth-table order.
GATE_INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
GATES = {"and": operator.and_, "or": operator.or_, "xor": operator.xor}


# ---- the parser -----------------------------------------------------------


class OneLineErrors(argparse.ArgumentParser):
    """argparse, with the reason for a usage error kept on one line: a reason
    that echoes what was typed ("unrecognized arguments: ...") shows a
    newline, a tab or a terminal escape as \\n, \\t, \\x1b instead of
    obeying it. Subcommand parsers inherit the class."""

    def error(self, message: str):
        super().error("".join(c if c.isprintable() else repr(c)[1:-1] for c in message))


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrors(
        prog=PROG,
        description="Deep learning from scratch, in pure Python: train small networks "
        "built on a scalar autograd engine.",
        epilog="Run `%(prog)s COMMAND --help` for a command's options. "
        "Start with `%(prog)s xor`.",
    )
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    commands.required = True

    xor = commands.add_parser(
        "xor",
        help="train an MLP on the four XOR points and print its truth table",
        description="Train a multi-layer perceptron on XOR, the function a single "
        "perceptron cannot learn, showing the loss as it falls; then print the truth "
        "table with the network's outputs and its accuracy.",
    )
    # The talk's network has two ReLU units, set by hand; trained from a random
    # start, 16 units reach 100% from each of the first 100 seeds.
    _add_training_options(xor, hidden=[16], activation="relu", loss="mse", lr=0.1, epochs=200)
    xor.set_defaults(func=cmd_xor)

    train = commands.add_parser(
        "train",
        help="train an MLP on a data set (xor, noisy-xor, blobs, moons)",
        description="Train a multi-layer perceptron on a two-dimensional data set by "
        "gradient descent, showing the loss as it falls, then print the training "
        "accuracy. Defaults depend on the data set: "
        + "; ".join(
            f"{name}: {d['loss']} loss, lr {d['lr']}, {d['epochs']} epochs, "
            + ("full batch" if d["batch_size"] is None else f"batches of {d['batch_size']}")
            for name, d in TRAIN_DEFAULTS.items()
        )
        + ".",
    )
    train.add_argument(
        "--dataset", choices=list(TRAIN_DEFAULTS), default="moons",
        help="the data set (default: %(default)s)",
    )
    _add_training_options(train, hidden=[16, 16], activation="relu")
    train.set_defaults(func=cmd_train)

    perceptron = commands.add_parser(
        "perceptron",
        help="train Rosenblatt's perceptron on a logic gate (and, or, xor)",
        description="Train Rosenblatt's perceptron (1957) on a logic gate with the rule "
        "w <- w + (d - f(x)) x. It learns AND and OR; XOR is not linearly "
        "separable, so it never converges there (Minsky and Papert, 1969). Either "
        "outcome is a result, so the exit status is 0.",
    )
    perceptron.add_argument("--gate", choices=list(GATES), default="xor",
                            help="the gate to learn (default: %(default)s)")
    perceptron.add_argument("--epochs", type=positive_int, default=100,
                            help="the most passes over the four points (default: %(default)s)")
    perceptron.set_defaults(func=cmd_perceptron)

    predict = commands.add_parser(
        "predict",
        help="load a model saved by train --save and print its output for one input",
        description="Load a model saved with `train --save FILE` (or `xor --save`) and "
        "print its output for one input: one number, or one per output neuron "
        "(cross-entropy's logits), at full precision. A missing or damaged model "
        "file, or the wrong number of inputs, exits with status 2. Write an input "
        "like -1e3 after `--` (argparse reads it as an option otherwise).",
    )
    predict.add_argument("--model", type=model_file, required=True, metavar="FILE",
                         help="the model file written by --save")
    predict.add_argument("inputs", type=finite_float, nargs="+", metavar="X",
                         help="the input values, one per input of the model")
    predict.set_defaults(func=cmd_predict, parser=predict)

    draw = commands.add_parser(
        "draw",
        help="draw the computational graph of an expression (svg, png, pdf or dot)",
        description='Draw the computational graph of an expression such as "relu(w*x + b)": '
        "one box per value (inputs blue, constants grey, results white) and one ellipse per "
        "operation, each box with its data and gradient. With --backward, run backward() "
        "first so that the gradients are filled in; with --frames, also film the backward "
        "pass one step at a time. The expression may use only numbers, names, + - * / **, "
        "unary minus and relu() tanh() sigmoid() exp() log(); it is parsed, never run. "
        "Rendering needs Graphviz's dot program; without it the DOT source is written "
        "instead, with a line saying how to install Graphviz.",
        epilog='example: %(prog)s "relu(w*x + b)" --set w=2 x=-1 b=0.5 --backward -o graph.svg',
    )
    draw.add_argument("expression", type=expression_text, metavar="EXPRESSION",
                      help="the expression, in quotes; one that starts with - goes in "
                      "parentheses, e.g. (-x)*2")
    draw.add_argument("--set", type=assignment, nargs="+", action="extend", default=[],
                      metavar="NAME=VALUE",
                      help="the value of each name in the expression, e.g. --set w=2 x=-1 b=0.5")
    draw.add_argument("--backward", action="store_true",
                      help="run backward() first: each box shows d(output)/d(box)")
    draw.add_argument("--grad-view", action="store_true",
                      help="shade boxes and edges by the size of the gradient (implies --backward)")
    draw.add_argument("-o", "--output", type=output_file(viz.FORMATS), default="graph.svg", metavar="FILE",
                      help="the file to write: .svg, .png, .pdf, or .dot/.gv for the DOT "
                      "source (default: %(default)s)")
    draw.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                      help="LR: inputs on the left; TB: inputs at the top (default: %(default)s)")
    draw.add_argument("--frames", default=None, metavar="DIR",
                      help="also write the backward pass as numbered SVG frames in DIR, with "
                      "DIR/backward.html to step through them")
    draw.add_argument("--max-nodes", type=positive_int, default=viz.MAX_NODES, metavar="N",
                      help="refuse a graph with more nodes than this (default: %(default)s)")
    draw.set_defaults(func=cmd_draw, parser=draw)
    return parser


def _add_training_options(parser, *, hidden, activation, loss=None, lr=None, epochs=None):
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
        "--activation", choices=ACTIVATIONS, default=activation,
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
        "--graph", type=output_file(viz.FORMATS), default=None, metavar="FILE",
        help="after training, draw the network's forward pass on the first example, one box "
        "per neuron, shaded by the gradient of its loss (.svg, .png, .pdf or .dot)",
    )
    parser.add_argument("--graph-detail", action="store_true",
                        help="with --graph, draw every weight and operation, not one box per neuron")


# ---- training and reporting (shared by xor and train) --------------------


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


def _train_from_args(args, dataset: str) -> TrainingRun:
    """train_model with the command line's options, a None filled in from
    the data set's defaults."""
    options = dict(TRAIN_DEFAULTS[dataset])
    for name in options:
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    return train_model(dataset, hidden=args.hidden, activation=args.activation,
                       lr_end=args.lr_end, seed=args.seed, **options)


def finish_training(args: argparse.Namespace, run: TrainingRun) -> None:
    """What every training command ends with: the training accuracy."""
    n = len(run.y)
    correct = run.correct()
    print(f"training accuracy: {correct}/{n} ({100 * correct / n:.0f}%)")
    if getattr(args, "save", None) is not None:  # saved first: a trained model is never lost
        try:
            save(run.model, args.save)
        except OSError as error:  # e.g. no permission to write there
            raise ValueError(f"--save: cannot write {args.save!r}: {error.strerror or error}") from None
        print(f"saved the model to {args.save}")
    _pictures(args, run)
    _network_graph(args, run)


def _pictures(args, run: TrainingRun) -> None:
    """The loss curve and the decision regions: always in text, and as a
    figure with --plot when matplotlib is installed."""
    print()
    print("loss: " + loss_sparkline(run.history, width=50, ascii=not _can_print("█▁")))
    print(decision_map(run.model, run.X, run.y, width=40, height=14,
                       classify=run.objective.classify))
    if getattr(args, "plot", None) is None:
        return
    arch = "-".join(str(len(layer.neurons)) for layer in run.model.layers)
    title = f"{run.dataset}: MLP 2-{arch}, {run.objective.loss} loss"
    try:
        path = plot_training(run.history, run.model, run.X, run.y, path=args.plot,
                             classify=run.objective.classify, title=title)
    except ImportError as missing:  # matplotlib is an optional extra
        sys.stdout.flush()
        print(f"{PROG}: no plot written: {missing}", file=sys.stderr)
        return
    except OSError as error:  # e.g. no permission to write there
        raise ValueError(f"--plot: cannot write {args.plot!r}: {error.strerror or error}") from None
    print(f"wrote the loss curve and the decision boundary to {path}")


def _can_print(text: str) -> bool:
    """Whether stdout's encoding has these characters (a Windows console
    or LANG=C may not)."""
    try:
        text.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _number(x: float) -> str:
    """A loss for the progress lines: fixed point, unless it has blown up."""
    return f"{x:.6f}" if abs(x) < 1e4 else f"{x:.3e}"


def _output_text(out) -> str:
    """One score, or a list of logits (cross-entropy), to 4 decimals."""
    if isinstance(out, list):
        return "[" + ", ".join(f"{v.data:.4f}" for v in out) + "]"
    return f"{out.data:.4f}"


def _truth_table(run: TrainingRun) -> None:
    print()
    outputs = [_output_text(run.model(x)) for x in run.X]
    width = max(len("output"), *map(len, outputs))
    print(f" x1  x2 | target | {'output':>{width}} | prediction")
    for x, target, shown in zip(run.X, run.y, outputs):
        print(f"{x[0]:3g} {x[1]:3g} | {target:6d} | {shown:>{width}} | {run.predict(x):10d}")
    print(f"(prediction: {run.objective.rule})")


# ---- the commands ---------------------------------------------------------


def cmd_xor(args: argparse.Namespace) -> int:
    run = _train_from_args(args, "xor")
    _truth_table(run)
    finish_training(args, run)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    run = _train_from_args(args, args.dataset)
    finish_training(args, run)
    return 0


def cmd_perceptron(args: argparse.Namespace) -> int:
    gate = GATES[args.gate]
    X = GATE_INPUTS
    y = [gate(int(a), int(b)) for a, b in X]
    # No --lr: the weights start at 0, so a learning rate would only scale
    # w and b together and leave every prediction unchanged.
    model = Perceptron(2)
    result = model.fit(X, y, max_epochs=args.epochs)

    print(f"perceptron on {args.gate.upper()}: f(x) = 1 if w . x + b > 0 else 0")
    print()
    print(" x1  x2 | target | output")
    for x, target in zip(X, y):
        print(f"{x[0]:3g} {x[1]:3g} | {target:6d} | {model.predict(x):6d}")
    print()
    weights = ", ".join(f"{w:g}" for w in model.w)
    print(f"w = [{weights}], b = {model.b:g}")
    epochs = f"{result.epochs} epoch" + ("" if result.epochs == 1 else "s")
    if result.converged:
        print(f"converged after {epochs}: every point is classified correctly")
    elif args.gate == "xor":
        print(f"did not converge after {epochs}: XOR is not linearly separable, "
              "so no line puts (0,1) and (1,0) on one side and (0,0) and (1,1) on the other")
    else:
        mistakes = f"{result.errors} mistake" + ("" if result.errors == 1 else "s")
        print(f"did not converge after {epochs} ({mistakes} in the last epoch); "
              "try more --epochs")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    nin = architecture(args.model)["nin"]
    if len(args.inputs) != nin:
        return _usage_error(args.parser, f"the model takes {nin} input"
                                         f"{'' if nin == 1 else 's'}, got {len(args.inputs)}")
    out = args.model(args.inputs)
    outputs = [v.data for v in (out if isinstance(out, list) else [out])]
    if not all(math.isfinite(x) for x in outputs):  # huge inputs: inf, or inf - inf = nan
        raise ValueError(
            f"the model's output for these inputs is {' '.join(map(repr, outputs))}: "
            "its arithmetic overflowed a float (the inputs are too large for it)"
        )
    print(" ".join(map(repr, outputs)))
    return 0


# ---- drawing: the draw command and --graph --------------------------------


def expression_text(text: str) -> str:
    """An expression for `draw`, checked against the whitelist while parsing
    (a refused one gets the usage message and exit status 2)."""
    try:
        expr.expression_names(text)
    except expr.ExpressionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def assignment(text: str) -> tuple[str, float]:
    """NAME=VALUE for --set: "w=2" -> ("w", 2.0)."""
    try:
        [(name, value)] = expr.parse_assignments([text]).items()
    except expr.ExpressionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return name, value


def cmd_draw(args: argparse.Namespace) -> int:
    values = {}
    for name, value in args.set:
        if name in values:
            return _usage_error(args.parser, f"argument --set: {name!r} is set twice")
        values[name] = value
    try:
        root, inputs = expr.parse_expression(args.expression, values)
    except expr.ExpressionError as error:  # a missing value, log(-1), ...
        return _usage_error(args.parser, str(error))
    text = args.expression.strip()
    print(f"{text} = {root.data:.6g}")
    if args.backward or args.grad_view:
        root.backward()
        if inputs:
            print("gradients, d(output)/d(input):")
            for name, x in inputs.items():
                print(f"  {name}: {x.grad:.6g}")
    try:
        graph = viz.draw(root, rankdir=args.rankdir, grad_view=args.grad_view,
                         max_nodes=args.max_nodes, title=text)
        _write_graph(graph, args.output, "--output")
        if args.frames is not None:
            _write_frames(root, args)
    except ImportError as missing:  # the graphviz package is an optional extra
        raise ValueError(str(missing)) from None
    except viz.GraphTooLarge as error:
        raise ValueError(
            f"the graph has {error.count} nodes, more than --max-nodes {error.limit}; "
            f"pass --max-nodes {error.count} to draw it anyway"
        ) from None
    return 0


def _write_frames(root, args) -> None:
    try:
        paths = viz.backward_frames(root, args.frames, rankdir=args.rankdir,
                                    max_nodes=args.max_nodes)
    except OSError as error:
        raise ValueError(f"--frames: cannot write to {args.frames!r}: "
                         f"{error.strerror or error}") from None
    frames = [p for p in paths if p.suffix != ".html"]
    page = [p for p in paths if p.suffix == ".html"]
    print(f"wrote {len(frames)} frames of the backward pass to {args.frames}"
          + (f"; step through them in {page[0]}" if page else ""))


def _write_graph(graph, path: str, option: str) -> None:
    """Render to path (render itself says how to install Graphviz when its
    dot program is missing, and writes the .dot file instead)."""
    try:
        written = viz.render(graph, path)
    except OSError as error:  # e.g. no permission to write there
        raise ValueError(f"{option}: cannot write {path!r}: {error.strerror or error}") from None
    print(f"wrote {written}")


def _network_graph(args, run: TrainingRun) -> None:
    """--graph FILE: the trained network's forward pass on the first training
    example, shaded by the gradient of that example's loss; one box per
    neuron unless --graph-detail."""
    if getattr(args, "graph", None) is None:
        return
    x, target = run.X[0], run.y[0]
    run.model.zero_grad()  # show this example's gradients, not training's leftovers
    loss = LOSSES[run.objective.loss]([run.model(x)], [target])
    loss.backward()
    title = (f"{run.dataset}, trained: one forward pass on x = ({x[0]:.3g}, {x[1]:.3g}), "
             f"target {target}; {run.objective.loss} loss {loss.data:.4g}")
    try:
        graph = viz.draw(loss, model=run.model, collapse=not args.graph_detail,
                         grad_view=True, title=title)
    except ImportError as missing:  # the graphviz package is an optional extra
        sys.stdout.flush()
        print(f"{PROG}: no graph drawn: {missing}", file=sys.stderr)
        return
    except viz.GraphTooLarge as error:
        how = ("leave out --graph-detail to draw one box per neuron" if args.graph_detail
               else "use smaller --hidden layers to draw it")
        raise ValueError(f"--graph: the network's graph has {error.count} nodes, more than "
                         f"the {error.limit} that stay readable; {how}") from None
    _write_graph(graph, args.graph, "--graph")


def _usage_error(parser, message: str) -> int:
    """A bad argument found after parsing, reported as argparse would."""
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: {message}", file=sys.stderr)
    return 2


# ---- entry point ----------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); return
    the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse exits after --help or a usage error
        return stop.code if isinstance(stop.code, int) else 2
    try:
        return args.func(args)
    except (ValueError, ArithmeticError) as error:  # TrainingDiverged is a ValueError
        sys.stdout.flush()
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as Unix tools do.
        # Point stdout at devnull so that Python's final flush cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
