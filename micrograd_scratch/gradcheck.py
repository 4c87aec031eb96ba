"""Check back-propagated gradients against finite differences.

A backward rule with a wrong sign or a missing factor still produces
numbers, and training with it may even seem to work. `gradcheck` catches
it: it nudges each input by a small eps and measures the slope directly,

    df/dx_i ~ (f(..., x_i + eps, ...) - f(..., x_i - eps, ...)) / (2 eps)

(a *central* difference: its error shrinks like eps**2, where the one-sided
(f(x + eps) - f(x)) / eps only shrinks like eps), and compares that with
what the engine computes, along both of its settings: `backward()`, the
one users call (it adds into `.grad`), and `grad()` (which lends the loop
every `.grad` and puts them back). Both run the engine's one backward loop, so a local derivative edited in ops.py is seen by both.

The error of one input is |analytic - numeric| / max(1, |analytic|, |numeric|):
a relative error for large gradients and an absolute one for gradients
below 1, so that a true gradient of 0 (where any tiny rounding error would
be "infinitely" wrong in relative terms) is judged sensibly.

Finite differences cannot judge a function at a kink: relu at exactly 0
has slope 0 on one side and 1 on the other, so check points away from
kinks.

Sources: Goodfellow, Bengio and Courville, *Deep Learning*, ch. 11.5
(debugging strategies: gradient checking); DeZero's `gradient_check`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable, Sequence

from .engine import Value, grad

__all__ = ["gradcheck", "GradcheckResult"]


@dataclass(frozen=True)
class GradcheckResult:
    """What `gradcheck` found: `ok` is True when every input's error is at
    most rtol on both paths; `analytic[i]` (from backward()), `via_grad[i]`
    (from grad()) and `numeric[i]` are the gradients of input i, and
    `max_rel_error` the worst error (as defined above). `mismatches` names
    each disagreement: "backward() at x1", "grad() at x0"."""

    ok: bool
    max_rel_error: float
    analytic: list[float]
    numeric: list[float]
    via_grad: list[float]
    mismatches: list[str]

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "MISMATCH: " + ", ".join(self.mismatches)
        rows = "\n".join(
            f"  x{i}: backward() {a:.10g}, "
            + f"grad() {g:.10g}, "
            + f"finite differences {n:.10g}"
            for i, (a, g, n) in enumerate(zip(self.analytic, self.via_grad, self.numeric))
        )
        return f"gradcheck {verdict} (max relative error {self.max_rel_error:.3g})\n{rows}"


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence,
    eps: float = 1e-6,
    rtol: float = 1e-5,
) -> GradcheckResult:
    """Compare backward() and grad() with central differences for f at the point `inputs`.

    f is called with one Value per input, `f(x0, x1, ...)`, and must
    return a Value. `inputs` holds numbers (or Values, whose data is used;
    they are not modified).
    """
    point = [_number(x, i) for i, x in enumerate(inputs)]
    if not point:
        raise ValueError("gradcheck: no inputs to check (empty list)")
    for name, v in (("eps", eps), ("rtol", rtol)):
        if type(v) is bool or not isinstance(v, (int, float)) or not v > 0 or math.isinf(v):
            raise ValueError(f"gradcheck: {name} must be a finite number > 0, got {v!r}")

    # Analytic, both ways: backward() into .grad, and grad() into a list.
    xs = [Value(x) for x in point]
    _call(f, xs).backward()
    analytic = [x.grad for x in xs]
    xs = [Value(x) for x in point]
    out = _call(f, xs)
    via_grad = [float(g) for g in grad(out, xs)]
    paths = (("backward()", analytic), ("grad()", via_grad))

    # Numeric: two forward passes per input.
    # A point within eps of the edge of f's domain (log at 1e-7) cannot be
    # checked this way: that input fails, with the reason, as in torch's gradcheck.
    numeric, mismatches, outside = [], [], set()
    for i in range(len(point)):
        try:
            up = _call(f, [Value(x + eps if j == i else x) for j, x in enumerate(point)]).data
            down = _call(f, [Value(x - eps if j == i else x) for j, x in enumerate(point)]).data
        except (ValueError, ArithmeticError) as error:
            numeric.append(math.nan)
            outside.add(i)
            mismatches.append(f"x{i} +- eps leaves the domain ({error}); check a point farther "
                              f"than eps = {eps:g} from its edge")
            continue
        numeric.append((up - down) / (2 * eps))

    errors = []
    for path, gradients in paths:
        for i, (a, n) in enumerate(zip(gradients, numeric)):
            error = abs(a - n) / max(1.0, abs(a), abs(n))
            errors.append(error)
            if not error <= rtol and i not in outside:  # (those have said why)  # NaN compares False with everything: it fails
                mismatches.append(f"{path} at x{i}")
    worst = math.nan if any(math.isnan(e) for e in errors) else max(errors)
    return GradcheckResult(
        ok=not mismatches, max_rel_error=worst, analytic=analytic, numeric=numeric,
        via_grad=via_grad, mismatches=mismatches,
    )


def _call(f, xs: list[Value]) -> Value:
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError(
            f"gradcheck: f must return a Value, got {type(out).__name__}: {out!r}"
        )
    return out


def _number(x, i: int) -> float:
    if isinstance(x, Value):
        return x.data
    if type(x) is bool or not isinstance(x, numbers.Real):
        raise TypeError(
            f"gradcheck: input {i} must be a number or a Value, got {type(x).__name__}: {x!r}"
        )
    return float(x)
