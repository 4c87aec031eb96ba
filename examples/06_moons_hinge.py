"""Step 6: micrograd's demo, two moons with a max-margin (hinge) loss.

Karpathy's micrograd ends with this demo: a 2-16-16-1 ReLU network learns
to separate two interleaving half circles. It uses

- the hinge (SVM, max-margin) loss, mean of relu(1 - y * score), with
  labels y = +1 / -1: a point costs nothing once its score is on the right
  side of 0 by a margin of 1 (hinge reads our 0 labels as -1);
- an L2 penalty, 1e-4 * sum(p**2), that keeps the weights small;
- full-batch gradient descent for 100 steps with the learning rate
  1.0 - 0.9 * k / 100, which is the talk's linear decay from 1.0 to 0.1.

At the end the decision regions are drawn in text by `decision_map`, the
same map `micrograd-scratch train` prints: '.' where the network says
class 0, '#' where it says class 1, and the points as their labels, '0'
and '1' (the legend under the map says so).

Run:  python examples/06_moons_hinge.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from micrograd_scratch import MLP, LinearDecay, decision_map, fit, hinge, moons  # noqa: E402

X, y = moons(n=100, noise=0.1, seed=0)
model = MLP(2, [16, 16, 1], seed=0)
print(f"MLP(2, [16, 16, 1]): {len(model.parameters())} parameters, {len(X)} points\n")


def accuracy() -> float:
    # score > 0 means class 1, score < 0 class 0
    return sum((model(x).data > 0) == (t == 1) for x, t in zip(X, y)) / len(y)


def report(epoch: int, loss: float) -> None:
    # Full batch: one epoch is one step. `loss` (L2 penalty included) was
    # measured before the step's update, the accuracy is measured after it.
    step = epoch - 1
    if step % 10 == 0 or epoch == STEPS:
        print(f"step {step:3d}  loss {loss:.4f}  accuracy after the step {100 * accuracy():.0f}%")


STEPS = 100
fit(
    model, X, y, hinge,
    epochs=STEPS,
    l2=1e-4,
    schedule=LinearDecay(1.0, 0.1, STEPS),  # micrograd's 1.0 - 0.9 * k / 100
    callback=report,
)
print(f"\naccuracy: {100 * accuracy():.0f}%\n")

# ---- the decision regions, in text ---------------------------------------
# A score above 0 is class 1, as in accuracy() above.
print(decision_map(model, X, y, width=64, height=20, classify=lambda out: int(out.data > 0)))
