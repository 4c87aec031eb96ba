"""The autodiff engine: a scalar `Value` that remembers how it was made.

Every arithmetic operation on Values builds one node of a *computational
graph*: the node stores its result (`data`), the inputs it was made from
(`_prev`, a tuple in argument order), the name of the operation (`_op`) and
how to get the operation's *local derivatives* (`_local_grads`). The ops
themselves (their forward computation, local derivatives, symbol and kind)
are defined once each in `ops.py`; this file is what every op shares: the
node, the topological order and the one backward loop.

The chain rule, once
--------------------
If a loss L depends on a node y, and y = f(a, b), then

    dL/da = dL/dy * dy/da        dL/db = dL/dy * dy/db

dL/dy is the *upstream gradient* g, which y receives from the nodes that
use it; dy/da and dy/db are the *local derivatives* of f, which only f
knows. So an op gives its local derivatives, one per input,

    local_grads(out, a, b, ...) -> (dy/da, dy/db, ...)

and one loop, `chain_rule`, does all the chaining: it visits the nodes in
reverse topological order (every node after all the nodes that use it),
and for each input of each node adds

    input.grad += node.grad * local_grad

A node used twice (`a * a`, or `b` feeding two layers) simply receives two
terms, which add up: that is the multivariable chain rule.

The one loop
------------
`chain_rule` is the only code that walks the graph backwards, and
everything runs it: `backward()`, `grad()`, `backward(create_graph=True)`,
`detect_anomaly()`, gradcheck, the backward stepper, the frames and the
explorer (all through `backprop`, which orders the nodes and seeds the
root), and a hand call of `node._backward()` (the loop over that one
node). Put a `print` in `chain_rule` and every one of those paths prints.
To watch it without editing, pass `on_step`:

    y.backward(on_step=lambda node, g, local_grads: print(node._op, g, local_grads))

What differs between the paths is a setting, not a second loop:
- where the gradients are kept: each node's `.grad` (`backward()`), or a
  dict (`grad()`, which touches no `.grad`, and the stepper);
- whether they are floats, or Values with graphs of their own
  (`create_graph=True`, for second derivatives). Local derivatives are
  written with ordinary arithmetic and the ops of `ops.py`, which take
  floats and Values alike, so one definition serves both.

Three ways to make a node
-------------------------
- The ops of `ops.py` (`a * b`, `x.tanh()`, ...): the usual way.
- micrograd's: `Value(data, children, "op")` and a zero-argument closure
  set as `out._backward`, which adds `local * out.grad` into the inputs'
  `.grad` itself. The loop runs it once with `out.grad = 1` on zeroed
  inputs to read its local derivatives, then chains them like any others.
- microgpt's: `Value(data, children, local_grads)`, with the local
  derivatives as a tuple of numbers.

Design notes
------------
- A node holds no closure over itself, so the graph holds no reference
  cycles, and dropping the last reference to the root frees the whole
  graph by reference counting alone (micrograd's closures capture `out`,
  which puts every node in a cycle that only the cyclic garbage collector
  can free). One exception, as in PyTorch: `backward(create_graph=True)`
  stores in each `.grad` a graph that usually contains the node itself
  (d/dx x**3 = 3 * x**2 uses x), which is a cycle; `grad()` stores nothing.
- The topological order is micrograd's depth-first search with an explicit
  stack instead of recursion, so graphs a million nodes deep do not hit
  Python's recursion limit.
- A local derivative of exactly 0 passes nothing on, even against an
  infinite upstream gradient: a dead relu under `relu(x) ** 0.5` stops the
  infinite term, as in PyTorch. An infinite local derivative is inf (which
  `detect_anomaly()` names), not an exception.
- Modes (`detect_anomaly()`) are per thread, as PyTorch's anomaly mode is.

Sources: Karpathy's micrograd (the node and its contract) and microgpt
(local derivatives and one chaining loop); autodidact and DeZero (iterative
ordering, no cycles, higher-order gradients, a config switch instead of a
second loop); Goodfellow, Bengio and Courville, *Deep Learning*, ch. 6.5.
"""

from __future__ import annotations

import gc
import math
import numbers
import threading
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Sequence

