"""Exercise 4: each backward rule against central finite differences,
at many points and at the edges, then at work in the real engine.

A wrong rule gets what was observed: the input, the expected and the
actual derivative, the finite difference, how many points are wrong, and
any point where the rule raised (the others are still checked). A cause
is named only when a repair proves it (`repairs.py`): an edit of the
rule's source (a sign, x where out belongs, precedence, a missing
factor, relu's boundary) or of its numbers (negated, its two answers
exchanged, x and out exchanged) with which every point is right.
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path

from ... import ops
from ...drawing.styles import fmt
from ...engine import Value
from ..picture import graph_picture
from ..rules import RULES, replaced_rules
from ..runner import Check, Failed, describe, where
from .graphs import close
from .repairs import Around, explained, proven, with_function

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


def _picture(op: ops.Op, inputs: tuple, i: int, got: float, right: float, title: str):
    """out = op(inputs) after backward, the input whose gradient is wrong marked."""
    names = ("a", "n") if op.name == "**" else NAMES[op.kind]
    leaves = [Value(v, label=n) for n, v in zip(names, inputs)]
    out = op(*leaves)
    out.label = "out"
    notes = {out: ["grad 1 (the seed)"], leaves[i]: [f"grad: expected {fmt(right)}", f"yours {fmt(got)}"]}
    return graph_picture(out, notes=notes, marked=leaves[i], title=title)


def _answers(op: ops.Op, rule, function: str) -> tuple[list, list]:
    """The rule at every point, each compared with the derivative there:
    (wrong: [(inputs, i, got, expected)], raised: [(inputs, error)]). A
    point where the rule raises is kept and the others still checked, so
    that `1/out` failing at x = 1 does not hide what it gives elsewhere."""
    arity = len(NAMES[op.kind])
    wrong, raised = [], []
    for inputs in POINTS[op.name]:
        try:
            result = rule(op.forward(*inputs), *inputs)
        except NotImplementedError:
            raise
        except Exception as error:
            raised.append((inputs, error))
            continue
        got = _returned(function, result, arity)
        for i in range(arity):
            right = expected(op, inputs, i)
            if right is not None and not agrees(got[i], right):
                wrong.append((inputs, i, got[i], right))
    return wrong, raised


def _checked(op: ops.Op) -> int:
    return sum(expected(op, inputs, i) is not None
               for inputs in POINTS[op.name] for i in range(len(NAMES[op.kind])))


def _around(op: ops.Op, function: str) -> list[Around]:
    """Repairs on the rule's numbers: its sign, the order of its answers,
    x and out exchanged."""
    def changed(module, how):
        rule = getattr(module, function)
        return with_function(module, **{function: how(rule)})

    repairs = [Around("a sign error: yours is minus the right derivative", "its answer negated",
                      lambda m: changed(m, lambda r: lambda out, *xs: tuple(-d for d in r(out, *xs))))]
    if op.kind == "binary":
        repairs.append(Around("the two derivatives in the wrong order", "its two answers exchanged",
                              lambda m: changed(m, lambda r: lambda out, a, b: tuple(r(out, a, b))[::-1])))
    else:
        repairs += [
            Around("`x` where `out` belongs", "out passed in place of x",
                   lambda m: changed(m, lambda r: lambda out, x: r(out, out))),
            Around("`out` where `x` belongs", "x passed in place of out",
                   lambda m: changed(m, lambda r: lambda out, x: r(x, x)))]
    return repairs


def check_rule(name: str):
    op = ops.OPS[name]
    function = RULES[name]

    def passes(module) -> bool:
        wrong, raised = _answers(op, getattr(module, function), function)
        return not wrong and not raised

    def run(module) -> str:
        rule = getattr(module, function, None)
        if not callable(rule):
            raise Failed(f"there is no function {function}(out, {', '.join(NAMES[op.kind])}) in "
                         "the file: write it (the template has it)")
        wrong, raised = _answers(op, rule, function)
        if not wrong and not raised:
            return f"right at {_checked(op)} points, the edges too; " + _in_the_engine(op, rule)
        folder = Path(module.__file__).parent
        facts = []
        if wrong:
            inputs, i, got, right = wrong[0]
            which = f"d/d{('a', 'n')[i]}" if name == "**" else f"d/d{NAMES[op.kind][i]}"
            how = ("relu's convention at its kink" if (name, inputs[i]) in CONVENTIONS
                   else "by finite differences")
            facts.append(f"at {_inputs_text(op, inputs)} your {which} is {fmt(got)}, expected "
                         f"{fmt(right)} ({how})" +
                         (f"; wrong at {len(wrong)} of {_checked(op)} points" if len(wrong) > 1 else ""))
        if raised:
            inputs, error = raised[0]
            facts.append(f"at {_inputs_text(op, inputs)} your code raised {describe(error)}"
                         f"{where(error.__traceback__, folder)}" +
                         (f" (at {len(raised)} of {len(POINTS[name])} points)" if len(raised) > 1 else ""))
        repairs = proven(module, function, passes, around=_around(op, function))
        sentence = explained("; ".join(facts), repairs, function)
        if not wrong:
            raise Failed(sentence)
        inputs, i, got, right = wrong[0]
        raise Failed(sentence, _picture(op, inputs, i, got, right, f"{name}: {sentence}"))

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
