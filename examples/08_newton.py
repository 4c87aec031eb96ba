"""Gradient descent versus Newton's method: what curvature buys.

The talk says of gradient descent (Cauchy 1847): "greedy; only looks at the
first derivative, not at curvature". Its step is

    x' = x - lr * f'(x)

with one learning rate for every place and every direction. Newton's method
also reads the second derivative, the curvature, and divides by it:

    x' = x - f'(x) / f''(x)                 (one variable)
    x' = x - H(x)^-1 grad f(x)              (several; H is the Hessian)

Where the valley is steep the step is short, where it is flat the step is
long, and near a minimum the error is roughly squared at every step
("quadratic convergence"). The price: second derivatives, and a linear
system to solve per step.

The second derivatives come from the engine itself. `grad(f, xs,
create_graph=True)` returns the first derivatives as Values, each with a
graph of its own; calling `grad` on each of those gives one row of the
Hessian. Nothing here is differentiated by hand.

Run:  python examples/08_newton.py
"""

from __future__ import annotations

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from micrograd_scratch import Value, grad  # noqa: E402

# ---- the derivatives, from the engine ---------------------------------------


def derivatives(f, point):
    """f, its gradient and its Hessian at `point` (a list of floats)."""
    xs = [Value(p) for p in point]
    fx = f(*xs)
    # First derivatives as Values: each remembers how it was computed ...
    first = grad(fx, xs, create_graph=True)
    # ... so each can be differentiated again: row i of the Hessian is the
    # gradient of df/dx_i.
    hessian = [grad(d, xs) for d in first]
    return fx.data, [d.data for d in first], hessian


def gradient(f, point):
    """f and its gradient only: all that gradient descent looks at."""
    xs = [Value(p) for p in point]
    fx = f(*xs)
    return fx.data, grad(fx, xs)


def solve(H, g):
    """The step p with H p = g, for one or two variables (Cramer's rule)."""
    if len(g) == 1:
        if H[0][0] == 0:
            raise ValueError("Newton's method: f''(x) = 0, the curvature gives no step")
        return [g[0] / H[0][0]]
    (a, b), (c, d) = H
    det = a * d - b * c
    if det == 0:
        raise ValueError("Newton's method: the Hessian is singular, it gives no step")
    return [(d * g[0] - b * g[1]) / det, (a * g[1] - c * g[0]) / det]


# ---- the two methods ----------------------------------------------------------


def gradient_descent(f, x0, lr, steps):
    """Iterates [(x, f(x)), ...] of x' = x - lr * grad f(x)."""
    x = list(x0)
    path = []
    for _ in range(steps + 1):
        fx, g = gradient(f, x)
        path.append((list(x), fx))
        x = [xi - lr * gi for xi, gi in zip(x, g)]
    return path


def newton(f, x0, steps, tol=1e-12):
    """Iterates [(x, f(x)), ...] of x' = x - H^-1 grad f(x); stops early
    once the gradient is below `tol`."""
    x = list(x0)
    path = []
    for _ in range(steps + 1):
        fx, g, H = derivatives(f, x)
        path.append((list(x), fx))
        if max(abs(gi) for gi in g) < tol:
            break
        x = [xi - pi for xi, pi in zip(x, solve(H, g))]
    return path


def steps_to_reach(path, target, tol):
    """The first step whose x is within `tol` of `target`, or None."""
    for k, (x, _) in enumerate(path):
        if max(abs(xi - ti) for xi, ti in zip(x, target)) < tol:
            return k
    return None


# ---- the functions ----------------------------------------------------------------


def bowl(x):
    """exp(x) - 2x: convex, minimum at x = ln 2, steep on the right."""
    return x.exp() - 2 * x


def rosenbrock(x, y):
    """(1 - x)^2 + 100 (y - x^2)^2: a long curved valley, minimum at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def double_well(x):
    """x^4 - 2x^2: minima at x = -1 and 1, a maximum at x = 0."""
    return x**4 - 2 * x**2


# ---- printing -------------------------------------------------------------------------


def fmt_point(x):
    return ", ".join(f"{xi:+.6f}" for xi in x)


def side_by_side(left, right, steps, left_title, right_title):
    """One line per step: the gradient-descent iterate, then Newton's."""
    width = len(fmt_point(left[0][0])) + 18
    print(f"  {'step':>5}  {left_title:<{width}}  {right_title}")
    for k in steps:
        cells = []
        for path in (left, right):
            if k < len(path):
                x, fx = path[k]
                cells.append(f"({fmt_point(x)})  f={fx:<10.4g}")
            else:
                cells.append("(converged)")
        print(f"  {k:>5}  {cells[0]:<{width}}  {cells[1]}".rstrip())


def compare(title, f, x0, lr, minimum, steps, budget):
    """Run both methods from x0 and print them side by side."""
    print(title)
    gd = gradient_descent(f, x0, lr, budget)
    nt = newton(f, x0, 50)
    side_by_side(gd, nt, steps, f"gradient descent, lr={lr}", "Newton's method")
    tol = 1e-6
    k_gd, k_nt = steps_to_reach(gd, minimum, tol), steps_to_reach(nt, minimum, tol)
    gd_text = f"{k_gd} steps" if k_gd is not None else f"more than {budget} steps"
    print(f"  to within {tol:g} of the minimum ({fmt_point(minimum)}): "
          f"gradient descent {gd_text}, Newton {k_nt} steps\n")
    return gd, nt


def main() -> None:
    # One variable. f'' = exp(x) is 20 at x = 3 but 2 at the minimum: a
    # learning rate small enough for the steep start (lr < 2/20) is too
    # small for the flat bottom. Newton adapts its step to the curvature.
    compare("f(x) = exp(x) - 2x, from x = 3",
            bowl, [3.0], lr=0.05, minimum=[math.log(2)],
            steps=[*range(8), 20, 50, 100, 150], budget=150)

    # Two variables. Across Rosenbrock's valley the curvature is ~1000,
    # along it ~1: gradient descent must take tiny steps and then crawls
    # along the valley floor. The Hessian tells Newton both. (Newton is not
    # a descent method: at step 2 f jumps up. It aims at the minimum of the
    # local quadratic model, which far from the minimum is a poor model.)
    compare("f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, from (-1.2, 1)",
            rosenbrock, [-1.2, 1.0], lr=0.001, minimum=[1.0, 1.0],
            steps=[*range(8), 100, 1000, 5000, 10000], budget=10000)

    # The catch: Newton's method looks for a zero of the gradient, and a
    # maximum has one too. Where the curvature is negative it walks uphill.
    print("f(x) = x^4 - 2x^2, from x = 0.3 (where f''(x) < 0)")
    gd = gradient_descent(double_well, [0.3], 0.05, 60)
    nt = newton(double_well, [0.3], 10)
    side_by_side(gd, nt, range(6), "gradient descent, lr=0.05", "Newton's method")
    print(f"  after 60 steps gradient descent is at x = {gd[-1][0][0]:+.6f} (a minimum); "
          f"Newton stopped at x = {nt[-1][0][0]:+.6f}, the maximum")


if __name__ == "__main__":
    main()
