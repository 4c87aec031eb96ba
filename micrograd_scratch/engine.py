"""The autodiff engine: a scalar `Value` that remembers how it was made.

Every arithmetic operation on Values builds one node of a *computational
graph*: the node stores its result (`data`), the inputs it was made from
(`_prev`, a tuple in argument order), the name of the operation (`_op`) and
the operation's *local backward rule* (`_backward`).

The chain rule, once
--------------------
If a loss L depends on a node y, and y = f(a, b), then

    dL/da = dL/dy * dy/da        dL/db = dL/dy * dy/db

dL/dy is the *upstream gradient* g, which y receives from the nodes that
use it; dy/da and dy/db are the *local derivatives* of f, which only f
knows. So each op's rule is a small function

    rule(g, out, a, b, ...) -> (g * dy/da, g * dy/db, ...)

and `backward()` calls the rules in reverse topological order (every node
after all the nodes that use it), adding each returned term to the
gradient of the matching input. A node used twice (`a * a`, or `b` feeding
two layers) simply receives two terms, which add up: that is the
multivariable chain rule.

The rules are written with ordinary arithmetic, so the same rule works on
plain floats (the fast, usual case) and on Values (`create_graph=True`,
where the gradient is itself a graph that can be differentiated again).

Design notes
------------
- A rule is a module-level function that receives the node's numbers; it
  is not a closure over the output node. So the graph holds no reference
  cycles, and dropping the last reference to the root frees the whole
  graph by reference counting alone (micrograd's closures capture `out`,
  which puts every node in a cycle that only the cyclic garbage collector
  can free).
- The topological order is computed by an iterative function,
  `topological_order`, so graphs a million nodes deep do not hit Python's
  recursion limit.

Sources: Karpathy's micrograd (the shape of each op); autodidact and
DeZero (iterative ordering, no cycles, higher-order gradients); Goodfellow,
Bengio and Courville, *Deep Learning*, ch. 6.5 (back-propagation).
"""

from __future__ import annotations

import functools
import gc
import math
from contextlib import contextmanager
from typing import Iterable, Iterator, Sequence

__all__ = ["Value", "topological_order", "dot", "total", "grad", "paused_gc"]

# exp(x) overflows a float for x above this (math.log(sys.float_info.max)).
EXP_LIMIT = 709.782712893384


def _describe(x: float) -> str:
    """A number as the user typed it: 2.0, -1.5, 1e-07."""
    return repr(float(x))


