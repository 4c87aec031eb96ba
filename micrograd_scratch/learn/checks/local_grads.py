"""Exercise 4: each backward rule against central finite differences,
at many points and at the edges, then at work in the real engine.

A wrong rule is compared with the classic wrong rules of its op (x where
the rule needs the output, a missing factor, the kink of relu) and with a
sign error; the verdict names the one it matches, with the input where it
shows, and otherwise gives the expected and actual values, the finite
difference and the input.
"""

from __future__ import annotations

import math
import numbers

from ... import ops
from ...drawing.styles import fmt
from ...engine import Value
from ..picture import graph_picture
from ..rules import RULES, replaced_rules
from ..runner import Check, Failed
from .graphs import close

# The inputs each rule is checked at: ordinary points and the edges
# (0, large and tiny inputs, saturation, relu's kink).
POINTS = {
    "*": [(2.0, -3.0), (0.3, 0.7), (-4.0, -0.25), (0.0, 5.0), (-1.5, 0.0), (1e-8, 1e8)],
    "**": [(2.0, 2.0), (1.5, 0.5), (4.0, -1.0), (-3.0, 2.0), (-2.0, 3.0), (2.5, -2.5), (3.0, 0.5),
           (1.0, 1.0), (0.5, 0.0), (0.0, 2.0), (0.0, 3.0)],
    "exp": [(0.5,), (-1.0,), (2.0,), (0.0,), (-3.0,), (10.0,), (-700.0,), (700.0,)],
    "log": [(2.5,), (0.1,), (1.0,), (100.0,), (1e-3,), (1e6,)],
    "tanh": [(0.5,), (-1.0,), (3.0,), (0.0,), (-3.0,), (20.0,), (-20.0,)],
    "sigmoid": [(0.5,), (-1.0,), (4.0,), (0.0,), (-4.0,), (30.0,), (-30.0,)],
    "relu": [(0.5,), (-2.0,), (3.0,), (0.0,), (1e-9,), (-1e-9,)],
}

# Where finite differences do not give the derivative, the convention
# does (PyTorch's): relu'(0) = 0.
CONVENTIONS = {("relu", 0.0): 0.0}

NAMES = {"binary": ("a", "b"), "unary": ("x",), "activation": ("x",)}


def _x_for_out(formula: str) -> str:
    return (f"used x where the rule needs the output: the derivative is {formula}, written with "
            "out (the op's result), not with its input x")


# The classic wrong rules of each op: (input index, what it gives, the sentence).
MISTAKES = {
    "*": [(0, lambda out, a, b: a, "the derivatives are swapped: d(a*b)/da is b, the other input"),
          (1, lambda out, a, b: b, "the derivatives are swapped: d(a*b)/db is a, the other input"),
          (0, lambda out, a, b: 1.0, "that is the rule of +: d(a*b)/da is b, not 1"),
          (1, lambda out, a, b: 1.0, "that is the rule of +: d(a*b)/db is a, not 1")],
    "**": [(0, lambda out, a, n: n * a**n, "the power must drop by one: d/da a**n = n * a**(n-1)"),
           (0, lambda out, a, n: a ** (n - 1), "the factor n is missing: d/da a**n = n * a**(n-1)"),
           (1, lambda out, a, n: math.log(a), "the factor a**n (out) is missing: "
                                              "d/dn a**n = a**n * ln(a)"),
           (1, lambda out, a, n: 0.0, "d/dn is not 0: the exponent is an input too, and a**n "
                                      "changes with it at the rate a**n * ln(a)")],
    "exp": [(0, lambda out, x: x, _x_for_out("exp(x) itself, out")),
            (0, lambda out, x: 1.0, "d/dx exp(x) is exp(x) itself (out), not 1")],
    "log": [(0, lambda out, x: 1 / out, "used the output where the rule needs x: d/dx log(x) = 1/x"),
            (0, lambda out, x: out, "returned log(x) itself: its derivative is 1/x")],
    "tanh": [(0, lambda out, x: 1 - x * x, _x_for_out("1 - tanh(x)**2 = 1 - out**2")),
             (0, lambda out, x: 1 - out, "the square is missing: d/dx tanh(x) = 1 - out**2"),
             (0, lambda out, x: 1 - math.tanh(out) ** 2, "tanh applied twice: out is tanh(x) "
                                                         "already, so the rule is 1 - out**2")],
    "sigmoid": [(0, lambda out, x: x * (1 - x), _x_for_out("sigmoid(x) * (1 - sigmoid(x)) = "
                                                           "out * (1 - out)")),
                (0, lambda out, x: out, "the factor (1 - out) is missing: out * (1 - out)"),
                (0, lambda out, x: 1 - out, "the factor out is missing: out * (1 - out)")],
    "relu": [(0, lambda out, x: 1.0 if x >= 0 else 0.0, "at x = 0 relu's derivative is taken as 0 "
              "(as PyTorch does): write x > 0, not x >= 0"),
             (0, lambda out, x: x, "returned x: relu's derivative is 1 where x > 0 and 0 elsewhere"),
             (0, lambda out, x: out, "returned out, relu(x) itself: its derivative is 1 where "
                                     "x > 0 and 0 elsewhere"),
             (0, lambda out, x: 1.0, "forgot that relu is flat below 0: its derivative is 0 there"),
             (0, lambda out, x: 0.0 if x > 0 else 1.0, "the two cases are swapped: 1 where x > 0, "
                                                       "0 elsewhere")],
}


