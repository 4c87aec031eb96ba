"""Every op of the engine, each defined once, in one place.

An op is a few things side by side: its name, its forward computation on
floats, its local derivatives, the symbol a drawing shows for it, its kind
and its PyTorch counterpart. Everything else reads them from here: the
`Value` methods and operators, `nn`'s activations, the expression parser's
functions, the renderer's symbols and neuron grouping, the CLI's choices,
the PyTorch bridge, and the tests' and the fuzzer's op tables. Add an op
here (or call `define` from your own code) and it is a Value method,
drawable, parseable in `draw "f(x)"`, fuzzed, and, if its kind is
"activation", a neuron's activation.

The contract for local derivatives
----------------------------------
    local_grads(out, *inputs) -> one d(out)/d(input) per input

- `out` is the op's result, `inputs` its inputs, in argument order.
- They are all floats (when the op makes a node: the numbers are stored on
  it, as microgpt stores them), or all Values (`create_graph=True` asks
  again, for derivatives that are graphs to differentiate again).
- So write them with + - * / ** and with the ops of this module (`exp`,
  `log`, `tanh`, `sigmoid`, `sin`, `cos`, ...): each one takes a float or
  a Value and answers in kind. Never `math.cos(x)` here (it refuses a
  Value), and no `isinstance`: `data(x)` reads the number of either, for a
  decision such as relu's `x > 0`.
- The op does not multiply by the upstream gradient: the engine's
  `Value._backward` does that, for every op alike.

Kinds: "binary" (+, *, **), "unary" (exp, log, sin, cos, abs), "activation"
(a unary op a neuron may use: relu, tanh, sigmoid), "n-ary" (dot, total:
fused nodes with any number of inputs).

Sources: micrograd (each op's four beats: wrap the operand, compute `out`,
attach the local derivatives, return `out`); microgpt (the local
derivatives as numbers on the node); minitorch's scalar_functions (forward
and backward side by side); DeZero (derivatives written on Variables, so
one definition gives higher-order gradients).
"""

from __future__ import annotations

import keyword
import math
from dataclasses import dataclass, field
from itertools import repeat
from typing import Callable, Iterable, Sequence

from .engine import Value, _data, _describe, _is_operand, check_result, wrap

__all__ = [
    "Op", "OPS", "define", "data", "activations", "functions", "symbol", "is_activation",
    "add", "mul", "power", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "abs_",
    "dot", "total",
]

KINDS = ("binary", "unary", "activation", "n-ary")
ALL_LOSSES = ("mse", "bce", "hinge", "cross_entropy")  # losses.LOSSES, which imports this module
INF = math.inf


@dataclass
class Op:
    """One op: what it computes, its local derivatives, how it is drawn.

    `op.apply(a, b)` makes a node (the Value methods call it). Calling the
    Op itself, `op(x)`, makes a node for Values and returns the float
    `forward` gives for floats, so that local derivatives can use it on
    either. `define(..., replace=True)` changes an Op in place, so every
    method, operator and derivative that uses it sees the new definition.
    """

    name: str  # the node's _op: "+", "relu"
    forward: Callable[..., float]  # floats in, the result's float out
    local_grads: Callable[..., Sequence]  # local_grads(out, *inputs), see above
    kind: str  # one of KINDS
    symbol: str  # what a drawing shows in the op's bubble
    math: str  # the formula and its derivative, for docs and the explorer
    torch: str | None  # the torch function with the same math: "sin", "nn.functional.softplus"
    used_by: tuple[str, ...] = ()  # the losses built on this op: an edit here changes them too
    apply: Callable[..., Value] = field(init=False, repr=False, compare=False)  # makes a node

    def __call__(self, *operands):
        for x in operands:
            if isinstance(x, Value):  # a node, its numbers wrapped: mul(2.0, x) is 2.0 * x
                return self.apply(*[_operand(v, self) for v in operands])
        return self.forward(*operands)


OPS: dict[str, Op] = {}


