"""Exercise 7: a neuron's forward pass, a layer, and an MLP.

A neuron with nin inputs holds nin weights w and a bias b, and computes

    act(w . x + b) = act(w_0 * x_0 + ... + w_{nin-1} * x_{nin-1} + b)

where act is relu (max(0, z)) for a non-linear neuron and nothing for a
linear one (nonlin=False). Built from Values, so that `backward()` can
reach every w and b.

A layer is nout neurons that all read the same input; it returns their
outputs, a list (or a single Value when nout is 1). An MLP(nin, nouts)
is one layer per entry of nouts, each reading the last one's output; its
hidden layers are non-linear and its last layer is linear, so that the
network's score can take any sign.

parameters() lists the Values training changes: a neuron's w then b; a
layer's and an MLP's in order, layer by layer, neuron by neuron.

Start each weight at random.uniform(-1, 1) and each bias at 0.

Check your work:   micrograd-scratch learn check 7
"""

import random  # noqa: F401  (for the initial weights)

from micrograd_scratch import Value  # noqa: F401


class Neuron:
    def __init__(self, nin: int, nonlin: bool = True):
        """self.w: nin Values; self.b: a Value; self.nonlin: whether to apply relu."""
        raise NotImplementedError("write this: Neuron.__init__")

    def __call__(self, x):
        """act(w . x + b) for a list x of nin numbers or Values."""
        raise NotImplementedError("write this: Neuron.__call__")

    def parameters(self) -> list:
        raise NotImplementedError("write this: Neuron.parameters")


class Layer:
    def __init__(self, nin: int, nout: int, nonlin: bool = True):
        raise NotImplementedError("write this: Layer.__init__")

    def __call__(self, x):
        raise NotImplementedError("write this: Layer.__call__")

    def parameters(self) -> list:
        raise NotImplementedError("write this: Layer.parameters")


class MLP:
    def __init__(self, nin: int, nouts: list[int]):
        raise NotImplementedError("write this: MLP.__init__")

    def __call__(self, x):
        raise NotImplementedError("write this: MLP.__call__")

    def parameters(self) -> list:
        raise NotImplementedError("write this: MLP.parameters")
