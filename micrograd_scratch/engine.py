"""The autodiff engine: a scalar `Value` that remembers how it was made.

Each op on Values (a + b, a * b, x.relu(), ...) makes one node of a
computational graph. The node keeps its result (`data`), its inputs
(`_prev`, in argument order), the op's name (`_op`) and the op's local
derivatives d(node)/d(input), one number per input (`_local_grads`). The ops
are defined once each in ops.py, their forward computation and their local
derivatives side by side; the `Value` methods below call them.

`backward()` is the chain rule, run from the output down. It orders the
nodes so that each comes after every node it was made from
(`topological_order`), sets d out/d out = 1, and visits the nodes in
reverse, where each one sends its gradient on (`Value._backward`):

    child.grad += local_grad * node.grad      for each input (child)

By the time a node is visited, every node that uses it has added its term,
so its gradient is complete. A node used twice (`a * a`) gets two terms,
which add up. That is all of backpropagation; docs/engine.md tells the
rest: the extras the loop carries (`grad()`, `create_graph=True`,
`detect_anomaly()`, `on_step`), micrograd's and microgpt's ways to make a
node, and why the design is what it is.

Sources: Karpathy's micrograd (the Value, `_backward`, the order) and
microgpt (local derivatives as numbers, one line of chaining).
"""

from __future__ import annotations

import gc
import math
import numbers
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

__all__ = [
    "Value", "Parameter", "Constant", "topological_order", "chain_rule", "local_grads",
    "dot", "total", "grad", "paused_gc", "detect_anomaly", "AnomalyError",
]


