"""Divergence: a check that stops `fit` when the loss blows up.

`fit` itself stops at a loss or a parameter that is NaN or infinite
(`TrainingDiverged`). A loss can blow up a long way short of that: 1e213
is a finite float, and a run that sits there for 300 epochs has learned
nothing. `DivergenceCheck` is a callback for `fit` that stops it, at the
end of an epoch, on any of three signs:

- the epoch's loss is NaN or infinite;
- it is more than `factor` times the loss before training (10**6 by
  default), so the steps overshoot instead of descending;
- after the last epoch it is still above the loss before training.

An epoch's loss is the mean of the losses its steps started from, so the
last update is not in it: one step can take a run from 0.3 to 10**6 and
the last epoch's mean not show it. Given `final`, a function that gives
the loss as the model now is, the check reads it after the last epoch and
applies the same three tests to the loss after the last update as well.

It raises `DivergenceError`, a `TrainingDiverged` (so one `except` catches
both), which says what happened at which epoch and suggests a learning
rate a tenth of the one that failed. A tenth is a guess: `rate_that_holds`
tries a tenth, a hundredth, ... on the run itself (a fresh start of the
same training) and returns the first that does not diverge, so that the
rate the command line suggests is one that was seen to hold:

    start = starting_loss(model, X, y, "mse")
    check = DivergenceCheck(start, epochs=100, lr=0.1)
    fit(model, X, y, "mse", epochs=100, lr=0.1, callback=check)

The reference is the loss *before* the first step, not the first epoch's:
with minibatches a loss can explode within the first epoch (blobs with
mse at lr 0.1 averages 1.6e213 over it), which a comparison with that
epoch would never see.

Source: the usual learning-rate advice, e.g. Goodfellow, Bengio and
Courville, *Deep Learning*, ch. 8.3.1 and 11.4.1 (a learning rate too
large makes the training error rise; try a smaller one, by factors of 10).
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

from .optim import TrainingDiverged, _loss_function

__all__ = ["DivergenceCheck", "DivergenceError", "starting_loss", "rate_that_holds",
           "DEFAULT_FACTOR"]

DEFAULT_FACTOR = 1e6


class DivergenceError(TrainingDiverged):
    """The loss grew past `factor` times its starting value, became NaN or
    infinite, or ended the run above where it started.

    `epoch` is where it was seen, `loss` the epoch's loss, `start` the loss
    before training, `lr` the learning rate the check was told (or None);
    `step` is None (the check sees epochs, not steps).
    """

    def __init__(self, message: str, *, epoch: int, loss: float, start: float | None,
                 lr: float | None):
        super().__init__(message, epoch=epoch, step=None, lr=lr)
        self.loss = loss
        self.start = start


def starting_loss(model: Callable, X: Sequence, y: Sequence, loss: Callable | str) -> float:
    """The loss of the untrained model over all of (X, y): the number
    `DivergenceCheck` measures growth against. `loss` is a batch loss from
    `losses`, or its name in `LOSSES`."""
    loss_fn = _loss_function(loss, "starting_loss")
    try:
        return loss_fn([model(x) for x in X], list(y)).data
    except OverflowError:  # the untrained outputs are already too large
        return math.inf


class DivergenceCheck:
    """A `fit` callback, `check(epoch, loss)`, that raises DivergenceError
    when training diverges (see the module docstring).

    - start: the loss before training (`starting_loss`); None takes the
      first epoch's loss instead, which misses a loss that explodes within
      the first epoch.
    - factor: how many times the starting loss counts as diverged; 0 turns
      the growth check and the end-of-run check off (NaN and infinity still
      stop training).
    - epochs: the run's length, for the end-of-run check (None skips it).
    - lr: the learning rate, only for the advice in the message.
    - then: another callback(epoch, loss) to call first, e.g. one that
      prints progress, since fit takes one callback.
    - final: a function giving the loss of the model as it is now, over
      all the data (`lambda: starting_loss(model, X, y, loss)`): after the
      last epoch it gives the loss after the last update, which is checked
      as the epoch's loss is (None: the last epoch's mean only).
    """

    def __init__(self, start: float | None = None, factor: float = DEFAULT_FACTOR, *,
                 epochs: int | None = None, lr: float | None = None,
                 then: Callable[[int, float], None] | None = None,
                 final: Callable[[], float] | None = None):
        if type(factor) is bool or not isinstance(factor, (int, float)) or not 0 <= factor < math.inf:
            raise ValueError(f"DivergenceCheck: factor must be a finite number >= 0 "
                             f"(0 turns the check off), got {factor!r}")
        if 0 < factor <= 1:
            raise ValueError(f"DivergenceCheck: factor must be above 1 (a loss this many times "
                             f"its start has diverged), got {factor!r}")
        self.start = start
        self.factor = float(factor)
        self.epochs = epochs
        self.lr = lr
        self.then = then
        self.final = final

    def __call__(self, epoch: int, loss: float) -> None:
        if self.then is not None:
            self.then(epoch, loss)
        last = epoch == self.epochs
        self._check(epoch, loss, last=last)
        if last and self.final is not None:  # the loss after the last update, in no epoch's mean
            self._check(epoch, self.final(), last=True, after_update=True)

    def _check(self, epoch: int, loss: float, *, last: bool, after_update: bool = False) -> None:
        """The three tests, on an epoch's loss or (after_update) on the
        loss after the last update."""
        if not math.isfinite(loss):
            when = "after the last step" if after_update else f"at epoch {epoch}"
            self._stop(f"the loss became {'NaN' if math.isnan(loss) else 'infinite'} {when}",
                       epoch, loss)
        if self.start is None:
            self.start = loss  # no reference given: the first epoch's loss
        if not self.factor or not 0 < self.start < math.inf:
            return  # off, or nothing to measure growth against
        if loss > self.factor * self.start:
            when = "after the last step" if after_update else f"by epoch {epoch}"
            self._stop(f"the loss grew from {self.start:.4g} to {loss:.4g}, more than "
                       f"{self.factor:g} times its start, {when}", epoch, loss)
        if last and loss > self.start:
            self._stop(f"after {epoch} epochs the loss {loss:.4g} is still above its start "
                       f"{self.start:.4g}: training did not learn", epoch, loss)

    def _stop(self, what: str, epoch: int, loss: float):
        advice = "lower the learning rate"
        if self.lr is not None:
            advice += f" (try a tenth: {self.lr / 10:g})"
        raise DivergenceError(f"{what}; {advice}", epoch=epoch, loss=loss,
                              start=self.start, lr=self.lr)

    def __repr__(self) -> str:
        return (f"DivergenceCheck(start={self.start!r}, factor={self.factor!r}, "
                f"epochs={self.epochs!r}, lr={self.lr!r})")


def rate_that_holds(attempt: Callable[[float], None], lr: float, *, tries: int = 3) -> float | None:
    """The first of lr/10, lr/100, ... (`tries` rates) at which `attempt(rate)`,
    the same training started again at that rate, raises no TrainingDiverged
    (a DivergenceCheck in it included); None when each of them diverged."""
    rate = lr
    for _ in range(tries):
        rate /= 10  # the usual step down (Goodfellow et al. 11.4.1)
        try:
            attempt(rate)
        except TrainingDiverged:
            continue
        return rate
    return None

