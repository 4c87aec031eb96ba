"""Gradient descent: the SGD and Adam updates, a learning-rate schedule and `fit`.

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

Two refinements keep a running state per parameter. *Momentum* (Polyak
1964) moves along a velocity, a decaying sum of past gradients, so steps
along a consistent direction grow and zig-zags cancel (PyTorch's form):

    v' = mu * v + g                 theta' = theta - eps * v'

*Adam* (Kingma and Ba 2015) divides a running mean of the gradient by the
root of a running mean of its square, so every parameter gets a step of
about eps whatever the scale of its gradient; at step t = 1, 2, ...

    m' = b1 * m + (1 - b1) * g      v' = b2 * v + (1 - b2) * g**2
    m^ = m' / (1 - b1**t)           v^ = v' / (1 - b2**t)
    theta' = theta - eps * m^ / (sqrt(v^) + e)

(m and v start at 0, so without the bias correction m^, v^ the first
steps would be too small.)

`fit` puts it together: each epoch it splits the examples into batches
(in a seeded random order), and for each batch runs the forward pass,
the loss, the backward pass and one optimizer step (SGD unless told).

Sources: the talk (gradient descent, minibatch SGD, learning-rate decay);
Goodfellow, Bengio and Courville, *Deep Learning*, ch. 4.3, 8.3.1-8.3.2
and 8.5.3 (algorithms 8.1, 8.2, 8.7 and the linear decay above); Kingma
and Ba, "Adam: a method for stochastic optimization" (ICLR 2015); the
formulas of torch.optim.SGD and torch.optim.Adam; micrograd's demo
notebook (whose learning rate 1.0 - 0.9*k/100 is LinearDecay(1.0, 0.1, 100)).
"""

from __future__ import annotations

import math
import random
from typing import Callable, Iterator, Sequence

from .engine import Value, paused_gc
from .ops import data
from .losses import LOSSES, l2 as l2_penalty

__all__ = ["Optimizer", "SGD", "Adam", "LinearDecay", "fit", "batch_order", "TrainingDiverged"]


class TrainingDiverged(ValueError):
    """The loss (or a parameter) became NaN or infinite during `fit`.

    Usually the learning rate is too large: every step overshoots and the
    numbers grow until they overflow. `epoch`, `step` and `lr` say where
    (`lr` is None for an optimizer given to `fit` that has no `lr`).
    """

    def __init__(self, message: str, *, epoch: int, step: int, lr: float | None):
        super().__init__(message)
        self.epoch = epoch
        self.step = step
        self.lr = lr


class Optimizer:
    """What SGD and Adam share: the list of parameters, a learning rate
    `lr` that may change between steps (fit sets it from a schedule), and
    `zero_grad`. A subclass writes `step`, one update against the
    gradients of the last backward pass."""

    def __init__(self, params: Sequence[Value], lr: float):
        name = type(self).__name__
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: no parameters to optimize (empty list)")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Value")
        self.lr = _positive_number(lr, f"{name}: lr")

    def step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def zero_grad(self) -> None:
        """Reset every parameter's gradient, before the next backward pass
        (leaves accumulate gradients across backward calls)."""
        for p in self.params:
            p.grad = 0


