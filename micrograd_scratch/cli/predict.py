"""`micrograd-scratch predict`: load a model saved by `train --save` and
print the class it predicts for one input, with the numbers behind it.

How an output reads as a class depends on the loss it was trained with
(training.OBJECTIVES): two outputs are cross-entropy's logits, whose
softmax gives the class probabilities; one output is a least-squares
score (class 1 above 0.5), a logit (bce: class 1 above 0, probability
sigmoid(z)) or a margin score (hinge: class 1 above 0). A model file
saved by `train --save` records its loss; for one that does not (saved
by `save(model, path)` without `loss=`, or before files had it), `--loss`
says it, and without it a one-output model's class is printed when the
readings agree, and both when they differ.
"""

from __future__ import annotations

import argparse
import math

from ..losses import softmax
from ..ops import sigmoid
from ..serialize import architecture
from .args import UsageError, finite_float, model_file, usage_error
from .training import OBJECTIVES

NAME = "predict"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="load a model saved by train --save and print the class it predicts for one input",
        description="Load a model saved with `train --save FILE` (or `xor --save`) and "
        "print the class it predicts for one input, then the numbers behind it at full "
        "precision: the class probabilities for cross-entropy (two outputs) and bce, the "
        "score for mse and hinge. A missing or damaged model file, or the wrong number of "
        "inputs, exits with status 2. Write an input like -1e3 after `--` (argparse reads "
        "it as an option otherwise).",
    )
    parser.add_argument("--model", type=model_file, required=True, metavar="FILE",
                        help="the model file written by --save")
    parser.add_argument(
        "--loss", choices=list(OBJECTIVES), default=None,
        help="the loss the model was trained with, which says how its output reads as "
        "a class (default: the one the model file records; in a file without it, "
        "cross-entropy for two outputs, and for one output the class that mse, bce and "
        "hinge agree on, or each reading when they differ)",
    )
    parser.add_argument("inputs", type=finite_float, nargs="+", metavar="X",
                        help="the input values, one per input of the model")
    return parser


def run(args: argparse.Namespace) -> int:
    arch = architecture(args.model)
    nin, nout = arch["nin"], arch.get("nouts", [arch.get("nout", 1)])[-1]
    if len(args.inputs) != nin:
        return usage_error(args.parser, f"the model takes {nin} input"
                                        f"{'' if nin == 1 else 's'}, got {len(args.inputs)}")
    recorded = args.model.trained_with and args.model.trained_with.replace("_", "-")
    if args.loss and recorded and args.loss != recorded:
        raise UsageError(f"argument --loss: the model file says the model was trained with "
                         f"{recorded}; leave out --loss to read its output that way")
    # Several outputs are logits, one per class (softmax, whatever their number).
    loss = args.loss or recorded or ("cross-entropy" if nout > 1 else None)
    if loss is not None and (loss == "cross-entropy") != (nout > 1):
        raise UsageError(f"argument --loss: a model trained with {loss} has "
                         f"{OBJECTIVES[loss].outputs} output(s); this one has {nout}")
    out = args.model(args.inputs)
    outputs = [v.data for v in (out if isinstance(out, list) else [out])]
    if not all(math.isfinite(x) for x in outputs):  # huge inputs: inf, or inf - inf = nan
        raise ValueError(
            f"the model's output for these inputs is {' '.join(map(repr, outputs))}: "
            "its arithmetic overflowed a float (the inputs are too large for it)"
        )
    if loss is None:
        _print_both_readings(outputs[0])
    else:
        print(f"class {OBJECTIVES[loss].classify(out)}")
        print(_numbers(loss, out if isinstance(out, list) else [out]))
    return 0


def _numbers(loss: str, outputs: list) -> str:
    """The numbers behind the class (the model's output Values), at full precision."""
    logits = [v.data for v in outputs]
    if loss == "cross-entropy":
        probabilities = [p.data for p in softmax(outputs)]  # losses' softmax: cannot overflow
        return (f"probabilities {' '.join(map(repr, probabilities))} "
                f"(softmax of the logits {' '.join(map(repr, logits))})")
    (z,) = logits
    if loss == "bce":
        return f"probability of class 1: {sigmoid(z)!r} (sigmoid of the logit {z!r})"
    return f"score {z!r} ({OBJECTIVES[loss].rule})"


def _print_both_readings(z: float) -> None:
    """One output and no --loss: mse cuts at 0.5, bce and hinge at 0."""
    at_half, at_zero = int(z > 0.5), int(z > 0)
    if at_half == at_zero:
        print(f"class {at_zero}")
        print(f"score {z!r} (class 1 above 0.5 for mse, above 0 for bce and hinge; "
              "--loss says which)")
    else:
        print(f"class {at_zero} if trained with bce or hinge, class {at_half} with mse")
        print(f"score {z!r} (between 0 and 0.5); pass --loss to read it one way")