class Value:
    """A scalar in a computational graph, with the gradient of the last
    `backward()` call stored in `grad`.

    `Value(x)` takes an int or a float. bool is refused: `Value(True)` is
    almost always a mistake (a comparison where a number was meant).
    """

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_backward")

    def __init__(self, data: float, _children: tuple = (), _op: str = "", label: str = ""):
        if type(data) is bool or not isinstance(data, (int, float)):
            raise TypeError(
                f"Value() takes an int or a float, not {type(data).__name__}: {data!r}"
            )
        try:
            self.data = float(data)
        except OverflowError:
            raise OverflowError(f"Value({data}): the int is too large for a float") from None
        self.grad = 0.0
        self.label = label
        self._prev = tuple(_children)
        self._op = _op
        self._backward = None  # leaves have no rule: nothing flows past them

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data!r}, grad={self.grad!r})"

    # ---- binary ops ---------------------------------------------------
    # Each op has the same four beats: wrap the operand, compute `out`,
    # attach the local backward rule, return `out`.

    def __add__(self, other):
        """a + b; d/da = 1, d/db = 1"""
        other = _wrap(other)
        if other is NotImplemented:
            return NotImplemented
        return _node(self.data + other.data, (self, other), "+", _add_rule)

    def __mul__(self, other):
        """a * b; d/da = b, d/db = a"""
        other = _wrap(other)
        if other is NotImplemented:
            return NotImplemented
        return _node(self.data * other.data, (self, other), "*", _mul_rule)

    def __pow__(self, other):
        """a ** n; d/da = n * a**(n-1)   (and for a Value n: d/dn = a**n * ln a)"""
        if isinstance(other, Value):
            return _node(_power(self.data, other.data), (self, other), "**", _pow_value_rule)
        if type(other) is bool or not isinstance(other, (int, float)):
            return NotImplemented
        # A number exponent is part of the op, not an input: "**2" squares.
        return _node(_power(self.data, other), (self,), f"**{other}", _pow_rule(other))

    def __rpow__(self, other):
        """n ** a for a number n; d/da = n**a * ln n"""
        other = _wrap(other)
        if other is NotImplemented:
            return NotImplemented
        return other ** self

    # Subtraction, division and negation are built from the ops above.
    def __neg__(self):
        """-a; d/da = -1"""
        return self * -1

    def __sub__(self, other):
        """a - b; d/da = 1, d/db = -1"""
        other = _wrap(other)
        if other is NotImplemented:
            return NotImplemented
        return self + (-other)

    def __truediv__(self, other):
        """a / b; d/da = 1/b, d/db = -a/b**2"""
        other = _wrap(other)
        if other is NotImplemented:
            return NotImplemented
        if other.data == 0:
            raise ZeroDivisionError(f"division by zero: {_describe(self.data)} / 0.0")
        return self * other**-1

    def __radd__(self, other):  # other + self
        return self + other

    def __rmul__(self, other):  # other * self
        return self * other

    def __rsub__(self, other):  # other - self
        other = _wrap(other)
        if other is NotImplemented:
            return NotImplemented
        return other - self

    def __rtruediv__(self, other):  # other / self
        other = _wrap(other)
        if other is NotImplemented:
            return NotImplemented
        return other / self

    # ---- unary ops ----------------------------------------------------

    def exp(self):
        """exp(x); d/dx = exp(x)"""
        if self.data > EXP_LIMIT:  # math.exp would raise a bare OverflowError
            raise OverflowError(
                f"exp({_describe(self.data)}): the result overflows a float "
                f"(exp is finite only for x <= {EXP_LIMIT:.2f})"
            )
        return _node(math.exp(self.data), (self,), "exp", _exp_rule)

    def log(self):
        """log(x), the natural logarithm; d/dx = 1/x"""
        if self.data <= 0:
            raise ValueError(f"log({_describe(self.data)}): log is only defined for x > 0")
        return _node(math.log(self.data), (self,), "log", _log_rule)

    def tanh(self):
        """tanh(x); d/dx = 1 - tanh(x)**2"""
        return _node(math.tanh(self.data), (self,), "tanh", _tanh_rule)

    def sigmoid(self):
        """sigmoid(x) = 1 / (1 + exp(-x)); d/dx = sigmoid(x) * (1 - sigmoid(x))"""
        return _node(_sigmoid(self.data), (self,), "sigmoid", _sigmoid_rule)

    def relu(self):
        """relu(x) = max(0, x); d/dx = 1 if x > 0 else 0"""
        return _node(self.data if self.data > 0 else 0.0, (self,), "relu", _relu_rule)

    # ---- gradients ----------------------------------------------------

    def backward(self, create_graph: bool = False) -> None:
        """Compute d(self)/d(node) for every node of the graph below self.

        Leaves accumulate: their `grad` grows by this call's gradient, as in
        PyTorch, until `zero_grad()` (or `node.grad = 0.0`) resets it. Every
        other node's `grad` holds this call's gradient only, so a graph can
        be drawn with the gradients that just flowed through it.

        With `create_graph=True` the gradients are Values with graphs of
        their own, which can be differentiated again (second derivatives).
        """
        for node, g in _backprop(self, create_graph).items():
            if node._backward is not None:
                node.grad = g  # an op result: this call's gradient
            elif create_graph and _is_zero(node.grad):
                node.grad = g  # a leaf's first gradient graph: no "0 + g" node
            else:
                node.grad = node.grad + g  # a leaf: accumulate

    def zero_grad(self) -> None:
        """Reset `grad` to 0 on this node and every node below it."""
        for node in topological_order(self):
            node.grad = 0.0


# ---- building nodes ----------------------------------------------------


def _wrap(x):
    """A Value as it is, a number as a constant Value, anything else
    NotImplemented (so that Python can try the other operand's method)."""
    if isinstance(x, Value):
        return x
    if type(x) is bool or not isinstance(x, (int, float)):
        return NotImplemented
    return Value(x, _op="const")


_new = object.__new__


