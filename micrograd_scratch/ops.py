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
- They are all floats (the usual `backward()`), or all Values
  (`create_graph=True`, where the derivatives must be graphs that can be
  differentiated again).
- So write them with + - * / ** and with the ops of this module (`exp`,
  `log`, `tanh`, `sigmoid`, `sin`, `cos`, ...): each one takes a float or
  a Value and answers in kind. Never `math.cos(x)` here (it refuses a
  Value), and no `isinstance`: `data(x)` reads the number of either, for a
  decision such as relu's `x > 0`.
- The op does not multiply by the upstream gradient: the engine's one
  loop does that (`engine.chain_rule`), for every op alike.

Kinds: "binary" (+, *, **), "unary" (exp, log, sin, cos, abs), "activation"
(a unary op a neuron may use: relu, tanh, sigmoid), "n-ary" (dot, total:
fused nodes with any number of inputs).

Sources: micrograd (each op's four beats: wrap the operand, compute `out`,
attach the local backward, return `out`); microgpt (an op gives its local
derivatives, one loop chains them); minitorch's scalar_functions (forward
and backward side by side); DeZero (derivatives written on Variables, so
one definition gives higher-order gradients).
"""

from __future__ import annotations

import keyword
import math
from dataclasses import dataclass
from itertools import repeat
from typing import Callable, Iterable, Sequence

from .engine import Value, _data, _describe, _is_operand, make_node, wrap

__all__ = [
    "Op", "OPS", "define", "data", "activations", "functions", "symbol", "is_activation",
    "add", "mul", "power", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "abs_",
    "dot", "total",
]

KINDS = ("binary", "unary", "activation", "n-ary")


@dataclass
class Op:
    """One op: what it computes, its local derivatives, how it is drawn.

    Calling an Op applies it: on Values it builds a node (micrograd's four
    beats, written once in `_apply` for every op); on plain floats it
    returns the float `forward` gives, so derivatives can use it on either.
    `define(..., replace=True)` changes an Op in place, so every method,
    operator and derivative that uses it sees the new definition.
    """

    name: str  # the node's _op: "+", "relu"
    forward: Callable[..., float]  # floats in, the result's float out
    local_grads: Callable[..., Sequence]  # local_grads(out, *inputs), see above
    kind: str  # one of KINDS
    symbol: str  # what a drawing shows in the op's bubble
    math: str  # the formula and its derivative, for docs and the explorer
    torch: str | None  # the torch function with the same math, "sin" or "nn.functional.softplus"
    used_by: tuple[str, ...] = ()  # the losses built on this op: an edit here changes them too

    def __call__(self, *operands):
        if any(isinstance(x, Value) for x in operands):
            return _apply(self, operands)
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
    used_by: tuple[str, ...] = (),
    replace: bool = False,
) -> Op:
    """Register an op and return it. A unary op or activation becomes a
    Value method of the same name (`x.sin()`); every op becomes drawable,
    parseable and fuzzed. `replace=True` redefines an existing op in place
    (nodes built afterwards use the new definition)."""
    if kind not in KINDS:
        raise ValueError(f"define({name!r}): kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind in ("unary", "activation") and not (name.isidentifier() and not keyword.iskeyword(name)):
        raise ValueError(
            f"define({name!r}): a {kind} op is a Value method and a function in expressions, "
            f"so its name must be a Python name (letters, digits and _), as in 'softplus'"
        )
    if name in OPS and not replace:
        raise ValueError(f"define({name!r}): an op of that name exists (pass replace=True)")
    fields = dict(forward=forward, local_grads=local_grads, kind=kind, symbol=symbol or name,
                  math=math or name, torch=torch, used_by=tuple(used_by))
    op = OPS.get(name)
    if op is None:
        op = OPS[name] = Op(name, **fields)
    else:
        vars(op).update(fields)  # in place: whatever holds this Op sees the change
    if kind in ("unary", "activation"):
        setattr(Value, name, _method(op))
    elif name in _OPERATORS:
        setattr(Value, _OPERATORS[name], _binary_method(op))
    return op


_OPERATORS = {"+": "__add__", "*": "__mul__"}  # Python's syntax for two binary ops


def _method(op: Op):
    def method(self):  # x.relu(): compute out, attach the local derivatives, return out
        return make_node(op.forward(self.data), (self,), op.name, op.local_grads)

    method.__name__ = op.name
    method.__doc__ = op.math
    return method


def _binary_method(op: Op):
    def method(self, other):  # a * b: micrograd's four beats
        if not isinstance(other, Value):
            other = wrap(other)  # a number becomes a constant leaf
            if other is NotImplemented:
                return NotImplemented  # let Python try the other operand's method
        return make_node(op.forward(self.data, other.data), (self, other), op.name, op.local_grads)

    method.__name__ = _OPERATORS[op.name]
    method.__doc__ = op.math
    return method


def _apply(op: Op, operands: Iterable) -> Value:
    """op(*operands) as a node: wrap the numbers, compute out, attach the
    local derivatives, return out."""
    if all(map(isinstance, operands, repeat(Value))):
        inputs = tuple(operands)  # nothing to wrap, checked in C: saves 22% of a moons step
    else:
        inputs = tuple([_operand(x, op) for x in operands])
    out = op.forward(*[x.data for x in inputs])
    return make_node(out, inputs, op.name, op.local_grads)


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
    local_grads=lambda out, a, b: (1.0, 1.0),
)

# ---- a * b ----------------------------------------------------------------

mul = define(
    "*", kind="binary", symbol="×", torch="mul", math="a * b; d/da = b, d/db = a",
    forward=lambda a, b: a * b,
    local_grads=lambda out, a, b: (b, a),
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


def _d_power_d_base(a, n):
    """d/da a**n = n * a**(n-1): 0 for n = 0, and infinite (a float inf,
    as torch gives) at a = 0 for n < 1 or where a**(n-1) overflows."""
    if data(n) == 0:
        return 0.0
    if data(a) == 0 and data(n) < 1:
        return math.copysign(math.inf, data(n))
    try:
        return n * a ** (n - 1)
    except OverflowError:  # 1 / x at x = 1e-200: d/dx = -1e400
        odd_power_of_negative = data(a) < 0 and (data(n) - 1) % 2 == 1
        return math.copysign(math.inf, -data(n) if odd_power_of_negative else data(n))


def _d_power_d_exponent(out, a):
    """d/dn a**n = a**n * ln(a): defined for a > 0, 0 at a = 0 (its limit).
    Below 0 there is no real logarithm: NaN, as torch answers (and
    `detect_anomaly()` names it)."""
    if data(a) > 0:
        return out * log(a)
    return 0.0 if data(a) == 0 else math.nan


power = define(
    "**", kind="binary", torch="pow",
    math="a ** n; d/da = n * a**(n-1), d/dn = a**n * ln(a)",
    forward=_power,
    local_grads=lambda out, a, n: (_d_power_d_base(a, n), _d_power_d_exponent(out, a)),
)


def _pow_method(self, n):
    """a ** n; d/da = n * a**(n-1)   (and for a Value n: d/dn = a**n * ln a)"""
    if isinstance(n, Value):
        return _apply(power, (self, n))
    if not _is_operand(n):
        return NotImplemented
    if type(n) not in (int, float):
        n = float(n)  # a Fraction or numpy exponent: the node is named "**0.5"
    # The "**" op with n held fixed: one input, and only the derivative for the base.
    return make_node(power.forward(self.data, n), (self,), f"**{n}",
                     lambda out, a: power.local_grads(out, a, n)[:1])


def _rpow_method(self, n):  # n ** self, for a number n
    if not _is_operand(n):
        return NotImplemented
    return _apply(power, (n, self))


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
    local_grads=lambda out, x: (out,),
)


def _log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log({_describe(x)}): log is only defined for x > 0")
    return math.log(x)


log = define(
    "log", torch="log", math="log(x), the natural logarithm; d/dx = 1/x",
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
Value.__abs__ = lambda self: abs_(self)  # abs(x) is x.abs()


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
    # Inputs are w_0..w_{n-1}, x_0..x_{n-1}, then the bias if there is one.
    # bias + w_0*x_0 + w_1*x_1 + ..., added left to right, so the result is
    # the same float, bit for bit, as the elementwise graph gives. (sum()
    # may not: from Python 3.12 it compensates for rounding.)
    n = len(inputs) // 2
    acc = inputs[-1] if len(inputs) % 2 else 0.0
    for i in range(n):
        acc = acc + inputs[i] * inputs[n + i]  # w_i * x_i
    return acc


def _dot_local_grads(out, *inputs):
    n = len(inputs) // 2
    ws, xs = inputs[:n], inputs[n : 2 * n]
    bias = (1.0,) if len(inputs) % 2 else ()
    return xs + ws + bias  # d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1


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
    "total", kind="n-ary", symbol="Σ", torch="sum",
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
    operands = (*ws, *xs) if bias is None else (*ws, *xs, bias)
    return _apply(OPS["dot"], operands)


def total(values: Iterable) -> Value:
    """sum(values) as one node; d/dv_i = 1 for every term."""
    return _apply(OPS["total"], tuple(values))
