"""`micrograd-scratch xor`: an MLP learns the four XOR points; the truth
table shows what it learned.

Sources: the talk (XOR, gradient descent); Goodfellow, Bengio and
Courville, *Deep Learning*, ch. 6.1 (learning XOR).
"""

from __future__ import annotations

import argparse

from .training import (
    TrainingRun, tuned_text, add_training_options, finish_training, train_from_args,
)

NAME = "xor"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="train an MLP on the four XOR points and print its truth table",
        description="Train a multi-layer perceptron on XOR, the function a single "
        "perceptron cannot learn, showing the loss as it falls; then print the truth "
        "table with the network's outputs and its accuracy. Other losses and "
        f"activations get settings that learn: {tuned_text('xor')}.",
    )
    # The talk's network has two ReLU units, set by hand; trained from a random
    # start, 16 units reach 100% from each of the first 100 seeds.
    add_training_options(parser, hidden=[16], activation="relu", dataset="xor")
    return parser


def run(args: argparse.Namespace) -> int:
    trained = train_from_args(args, "xor")
    _truth_table(trained)
    return finish_training(args, trained)


def _output_text(out) -> str:
    """One score, or a list of logits (cross-entropy), to 4 decimals."""
    if isinstance(out, list):
        return "[" + ", ".join(f"{v.data:.4f}" for v in out) + "]"
    return f"{out.data:.4f}"


def _truth_table(trained: TrainingRun) -> None:
    print()
    outputs = [_output_text(trained.model(x)) for x in trained.X]
    width = max(len("output"), *map(len, outputs))
    print(f" x1  x2 | target | {'output':>{width}} | prediction")
    for x, target, shown in zip(trained.X, trained.y, outputs):
        print(f"{x[0]:3g} {x[1]:3g} | {target:6d} | {shown:>{width}} | {trained.predict(x):10d}")
    print(f"(prediction: {trained.objective.rule})")
