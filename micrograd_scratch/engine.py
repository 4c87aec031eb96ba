"""The autodiff engine: a scalar `Value` that remembers how it was made.

Every arithmetic operation on Values builds one node of a *computational
graph*: the node stores its result (`data`), the inputs it was made from
(`_prev`, a tuple in argument order), the name of the operation (`_op`) and
the operation's *local backward rule* (`_rule`). The ops themselves (their
forward computation, derivative, symbol and kind) are defined once each in
`ops.py`; this file is what every op shares: the node, the chain rule and
the walks over the graph.

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

The rules are written with ordinary arithmetic and the ops of `ops.py`,
which accept floats and Values alike, so the same rule serves plain floats
(`backward()`, the usual case) and Values (`create_graph=True`, where the
gradient is itself a graph that can be differentiated again).

micrograd's contract
--------------------
`Value(data, children, op)` builds a node by hand, and a zero-argument
closure set as `out._backward` (which adds into the inputs' `.grad` itself,
as micrograd's ops do) is run by `backward()` like any rule. Reading
`node._backward` gives such a function for every node, so the lecture's
manual backprop (`for n in reversed(order): n._backward()`) works too.

Design notes
------------
- A rule is a plain function that receives the node's numbers; it is not
  a closure over the output node. So the graph holds no reference cycles,
  and dropping the last reference to the root frees the whole graph by
  reference counting alone (micrograd's closures capture `out`, which puts
  every node in a cycle that only the cyclic garbage collector can free).
  One exception, as in PyTorch: `backward(create_graph=True)` stores in
  each `.grad` a graph that usually contains the node itself (d/dx x**3 =
  3 * x**2 uses x), which is a cycle; `grad()` stores nothing and makes none.
- The topological order is computed by an iterative function,
  `topological_order`, so graphs a million nodes deep do not hit Python's
  recursion limit.
- Two walks over that order, both calling each node's one rule:
  `backward()` adds into `.grad` in place (`_propagate`, the same step
  that `node._backward()` takes by hand); `_gradients` keeps the gradients
  in a dict instead (for `grad()`, which touches no `.grad`, and for
  `create_graph=True`, whose gradients are Values).
- Modes (`detect_anomaly()`) are per thread, as PyTorch's anomaly mode is:
  two threads can train at once, one of them checking for NaNs.

Sources: Karpathy's micrograd (the node and its contract); autodidact and
DeZero (iterative ordering, no cycles, higher-order gradients); Goodfellow,
Bengio and Courville, *Deep Learning*, ch. 6.5 (back-propagation).
"""

from __future__ import annotations

import functools
import gc
import math
import numbers
import threading
from contextlib import contextmanager
from typing import Iterator, Sequence

__all__ = [
    "Value", "Parameter", "Constant", "topological_order", "dot", "total", "grad", "paused_gc",
    "detect_anomaly", "AnomalyError",
]


def _describe(x: float) -> str:
    """A number as the user typed it: 2.0, -1.5, 1e-07."""
    return repr(float(x))


