"""Gradient descent: the SGD update, a learning-rate schedule and `fit`.

Gradient descent (Cauchy 1847) moves every parameter a small step against
its gradient, theta' = theta - eps * dJ/dtheta, where eps is the learning
rate. With the full training set in every step this is *batch* gradient
descent, which costs O(|X|) per step. *Stochastic* (minibatch) gradient
descent estimates the same gradient from a small random batch B,

    g = 1/|B| * sum over x in B of dL(x, y; theta)/dtheta

so a step costs the same however large the data set is; the noise of the
estimate is why the learning rate is decayed as training goes on:

    eps_k = (1 - k/tau) * eps_0 + (k/tau) * eps_tau   for k <= tau,
    eps_k = eps_tau                                   after.

`fit` puts it together: each epoch it splits the examples into batches
(in a seeded random order), and for each batch runs the forward pass,
the loss, the backward pass and one SGD step.

Sources: the talk (gradient descent, minibatch SGD, learning-rate decay);
Goodfellow, Bengio and Courville, *Deep Learning*, ch. 4.3 and 8.3.1
(algorithm 8.1 and the linear decay above); micrograd's demo notebook
(whose learning rate 1.0 - 0.9*k/100 is LinearDecay(1.0, 0.1, 100)).
"""

from __future__ import annotations

import math
import random
from typing import Callable, Sequence

from .engine import Value, paused_gc
from .losses import LOSSES, l2 as l2_penalty

__all__ = ["SGD", "LinearDecay", "fit", "TrainingDiverged"]


class TrainingDiverged(ValueError):
    """The loss (or a parameter) became NaN or infinite during `fit`.

    Usually the learning rate is too large: every step overshoots and the
    numbers grow until they overflow. `epoch`, `step` and `lr` say where.
    """

    def __init__(self, message: str, *, epoch: int, step: int, lr: float):
        super().__init__(message)
        self.epoch = epoch
        self.step = step
        self.lr = lr


class SGD:
    """Plain stochastic gradient descent: p.data -= lr * p.grad for every
    parameter. Change `lr` between steps to follow a schedule."""

    def __init__(self, params: Sequence[Value], lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError("SGD: no parameters to optimize (empty list)")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"SGD: parameter {i} is a {type(p).__name__}, not a Value")
        self.lr = _positive_number(lr, "SGD: lr")

    def step(self) -> None:
        """One update against the gradients of the last backward pass."""
        lr = self.lr
        for p in self.params:
            p.data -= lr * p.grad

    def zero_grad(self) -> None:
        """Reset every parameter's gradient, before the next backward pass
        (leaves accumulate gradients across backward calls)."""
        for p in self.params:
            p.grad = 0.0

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self.lr!r})"


class LinearDecay:
    """The learning rate of step k: from lr0 at k = 0 straight down to
    lr_tau at k = tau, then constant. Goodfellow et al. suggest lr_tau
    about 1% of lr0 and tau a few hundred passes over the data."""

    def __init__(self, lr0: float, lr_tau: float, tau: int):
        self.lr0 = _positive_number(lr0, "LinearDecay: lr0")
        self.lr_tau = _positive_number(lr_tau, "LinearDecay: lr_tau")
        if type(tau) is not int or tau < 1:
            raise ValueError(f"LinearDecay: tau must be a positive int (a step count), got {tau!r}")
        self.tau = tau

    def __call__(self, k: int) -> float:
        """eps_k = (1 - k/tau) eps_0 + (k/tau) eps_tau, or eps_tau after tau."""
        if type(k) is not int or k < 0:
            raise ValueError(f"LinearDecay: the step k must be an int >= 0, got {k!r}")
        if k >= self.tau:
            return self.lr_tau
        a = k / self.tau
        return (1 - a) * self.lr0 + a * self.lr_tau

    def __repr__(self) -> str:
        return f"LinearDecay(lr0={self.lr0!r}, lr_tau={self.lr_tau!r}, tau={self.tau!r})"


