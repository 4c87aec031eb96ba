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
  can free). One exception, as in PyTorch: `backward(create_graph=True)`
  stores in each `.grad` a graph that usually contains the node itself
  (d/dx x**3 = 3 * x**2 uses x), which is a cycle; `grad()` stores nothing
  and makes none.
- The topological order is computed by an iterative function,
  `topological_order`, so graphs a million nodes deep do not hit Python's
  recursion limit.
- Two walks over that order: `_gradients`, the general one, calls each
  rule and keeps the gradients in a dict (for `grad()`, for
  `create_graph=True` and under `detect_anomaly()`); `_backward_floats`,
  the usual `backward()`, adds into `.grad` in place and runs the five ops
  a network is made of (+, *, relu, dot, total) through fast paths that do
  their rule's arithmetic without packing arguments (same numbers, tested).

Sources: Karpathy's micrograd (the shape of each op); autodidact and
DeZero (iterative ordering, no cycles, higher-order gradients); Goodfellow,
Bengio and Courville, *Deep Learning*, ch. 6.5 (back-propagation).
"""

from __future__ import annotations

import functools
import gc
import math
from contextlib import contextmanager
from itertools import repeat
from typing import Iterable, Iterator, Sequence

__all__ = [
    "Value", "topological_order", "dot", "total", "grad", "paused_gc",
    "detect_anomaly", "AnomalyError",
]

# exp(x) overflows a float for x above this (math.log(sys.float_info.max)).
EXP_LIMIT = 709.782712893384


def _describe(x: float) -> str:
    """A number as the user typed it: 2.0, -1.5, 1e-07."""
    return repr(float(x))


class Value:
    """A scalar in a computational graph.

    - `data`: the number (a float).
    - `grad`: d(root)/d(this node), filled in by `root.backward()`.
    - `label`: an optional name, shown by the renderer and in errors.
    - `_prev`: the inputs, a tuple in argument order (`a * a` has two).
    - `_op`: the op that made the node ("+", "relu", "**2", ...); for a
      leaf, who made it: "" the user, "const" a number wrapped by an op,
      "param" a model (see nn.py).
    - `_backward`: the op's local rule, None for a leaf. A node built by
      hand as in micrograd, `Value(data, children, op)`, has no rule
      either, so gradients stop there.

    `Value(x)` takes an int or a float. bool is refused: `Value(True)` is
    almost always a mistake (a comparison where a number was meant).
    """

    # __weakref__ lets tools watch a node die (tests check that graphs free).
    __slots__ = ("data", "grad", "label", "_prev", "_op", "_backward", "__weakref__")

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
        with paused_gc():
            if not (create_graph or _anomaly_mode):
                _backward_floats(self)  # the fast path, for the usual case
                return
            grads = _gradients(self, create_graph)
        for node, g in grads.items():
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
    try:
        data = float(x)
    except OverflowError:
        raise OverflowError(f"an {type(x).__name__} operand is too large for a float") from None
    return _new_value(data, (), "const", None)  # a leaf, not an op result: never checked


_new = object.__new__


def _new_value(data: float, children: tuple, op: str, rule) -> Value:
    """A Value without __init__'s checks (the caller knows data is a float)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._prev = children
    out._op = op
    out._backward = rule
    return out


# Every op makes its result through _node; `detect_anomaly()` swaps in
# `_checked_node` for the duration of its block.
_node = _new_value


def _power(a: float, n: float) -> float:
    """a ** n as a real number, or a clear error."""
    text = f"({_describe(a)}) ** {_describe(n)}" if a < 0 else f"{_describe(a)} ** {_describe(n)}"
    if a == 0 and n < 0:
        raise ZeroDivisionError(f"pow: {text} divides by zero")
    if a < 0 and not float(n).is_integer():
        raise ValueError(
            f"pow: {text} is not a real number (a negative base needs an integer exponent)"
        )
    try:
        return float(a**n)
    except OverflowError:
        raise OverflowError(f"pow: {text} overflows a float") from None


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
    """a ** k inside a pow rule, for floats and Values alike."""
    if isinstance(a, Value):
        return a**k
    if a == 0 and k < 0:
        raise ZeroDivisionError(
            f"pow backward: d/da a**n = n * a**(n-1) is infinite at a = 0.0 (n = {k + 1!r})"
        )
    return _power(a, k)


def _ln(x):
    return x.log() if isinstance(x, Value) else math.log(x)


def _is_zero(x) -> bool:
    return not isinstance(x, Value) and x == 0


# ---- fused n-ary nodes -------------------------------------------------


