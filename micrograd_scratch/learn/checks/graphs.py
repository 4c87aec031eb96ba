"""The small graphs the order and backward checks run on, and how to
compare a learner's gradients with the package's node by node.

Each builder makes a fresh graph with labelled nodes, so that the same
graph can be built twice (once for the learner's code, once for the
package's) and its nodes paired up by position in the package's order.
"""

from __future__ import annotations

import math
from typing import Callable

from ...drawing.styles import fmt
from ...engine import Value, topological_order

__all__ = ["square", "diamond", "neuron", "chain", "unlink", "close", "nodes", "listed"]


def square() -> Value:
    """y = a * a at a = 3: one node, two edges into the same input."""
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    return y


def diamond() -> Value:
    """c = a * b is used by two later nodes: d = c + a and e = c * d."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    e = c * d
    e.label = "e"
    return e


def neuron() -> Value:
    """o = tanh(x1*w1 + x2*w2 + b), micrograd's lecture neuron."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1*w1 + x2*w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def chain(depth: int) -> Value:
    """x0 -> x1 -> ... -> x_depth, each node one input with local derivative
    1 (microgpt's way of making a node: no constants in between)."""
    x = Value(0.0, label="x0")
    for i in range(1, depth + 1):
        x = Value(float(i), (x,), (1.0,))
    return x


def unlink(root: Value) -> None:
    """Take a chain apart, from its root down, one node at a time. Freed
    whole, a chain 100,000 deep is freed by as many nested calls: CPython's
    C stack has room for them, the browser's (Pyodide's) does not, and
    overflowing it there is a fatal error."""
    node = root
    while node._prev:
        node._prev, node = (), node._prev[0]


GRAPHS: dict[str, Callable[[], Value]] = {"a * a": square, "the diamond": diamond, "a neuron": neuron}


def nodes(root: Value) -> list[Value]:
    """The package's order of the graph, to pair two copies' nodes by position."""
    return topological_order(root)


def close(got, expected, rel: float = 1e-9) -> bool:
    """Equal up to rounding (NaN equal to NaN)."""
    try:
        got, expected = float(got), float(expected)
    except (TypeError, ValueError):
        return False
    if math.isnan(expected):
        return math.isnan(got)
    return math.isclose(got, expected, rel_tol=rel, abs_tol=rel)


def listed(values, shown: int | None = None) -> str:
    """Numbers as a verdict shows them, "[0.95, -1.9]"; past `shown`, "...". """
    values = list(values)
    more = ", ..." if shown is not None and len(values) > shown else ""
    return f"[{', '.join(fmt(v) for v in values[:shown])}{more}]"
