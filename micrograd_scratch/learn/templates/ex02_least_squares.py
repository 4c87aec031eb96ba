"""Exercise 2: least squares on XOR, by gradient descent.

The talk's linear model and its cost, the mean squared error over the n
examples (x_i, y_i):

    f(x) = w . x + b
    J(w, b) = 1/n * sum_i (f(x_i) - y_i) ** 2

J's gradient, by the chain rule (d/du u**2 = 2u):

    dJ/dw_j = 2/n * sum_i (f(x_i) - y_i) * x_ij
    dJ/db   = 2/n * sum_i (f(x_i) - y_i)

Gradient descent starts at w = 0, b = 0 and repeats, `steps` times,

    w_j <- w_j - lr * dJ/dw_j        b <- b - lr * dJ/db

Write `predict`, `gradients` and `fit`. The checker compares your
gradients with finite differences, then fits XOR: look at what the best
line turns out to be.

Check your work:   micrograd-scratch learn check 2
"""


def predict(w: list[float], b: float, x: list[float]) -> float:
    """w . x + b"""
    raise NotImplementedError("write this: predict(w, b, x)")


def gradients(w: list[float], b: float, X: list[list[float]], Y: list[float]) -> tuple[list[float], float]:
    """(dJ/dw, dJ/db) at (w, b): a list with one number per weight, and a number."""
    raise NotImplementedError("write this: gradients(w, b, X, Y)")


def fit(X: list[list[float]], Y: list[float], lr: float = 0.1, steps: int = 1000) -> tuple[list[float], float]:
    """Gradient descent from w = 0, b = 0; the final (w, b)."""
    raise NotImplementedError("write this: fit(X, Y, lr, steps)")
