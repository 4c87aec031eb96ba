"""Exercise 1: the perceptron learns AND and OR, and fails XOR, its
weights going round in a cycle (XOR is not linearly separable).

predict and update are checked case by case; a cause is named only when
an edit of the learner's function makes its check pass (`repairs.py`)."""

from __future__ import annotations

import math
import numbers

from ...data import xor
from ..runner import Check, Failed, need
from .repairs import verdict

GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
X = xor()[0]  # (0,0), (0,1), (1,0), (1,1): the inputs of every gate
MAX_EPOCHS = 20


def _functions(module):
    need(module, "predict", "update")
    return module.predict, module.update


def _label(value, where: str) -> int:
    if isinstance(value, numbers.Real) and value in (0, 1):
        return int(value)
    raise Failed(f"predict{where} returned {value!r}: it must be 1 or 0")


def _step(update, w, b, x, d, lr) -> tuple[list[float], float]:
    given = list(w)
    result = update(given, b, list(x), d, lr)
    if given != list(w):
        raise Failed("update changed the list w it was given: build and return a new one")
    try:
        new_w, new_b = result
        new_w, new_b = [float(v) for v in new_w], float(new_b)
    except (TypeError, ValueError):
        raise Failed(f"update returned {result!r}: it must return (w, b), a list and a number") from None
    if len(new_w) != len(w):
        raise Failed(f"update returned {len(new_w)} weights for {len(w)} inputs")
    return new_w, new_b


def _predict_facts(module) -> str:
    """"" when predict answers 1 exactly where w . x + b > 0; else what was observed."""
    predict, _ = _functions(module)
    cases = [([1.0, 1.0], -1.5, [1.0, 1.0], 1), ([1.0, 1.0], -1.5, [1.0, 0.0], 0),
             ([-2.0, 1.0], 0.5, [0.0, 1.0], 1), ([-2.0, 1.0], 0.5, [1.0, 1.0], 0),
             ([1.0, 1.0], -1.0, [1.0, 0.0], 0)]  # the last exactly on the boundary
    for w, b, x, want in cases:
        got = _label(predict(w, b, x), f"({w}, {b}, {x})")
        if got != want:
            total = sum(wi * xi for wi, xi in zip(w, x)) + b
            on = " exactly 0" if total == 0 else f" {total:g}"
            return (f"predict(w={w}, b={b}, x={x}) gave {got}, expected {want}: there w . x + b is"
                    f"{on}, and the perceptron answers 1 only when it is above 0 (> 0)")
    return ""


def check_predict(module) -> str:
    verdict(module, "predict", _predict_facts)
    return "1 exactly when w . x + b > 0 (and 0 on the boundary)"


def _update_facts(module) -> str:
    """"" when update leaves a right answer alone and moves a wrong one by
    lr * (d - f(x)); else what was observed."""
    predict, update = _functions(module)
    cases = [([0.5, -0.5], 0.2, [1.0, 0.0], 1, 1.0), ([0.0, 0.0], 0.0, [1.0, 1.0], 1, 1.0),
             ([1.0, 1.0], 0.0, [1.0, 0.0], 0, 1.0), ([0.0, 0.0], 0.0, [1.0, 1.0], 1, 0.5)]
    for w, b, x, d, lr in cases:
        error = d - predict(w, b, x)
        want = ([wi + lr * error * xi for wi, xi in zip(w, x)], b + lr * error)
        got = _step(update, w, b, x, d, lr)
        if not all(math.isclose(g, e) for g, e in zip(got[0] + [got[1]], want[0] + [want[1]])):
            right = " (a right answer: nothing should change)" if error == 0 else ""
            return (f"update on x = {x}, d = {d}, lr = {lr} from w = {w}, b = {b:g} (f(x) = "
                    f"{d - error}){right} gave w = {got[0]}, b = {got[1]:g}, expected w = {want[0]}, "
                    f"b = {want[1]:g}")
    return ""


def check_update(module) -> str:
    verdict(module, "update", _update_facts)
    return "no change on a right answer; w += lr * (d - f(x)) * x and b += lr * (d - f(x)) on a wrong one"


def train(module, gate: str) -> tuple[bool, list, list]:
    """Epochs of the rule on a gate: (converged, (w, b) after each epoch,
    (w, b) after each example)."""
    predict, update = _functions(module)
    w, b, history, steps = [0.0, 0.0], 0.0, [], []
    for _ in range(MAX_EPOCHS):
        errors = 0
        for x, d in zip(X, GATES[gate]):
            if _label(predict(w, b, x), "") != d:
                errors += 1
            w, b = _step(update, w, b, x, d, 1.0)
            steps.append((tuple(w), b))
        history.append((tuple(w), b))
        if errors == 0:
            return True, history, steps
    return False, history, steps


def _wb(state) -> str:
    w, b = state
    return f"w = [{', '.join(f'{v:g}' for v in w)}], b = {b:g}"


def learns(gate: str):
    def run(module) -> str:
        converged, history, _ = train(module, gate)
        if not converged:
            raise Failed(f"your perceptron did not learn {gate} in {MAX_EPOCHS} epochs (ending at "
                         f"{_wb(history[-1])}); {gate} is linearly separable, so the rule must "
                         "find a line: check update")
        return f"learned in {len(history)} epochs: {_wb(history[-1])}"
    return run


def check_xor(module) -> str:
    converged, history, steps = train(module, "XOR")
    if converged:
        raise Failed(f"your perceptron got XOR right ({_wb(history[-1])}), which no line can do: "
                     "predict must be a threshold of w . x + b")
    why = ("XOR is not linearly separable: (0,1) and (1,0) need w1 + b > 0 and w2 + b > 0, and "
           "(0,0) needs b <= 0, so w1 + w2 + b > -b >= 0 and (1,1) is classed 1, not 0; every "
           "epoch makes a mistake, so the rule never settles")
    # The weights after each example, from the last epoch back: the cycle they go round.
    states = [_wb(s) for s in steps]
    last = states[-1]
    period = next((k for k in range(1, len(states)) if states[-1 - k] == last), None)
    if period is None:
        return f"fails, as it must, after {MAX_EPOCHS} epochs ({_wb(history[-1])}): {why}"
    cycle = " -> ".join(states[-period - 1:])
    return (f"fails, as it must: after each example its weights go {cycle}, round and round "
            f"(a cycle of {period} updates). {why}")


CHECKS = [
    Check("predict", check_predict),
    Check("update", check_update),
    Check("learns AND", learns("AND"), needs_earlier=True),
    Check("learns OR", learns("OR"), needs_earlier=True),
    Check("fails XOR", check_xor, needs_earlier=True),
]
