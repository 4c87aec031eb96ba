"""Exercise 8: mse, zero_grad, sgd_step, and two training steps compared
with the package's (losses.mse, optim.SGD) parameter by parameter."""

from __future__ import annotations

from ...data import xor
from ...drawing.styles import fmt
from ...engine import Value
from ...losses import mse as package_mse
from ...nn import MLP
from ...optim import SGD
from ..runner import Check, Failed, need
from .graphs import close

X, LABELS = xor()
Y = [float(t) for t in LABELS]


def check_mse(module) -> str:
    need(module, "mse")
    preds = [Value(1.0), Value(-2.0), Value(0.5)]
    targets = [0.0, 1.0, 0.5]
    loss = module.mse(preds, targets)
    if not isinstance(loss, Value):
        raise Failed(f"mse returned {loss!r}, a {type(loss).__name__}: return a Value built from "
                     "the predictions, so that loss.backward() reaches them")
    want = package_mse(preds, targets).data
    if not close(loss.data, want):
        if close(loss.data, want * len(preds)):
            raise Failed(f"mse gave {fmt(loss.data)}, expected {fmt(want)}: a sum where the mean "
                         f"belongs; divide by the number of examples ({len(preds)})")
        raise Failed(f"mse of predictions [1, -2, 0.5] against [0, 1, 0.5] gave {fmt(loss.data)}, "
                     f"expected (1 + 9 + 0) / 3 = {fmt(want)}")
    loss.backward()
    grads = [p.grad for p in preds]
    want_grads = [2 * (p.data - t) / len(preds) for p, t in zip(preds, targets)]
    if not all(close(g, w) for g, w in zip(grads, want_grads)):
        raise Failed(f"after loss.backward() the predictions' grads are {grads}, expected "
                     f"2 (p - t) / n = {want_grads}")
    return f"{fmt(loss.data)} for [1, -2, 0.5] against [0, 1, 0.5], and its gradient 2 (p - t) / n"


def check_zero_grad_and_step(module) -> str:
    need(module, "zero_grad", "sgd_step")
    params = [Value(1.0), Value(-2.0)]
    params[0].grad, params[1].grad = 0.5, -1.0
    module.sgd_step(params, 0.1)
    got = [p.data for p in params]
    if close(got[0], 1.05) and close(got[1], -2.1):
        raise Failed(f"an update with + instead of -: from data [1, -2] with grads [0.5, -1] and "
                     f"lr 0.1 your step gave {got}, expected [0.95, -1.9]; stepping along the "
                     "gradient climbs the loss")
    if not (close(got[0], 0.95) and close(got[1], -1.9)):
        raise Failed(f"from data [1, -2] with grads [0.5, -1] and lr 0.1 your step gave {got}, "
                     "expected p.data - lr * p.grad = [0.95, -1.9]")
    module.zero_grad(params)
    if any(p.grad != 0 for p in params):
        raise Failed(f"after zero_grad the grads are {[p.grad for p in params]}, expected 0")
    return "p.data -= lr * p.grad, and zero_grad sets every grad to 0"


def _network() -> MLP:
    return MLP(2, [4, 1], seed=3)


def check_train_step(module) -> str:
    need(module, "train_step")
    mine, ref = _network(), _network()
    opt = SGD(ref.parameters(), lr=0.1)
    losses = []
    for step in (1, 2):
        loss = module.train_step(mine, X, Y, 0.1)
        opt.zero_grad()
        ref_loss = package_mse([ref(x) for x in X], Y)
        ref_loss.backward()
        opt.step()
        got = [p.data for p in mine.parameters()]
        want = [p.data for p in ref.parameters()]
        if all(close(g, w) for g, w in zip(got, want)):
            losses.append(float(loss))
            continue
        if step == 2:
            again = _network()  # what two steps without zero_grad give
            for _ in range(2):
                package_mse([again(x) for x in X], Y).backward()
                for p in again.parameters():
                    p.data -= 0.1 * p.grad
            if all(close(g, w) for g, w in zip(got, [p.data for p in again.parameters()])):
                raise Failed("you forgot zero_grad: the gradients doubled on the second step "
                             "(each backward() adds to the leaves' grads, so step 2 used step 1's "
                             "gradient plus its own); reset them before loss.backward()")
        worst = max(range(len(got)), key=lambda i: abs(got[i] - want[i]))
        raise Failed(f"after step {step} parameter {worst} is {fmt(got[worst])}, expected "
                     f"{fmt(want[worst])} (the package's SGD step on the mse of XOR, lr 0.1)")
    if not losses[1] < losses[0]:
        raise Failed(f"train_step returned losses {losses}: the loss before each step, falling")
    return (f"two steps on XOR give the package's parameters; the loss fell from "
            f"{losses[0]:.4f} to {losses[1]:.4f}")


CHECKS = [
    Check("mse", check_mse),
    Check("sgd_step and zero_grad", check_zero_grad_and_step),
    Check("two train_steps on XOR", check_train_step, needs_earlier=True),
]
