"""Exercise 8: mse, zero_grad, sgd_step, and two training steps compared
with the package's (losses.mse, optim.SGD) parameter by parameter.

A wrong answer gets what was observed; a cause is named only when a
repair proves it (`repairs.py`): an edit of the learner's function, its
loss negated or divided by n, the parameters' grads reset before a step."""

from __future__ import annotations

from typing import Callable

from ...data import xor
from ...drawing.styles import fmt
from ...engine import Value
from ...losses import mse as package_mse
from ...nn import MLP
from ...optim import SGD
from ..runner import Check, Failed, need
from .graphs import close, listed
from .repairs import Around, verdict, with_function

X, LABELS = xor()
Y = [float(t) for t in LABELS]


CASES = [([1.0, -2.0, 0.5], [0.0, 1.0, 0.5]), ([0.25, 3.0], [-1.0, 2.0])]  # predictions, targets


def _mse_facts(module) -> str:
    """"" when mse is right, value and gradient, on each case; else what was observed."""
    for values, targets in CASES:
        preds = [Value(p) for p in values]
        loss = module.mse(preds, list(targets))  # a copy: theirs to change
        if not isinstance(loss, Value):
            raise Failed(f"mse returned {loss!r}, a {type(loss).__name__}: return a Value built from "
                         "the predictions, so that loss.backward() reaches them")
        want = package_mse([Value(p) for p in values], targets).data
        case = f"mse of predictions {listed(values)} against {listed(targets)}"
        if not close(loss.data, want):
            squares = " + ".join(fmt((p - t) ** 2) for p, t in zip(values, targets))
            return f"{case} gave {fmt(loss.data)}, expected ({squares}) / {len(values)} = {fmt(want)}"
        loss.backward()
        grads = [p.grad for p in preds]
        want_grads = [2 * (p - t) / len(values) for p, t in zip(values, targets)]
        if not all(close(g, w) for g, w in zip(grads, want_grads)):
            return (f"after {case}.backward() the predictions' grads are {listed(grads)}, expected "
                    f"2 (p - t) / n = {listed(want_grads)}")
    return ""


def _loss_times(factor: Callable[[int], float], says: str, change: str) -> Around:
    """The learner's mse times factor(n), n the number of predictions."""
    def make(module):
        return with_function(module, mse=lambda preds, targets: module.mse(preds, targets) * factor(len(preds)))
    return Around(says, change, make)


def check_mse(module) -> str:
    need(module, "mse")
    verdict(module, "mse", _mse_facts, around=[
        _loss_times(lambda n: -1.0, "the loss is negated: a mean of squares is never below 0",
                    "its loss times -1"),
        _loss_times(lambda n: 1 / n, "a sum where the mean belongs", "its loss divided by n")])
    values, targets = CASES[0]
    return (f"{fmt(package_mse([Value(p) for p in values], targets).data)} for {listed(values)} "
            f"against {listed(targets)}, and its gradient 2 (p - t) / n, on {len(CASES)} cases")


def _step_facts(module, lr: float = 0.1) -> str:
    params = [Value(1.0), Value(-2.0)]
    params[0].grad, params[1].grad = 0.5, -1.0
    module.sgd_step(params, lr)
    got, want = [p.data for p in params], [1.0 - lr * 0.5, -2.0 + lr * 1.0]
    if not all(close(g, w) for g, w in zip(got, want)):
        return (f"from data [1, -2] with grads [0.5, -1] and lr {lr} your step gave {got}, "
                f"expected p.data - lr * p.grad = {listed(want)}")
    return ""


def _zero_grad_facts(module) -> str:
    params = [Value(1.0), Value(-2.0)]
    params[0].grad, params[1].grad = 0.5, -1.0
    module.zero_grad(params)
    grads = [p.grad for p in params]
    return "" if all(g == 0 for g in grads) else f"after zero_grad the grads are {listed(grads)}, expected 0"


def check_zero_grad_and_step(module) -> str:
    need(module, "zero_grad", "sgd_step")
    verdict(module, "sgd_step", lambda m: _step_facts(m) or _step_facts(m, lr=0.5))
    verdict(module, "zero_grad", _zero_grad_facts)
    return "p.data -= lr * p.grad, and zero_grad sets every grad to 0"


def _network() -> MLP:
    return MLP(2, [4, 1], seed=3)


def _two_steps(module) -> tuple[str, list]:
    """Two train_steps beside the package's: ("", the losses) or what was observed."""
    mine, ref = _network(), _network()
    opt = SGD(ref.parameters(), lr=0.1)
    losses = []
    for step in (1, 2):
        loss = module.train_step(mine, X, Y, 0.1)
        opt.zero_grad()
        package_mse([ref(x) for x in X], Y).backward()
        opt.step()
        got = [p.data for p in mine.parameters()]
        want = [p.data for p in ref.parameters()]
        if not all(close(g, w) for g, w in zip(got, want)):
            worst = max(range(len(got)), key=lambda i: abs(got[i] - want[i]))
            return (f"after step {step} parameter {worst} is {fmt(got[worst])}, expected "
                    f"{fmt(want[worst])} (the package's SGD step on the mse of XOR, lr 0.1)"), losses
        if isinstance(loss, bool) or not isinstance(loss, (int, float)):
            raise Failed(f"train_step returned {loss!r}"[:120] + ", not a number: it returns the "
                         "loss as a float (the loss Value's .data)")
        losses.append(float(loss))
    return "", losses


def _zeroed_first(module):
    def train_step(model, X, Y, lr):
        for p in model.parameters():
            p.grad = 0.0
        return module.train_step(model, X, Y, lr)
    return with_function(module, train_step=train_step)


def check_train_step(module) -> str:
    need(module, "train_step")
    verdict(module, "train_step", lambda m: _two_steps(m)[0], around=[Around(
        "the parameters' gradients are not 0 when loss.backward() runs, so step 2 used step 1's "
        "gradient plus its own (each backward() adds to the leaves' grads)",
        "every parameter's grad set to 0 before each train_step", _zeroed_first)])
    losses = _two_steps(module)[1]
    if not losses[1] < losses[0]:
        raise Failed(f"train_step returned losses {losses}: the loss before each step, falling")
    return (f"two steps on XOR give the package's parameters; the loss fell from "
            f"{losses[0]:.4f} to {losses[1]:.4f}")


CHECKS = [
    Check("mse", check_mse),
    Check("sgd_step and zero_grad", check_zero_grad_and_step),
    Check("two train_steps on XOR", check_train_step, needs_earlier=True),
]
