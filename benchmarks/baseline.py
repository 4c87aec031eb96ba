"""The floor: micrograd's moons training step written by hand, with no graph.

This is what the step costs in pure Python when nothing is automatic: the
network is lists of floats, the forward pass is three loops, and the
backward pass is the chain rule worked out on paper and typed in as three
more loops. An autodiff engine builds a graph and walks it instead, so it
can only be slower than this; the benchmark reports how much slower.

The model, the data and the numbers are exactly those of micrograd's demo
(and of `workloads.py`):

- an MLP 2-16-16-1 with ReLU hidden layers and a linear output, its weights
  drawn with `random.uniform(-1, 1)` layer by layer, neuron by neuron,
  weights then a zero bias (micrograd's order, so the same seed gives the
  same network);
- the loss: mean over the points of the hinge relu(1 - y * score), plus an
  L2 penalty alpha * sum(p * p) over every parameter;
- one plain SGD update, p -= lr * dL/dp.

Every sum is taken in the same order as the graph programs take it, so the
losses agree with theirs to the last few bits.

Sources: Karpathy's micrograd `demo.ipynb` (the workload); Goodfellow,
Bengio and Courville, *Deep Learning*, ch. 6.5 (back-propagation by hand).
"""

from __future__ import annotations

import random
from typing import Sequence

__all__ = ["Network", "init_network", "train_step", "parameters"]

# One layer is (W, b): W[j][i] is the weight from input i to neuron j.
Layer = tuple[list[list[float]], list[float]]
Network = list[Layer]


def init_network(nin: int, nouts: Sequence[int], rng=random) -> Network:
    """A network drawn exactly as micrograd's `MLP(nin, nouts)` draws one."""
    sizes = [nin] + list(nouts)
    network = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        W = [[rng.uniform(-1, 1) for _ in range(fan_in)] for _ in range(fan_out)]
        network.append((W, [0.0] * fan_out))
    return network


def parameters(network: Network) -> list[float]:
    """Every parameter, in micrograd's `parameters()` order."""
    return [p for W, b in network for row, bias in zip(W, b) for p in (*row, bias)]


def train_step(
    network: Network,
    X: Sequence[Sequence[float]],
    ys: Sequence[float],
    lr: float,
    alpha: float,
) -> float:
    """One full-batch SGD step on the hinge + L2 loss; returns the loss
    (computed before the update), and updates `network` in place."""
    n = len(X)
    last = len(network) - 1
    # dL/dW and dL/db, the same shapes as the network, summed over the points.
    grads = [([[0.0] * len(row) for row in W], [0.0] * len(b)) for W, b in network]

    hinge_sum = 0.0
    for x, y in zip(X, ys):
        # Forward, keeping every layer's output: the backward pass needs them.
        acts = [x]
        for k, (W, b) in enumerate(network):
            inputs = acts[-1]
            out = []
            for row, bias in zip(W, b):
                s = bias
                for w, a in zip(row, inputs):
                    s += w * a
                out.append(s if k == last or s > 0 else 0.0)  # ReLU, except last
            acts.append(out)
        margin = -y * acts[-1][0] + 1
        if margin <= 0:
            continue  # relu(margin) = 0: no loss, and no gradient either
        hinge_sum += margin

        # Backward. delta[j] = dL/d(neuron j's weighted sum) in layer k; for
        # the output it is d(margin / n)/d(score) = -y / n.
        delta = [-y * (1.0 / n)]
        for k in range(last, -1, -1):
            W, _ = network[k]
            gW, gb = grads[k]
            inputs = acts[k]
            back = [0.0] * len(inputs)  # dL/d(this layer's inputs)
            for j, d in enumerate(delta):
                if d == 0.0:
                    continue  # a ReLU that was off: nothing flows through it
                gb[j] += d
                row, grow = W[j], gW[j]
                for i, a in enumerate(inputs):
                    grow[i] += d * a
                    back[i] += d * row[i]
            # Through the ReLU of the layer below: it passes where it was on.
            delta = [g if a > 0 else 0.0 for g, a in zip(back, inputs)]

    # The L2 term, summed in `parameters()` order as the graph programs do.
    square_sum = 0.0
    for p in parameters(network):
        square_sum += p * p
    loss = hinge_sum * (1.0 / n) + alpha * square_sum

    # d(alpha * p * p)/dp = 2 * alpha * p, then the SGD update itself.
    for (W, b), (gW, gb) in zip(network, grads):
        for j, (row, grow) in enumerate(zip(W, gW)):
            for i, p in enumerate(row):
                row[i] = p - lr * (grow[i] + 2 * alpha * p)
            b[j] -= lr * (gb[j] + 2 * alpha * b[j])
    return loss