def _node(data: float, children: tuple, op: str, rule) -> Value:
    """The result node of an op (without __init__'s checks: data is a float)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._prev = children
    out._op = op
    out._backward = rule
    return out


def _power(a: float, n: float) -> float:
    """a ** n as a real number, or a clear error."""
    if a == 0 and n < 0:
        raise ZeroDivisionError(f"pow: {_describe(a)} ** {_describe(n)} divides by zero")
    if a < 0 and n != int(n):
        raise ValueError(
            f"pow: {_describe(a)} ** {_describe(n)} is not a real number "
            "(a negative base needs an integer exponent)"
        )
    try:
        return float(a**n)
    except OverflowError:
        raise OverflowError(
            f"pow: {_describe(a)} ** {_describe(n)} overflows a float"
        ) from None


def _sigmoid(x: float) -> float:
    # Two forms so that exp never sees a large positive argument.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# ---- local backward rules ----------------------------------------------
# rule(g, out, *inputs) returns one term g * d(out)/d(input) per input.
# g, out and the inputs are all floats, or all Values (create_graph=True):
# the same arithmetic serves both.


def _add_rule(g, out, a, b):
    return g, g


def _mul_rule(g, out, a, b):
    return g * b, g * a


@functools.lru_cache(maxsize=64)
def _pow_rule(n: float):
    """The rule of `a ** n` for one number n (made once per n, then reused)."""

    def rule(g, out, a):
        return (g * 0.0 if n == 0 else g * n * _raise(a, n - 1),)

    return rule


def _pow_value_rule(g, out, a, n):
    # d/dn a**n = a**n * ln a, defined for a > 0 (and 0 at a = 0, its limit).
    a_data = a.data if isinstance(a, Value) else a
    if a_data > 0:
        d_n = g * out * _ln(a)
    elif a_data == 0:
        d_n = g * 0.0
    else:
        raise ValueError(
            f"pow backward: d/dn a**n = a**n * ln(a) needs a > 0, "
            f"but a = {_describe(a_data)} (no gradient for the exponent)"
        )
    d_a = g * 0.0 if _is_zero(n) else g * n * _raise(a, n - 1)
    return d_a, d_n


def _exp_rule(g, out, a):
    return (g * out,)


def _log_rule(g, out, a):
    return (g / a,)


def _tanh_rule(g, out, a):
    return (g * (1 - out * out),)


def _sigmoid_rule(g, out, a):
    return (g * out * (1 - out),)


def _relu_rule(g, out, a):
    # The step function has derivative 0 (almost) everywhere: no graph needed.
    positive = (out.data if isinstance(out, Value) else out) > 0
    return (g if positive else g * 0.0,)


def _raise(a, k):
    """a ** k for floats (with `_power`'s clear errors) and Values alike."""
    return a**k if isinstance(a, Value) else _power(a, k)


def _ln(x):
    return x.log() if isinstance(x, Value) else math.log(x)


def _is_zero(x) -> bool:
    return not isinstance(x, Value) and x == 0


# ---- fused n-ary nodes -------------------------------------------------


def dot(ws: Sequence, xs: Sequence, bias=None) -> Value:
    """bias + sum(w_i * x_i) as one node (the talk's "Matmul" for one neuron).

    d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1. The sum is taken in the order
    of `sum((w*x for w, x in zip(ws, xs)), bias)`, so the result is the same
    float, bit for bit, as the elementwise graph gives.
    """
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    ws = [_operand(w, "dot") for w in ws]
    xs = [_operand(x, "dot") for x in xs]
    acc = 0.0
    inputs = ws + xs
    if bias is not None:
        bias = _operand(bias, "dot")
        acc = bias.data
        inputs.append(bias)
    for w, x in zip(ws, xs):
        acc = acc + w.data * x.data
    return _node(acc, tuple(inputs), "dot", _dot_rule)


def total(values: Iterable) -> Value:
    """sum(values) as one node; d/dv_i = 1 for every term."""
    values = [_operand(v, "total") for v in values]
    acc = 0.0
    for v in values:
        acc = acc + v.data
    return _node(acc, tuple(values), "total", _total_rule)


def _operand(x, op: str) -> Value:
    v = _wrap(x)
    if v is NotImplemented:
        raise TypeError(f"{op}: expected Values or numbers, got {type(x).__name__}: {x!r}")
    return v


def _dot_rule(g, out, *inputs):
    # inputs = w_0..w_{n-1}, x_0..x_{n-1} and, when there is one, the bias.
    n = len(inputs) // 2
    ws, xs = inputs[:n], inputs[n : 2 * n]
    terms = [g * x for x in xs] + [g * w for w in ws]
    if len(inputs) % 2:
        terms.append(g)
    return terms


def _total_rule(g, out, *inputs):
    return [g] * len(inputs)


# ---- the backward pass -------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node below `root`, each after all of its inputs (root last).

    Iterative depth-first search, inputs visited in argument order, so the
    order is the same on every run. An explicit stack instead of recursion:
    a chain a million nodes deep is fine.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)  # all its inputs are in `order` already
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for child in reversed(node._prev):  # reversed: the first input pops first
            if child not in visited:
                stack.append((child, False))
    return order


def _backprop(root: Value, create_graph: bool) -> dict:
    """Gradient of `root` with respect to every node below it: {node: dL/dnode}.

    Touches no `.grad`; `Value.backward` and `grad` decide what to keep.
    """
    with paused_gc():
        order = topological_order(root)
        grads = {root: Value(1.0, _op="const") if create_graph else 1.0}
        for node in reversed(order):  # every node before its inputs
            rule = node._backward
            if rule is None:
                continue  # a leaf: nothing below it
            g = grads.get(node)
            if g is None:
                continue  # not reached from root (cannot happen) or zero
            inputs = node._prev
            if create_graph:
                terms = rule(g, node, *inputs)
            else:
                terms = rule(g, node.data, *[x.data for x in inputs])
            for x, term in zip(inputs, terms):
                before = grads.get(x)
                grads[x] = term if before is None else before + term
        return grads


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list:
    """d(output)/d(input) for each of `inputs`, without touching any `.grad`.

    Returns floats, or Values with graphs of their own when
    `create_graph=True` (so that they can be differentiated again). An input
    that `output` does not depend on gets 0.
    """
    grads = _backprop(output, create_graph)
    zero = (lambda: Value(0.0, _op="const")) if create_graph else (lambda: 0.0)
    return [grads[x] if x in grads else zero() for x in inputs]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Switch the cyclic garbage collector off inside the block.

    Our graphs hold no reference cycles, so reference counting frees them;
    the collector would only rescan the many young nodes a big graph makes.
    Its previous state is restored on the way out, even on an exception.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