def finite_difference(op: ops.Op, inputs: tuple, i: int) -> float | None:
    """(f(x + h) - f(x - h)) / 2h in input i, h small beside x; None where
    f is not defined on both sides (a ** n in n for a <= 0)."""
    x = inputs[i]
    h = 1e-6 * max(1.0, abs(x))
    if x != 0:
        h = min(h, abs(x) / 4)  # never across 0 (relu's kink, log's edge)
    up, down = list(inputs), list(inputs)
    up[i], down[i] = x + h, x - h
    try:
        return (op.forward(*up) - op.forward(*down)) / (2 * h)
    except (ValueError, ArithmeticError):
        return None


def expected(op: ops.Op, inputs: tuple, i: int) -> float | None:
    """The derivative to compare with: the convention at a kink, else
    finite differences (None: not checked at this input)."""
    if (op.name, inputs[i]) in CONVENTIONS:
        return CONVENTIONS[op.name, inputs[i]]
    if op.name == "**" and i == 1 and inputs[0] < 0:
        return None  # no real ln(a) for a < 0
    return finite_difference(op, inputs, i)


def agrees(got: float, fd: float) -> bool:
    """A rule agrees with finite differences up to their own error."""
    return math.isclose(got, fd, rel_tol=1e-4, abs_tol=1e-6)


def _returned(function: str, result, arity: int) -> tuple:
    """The rule's answer as a tuple of floats, or a verdict on its shape."""
    one = "(d,)" if arity == 1 else "(d_a, d_b)"
    if isinstance(result, numbers.Real) or isinstance(result, Value):
        raise Failed(f"{function} returned {result!r}, a single number; the contract is a tuple "
                     f"with one derivative per input, even for one input: return {one}")
    if not isinstance(result, (tuple, list)):
        raise Failed(f"{function} returned {type(result).__name__} {result!r}; the contract is a "
                     f"tuple with one derivative per input: {one}")
    if len(result) != arity:
        raise Failed(f"{function} returned {len(result)} derivatives, {result!r}; the op has "
                     f"{arity} input{'s' * (arity > 1)}, so the contract is {one}")
    out = []
    for d in result:
        if isinstance(d, Value):
            d = d.data
        if isinstance(d, bool) or not isinstance(d, numbers.Real):
            raise Failed(f"{function} returned {result!r}: each derivative must be a number")
        out.append(float(d))
    return tuple(out)


def _inputs_text(op: ops.Op, inputs: tuple) -> str:
    names = ("a", "n") if op.name == "**" else NAMES[op.kind]
    return ", ".join(f"{n} = {fmt(v)}" for n, v in zip(names, inputs))


