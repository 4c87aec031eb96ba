"""Exercise 2: the linear model's gradient against finite differences,
then its fit against the checker's own gradient descent (on a second data
set, where w is not 0, and on XOR): on XOR w = 0, b = 0.5, an output of
0.5 at every point, and why that is the best a line can do.

A wrong answer gets what was observed; a cause is named only when a
repair proves it (`repairs.py`): an edit of the learner's function, or
their gradients doubled, negated or divided by n."""

from __future__ import annotations

import functools
import math
import numbers

from ...data import xor
from ..runner import Check, Failed, need
from .graphs import close, listed
from .repairs import Around, verdict, with_function

X, LABELS = xor()
Y = [float(t) for t in LABELS]
# A second data set, with no symmetry to hide a mistake behind.
X2 = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 2.0, 1.0], [0.0, 0.5, 3.0], [2.0, -1.5, 0.5]]
Y2 = [1.0, -0.5, 2.0, 0.25, -1.0]


def J(w, b, X, Y) -> float:
    """The mean squared error of the line (w, b), the checker's own."""
    return sum((sum(wi * xi for wi, xi in zip(w, x)) + b - y) ** 2 for x, y in zip(X, Y)) / len(X)


def numeric_gradient(w, b, X, Y, h: float = 1e-6) -> list[float]:
    """dJ/dw_j and dJ/db by central differences: [..., db]."""
    point = list(w) + [b]
    grads = []
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += h
        down[i] -= h
        grads.append((J(up[:-1], up[-1], X, Y) - J(down[:-1], down[-1], X, Y)) / (2 * h))
    return grads


def check_predict(module) -> str:
    need(module, "predict")
    for w, b, x in [([2.0, -1.0], 0.5, [1.0, 3.0]), ([0.0, 0.0], 0.5, [1.0, 1.0])]:
        got = module.predict(w, b, x)
        want = sum(wi * xi for wi, xi in zip(w, x)) + b
        if not isinstance(got, numbers.Real) or not close(got, want):
            raise Failed(f"predict(w={w}, b={b}, x={x}) gave {got!r}, expected w . x + b = {want:g}")
    return "w . x + b"


def _flat(result, n: int) -> list[float]:
    try:
        dw, db = result
        flat = [float(v) for v in dw] + [float(db)]
    except (TypeError, ValueError):
        raise Failed(f"gradients returned {result!r}: it must return (dJ/dw, dJ/db), a list "
                     "and a number") from None
    if len(flat) != n + 1:
        raise Failed(f"gradients returned {len(flat) - 1} weight derivatives for {n} weights")
    return flat


def _gradient_facts(module) -> str:
    """"" when the gradients match finite differences on both data sets;
    else what was observed."""
    for w, b, X_, Y_ in [([0.3, -0.2], 0.1, X, Y), ([0.5, -0.25, 0.75], -0.3, X2, Y2)]:
        got = _flat(module.gradients(list(w), b, [list(x) for x in X_], list(Y_)), len(w))  # copies: theirs to change
        want = numeric_gradient(w, b, X_, Y_)
        if not all(math.isclose(g, e, rel_tol=1e-5, abs_tol=1e-7) for g, e in zip(got, want)):
            return (f"at w = {w}, b = {b} on {len(X_)} examples your (dJ/dw, dJ/db) is "
                    f"{[round(g, 6) for g in got]}, expected {[round(e, 6) for e in want]} "
                    "(by finite differences)")
    return ""


def _scaled(factor, says: str, change: str) -> Around:
    """The learner's gradients times `factor` (a number, or a function of n)."""
    def make(module):
        def gradients(w, b, X_, Y_):
            k = factor(len(X_)) if callable(factor) else factor
            dw, db = module.gradients(w, b, X_, Y_)
            return [k * d for d in dw], k * db
        return with_function(module, gradients=gradients)
    return Around(says, change, make)


def check_gradients(module) -> str:
    need(module, "gradients")
    verdict(module, "gradients", _gradient_facts, around=[
        _scaled(2.0, "your gradients are half the right ones: the factor 2 of d/du u**2 = 2u",
                "your gradients doubled"),
        _scaled(-1.0, "your gradients are minus the right ones: a sign error (is the error "
                      "f(x) - y?)", "your gradients negated"),
        _scaled(lambda n: 1 / n, "your gradients are n times the right ones: a sum where the mean "
                                 "belongs", "your gradients divided by the number of examples")])
    return "matches finite differences on XOR and on 5 points in 3 dimensions"


@functools.cache
def descend(X_, Y_, lr: float, steps: int) -> tuple[list[float], float]:
    """Gradient descent from w = 0, b = 0, the checker's own (finite differences)."""
    point = [0.0] * (len(X_[0]) + 1)
    for _ in range(steps):
        g = numeric_gradient(point[:-1], point[-1], X_, Y_)
        point = [p - lr * gi for p, gi in zip(point, g)]
    return point[:-1], point[-1]


def _fit_facts(module) -> str:
    """"" when fit takes the steps of gradient descent on XOR and on the
    second data set; else what was observed."""
    for X_, Y_, lr, steps in [(X2, Y2, 0.05, 50), (X, Y, 0.1, 1000)]:
        w, b = module.fit([list(x) for x in X_], list(Y_), lr=lr, steps=steps)
        w, b = [float(v) for v in w], float(b)
        want_w, want_b = descend(tuple(map(tuple, X_)), tuple(Y_), lr, steps)
        if not all(math.isclose(g, e, rel_tol=1e-4, abs_tol=1e-5) for g, e in zip(w + [b], want_w + [want_b])):
            return (f"fit on {len(X_)} examples, lr {lr:g}, {steps} steps, ended at w = {listed(w)}, "
                    f"b = {b:.4g}; gradient descent from w = 0, b = 0 ends at w = {listed(want_w)}, "
                    f"b = {want_b:.4g} (J {J(w, b, X_, Y_):.4g}, expected {J(want_w, want_b, X_, Y_):.4g})")
    return ""


def check_fit(module) -> str:
    need(module, "fit")
    verdict(module, "fit", _fit_facts)
    w, b = module.fit([list(x) for x in X], list(Y), lr=0.1, steps=1000)
    w, b = [float(v) for v in w], float(b)
    end = J(w, b, X, Y)
    outputs = ", ".join(f"{sum(wi * xi for wi, xi in zip(w, x)) + b:.3f}" for x in X)
    return (f"w = [{w[0]:.3f}, {w[1]:.3f}], b = {b:.3f}: the outputs are {outputs}, 0.5 "
            "everywhere. That is the best a line can do on XOR: the 1s, (0,1) and (1,0), and the "
            "0s, (0,0) and (1,1), have the same mean input (0.5, 0.5), so any line gives each pair "
            "the same mean output, and the least squares answer is the mean label, 0.5 "
            f"(J = {end:.2f}). A line cannot bend: that is why the network needs a hidden layer")


CHECKS = [
    Check("predict", check_predict),
    Check("gradients", check_gradients),
    Check("fit on XOR", check_fit, needs_earlier=True),
]
