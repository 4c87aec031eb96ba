"""Every op of the engine, each defined once, in one place.

An op is five things side by side: its name, its forward computation on
floats, its local backward rule, the symbol a drawing shows for it, and its
kind. Everything else reads them from here: the `Value` methods and
operators, `nn`'s activations, the expression parser's functions, the
renderer's symbols and neuron grouping, the CLI's choices, and the tests'
and the fuzzer's op tables. Add an op here (or call `define` from your own
code) and it is a Value method, drawable, parseable in `draw "f(x)"`,
fuzzed, and, if its kind is "activation", a neuron's activation.

The contract for a backward rule
--------------------------------
    backward(g, out, *inputs) -> one term per input: g * d(out)/d(input)

- `g` is the upstream gradient, `out` the op's result, `inputs` its
  inputs, in argument order.
- They are all floats (the usual `backward()`), or all Values
  (`create_graph=True` and `grad(..., create_graph=True)`, where the terms
  must be graphs that can be differentiated again).
- So write the rule with + - * / ** and with the ops of this module
  (`exp`, `log`, `tanh`, `sigmoid`, `sin`, `cos`, ...): each one takes a
  float or a Value and answers in kind. Never `math.cos(x)` in a rule (it
  refuses a Value), and no `isinstance`: `data(x)` reads the number of
  either, for a decision such as relu's `x > 0`.

Kinds: "binary" (+, *, **), "unary" (exp, log, sin, cos), "activation"
(a unary op a neuron may use: relu, tanh, sigmoid), "n-ary" (dot, total:
fused nodes with any number of inputs).

Sources: micrograd (each op's four beats: wrap the operand, compute `out`,
attach the local backward, return `out`); minitorch's scalar_functions
(forward and backward side by side); DeZero (rules written on Variables,
so one rule gives higher-order gradients).
"""

from __future__ import annotations

import functools
import keyword
import math
from dataclasses import dataclass
from itertools import repeat
from typing import Callable, Iterable, Sequence

from .engine import Value, _data, _describe, _is_operand, make_node, wrap

__all__ = [
    "Op", "OPS", "define", "data", "activations", "functions", "symbol", "is_activation",
    "add", "mul", "power", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos",
    "dot", "total",
]

KINDS = ("binary", "unary", "activation", "n-ary")


@dataclass(frozen=True)
class Op:
    """One op: what it computes, its derivative, how it is drawn.

    Calling an Op applies it: on Values it builds a node (micrograd's four
    beats, written once in `_apply` for every op); on plain floats it
    returns the float `forward` gives, so rules can use it on either. The
    call goes to the op's current definition (`define(..., replace=True)`
    reaches the ops that other rules call).
    """

    name: str  # the node's _op: "+", "relu"
    forward: Callable[..., float]  # floats in, the result's float out
    backward: Callable[..., Sequence]  # backward(g, out, *inputs), see above
    kind: str  # one of KINDS
    symbol: str  # what a drawing shows in the op's bubble
    math: str  # the formula and its derivative, for docs and the explorer
    torch: str | None  # the torch function with the same math, "sin" or "nn.functional.softplus"

    def __call__(self, *operands):
        op = OPS.get(self.name, self)
        if any(map(isinstance, operands, repeat(Value))):
            return _apply(op, operands)
        return op.forward(*operands)


OPS: dict[str, Op] = {}


