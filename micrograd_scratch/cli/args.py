"""Argument types and the parser class every command shares.

Each type turns one command-line string into a value or raises
ArgumentTypeError, which argparse reports as "argument --x: <message>"
under the usage line, with exit status 2. A bad value is refused while
parsing, so nothing has run yet when the user hears about it.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import sys
import tempfile
from typing import Callable, Sequence

from ..nn import Module
from ..serialize import MAX_HIDDEN_LAYERS, MAX_LAYER_SIZE, ModelFileError, load
from .. import expr

PROG = "micrograd-scratch"

# Exit statuses, as --help and the README list them.
OK = 0
FAILED = 1  # a run-time failure: the loss diverged, a file could not be written
USAGE = 2  # a bad argument, found before anything ran
FALLBACK = 3  # it ran, but wrote a fallback for a file asked for (.dot for .png, no page)
# and 128 + the number of the signal that stopped it, as shells report it:
# 130 for Ctrl-C (SIGINT), 143 for SIGTERM, 129 for SIGHUP (signals.exit_status)

EXIT_STATUS_TEXT = (
    "exit status: 0 done; 1 failed at run time (a diverged loss, a file that could not "
    "be written), with one line on stderr; 2 bad arguments, refused before anything runs; "
    "3 done, but a file asked for was written in a fallback format or not at all "
    "(no Graphviz dot program, no matplotlib); 130 interrupted by Ctrl-C; 143 stopped by "
    "SIGTERM and 129 by SIGHUP (a closed terminal), which are handled as Ctrl-C is"
)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled as Ctrl-C is (training stops after its
    step and --save saves), with exit status 128 + the signal's number
    (143, 129) instead of 130 (signals.py)."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__()
        self.signum = signum


class OneLineErrors(argparse.ArgumentParser):
    """argparse, with the reason for a usage error kept on one line: a reason
    that echoes what was typed ("unrecognized arguments: ...") shows a
    newline, a tab or a terminal escape as \\n, \\t, \\x1b instead of
    obeying it. Subcommand parsers inherit the class. Negative numbers in
    scientific notation (predict's -1e6) are read as numbers, as -1 and -.5
    already are, not as unknown options."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")

    def error(self, message: str):
        super().error("".join(c if c.isprintable() else repr(c)[1:-1] for c in message))

    def format_usage(self) -> str:
        """The usage line of an error: the command and its positional
        arguments, in one line; --help has argparse's full usage (a dozen
        lines of options would bury the one line that says what was wrong)."""
        formatter = self._get_formatter()
        formatter.add_usage(None, [a for a in self._actions if not a.option_strings], [], prefix="")
        positionals = formatter.format_help().strip().removeprefix(self.prog).strip()
        return (f"usage: {self.prog} [options] {positionals}".rstrip()
                + f"  (`{self.prog} --help` lists the options)\n")


class UsageError(Exception):
    """A bad argument found after parsing (two options naming one file,
    --lr-end above --lr): `main` prints the command's usage and this
    message, and exits with status 2, as argparse does."""


def usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    """A bad argument found after parsing, reported as argparse would."""
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: {message}", file=sys.stderr)
    return 2


def cannot_write(option: str, path: str, error: OSError) -> ValueError:
    """The one-line error (exit status 1) for a file an option names that
    could not be written after all (a full disk, a permission)."""
    return ValueError(f"{option}: cannot write {path!r}: {error.strerror or error}")


# ---- numbers ----------------------------------------------------------------


def _converted(kind: Callable[[str], object], text: str, expected: str):
    """kind(text) (int or float), or the usage error "expected ..., got '...'"."""
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def integer(text: str) -> int:
    """Any whole number: seeds."""
    return _converted(int, text, "a whole number")


def positive_int(text: str) -> int:
    """A whole number >= 1: epochs, batch sizes."""
    n = integer(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return n


# A million epochs of XOR already take about a quarter of an hour here, of
# two moons hours; past it, a typo (99999999999) is a run that never ends.
MAX_EPOCHS = 1_000_000


def epoch_count(text: str) -> int:
    """--epochs: a whole number from 1 to MAX_EPOCHS."""
    n = integer(text)
    if not 1 <= n <= MAX_EPOCHS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_EPOCHS}, got {text}")
    return n


