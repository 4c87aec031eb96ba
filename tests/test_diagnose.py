"""diagnose(): a network's health per layer, and warnings that say what to try.

Networks are made dead or saturated on purpose, through their weights
alone (a neuron may have no bias), so the expected figures are known.
"""

from __future__ import annotations

import math

import pytest

from micrograd_scratch import MLP, diagnose, fit, moons, xor
from micrograd_scratch.diagnose import SATURATED, layer_weights
from micrograd_scratch.nn import activation_names


def set_weights(layer, value: float) -> None:
    for n in layer.neurons:
        for w in n.w:
            w.data = value
        if n.b is not None:
            n.b.data = 0.0


def test_a_network_made_dead_is_100_percent_dead_and_warned():
    model = MLP(2, [8, 1], seed=0)
    set_weights(model.layers[0], -1.0)  # -x1 - x2 <= 0 on every XOR point
    X, y = xor()
    d = diagnose(model, X, y, "mse")
    first = d.layers[0]
    assert (first.dead, first.units, first.dead_fraction) == (8, 8, 1.0)
    assert first.dead_units == list(range(8))
    assert first.grad == 0.0  # no gradient reaches a dead unit's weights
    assert d.layers[1].dead == 0  # the linear output cannot die
    assert len(d.warnings) == 1
    assert d.warnings[0].startswith("layer 1: 8 of 8 relu units are dead (0 on every example)")
    for advice in ("lower learning rate", "another seed", "more units", "another activation"):
        assert advice in d.warnings[0]
    assert "8 (100%)" in str(d)


def test_units_dead_from_the_start_are_told_to_start_again_not_to_slow_down():
    model = MLP(2, [8, 1], seed=0)
    set_weights(model.layers[0], -1.0)
    X, y = xor()
    d = diagnose(model, X, y, "mse", initial=[p.data for p in model.parameters()])
    assert d.layers[0].dead_from_start == 8
    advice = d.warnings[0].split("; ", 1)[1]
    assert advice.startswith("they were dead before the first step")
    assert advice.index("another seed") < advice.index("more units")
    assert "try a lower learning rate" not in advice


def test_units_killed_by_training_are_told_to_lower_the_rate_first():
    model = MLP(2, [8, 1], seed=0)
    initial = [p.data for p in model.parameters()]
    X, y = xor()
    assert diagnose(model, X, y, "mse").layers[0].dead == 1  # seven alive at the start
    set_weights(model.layers[0], -1.0)  # as a huge step leaves them
    d = diagnose(model, X, y, "mse", initial=initial)
    advice = d.warnings[0].split("; ", 1)[1]
    assert advice.startswith("1 of them were dead before the first step, and training killed 7")
    assert advice.split("try ", 1)[1].startswith("a lower learning rate")


def test_a_healthy_network_reports_nothing_dead_and_no_warning():
    X, y = moons(n=40)
    model = MLP(2, [8, 8, 1], seed=0)
    fit(model, X, y, "hinge", epochs=5, lr=0.05, batch_size=8)
    d = diagnose(model, X, y, "hinge", lr=0.05)
    assert [h.dead for h in d.layers] == [0, 0, 0]
    assert [h.saturated for h in d.layers] == [0, 0, 0]
    assert all(h.grad > 0 for h in d.layers)
    assert d.warnings == []
    assert "no warnings" in str(d)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_squashing_units_pushed_to_their_ends_are_saturated(activation):
    assert activation in activation_names()
    model = MLP(2, [4, 1], activation=activation, seed=0)
    set_weights(model.layers[0], 10.0)
    X, y = [[5.0, 5.0], [6.0, 7.0], [8.0, 5.5]], [0, 1, 0]  # inputs of 100 and more
    d = diagnose(model, X, y, "mse")
    assert (d.layers[0].saturated, d.layers[0].dead) == (4, 0)
    assert "4 of 4 %s units are saturated" % activation in d.warnings[0]
    # Near 0 the same units are steep, not saturated.
    set_weights(model.layers[0], 0.01)
    assert diagnose(model, X, y, "mse").layers[0].saturated == 0
    assert 0 < SATURATED < 1


def test_the_update_ratio_is_the_last_steps_change_over_the_weights():
    model = MLP(2, [4, 1], seed=0)
    X, y = xor()
    before = [p.data for p in model.parameters()]
    for w in layer_weights(model)[0]:
        w.data *= 1.5  # a step of half the weights' size, in layer 1 only
    d = diagnose(model, X, y, "mse", before=before)
    assert d.layers[0].update == pytest.approx(0.5 / 1.5)
    assert d.layers[1].update == 0.0
    assert any("changed its weights by 33% of their size" in w for w in d.warnings)
    # With lr instead, the step is plain SGD's on the whole data: lr * grad.
    d = diagnose(model, X, y, "mse", lr=0.1)
    grads = [w.grad for w in layer_weights(model)[1]]
    weights = [w.data for w in layer_weights(model)[1]]
    expected = 0.1 * math.hypot(*grads) / math.hypot(*weights)
    assert d.layers[1].update == pytest.approx(expected)
    assert diagnose(model, X, y, "mse").layers[0].update is None


def test_gradients_that_vanish_before_the_output_are_warned():
    model = MLP(2, [4, 4, 1], activation="tanh", seed=0)
    for w in layer_weights(model)[2]:
        w.data *= 1e-4  # the output passes almost nothing back to the hidden layers
    X, y = xor()
    d = diagnose(model, X, y, "mse")
    assert any(w.startswith("layer 1: its mean |grad| is") and "vanishing" in w
               for w in d.warnings)


def test_a_bad_call_is_one_line():
    with pytest.raises(ValueError, match="as many labels as points"):
        diagnose(MLP(2, [1], seed=0), [[0.0, 0.0]], [0, 1], "mse")
