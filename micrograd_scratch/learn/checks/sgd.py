"""Exercise 9: the learning-rate schedule against its formula, the
batches (every example once an epoch), then the learner's `train` on XOR
and two moons, to a stated accuracy, within the exercise's time limit."""

from __future__ import annotations

import math
import random

from ...data import moons, xor
from ...nn import MLP
from ...optim import LinearDecay
from ..runner import Check, Failed, need

# What the learner's train must reach (stated in the template), and the
# runs that show it: small enough to take a few seconds in pure Python.
XOR_RUN = dict(hidden=[8, 1], seed=0, epochs=100, batch_size=4, lr0=0.1, lr_end=0.05)
MOONS_RUN = dict(hidden=[8, 8, 1], seed=1, epochs=20, batch_size=10, lr0=0.1, lr_end=0.01)
MOONS_ACCURACY = 0.95


def check_learning_rate(module) -> str:
    need(module, "learning_rate")
    lr0, lr_end, tau = 0.1, 0.01, 100
    schedule = LinearDecay(lr0, lr_end, tau)  # the package's, the formula of optim.py
    for k in (0, 25, 50, 100, 101, 500):
        got, want = float(module.learning_rate(k, lr0, lr_end, tau)), schedule(k)
        if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
            continue
        case = f"learning_rate({k}, lr0=0.1, lr_end=0.01, tau=100) is {got:g}, expected {want:g}"
        if k > tau:
            raise Failed(f"{case}: after tau steps the rate stays at lr_end (the decay stops)")
        if k == 0:
            raise Failed(f"{case}: step 0 uses lr0 itself")
        raise Failed(f"{case}: eps_k = (1 - k/tau) * lr0 + (k/tau) * lr_end, a straight line")
    return "lr0 at step 0, a straight line down to lr_end at tau, then lr_end"


def check_batches(module) -> str:
    need(module, "batches")
    n, size = 23, 5
    epoch = module.batches(n, size, random.Random(0))
    flat = [i for batch in epoch for i in batch]
    sizes = [len(batch) for batch in epoch]
    if sorted(flat) != list(range(n)):
        missing = sorted(set(range(n)) - set(flat))
        twice = sorted({i for i in flat if flat.count(i) > 1})
        what = (f"leaves out {missing}" if missing else "") + ("; " if missing and twice else "") + \
               (f"has {twice} more than once" if twice else "")
        raise Failed(f"batches(23, 5, rng) {what}: every example must be in exactly one batch "
                     "an epoch (shuffle the indices, then cut them)")
    if sizes != [5, 5, 5, 5, 3]:
        raise Failed(f"batches(23, 5, rng) made batches of {sizes}, expected [5, 5, 5, 5, 3]")
    if flat == list(range(n)):
        raise Failed("batches(23, 5, rng) kept the examples in order: shuffle them with rng, so "
                     "that each batch is a random sample")
    if module.batches(n, size, random.Random(0)) != epoch:
        raise Failed("batches gave another order with the same seed: shuffle with the rng you "
                     "are given, not the global random")
    return "every example once an epoch, in a shuffled order, batches of 5 and the last of 3"


def _accuracy(model, X, Y) -> float:
    return sum((model(x).data > 0) == (y > 0) for x, y in zip(X, Y)) / len(X)


def _train(module, X, labels, run: dict) -> tuple[float, list]:
    Y = [1.0 if t else -1.0 for t in labels]
    model = MLP(len(X[0]), run["hidden"], seed=run["seed"])
    history = module.train(model, X, Y, epochs=run["epochs"], batch_size=run["batch_size"],
                           lr0=run["lr0"], lr_end=run["lr_end"], seed=0)
    losses = [float(v) for v in history] if isinstance(history, (list, tuple)) else []
    if len(losses) != run["epochs"]:
        raise Failed(f"train returned {history!r}"[:120] + f": it must return the {run['epochs']} "
                     "epochs' mean losses")
    if not all(math.isfinite(v) for v in losses):
        raise Failed(f"the loss became {losses[-1]} during training: are the steps against the "
                     "gradient (-=), and is the rate from learning_rate?")
    return _accuracy(model, X, Y), losses


def _about(run: dict) -> str:
    sizes = "-".join(str(s) for s in run["hidden"])
    return (f"an MLP 2-{sizes}, {run['epochs']} epochs, batches of {run['batch_size']}, "
            f"lr {run['lr0']} to {run['lr_end']}")


def check_xor(module) -> str:
    need(module, "train")
    X, labels = xor()
    accuracy, losses = _train(module, X, labels, XOR_RUN)
    if accuracy < 1:
        raise Failed(f"{_about(XOR_RUN)}: {accuracy:.0%} of XOR right, expected all 4 (the loss "
                     f"went from {losses[0]:.3f} to {losses[-1]:.3f}); does each step zero the "
                     "grads, step against them and use the batch's mean loss?")
    return f"{_about(XOR_RUN)}: all 4 points right, the loss from {losses[0]:.3f} to {losses[-1]:.3f}"


def check_moons(module) -> str:
    X, labels = moons(100, seed=0)
    accuracy, losses = _train(module, X, labels, MOONS_RUN)
    if accuracy < MOONS_ACCURACY:
        raise Failed(f"{_about(MOONS_RUN)}: {accuracy:.0%} of two moons right, expected at least "
                     f"{MOONS_ACCURACY:.0%} (the loss went from {losses[0]:.3f} to {losses[-1]:.3f})")
    return (f"{_about(MOONS_RUN)}: {accuracy:.0%} of 100 points right (at least "
            f"{MOONS_ACCURACY:.0%} asked), the loss from {losses[0]:.3f} to {losses[-1]:.3f}")


CHECKS = [
    Check("learning_rate", check_learning_rate),
    Check("batches", check_batches),
    Check("train on XOR", check_xor, needs_earlier=True),
    Check(f"train on two moons (at least {MOONS_ACCURACY:.0%})", check_moons, needs_earlier=True),
]
