"""Exercise 10 (optional): momentum, step by step against its formula,
v <- mu * v + g, theta <- theta - lr * v (optim.SGD's, PyTorch's).

A mismatch is reported as observed: the parameters, the velocity the
learner's step implies (its move over -lr) and the formula's. A cause is
named only when a repair proves it: an edit of `step`, or the gradients
fed negated or divided by 1 - mu."""

from __future__ import annotations

from ...engine import Value
from ...optim import SGD
from ..runner import Check, Failed
from .graphs import close, listed
from .repairs import Around, verdict, with_function

GRADS = [[1.0, -2.0], [1.0, -2.0], [-0.5, 0.5]]  # three steps' gradients, two parameters
LR, MU = 0.1, 0.9


def _steps(module) -> str:
    """"" when three steps match the formula; else what was observed: the
    parameters, and the velocity each step implies (its move / -lr)."""
    mine, ref = [Value(1.0), Value(-1.0)], [Value(1.0), Value(-1.0)]
    opt = module.Momentum(mine, lr=LR, mu=MU)
    ref_opt = SGD(ref, lr=LR, momentum=MU)
    for step, grads in enumerate(GRADS, 1):
        before = [p.data for p in mine]
        for p, q, g in zip(mine, ref, grads):
            p.grad = q.grad = g
        opt.step()
        ref_opt.step()
        got, want = [p.data for p in mine], [q.data for q in ref]
        if all(close(a, b) for a, b in zip(got, want)):
            continue
        implied = [(b - a) / LR for a, b in zip(got, before)]
        velocity = [(b - a) / LR for a, b in zip(want, before)]
        same = ", the gradient itself" if all(close(v, g) for v, g in zip(implied, grads)) else ""
        return (f"after step {step} (gradients {listed(grads)}) the parameters are {listed(got)}, "
                f"expected {listed(want)}: your step moved them by -lr * {listed(implied)}{same}; the "
                f"formula's velocity is {listed(velocity)} (v = mu * v + g from v = 0, "
                f"mu = {MU}, lr = {LR})")
    return ""


def _fed(says: str, change: str, scale: float) -> Around:
    """The learner's Momentum given each gradient times `scale`."""
    def make(module):
        class Fed(module.Momentum):
            def step(self):
                params = [p for p in getattr(self, "params", [])]
                for p in params:
                    p.grad *= scale
                super().step()
        return with_function(module, Momentum=Fed)
    return Around(says, change, make)


def check_steps(module) -> str:
    if not callable(getattr(module, "Momentum", None)):
        raise Failed("there is no class Momentum in the file: write it")
    verdict(module, "Momentum.step", _steps, around=[
        _fed("a sign error, in v = mu * v + g or in p.data -= lr * v", "each gradient negated", -1.0),
        _fed("your steps are 1 - mu times the formula's: the velocity adds (1 - mu) * g (an "
             "average, as Adam's first moment does), or the step is scaled by 1 - mu; PyTorch's "
             "form, asked for here, adds g itself", "each gradient divided by 1 - mu", 1 / (1 - MU))])
    return "three steps match v = mu * v + g, p -= lr * v"


CHECKS = [Check("three steps", check_steps)]