class Value:
    """A scalar in a computational graph.

    - `data`: the number (a float).
    - `grad`: d(root)/d(this node), filled in by `root.backward()`.
    - `label`: an optional name, shown by drawings and in errors.
    - `_prev`: the inputs, a tuple in argument order (`a * a` has two).
    - `_op`: the name of the op that made the node ("+", "relu", "**2",
      ...), "" for a leaf, as in micrograd.
    - `_local_grads`: d(this node)/d(input) for each input, numbers the op
      computed when it made the node (microgpt's contract); () for a leaf;
      None for a fused node with many inputs (see `local_grads`).
    - `_rule`: the op's rule for them, `rule(out, *inputs)`, asked again
      with Values by `create_graph=True`; None for a leaf.

    `Value(data, children, op)` makes a node by hand, micrograd's way (set
    `out._backward`), and `Value(data, children, local_grads)` microgpt's
    (see docs/engine.md). `data` is any real number; bool is refused.
    """

    # Slots keep a node small; "__dict__" lets any other attribute be set
    # (an optimizer's `p.m`, micrograd's `out._backward`), and Python makes
    # that dict only when one is. "__weakref__" lets tests watch a node die.
    __slots__ = ("data", "grad", "label", "_prev", "_op", "_local_grads", "_rule",
                 "__dict__", "__weakref__")
    _role = ""  # what a leaf is, for drawings: "" an input, "param", "const" (see below)

    def __init__(self, data, _children: tuple = (), _op: str = "", label: str = ""):
        self.data = data if type(data) is float else _real(data, "Value()")
        self.grad = 0  # micrograd's int 0: a fresh Value prints as micrograd's does
        self.label = label
        self._prev = tuple(_children)
        self._op = _op
        self._local_grads = ()  # the op that makes this node sets them
        self._rule = None
        if type(_op) is not str:  # microgpt's Value(data, children, local_grads)
            self._op, self._local_grads = _microgpt_node(_op, self._prev)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"  # micrograd's

    # ---- the ops: each is defined once in ops.py, its forward computation
    # and its local derivatives side by side (the docstrings come from there)

    def __add__(self, other):  # self + other
        return ops.add.apply(self, other)

    def __mul__(self, other):  # self * other
        return ops.mul.apply(self, other)

    def __pow__(self, n):  # self ** n (x ** 2 is one node "**2", as in micrograd)
        return ops.power.apply(self, n)

    def relu(self):
        return ops.relu.apply(self)

    def tanh(self):
        return ops.tanh.apply(self)

    def sigmoid(self):
        return ops.sigmoid.apply(self)

    def exp(self):
        return ops.exp.apply(self)

    def log(self):
        return ops.log.apply(self)

    def sin(self):
        return ops.sin.apply(self)

    def cos(self):
        return ops.cos.apply(self)

    def abs(self):
        return ops.abs_.apply(self)

    __abs__ = abs  # abs(x) is x.abs()

    # ---- ops built from other ops, as in micrograd; a number is negated
    # or inverted before it is wrapped: x - 1 is x + (-1), x / 2 is x * 0.5

    def __neg__(self):  # -self
        return self * -1

    def __sub__(self, other):  # self - other
        if not _is_operand(other):
            return NotImplemented
        return self + (-other)

    def __rsub__(self, other):  # other - self
        if not _is_operand(other):
            return NotImplemented
        return other + (-self)

    def __truediv__(self, other):  # self / other
        if not _is_operand(other):
            return NotImplemented
        if _data(other) == 0:
            raise ZeroDivisionError(f"division by zero: {_describe(self.data)} / 0.0")
        return self * (other**-1 if isinstance(other, Value) else 1 / other)

    def __rtruediv__(self, other):  # other / self
        if not _is_operand(other):
            return NotImplemented
        if self.data == 0:
            raise ZeroDivisionError(f"division by zero: {_describe(_data(other))} / 0.0")
        return other * self**-1

    __radd__ = __add__  # other + self is self + other, as micrograd's __radd__ makes it
    __rmul__ = __mul__  # other * self is self * other

    def __rpow__(self, n):  # n ** self, for a number n
        if not _is_operand(n):
            return NotImplemented
        return ops.power.apply(Constant(n), self)

    # ---- gradients ----------------------------------------------------

    def backward(self, create_graph: bool = False, on_step: Callable | None = None) -> None:
        """Compute d(self)/d(node) for every node of the graph below self.

        Leaves accumulate: their `grad` grows by this call's gradient, as in
        PyTorch, until `zero_grad()` resets it. Every other node's `grad`
        holds this call's gradient only, so a drawing shows what just flowed.
        `create_graph=True` makes the gradients Values with graphs of their
        own (second derivatives); `on_step` watches the loop (`chain_rule`).
        """
        with paused_gc():  # the collector would only rescan the nodes: none is in a cycle
            order = topological_order(self)
            for node in order:
                if node._prev:
                    node.grad = 0
            self.grad += 1.0  # d self/d self
            chain_rule(order, create_graph, on_step)

    def _backward(self, local: Sequence | None = None) -> None:
        """The chain rule at this node (micrograd's `_backward`): send this
        node's gradient on to each input, times the local derivative.
        (`create_graph=True` passes the local derivatives as Values.)"""
        g = self.grad
        if not g:
            return  # nothing flows (below a dead relu, say): skip the products
        if local is None:
            local = self._local_grads  # the numbers the op stored
            if local is None:
                local = local_grads(self)  # a fused node's: computed now a gradient arrived
        for child, d in zip(self._prev, local):
            if d:  # a local derivative of 0 passes nothing on, even times inf (as torch's relu)
                child.grad += d * g

    def zero_grad(self) -> None:
        """Reset `grad` to 0 on this node and every node below it."""
        for node in topological_order(self):
            node.grad = 0

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """Jupyter shows a Value that ends a cell as the drawing of its graph."""
        from .drawing.graph import value_mimebundle  # the renderer, only when Jupyter asks

        return value_mimebundle(self, include, exclude)


class Parameter(Value):
    """A model's weight or bias: a leaf that training changes."""

    __slots__ = ()
    _role = "param"


class Constant(Value):
    """A number that an op wrapped (the 2 in 2 * x): a leaf nothing trains."""

    __slots__ = ()
    _role = "const"


