"""Step 5 of the talk: full-batch gradient descent against minibatch SGD.

"More data, more problems": the talk's difficult mode is XOR with many
noisy points (four Gaussian clusters around the corners). Full-batch
gradient descent computes the exact gradient of the mean loss over all
|X| points before every step, so one step costs O(|X|). Minibatch SGD
estimates the gradient from a small random batch B,

    g = 1/|B| * sum over x in B of grad L(x, y; theta),

so a step costs O(|B|) however big X is. For the same work (one pass over
the data) it takes |X|/|B| steps instead of one. The estimate is noisy,
so its learning rate is decayed linearly (Goodfellow et al., 8.3.1):

    eps_k = (1 - k/tau) eps_0 + (k/tau) eps_tau   for k <= tau, then eps_tau.

Both runs below do the same work, 20 passes over 200 points, from the same
initial weights, with the binary cross-entropy loss. The noise puts about
5% of the points on the wrong side of their corner's boundary, so about
95% training accuracy is the most a sensible model should reach.

Run:  python examples/05_batch_vs_minibatch.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from micrograd_scratch import MLP, LinearDecay, bce_with_logits, fit, noisy_xor  # noqa: E402

X, y = noisy_xor(n=200, noise=0.25, seed=0)
EPOCHS = 20
BATCH = 10
STEPS_PER_EPOCH = len(X) // BATCH  # 20 minibatch steps per pass


def accuracy(model) -> float:
    # The output is a logit: sigmoid(score) > 0.5 exactly when score > 0.
    return sum((model(x).data > 0) == (t == 1) for x, t in zip(X, y)) / len(y)


# Full batch: one step per epoch, 20 steps in all.
full = MLP(2, [8, 8, 1], seed=0)
full_history = fit(
    full, X, y, bce_with_logits, epochs=EPOCHS,
    schedule=LinearDecay(0.5, 0.05, EPOCHS),
)

# Minibatches of 10: 20 steps per epoch, 400 in all, decayed to 1% of the
# initial rate by the last one. `seed` fixes the shuffling of each epoch.
mini = MLP(2, [8, 8, 1], seed=0)
mini_history = fit(
    mini, X, y, bce_with_logits, epochs=EPOCHS, batch_size=BATCH, seed=0,
    schedule=LinearDecay(0.5, 0.005, EPOCHS * STEPS_PER_EPOCH),
)

print(f"noisy XOR, {len(X)} points; mean loss after each pass over the data")
print("epoch | full batch (1 step/epoch) | minibatch of 10 (20 steps/epoch)")
for epoch in range(0, EPOCHS, 2):
    print(f"{epoch + 1:5d} | {full_history[epoch]:25.4f} | {mini_history[epoch]:.4f}")
print(f"full batch: {EPOCHS} steps, training accuracy {100 * accuracy(full):.1f}%")
print(f"minibatch:  {EPOCHS * STEPS_PER_EPOCH} steps, training accuracy {100 * accuracy(mini):.1f}%")
print("same work, 20 times as many (noisier) steps: minibatch SGD gets further")
