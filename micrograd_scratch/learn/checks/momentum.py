"""Exercise 10 (optional): momentum, step by step against its formula,
v <- mu * v + g, theta <- theta - lr * v (optim.SGD's, PyTorch's).

A mismatch is reported as observed: the parameters, the velocity the
learner's step implies (its move over -lr) and the formula's. A cause is
named only when a repair proves it: an edit of `step`, or the gradients
fed negated or divided by 1 - mu."""

from __future__ import annotations

from typing import Callable

from ...engine import Value
from ...optim import SGD
from ..runner import Check, Failed
from .graphs import close, listed
from .repairs import Around, verdict, with_function

GRADS = [[1.0, -2.0], [1.0, -2.0], [-0.5, 0.5]]  # three steps' gradients, two parameters
# Two settings: with one, 1 - mu could stand in for lr (0.1 and 0.9) unseen.
SETTINGS = [(0.1, 0.9), (0.03, 0.5)]  # (lr, mu)


def _steps(module) -> str:
    """"" when three steps match the formula, in each setting; else what was
    observed: the parameters, and the velocity each step implies (its move
    over -lr) beside the formula's."""
    for lr, mu in SETTINGS:
        mine, ref = [Value(1.0), Value(-1.0)], [Value(1.0), Value(-1.0)]
        opt = module.Momentum(mine, lr=lr, mu=mu)
        ref_opt = SGD(ref, lr=lr, momentum=mu)
        for step, grads in enumerate(GRADS, 1):
            before = [p.data for p in mine]
            for p, q, g in zip(mine, ref, grads):
                p.grad = q.grad = g
            opt.step()
            ref_opt.step()
            got, want = [p.data for p in mine], [q.data for q in ref]
            if all(close(a, b) for a, b in zip(got, want)):
                continue
            implied = [(b - a) / lr for a, b in zip(got, before)]
            velocity = [(b - a) / lr for a, b in zip(want, before)]
            same = ", the gradient itself" if all(close(v, g) for v, g in zip(implied, grads)) else ""
            return (f"Momentum(lr={lr:g}, mu={mu:g}): after step {step} (gradients {listed(grads)}) "
                    f"the parameters are {listed(got)}, expected {listed(want)}: your step moved them "
                    f"by -lr * {listed(implied)}{same}; the formula's velocity is {listed(velocity)} "
                    "(v = mu * v + g from v = 0)")
    return ""


def _fed(says: str, change: str, scale: Callable[[float], float]) -> Around:
    """The learner's Momentum given each gradient times scale(mu)."""
    def make(module):
        class Fed(module.Momentum):
            def __init__(self, params, lr=0.1, mu=0.9):
                self._fed = (list(params), scale(mu))  # the checker's, beside the learner's fields
                super().__init__(self._fed[0], lr=lr, mu=mu)

            def step(self):
                params, factor = self._fed
                for p in params:
                    p.grad *= factor
                super().step()
        return with_function(module, Momentum=Fed)
    return Around(says, change, make)


def check_steps(module) -> str:
    if not callable(getattr(module, "Momentum", None)):
        raise Failed("there is no class Momentum in the file: write it")
    verdict(module, "Momentum.step", _steps, around=[
        _fed("a sign error, in v = mu * v + g or in p.data -= lr * v", "each gradient negated",
             lambda mu: -1.0),
        _fed("your steps are 1 - mu times the formula's: the velocity adds (1 - mu) * g (an "
             "average, as Adam's first moment does), or the step is scaled by 1 - mu; PyTorch's "
             "form, asked for here, adds g itself", "each gradient divided by 1 - mu",
             lambda mu: 1 / (1 - mu))])
    return "three steps match v = mu * v + g, p -= lr * v"


CHECKS = [Check("three steps", check_steps)]