class Value:
    """A scalar in a computational graph.

    - `data`: the number (a float).
    - `grad`: d(root)/d(this node), filled in by `root.backward()`.
    - `label`: an optional name, shown by the renderer and in errors.
    - `_prev`: the inputs, a tuple in argument order (`a * a` has two).
    - `_op`: the name of the op that made the node ("+", "relu", "**2",
      ...), "" for a leaf, as in micrograd.
    - `_rule`: the op's local backward rule (see `ops.py`), None for a leaf.
    - `_role`: what kind of leaf this is, for the renderer: "" a Value the
      user made (an input), "const" a `Constant` (a number an op wrapped),
      "param" a `Parameter` (a model's weight, see nn.py). It is a class
      attribute, so it costs a node no memory.
    - `_backward`: micrograd's zero-argument backward function (a property;
      see "micrograd's contract" above).

    `Value(x)` takes any real number (int, float, Fraction, a numpy
    scalar). bool is refused: `Value(True)` is almost always a mistake (a
    comparison where a number was meant). Any other attribute can be set on
    a Value (an optimizer's `p.m`, a renderer's colour).
    """

    # Slots keep a node small; "__dict__" makes other attributes settable,
    # and Python allocates that dict only when one is first set.
    # __weakref__ lets tools watch a node die (tests check that graphs free).
    __slots__ = ("data", "grad", "label", "_prev", "_op", "_rule", "__dict__", "__weakref__")
    _role = ""

    def __init__(self, data, _children: tuple = (), _op: str = "", label: str = ""):
        self.data = _real(data, "Value()")
        self.grad = 0  # micrograd's int 0: a fresh Value prints as micrograd's does
        self.label = label
        self._prev = tuple(_children)
        self._op = _op
        self._rule = None  # no rule: nothing flows past this node (until one is set)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"  # micrograd's

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """Jupyter shows a Value that ends a cell as the drawing of its graph
        (up to a size limit; the plain repr past it, or without Graphviz)."""
        from .drawing.graph import value_mimebundle  # the renderer, only when Jupyter asks

        return value_mimebundle(self, include, exclude)

    # ---- ops built from other ops --------------------------------------
    # +, *, ** and the functions (relu, exp, ...) come from ops.py, where
    # each is defined once. These are built from them, as in micrograd;
    # a number is negated or inverted before it is wrapped, so x - 1 is
    # the two nodes x + (-1), and x / 2 is x * 0.5.

    def __neg__(self):  # -self
        """-a; d/da = -1"""
        return self * -1

    def __sub__(self, other):  # self - other
        """a - b; d/da = 1, d/db = -1"""
        if not _is_operand(other):
            return NotImplemented
        return self + (-other)

    def __rsub__(self, other):  # other - self
        if not _is_operand(other):
            return NotImplemented
        return other + (-self)

    def __truediv__(self, other):  # self / other
        """a / b; d/da = 1/b, d/db = -a/b**2"""
        if not _is_operand(other):
            return NotImplemented
        if _data(other) == 0:
            raise ZeroDivisionError(f"division by zero: {_describe(self.data)} / 0.0")
        return self * _reciprocal(other)

    def __rtruediv__(self, other):  # other / self
        if not _is_operand(other):
            return NotImplemented
        if self.data == 0:
            raise ZeroDivisionError(f"division by zero: {_describe(_data(other))} / 0.0")
        return other * self**-1

    def __radd__(self, other):  # other + self
        return self + other

    def __rmul__(self, other):  # other * self
        return self * other

    # ---- gradients ----------------------------------------------------

    def backward(self, create_graph: bool = False) -> None:
        """Compute d(self)/d(node) for every node of the graph below self.

        Leaves accumulate: their `grad` grows by this call's gradient, as in
        PyTorch, until `zero_grad()` (or `node.grad = 0`) resets it. Every
        other node's `grad` holds this call's gradient only, so a graph can
        be drawn with the gradients that just flowed through it.

        With `create_graph=True` the gradients are Values with graphs of
        their own, which can be differentiated again (second derivatives).
        """
        with paused_gc():
            if not create_graph:
                _backward_in_place(self)
                return
            grads = _gradients(self, create_graph=True)
        for node, g in grads.items():
            if node._rule is not None:
                node.grad = g  # an op result: this call's gradient
            elif _is_zero(node.grad):
                node.grad = g  # a leaf's first gradient graph: no "0 + g" node
            else:
                node.grad = node.grad + g  # a leaf: accumulate

    def zero_grad(self) -> None:
        """Reset `grad` to 0 on this node and every node below it."""
        for node in topological_order(self):
            node.grad = 0

    @property
    def _backward(self):
        """micrograd's `_backward`: a function of no arguments that adds
        self.grad * d(self)/d(input) into each input's `.grad` (nothing for
        a leaf). Setting it to such a function of your own makes this node
        an op that `backward()` runs, as in micrograd."""
        if isinstance(self._rule, MicrogradClosure):
            return self._rule.function
        return functools.partial(_propagate, self)

    @_backward.setter
    def _backward(self, function) -> None:
        if not callable(function):
            raise TypeError(f"_backward must be a function, not {type(function).__name__}")
        self._rule = MicrogradClosure(function)


class Parameter(Value):
    """A model's weight or bias: a leaf that training changes (nn.py makes
    them, the renderer draws them in the parameter colour)."""

    __slots__ = ()
    _role = "param"


class Constant(Value):
    """A number that an op wrapped (the 2 in 2 * x): a leaf nothing trains."""

    __slots__ = ()
    _role = "const"


class MicrogradClosure:
    """A `_backward` written micrograd's way and set on a node by hand: a
    function of no arguments that adds into its inputs' `.grad` itself.
    `backward()` runs it; `grad()` and `create_graph=True` cannot, since it
    only knows how to add floats into `.grad`."""

    __slots__ = ("function",)

    def __init__(self, function):
        self.function = function

    def __call__(self, g, out, *inputs):  # called only by the dict-keeping walk
        raise TypeError(
            "grad() and backward(create_graph=True) cannot run a micrograd-style "
            "_backward closure (it only adds floats into .grad); define the op with "
            "micrograd_scratch.ops.define(...) instead, or call backward()"
        )


