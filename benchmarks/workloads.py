"""The programs the benchmark times, each written the way its users write it.

`run.py` measures them; this module only says what they compute. Every
program that is compared with another starts from the same seed and the
same data, so `run.py` can check that they produce the same numbers.

1. The moons training step of micrograd's demo (MLP 2-16-16-1, 100
   two-moons points, hinge loss + L2 1e-4, one full-batch SGD step), as
   - `user_trainer`: this package's public API, as a learner writes it
     (MLP, whose neurons use one fused `dot` node, losses.hinge + losses.l2,
     optim.SGD with the LinearDecay schedule);
   - `elementwise_trainer`: the same step in micrograd's own node shapes
     (each neuron is sum(w * x) + b, one node per multiply and per add),
     so its graph has exactly micrograd's node count;
   - `micrograd_trainer`: micrograd 0.1.0 running its demo;
   - `baseline_trainer`: the hand-written floor in `baseline.py`.
2. A chain `depth` nodes deep, for the backward pass's scaling.
3. A fixed random-looking expression graph for nodes-per-second
   throughput, built by the same code for micrograd_scratch, micrograd and
   PyTorch 0-d tensors.

micrograd and torch are optional: `MICROGRAD` is None and `TORCH_INSTALLED`
false when they are not installed, and run.py leaves their rows out.

Source: Karpathy's micrograd `demo.ipynb` (the moons workload).
"""

from __future__ import annotations

import importlib.util
import random
from typing import Callable

from micrograd_scratch import MLP, Value, data
from micrograd_scratch.losses import hinge, l2
from micrograd_scratch.optim import SGD, LinearDecay

from benchmarks import baseline

try:
    import micrograd.engine
    import micrograd.nn

    MICROGRAD = micrograd
except ImportError:
    MICROGRAD = None

# torch is imported late, by `torch_leaf_maker`, just before its rows run:
# importing it creates some 150,000 objects that the cyclic collector would
# rescan during every program measured after it, micrograd's above all.
TORCH_INSTALLED = importlib.util.find_spec("torch") is not None

__all__ = [
    "SEED", "ALPHA", "SIZES", "moons_data", "count_nodes",
    "user_model", "micrograd_model", "user_loss", "elementwise_loss", "micrograd_loss",
    "user_trainer", "elementwise_trainer", "micrograd_trainer", "baseline_trainer",
    "demo_loss", "demo_step", "demo_learning_rate", "elementwise_forward",
    "chain", "expression_recipe", "expression_leaves", "build_expression", "torch_leaf_maker",
]

SEED = 1337  # the demo's random.seed(1337)
ALPHA = 1e-4  # the demo's L2 strength
SIZES = (2, [16, 16, 1])  # MLP(2, [16, 16, 1])

# A trainer is made from a fresh model; step(k) trains step k (0, 1, ...)
# and returns the loss it minimised (computed before the update).
Trainer = Callable[[int], float]


def moons_data(n: int = 100) -> tuple[list[list[float]], list[float]]:
    """The demo's data, make_moons(100, noise=0.1), labels as -1 / +1."""
    X, y = data.moons(n, noise=0.1)
    return X, [2.0 * label - 1.0 for label in y]


def demo_learning_rate(k: int) -> float:
    """The demo's schedule, which LinearDecay(1.0, 0.1, 100) also follows."""
    return 1.0 - 0.9 * k / 100


def count_nodes(root) -> int:
    """How many nodes the graph below root has (root and leaves included).
    Works for micrograd's Values too: it only follows `_prev`."""
    seen = {root}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


# ---- 1. the moons step -------------------------------------------------


def user_loss(model: MLP, X, ys) -> Value:
    """The loss graph as a learner builds it with this package."""
    scores = [model(x) for x in X]
    return hinge(scores, ys) + l2(model.parameters(), ALPHA)


def user_model(seed: int = SEED) -> MLP:
    random.seed(seed)  # MLP draws its weights from `random` as micrograd's does
    return MLP(*SIZES)


def user_trainer(X, ys, seed: int = SEED) -> Trainer:
    model = user_model(seed)
    optimizer = SGD(model.parameters(), lr=1.0)
    schedule = LinearDecay(1.0, 0.1, 100)

    def step(k: int) -> float:
        loss = user_loss(model, X, ys)
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = schedule(k)
        optimizer.step()
        return loss.data

    return step


