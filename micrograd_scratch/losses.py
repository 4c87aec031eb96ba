"""Loss functions: one number that says how wrong the model is.

Training lowers the loss by gradient descent, so every loss here is built
from Value operations and back-propagates to the parameters.

Every batch loss is called the same way, `loss(scores, targets)`: `scores`
holds the model's output for each example of a batch (a list with one
entry per example) and `targets` the matching labels. The result is the
*mean* over the batch, the talk's J(theta) = 1/|X| sum_x L(x, y, theta), so
the size of a gradient step does not grow with the size of the batch.

- `mse`: mean squared error, the talk's J for least squares. One score per
  example; targets are numbers.
- `bce_with_logits`: binary cross-entropy of sigmoid(score), computed from
  the score (the *logit*) without ever forming sigmoid, so that large
  scores neither overflow nor take log(0). Targets 0 or 1.
- `hinge`: the max-margin loss of micrograd's two-moons demo,
  mean of relu(1 - y * s). Targets +1 or -1; a target 0 means -1, so the
  0/1 labels of `data` can be passed as they are.
- `cross_entropy`: softmax cross-entropy for several classes. Each score is
  a list of logits (a model with one output per class); targets are class
  indices 0, 1, ...
- `softmax` and `l2` are helpers: the probabilities behind cross_entropy,
  and the weight-decay penalty alpha * sum(p**2) added to a loss.

Sums are `total` nodes (one node, however many terms) and means multiply
that node by the constant 1/n, so a drawn loss graph stays small.

Sources: Goodfellow, Bengio and Courville, *Deep Learning*, ch. 5.5 and 6.2
(maximum likelihood, cross-entropy, softmax and its stable form), ch. 7.1
(L2 parameter norm penalty); Karpathy's micrograd demo (hinge + L2).
"""

from __future__ import annotations

import math
from typing import Sequence

from .engine import Value, total

__all__ = ["mse", "bce_with_logits", "hinge", "softmax", "cross_entropy", "l2", "LOSSES"]


def mse(preds: Sequence, targets: Sequence) -> Value:
    """Mean squared error: mean of (p - t)**2 over the batch."""
    preds = _scores(preds, "mse")
    targets = _targets(targets, len(preds), "mse", "predictions")
    return _mean([(p - t) ** 2 for p, t in zip(preds, targets)])


def bce_with_logits(logits: Sequence, targets: Sequence) -> Value:
    """Binary cross-entropy of sigmoid(z) against t, from the logit z:
    mean of log(1 + exp(z)) - t * z; d/dz = sigmoid(z) - t.

    log(1 + exp(z)) (softplus) is computed as z + log(1 + exp(-z)) when
    z >= 0 and as log(1 + exp(z)) otherwise: exp only ever sees a number
    <= 0, so it cannot overflow, and log's argument is between 1 and 2.
    Both forms are the same smooth function, so the gradient is exact on
    either side of 0 and at 0 itself. (The one-line form
    max(z, 0) + log(1 + exp(-|z|)) built with relu would get the gradient
    at z = 0 wrong: relu's derivative there is 0, not 1/2.)

    Targets are numbers from 0 to 1 (class labels 0 and 1, or
    probabilities).
    """
    logits = _scores(logits, "bce_with_logits")
    targets = _targets(targets, len(logits), "bce_with_logits", "logits")
    for i, t in enumerate(targets):
        if not 0 <= t <= 1:
            raise ValueError(
                f"bce_with_logits: target {i} is {t!r}; targets must be between 0 and 1 "
                "(class labels 0/1)"
            )
    return _mean([_softplus(z) - z * t for z, t in zip(logits, targets)])


def _softplus(z: Value) -> Value:
    """log(1 + exp(z)), never overflowing (see bce_with_logits)."""
    if z.data >= 0:
        return z + (1 + (-z).exp()).log()
    return (1 + z.exp()).log()


def hinge(scores: Sequence, targets: Sequence) -> Value:
    """Max-margin (SVM) loss: mean of relu(1 - y * s), y = +1 or -1.

    An example costs nothing once its score is on the right side of 0 by a
    margin of at least 1. A target of 0 is read as -1 (the negative class),
    so 0/1 labels work too; any other target is an error.
    """
    scores = _scores(scores, "hinge")
    targets = _targets(targets, len(scores), "hinge", "scores")
    signs = []
    for i, t in enumerate(targets):
        if t not in (-1, 0, 1):
            raise ValueError(
                f"hinge: target {i} is {t!r}; hinge targets are +1 or -1 (0 also means -1)"
            )
        signs.append(1 if t == 1 else -1)
    # micrograd demo's spelling, 1 + (-y) * s: the same numbers as 1 - y * s
    # in two nodes fewer (y is a number, so -y is one).
    return _mean([(1 + -y * s).relu() for s, y in zip(scores, signs)])


def softmax(logits: Sequence) -> list[Value]:
    """exp(z_i) / sum_j exp(z_j) for one example's logits.

    The largest logit is subtracted first (a plain number, so it adds no
    node and no gradient): the result is the same, but exp never sees a
    positive number and cannot overflow.
    """
    logits = _logits(logits, "softmax")
    m = max(z.data for z in logits)
    exps = [(z - m).exp() for z in logits]
    s = total(exps)
    return [e / s for e in exps]


