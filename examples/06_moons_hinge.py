"""Step 6: micrograd's demo, two moons with a max-margin (hinge) loss.

Karpathy's micrograd ends with this demo: a 2-16-16-1 ReLU network learns
to separate two interleaving half circles. It uses

- the hinge (SVM, max-margin) loss, mean of relu(1 - y * score), with
  labels y = +1 / -1: a point costs nothing once its score is on the right
  side of 0 by a margin of 1 (hinge reads our 0 labels as -1);
- an L2 penalty, 1e-4 * sum(p**2), that keeps the weights small;
- full-batch gradient descent for 100 steps with the learning rate
  1.0 - 0.9 * k / 100, which is the talk's linear decay from 1.0 to 0.1.

At the end the decision regions are drawn in text: '.' where the network
says class 1, blank where it says class 0, and the points themselves as
'o' (class 0) and 'x' (class 1).

Run:  python examples/06_moons_hinge.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from micrograd_scratch import MLP, LinearDecay, fit, hinge, moons  # noqa: E402

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
COLS, ROWS = 64, 20
x_lo, x_hi, y_lo, y_hi = -1.5, 2.5, -1.0, 1.5
grid = []
for r in range(ROWS):
    y_at = y_hi - (r + 0.5) * (y_hi - y_lo) / ROWS  # top row first
    row = []
    for c in range(COLS):
        x_at = x_lo + (c + 0.5) * (x_hi - x_lo) / COLS
        row.append("." if model([x_at, y_at]).data > 0 else " ")
    grid.append(row)
for (px, py), label in zip(X, y):
    c = int((px - x_lo) / (x_hi - x_lo) * COLS)
    r = int((y_hi - py) / (y_hi - y_lo) * ROWS)
    if 0 <= r < ROWS and 0 <= c < COLS:
        grid[r][c] = "x" if label == 1 else "o"
print("\n".join("|" + "".join(row) + "|" for row in grid))
