"""The command line: `micrograd-scratch xor | train | perceptron | predict | draw |
explore | export | import`.

    micrograd-scratch xor                      # an MLP learns XOR, in seconds
    micrograd-scratch train --dataset moons    # any data set, loss, network
    micrograd-scratch perceptron --gate xor    # Rosenblatt's perceptron fails
    micrograd-scratch draw "relu(w*x + b)" --set w=2 x=-1 b=0.5 --backward
    micrograd-scratch train --save model.json  # keep the trained network...
    micrograd-scratch predict --model model.json 0.5 -1   # ...and run it
    micrograd-scratch explore                  # the live explorer, in the browser
    micrograd-scratch export --model model.json --torch model.pt  # to PyTorch

`python -m micrograd_scratch` is the same program.

Exit status (args.py names them; --help and the README list them):
- 0 when the command ran (a perceptron that does not converge on XOR is
  the lesson being shown, not a failure, so it exits 0 too);
- 1 when it failed at run time (the loss diverged, a math error, a
  prediction that overflowed, a file that could not be written), with one
  line `micrograd-scratch: error: ...` on stderr;
- 2 for bad arguments, with argparse's usage message and a one-line
  reason, before anything runs: every file to write is checked first
  (its folder exists and is writable, its format is known, no two options
  name it), so that nothing trained is lost to a bad path;
- 3 when it ran but a file asked for was written in a fallback format or
  not at all (the DOT source instead of a .png without Graphviz's `dot`,
  frames without their page, no figure without matplotlib), with a line
  saying so;
- 130 on Ctrl-C, 143 on SIGTERM, 129 on SIGHUP (signals.py). During
  training the first one stops after the current step with `interrupted
  at epoch 41 of 300` (and, with --save, saves the model trained so far);
  a second one stops the step at once, and the model is saved as it was
  before that step. While a model is saved, a signal waits for the save.

The package, one file per command and one per shared concern:
- args.py: the argument types (a bad value is refused while parsing, with
  the usage message and exit status 2) and the parser class;
- training.py: the training run `xor` and `train` share (their options,
  `train_model`, `TrainingRun`, `finish_training`);
- outputs.py: the files and pictures a command writes;
- signals.py: how Ctrl-C, SIGTERM and SIGHUP stop a command;
- xor.py, train.py, perceptron.py, predict.py, draw.py, explore.py,
  torch_export.py (export), torch_import.py (import): the commands.

Adding a command: write a module with `NAME`, `add_parser(subparsers)`,
which adds and returns its argparse parser, and `run(args) -> int`, which
does the work and returns the exit status; then add the module to
`COMMANDS` below. `main()` parses, calls the command's `run` and turns
library errors (ValueError, ArithmeticError) into the one-line message
with exit status 1. A mistake found after parsing raises
`args.UsageError`, which gets the command's usage and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import signal
import sys
import threading
from typing import Sequence


def _interrupted_while_starting(signum, frame):
    """Ctrl-C while the commands below are imported: one line, not a traceback."""
    os.write(2, b"micrograd-scratch: interrupted before anything ran\n")
    os._exit(128 + signum)


# Only for the imports below (a tenth of a second): then Python's own
# handler is back, and main() takes over as it starts.
_starting = (threading.current_thread() is threading.main_thread()
             and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
if _starting:
    signal.signal(signal.SIGINT, _interrupted_while_starting)

from . import draw, explore, learn, perceptron, predict, signals, talk, torch_export, torch_import, train, xor
from .args import EXIT_STATUS_TEXT, FAILED, PROG, USAGE, OneLineErrors, UsageError, usage_error
from .training import (
    OBJECTIVES, TRAIN_DEFAULTS, Objective, TrainingRun, finish_training, train_model,
)

if _starting:
    signal.signal(signal.SIGINT, signal.default_int_handler)

__all__ = [
    "main", "build_parser", "COMMANDS", "PROG",
    "train_model", "finish_training", "TrainingRun", "Objective", "OBJECTIVES", "TRAIN_DEFAULTS",
]

# The commands, in the order --help lists them.
COMMANDS = [xor, train, perceptron, predict, draw, explore, torch_export, torch_import, learn, talk]


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrors(
        prog=PROG,
        description="Deep learning from scratch, in pure Python: train small networks "
        "built on a scalar autograd engine.",
        epilog="Run `%(prog)s COMMAND --help` for a command's options. "
        f"Start with `%(prog)s xor`. {EXIT_STATUS_TEXT}.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    subparsers.required = True
    for command in COMMANDS:
        sub = command.add_parser(subparsers)
        sub.set_defaults(func=command.run, parser=sub)
        sub.epilog = (sub.epilog + "; " if sub.epilog else "") + EXIT_STATUS_TEXT
    return parser


def version() -> str:
    """The installed package's version (pyproject.toml's)."""
    try:
        return importlib.metadata.version("micrograd-scratch")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); return
    the exit status. SIGTERM and SIGHUP are handled as Ctrl-C is (exit
    status 143, 129; signals.py), so that `timeout` or a closed terminal
    still gets --save's model."""
    with signals.stopping_signals() as swallowed:
        try:
            status = _main(argv)
        except KeyboardInterrupt as stop:  # before a command ran: parsing, building the parser
            sys.stdout.flush()
            print(f"{PROG}: interrupted before anything ran", file=sys.stderr)
            return signals.exit_status(stop)
    if swallowed and status < 128:  # a finalizer swallowed it, and delivering it again came late
        sys.stdout.flush()
        print(f"{PROG}: {signals.describe(swallowed[0])} as the command ended", file=sys.stderr)
        return 128 + swallowed[0]  # as signals.exit_status
    return status


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:  # a bare command: show what there is to run
        parser.print_help()
        return 0
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # refused by the command's parser, with the command's usage
            args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as stop:  # argparse exits after --help, --version or a usage error
        return stop.code if isinstance(stop.code, int) else USAGE
    try:
        return args.func(args)
    except UsageError as error:
        return usage_error(args.parser, str(error))
    except (ValueError, ArithmeticError) as error:  # TrainingDiverged is a ValueError
        sys.stdout.flush()
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return FAILED
    except KeyboardInterrupt as stop:  # training and its outputs have said where it stopped
        return signals.exit_status(stop)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as Unix tools do.
        # Point stdout at devnull so that Python's final flush cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return FAILED