def dot(ws: Sequence, xs: Sequence, bias=None) -> Value:
    """bias + sum(w_i * x_i) as one node (the talk's "Matmul" for one neuron).

    d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1. The sum is taken in the order
    of `sum((w*x for w, x in zip(ws, xs)), bias)`, so the result is the same
    float, bit for bit, as the elementwise graph gives. Its inputs are
    w_0..w_{n-1}, x_0..x_{n-1} and, when there is one, the bias.
    """
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    ws, xs = _values(ws, "dot"), _values(xs, "dot")
    return _dot(ws, xs, None if bias is None else _operand(bias, "dot"))


def _dot(ws: Sequence[Value], xs: Sequence[Value], bias: Value | None) -> Value:
    """`dot` without its checks, for callers that pass Values only: a
    neuron's forward pass (its weights are Values, and Layer wraps the
    inputs once for all its neurons) makes one of these per neuron."""
    acc = 0.0 if bias is None else bias.data
    for w, x in zip(ws, xs):
        acc = acc + w.data * x.data
    inputs = (*ws, *xs) if bias is None else (*ws, *xs, bias)
    return _node(acc, inputs, "dot", _dot_rule)


def total(values: Iterable) -> Value:
    """sum(values) as one node; d/dv_i = 1 for every term."""
    values = tuple(_values(values, "total"))
    acc = 0.0
    for v in values:
        acc = acc + v.data
    return _node(acc, values, "total", _total_rule)


def _values(items: Iterable, op: str) -> Sequence[Value]:
    if not isinstance(items, (list, tuple)):
        items = list(items)
    # A network passes Values only: then there is nothing to wrap, and
    # checking that with map (a loop in C) is cheaper than rebuilding the list.
    if all(map(isinstance, items, repeat(Value))):
        return items
    return [_operand(v, op) for v in items]


def _operand(x, op: str) -> Value:
    v = _wrap(x)
    if v is NotImplemented:
        raise TypeError(f"{op}: expected Values or numbers, got {type(x).__name__}: {x!r}")
    return v


def _dot_rule(g, out, *inputs):
    n = len(inputs) // 2
    ws, xs = inputs[:n], inputs[n : 2 * n]
    terms = [g * x for x in xs] + [g * w for w in ws]
    if len(inputs) % 2:
        terms.append(g)  # the bias
    return terms


def _total_rule(g, out, *inputs):
    return [g] * len(inputs)


# ---- fast paths for plain floats ---------------------------------------
# The ops a network is made of, with their rule's arithmetic written out on
# the node itself: the same sums in the same order (so the same bits), but
# without packing the inputs' data into arguments and the terms into a
# result. A dot node carries most of a network's edges, so its loop is
# where a training step spends much of its backward pass.


def _add_backward_floats(node: Value) -> None:
    a, b = node._prev
    a.grad += node.grad
    b.grad += node.grad


def _mul_backward_floats(node: Value) -> None:
    a, b = node._prev
    a.grad += node.grad * b.data
    b.grad += node.grad * a.data


def _relu_backward_floats(node: Value) -> None:
    if node.data > 0:
        node._prev[0].grad += node.grad


def _dot_backward_floats(node: Value) -> None:
    g = node.grad
    inputs = node._prev
    n = len(inputs) // 2
    for w, x in zip(inputs[:n], inputs[n : 2 * n]):
        w.grad += g * x.data
        x.grad += g * w.data
    if len(inputs) % 2:
        inputs[-1].grad += g  # the bias


def _total_backward_floats(node: Value) -> None:
    g = node.grad
    for x in node._prev:
        x.grad += g


_FLOAT_BACKWARD = {
    _add_rule: _add_backward_floats,
    _mul_rule: _mul_backward_floats,
    _relu_rule: _relu_backward_floats,
    _dot_rule: _dot_backward_floats,
    _total_rule: _total_backward_floats,
}


# ---- the backward pass -------------------------------------------------


