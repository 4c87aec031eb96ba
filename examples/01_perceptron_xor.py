"""Step 1 of the talk: Rosenblatt's perceptron learns AND and OR, not XOR.

The perceptron (1957) is a linear binary classifier:

    f(x) = 1 if w . x + b > 0 else 0

and it learns from its mistakes, one example at a time:

    w <- w + (d - f(x)) x        b <- b + (d - f(x))

(d is the label we wanted). For AND and OR a straight line separates the
1s from the 0s, and the rule finds such a line in a few passes. For XOR no
line exists (Minsky and Papert, 1969), so the perceptron keeps making
mistakes for ever: that is where the talk's story of deep learning starts.

Run:  python examples/01_perceptron_xor.py
"""

from __future__ import annotations

import os
import sys

# Let the example run from a checkout without installing the package.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from micrograd_scratch import Perceptron, xor  # noqa: E402

# The four inputs of a two-input logic gate, and the three gates' outputs.
X, y_xor = xor()
GATES = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "XOR": y_xor,
}

for name, y in GATES.items():
    # A fresh perceptron per gate: weights and bias start at 0.
    p = Perceptron(2)
    result = p.fit(X, y, max_epochs=100)

    print(f"{name}: w = {p.w}, b = {p.b}")
    print("  x1 x2 | want  got")
    for x, d in zip(X, y):
        got = p.predict(x)
        mark = "" if got == d else "  <- wrong"
        print(f"   {x[0]:.0f}  {x[1]:.0f} |  {d}     {got}{mark}")

    if result.converged:
        print(f"  converged after {result.epochs} epochs: every point is classified right\n")
    else:
        # On XOR the weights just cycle: each correction for one corner
        # breaks another, because no line puts (0,1) and (1,0) on one side
        # and (0,0) and (1,1) on the other.
        print(
            f"  did not converge: {result.errors} mistakes in epoch {result.epochs}, "
            "the last one (no line separates XOR)\n"
        )
