"""Exercise 10 (optional): momentum, step by step against its formula,
v <- mu * v + g, theta <- theta - lr * v (optim.SGD's, PyTorch's)."""

from __future__ import annotations

from ...engine import Value
from ...optim import SGD
from ..runner import Check, Failed
from .graphs import close

GRADS = [[1.0, -2.0], [1.0, -2.0], [-0.5, 0.5]]  # three steps' gradients, two parameters


def check_steps(module) -> str:
    if not callable(getattr(module, "Momentum", None)):
        raise Failed("there is no class Momentum in the file: write it")
    mine, ref = [Value(1.0), Value(-1.0)], [Value(1.0), Value(-1.0)]
    opt = module.Momentum(mine, lr=0.1, mu=0.9)
    ref_opt = SGD(ref, lr=0.1, momentum=0.9)
    plain = [1.0, -1.0]  # plain SGD's path, to recognise a velocity that is not kept
    uphill, v = [1.0, -1.0], [0.0, 0.0]  # the formula's path with + for -
    for step, grads in enumerate(GRADS, 1):
        for p, q, g in zip(mine, ref, grads):
            p.grad = q.grad = g
        opt.step()
        ref_opt.step()
        plain = [x - 0.1 * g for x, g in zip(plain, grads)]
        v = [0.9 * vi + g for vi, g in zip(v, grads)]
        uphill = [x + 0.1 * vi for x, vi in zip(uphill, v)]
        got, want = [p.data for p in mine], [q.data for q in ref]
        if all(close(a, b) for a, b in zip(got, want)):
            continue
        case = f"after step {step} the parameters are {got}, expected {[round(w, 6) for w in want]}"
        if all(close(a, b) for a, b in zip(got, plain)):
            raise Failed(f"{case}: that is plain SGD; the velocity must be kept between steps "
                         "(self.v), not start from 0 at each")
        if all(close(a, b) for a, b in zip(got, uphill)):
            raise Failed(f"{case}: an update with + instead of -: p.data -= lr * v")
        raise Failed(f"{case}: v = mu * v + g, then p.data -= lr * v")
    return "three steps match v = mu * v + g, p -= lr * v"


CHECKS = [Check("three steps", check_steps)]