__all__ = [
    "Value", "Parameter", "Constant", "topological_order", "backprop", "chain_rule",
    "local_grads", "chain", "dot", "total", "grad", "paused_gc", "detect_anomaly", "AnomalyError",
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
    - `_local_grads`: how to get d(this node)/d(input) for each input (see
      `local_grads`): the op's function, microgpt's tuple of numbers, or
      micrograd's closure; None for a leaf.
    - `_role`: what kind of leaf this is, for the renderer: "" a Value the
      user made (an input), "const" a `Constant` (a number an op wrapped),
      "param" a `Parameter` (a model's weight, see nn.py). It is a class
      attribute, so it costs a node no memory.

    `Value(data, children, op)` is micrograd's way to make a node by hand
    (set `out._backward` to say how gradients flow); `Value(data, children,
    local_grads)` with a tuple of numbers is microgpt's (see the module
    docstring). `data` is any real number (int, float, Fraction, a numpy
    scalar); bool is refused: `Value(True)` is almost always a mistake. Any
    other attribute can be set on a Value (an optimizer's `p.m`).
    """

    # Slots keep a node small; "__dict__" makes other attributes settable,
    # and Python allocates that dict only when one is first set.
    # __weakref__ lets tools watch a node die (tests check that graphs free).
    __slots__ = ("data", "grad", "label", "_prev", "_op", "_local_grads", "__dict__", "__weakref__")
    _role = ""

    def __init__(self, data, _children: tuple = (), _op: str | tuple = "", label: str = ""):
        self.data = data if type(data) is float else _real(data, "Value()")
        self.grad = 0  # micrograd's int 0: a fresh Value prints as micrograd's does
        self.label = label
        self._prev = tuple(_children)
        if type(_op) is str:  # micrograd's op name: gradients flow once _backward is set
            self._op, self._local_grads = _op, None
        else:  # microgpt's local derivatives, one per child
            self._op, self._local_grads = _microgpt_node(_op, self._prev)

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

    def backward(self, create_graph: bool = False, on_step: Callable | None = None) -> None:
        """Compute d(self)/d(node) for every node of the graph below self.

        Leaves accumulate: their `grad` grows by this call's gradient, as in
        PyTorch, until `zero_grad()` (or `node.grad = 0`) resets it. Every
        other node's `grad` holds this call's gradient only, so a graph can
        be drawn with the gradients that just flowed through it.

        With `create_graph=True` the gradients are Values with graphs of
        their own, which can be differentiated again (second derivatives).
        `on_step(node, g, local_grads)` is called after each step of the
        loop (see `chain_rule`).
        """
        with paused_gc():
            if not create_graph:
                backprop(self, on_step=on_step)  # straight into each node's .grad
                return
            grads = backprop(self, {}, create_graph=True, on_step=on_step)
        for node, g in grads.items():
            if node._prev:
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
    def _backward(self) -> Callable[[], None]:
        """micrograd's `_backward`: a function of no arguments that adds
        self.grad * d(self)/d(input) into each input's `.grad`. It is one
        step of the one backward loop (`chain_rule`), for every node."""
        return lambda: chain_rule([self])

    @_backward.setter
    def _backward(self, function: Callable[[], None]) -> None:
        # micrograd's way to give a hand-made node its backward pass.
        if not callable(function):
            raise TypeError(f"_backward must be a function, not {type(function).__name__}")
        self._local_grads = MicrogradClosure(function)


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
    function of no arguments that adds `local * out.grad` into its inputs'
    `.grad` itself. `local_grads` runs it to read the local derivatives."""

    __slots__ = ("function",)

    def __init__(self, function):
        self.function = function


GENERIC_OP = "f"  # the _op of a node made microgpt's way, with no op name


def _microgpt_node(op, children: tuple) -> tuple:
    """The _op and _local_grads of `Value(data, children, local_grads)`,
    microgpt's way: a tuple of numbers, one per child."""
    if isinstance(op, (tuple, list)) and not isinstance(op, str):
        local = tuple(_real(d, "Value(data, children, local_grads): a local gradient") for d in op)
        if len(local) != len(children):
            raise ValueError(
                f"Value(data, children, local_grads): {len(children)} children but "
                f"{len(local)} local gradients (one per child)"
            )
        return (GENERIC_OP if children else ""), (local if children else None)
    raise TypeError(
        "Value(data, children, op): op must be an op name (a string, micrograd's way) or a "
        f"tuple of local gradients, one per child (microgpt's way), not {type(op).__name__}: {op!r}"
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
    return Constant(x)


def make_node(data: float, inputs: tuple, op: str, local_grads: Callable) -> Value:
    """The result node of an op (ops.py calls this for every op). Under
    `detect_anomaly()` a result that is NaN or infinite is an error here,
    at the op that made it."""
    if not math.isfinite(data) and _modes.anomaly:
        raise AnomalyError(
            f"detect_anomaly: forward pass: {op} gave {data!r} from inputs {_inputs_text(inputs)}"
        )
    out = Value(data, inputs, op)
    out._local_grads = local_grads
    return out


# ---- the backward pass -------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node below `root`, each after all of its inputs (root last).

    micrograd's `build_topo`, a depth-first search, with a stack of its own
    instead of recursion, so a chain a million nodes deep is fine. Inputs
    are visited in argument order, so the order is the same on every run.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)  # every input is in `order` already
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))  # back to this node once its inputs are done
            for child in reversed(node._prev):  # reversed: the first input is done first
                if child not in visited:
                    stack.append((child, False))
    return order


def local_grads(node: Value, create_graph: bool = False) -> tuple:
    """d(node)/d(input) for each input of `node`: what the loop multiplies by.

    Floats, or Values with graphs of their own when `create_graph` is true.
    A leaf, or a node made by hand with no `_backward`, has none: nothing
    flows below it.
    """
    how = node._local_grads
    if how is None:
        return ()
    if type(how) is tuple:  # microgpt's: numbers, given when the node was made
        if create_graph:
            raise TypeError(_cannot_differentiate_again(node, "its local gradients are plain numbers"))
        return how
    if type(how) is MicrogradClosure:  # micrograd's: read what it adds for out.grad = 1
        if create_graph:
            raise TypeError(_cannot_differentiate_again(node, "its _backward only adds floats into .grad"))
        return _closure_local_grads(node, how.function)
    if create_graph:
        return how(node, *node._prev)  # Values in, Values out: a graph to differentiate again
    return how(node.data, *[x.data for x in node._prev])