# ---- building nodes ----------------------------------------------------


def _real(x, where: str) -> float:
    """x as a float, if it is a real number (int, float, Fraction, numpy)."""
    if type(x) is float:
        return x
    if type(x) is bool or not isinstance(x, numbers.Real):
        raise TypeError(f"{where} takes a real number, not {type(x).__name__}: {x!r}")
    try:
        return float(x)
    except OverflowError:
        raise OverflowError(f"{where}: the number {x} is too large for a float") from None


def _is_operand(x) -> bool:
    """Can x take part in arithmetic with a Value? (Values and real numbers.)"""
    if type(x) is float or type(x) is int or isinstance(x, Value):
        return True  # the usual cases, before the slower check against numbers.Real
    return type(x) is not bool and isinstance(x, numbers.Real)


def _reciprocal(x):
    """x ** -1 as micrograd's division takes it: a node for a Value, and for
    a number a number (1 / x also serves integer types that refuse ** -1)."""
    return x**-1 if isinstance(x, Value) else 1 / x


def _data(x) -> float:
    """The number inside x, for a float and a Value alike."""
    return x.data if isinstance(x, Value) else x


def wrap(x):
    """A Value as it is, a number as a constant leaf, anything else
    NotImplemented (so that Python can try the other operand's method)."""
    if isinstance(x, Value):
        return x
    if type(x) is not float and not _is_operand(x):
        return NotImplemented
    return make_node(_real(x, "an operand"), (), "", None, Constant)


_new = object.__new__
_isfinite = math.isfinite


def make_node(data: float, inputs: tuple, op: str, rule, kind: type = Value) -> Value:
    """The result node of an op (ops.py calls this for every op), or a
    constant leaf: a Value (or a `kind` of Value) without __init__'s checks,
    since the caller knows data is a float. Under `detect_anomaly()` an op
    result that is NaN or infinite is an error here, at the op that made it."""
    if not _isfinite(data) and inputs and _modes.anomaly:
        raise AnomalyError(
            f"detect_anomaly: forward pass: {op} gave {data!r} from inputs {_inputs_text(inputs)}"
        )
    out = _new(kind)
    out.data = data
    out.grad = 0
    out.label = ""
    out._prev = inputs
    out._op = op
    out._rule = rule
    return out


# ---- the backward pass -------------------------------------------------


def topological_order(root: Value, leaves: bool = True) -> list[Value]:
    """Every node below `root`, each after all of its inputs (root last).

    Iterative depth-first search, inputs visited in argument order, so the
    order is the same on every run. An explicit stack instead of recursion:
    a chain a million nodes deep is fine. With `leaves=False` only the op
    results are listed (all that the backward pass needs to order).
    """
    order: list[Value] = []
    # Every node listed or being listed, and (with leaves=False) every leaf
    # passed over: what the search need not look at again.
    seen: set[Value] = set()
    stack: list = [root]
    while stack:
        node = stack.pop()
        if node is _INPUTS_DONE:
            order.append(stack.pop())  # all its inputs are in `order` already
            continue
        if node in seen:
            continue  # reached twice (a shared input): it is listed once
        seen.add(node)
        inputs = node._prev
        if seen.issuperset(inputs):
            # Every input is listed already, or is a leaf passed over (in a
            # network, the usual case: shared weights and activations), so
            # the node can be listed now. Fast: issuperset checks all the
            # inputs in C, where the loop below checks them one by one.
            order.append(node)
            continue
        # The node goes back under a marker, and its inputs on top: by the
        # time the marker pops, every input has been listed.
        stack.append(node)
        stack.append(_INPUTS_DONE)
        for child in reversed(inputs):  # reversed: the first input pops first
            if child in seen:
                continue
            if leaves or child._prev:
                stack.append(child)
            else:
                seen.add(child)  # a leaf, left out of the order
    return order


_INPUTS_DONE = object()  # the marker topological_order pushes above a node


def _propagate(node: Value) -> None:
    """One step of the chain rule: add node.grad * d(node)/d(input) into
    each input's `.grad`. This is `node._backward()`."""
    rule = node._rule
    if rule is None:
        return  # a leaf: nothing below it
    if type(rule) is MicrogradClosure:
        rule.function()  # it adds into .grad itself
        return
    inputs = node._prev
    # One and two inputs, the usual cases, are unpacked by hand: for them a
    # list of the inputs' data and a loop over the terms cost more than the
    # arithmetic. (Same rule, same sums in the same order.)
    if len(inputs) == 2:
        a, b = inputs
        da, db = rule(node.grad, node.data, a.data, b.data)
        a.grad += da
        b.grad += db
    elif len(inputs) == 1:
        (a,) = inputs
        (da,) = rule(node.grad, node.data, a.data)
        a.grad += da
    else:
        terms = rule(node.grad, node.data, *[x.data for x in inputs])
        for x, term in zip(inputs, terms):
            x.grad += term