class SGD(Optimizer):
    """Stochastic gradient descent: p.data -= lr * p.grad for every
    parameter. With momentum mu > 0 (PyTorch's formula) each parameter
    keeps a velocity v, v = mu * v + p.grad, and moves p.data -= lr * v.
    Change `lr` between steps to follow a schedule."""

    def __init__(self, params: Sequence[Value], lr: float, momentum: float = 0.0):
        super().__init__(params, lr)
        self.momentum = _fraction(momentum, "SGD: momentum")
        # one velocity per parameter, in the order of params (0 before the first step)
        self.velocities = [0.0] * len(self.params)

    def step(self) -> None:
        """One update against the gradients of the last backward pass."""
        lr, mu = self.lr, self.momentum
        if mu == 0.0:
            for p in self.params:
                p.data -= lr * data(p.grad)  # data(): the number (of a create_graph=True Value too)
            return
        v = self.velocities
        for i, p in enumerate(self.params):
            v[i] = mu * v[i] + data(p.grad)
            p.data -= lr * v[i]

    def __repr__(self) -> str:
        momentum = f", momentum={self.momentum!r}" if self.momentum else ""
        return f"SGD({len(self.params)} parameters, lr={self.lr!r}{momentum})"


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015), as torch.optim.Adam computes it by
    default: running means m of the gradient and v of its square, both
    bias-corrected, and p.data -= lr * m^ / (sqrt(v^) + eps). Change `lr`
    between steps to follow a schedule, as for SGD."""

    def __init__(
        self,
        params: Sequence[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_fraction(betas[0], "Adam: beta1"), _fraction(betas[1], "Adam: beta2"))
        if type(eps) is bool or not isinstance(eps, (int, float)) or not 0 <= eps < math.inf:
            raise ValueError(f"Adam: eps must be a finite number >= 0, got {eps!r}")
        self.eps = float(eps)
        self.t = 0  # steps taken: the exponent of the bias correction
        # the running means, one per parameter in the order of params
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        """One update against the gradients of the last backward pass."""
        self.t += 1
        lr, eps = self.lr, self.eps
        b1, b2 = self.betas
        correction1 = 1 - b1**self.t
        correction2 = 1 - b2**self.t
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = data(p.grad)
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = m[i] / correction1
            v_hat = v[i] / correction2
            p.data -= lr * m_hat / (math.sqrt(v_hat) + eps)

    def __repr__(self) -> str:
        return (f"Adam({len(self.params)} parameters, lr={self.lr!r}, "
                f"betas={self.betas!r}, eps={self.eps!r})")


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
    lr: float | None = None,
    momentum: float = 0.0,
    optimizer: Optimizer | None = None,
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
    - lr, momentum: the default optimizer is SGD(model.parameters(), lr,
      momentum), lr 0.1 unless given.
    - optimizer: any object with step() and zero_grad() methods, such as
      Adam(model.parameters(), lr=0.01), to use instead; lr and momentum
      are then its business and may not be given to fit as well.
    - batch_size: None (or >= len(X)) is full-batch gradient descent, the
      examples in their given order; otherwise minibatch SGD: each epoch
      shuffles the examples with `random.Random(seed)` and cuts them into
      batches of batch_size (the last may be smaller).
    - schedule: a function of the step count k (0 for the first step) that
      gives each step's learning rate, e.g. LinearDecay; it overrides lr
      (fit sets `optimizer.lr` before each step, for SGD, Adam or any
      optimizer with an `lr`).
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
    if schedule is not None and not callable(schedule):
        raise TypeError(f"fit: schedule must be a function of the step k, got {schedule!r}")
    if type(l2) is bool or not isinstance(l2, (int, float)) or not 0 <= l2 < math.inf:
        raise ValueError(f"fit: l2 must be a finite number >= 0, got {l2!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"fit: callback must be a function (epoch, loss), got {callback!r}")

    params = list(model.parameters())
    if optimizer is None:
        if schedule is not None:  # it overrides lr; its first rate is checked before any work
            lr = _positive_number(schedule(0), "fit: schedule(0)")
        else:
            lr = _positive_number(0.1 if lr is None else lr, "fit: lr")
        optimizer = SGD(params, lr, _fraction(momentum, "fit: momentum"))
    else:
        _check_optimizer(optimizer, params, lr=lr, momentum=momentum, schedule=schedule)

    n = len(X)
    history: list[float] = []
    k = 0  # steps taken so far: the schedule's index

    with paused_gc():  # our graphs have no cycles: the collector only slows us
        for epoch, batches in zip(range(1, epochs + 1), batch_order(n, batch_size, seed)):
            epoch_total = 0.0
            for batch in batches:
                if schedule is not None:
                    optimizer.lr = _positive_number(schedule(k), f"fit: schedule({k})")
                lr_k = getattr(optimizer, "lr", None)  # for the messages
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


def batch_order(n: int, batch_size: int | None = None, seed: int = 0) -> Iterator[list[list[int]]]:
    """The batches of each epoch, as `fit` takes them: yields, epoch after
    epoch, a list of batches of the example numbers 0 .. n-1.

    batch_size None (or >= n) is one batch of all the examples in their
    given order, every epoch. Otherwise each epoch shuffles the numbers
    with one `random.Random(seed)` and cuts them into batches of batch_size
    (the last may be smaller), so the same seed gives the same batches;
    torch_bridge.fit_torch uses this to train a torch model on the same ones.
    """
    order = list(range(n))
    if batch_size is None or batch_size >= n:
        while True:
            yield [order]
    rng = random.Random(seed)
    while True:
        rng.shuffle(order)
        yield [order[i : i + batch_size] for i in range(0, n, batch_size)]


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


def _check_optimizer(optimizer, params: list[Value], *, lr, momentum, schedule) -> None:
    """Refuse an optimizer fit cannot drive, or one given with settings
    that only the default SGD would use."""
    name = type(optimizer).__name__
    if not (callable(getattr(optimizer, "step", None))
            and callable(getattr(optimizer, "zero_grad", None))):
        raise TypeError(
            f"fit: optimizer must have step() and zero_grad() methods, got {optimizer!r}"
        )
    if lr is not None:
        raise ValueError(
            f"fit: lr={lr!r} and optimizer={name} both set the learning rate; "
            f"give lr to the optimizer ({name}(model.parameters(), lr={lr!r}))"
        )
    if momentum != 0:
        raise ValueError(
            f"fit: momentum={momentum!r} is for the default SGD; with optimizer={name}, "
            f"give it to the optimizer (SGD(model.parameters(), lr, momentum={momentum!r}))"
        )
    if schedule is not None and not hasattr(optimizer, "lr"):
        raise TypeError(f"fit: a schedule sets optimizer.lr before each step, and {name} has no lr")
    # An optimizer built for another model would train nothing of this one.
    ours = {id(p) for p in params}
    for i, p in enumerate(getattr(optimizer, "params", ())):
        if id(p) not in ours:
            raise ValueError(
                f"fit: the optimizer's parameter {i} is not one of the model's "
                f"(was the optimizer built for another model?)"
            )


def _diverged(what: str, epoch: int, step: int, lr: float | None, *,
              updated: bool) -> TrainingDiverged:
    if updated:
        advice = "lower the learning rate"
    else:  # no update has been made yet: the starting point is at fault
        advice = "no step was taken yet: check the data and the model's initial outputs"
    where = f"epoch {epoch}, step {step}" + (f" (lr={lr!r})" if lr is not None else "")
    message = f"{what} at {where}: {advice}"
    return TrainingDiverged(message, epoch=epoch, step=step, lr=lr)


def _kind(x: float) -> str:
    return "NaN" if math.isnan(x) else "infinite"


def _loss_function(loss, who: str = "fit") -> Callable:
    """A loss given as a function or by its name in LOSSES, as a function;
    `who` (the function called) starts the message for anything else."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"{who}: unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
        return LOSSES[loss]
    if not callable(loss):
        raise TypeError(f"{who}: loss must be a function (scores, targets) or a name, got {loss!r}")
    return loss


def _fraction(x, what: str) -> float:
    """A decay factor: a number in [0, 1) (1 or more would never forget)."""
    if type(x) is bool or not isinstance(x, (int, float)):
        raise TypeError(f"{what} must be a number, got {type(x).__name__}: {x!r}")
    if not 0 <= x < 1:  # also refuses NaN
        raise ValueError(f"{what} must be in [0, 1), got {x!r}")
    return float(x)


def _positive_number(x, what: str) -> float:
    if type(x) is bool or not isinstance(x, (int, float)):
        raise TypeError(f"{what} must be a number, got {type(x).__name__}: {x!r}")
    if not 0 < x < math.inf:  # also refuses NaN
        raise ValueError(f"{what} must be a finite number > 0, got {x!r}")
    return float(x)