def _closure_local_grads(node: Value, closure: Callable[[], None]) -> tuple:
    """Run a micrograd closure with node.grad = 1 and its inputs' .grad
    lent at 0: what it adds to each input is d(node)/d(input). Every .grad
    is put back as it was."""
    inputs = list(dict.fromkeys(node._prev))  # each once (a * a lists a twice)
    saved = [node.grad] + [x.grad for x in inputs]
    node.grad = 1.0
    for x in inputs:
        x.grad = 0.0
    try:
        closure()
        added = {x: x.grad for x in inputs}
    finally:
        node.grad = saved[0]
        for x, g in zip(inputs, saved[1:]):
            x.grad = g
    # An input listed twice received both of its terms at once: give them to its first edge.
    return tuple(added.pop(x, 0.0) for x in node._prev)


def _cannot_differentiate_again(node: Value, why: str) -> str:
    return (
        f"grad(..., create_graph=True) and backward(create_graph=True) cannot differentiate "
        f"the hand-made node {node._op or 'f'!r} again: {why}; define the op with "
        f"micrograd_scratch.ops.define(...) instead, or call backward()"
    )


def chain(g, local_grads: Sequence) -> list:
    """The chain rule at one node: its gradient g times each local
    derivative, the term sent to each input. A local derivative of 0 passes
    nothing, even times an infinite g: a dead relu stops it, as in torch."""
    return [g * d if d else 0.0 for d in local_grads]


def backprop(
    root: Value,
    grads: dict | None = None,
    *,
    create_graph: bool = False,
    on_step: Callable | None = None,
) -> dict | None:
    """The backward pass from `root`, into every node below it.

    1. Order the nodes so that each comes after all of its inputs.
    2. Seed d root/d root = 1; every other op result starts at 0 (leaves
       keep theirs: they accumulate).
    3. Run the chain rule over the order backwards (`chain_rule`): by the
       time a node is reached, every node that uses it has added its term,
       so its gradient is complete.

    Gradients are kept in each node's `.grad` (grads None, `backward()`)
    or in the dict `grads` (returned; `grad()` and the stepper), as floats
    or, with `create_graph`, as Values.
    """
    order = topological_order(root)
    if grads is None:
        for node in order:
            if node._prev:
                node.grad = 0  # this call's gradient only
        root.grad += 1.0
    else:
        grads[root] = Constant(1.0) if create_graph else 1.0
    chain_rule(reversed(order), grads, create_graph=create_graph, on_step=on_step)
    return grads


def chain_rule(
    nodes: Iterable[Value],
    grads: dict | None = None,
    *,
    create_graph: bool = False,
    on_step: Callable | None = None,
) -> None:
    """The one backward loop: for each node in turn, whose gradient g is
    complete, add g * d(node)/d(input) into each input's gradient.

    Every path runs it: `backward()` and `grad()` (through `backprop`),
    and a hand call of `node._backward()` (for that one node). Gradients
    are kept in `.grad` (grads None) or in the dict `grads`.
    `on_step(node, g, local_grads)`, if given, is called after each node
    (with local_grads () where `backward()` skipped a node whose g is 0).
    """
    for node in nodes:
        if not node._prev:
            continue  # a leaf: nothing below it
        g = node.grad if grads is None else grads.get(node, 0.0)  # d root/d node
        if grads is None and g == 0:
            # Speed: every term would be 0 (a dead relu's weighted sum), so
            # skip the node: saves 32% of a moons step (benchmarks/RESULTS.md).
            # (Only an infinite local derivative would give 0 * inf = NaN,
            # as torch does; grad() and the stepper, which do not skip, do.)
            local = ()
        else:
            local = local_grads(node, create_graph)  # d node/d input, one per input
            # Each input's gradient += g * local (a node used twice gets two terms).
            if grads is None:
                # chain()'s product written out: saves 10% of the microgpt-style step.
                for child, d in zip(node._prev, local):
                    child.grad += g * d if d else 0.0
            else:
                for child, term in zip(node._prev, chain(g, local)):
                    grads[child] = grads[child] + term if child in grads else term
            if _modes.anomaly:  # the sums, not only the terms: two finite terms can add up to inf
                for i, child in enumerate(node._prev):
                    _check_gradient(node, i, child.grad if grads is None else grads[child])
        if on_step is not None:
            on_step(node, g, local)


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
        grads = backprop(output, {}, create_graph=create_graph)
    return [_gradient(grads.get(x, 0.0), create_graph) for x in inputs]


def _gradient(g, create_graph: bool):
    """A gradient as grad() returns it: a Value under create_graph (even a
    0 that no term reached), else a float."""
    return wrap(g) if create_graph else g


def _is_zero(x) -> bool:
    return not isinstance(x, Value) and x == 0


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
