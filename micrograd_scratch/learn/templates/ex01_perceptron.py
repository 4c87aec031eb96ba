"""Exercise 1: the perceptron (Rosenblatt, 1957).

A perceptron classifies a point x with a step function of a weighted sum:

    f(x) = 1 if w . x + b > 0 else 0

and learns from its mistakes, one example (x, d) at a time, where d is the
desired label, 0 or 1 (the perceptron rule):

    w_i <- w_i + lr * (d - f(x)) * x_i        b <- b + lr * (d - f(x))

A right answer changes nothing (d - f(x) = 0); a wrong one moves the
boundary towards the example.

Write `predict` and `update` below. The checker trains your perceptron,
epoch after epoch, on AND and on OR, which it must learn, and on XOR,
which it must fail: it shows you its weights going round in a cycle.

Check your work:   micrograd-scratch learn check 1
Stuck?             micrograd-scratch learn hint 1
"""


def predict(w: list[float], b: float, x: list[float]) -> int:
    """1 if w . x + b > 0 else 0."""
    raise NotImplementedError("write this: predict(w, b, x)")


def update(w: list[float], b: float, x: list[float], d: int, lr: float = 1.0) -> tuple[list[float], float]:
    """One step of the perceptron rule on the example (x, d): the new (w, b).

    Return new values; leave the list `w` you were given as it is.
    """
    raise NotImplementedError("write this: update(w, b, x, d, lr)")
