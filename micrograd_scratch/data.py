"""Small two-dimensional data sets for classification, in pure Python.

Every function returns `(X, y)`: X is a list of `[x1, x2]` float lists and
y a list of 0/1 int labels, one per point. The random ones draw from their
own `random.Random(seed)`, so the same seed gives the same points on every
run and the global `random` module is never touched.

- `xor()`: the four points of the talk (Goodfellow, Bengio and Courville,
  *Deep Learning*, ch. 6.1), the problem a perceptron cannot solve.
- `noisy_xor()`: four Gaussian clusters around the XOR corners, the talk's
  "difficult mode": the same problem with many noisy points.
- `blobs()`: two Gaussian blobs at (-2, -2) and (2, 2), separable by a line.
- `moons()`: two interleaving half circles with Gaussian noise, like
  scikit-learn's `make_moons` (the data set of micrograd's demo).
- `load_csv(path)`: your own points, from a CSV file of input columns
  and a label (`parse_csv(text)` reads the same from a string). Any
  number of input columns; a bad file is a `DataFileError` whose one line
  names the row, the column and what was wrong.
"""

from __future__ import annotations

import io
import math
import os
import random
import re
import stat

__all__ = ["xor", "noisy_xor", "blobs", "moons", "DATASETS",
           "load_csv", "parse_csv", "DataFileError", "MAX_ROWS", "MAX_COLUMNS"]

# The standard deviation of each blob of `blobs()`: the centres are 4*sqrt(2)
# apart, so the line between them is 2*sqrt(2)/0.75 = 3.8 deviations away
# from each centre and the two classes (almost surely) do not overlap.
BLOB_STD = 0.75


def xor() -> tuple[list[list[float]], list[int]]:
    """The XOR truth table: X = [[0,0],[0,1],[1,0],[1,1]], y = [0,1,1,0]."""
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [0, 1, 1, 0]
    return X, y


