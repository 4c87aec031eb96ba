"""The data sets: shapes, labels, determinism, seeds and bad arguments."""

from __future__ import annotations

import math
import random

import pytest

from micrograd_scratch import data
from micrograd_scratch.data import DATASETS, blobs, moons, noisy_xor, xor

RANDOM_SETS = [noisy_xor, blobs, moons]


def test_xor_is_the_talks_truth_table():
    X, y = xor()
    assert X == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y == [0, 1, 1, 0]
    assert all(isinstance(v, float) for row in X for v in row)


def test_xor_returns_fresh_lists():
    X, y = xor()
    X[0][0] = 5.0
    y[0] = 1
    assert xor() == ([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0])


@pytest.mark.parametrize("make", RANDOM_SETS)
@pytest.mark.parametrize("n", [1, 2, 3, 7, 100])
def test_shapes_and_labels(make, n):
    X, y = make(n=n)
    assert len(X) == len(y) == n
    assert all(len(row) == 2 and all(isinstance(v, float) for v in row) for row in X)
    assert all(type(label) is int and label in (0, 1) for label in y)
    assert all(math.isfinite(v) for row in X for v in row)


@pytest.mark.parametrize("make", RANDOM_SETS)
def test_classes_are_balanced(make):
    X, y = make(n=101)
    assert sum(y) in (50, 51)


@pytest.mark.parametrize("make", RANDOM_SETS)
def test_same_seed_same_points_and_global_random_untouched(make):
    random.seed(123)
    before = random.getstate()
    assert make(n=50, seed=7) == make(n=50, seed=7)
    assert random.getstate() == before


@pytest.mark.parametrize("make", RANDOM_SETS)
def test_different_seeds_differ(make):
    assert make(n=50, seed=1)[0] != make(n=50, seed=2)[0]


def test_noisy_xor_points_sit_around_their_corners():
    X, y = noisy_xor(n=400, noise=0.1, seed=0)
    for i, ((a, b), label) in enumerate(zip(X, y)):
        corner = xor()[0][i % 4]
        assert abs(a - corner[0]) < 0.6 and abs(b - corner[1]) < 0.6
        assert label == xor()[1][i % 4]
    # the noise really is the requested standard deviation
    dx = [a - xor()[0][i % 4][0] for i, (a, _) in enumerate(X)]
    std = math.sqrt(sum(d * d for d in dx) / len(dx))
    assert 0.08 < std < 0.12


def test_noise_zero_gives_exact_corners():
    X, y = noisy_xor(n=8, noise=0)
    assert X == xor()[0] * 2 and y == xor()[1] * 2


def test_blobs_are_centred_and_separable():
    X, y = blobs(n=400, seed=0)
    for label, centre in ((0, -2.0), (1, 2.0)):
        pts = [p for p, t in zip(X, y) if t == label]
        mean_x = sum(p[0] for p in pts) / len(pts)
        mean_y = sum(p[1] for p in pts) / len(pts)
        assert abs(mean_x - centre) < 0.2 and abs(mean_y - centre) < 0.2
    # the line x1 + x2 = 0 separates the classes
    assert all((a + b > 0) == (t == 1) for (a, b), t in zip(X, y))


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = moons(n=50, noise=0.0)
    for (a, b), label in zip(X, y):
        if label == 0:  # upper moon: unit circle around (0, 0), y >= 0
            assert math.isclose(math.hypot(a, b), 1.0) and b >= -1e-12
        else:  # lower moon: unit circle around (1, 0.5), y <= 0.5
            assert math.isclose(math.hypot(a - 1, b - 0.5), 1.0) and b <= 0.5 + 1e-12


def test_moons_are_shuffled():
    _, y = moons(n=100)
    assert y != sorted(y)


def test_datasets_by_name():
    assert set(DATASETS) == {"xor", "noisy_xor", "blobs", "moons"}
    assert DATASETS["xor"]() == xor()
    assert DATASETS["moons"](n=10, seed=3) == moons(n=10, seed=3)


@pytest.mark.parametrize("make", RANDOM_SETS)
@pytest.mark.parametrize("n", [0, -5, 2.5, True, "10"])
def test_bad_n(make, n):
    with pytest.raises(ValueError, match="n must be a positive int"):
        make(n=n)


@pytest.mark.parametrize("make", [noisy_xor, moons])
def test_bad_noise(make):
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        make(noise=-0.1)
    with pytest.raises(ValueError, match="noise must be"):
        make(noise=float("nan"))
    with pytest.raises(ValueError, match="noise must be"):
        make(noise=float("inf"))
    with pytest.raises(TypeError, match="noise must be a number, got str"):
        make(noise="0.1")


def test_module_declares_its_public_names():
    assert set(data.__all__) == {"xor", "noisy_xor", "blobs", "moons", "DATASETS",
                                 "load_csv", "parse_csv", "DataFileError", "MAX_ROWS", "MAX_COLUMNS"}