def define(
    name: str,
    *,
    forward: Callable[..., float],
    local_grads: Callable[..., Sequence],
    kind: str = "unary",
    symbol: str | None = None,
    math: str = "",
    torch: str | None = None,
    used_by: tuple[str, ...] | None = None,
    replace: bool = False,
) -> Op:
    """Register an op and return it. A unary op or activation becomes a
    Value method of the same name (`x.sin()`); every op becomes drawable,
    parseable and fuzzed. `replace=True` redefines an existing op in place
    (nodes built afterwards use the new definition; `used_by` is kept
    unless given)."""
    if kind not in KINDS:
        raise ValueError(f"define({name!r}): kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind in ("unary", "activation") and not (name.isidentifier() and not keyword.iskeyword(name)):
        raise ValueError(
            f"define({name!r}): a {kind} op is a Value method and a function in expressions, "
            f"so its name must be a Python name (letters, digits and _), as in 'softplus'"
        )
    if name in OPS and not replace:
        raise ValueError(f"define({name!r}): an op of that name exists (pass replace=True)")
    if kind in ("unary", "activation") and name not in OPS and not _applies_an_op(getattr(Value, name, None)):
        raise ValueError(f"define({name!r}): a Value already has {name!r} ({_value_attribute(name)}); "
                         f"choose another name for the op")
    op = OPS.get(name)
    if used_by is None:
        used_by = op.used_by if op is not None else ()
    if op is None:
        op = OPS[name] = Op(name, forward, local_grads, kind, symbol or name, math or name, torch)
    else:  # in place: whatever holds this Op sees the change
        op.forward, op.local_grads, op.kind = forward, local_grads, kind
        op.symbol, op.math, op.torch = symbol or name, math or name, torch
    op.used_by = tuple(used_by)
    op.apply = _power_apply(op) if name == "**" else _APPLY[kind](op)
    if kind in ("unary", "activation") and not hasattr(Value, name):
        setattr(Value, name, _method(op))  # an op of your own: x.softplus()
    method = getattr(Value, _OPERATORS.get(name, name), None)
    if method is not None:
        method.__doc__ = op.math  # help(Value.relu) gives the formula and its derivative
    return op


_OPERATORS = {"+": "__add__", "*": "__mul__", "**": "__pow__"}  # Python's syntax for three ops


def _applies_an_op(method) -> bool:
    """Whether a Value attribute is free for an op of that name: absent, or
    a method that applies an op (engine.py's `def relu(self): return
    ops.relu.apply(self)`), never `data`, `grad` or `backward`."""
    return method is None or "apply" in getattr(getattr(method, "__code__", None), "co_names", ())


def _value_attribute(name: str) -> str:
    return "a method" if callable(getattr(Value, name)) else "an attribute"


# ---- how an op makes a node: micrograd's four beats, written once -------------
# Each builder reads the op's fields once, when `define` runs, so making a
# node looks up nothing: `define(replace=True)` builds `apply` again.


def _unary(op: Op):
    forward, rule, name = op.forward, op.local_grads, op.name

    def apply(x):  # x.relu()
        y = forward(x.data)  # compute out
        out = Value(y, (x,), name)
        try:
            out._local_grads = rule(y, x.data)  # its local derivative, a number
        except Exception:  # undefined here (1/x at 0, say): asked again, and raised, if backward needs it
            out._local_grads = None
        out._rule = rule  # kept for create_graph=True
        return out if -INF < y < INF else check_result(out)  # NaN or inf: detect_anomaly()

    return apply


def _binary(op: Op):
    forward, rule, name = op.forward, op.local_grads, op.name

    def apply(a, b):  # a * b
        if not isinstance(b, Value):
            b = wrap(b)  # a number becomes a constant leaf
            if b is NotImplemented:
                return NotImplemented  # let Python try the other operand's method
        y = forward(a.data, b.data)
        out = Value(y, (a, b), name)
        try:
            out._local_grads = rule(y, a.data, b.data)
        except Exception:
            out._local_grads = None
        out._rule = rule
        return out if -INF < y < INF else check_result(out)

    return apply


def _n_ary(op: Op):
    forward, rule, name = op.forward, op.local_grads, op.name

    def apply(*operands):  # dot(w0, w1, x0, x1, b)
        inputs = operands if _all_values(operands) else tuple([_operand(x, op) for x in operands])
        out = Value(forward(*[x.data for x in inputs]), inputs, name)
        out._local_grads = None  # many: the loop asks the rule, only if a gradient arrives
        out._rule = rule
        return out if -INF < out.data < INF else check_result(out)

    return apply


_APPLY = {"unary": _unary, "activation": _unary, "binary": _binary, "n-ary": _n_ary}


def _all_values(xs: tuple) -> bool:
    """Whether every x is a Value already (a neuron's inputs are). map and
    all run no Python per item: saves 12% of a moons step over a loop."""
    return all(map(isinstance, xs, repeat(Value)))


def _operand(x, op: Op) -> Value:
    v = wrap(x)
    if v is NotImplemented:
        raise TypeError(f"{op.name}: expected Values or numbers, got {type(x).__name__}: {x!r}")
    return v


def _method(op: Op):
    def method(self):
        return op.apply(self)

    method.__name__ = op.name
    method.__doc__ = op.math
    return method


data = _data  # data(x): the number inside x, for a float and a Value alike


# ---- what the rest of the package asks of the ops ----------------------


def activations() -> tuple[str, ...]:
    """The ops a neuron may use as its non-linearity."""
    return tuple(name for name, op in OPS.items() if op.kind == "activation")


def functions() -> tuple[str, ...]:
    """The ops an expression may call as f(x): the unary ones and the activations."""
    return tuple(name for name, op in OPS.items() if op.kind in ("unary", "activation"))


def symbol(op_name: str) -> str:
    """What a drawing shows for a node's `_op`. A power by a number, "**2",
    is the "**" op with its exponent; a name no op has is shown as it is
    (a node made by hand, micrograd's way)."""
    if op_name in OPS:
        return OPS[op_name].symbol
    if op_name.startswith("**"):
        return OPS["**"].symbol + op_name[2:]
    return op_name


def is_activation(op_name: str) -> bool:
    op = OPS.get(op_name)
    return op is not None and op.kind == "activation"


# ---- a + b ----------------------------------------------------------------

add = define(
    "+", kind="binary", torch="add", used_by=ALL_LOSSES, math="a + b; d/da = 1, d/db = 1",
    forward=lambda a, b: a + b,
    local_grads=lambda out, a, b: (1.0, 1.0),
)

# ---- a * b ----------------------------------------------------------------

mul = define(
    "*", kind="binary", symbol="×", torch="mul", used_by=ALL_LOSSES, math="a * b; d/da = b, d/db = a",
    forward=lambda a, b: a * b,
    local_grads=lambda out, a, b: (b, a),
)


# ---- a ** n ---------------------------------------------------------------
# A number exponent is part of the op, not an input: x ** 2 is one node
# "**2" with one input, as in micrograd. A Value exponent is an input.


def _power(a: float, n: float) -> float:
    """a ** n as a real number, or a clear error."""
    if a == 0 and n < 0:
        raise ZeroDivisionError(f"pow: {_power_text(a, n)} divides by zero")
    if a < 0 and not float(n).is_integer():
        raise ValueError(
            f"pow: {_power_text(a, n)} is not a real number (a negative base needs an integer exponent)"
        )
    try:
        return float(a**n)
    except OverflowError:
        raise OverflowError(f"pow: {_power_text(a, n)} overflows a float") from None


def _power_text(a: float, n: float) -> str:
    return f"({_describe(a)}) ** {_describe(n)}" if a < 0 else f"{_describe(a)} ** {_describe(n)}"


def _d_power_d_base(a, n):
    """d/da a**n = n * a**(n-1). Where a**(n-1) is infinite (a = 0 with
    n < 1, or an overflow), the derivative is a float inf, as torch gives."""
    if data(n) == 0:
        return 0.0
    try:
        return n * a ** (n - 1)
    except (ZeroDivisionError, OverflowError):
        # n * a**(n-1) has the sign of n, flipped when a < 0 and n - 1 is odd
        odd_power_of_negative = data(a) < 0 and (data(n) - 1) % 2 == 1
        return math.copysign(math.inf, -data(n) if odd_power_of_negative else data(n))


def _d_power_d_exponent(out, a):
    """d/dn a**n = a**n * ln(a): defined for a > 0, 0 at a = 0 (its limit).
    Below 0 there is no real logarithm: NaN, as torch answers (and
    `detect_anomaly()` names it)."""
    if data(a) > 0:
        return out * log(a)
    return 0.0 if data(a) == 0 else math.nan


def _power_apply(op: Op):
    """`a ** n` as `Value.__pow__` makes it: by a Value n, the binary op
    with two inputs; by a number n, one node "**n" with the one input a,
    whose local derivative is the op's d/da with n held fixed."""
    by_value = _binary(op)
    forward, rule = op.forward, op.local_grads
    rules_for_a = {}  # one rule per exponent, shared by its nodes (not one closure a node)

    def rule_with(n):
        def rule_for_a(out, a):  # n is no input: only the first derivative, d/da
            return (rule(out, a, n)[0],)

        if len(rules_for_a) > 256:  # x ** random() in a loop: keep the table small
            rules_for_a.clear()
        return rules_for_a.setdefault(n, rule_for_a)

    def apply(a, n):
        if isinstance(n, Value):
            return by_value(a, n)
        if not _is_operand(n):
            return NotImplemented
        n = n if type(n) in (int, float) else float(n)  # a Fraction exponent: "**0.5"
        rule_for_a = rules_for_a.get(n) or rule_with(n)
        y = forward(a.data, n)
        out = Value(y, (a,), f"**{n}")
        try:
            out._local_grads = rule_for_a(y, a.data)
        except Exception:
            out._local_grads = None
        out._rule = rule_for_a
        return out if -INF < y < INF else check_result(out)

    return apply


power = define(
    "**", kind="binary", torch="pow", used_by=("mse",),
    math="a ** n; d/da = n * a**(n-1), d/dn = a**n * ln(a)",
    forward=_power,
    local_grads=lambda out, a, n: (_d_power_d_base(a, n), _d_power_d_exponent(out, a)),
)


# ---- functions of one input -------------------------------------------------

EXP_LIMIT = 709.782712893384  # exp(x) overflows a float above this


def _exp(x: float) -> float:
    if x > EXP_LIMIT:  # math.exp would raise a bare OverflowError
        raise OverflowError(
            f"exp({_describe(x)}): the result overflows a float "
            f"(exp is finite only for x <= {EXP_LIMIT:.2f})"
        )
    return math.exp(x)


exp = define(
    "exp", torch="exp", used_by=("bce", "cross_entropy"), math="exp(x); d/dx = exp(x)",
    forward=_exp,
    local_grads=lambda out, x: (out,),
)


def _log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log({_describe(x)}): log is only defined for x > 0")
    return math.log(x)


log = define(
    "log", torch="log", used_by=("bce", "cross_entropy"), math="log(x), the natural logarithm; d/dx = 1/x",
    forward=_log,
    local_grads=lambda out, x: (1 / x,),
)


def _periodic(f: Callable[[float], float], name: str) -> Callable[[float], float]:
    """sin or cos on floats, with log's kind of message for ±inf."""
    def forward(x: float) -> float:
        if math.isinf(x):
            raise ValueError(f"{name}({_describe(x)}): {name} is only defined for finite x")
        return f(x)

    forward.__name__ = name
    return forward


sin = define(
    "sin", torch="sin", math="sin(x); d/dx = cos(x)",
    forward=_periodic(math.sin, "sin"),
    local_grads=lambda out, x: (cos(x),),
)

cos = define(
    "cos", torch="cos", math="cos(x); d/dx = -sin(x)",
    forward=_periodic(math.cos, "cos"),
    local_grads=lambda out, x: (-sin(x),),
)


def _sign(x) -> float:
    """The sign of x's number: 1.0, -1.0, and 0.0 at 0 and at NaN (as torch's)."""
    x = data(x)
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


abs_ = define(
    "abs", torch="abs", symbol="|x|",
    math="abs(x) = |x|; d/dx = sign(x), taken as 0 at x = 0 (as torch does)",
    forward=lambda x: x if x > 0 else -x if x < 0 else x * 0.0,  # abs(nan) is nan, abs(-0.0) 0.0
    # A step function: its derivative is a number (1, -1 or 0), never a graph.
    local_grads=lambda out, x: (_sign(x),),
)


# ---- activations: the non-linearities a neuron may use ------------------------

relu = define(
    "relu", kind="activation", symbol="ReLU", torch="relu", used_by=("hinge",),
    math="relu(x) = max(0, x); d/dx = 1 if x > 0 else 0",
    forward=lambda x: 0.0 if x <= 0 else x,  # relu(nan) is nan, as in torch
    # A step function: its derivative is a number (1 or 0), never a graph,
    # and a 0 stops the gradient (the engine passes nothing on for a 0).
    # The hinge loss is built on this op (used_by): an edit here changes it too.
    local_grads=lambda out, x: (0.0 if data(x) <= 0 else 1.0,),
)

tanh = define(
    "tanh", kind="activation", torch="tanh", math="tanh(x); d/dx = 1 - tanh(x)**2",
    forward=math.tanh,
    local_grads=lambda out, x: (1 - out * out,),
)


def _sigmoid(x: float) -> float:
    # Two forms so that exp never sees a large positive argument.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


sigmoid = define(
    "sigmoid", kind="activation", symbol="σ", torch="sigmoid",
    math="sigmoid(x) = 1 / (1 + exp(-x)); d/dx = sigmoid(x) * (1 - sigmoid(x))",
    forward=_sigmoid,
    local_grads=lambda out, x: (out * (1 - out),),
)


# ---- fused nodes with many inputs -----------------------------------------------
# A neuron's weighted sum as one node instead of 2n (the talk's "Matmul"
# then "plus b"), and a loss's sum as one node instead of a chain.


def _dot_forward(*inputs: float) -> float:
    # The inputs are w_0..w_{n-1}, x_0..x_{n-1}, then the bias, if there is
    # one: the input left over after the n pairs (a neuron with bias=False
    # has none). bias + w_0*x_0 + w_1*x_1 + ..., added left to right, is the
    # same float, bit for bit, as the elementwise graph gives. (sum() may
    # not: from Python 3.12 it compensates for rounding.)
    n = len(inputs) // 2
    acc = inputs[2 * n] if len(inputs) > 2 * n else 0.0  # the bias, or none
    for i in range(n):
        acc = acc + inputs[i] * inputs[n + i]  # w_i * x_i
    return acc


def _dot_local_grads(out, *inputs):
    n = len(inputs) // 2
    ws, xs, bias = inputs[:n], inputs[n : 2 * n], inputs[2 * n :]
    return xs + ws + (1.0,) * len(bias)  # d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1


define(
    "dot", kind="n-ary", symbol="dot", torch="dot",
    math="b + sum(w_i * x_i); d/dw_i = x_i, d/dx_i = w_i, d/db = 1",
    forward=_dot_forward,
    local_grads=_dot_local_grads,
)


def _total_forward(*inputs: float) -> float:
    acc = 0.0
    for v in inputs:  # left to right, as a chain of + nodes adds
        acc = acc + v
    return acc


define(
    "total", kind="n-ary", symbol="Σ", torch="sum", used_by=ALL_LOSSES,
    math="sum(v_i); d/dv_i = 1",
    forward=_total_forward,
    local_grads=lambda out, *inputs: (1.0,) * len(inputs),
)


def dot(ws: Sequence, xs: Sequence, bias=None) -> Value:
    """bias + sum(w_i * x_i) as one node; d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1.

    Its inputs are w_0..w_{n-1}, x_0..x_{n-1} and, when there is one, the bias.
    """
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    if bias is None:
        return OPS["dot"].apply(*ws, *xs)
    return OPS["dot"].apply(*ws, *xs, bias)


def total(values: Iterable) -> Value:
    """sum(values) as one node; d/dv_i = 1 for every term."""
    return OPS["total"].apply(*values)