def number(text: str) -> float:
    """Any float, nan and inf included; the types below narrow it."""
    return _converted(float, text, "a number")


def positive_float(text: str) -> float:
    """A finite number > 0: learning rates."""
    x = number(text)
    if not 0 < x < math.inf:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, got {text}")
    return x


def divergence_factor(text: str) -> float:
    """0 (off), or a finite number above 1: how many times its starting
    value a loss may grow before training counts as diverged."""
    x = number(text)
    if not (x == 0 or 1 < x < math.inf):
        raise argparse.ArgumentTypeError(
            f"must be 0 (off) or a number above 1, such as 1e6, got {text}"
        )
    return x


def fraction(text: str) -> float:
    """A number in [0, 1): momentum."""
    x = number(text)
    if not 0 <= x < 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, got {text}")
    return x


def finite_float(text: str) -> float:
    """Any finite number: a network's inputs."""
    x = number(text)
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
    return x


# MAX_LAYER_SIZE and MAX_HIDDEN_LAYERS (serialize's, imported above) bound
# --hidden: a scalar network that large already takes minutes a step; past
# it, a typo (16000 for 16) would fill the memory before the first epoch.


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


# ---- files ------------------------------------------------------------------


def output_file(formats: Sequence[str]) -> Callable[[str], str]:
    """The type of an option that names a file to write, ending in one of
    `formats` (".png", ...), in a folder that exists and can be written."""

    def check(text: str) -> str:
        if os.path.isdir(text):
            raise argparse.ArgumentTypeError(f"cannot write {text!r}: it is a folder")
        if os.path.exists(text) and not os.path.isfile(text):
            raise argparse.ArgumentTypeError(f"cannot write {text!r}: it is not a regular file")
        if os.path.splitext(text)[1].lower() not in formats:
            allowed = ", ".join(formats[:-1]) + " or " + formats[-1] if len(formats) > 1 else formats[0]
            raise argparse.ArgumentTypeError(
                f"cannot write {text!r}: the file name must end in {allowed}"
            )
        return in_writable_folder(text)

    return check


def in_writable_folder(text: str) -> str:
    """A file to write later, in a folder that exists and can be written
    now: checked before training, so that a trained model is never lost
    to a folder it cannot be saved in."""
    folder = os.path.dirname(text) or "."
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: no folder {folder!r}")
    _check_writable(text, folder)
    return text


def _check_writable(text: str, folder: str) -> None:
    """Create and remove an empty file in folder: the one test that tells
    the truth for every user (root ignores permission bits, but not a
    read-only file system) and every kind of folder."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".micrograd-scratch-probe-", dir=folder)
    except OSError as error:
        raise argparse.ArgumentTypeError(
            f"cannot write {text!r}: the folder {folder!r} is not writable "
            f"({error.strerror or error})"
        ) from None
    os.close(fd)
    os.unlink(probe)


def folder_to_write(text: str) -> str:
    """A folder to write files in (draw's --frames): an existing, writable
    folder, or a new one whose nearest existing parent is writable."""
    if os.path.exists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"cannot write frames to {text!r}: it is not a folder")
    existing = os.path.abspath(text)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise argparse.ArgumentTypeError(
            f"cannot write frames to {text!r}: {existing!r} is not a folder"
        )
    _check_writable(text, existing)
    return text


# Saved models are JSON; another ending (model.png) is a slip of the keyboard.
model_out_file = output_file([".json"])
model_out_file.__doc__ = "Where --save writes the model (.json): checked now, not after the training."


def model_file(text: str) -> Module:
    """A saved model, loaded: a missing or damaged file is a bad argument.
    The model keeps the path it was read from as `.read_from`, which a
    command checks its outputs against (outputs.check_distinct)."""
    try:
        model = load(text)
    except ModelFileError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot read {text!r}: {error.strerror or error}") from None
    model.read_from = text
    return model


# ---- expressions (draw) -----------------------------------------------------


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