def noisy_xor(
    n: int = 200, noise: float = 0.25, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """n points around the four XOR corners, each coordinate moved by
    Gaussian noise of standard deviation `noise`; a point's label is the
    XOR of its corner. Point i belongs to corner i % 4, so every corner
    gets n/4 points (give or take one)."""
    _check_n(n, "noisy_xor")
    _check_noise(noise, "noisy_xor")
    rng = random.Random(seed)
    corners, labels = xor()
    X, y = [], []
    for i in range(n):
        cx, cy = corners[i % 4]
        X.append([cx + rng.gauss(0.0, noise), cy + rng.gauss(0.0, noise)])
        y.append(labels[i % 4])
    return X, y


def blobs(n: int = 100, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """n points in two Gaussian blobs (standard deviation `BLOB_STD`):
    label 0 around (-2, -2), label 1 around (2, 2), alternating."""
    _check_n(n, "blobs")
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        label = i % 2
        centre = 2.0 if label else -2.0
        X.append([centre + rng.gauss(0.0, BLOB_STD), centre + rng.gauss(0.0, BLOB_STD)])
        y.append(label)
    return X, y


def moons(
    n: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles, as scikit-learn's `make_moons`:
    n // 2 points on the upper moon (label 0, centre (0, 0)), the rest on
    the lower one (label 1, centre (1, 0.5)), evenly spaced along each arc,
    moved by Gaussian noise of standard deviation `noise`, then shuffled."""
    _check_n(n, "moons")
    _check_noise(noise, "moons")
    rng = random.Random(seed)
    n_upper = n // 2
    points = []
    for t in _linspace(0.0, math.pi, n_upper):
        points.append(([math.cos(t), math.sin(t)], 0))
    for t in _linspace(0.0, math.pi, n - n_upper):
        points.append(([1.0 - math.cos(t), 0.5 - math.sin(t)], 1))
    for xy, _ in points:
        xy[0] += rng.gauss(0.0, noise)
        xy[1] += rng.gauss(0.0, noise)
    rng.shuffle(points)  # so that any slice of the data holds both classes
    return [xy for xy, _ in points], [label for _, label in points]


# The data sets by name, for the command line. `xor` takes no arguments;
# the others take n, their seed and (except blobs) their noise.
DATASETS = {"xor": xor, "noisy_xor": noisy_xor, "blobs": blobs, "moons": moons}


# ---- your own points: a CSV file ------------------------------------------
# One row per point: its inputs, then its label, separated by commas, as
#
#     x1,x2,label        <- an optional header: a first row of names
#     0,0,0
#     0,1,1
#
# A label that is a whole number is read as an int (a class), any other as
# a float (a number to regress). Every limit below keeps one file from
# taking unbounded time or memory: the engine trains on scalars, so ten
# thousand rows already take minutes an epoch.

MAX_ROWS = 10_000  # rows of numbers a file may have
MAX_COLUMNS = 100  # input columns (the label not counted)
MAX_LINE = 10_000  # characters in one row
MAX_CLASSES = 100  # labels 0 .. MAX_CLASSES - 1 are classes for cross-entropy

# The labels each loss of losses.LOSSES learns from, as a classifier here
# reads them: (the test a label passes, what it should be, in words).
LABEL_RULES = {
    "mse": (lambda t: True, "any number"),
    "bce": (lambda t: t in (0, 1), "0 or 1 (two classes)"),
    "hinge": (lambda t: t in (0, 1), "0 or 1 (two classes)"),
    "cross_entropy": (lambda t: type(t) is int and 0 <= t < MAX_CLASSES,
                      f"a class number 0, 1, 2, ... below {MAX_CLASSES}"),
}


class DataFileError(ValueError):
    """A data file that cannot be read as points; the one-line message names
    the file, the row and the column, and what was wrong."""


def load_csv(path, *, loss: str | None = None) -> tuple[list[list[float]], list]:
    """Your own points from a CSV file: returns (X, y) as the data sets
    above do, X one list of input numbers per row, y the last column.

    With `loss` (a name in losses.LOSSES), every label is checked against
    what that loss learns from (LABEL_RULES). Raises DataFileError for a
    missing or unreadable file, a ragged row, a cell that is not a finite
    number, a file with no rows of numbers, a label that does not fit the
    loss, and a file past MAX_ROWS rows or MAX_COLUMNS inputs."""
    name = str(path)
    try:
        with open_regular(path, encoding="utf-8-sig", newline="") as file:  # -sig: Excel's BOM
            return _read_rows(file, name, loss)
    except FileNotFoundError:
        raise DataFileError(f"cannot read {name!r}: no such file") from None
    except NotARegularFile as error:
        raise DataFileError(f"cannot read {name!r}: {error}") from None
    except UnicodeDecodeError:
        raise DataFileError(f"cannot read {name!r}: it is not a text file (UTF-8)") from None
    except OSError as error:
        raise DataFileError(f"cannot read {name!r}: {error.strerror or error}") from None


class NotARegularFile(OSError):
    """A path to read names a folder, a FIFO, a device or a socket."""


def open_regular(path, mode: str = "r", **options):
    """open(path, mode, **options) for reading, of a regular file only.
    Opened first, then checked (checking the path and then opening it
    would let a FIFO swapped in between block forever): O_NONBLOCK makes
    opening a FIFO return at once, and fstat says what was opened. Raises
    NotARegularFile, which says what it is instead."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode_bits = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode_bits):
            kind = ("a folder" if stat.S_ISDIR(mode_bits) else
                    "a FIFO (a named pipe)" if stat.S_ISFIFO(mode_bits) else
                    "a device" if stat.S_ISCHR(mode_bits) or stat.S_ISBLK(mode_bits) else "a socket")
            raise NotARegularFile(f"it is {kind}, not a regular file")
        return open(fd, mode, **options)  # closes fd when it is closed
    except BaseException:
        os.close(fd)
        raise


def parse_csv(text: str, *, loss: str | None = None,
              name: str = "the CSV text") -> tuple[list[list[float]], list]:
    """load_csv for a string (a CSV pasted into the explorer); `name` is
    what the messages call it. Read exactly as a file is: the same lines
    (ended by \n, \r or \r\n only, not by U+2028 or a form feed), the same
    byte-order mark dropped, the same numbers."""
    if len(text) > (MAX_ROWS + 1) * (MAX_LINE + 1):
        raise DataFileError(f"{name}: more than {MAX_ROWS} rows")
    return _read_rows(io.StringIO(text.removeprefix("\ufeff"), newline=""), name, loss)


def _read_rows(file, name: str, loss: str | None):
    """The rows of a CSV in an open text file (newline=""), one line at a
    time: a huge file is never read whole."""
    if loss is not None and loss not in LABEL_RULES:
        raise ValueError(f"load_csv: unknown loss {loss!r}; choose one of {', '.join(LABEL_RULES)}")
    X, y = [], []
    width = None  # the number of columns, fixed by the first row
    lines = iter(lambda: file.readline(MAX_LINE + 1), "")
    for row, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE:
            raise DataFileError(f"{name}, row {row}: longer than {MAX_LINE} characters")
        if not line.strip():
            continue  # blank lines (a trailing newline) are not rows
        cells = [cell.strip() for cell in line.split(",")]
        if width is None:
            if len(cells) < 2:
                raise DataFileError(f"{name}, row {row}: one column; a row needs at least one "
                                    "input and a label, like x1,x2,label")
            if len(cells) - 1 > MAX_COLUMNS:
                raise DataFileError(f"{name}, row {row}: {len(cells) - 1} input columns; "
                                    f"at most {MAX_COLUMNS}")
            width = len(cells)
            if not any(map(_is_number, cells)):
                continue  # a header: names, not numbers
        if len(cells) != width:
            raise DataFileError(f"{name}, row {row}: {len(cells)} columns, but the first row "
                                f"has {width}")
        if len(X) == MAX_ROWS:
            raise DataFileError(f"{name}, row {row}: more than {MAX_ROWS} rows of points")
        numbers = [_cell(cell, name, row, column) for column, cell in enumerate(cells, start=1)]
        label = numbers.pop()
        label = int(label) if label.is_integer() and abs(label) < 2**53 else label
        if loss is not None and not LABEL_RULES[loss][0](label):
            raise DataFileError(f"{name}, row {row}, column {width} (the label): {cells[-1]} "
                                f"does not fit the {loss} loss, which takes {LABEL_RULES[loss][1]}")
        X.append(numbers)
        y.append(label)
    if not X:
        raise DataFileError(f"{name}: no rows of numbers (an empty file, or a header alone)")
    return X, y


# A number as a CSV writes it: ASCII digits, a point, an exponent (and inf
# or nan, refused as not finite). float() alone would also read "1_000",
# Arabic-Indic "١٢" and fullwidth "１２", which no spreadsheet writes.
NUMBER = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)",
                    re.IGNORECASE)


def _is_number(cell: str) -> bool:
    return NUMBER.fullmatch(cell) is not None


def _cell(cell: str, name: str, row: int, column: int) -> float:
    """One cell as a finite float, or the error that names where it is."""
    if not _is_number(cell):
        shown = cell if len(cell) <= 20 else cell[:20] + "..."
        raise DataFileError(f"{name}, row {row}, column {column}: {shown!r} is not a number")
    x = float(cell)
    if not math.isfinite(x):
        raise DataFileError(f"{name}, row {row}, column {column}: {cell} is not a finite number")
    return x


# ---- helpers ------------------------------------------------------------


def _linspace(start: float, stop: float, count: int) -> list[float]:
    """count evenly spaced numbers from start to stop, both included
    (numpy.linspace; a single number is `start`)."""
    if count == 1:
        return [start]
    step = (stop - start) / (count - 1)
    return [start + i * step for i in range(count)]


def _check_n(n, name: str) -> None:
    if type(n) is not int or n < 1:
        raise ValueError(f"{name}: n must be a positive int (the number of points), got {n!r}")


def _check_noise(noise, name: str) -> None:
    if type(noise) is bool or not isinstance(noise, (int, float)):
        raise TypeError(f"{name}: noise must be a number, got {type(noise).__name__}: {noise!r}")
    if not noise >= 0 or math.isinf(noise):  # `not >=` also catches NaN
        raise ValueError(
            f"{name}: noise must be a finite number >= 0 (a standard deviation), got {noise!r}"
        )
