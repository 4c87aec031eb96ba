"""Exercise 3: the learner's weights for the talk's ReLU network, on the
four points of XOR, with each hidden unit's values in the talk's table."""

from __future__ import annotations

import numbers

from ...data import xor
from ...ops import relu
from ..runner import Check, Failed

X, LABELS = xor()


def _numbers(value, shape: str, name: str, size: int) -> list[float]:
    if (not isinstance(value, (list, tuple)) or len(value) != size
            or not all(isinstance(v, numbers.Real) for v in value)):
        raise Failed(f"{name} is {value!r}; it must be {shape}")
    return [float(v) for v in value]


def weights(module):
    values = [getattr(module, n, None) for n in ("W1", "b1", "W2", "b2")]
    if all(v is None for v in values):
        raise NotImplementedError("write this: W1, b1, W2 and b2")
    W1, b1, W2, b2 = values
    if not isinstance(W1, (list, tuple)) or len(W1) != 2:
        raise Failed(f"W1 is {W1!r}; it must be 2 rows of 2 numbers, [[w, w], [w, w]]")
    W1 = [_numbers(row, "2 rows of 2 numbers, [[w, w], [w, w]]", "W1", 2) for row in W1]
    b1 = _numbers(b1, "2 numbers, [b, b]", "b1", 2)
    W2 = _numbers(W2, "2 numbers, [v, v]", "W2", 2)
    if not isinstance(b2, numbers.Real):
        raise Failed(f"b2 is {b2!r}; it must be a number")
    return W1, b1, W2, float(b2)


def _g(v: float) -> str:
    return f"{v:g}"


def check_network(module) -> str:
    W1, b1, W2, b2 = weights(module)
    rows, wrong, clipped = [], [], False
    for x, want in zip(X, LABELS):
        z = [W1[j][0] * x[0] + W1[j][1] * x[1] + b1[j] for j in range(2)]
        h = [relu(v) for v in z]
        f = W2[0] * h[0] + W2[1] * h[1] + b2
        clipped = clipped or any(v < 0 for v in z)
        rows.append(f"x = ({_g(x[0])}, {_g(x[1])}): z = W1 x + b1 = ({_g(z[0])}, {_g(z[1])}), "
                    f"h = relu(z) = ({_g(h[0])}, {_g(h[1])}), f = {_g(f)}, want {want}")
        if abs(f - want) > 1e-9:
            wrong.append(f"({_g(x[0])}, {_g(x[1])})")
    table = "\n" + "\n".join(rows)
    if not wrong:
        return "XOR exactly, as the talk's table shows:" + table
    why = ("no hidden unit is ever below 0 on these points, so relu changes nothing and your "
           "network is linear on them, and no line computes XOR (exercise 2); give a unit a "
           "bias that makes it 0 at some points" if not clipped else
           f"wrong at {', '.join(wrong)}")
    raise Failed(why + ":" + table)


CHECKS = [Check("the network on the four points", check_network)]
