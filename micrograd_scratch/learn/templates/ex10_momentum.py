"""Exercise 10 (optional): momentum.

Plain gradient descent zig-zags across a narrow valley and crawls along
it. Momentum (Polyak, 1964) gives each parameter a velocity v, a decaying
sum of its past gradients, and moves along that (PyTorch's form):

    v <- mu * v + g            theta <- theta - lr * v

with v = 0 before the first step. Steps along a consistent direction
grow (up to 1/(1 - mu) times), and zig-zags cancel.

Write the class `Momentum`. The checker gives it gradients for a few
steps and compares every parameter with the formula.

Check your work:   micrograd-scratch learn check 10
"""


class Momentum:
    def __init__(self, params: list, lr: float = 0.1, mu: float = 0.9):
        """Keep the parameters, lr, mu, and one velocity per parameter."""
        raise NotImplementedError("write this: Momentum.__init__")

    def step(self) -> None:
        """One update, from each parameter's current grad."""
        raise NotImplementedError("write this: Momentum.step")
