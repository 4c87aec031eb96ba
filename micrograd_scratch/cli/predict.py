"""`micrograd-scratch predict`: load a model saved by `train --save` and
print its output for one input."""

from __future__ import annotations

import argparse
import math

from ..serialize import architecture
from .args import finite_float, model_file, usage_error

NAME = "predict"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="load a model saved by train --save and print its output for one input",
        description="Load a model saved with `train --save FILE` (or `xor --save`) and "
        "print its output for one input: one number, or one per output neuron "
        "(cross-entropy's logits), at full precision. A missing or damaged model "
        "file, or the wrong number of inputs, exits with status 2. Write an input "
        "like -1e3 after `--` (argparse reads it as an option otherwise).",
    )
    parser.add_argument("--model", type=model_file, required=True, metavar="FILE",
                        help="the model file written by --save")
    parser.add_argument("inputs", type=finite_float, nargs="+", metavar="X",
                        help="the input values, one per input of the model")
    return parser


def run(args: argparse.Namespace) -> int:
    nin = architecture(args.model)["nin"]
    if len(args.inputs) != nin:
        return usage_error(args.parser, f"the model takes {nin} input"
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
