"""Step 7: several outputs, softmax and cross-entropy, on two blobs.

So far the network had one output, a score. A classifier for k classes
can instead give k scores (logits) z_0 .. z_{k-1}, one per class, and
turn them into probabilities with the softmax:

    p_i = exp(z_i) / sum_j exp(z_j)

Training maximises the probability of the right class t, i.e. minimises
the cross-entropy -log p_t (Goodfellow et al., 6.2.2.3). Its gradient is
simply p - onehot(t): push the right class's logit up and the others down
in proportion to how much probability they wrongly hold. (The loss
subtracts the largest logit before exp: the same result, no overflow.)

Here k = 2: two Gaussian blobs around (-2, -2) (class 0) and (2, 2)
(class 1), and an MLP(2, [8, 2]) with two outputs.

Run:  python examples/07_blobs_softmax.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from micrograd_scratch import MLP, blobs, cross_entropy, fit, softmax  # noqa: E402

X, y = blobs(n=100, seed=0)
model = MLP(2, [8, 2], seed=0)  # the last layer has one neuron per class


def predict(x) -> int:
    """The class with the largest logit (the most probable class)."""
    logits = model(x)
    return max(range(len(logits)), key=lambda i: logits[i].data)


def report(epoch: int, loss: float) -> None:
    if epoch == 1 or epoch % 5 == 0:
        print(f"epoch {epoch:2d}  cross-entropy {loss:.4f}")


# cross_entropy takes one list of logits per example and the class indices.
fit(model, X, y, cross_entropy, epochs=20, lr=0.1, callback=report)

correct = sum(predict(x) == t for x, t in zip(X, y))
print(f"\naccuracy: {100 * correct / len(y):.0f}%")

# The probabilities the network gives a few points: sure near the blobs,
# unsure between them.
print("\n      point     | P(class 0)  P(class 1)")
for point in ([-2.0, -2.0], [-0.5, -0.5], [0.0, 0.0], [0.5, 0.5], [2.0, 2.0]):
    p = softmax(model(point))
    print(f"  ({point[0]:4.1f}, {point[1]:4.1f}) |   {p[0].data:.3f}       {p[1].data:.3f}")