def cross_entropy(logits: Sequence, targets: int | Sequence[int]) -> Value:
    """Softmax cross-entropy, -log softmax(z)[t]; d/dz_i = softmax(z)_i - [i == t].

    Two ways to call it:
    - one example: `cross_entropy([z0, z1, z2], 2)`, the logits of one
      example and its class index;
    - a batch: `cross_entropy([[z0, z1], [z0, z1], ...], [1, 0, ...])`, one
      list of logits per example and one class index each; the result is
      the mean, like every batch loss here (this is how `fit` calls it).

    Computed as log(sum_j exp(z_j - m)) - (z_t - m) with m the largest
    logit: exp never overflows and the sum is at least 1, so log is safe.
    """
    if isinstance(targets, (list, tuple)):
        if not isinstance(logits, (list, tuple)):
            raise TypeError(
                "cross_entropy: logits must be a list with one list of logits per example, "
                f"got {type(logits).__name__}"
            )
        if not logits:
            raise ValueError("cross_entropy: no examples (empty list of logits)")
        if len(logits) != len(targets):
            raise ValueError(f"cross_entropy: {len(logits)} examples but {len(targets)} targets")
        for i, z in enumerate(logits):
            if not isinstance(z, (list, tuple)):
                raise ValueError(
                    f"cross_entropy: example {i} has a single score; cross_entropy needs "
                    "one logit per class (give the last layer one neuron per class)"
                )
        return _mean([_cross_entropy_one(z, t, f" (example {i})")
                      for i, (z, t) in enumerate(zip(logits, targets))])
    return _cross_entropy_one(logits, targets, "")


def _cross_entropy_one(logits, target, where: str) -> Value:
    logits = _logits(logits, "cross_entropy")
    if type(target) is not int:
        raise TypeError(
            f"cross_entropy: the target{where} must be an int class index, "
            f"got {type(target).__name__}: {target!r}"
        )
    if not 0 <= target < len(logits):
        raise ValueError(
            f"cross_entropy: target class {target}{where} is out of range for "
            f"{len(logits)} logits (classes 0..{len(logits) - 1})"
        )
    m = max(z.data for z in logits)
    log_sum = total([(z - m).exp() for z in logits]).log()
    return log_sum - (logits[target] - m)


def l2(params: Sequence, alpha: float) -> Value:
    """The L2 penalty alpha * sum(p * p) (weight decay); d/dp = 2 * alpha * p."""
    if type(alpha) is bool or not isinstance(alpha, (int, float)):
        raise TypeError(f"l2: alpha must be a number, got {type(alpha).__name__}: {alpha!r}")
    if not alpha >= 0 or math.isinf(alpha):
        raise ValueError(f"l2: alpha must be a finite number >= 0, got {alpha!r}")
    params = list(params)
    if not params:
        raise ValueError("l2: no parameters given (empty list)")
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"l2: parameter {i} is a {type(p).__name__}, not a Value")
    return alpha * total([p * p for p in params])


# The batch losses by name, for the command line and `fit(loss="...")`.
LOSSES = {"mse": mse, "bce": bce_with_logits, "hinge": hinge, "cross_entropy": cross_entropy}


# ---- helpers ------------------------------------------------------------


def _mean(terms: list[Value]) -> Value:
    """The mean of terms as two nodes: one total, one multiplication."""
    return total(terms) * (1.0 / len(terms))


def _scores(scores, name: str) -> list[Value]:
    """One score per example, each a Value (numbers are wrapped)."""
    if not isinstance(scores, (list, tuple)):
        raise TypeError(
            f"{name}: expected a list with one score per example, got {type(scores).__name__}"
        )
    if not scores:
        raise ValueError(f"{name}: no examples (empty list of scores)")
    out = []
    for i, s in enumerate(scores):
        if isinstance(s, (list, tuple)):
            raise ValueError(
                f"{name}: example {i} has {len(s)} scores; {name} needs one score per example "
                "(give the last layer a single neuron, or use cross_entropy)"
            )
        out.append(_value(s, f"{name}: score {i}"))
    return out


def _logits(logits, name: str) -> list[Value]:
    """One example's logits: a non-empty list of Values (numbers are wrapped)."""
    if not isinstance(logits, (list, tuple)):
        raise TypeError(
            f"{name}: expected a list of logits (one per class), got {type(logits).__name__}"
        )
    if not logits:
        raise ValueError(f"{name}: no logits (empty list)")
    return [_value(z, f"{name}: logit {i}") for i, z in enumerate(logits)]


def _value(x, what: str) -> Value:
    if isinstance(x, Value):
        return x
    if type(x) is bool or not isinstance(x, (int, float)):
        raise TypeError(f"{what} is a {type(x).__name__}, not a Value or a number: {x!r}")
    return Value(x)


def _targets(targets, n: int, name: str, what: str) -> list[float]:
    """n targets, each an int or a float (bool is refused, as Value does)."""
    if not isinstance(targets, (list, tuple)):
        raise TypeError(
            f"{name}: expected a list with one target per example, got {type(targets).__name__}"
        )
    if len(targets) != n:
        raise ValueError(f"{name}: {n} {what} but {len(targets)} targets")
    for i, t in enumerate(targets):
        if type(t) is bool or not isinstance(t, (int, float)):
            raise TypeError(f"{name}: target {i} is a {type(t).__name__}, not a number: {t!r}")
    return list(targets)
