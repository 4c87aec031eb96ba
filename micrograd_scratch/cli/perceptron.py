"""`micrograd-scratch perceptron`: Rosenblatt's perceptron on a logic gate.
It learns AND and OR and never converges on XOR; either outcome is the
lesson being shown, so both exit 0.

Sources: the talk; Rosenblatt (1957); Minsky and Papert, *Perceptrons* (1969).
"""

from __future__ import annotations

import argparse
import operator

from ..perceptron import Perceptron
from .args import MAX_EPOCHS, epoch_count

NAME = "perceptron"

# The four points every gate is defined on, in truth-table order.
GATE_INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
GATES = {"and": operator.and_, "or": operator.or_, "xor": operator.xor}


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="train Rosenblatt's perceptron on a logic gate (and, or, xor)",
        description="Train Rosenblatt's perceptron (1957) on a logic gate with the rule "
        "w <- w + (d - f(x)) x. It learns AND and OR; XOR is not linearly "
        "separable, so it never converges there (Minsky and Papert, 1969). Either "
        "outcome is a result, so the exit status is 0.",
    )
    parser.add_argument("--gate", choices=list(GATES), default="xor",
                        help="the gate to learn (default: %(default)s)")
    parser.add_argument("--epochs", type=epoch_count, default=100,
                        help=f"the most passes over the four points, at most {MAX_EPOCHS} "
                        "(default: %(default)s)")
    return parser


def run(args: argparse.Namespace) -> int:
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
