"""`micrograd-scratch train`: an MLP on any of the data sets, with any loss;
each data set has defaults that learn (training.TRAIN_DEFAULTS).

Source: Karpathy's micrograd demo (two moons with hinge loss).
"""

from __future__ import annotations

import argparse

from .args import UsageError
from .training import (
    TRAIN_DEFAULTS, tuned_text, add_training_options, finish_training, train_from_args,
)

NAME = "train"
DEFAULT_DATASET = "moons"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="train an MLP on a data set (xor, noisy-xor, blobs, moons)",
        description="Train a multi-layer perceptron on a two-dimensional data set by "
        "gradient descent, showing the loss as it falls, then print the training "
        "accuracy. Defaults depend on the data set, and change where another loss or "
        "activation needs other settings to learn: "
        + "; ".join(
            f"{name}: {d['loss']} loss, lr {d['lr']}"
            + (f" -> {d['lr_end']}" if d.get("lr_end") is not None else "")
            + f", {d['epochs']} epochs, "
            + ("full batch" if d["batch_size"] is None else f"batches of {d['batch_size']}")
            + (f" ({tuned_text(name)})" if tuned_text(name) else "")
            for name, d in TRAIN_DEFAULTS.items()
        )
        + ".",
    )
    parser.add_argument(
        "--dataset", choices=list(TRAIN_DEFAULTS), default=None,
        help=f"the data set (default: {DEFAULT_DATASET}; not with --data)",
    )
    add_training_options(parser, hidden=[16, 16], activation="relu")
    return parser


def run(args: argparse.Namespace) -> int:
    if args.dataset is not None and args.data is not None:  # else --dataset would be ignored
        raise UsageError(f"argument --dataset: not allowed with --data, which gives the points "
                         f"({args.data}); leave out one of them")
    trained = train_from_args(args, args.dataset or DEFAULT_DATASET)
    return finish_training(args, trained)
