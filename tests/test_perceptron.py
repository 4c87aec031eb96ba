"""The perceptron learns AND and OR, never XOR, and explains bad input."""

from __future__ import annotations

import itertools
import random

import pytest

from micrograd_scratch.data import blobs, xor
from micrograd_scratch.perceptron import Perceptron, PerceptronResult

X = [[0, 0], [0, 1], [1, 0], [1, 1]]
GATES = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0]}


def test_predict_is_the_step_of_the_weighted_sum():
    p = Perceptron(2)
    p.w, p.b = [1.0, -2.0], 0.5
    assert p.predict([1, 0]) == 1  # 1.5 > 0
    assert p.predict([1, 1]) == 0  # -0.5
    p.b = 1.0
    assert p.predict([1, 1]) == 0  # exactly 0 is not > 0


def test_one_update_follows_the_rule():
    # w <- w + lr (d - f(x)) x, b <- b + lr (d - f(x)); at w = 0, b = 0, f = 0
    p = Perceptron(2, lr=0.5)
    result = p.fit([[2.0, -1.0]], [1], max_epochs=1)
    assert p.w == [1.0, -0.5] and p.b == 0.5
    assert result == PerceptronResult(converged=False, epochs=1, errors=1)


@pytest.mark.parametrize("gate", sorted(GATES))
def test_linearly_separable_gates_converge(gate):
    p = Perceptron(2)
    result = p.fit(X, GATES[gate])
    assert result.converged and result.errors == 0
    assert result.epochs < 10
    assert [p.predict(x) for x in X] == GATES[gate]


def test_and_takes_the_expected_path():
    p = Perceptron(2)
    assert p.fit(X, GATES["and"]) == PerceptronResult(converged=True, epochs=6, errors=0)
    assert p.w == [2.0, 1.0] and p.b == -2.0


def test_a_converged_fit_stops_early_and_a_second_fit_needs_one_epoch():
    p = Perceptron(2)
    p.fit(X, GATES["or"])
    assert p.fit(X, GATES["or"]) == PerceptronResult(converged=True, epochs=1, errors=0)


def test_separable_blobs_converge():
    Xb, yb = blobs(n=60, seed=0)
    p = Perceptron(2, lr=0.1)
    result = p.fit(Xb, yb, max_epochs=100)
    assert result.converged
    assert [p.predict(x) for x in Xb] == yb


@pytest.mark.parametrize("max_epochs", [1, 2, 3, 7, 100, 1000])
def test_xor_never_converges(max_epochs):
    Xx, yx = xor()
    p = Perceptron(2)
    result = p.fit(Xx, yx, max_epochs=max_epochs)
    assert result == PerceptronResult(converged=False, epochs=max_epochs, errors=result.errors)
    assert result.errors >= 1
    assert [p.predict(x) for x in Xx] != yx


def test_xor_fails_whatever_the_order_and_learning_rate():
    Xx, yx = xor()
    rng = random.Random(0)
    for order in itertools.permutations(range(4)):
        p = Perceptron(2, lr=rng.choice([0.1, 1.0, 3.0]))
        result = p.fit([Xx[i] for i in order], [yx[i] for i in order], max_epochs=50)
        assert not result.converged
        assert [p.predict(x) for x in Xx] != yx


def test_no_weights_at_all_compute_xor():
    # the docstring's argument, checked on a grid of weights
    grid = [i / 2 for i in range(-6, 7)]
    for w1, w2, b in itertools.product(grid, repeat=3):
        p = Perceptron(2)
        p.w, p.b = [w1, w2], b
        assert [p.predict(x) for x in X] != [0, 1, 1, 0]


def test_bad_arguments():
    with pytest.raises(ValueError, match="nin must be a positive int, got 0"):
        Perceptron(0)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        Perceptron(2, lr=0)
    p = Perceptron(2)
    with pytest.raises(ValueError, match="Perceptron expects 2 inputs, got \\[1\\]"):
        p.predict([1])
    with pytest.raises(TypeError, match="inputs must be numbers, got str"):
        p.predict([1, "0"])
    with pytest.raises(ValueError, match="4 examples in X but 3 labels in y"):
        p.fit(X, [0, 1, 1])
    with pytest.raises(ValueError, match="label 3 is 2; labels must be 0 or 1"):
        p.fit(X, [0, 1, 1, 2])
    with pytest.raises(ValueError, match="label 0 is -1"):
        p.fit(X, [-1, 1, 1, 1])
    with pytest.raises(ValueError, match="no training examples"):
        p.fit([], [])
    with pytest.raises(ValueError, match="max_epochs must be a positive int"):
        p.fit(X, GATES["and"], max_epochs=0)