def define(
    name: str,
    *,
    forward: Callable[..., float],
    backward: Callable[..., Sequence],
    kind: str = "unary",
    symbol: str | None = None,
    math: str = "",
    torch: str | None = None,
    replace: bool = False,
) -> Op:
    """Register an op and return it. A unary op or activation becomes a
    Value method of the same name (`x.sin()`); every op becomes drawable,
    parseable and fuzzed. `replace=True` redefines an existing op (nodes
    built afterwards use the new definition)."""
    if kind not in KINDS:
        raise ValueError(f"define({name!r}): kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind in ("unary", "activation") and not (name.isidentifier() and not keyword.iskeyword(name)):
        raise ValueError(
            f"define({name!r}): a {kind} op is a Value method and a function in expressions, "
            f"so its name must be a Python name (letters, digits and _), as in 'softplus'"
        )
    if name in OPS and not replace:
        raise ValueError(f"define({name!r}): an op of that name exists (pass replace=True)")
    op = Op(name, forward, backward, kind, symbol or name, math or name, torch)
    OPS[name] = op
    if kind in ("unary", "activation"):
        setattr(Value, name, _method(op))
    elif name in _OPERATORS:
        setattr(Value, _OPERATORS[name], _binary_method(op))
    return op


_OPERATORS = {"+": "__add__", "*": "__mul__"}  # Python's syntax for two binary ops


def _method(op: Op):
    forward, name, rule = op.forward, op.name, op.backward

    def method(self):  # x.relu(): compute out, attach the rule, return out
        return make_node(forward(self.data), (self,), name, rule)

    method.__name__ = op.name
    method.__doc__ = op.math
    return method


def _binary_method(op: Op):
    forward, name, rule = op.forward, op.name, op.backward

    def method(self, other):  # a * b: micrograd's four beats
        if type(other) is not Value:
            other = wrap(other)  # a number becomes a constant leaf
            if other is NotImplemented:
                return NotImplemented  # let Python try the other operand's method
        return make_node(forward(self.data, other.data), (self, other), name, rule)

    method.__name__ = _OPERATORS[op.name]
    method.__doc__ = op.math
    return method


def _apply(op: Op, operands: Iterable) -> Value:
    """op(*operands) as a node: wrap the numbers, compute out, attach the
    local rule, return out."""
    if all(map(isinstance, operands, repeat(Value))):
        inputs = tuple(operands)  # checking in C is cheaper than wrapping each one
    else:
        inputs = tuple([_operand(x, op) for x in operands])
    return _node(op, inputs)


def _node(op: Op, inputs: tuple) -> Value:
    """op's result node, for inputs that are all Values already."""
    out = op.forward(*[x.data for x in inputs])
    return make_node(out, inputs, op.name, op.backward)


def _operand(x, op: Op) -> Value:
    v = wrap(x)
    if v is NotImplemented:
        raise TypeError(f"{op.name}: expected Values or numbers, got {type(x).__name__}: {x!r}")
    return v


def data(x) -> float:
    """The number inside x, for a float and a Value alike."""
    return _data(x)


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
    "+", kind="binary", torch="add", math="a + b; d/da = 1, d/db = 1",
    forward=lambda a, b: a + b,
    backward=lambda g, out, a, b: (g, g),
)

# ---- a * b ----------------------------------------------------------------

mul = define(
    "*", kind="binary", symbol="×", torch="mul", math="a * b; d/da = b, d/db = a",
    forward=lambda a, b: a * b,
    backward=lambda g, out, a, b: (g * b, g * a),
)


# ---- a ** n ---------------------------------------------------------------
# A number exponent is part of the op, not an input: x ** 2 is one node
# "**2" with one input, as in micrograd. A Value exponent is an input.


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


def _d_power_d_base(g, a, n):
    """g * d/da a**n = g * n * a**(n-1)"""
    if data(n) == 0:
        return g * 0.0
    if data(a) == 0 and data(n) < 1:
        raise ZeroDivisionError(
            f"pow backward: d/da a**n = n * a**(n-1) is infinite at a = 0.0 (n = {data(n)!r})"
        )
    return g * n * a ** (n - 1)


def _d_power_d_exponent(g, out, a):
    """g * d/dn a**n = g * a**n * ln(a): defined for a > 0, 0 at a = 0 (its
    limit). Below 0 there is no real logarithm: NaN, as torch answers (and
    `detect_anomaly()` names it), a plain number even for Values, since
    there is nothing to differentiate again."""
    if data(a) > 0:
        return g * out * log(a)
    return g * 0.0 if data(a) == 0 else math.nan


power = define(
    "**", kind="binary", torch="pow",
    math="a ** n; d/da = n * a**(n-1), d/dn = a**n * ln(a)",
    forward=lambda a, n: _power(a, n),
    backward=lambda g, out, a, n: (_d_power_d_base(g, a, n), _d_power_d_exponent(g, out, a)),
)


@functools.lru_cache(maxsize=64)
def _power_by(n: float):
    """The rule of `a ** n` for one number n: the "**" rule's term for a
    (made once per n, then reused; the term for n is not needed)."""
    return lambda g, out, a: OPS["**"].backward(g, out, a, n)[:1]


def _pow_method(self, n):
    """a ** n; d/da = n * a**(n-1)   (and for a Value n: d/dn = a**n * ln a)"""
    if isinstance(n, Value):
        return _apply(OPS["**"], (self, n))
    if not _is_operand(n):
        return NotImplemented
    if type(n) not in (int, float):
        n = float(n)  # a Fraction or numpy exponent: the node is named "**0.5"
    return make_node(OPS["**"].forward(self.data, n), (self,), f"**{n}", _power_by(n))


def _rpow_method(self, n):  # n ** self, for a number n
    if not _is_operand(n):
        return NotImplemented
    return _apply(OPS["**"], (n, self))


