"""Training end to end, with fixed seeds: each model reaches the accuracy a
user would expect on each data set. (The seeds are fixed for
reproducibility; each setting was checked to pass with the model seeds 0
to 4 as well, so no test depends on one lucky seed.)"""

from __future__ import annotations

import pytest

from micrograd_scratch import (
    MLP,
    SGD,
    Adam,
    LinearDecay,
    bce_with_logits,
    blobs,
    cross_entropy,
    fit,
    hinge,
    moons,
    mse,
    noisy_xor,
    xor,
)


def accuracy(model, X, y, threshold: float) -> float:
    """Share of examples whose score is on the right side of threshold."""
    return sum((model(x).data > threshold) == (t == 1) for x, t in zip(X, y)) / len(y)


def argmax_accuracy(model, X, y) -> float:
    """Share of examples whose largest logit is the right class."""
    def predict(x):
        logits = model(x)
        return max(range(len(logits)), key=lambda i: logits[i].data)

    return sum(predict(x) == t for x, t in zip(X, y)) / len(y)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_learns_xor_with_mse(seed):
    X, y = xor()
    model = MLP(2, [8, 1], seed=seed)
    history = fit(model, X, y, mse, epochs=300, lr=0.1)
    assert history[-1] < 0.01
    assert accuracy(model, X, y, 0.5) == 1.0


def test_mlp_learns_xor_with_bce():
    X, y = xor()
    model = MLP(2, [8, 1], seed=0)
    fit(model, X, y, bce_with_logits, epochs=300, lr=0.5)
    assert accuracy(model, X, y, 0.0) == 1.0


def test_mlp_learns_xor_with_pure_sgd_and_hinge():
    X, y = xor()
    model = MLP(2, [8, 1], seed=0)
    fit(model, X, y, hinge, epochs=100, lr=0.1, batch_size=1, seed=0)
    assert accuracy(model, X, y, 0.0) == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_learns_xor_with_adam(seed):
    X, y = xor()
    model = MLP(2, [8, 1], seed=seed)
    history = fit(model, X, y, mse, epochs=200, optimizer=Adam(model.parameters(), lr=0.03))
    assert history[-1] < 0.01
    assert accuracy(model, X, y, 0.5) == 1.0


def test_momentum_gets_further_than_plain_sgd_in_the_same_steps():
    # 100 full-batch steps at lr 0.05: plain SGD ends at loss 0.007 to 0.1
    # (seeds 0 to 4), with momentum 0.9 below 2e-5
    X, y = xor()
    plain = fit(MLP(2, [8, 1], seed=0), X, y, mse, epochs=100, lr=0.05)
    model = MLP(2, [8, 1], seed=0)
    heavy = fit(model, X, y, mse, epochs=100, optimizer=SGD(model.parameters(), 0.05, momentum=0.9))
    assert heavy[-1] < 1e-3 < plain[-1]
    assert accuracy(model, X, y, 0.5) == 1.0


def test_a_linear_model_cannot_learn_xor():
    # MLP(2, [1]) is w.x + b: least squares ends at f = 0.5 everywhere
    X, y = xor()
    model = MLP(2, [1], seed=0)
    history = fit(model, X, y, mse, epochs=1000, lr=0.1)
    assert history[-1] == pytest.approx(0.25, abs=1e-4)
    assert [model(x).data for x in X] == pytest.approx([0.5] * 4, abs=0.02)


def test_moons_with_hinge_and_l2_like_micrograds_demo():
    X, y = moons(n=100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    history = fit(model, X, y, hinge, epochs=50, l2=1e-4, schedule=LinearDecay(1.0, 0.1, 50))
    assert history[-1] < history[0] / 10
    assert accuracy(model, X, y, 0.0) >= 0.95


def test_blobs_with_softmax_cross_entropy():
    X, y = blobs(n=100, seed=0)
    model = MLP(2, [8, 2], seed=0)
    history = fit(model, X, y, cross_entropy, epochs=20, lr=0.1)
    assert history[-1] < 0.1
    assert argmax_accuracy(model, X, y) == 1.0


def test_noisy_xor_minibatch_sgd_beats_full_batch_for_the_same_work():
    # 20 passes over 200 points each: 20 full-batch steps against 400 minibatch steps
    X, y = noisy_xor(n=200, noise=0.25, seed=0)
    full = MLP(2, [8, 8, 1], seed=0)
    full_history = fit(full, X, y, bce_with_logits, epochs=20, schedule=LinearDecay(0.5, 0.05, 20))
    mini = MLP(2, [8, 8, 1], seed=0)
    mini_history = fit(
        mini, X, y, bce_with_logits, epochs=20, batch_size=10, seed=0,
        schedule=LinearDecay(0.5, 0.005, 400),
    )
    assert mini_history[-1] < full_history[-1]
    assert accuracy(mini, X, y, 0.0) >= 0.9  # the noise makes ~5% of the points unlearnable
    assert accuracy(mini, X, y, 0.0) > accuracy(full, X, y, 0.0)
