"""Exercise 9: the learning-rate schedule against its formula, the
batches (every example once an epoch), the learner's `train` followed
step by step (each step theta - eps_k * gradient, the rate decaying, the
epoch losses it returns), then on XOR and two moons, to a stated
accuracy, within the exercise's time limit.

A step that differs is reported as observed (the move, the expected
move, the rate it implies, the k that train passed to learning_rate); a
cause is named only when a repair proves it (`repairs.py`)."""

from __future__ import annotations

import math
import random

from ...data import moons, xor
from ...losses import mse
from ...nn import MLP
from ...optim import LinearDecay
from ..runner import Check, Failed, need
from .graphs import listed
from .repairs import Around, verdict, with_function

# What the learner's train must reach (stated in the template), and the
# runs that show it: small enough to take a few seconds in pure Python.
XOR_RUN = dict(hidden=[8, 1], seed=0, epochs=100, batch_size=4, lr0=0.1, lr_end=0.05)
MOONS_RUN = dict(hidden=[8, 8, 1], seed=1, epochs=20, batch_size=10, lr0=0.1, lr_end=0.01)
MOONS_ACCURACY = 0.95


def _rate_facts(module) -> str:
    """"" when learning_rate follows the package's schedule; else what was
    observed. Two schedules, so that no number of one stands in for another
    by chance (tau * lr_end**2 is lr_end when tau = 100 and lr_end = 0.01)."""
    for lr0, lr_end, tau in [(0.1, 0.01, 100), (0.5, 0.2, 8)]:
        schedule = LinearDecay(lr0, lr_end, tau)  # the package's, the formula of optim.py
        for k in sorted({0, tau // 4, tau // 2, tau, tau + 1, 5 * tau}):
            got, want = float(module.learning_rate(k, lr0, lr_end, tau)), schedule(k)
            if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
                rule = ("after tau steps the rate stays at lr_end (the decay stops)" if k > tau else
                        "step 0 uses lr0 itself" if k == 0 else
                        "eps_k = (1 - k/tau) * lr0 + (k/tau) * lr_end, a straight line")
                return (f"learning_rate({k}, lr0={lr0:g}, lr_end={lr_end:g}, tau={tau}) is {got:g}, "
                        f"expected {want:g}: {rule}")
    return ""


def check_learning_rate(module) -> str:
    need(module, "learning_rate")
    verdict(module, "learning_rate", _rate_facts)
    return "lr0 at step 0, a straight line down to lr_end at tau, then lr_end"


def _batches_facts(module) -> str:
    """"" when batches cuts a shuffled epoch, the same for the same rng seed;
    else what was observed."""
    n, size = 23, 5
    epoch = module.batches(n, size, random.Random(0))
    flat = [i for batch in epoch for i in batch]
    sizes = [len(batch) for batch in epoch]
    if sorted(flat) != list(range(n)):
        missing = sorted(set(range(n)) - set(flat))
        twice = sorted({i for i in flat if flat.count(i) > 1})
        what = (f"leaves out {missing}" if missing else "") + ("; " if missing and twice else "") + \
               (f"has {twice} more than once" if twice else "")
        return (f"batches(23, 5, rng) {what}: every example must be in exactly one batch an epoch "
                "(shuffle the indices, then cut them)")
    if sizes != [5, 5, 5, 5, 3]:
        return f"batches(23, 5, rng) made batches of {sizes}, expected [5, 5, 5, 5, 3]"
    if flat == list(range(n)):
        return ("batches(23, 5, rng) kept the examples in order: shuffle them with rng, so that "
                "each batch is a random sample")
    if module.batches(n, size, random.Random(0)) != epoch:
        return "batches gave another order when called again with an rng of the same seed"
    return ""


def check_batches(module) -> str:
    need(module, "batches")
    verdict(module, "batches", _batches_facts)
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


# A run the checker can follow step by step: eight copies of one point, so
# that every batch, however shuffled, has the same gradient, which is the
# checker's to compute; two steps an epoch, so that tau counts steps.
STEPS_RUN = dict(hidden=[4, 1], seed=2, epochs=3, batch_size=4, lr0=0.1, lr_end=0.02)
STEPS_DATA = ([[0.5, -1.0]] * 8, [1.0] * 8)


class _Watched:
    """The package's MLP, watched: the parameters at each forward pass, so
    that each step train took can be read back. With `zero`, the grads are
    set to 0 when a new step begins (a repair)."""

    def __init__(self, model, zero: bool = False):
        self.model, self.zero, self.seen, self.fed = model, zero, [], []

    def parameters(self):
        return self.model.parameters()

    def __call__(self, x):
        self.fed.append(tuple(float(v) for v in x))
        now = [p.data for p in self.model.parameters()]
        if not self.seen or now != self.seen[-1]:
            self.seen.append(now)
            if self.zero:
                for p in self.model.parameters():
                    p.grad = 0.0
        return self.model(x)


def _gradient(run: dict, theta: list, X, Y) -> tuple[float, list]:
    """The mse of the package's MLP at parameters theta, and its gradient."""
    model = MLP(len(X[0]), run["hidden"], seed=run["seed"])
    for p, v in zip(model.parameters(), theta):
        p.data = v
    loss = mse([model(x) for x in X], Y)
    loss.backward()
    return loss.data, [p.grad for p in model.parameters()]


def _steps_facts(module) -> str:
    """"" when each step of train is theta - eps_k * gradient and the epoch
    losses it returns are its epochs' (the mean over the epoch's batches,
    or the loss after the epoch); else what was observed."""
    run = STEPS_RUN
    X, Y = [list(x) for x in STEPS_DATA[0]], list(STEPS_DATA[1])  # copies: theirs to change
    model = _Watched(MLP(2, run["hidden"], seed=run["seed"]))
    calls = []
    rate = module.__dict__.get("learning_rate")
    if callable(rate):  # watch train's calls of learning_rate: the k it passes
        module.__dict__["learning_rate"] = lambda k, *rest, **named: calls.append(k) or rate(k, *rest, **named)
    try:
        history = module.train(model, X, Y, epochs=run["epochs"], batch_size=run["batch_size"],
                               lr0=run["lr0"], lr_end=run["lr_end"], seed=0)
    finally:
        if callable(rate):
            module.__dict__["learning_rate"] = rate
    thetas = model.seen + [[p.data for p in model.parameters()]]
    per_epoch = -(-len(X) // run["batch_size"])
    tau = run["epochs"] * per_epoch
    schedule = LinearDecay(run["lr0"], run["lr_end"], tau)
    about = (f"train(epochs={run['epochs']}, batch_size={run['batch_size']}) on {len(X)} copies of one "
             f"point (every batch has the same gradient), {per_epoch} steps an epoch, lr {run['lr0']} to "
             f"{run['lr_end']} over tau = {tau} steps")
    losses = []
    for k in range(tau):
        if k + 1 >= len(thetas):
            return f"{about}: the parameters changed {len(thetas) - 1} times, expected once a step ({tau})"
        loss, g = _gradient(run, thetas[k], X, Y)
        losses.append(loss)
        moved = [b - a for a, b in zip(thetas[k], thetas[k + 1])]
        if all(math.isclose(m, -schedule(k) * gi, rel_tol=1e-6, abs_tol=1e-12) for m, gi in zip(moved, g)):
            continue
        shown = sorted(range(len(g)), key=lambda i: -abs(g[i]))[:3]  # the parameters that move most
        return (f"{about}: step {k} moved parameters {shown} by {listed(moved[i] for i in shown)}, "
                f"expected -eps_{k} * gradient = {listed(-schedule(k) * g[i] for i in shown)}"
                + _rate_seen(moved, g, schedule, k, tau, calls[:tau + 2]))
    epochs = [sum(losses[e * per_epoch:(e + 1) * per_epoch]) / per_epoch for e in range(run["epochs"])]
    after = [_gradient(run, thetas[(e + 1) * per_epoch], X, Y)[0] for e in range(run["epochs"])]
    if not isinstance(history, (list, tuple)) or len(history) != run["epochs"]:
        return f"{about}: train returned {history!r}"[:200] + f", expected the {run['epochs']} epochs' mean losses"
    if not any(all(math.isclose(float(h), l, rel_tol=1e-6, abs_tol=1e-12) for h, l in zip(history, want))
               for want in (epochs, after)):
        return (f"{about}: train returned the epoch losses {listed(history)}, but the mean losses of its "
                f"epochs' batches were {listed(epochs)} (and the losses after each epoch {listed(after)})")
    return ""


def _rate_seen(moved: list, g: list, schedule: LinearDecay, k: int, tau: int, calls: list) -> str:
    """A step along -g: the rate it used beside eps_k, what that rate is
    (a multiple of eps_k, or eps_k of a schedule with another tau), and the
    k that train passed to learning_rate: all of it watched, none guessed."""
    norm = sum(gi * gi for gi in g)
    c = -sum(m * gi for m, gi in zip(moved, g)) / norm if norm else 0.0
    if not norm or not all(math.isclose(m, -c * gi, rel_tol=1e-6, abs_tol=1e-12) for m, gi in zip(moved, g)):
        return ""
    eps = schedule(k)
    said = f": a step against the gradient at a rate of {c:.4g}, where eps_{k} is {eps:.4g}"
    ratio = c / eps
    lr0, lr_end = STEPS_RUN["lr0"], STEPS_RUN["lr_end"]
    other_tau = k * (lr_end - lr0) / (c - lr0) if k and c != lr0 else 0.0
    if math.isclose(ratio, round(ratio), rel_tol=1e-6) and round(ratio) == STEPS_RUN["batch_size"]:
        said += f", {round(ratio)} times it, as many as the examples in a batch (is the loss the batch's mean?)"
    elif other_tau >= 1 and math.isclose(other_tau, round(other_tau), rel_tol=1e-6) and round(other_tau) != tau:
        said += (f", which is eps_{k} of a schedule with tau = {round(other_tau)}; here tau is the "
                 f"number of steps of the whole run, {tau}")
    if not calls:
        return said + "; train never called learning_rate"
    return said + f"; train called learning_rate with k = {', '.join(map(str, calls))}"


def _zeroed_steps(module):
    """The learner's train, each step's grads set to 0 by the watched model."""
    def train(model, *args, **named):
        model.zero = True
        return module.train(model, *args, **named)
    return with_function(module, train=train)


def check_steps(module) -> str:
    need(module, "train")
    verdict(module, "train", _steps_facts, also=[_seed_facts], around=[Around(
        "the gradients are not 0 when backward() runs, so each step adds the last one's gradient",
        "every parameter's grad set to 0 as each step begins", _zeroed_steps)])
    return (f"each step is theta - eps_k * gradient, the rate falling from {STEPS_RUN['lr0']} to "
            f"{STEPS_RUN['lr_end']} over every step of the run; the epoch losses are its epochs'")


SEED_RUN = dict(hidden=[4, 1], seed=2, epochs=4, batch_size=2, lr0=0.1, lr_end=0.05)


def _seeded_run(module, seed: int) -> tuple[list, list]:
    """A short minibatch run on XOR: (the points fed, in order; the parameters at the end)."""
    run = SEED_RUN
    X, labels = xor()
    Y = [1.0 if t else -1.0 for t in labels]
    model = _Watched(MLP(2, run["hidden"], seed=run["seed"]))
    module.train(model, X, Y, epochs=run["epochs"], batch_size=run["batch_size"], lr0=run["lr0"],
                 lr_end=run["lr_end"], seed=seed)
    return model.fed, [p.data for p in model.parameters()]


def _seed_facts(module) -> str:
    """"" when the run depends on its seed alone and each epoch has an order
    of its own; else what was observed."""
    about = (f"train(epochs={SEED_RUN['epochs']}, batch_size={SEED_RUN['batch_size']}) on XOR")
    fed, end = _seeded_run(module, 0)
    again, end_again = _seeded_run(module, 0)
    if fed != again or end != end_again:
        return (f"{about}, run twice with seed = 0, fed the points in different orders or ended at "
                "different parameters: the run must depend on its seed alone (an rng made from "
                "seed, before the first epoch, and the batches drawn from it)")
    n = len(xor()[0])
    epochs = [fed[i:i + n] for i in range(0, len(fed), n)]
    if len(fed) == n * SEED_RUN["epochs"] and all(e == epochs[0] for e in epochs):
        return (f"{about}: every epoch fed the 4 points in the same order, {list(epochs[0])}: each "
                "epoch's batches must come from the same rng, drawn on (is the rng made again "
                "each epoch?)")
    if _seeded_run(module, 1)[0] == fed:
        return (f"{about} fed the points in the same order with seed = 0 and seed = 1: the seed "
                "given to train does not change its batches (is the rng made from seed, before the "
                "first epoch?)")
    return ""


def check_seed(module) -> str:
    verdict(module, "train", _seed_facts, also=[_steps_facts])
    return "the same seed gives the same run, another seed another order, each epoch its own"


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
    Check("train, step by step", check_steps, needs_earlier=True),
    Check("train, seeded", check_seed, needs_earlier=True),
    Check("train on XOR", check_xor, needs_earlier=True),
    Check(f"train on two moons (at least {MOONS_ACCURACY:.0%})", check_moons, needs_earlier=True),
]