Value.__pow__ = _pow_method
Value.__rpow__ = _rpow_method


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
    "exp", torch="exp", math="exp(x); d/dx = exp(x)",
    forward=_exp,
    backward=lambda g, out, x: (g * out,),
)


def _log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log({_describe(x)}): log is only defined for x > 0")
    return math.log(x)


log = define(
    "log", torch="log", math="log(x), the natural logarithm; d/dx = 1/x",
    forward=_log,
    backward=lambda g, out, x: (g / x,),
)

sin = define(
    "sin", torch="sin", math="sin(x); d/dx = cos(x)",
    forward=math.sin,
    backward=lambda g, out, x: (g * cos(x),),
)

cos = define(
    "cos", torch="cos", math="cos(x); d/dx = -sin(x)",
    forward=math.cos,
    backward=lambda g, out, x: (-g * sin(x),),
)


# ---- activations: the non-linearities a neuron may use ------------------------

relu = define(
    "relu", kind="activation", symbol="ReLU", torch="relu",
    math="relu(x) = max(0, x); d/dx = 1 if x > 0 else 0",
    forward=lambda x: x if x > 0 else 0.0,
    # The step function is constant almost everywhere: its derivative is a
    # number (1 or 0), never a graph, so g passes through or is stopped.
    backward=lambda g, out, x: (g if data(out) > 0 else g * 0.0,),
)

tanh = define(
    "tanh", kind="activation", torch="tanh", math="tanh(x); d/dx = 1 - tanh(x)**2",
    forward=math.tanh,
    backward=lambda g, out, x: (g * (1 - out * out),),
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
    backward=lambda g, out, x: (g * out * (1 - out),),
)


# ---- fused nodes with many inputs -----------------------------------------------
# A neuron's weighted sum as one node instead of 2n (the talk's "Matmul"
# then "plus b"), and a loss's sum as one node instead of a chain.


def _dot_forward(*inputs: float) -> float:
    # Inputs are w_0..w_{n-1}, x_0..x_{n-1}, then the bias if there is one.
    # bias + w_0*x_0 + w_1*x_1 + ..., added left to right, so the result is
    # the same float, bit for bit, as the elementwise graph gives. (sum()
    # may not: from Python 3.12 it compensates for rounding.)
    n = len(inputs) // 2
    acc = inputs[-1] if len(inputs) % 2 else 0.0
    for i in range(n):
        acc = acc + inputs[i] * inputs[n + i]  # w_i * x_i
    return acc


def _dot_backward(g, out, *inputs):
    n = len(inputs) // 2
    ws, xs = inputs[:n], inputs[n : 2 * n]
    terms = [g * x for x in xs]  # d/dw_i = x_i
    terms += [g * w for w in ws]  # d/dx_i = w_i
    if len(inputs) % 2:
        terms.append(g)  # d/dbias = 1
    return terms


define(
    "dot", kind="n-ary", symbol="dot", torch="dot",
    math="b + sum(w_i * x_i); d/dw_i = x_i, d/dx_i = w_i, d/db = 1",
    forward=_dot_forward,
    backward=_dot_backward,
)


def _total_forward(*inputs: float) -> float:
    acc = 0.0
    for v in inputs:  # left to right, as a chain of + nodes adds
        acc = acc + v
    return acc


define(
    "total", kind="n-ary", symbol="Σ", torch="sum",
    math="sum(v_i); d/dv_i = 1",
    forward=_total_forward,
    backward=lambda g, out, *inputs: [g] * len(inputs),
)


def dot(ws: Sequence, xs: Sequence, bias=None) -> Value:
    """bias + sum(w_i * x_i) as one node; d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1.

    Its inputs are w_0..w_{n-1}, x_0..x_{n-1} and, when there is one, the bias.
    """
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    operands = (*ws, *xs) if bias is None else (*ws, *xs, bias)
    return _apply(OPS["dot"], operands)


def neuron_dot(ws: list[Value], xs: Sequence[Value], bias: Value, x_floats: list[float]) -> Value:
    """`dot` for a neuron, whose weights, bias and (wrapped) inputs are
    Values of the right number already, and whose inputs' numbers are read
    already (`x_floats`, once for all the neurons of a layer): no checks,
    which a network's forward pass would otherwise repeat for every neuron."""
    op, inputs = OPS["dot"], (*ws, *xs, bias)
    out = op.forward(*[w.data for w in ws], *x_floats, bias.data)
    return make_node(out, inputs, "dot", op.backward)


def total(values: Iterable) -> Value:
    """sum(values) as one node; d/dv_i = 1 for every term."""
    return _apply(OPS["total"], tuple(values))