def _name_mistake(op: ops.Op, wrong: list) -> str:
    """The sentence of the classic mistake that every wrong answer fits, or ""."""
    for index, rule, sentence in MISTAKES.get(op.name, []):
        fits = [w for w in wrong if w[1] == index]
        if fits and all(_gives(rule, op, inputs, got) for inputs, i, got, fd in fits):
            return sentence
    if all(fd != 0 and close(got, -fd, 1e-4) for inputs, i, got, fd in wrong):
        return "a sign error: yours is minus the right derivative"
    return ""


def _gives(rule, op: ops.Op, inputs: tuple, got: float) -> bool:
    try:
        return close(rule(op.forward(*inputs), *inputs), got, 1e-6)
    except (ValueError, ArithmeticError):
        return False


def _picture(op: ops.Op, inputs: tuple, i: int, got: float, right: float, title: str):
    """out = op(inputs) after backward, the input whose gradient is wrong marked."""
    names = ("a", "n") if op.name == "**" else NAMES[op.kind]
    leaves = [Value(v, label=n) for n, v in zip(names, inputs)]
    out = op(*leaves)
    out.label = "out"
    notes = {out: ["grad 1 (the seed)"], leaves[i]: [f"grad: expected {fmt(right)}", f"yours {fmt(got)}"]}
    return graph_picture(out, notes=notes, marked=leaves[i], title=title)


def check_rule(name: str):
    op = ops.OPS[name]
    function = RULES[name]

    def run(module) -> str:
        rule = getattr(module, function, None)
        if not callable(rule):
            raise Failed(f"there is no function {function}(out, {', '.join(NAMES[op.kind])}) in "
                         "the file: write it (the template has it)")
        arity = len(NAMES[op.kind])
        wrong, checked = [], 0
        for inputs in POINTS[name]:
            got = _returned(function, rule(op.forward(*inputs), *inputs), arity)
            for i in range(arity):
                right = expected(op, inputs, i)
                if right is None:
                    continue
                checked += 1
                if not agrees(got[i], right):
                    wrong.append((inputs, i, got[i], right))
        if wrong:
            inputs, i, got, right = wrong[0]
            which = f"d/d{('a', 'n')[i]}" if name == "**" else f"d/d{NAMES[op.kind][i]}"
            kink = (name, inputs[i]) in CONVENTIONS
            how = "relu's convention at its kink" if kink else "by finite differences"
            named = _name_mistake(op, wrong)
            facts = (f"at {_inputs_text(op, inputs)} your {which} is {fmt(got)}, expected "
                     f"{fmt(right)} ({how})")
            if len(wrong) > 1:
                facts += f"; wrong at {len(wrong)} of {checked} points"
            sentence = f"{named}; {facts}" if named else facts
            raise Failed(sentence, _picture(op, inputs, i, got, right, f"{name}: {sentence}"))
        return f"right at {checked} points, the edges too; " + _in_the_engine(op, rule)

    return run


def _in_the_engine(op: ops.Op, rule) -> str:
    """Plug the rule into the engine (ops.define(..., replace=True)) and
    run backward() through it."""
    names = ("a", "n") if op.name == "**" else NAMES[op.kind]
    point = (1.5, 2.0) if op.kind == "binary" else (0.5,)
    with replaced_rules({op.name: rule}):
        leaves = [Value(v, label=n) for n, v in zip(names, point)]
        out = op(*leaves)
        out.backward()
        grads = [x.grad for x in leaves]
    expected_grads = [d for d in _returned(RULES[op.name], rule(op.forward(*point), *point), len(names))]
    if not all(close(g, e) for g, e in zip(grads, expected_grads)):
        raise Failed(f"in the engine, backward() gave {grads}, but your rule says {expected_grads}")
    shown = ", ".join(f"{n}.grad = {fmt(g)}" for n, g in zip(names, grads))
    if op.kind == "binary":
        call = f"({names[0]} {op.name} {names[1]})"
    else:
        call = f"{op.name}({names[0]})"
    at = ", ".join(f"{n} = {fmt(v)}" for n, v in zip(names, point))
    return f"in the engine, at {at}, {call}.backward() gives {shown}"


CHECKS = [Check(f"{name}: {RULES[name]}", check_rule(name)) for name in RULES]