# ---- the backward pass -------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node below `root`, each after all of its inputs (root last).

    micrograd's `build_topo`, a depth-first search, with a stack of its own
    instead of recursion, so a chain a million nodes deep is fine: each
    entry is a node and the inputs it has still to visit, in argument
    order, so the order is the same on every run.
    """
    order: list[Value] = []
    visited = {root}
    stack = [(root, iter(root._prev))]
    while stack:
        node, inputs = stack[-1]
        for child in inputs:
            if child not in visited:  # go down to it first, as build_topo(child) would
                visited.add(child)
                stack.append((child, iter(child._prev)))
                break
        else:  # every input is in `order` already
            stack.pop()
            order.append(node)
    return order


def chain_rule(order: list[Value], create_graph: bool = False, on_step: Callable | None = None) -> None:
    """The one backward loop: each node, after every node that uses it,
    sends its gradient on (`node._backward()`). Every path runs it:
    `backward()`, `grad()`, gradcheck, the stepper, the frames, the explorer.

    The extras, which the float path never reads per node:
    - `create_graph`: ask each op's rule again with Values, so that the
      gradients are graphs that can be differentiated again;
    - `detect_anomaly()`: check each gradient as it is made;
    - `on_step(node, g, local_grads)`: called after each op node.
    """
    anomaly = _modes.anomaly  # read once per pass
    for node in reversed(order):
        if create_graph:
            node._backward(_local_grads_as_values(node))
        else:
            node._backward()
        if anomaly:
            _check_gradients(node)
        if on_step is not None and node._prev:
            on_step(node, node.grad, local_grads(node))


def local_grads(node: Value) -> tuple:
    """d(node)/d(input) for each input: what `_backward` multiplies by.

    The numbers the op stored when it made the node, or, for a fused node
    with many inputs (dot, total), the op's rule run now, so that a node
    no gradient reaches (a dead neuron's) never computes them. () for a
    leaf, and for a node made by hand micrograd's way (its closure knows)."""
    if node._local_grads is not None:
        return node._local_grads
    return node._rule(node.data, *[x.data for x in node._prev])


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list:
    """d(output)/d(input) for each of `inputs`, leaving every `.grad` as it was.

    Returns floats, or Values with graphs of their own when `create_graph=True`
    (to differentiate again). An input that `output` does not use gets 0.
    The loop is `backward()`'s; the `.grad`s are lent to it and put back
    (`lent_grads`: two threads take turns, so a model's weights shared by
    their graphs are not lent twice at once).
    """
    inputs = _checked_grad_arguments(output, inputs)
    with paused_gc():
        order = topological_order(output)
    with lent_grads(order), paused_gc():
        output.grad = Constant(1.0) if create_graph else 1.0
        chain_rule(order, create_graph)
        reached = set(order)
        grads = [x.grad if x in reached else 0.0 for x in inputs]
    return [wrap(g) for g in grads] if create_graph else grads


@contextmanager
def lent_grads(nodes: list[Value]) -> Iterator[None]:
    """Inside the block every node's `.grad` starts at 0.0; after it (even
    on an error), each is put back as it was. `grad()` and the stepper run
    the loop this way, so that they change no `.grad`. One block at a time
    in the process: a `backward()` running meanwhile in another thread on
    the same nodes would still see the lent values, as two backward()
    calls on shared nodes see each other's."""
    with _lending:
        saved = [node.grad for node in nodes]
        for node in nodes:
            node.grad = 0.0
        try:
            yield
        finally:
            for node, g in zip(nodes, saved):
                node.grad = g


_lending = threading.RLock()


# ---- the extras: create_graph, micrograd's and microgpt's nodes ----------
# (docs/engine.md tells each one; the idea above works without them)


def _local_grads_as_values(node: Value) -> tuple:
    """The local derivatives as Values, for create_graph=True: the op's rule
    asked again with Values in (it answers in kind), so that each gradient
    is a graph that can be differentiated again."""
    if node._rule is not None:
        return node._rule(node, *node._prev)
    if node._local_grads or made_by_hand(node):
        how = "its _backward only adds floats into .grad" if node._prev and not node._local_grads \
            else "its local gradients are plain numbers"
        raise TypeError(
            f"grad(..., create_graph=True) and backward(create_graph=True) cannot differentiate "
            f"the hand-made node {node._op or GENERIC_OP!r} again: {how}; define the op with "
            f"micrograd_scratch.ops.define(...) instead, or call backward()"
        )
    return ()  # a leaf: nothing below it


GENERIC_OP = "f"  # the _op of a node made microgpt's way, with no op name


def made_by_hand(node: Value) -> bool:
    """Whether `node._backward` is micrograd's closure, set on the node
    itself (rather than the class's chain rule)."""
    return getattr(node._backward, "__self__", None) is not node


def _microgpt_node(local_grads, children: tuple) -> tuple:
    """The _op and _local_grads of `Value(data, children, local_grads)`:
    microgpt's way, a tuple of numbers, one per child."""
    if not isinstance(local_grads, (tuple, list)):
        raise TypeError(
            "Value(data, children, op): op must be an op name (a string, micrograd's way) or a "
            f"tuple of local gradients, one per child (microgpt's way), not "
            f"{type(local_grads).__name__}: {local_grads!r}"
        )
    local = tuple(_real(d, "Value(data, children, local_grads): a local gradient") for d in local_grads)
    if len(local) != len(children):
        raise ValueError(
            f"Value(data, children, local_grads): {len(children)} children but "
            f"{len(local)} local gradients (one per child)"
        )
    return (GENERIC_OP if children else ""), local


def _checked_grad_arguments(output, inputs) -> list:
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
            raise TypeError(f"grad: inputs must be Values; input {i} is a {type(x).__name__}: {x!r}")
    return inputs


# ---- numbers and operands ----------------------------------------------


def _real(x, where: str) -> float:
    """x as a float, if it is a real number (int, float, Fraction, numpy)."""
    if type(x) is float:
        return x
    # (an int, sum()'s 0 say, skips the slower check against numbers.Real)
    if type(x) is bool or not (type(x) is int or isinstance(x, numbers.Real)):
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


def _data(x) -> float:
    """The number inside x, for a float and a Value alike."""
    return x.data if isinstance(x, Value) else x


def _describe(x: float) -> str:
    """A number as the user typed it: 2.0, -1.5, 1e-07."""
    return repr(float(x))


def wrap(x):
    """A Value as it is, a number as a constant leaf, anything else
    NotImplemented (so that Python can try the other operand's method)."""
    if isinstance(x, Value):
        return x
    if not _is_operand(x):
        return NotImplemented
    return Constant(x)


# ---- the garbage collector -------------------------------------------------

_gc_lock = threading.Lock()
_gc_pausers = 0  # how many paused_gc blocks are open, in all threads
_gc_was_enabled = True


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

    The mode holds in the current thread only. Off, it costs the forward
    pass nothing for a finite result, and the backward pass one read.
    """
    saved = _modes.anomaly
    _modes.anomaly = True
    try:
        yield
    finally:
        _modes.anomaly = saved


def check_result(out: Value) -> Value:
    """Under `detect_anomaly()`, a result that is NaN or infinite is an
    error at the op that made it (ops.py calls this for a non-finite one)."""
    if _modes.anomaly:
        raise AnomalyError(
            f"detect_anomaly: forward pass: {out._op} gave {out.data!r} from inputs "
            f"{_inputs_text(out._prev)}"
        )
    return out


def _check_gradients(node: Value) -> None:
    """Each input's gradient after `node` sent its terms: the sums, not
    only the terms (two finite terms can add up to inf)."""
    for i, child in enumerate(node._prev):
        value = _data(child.grad)
        if not math.isfinite(value):
            name = f" (node {node.label!r})" if node.label else ""
            raise AnomalyError(
                f"detect_anomaly: backward pass: {node._op}{name} gave a gradient of "
                f"{value!r} for its input #{i} from inputs {_inputs_text(node._prev)}"
            )


def _inputs_text(children: tuple) -> str:
    parts = [f"{c.label}={c.data!r}" if c.label else repr(c.data) for c in children]
    return "(" + ", ".join(parts) + ")"


# ops.py defines the ops the methods above call; it needs Value, so it is
# imported last. Importing it here means a Value always has its ops.
from . import ops  # noqa: E402
from .ops import dot, total  # noqa: E402
