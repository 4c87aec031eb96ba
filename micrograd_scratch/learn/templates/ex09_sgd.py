"""Exercise 9: minibatch SGD with learning-rate decay.

A full pass over the data costs O(|X|) per step. Minibatch SGD estimates
the gradient from a small random batch B of examples instead,

    g = 1/|B| * sum over x in B of dL(x, y)/dtheta       theta <- theta - eps_k * g

and, because that estimate is noisy, lowers the learning rate as it goes
(Goodfellow, Bengio and Courville, ch. 8.3.1): over the first tau steps in
a straight line from lr0 to lr_end, and then holds it,

    eps_k = (1 - k/tau) * lr0 + (k/tau) * lr_end    for k <= tau
    eps_k = lr_end                                  for k > tau

Write `learning_rate`, `batches` and `train`. The checker first follows
one run of your `train` step by step (the whole data set as one batch):
each step must move the parameters by -eps_k times the gradient, with
the rate falling from lr0 to lr_end, and the losses it returns must be
its epochs' mean losses. The same seed must give the same run, another
seed another order, and each epoch an order of its own (one rng, made
from seed before the first epoch). Then it trains a small MLP of the
package with your `train` on XOR (it must get all 4 points right) and on
two moons (at least 95% of 100 points), within a minute.

Check your work:   micrograd-scratch learn check 9
"""

import random  # noqa: F401

from micrograd_scratch.losses import mse  # noqa: F401  (the mean over a batch)


def learning_rate(k: int, lr0: float, lr_end: float, tau: int) -> float:
    """eps_k, the rate of step k (k = 0, 1, ...)."""
    raise NotImplementedError("write this: learning_rate(k, lr0, lr_end, tau)")


def batches(n: int, batch_size: int, rng: random.Random) -> list[list[int]]:
    """One epoch's batches: the indices 0..n-1 in an order shuffled with rng,
    cut into lists of batch_size (the last may be shorter)."""
    raise NotImplementedError("write this: batches(n, batch_size, rng)")


def train(model, X: list, Y: list[float], *, epochs: int, batch_size: int,
          lr0: float, lr_end: float, seed: int = 0) -> list[float]:
    """Minibatch SGD on mse(model(x), y): one step per batch, the rate
    learning_rate(k, lr0, lr_end, tau) at step k, where tau is the number of
    steps in the whole run. model.parameters() are the Values to train.
    Returns each epoch's mean loss."""
    raise NotImplementedError("write this: train(model, X, Y, ...)")
