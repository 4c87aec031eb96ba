"""Neurons, layers and multi-layer perceptrons built from Values.

A neuron computes act(w . x + b): one fused `dot` node for the weighted
sum (the talk's "Matmul" followed by "plus b") and one node for the
non-linearity. Without non-linearities a stack of layers collapses into a
single linear map, which is why the talk's XOR network needs its ReLU.

The API is a superset of micrograd's: `Neuron(nin, nonlin=True)`,
`Layer(nin, nout)`, `MLP(nin, nouts)`, `parameters()`, `zero_grad()`.
Weights are drawn with `random.uniform(-1, 1)` from the global `random`
in micrograd's order (layer by layer, neuron by neuron, weights then a zero
bias), so a seeded micrograd program gives the same numbers here. Pass
`rng=random.Random(seed)` (or `seed=`) to leave the global generator alone.
"""

from __future__ import annotations

import numbers
import random
from typing import Sequence

from . import ops
from .engine import Parameter, Value

__all__ = ["Module", "Neuron", "Layer", "MLP", "activation_names"]


def activation_names() -> tuple[str, ...]:
    """The non-linearities a layer can use: every op of kind "activation"
    in ops.py, and "linear", which applies none."""
    return ops.activations() + ("linear",)


class Module:
    """Anything with parameters: `parameters()` lists them, `zero_grad()`
    resets their gradients before the next backward pass."""

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0  # micrograd's reset

    def parameters(self) -> list[Value]:
        return []


def _generator(rng: random.Random | None, seed: int | None):
    """The random source for initial weights: rng, or a new one from seed,
    or (micrograd's behaviour) the global `random` module."""
    if rng is not None and seed is not None:
        raise ValueError("pass rng or seed, not both")
    if seed is not None:
        return random.Random(seed)
    return rng if rng is not None else random


def _activation(nonlin: bool, activation: str | None) -> str:
    if activation is None:
        return "relu" if nonlin else "linear"
    if activation not in activation_names():
        raise ValueError(
            f"unknown activation {activation!r}; choose one of {', '.join(activation_names())}"
        )
    return activation


def _inputs(x) -> list[Value]:
    """A network's input as Values: numbers become input leaves labelled
    x0, x1, ... (the talk's placeholders). Any sequence of numbers will do
    (a list, a tuple, a numpy row); a single number or Value is a one-input
    example (the output of a one-neuron layer is a single Value)."""
    if isinstance(x, (Value, numbers.Real)):
        x = [x]
    return [v if isinstance(v, Value) else Value(v, label=f"x{i}") for i, v in enumerate(x)]


def _positive_int(n, what: str) -> int:
    if type(n) is not int or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return n


class Neuron(Module):
    """act(w . x + b) for nin inputs; act is relu unless `nonlin=False`
    (linear) or `activation` names another: any of `activation_names()`,
    the activation ops of ops.py and "linear". `bias=False` leaves out b
    (`self.b` is None): act(w . x)."""

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        rng: random.Random | None = None,
        seed: int | None = None,
        bias: bool = True,
        name: str = "",
    ):
        _positive_int(nin, "Neuron: nin")
        gen = _generator(rng, seed)
        prefix = f"{name}." if name else ""
        self.w = [Parameter(gen.uniform(-1, 1), label=f"{prefix}w{i}") for i in range(nin)]
        self.b = Parameter(0, label=f"{prefix}b") if bias else None  # None: act(w . x)
        self.activation = _activation(nonlin, activation)

    @property
    def nonlin(self) -> bool:
        """micrograd's switch: True for a non-linear neuron. Setting it
        False makes the neuron linear; True gives it relu (unless it has a
        non-linearity already)."""
        return self.activation != "linear"

    @nonlin.setter
    def nonlin(self, on: bool) -> None:
        if not on:
            self.activation = "linear"
        elif self.activation == "linear":
            self.activation = "relu"

    def __call__(self, x) -> Value:
        """act(w . x + b)"""
        return self.forward(_inputs(x))

    def forward(self, x: list[Value]) -> Value:
        """act(w . x + b) for inputs that are Values already (a layer wraps
        its inputs once for all its neurons)."""
        if len(x) != len(self.w):
            raise ValueError(f"Neuron expects {len(self.w)} inputs, got {len(x)}")
        act = ops.dot(self.w, x, self.b)
        return act if self.activation == "linear" else getattr(act, self.activation)()

    def parameters(self) -> list[Value]:
        return self.w + ([self.b] if self.b is not None else [])

    def named_parameters(self) -> dict[str, Value]:
        """The parameters by name: "w0", "w1", ..., and "b" when the neuron
        has a bias. Savers, drawings and the PyTorch bridge read these."""
        named = {f"w{i}": w for i, w in enumerate(self.w)}
        if self.b is not None:
            named["b"] = self.b
        return named

    def __repr__(self) -> str:
        # micrograd's names: ReLUNeuron(3), LinearNeuron(3)
        kind = "ReLU" if self.activation == "relu" else self.activation.capitalize()
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    """nout neurons that all read the same inputs. Returns a list of Values,
    or a single Value when nout is 1 (as micrograd does)."""

    def __init__(self, nin: int, nout: int, *, name: str = "", **kwargs):
        _positive_int(nout, "Layer: nout")
        prefix = f"{name}." if name else ""
        self.neurons = [Neuron(nin, name=f"{prefix}N{j}", **kwargs) for j in range(nout)]

    def __call__(self, x):
        x = _inputs(x)  # once here, so that every neuron reads the same input leaves
        out = [n.forward(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: nin inputs, then one layer per entry of
    nouts. Hidden layers use `activation` (relu by default); the last layer
    uses `output_activation` (linear by default, so its output is a score
    for a loss to judge). `bias=False` gives every neuron act(w . x)."""

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        output_activation: str = "linear",
        bias: bool = True,
        rng: random.Random | None = None,
        seed: int | None = None,
    ):
        _positive_int(nin, "MLP: nin")
        if not nouts:
            raise ValueError("MLP: nouts must list at least one layer size")
        for name in (activation, output_activation):
            _activation(True, name)  # refuse an unknown name before building anything
        gen = _generator(rng, seed)
        sizes = [nin] + list(nouts)
        last = len(nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation=output_activation if i == last else activation,
                bias=bias,
                rng=gen,
                name=f"L{i}",
            )
            for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
