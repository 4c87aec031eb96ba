"""The network library: micrograd's API and numbers, activations, shapes."""

from __future__ import annotations

import random

import pytest

from micrograd_scratch import MLP, Layer, Neuron, Value
from micrograd_scratch import engine, nn
from micrograd_scratch.nn import activation_names


def test_micrograd_module_paths_work():
    assert engine.Value is Value and nn.MLP is MLP


def test_micrograd_signatures_construct():
    v = Value(2.0, (Value(1.0),), "custom")
    assert v._op == "custom" and len(v._prev) == 1
    assert len(Neuron(3, nonlin=False).parameters()) == 4
    assert len(Layer(3, 2).parameters()) == 8
    assert len(MLP(2, [16, 16, 1]).parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1


def test_mlp_with_one_neuron_layers_in_the_middle():
    model = MLP(2, [16, 1, 1], seed=0)
    out = model([0.5, -1.0])
    assert isinstance(out, Value)
    out.backward()


def test_same_seed_same_weights_as_micrograd():
    micrograd_nn = pytest.importorskip("micrograd.nn", reason="micrograd is not installed")
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]


def test_same_losses_as_micrograd_step_by_step():
    """micrograd's moons demo loop, unchanged, gives the same numbers here."""
    micrograd_engine = pytest.importorskip("micrograd.engine", reason="micrograd is not installed")
    micrograd_nn = pytest.importorskip("micrograd.nn", reason="micrograd is not installed")
    rng = random.Random(3)
    X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(20)]
    y = [1 if a * b > 0 else -1 for a, b in X]

    def run(Val, MLPcls):
        random.seed(1337)
        model = MLPcls(2, [8, 8, 1])
        losses = []
        for k in range(5):
            scores = [model([Val(a) for a in x]) for x in X]
            data_loss = sum((1 + -yi * s).relu() for yi, s in zip(y, scores)) * (1.0 / len(X))
            loss = data_loss + 1e-4 * sum(p * p for p in model.parameters())
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= (1.0 - 0.9 * k / 100) * p.grad
            losses.append(loss.data)
        return losses

    # Equal to rounding: micrograd sums a shared node's gradient terms in an
    # order that depends on a set's iteration order, so the last bits differ.
    assert run(Value, MLP) == pytest.approx(run(micrograd_engine.Value, micrograd_nn.MLP), rel=1e-12)


def test_rng_and_seed_leave_the_global_generator_alone():
    random.seed(5)
    before = random.random()
    random.seed(5)
    a = MLP(2, [4, 1], seed=7)
    b = MLP(2, [4, 1], rng=random.Random(7))
    assert random.random() == before
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    with pytest.raises(ValueError, match="rng or seed, not both"):
        MLP(2, [1], rng=random.Random(1), seed=1)


@pytest.mark.parametrize("activation", activation_names())  # every activation op of ops.py
def test_activations_apply_to_hidden_layers_and_the_output_is_linear(activation):
    model = MLP(2, [3, 1], activation=activation, seed=1)
    assert [n.activation for n in model.layers[0].neurons] == [activation] * 3
    assert model.layers[1].neurons[0].activation == "linear"
    h = model.layers[0]([0.3, -0.2])
    assert {v._op for v in h} == {"dot" if activation == "linear" else activation}


def test_a_neuron_is_one_dot_node_then_its_activation():
    n = Neuron(3, seed=0)
    out = n([1.0, 2.0, 3.0])
    assert out._op == "relu" and out._prev[0]._op == "dot"
    assert len(out._prev[0]._prev) == 3 + 3 + 1


def test_network_inputs_are_labelled_leaves_and_parameters_are_marked():
    model = MLP(2, [2, 1], seed=0)
    out = model([0.5, 0.25])
    leaves = [v for v in engine.topological_order(out) if not v._prev]
    assert all(v._op == "" for v in leaves)  # micrograd's leaves
    assert {v.label for v in leaves if v._role == ""} == {"x0", "x1"}
    params = [v for v in leaves if v._role == "param"]
    assert set(params) == set(model.parameters())
    assert model.parameters()[0].label == "L0.N0.w0"


def test_zero_grad_resets_parameters():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 1.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Neuron(0), "Neuron: nin must be a positive int, got 0"),
        (lambda: Layer(2, 0), "Layer: nout must be a positive int, got 0"),
        (lambda: MLP(2, []), "nouts must list at least one layer size"),
        (lambda: MLP(2, [3], activation="gelu"), "unknown activation 'gelu'"),
        (lambda: Neuron(2)([1.0]), "Neuron expects 2 inputs, got 1"),
    ],
)
def test_bad_shapes_and_names_are_refused_clearly(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_repr_reads_like_micrograd():
    assert repr(MLP(2, [1])) == "MLP of [Layer of [LinearNeuron(2)]]"
