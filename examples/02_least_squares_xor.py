"""Step 2 of the talk: a linear model fit to XOR by least squares.

The talk's first model (after Goodfellow, Bengio and Courville, ch. 6.1):

    f(x; w, b) = w . x + b        J(w, b) = sum over the 4 points of (f(x) - y)**2

J is convex in (w, b), so gradient descent finds its one minimum, and
that minimum is useless: w = 0, b = 0.5, so f(x) = 0.5 for every input.
A straight line cannot tell the XOR corners apart (step 1), and the best
it can do in the squared-error sense is to sit on the fence.

We write the training loop out by hand here, to show its four beats:
forward pass, loss, backward pass, update. (We average instead of summing:
the mean squared error has the same minimum, and its gradient does not
grow with the number of points.) Later examples let `fit` run the loop.

Run:  python examples/02_least_squares_xor.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from micrograd_scratch import SGD, Value, mse, xor  # noqa: E402

X, y = xor()

# The parameters: Values, so that backward() can fill in their gradients.
# Any starting point works (the problem is convex); this one is arbitrary.
w = [Value(0.8, label="w1"), Value(-0.6, label="w2")]
b = Value(0.1, label="b")


def f(x):
    """The linear model: w . x + b."""
    return w[0] * x[0] + w[1] * x[1] + b


optimizer = SGD(w + [b], lr=0.5)

for step in range(201):
    # 1. forward: the model's score for every point
    scores = [f(x) for x in X]
    # 2. loss: one number saying how wrong those scores are
    loss = mse(scores, y)
    # 3. backward: dJ/dw and dJ/db, into each parameter's .grad
    optimizer.zero_grad()  # gradients add up across backward() calls
    loss.backward()
    # 4. update: a small step downhill, w <- w - lr * dJ/dw
    optimizer.step()
    if step % 40 == 0:  # J is the loss before this step's update
        print(
            f"step {step:3d}  J = {loss.data:.6f}  "
            f"w = [{w[0].data:+.4f}, {w[1].data:+.4f}]  b = {b.data:.4f}"
        )

print()
# round(..) + 0.0 turns a tiny negative number into 0.0, not "-0.000"
w1, w2 = (round(v.data, 3) + 0.0 for v in w)
print(f"solution: w = [{w1:.3f}, {w2:.3f}], b = {b.data:.3f}")
print("  x1 x2 | want  f(x)")
for x, target in zip(X, y):
    print(f"   {x[0]:.0f}  {x[1]:.0f} |  {target}    {f(x).data:.3f}")
print("f(x) = 0.5 everywhere: the linear model cannot represent XOR.")