def topological_order(root: Value, leaves: bool = True) -> list[Value]:
    """Every node below `root`, each after all of its inputs (root last).

    Iterative depth-first search, inputs visited in argument order, so the
    order is the same on every run. An explicit stack instead of recursion:
    a chain a million nodes deep is fine. With `leaves=False` only the op
    results are listed (all that the backward pass needs to order).
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list = [root]
    while stack:
        node = stack.pop()
        if node is _INPUTS_DONE:
            order.append(stack.pop())  # all its inputs are in `order` already
            continue
        if node in visited:
            continue  # reached twice (a shared input): it is listed once
        visited.add(node)
        # The node goes back under a marker, and its inputs on top: by the
        # time the marker pops, every input has been listed.
        stack.append(node)
        stack.append(_INPUTS_DONE)
        for child in reversed(node._prev):  # reversed: the first input pops first
            if (leaves or child._prev) and child not in visited:
                stack.append(child)
    return order


_INPUTS_DONE = object()  # the marker topological_order pushes above a node


def _backward_floats(root: Value) -> None:
    """The backward pass for plain float gradients, in place on `.grad`.

    1. Order the op results so that each comes after all of its inputs.
    2. Reset their grads (they hold one call's gradient; leaves accumulate).
    3. Seed d(root)/d(root) = 1.
    4. Walk the order backwards: each node's grad is complete by the time
       we reach it, so its rule can pass g * local derivative to its inputs.
    """
    order = topological_order(root, leaves=False)  # leaves need no ordering
    for node in order:
        if node._backward is not None:
            node.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        rule = node._backward
        g = node.grad
        if rule is None or g == 0.0:
            continue  # a leaf root, or nothing flows here (an inactive relu)
        fast = _FLOAT_BACKWARD.get(rule)
        if fast is not None:
            fast(node)  # the same arithmetic as rule, in place
            continue
        inputs = node._prev
        terms = rule(g, node.data, *[x.data for x in inputs])
        for x, term in zip(inputs, terms):
            x.grad += term


def _gradients(root: Value, create_graph: bool) -> dict:
    """The general backward pass: {node: d(root)/d(node)} for every node
    below root, touching no `.grad`. The gradients are floats, or Values
    with graphs of their own when `create_graph` is true. Under
    `detect_anomaly()` every gradient term is checked as it is made.
    """
    order = topological_order(root)
    grads: dict = {root: Value(1.0, _op="const") if create_graph else 1.0}
    for node in reversed(order):  # every node before its inputs
        rule = node._backward
        if rule is None:
            continue  # a leaf: nothing below it
        g = grads[node]
        inputs = node._prev
        if create_graph:
            terms = rule(g, node, *inputs)
        else:
            terms = rule(g, node.data, *[x.data for x in inputs])
        for i, (x, term) in enumerate(zip(inputs, terms)):
            before = grads.get(x)
            grads[x] = term if before is None else before + term
            if _anomaly_mode:  # the sum too: two finite terms can add up to inf
                _check_gradient(node, i, grads[x])
    return grads


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list:
    """d(output)/d(input) for each of `inputs`, without touching any `.grad`.

    Returns floats, or Values with graphs of their own when
    `create_graph=True` (so that they can be differentiated again). An input
    that `output` does not depend on gets 0.
    """
    if not isinstance(output, Value):
        hint = (
            " (a gradient from grad() or backward() is a plain number unless it was "
            "made with create_graph=True)"
            if isinstance(output, (int, float))
            else ""
        )
        raise TypeError(f"grad: output must be a Value, not {type(output).__name__}{hint}")
    if isinstance(inputs, Value):
        raise TypeError("grad: inputs must be a list of Values, got a single Value (write [x])")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):  # x.data, say: it would silently get 0
            raise TypeError(
                f"grad: inputs must be Values; input {i} is a {type(x).__name__}: {x!r}"
            )
    with paused_gc():
        grads = _gradients(output, create_graph)
    return [grads[x] if x in grads else _zero(create_graph) for x in inputs]


def _zero(create_graph: bool):
    return Value(0.0, _op="const") if create_graph else 0.0


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


# ---- anomaly mode --------------------------------------------------------


class AnomalyError(ArithmeticError):
    """A NaN or an infinity appeared, found by `detect_anomaly()`."""


_anomaly_mode = False


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise `AnomalyError` at the first op whose result, or whose gradient
    for one of its inputs, is NaN or infinite (as torch.autograd does).

    Off by default, and then it costs nothing: inside the block every op
    builds its node through `_checked_node` instead of `_node`, and
    `backward()` takes the general pass, which checks each gradient term.
    """
    global _node, _anomaly_mode
    saved = _node, _anomaly_mode
    _node, _anomaly_mode = _checked_node, True
    try:
        yield
    finally:
        _node, _anomaly_mode = saved


def _checked_node(data: float, children: tuple, op: str, rule) -> Value:
    if not math.isfinite(data):
        raise AnomalyError(
            f"detect_anomaly: forward pass: {op} gave {data!r} from inputs {_inputs_text(children)}"
        )
    return _new_value(data, children, op, rule)


def _check_gradient(node: Value, i: int, term) -> None:
    value = term.data if isinstance(term, Value) else term
    if not math.isfinite(value):
        name = f" (node {node.label!r})" if node.label else ""
        raise AnomalyError(
            f"detect_anomaly: backward pass: {node._op}{name} gave a gradient of "
            f"{value!r} for its input #{i} from inputs {_inputs_text(node._prev)}"
        )


def _inputs_text(children: tuple) -> str:
    parts = [f"{c.label}={c.data!r}" if c.label else repr(c.data) for c in children]
    return "(" + ", ".join(parts) + ")"