def demo_loss(scores, ys, params):
    """The demo's loss, line for line (with Python's `sum`, as it has it)."""
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum((p * p for p in params))
    return data_loss + reg_loss


def demo_step(model, loss, k: int) -> float:
    """The rest of the demo's training step, given its loss graph:
    zero the gradients, backward, and the SGD update by hand."""
    model.zero_grad()
    loss.backward()
    learning_rate = demo_learning_rate(k)
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return loss.data


def elementwise_forward(model: MLP, x: list[Value]) -> Value:
    """model(x) with every neuron spelled out as micrograd spells it,
    sum(w * x) + b: one node per multiply and per add, no fused `dot`."""
    for layer in model.layers:
        x = [_elementwise_neuron(neuron, x) for neuron in layer.neurons]
    return x[0]  # the last layer has one neuron: the score


def _elementwise_neuron(neuron, x: list[Value]) -> Value:
    act = sum((wi * xi for wi, xi in zip(neuron.w, x)), neuron.b)
    return act if neuron.activation == "linear" else getattr(act, neuron.activation)()


def elementwise_loss(model: MLP, X, ys) -> Value:
    """micrograd_loss, node for node, built from our Values."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = [elementwise_forward(model, x) for x in inputs]
    return demo_loss(scores, ys, model.parameters())


def elementwise_trainer(X, ys, seed: int = SEED) -> Trainer:
    model = user_model(seed)
    return lambda k: demo_step(model, elementwise_loss(model, X, ys), k)


def micrograd_loss(model, X, ys):
    """The demo's `loss()` in micrograd 0.1.0 itself: the inputs wrapped as
    Values, the scores, hinge + L2."""
    inputs = [list(map(MICROGRAD.engine.Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    return demo_loss(scores, ys, model.parameters())


def micrograd_model(seed: int = SEED):
    random.seed(seed)
    return MICROGRAD.nn.MLP(*SIZES)


def micrograd_trainer(X, ys, seed: int = SEED) -> Trainer:
    model = micrograd_model(seed)
    return lambda k: demo_step(model, micrograd_loss(model, X, ys), k)


def baseline_trainer(X, ys, seed: int = SEED) -> Trainer:
    random.seed(seed)
    network = baseline.init_network(*SIZES)
    return lambda k: baseline.train_step(network, X, ys, demo_learning_rate(k), ALPHA)


# ---- 2. a deep chain ---------------------------------------------------


def chain(value_type, depth: int):
    """relu(relu(...relu(x)...)), `depth` nodes above the leaf x = 1.0.
    relu is an op both engines have, with one input and no constant."""
    x = value_type(1.0)
    for _ in range(depth):
        x = x.relu()
    return x


# ---- 3. an expression graph for throughput -------------------------------
# Layers of `width` nodes; each node combines two random nodes of the layer
# below with one of these ops. Every op keeps values in [-1, 1], so a deep
# graph neither overflows nor rounds to zero at once. They use only + - *
# and relu, which micrograd, micrograd_scratch and torch tensors all have.

OPS = {
    "mul": lambda a, b: a * b,
    "mean": lambda a, b: (a + b) * 0.5,
    "half_diff": lambda a, b: (a - b) * 0.5,
    "relu_mul": lambda a, b: (a * b).relu(),
}


def expression_recipe(width: int, depth: int, seed: int = 0) -> list[list[tuple[str, int, int]]]:
    """The graph's shape: for each layer, (op, i, j) for each of its nodes."""
    rng = random.Random(seed)
    names = sorted(OPS)
    return [
        [(rng.choice(names), rng.randrange(width), rng.randrange(width)) for _ in range(width)]
        for _ in range(depth)
    ]


def expression_leaves(width: int, seed: int = 0) -> list[float]:
    rng = random.Random(seed + 1)
    return [rng.uniform(-1, 1) for _ in range(width)]


def build_expression(leaves: list, recipe):
    """The expression on the given leaves (Values or tensors); the root is
    the sum of the last layer."""
    layer = leaves
    for ops in recipe:
        layer = [OPS[name](layer[i], layer[j]) for name, i, j in ops]
    return sum(layer)


def torch_leaf_maker() -> Callable:
    """A function making a 0-d float64 tensor that wants its gradient,
    PyTorch's counterpart of Value(x)."""
    import torch

    return lambda x: torch.tensor(x, dtype=torch.float64, requires_grad=True)
