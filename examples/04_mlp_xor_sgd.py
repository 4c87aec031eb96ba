"""Step 4 of the talk: an MLP learns XOR by gradient descent.

Step 3 set the weights of a ReLU network by hand. Here a network with 8
hidden ReLU units starts from random weights and finds its own by
gradient descent on the talk's squared error J: each step runs the
network forward on the four points, measures J, back-propagates dJ/dw to
every weight (backprop, Rumelhart et al. 1986) and moves each weight a
little downhill. J is no longer convex (the relu makes it piecewise), but
from this start gradient descent reaches a network that fits XOR.

Run:  python examples/04_mlp_xor_sgd.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from micrograd_scratch import MLP, fit, mse, xor  # noqa: E402

X, y = xor()

# 2 inputs -> 8 relu units -> 1 linear output. seed=0 fixes the random
# initial weights, so every run prints the same numbers.
model = MLP(2, [8, 1], seed=0)
print(f"MLP(2, [8, 1]): {len(model.parameters())} parameters\n")


def report(epoch: int, loss: float) -> None:
    """Called by fit after every epoch (here: every step, full batch)."""
    if epoch == 1 or epoch % 50 == 0:
        print(f"epoch {epoch:3d}  J = {loss:.6f}")


# fit runs the loop of step 2: forward, loss, backward, SGD update. With no
# batch_size every step sees all four points: SGD on the full batch is
# plain gradient descent. (Step 5 compares it with minibatches.)
fit(model, X, y, mse, epochs=200, lr=0.1, callback=report)

# The output is a score near 0 or near 1: call it 1 above 0.5.
print("\n  x1 x2 | want  score  predicted")
correct = 0
for x, target in zip(X, y):
    score = model(x).data
    predicted = 1 if score > 0.5 else 0
    correct += predicted == target
    print(f"   {x[0]:.0f}  {x[1]:.0f} |  {target}    {score:6.3f}     {predicted}")
print(f"accuracy: {100 * correct / len(y):.0f}%")
