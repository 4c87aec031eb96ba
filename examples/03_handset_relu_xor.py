"""Step 3 of the talk: one hidden ReLU layer computes XOR exactly.

Goodfellow, Bengio and Courville (ch. 6.1) give weights by hand:

    f1(x) = relu(W1 x + b1)       W1 = [[1, 1], [1, 1]]   b1 = [0, -1]
    f2(x) = w2 . f1(x) + b2       w2 = [1, -2]            b2 = 0

The hidden layer maps the four corners to new points, (0,0), (1,0),
(1,0) and (2,1): the two inputs that should give 1 land on the same spot,
and now a straight line (w2 . h = 0.5) separates the classes. The relu is
essential: without it, f2(f1(x)) would be one linear function of x again,
which step 2 showed cannot fit XOR.

Everything is computed with Values, as a network in this package would,
and then checked against an MLP given the same weights.

Run:  python examples/03_handset_relu_xor.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from micrograd_scratch import MLP, Value, dot, xor  # noqa: E402

X, y = xor()

# Hidden layer: one row of W1 (and one entry of b1) per hidden unit.
W1 = [[Value(1.0), Value(1.0)], [Value(1.0), Value(1.0)]]
b1 = [Value(0.0), Value(-1.0)]
# Output layer: a linear unit reading the two hidden units.
w2 = [Value(1.0), Value(-2.0)]
b2 = Value(0.0)

print(f"{'x':^8}|{'W1 x + b1':^11}|{'f1 = relu(.)':^14}|{'f2 = w2 . f1 + b2':^19}| XOR")
outputs = []
for x, target in zip(X, y):
    # dot(w, x, b) is b + w . x as one node: the talk's "Matmul, plus b"
    pre = [dot(row, x, b) for row, b in zip(W1, b1)]
    hidden = [h.relu() for h in pre]
    out = dot(w2, hidden, b2)
    outputs.append(out.data)
    cells = [
        f"{x[0]:.0f}, {x[1]:.0f}",
        f"{pre[0].data:2.0f}, {pre[1].data:2.0f}",
        f"{hidden[0].data:.0f}, {hidden[1].data:.0f}",
        f"{out.data:.0f}",
    ]
    print(f"{cells[0]:^8}|{cells[1]:^11}|{cells[2]:^14}|{cells[3]:^19}|  {target}")

print(f"computes XOR exactly: {outputs == [float(t) for t in y]}")

# The same network as an MLP(2, [2, 1]): hidden relu layer, linear output.
# Its parameters are listed neuron by neuron, weights then bias.
mlp = MLP(2, [2, 1])
hand_set = [1, 1, 0, 1, 1, -1, 1, -2, 0]  # W1[0], b1[0], W1[1], b1[1], w2, b2
for p, v in zip(mlp.parameters(), hand_set):
    p.data = float(v)
print(f"an MLP(2, [2, 1]) with these weights gives: {[mlp(x).data for x in X]}")
