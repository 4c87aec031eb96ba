"""The command line: `micrograd-scratch xor | train | perceptron | predict | draw |
export | import`.

    micrograd-scratch xor                      # an MLP learns XOR, in seconds
    micrograd-scratch train --dataset moons    # any data set, loss, network
    micrograd-scratch perceptron --gate xor    # Rosenblatt's perceptron fails
    micrograd-scratch draw "relu(w*x + b)" --set w=2 x=-1 b=0.5 --backward
    micrograd-scratch train --save model.json  # keep the trained network...
    micrograd-scratch predict --model model.json 0.5 -1   # ...and run it
    micrograd-scratch export --model model.json --torch model.pt  # to PyTorch

`python -m micrograd_scratch` is the same program.

Exit status: 0 when the command ran (a perceptron that does not converge on
XOR is the lesson being shown, not a failure, so it exits 0 too); 1 when
a command fails at run time (the loss diverged, a math error, a prediction
that overflowed), with one line
`micrograd-scratch: error: ...` on stderr; 2 for bad arguments, with
argparse's usage message; 130 on Ctrl-C.

The package, one file per command and one per shared concern:
- args.py: the argument types (a bad value is refused while parsing, with
  the usage message and exit status 2) and the parser class;
- training.py: the training run `xor` and `train` share (their options,
  `train_model`, `TrainingRun`, `finish_training`);
- outputs.py: the files and pictures a command writes;
- xor.py, train.py, perceptron.py, predict.py, draw.py, torch_export.py
  (export), torch_import.py (import): the commands.

Adding a command: write a module with `NAME`, `add_parser(subparsers)`,
which adds and returns its argparse parser, and `run(args) -> int`, which
does the work and returns the exit status; then add the module to
`COMMANDS` below. `main()` parses, calls the command's `run` and turns
library errors (ValueError, ArithmeticError) into the one-line message
with exit status 1. `args.parser` is the command's own parser, for
`args.usage_error(args.parser, ...)` when a mistake is found after parsing.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from . import draw, explore, perceptron, predict, torch_export, torch_import, train, xor
from .args import PROG, OneLineErrors
from .training import (
    OBJECTIVES, TRAIN_DEFAULTS, Objective, TrainingRun, finish_training, train_model,
)

__all__ = [
    "main", "build_parser", "COMMANDS", "PROG",
    "train_model", "finish_training", "TrainingRun", "Objective", "OBJECTIVES", "TRAIN_DEFAULTS",
]

# The commands, in the order --help lists them.
COMMANDS = [xor, train, perceptron, predict, draw, explore, torch_export, torch_import]


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrors(
        prog=PROG,
        description="Deep learning from scratch, in pure Python: train small networks "
        "built on a scalar autograd engine.",
        epilog="Run `%(prog)s COMMAND --help` for a command's options. "
        "Start with `%(prog)s xor`.",
    )
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    subparsers.required = True
    for command in COMMANDS:
        sub = command.add_parser(subparsers)
        sub.set_defaults(func=command.run, parser=sub)
    return parser


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