def _backward_in_place(root: Value) -> None:
    """The backward pass for float gradients, in place on `.grad`.

    1. Order the op results so that each comes after all of its inputs.
    2. Reset their grads (they hold one call's gradient; leaves accumulate).
    3. Seed d(root)/d(root) = 1.
    4. Walk the order backwards: each node's grad is complete by the time
       we reach it, so its rule can pass g * local derivative to its inputs.
    """
    order = topological_order(root, leaves=False)  # leaves need no ordering
    for node in order:
        if node._rule is not None:
            node.grad = 0
    root.grad += 1.0
    checked = _modes.anomaly
    for node in reversed(order):
        if node.grad == 0.0:
            continue  # nothing flows here (an inactive relu, an unused branch)
        _propagate(node)
        if checked:
            _check_gradients(node)


def _gradients(root: Value, create_graph: bool) -> dict:
    """The backward pass into a dict: {node: d(root)/d(node)} for every
    node below root, touching no `.grad`. The gradients are floats, or
    Values with graphs of their own when `create_graph` is true. Under
    `detect_anomaly()` every gradient is checked as it is summed.
    """
    order = topological_order(root)
    grads: dict = {root: wrap(1.0) if create_graph else 1.0}
    checked = _modes.anomaly
    for node in reversed(order):  # every node before its inputs
        rule = node._rule
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
            if checked:  # the sum too: two finite terms can add up to inf
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


def local_terms(node: Value, upstream: float = 1.0) -> list:
    """The terms node's rule passes to its inputs for an upstream gradient
    (with the default 1.0, the local derivatives d(node)/d(input)). The
    renderer and the explorer show these; they are what backward() adds."""
    if node._rule is None:
        return []
    return list(node._rule(upstream, node.data, *[x.data for x in node._prev]))


def _is_zero(x) -> bool:
    return not isinstance(x, Value) and x == 0


def _zero(create_graph: bool):
    return wrap(0.0) if create_graph else 0.0


_gc_lock = threading.Lock()
_gc_pausers = 0  # how many paused_gc blocks are open, in all threads


@contextmanager
def paused_gc() -> Iterator[None]:
    """Switch the cyclic garbage collector off inside the block.

    Our graphs hold no reference cycles, so reference counting frees them;
    the collector would only rescan the many young nodes a big graph makes.
    The collector is process-wide, so blocks in several threads share one
    count: it comes back on when the last block ends (if it was on before
    the first began), even on an exception.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


_gc_was_enabled = True


# ---- anomaly mode --------------------------------------------------------


class AnomalyError(ArithmeticError):
    """A NaN or an infinity appeared, found by `detect_anomaly()`."""


class _Modes(threading.local):
    """Switches that hold for the current thread only."""

    anomaly = False


_modes = _Modes()


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise `AnomalyError` at the first op whose result, or whose gradient
    for one of its inputs, is NaN or infinite (as torch.autograd does).

    The mode holds in the current thread only. Off, it costs nothing but
    one comparison per node: `make_node` consults it only for a result that
    is not finite.
    """
    saved = _modes.anomaly
    _modes.anomaly = True
    try:
        yield
    finally:
        _modes.anomaly = saved


def _check_gradients(node: Value) -> None:
    for i, x in enumerate(node._prev):
        _check_gradient(node, i, x.grad)


def _check_gradient(node: Value, i: int, term) -> None:
    value = _data(term)
    if not math.isfinite(value):
        name = f" (node {node.label!r})" if node.label else ""
        raise AnomalyError(
            f"detect_anomaly: backward pass: {node._op}{name} gave a gradient of "
            f"{value!r} for its input #{i} from inputs {_inputs_text(node._prev)}"
        )


def _inputs_text(children: tuple) -> str:
    parts = [f"{c.label}={c.data!r}" if c.label else repr(c.data) for c in children]
    return "(" + ", ".join(parts) + ")"


# The ops (+, *, **, relu, exp, dot, total, ...) are defined in ops.py,
# which attaches them to Value; importing it here means that a Value always
# has them, whichever module was imported first.
from .ops import dot, total  # noqa: E402  (ops.py needs Value, defined above)
