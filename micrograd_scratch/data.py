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
"""

from __future__ import annotations

import math
import random

__all__ = ["xor", "noisy_xor", "blobs", "moons", "DATASETS"]

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
