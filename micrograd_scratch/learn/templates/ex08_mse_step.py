"""Exercise 8: the mean squared error, and one step of gradient descent.

The loss of a batch of predictions p_i (Values) against targets t_i:

    mse = 1/n * sum_i (p_i - t_i) ** 2

One step of gradient descent (Cauchy, 1847) moves every parameter a small
step against its gradient:

    theta <- theta - lr * dJ/dtheta

A leaf's gradient accumulates: each backward() adds to `p.grad`. So a
training step first resets every parameter's grad to 0 (zero_grad),
then runs the forward pass, the loss, loss.backward(), and the update.

Write `mse`, `zero_grad`, `sgd_step` and `train_step`. The checker runs
your train_step twice on a small network and compares every parameter
with the package's.

Check your work:   micrograd-scratch learn check 8
"""

from micrograd_scratch import Value  # noqa: F401


def mse(preds: list, targets: list[float]):
    """The mean of (p - t)**2, as a Value (so that loss.backward() works)."""
    raise NotImplementedError("write this: mse(preds, targets)")


def zero_grad(params: list) -> None:
    """Set every parameter's grad to 0."""
    raise NotImplementedError("write this: zero_grad(params)")


def sgd_step(params: list, lr: float) -> None:
    """p.data <- p.data - lr * p.grad for every parameter."""
    raise NotImplementedError("write this: sgd_step(params, lr)")


def train_step(model, X: list, Y: list[float], lr: float) -> float:
    """One step on the whole batch: zero_grad, the forward pass, the mse of
    model(x) against Y, backward, sgd_step. Returns the loss (a float)."""
    raise NotImplementedError("write this: train_step(model, X, Y, lr)")
