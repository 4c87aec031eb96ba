"""Exercise 2: the linear model's gradient against finite differences,
then its least-squares fit to XOR: w = 0, b = 0.5, an output of 0.5 at
every point, and why that is the best a line can do."""

from __future__ import annotations

import math
import numbers

from ...data import xor
from ..runner import Check, Failed, need
from .graphs import close

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


def _ratio(got: list, want: list) -> float | None:
    """got / want, if it is the same at every entry where want is not 0."""
    ratios = {round(g / e, 6) for g, e in zip(got, want) if abs(e) > 1e-9}
    return ratios.pop() if len(ratios) == 1 else None


def check_gradients(module) -> str:
    need(module, "gradients")
    for w, b, X_, Y_ in [([0.3, -0.2], 0.1, X, Y), ([0.5, -0.25, 0.75], -0.3, X2, Y2)]:
        got = _flat(module.gradients(list(w), b, X_, Y_), len(w))
        want = numeric_gradient(w, b, X_, Y_)
        if all(math.isclose(g, e, rel_tol=1e-5, abs_tol=1e-7) for g, e in zip(got, want)):
            continue
        ratio = _ratio(got, want)
        facts = (f"at w = {w}, b = {b} on {len(X_)} examples your (dJ/dw, dJ/db) is "
                 f"{[round(g, 6) for g in got]}, expected {[round(e, 6) for e in want]} "
                 "(by finite differences)")
        n = len(X_)
        if ratio == 0.5:
            why = "the factor 2 is missing: d/du u**2 = 2u"
        elif ratio == -1:
            why = "a sign error: the error is f(x) - y, not y - f(x)"
        elif ratio is not None and math.isclose(ratio, n):
            why = f"a sum where the mean belongs: divide by the number of examples, n = {n}"
        elif all(math.isclose(g, got[-1], rel_tol=1e-6) for g in got):
            why = "dJ/dw_j needs the input x_j in each term: 2/n * sum (f(x_i) - y_i) * x_ij"
        elif math.isclose(got[-1], want[-1], rel_tol=1e-5, abs_tol=1e-7):
            why = "dJ/db is right but dJ/dw is not: each term is (f(x_i) - y_i) * x_ij"
        else:
            why = ""
        raise Failed(f"{why}; {facts}" if why else facts)
    return "matches finite differences on XOR and on 5 points in 3 dimensions"


def check_fit(module) -> str:
    need(module, "fit")
    w, b = module.fit([list(x) for x in X], list(Y), lr=0.1, steps=1000)
    w, b = [float(v) for v in w], float(b)
    start, end = J([0.0, 0.0], 0.0, X, Y), J(w, b, X, Y)
    if not all(math.isfinite(v) for v in w + [b]) or end > start:
        raise Failed(f"an update with + instead of -: the loss went up, from {start:g} at w = 0, "
                     f"b = 0 to {end:g}; gradient descent steps against the gradient, w -= lr * dJ/dw")
    if not (all(abs(v) < 1e-3 for v in w) and abs(b - 0.5) < 1e-3):
        raise Failed(f"fit(XOR) ended at w = {[round(v, 4) for v in w]}, b = {b:.4f}, expected "
                     f"w = [0, 0], b = 0.5 (your J is {end:.4f}, the least is 0.25): does it start "
                     "at w = 0, b = 0 and take `steps` steps of size lr?")
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
