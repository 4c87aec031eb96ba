"""Rosenblatt's perceptron (1957): the first learning machine, and its limit.

It classifies with a step function of a weighted sum,

    f(x) = 1 if w . x + b > 0 else 0,

and learns from its mistakes, one example at a time:

    w <- w + lr * (d - f(x)) * x        b <- b + lr * (d - f(x))

where d is the desired label. A correct answer changes nothing (d - f = 0);
a wrong one moves the boundary towards the example.

Plain floats, not Values: the rule is not gradient descent. The step
function's derivative is 0 everywhere except at 0, where it does not
exist, so back-propagating through f would give no signal at all; the
perceptron rule uses the error d - f(x) directly instead.

If a line separates the two classes, the rule finds one in a finite number
of updates (Novikoff's convergence theorem, 1962): AND and OR are learned
in a few epochs. XOR is not linearly separable, so no w and b classify it
(Minsky and Papert, *Perceptrons*, 1969). Suppose some did:

    (0,0) -> 0 needs           b <= 0
    (1,0) -> 1 needs      w1 + b >  0
    (0,1) -> 1 needs      w2 + b >  0
    (1,1) -> 0 needs w1 + w2 + b <= 0

Adding the middle two gives w1 + w2 + b > -b >= 0, contradicting the last.
So on XOR every epoch makes at least one mistake, and `fit` stops after
max_epochs with `converged=False`. Hidden layers with a non-linearity fix
this (see nn.MLP and the examples).

Sources: the talk; F. Rosenblatt, "The perceptron, a perceiving and
recognizing automaton" (1957); M. Minsky and S. Papert, *Perceptrons* (1969).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

__all__ = ["Perceptron", "PerceptronResult"]


@dataclass(frozen=True)
class PerceptronResult:
    """How `Perceptron.fit` ended: `converged` is True when the last epoch
    made no mistake (so every example is now classified right), `epochs`
    how many passes over the data were made, `errors` the mistakes made in
    the last one."""

    converged: bool
    epochs: int
    errors: int


class Perceptron:
    """A perceptron with nin inputs; weights and bias start at 0, so
    training is deterministic (the order of the examples is the order
    given)."""

    def __init__(self, nin: int, lr: float = 1.0):
        if type(nin) is not int or nin < 1:
            raise ValueError(f"Perceptron: nin must be a positive int, got {nin!r}")
        if type(lr) is bool or not isinstance(lr, (int, float)) or not 0 < lr < math.inf:
            raise ValueError(f"Perceptron: lr must be a finite number > 0, got {lr!r}")
        self.w = [0.0] * nin
        self.b = 0.0
        self.lr = float(lr)

    def predict(self, x: Sequence[float]) -> int:
        """1 if w . x + b > 0 else 0."""
        x = self._input(x)
        activation = self.b + sum(wi * xi for wi, xi in zip(self.w, x))
        return 1 if activation > 0 else 0

    def fit(self, X: Sequence, y: Sequence[int], max_epochs: int = 100) -> PerceptronResult:
        """Apply the perceptron rule to each example in turn, epoch after
        epoch, until an epoch makes no mistake or max_epochs have run."""
        if len(X) != len(y):
            raise ValueError(f"Perceptron.fit: {len(X)} examples in X but {len(y)} labels in y")
        if not X:
            raise ValueError("Perceptron.fit: no training examples (X is empty)")
        for i, d in enumerate(y):
            if type(d) is not int or d not in (0, 1):
                raise ValueError(f"Perceptron.fit: label {i} is {d!r}; labels must be 0 or 1")
        if type(max_epochs) is not int or max_epochs < 1:
            raise ValueError(f"Perceptron.fit: max_epochs must be a positive int, got {max_epochs!r}")
        X = [self._input(x) for x in X]

        errors = 0
        for epoch in range(1, max_epochs + 1):
            errors = 0
            for x, d in zip(X, y):
                delta = self.lr * (d - self.predict(x))  # 0 when the answer was right
                if delta:
                    errors += 1
                    self.w = [wi + delta * xi for wi, xi in zip(self.w, x)]
                    self.b += delta
            if errors == 0:
                return PerceptronResult(converged=True, epochs=epoch, errors=0)
        return PerceptronResult(converged=False, epochs=max_epochs, errors=errors)

    def _input(self, x) -> list[float]:
        if not isinstance(x, (list, tuple)) or len(x) != len(self.w):
            raise ValueError(f"Perceptron expects {len(self.w)} inputs, got {x!r}")
        for v in x:
            if type(v) is bool or not isinstance(v, (int, float)):
                raise TypeError(f"Perceptron: inputs must be numbers, got {type(v).__name__}: {v!r}")
        return [float(v) for v in x]

    def __repr__(self) -> str:
        return f"Perceptron(w={self.w!r}, b={self.b!r})"