def fit(
    model: Callable,
    X: Sequence,
    y: Sequence,
    loss: Callable | str,
    *,
    epochs: int,
    lr: float = 0.1,
    batch_size: int | None = None,
    schedule: Callable[[int], float] | None = None,
    l2: float = 0.0,
    seed: int = 0,
    callback: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Train `model` on (X, y) by gradient descent; return the loss of each epoch.

    - model: called on one example, `model(x)`, returning a Value (one
      score) or a list of Values (one logit per class, for cross_entropy);
      `model.parameters()` lists what to train.
    - loss: a batch loss `loss(scores, targets)` from `losses` (or its
      name in `LOSSES`), given the model's outputs for a batch and the
      matching entries of y.
    - batch_size: None (or >= len(X)) is full-batch gradient descent, the
      examples in their given order; otherwise minibatch SGD: each epoch
      shuffles the examples with `random.Random(seed)` and cuts them into
      batches of batch_size (the last may be smaller).
    - schedule: a function of the step count k (0 for the first step) that
      gives each step's learning rate, e.g. LinearDecay; it overrides lr.
    - l2: when > 0, l2 * sum(p**2) over the parameters is added to each
      batch's loss (weight decay).
    - callback(epoch, loss) is called after each epoch (epochs count from 1).

    The returned history holds one number per epoch: the mean, over the
    epoch's examples, of the batch losses the steps minimised (L2 included).
    Raises TrainingDiverged when the loss or a parameter becomes NaN or
    infinite, at the step where it happens.
    """
    if not callable(getattr(model, "parameters", None)):
        raise TypeError(
            f"fit: the model must have a parameters() method (an nn.Module), got {model!r}"
        )
    loss_fn = _loss_function(loss)
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise ValueError(f"fit: {len(X)} examples in X but {len(y)} targets in y")
    if not X:
        raise ValueError("fit: no training examples (X is empty)")
    if type(epochs) is not int or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    if batch_size is not None and (type(batch_size) is not int or batch_size < 1):
        raise ValueError(f"fit: batch_size must be a positive int or None, got {batch_size!r}")
    if schedule is None:
        _positive_number(lr, "fit: lr")
        schedule = _constant(lr)
    elif not callable(schedule):
        raise TypeError(f"fit: schedule must be a function of the step k, got {schedule!r}")
    if type(l2) is bool or not isinstance(l2, (int, float)) or not 0 <= l2 < math.inf:
        raise ValueError(f"fit: l2 must be a finite number >= 0, got {l2!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"fit: callback must be a function (epoch, loss), got {callback!r}")

    n = len(X)
    optimizer = SGD(model.parameters(), _positive_number(schedule(0), "fit: schedule(0)"))
    params = optimizer.params
    full_batch = batch_size is None or batch_size >= n
    order = list(range(n))
    rng = random.Random(seed)
    history: list[float] = []
    k = 0  # steps taken so far: the schedule's index

    with paused_gc():  # our graphs have no cycles: the collector only slows us
        for epoch in range(1, epochs + 1):
            if full_batch:
                batches = [order]
            else:
                rng.shuffle(order)
                batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
            epoch_total = 0.0
            for batch in batches:
                lr_k = optimizer.lr = _positive_number(schedule(k), f"fit: schedule({k})")
                step = k + 1  # steps are counted from 1 in messages
                try:
                    batch_loss = _batch_loss(model, X, y, batch, loss_fn)
                    if l2 > 0:
                        batch_loss = batch_loss + l2_penalty(params, l2)
                    if not math.isfinite(batch_loss.data):
                        what = f"loss became {_kind(batch_loss.data)}"
                        raise _diverged(what, epoch, step, lr_k, updated=step > 1)
                    optimizer.zero_grad()
                    batch_loss.backward()
                    optimizer.step()
                except OverflowError as error:  # exp or ** overflowed a float
                    what = f"loss became infinite ({error})"
                    raise _diverged(what, epoch, step, lr_k, updated=step > 1) from None
                # A finite loss can still give a step that overflows.
                if not all(math.isfinite(p.data) for p in params):
                    what = "a parameter became NaN or infinite"
                    raise _diverged(what, epoch, step, lr_k, updated=True)
                k = step
                epoch_total += batch_loss.data * len(batch)
            history.append(epoch_total / n)
            if callback is not None:
                callback(epoch, history[-1])
    return history


# ---- helpers ------------------------------------------------------------


def _batch_loss(model, X, y, batch: list[int], loss_fn) -> Value:
    """The loss of the model's outputs on the examples numbered in batch."""
    scores = [model(X[i]) for i in batch]
    out = loss_fn(scores, [y[i] for i in batch])
    if not isinstance(out, Value):
        raise TypeError(
            f"fit: the loss function must return a Value, got {type(out).__name__}: {out!r}"
        )
    return out


def _diverged(what: str, epoch: int, step: int, lr: float, *, updated: bool) -> TrainingDiverged:
    if updated:
        advice = "lower the learning rate"
    else:  # no update has been made yet: the starting point is at fault
        advice = "no step was taken yet: check the data and the model's initial outputs"
    message = f"{what} at epoch {epoch}, step {step} (lr={lr!r}): {advice}"
    return TrainingDiverged(message, epoch=epoch, step=step, lr=lr)


def _kind(x: float) -> str:
    return "NaN" if math.isnan(x) else "infinite"


def _constant(lr: float) -> Callable[[int], float]:
    return lambda k: lr


def _loss_function(loss) -> Callable:
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"fit: unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
        return LOSSES[loss]
    if not callable(loss):
        raise TypeError(f"fit: loss must be a function (scores, targets) or a name, got {loss!r}")
    return loss


def _positive_number(x, what: str) -> float:
    if type(x) is bool or not isinstance(x, (int, float)):
        raise TypeError(f"{what} must be a number, got {type(x).__name__}: {x!r}")
    if not 0 < x < math.inf:  # also refuses NaN
        raise ValueError(f"{what} must be a finite number > 0, got {x!r}")
    return float(x)
