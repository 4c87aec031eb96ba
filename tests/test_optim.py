"""SGD, LinearDecay and fit: the arithmetic, the bookkeeping, determinism,
divergence and bad arguments. (Reaching accuracy thresholds is in
test_training.py.)"""

from __future__ import annotations

import gc
import math

import pytest

from micrograd_scratch.data import xor
from micrograd_scratch.engine import Value
from micrograd_scratch.losses import cross_entropy, l2, mse
from micrograd_scratch.nn import MLP, Module
from micrograd_scratch.optim import SGD, LinearDecay, TrainingDiverged, fit


class Line(Module):
    """f(x) = w * x + b for one-number inputs [x]: small enough to check by hand."""

    def __init__(self, w: float = 0.0, b: float = 0.0):
        self.w, self.b = Value(w), Value(b)

    def __call__(self, x):
        return self.w * x[0] + self.b

    def parameters(self):
        return [self.w, self.b]


# ---- SGD ------------------------------------------------------------------------


def test_sgd_step_arithmetic():
    a, b = Value(1.0), Value(-2.0)
    a.grad, b.grad = 0.5, -4.0
    opt = SGD([a, b], lr=0.1)
    opt.step()
    assert a.data == pytest.approx(0.95) and b.data == pytest.approx(-1.6)
    assert a.grad == 0.5  # step does not reset gradients
    opt.zero_grad()
    assert a.grad == 0.0 and b.grad == 0.0


def test_sgd_lr_can_change_between_steps():
    a = Value(0.0)
    a.grad = 1.0
    opt = SGD([a], lr=1.0)
    opt.step()
    opt.lr = 0.25
    opt.step()
    assert a.data == -1.25


def test_sgd_takes_any_iterable_of_parameters():
    model = MLP(2, [3, 1], seed=0)
    assert SGD(iter(model.parameters()), 0.1).params == model.parameters()


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf")])
def test_sgd_refuses_a_bad_learning_rate(lr):
    with pytest.raises(ValueError, match="SGD: lr must be a finite number > 0"):
        SGD([Value(1.0)], lr)


def test_sgd_refuses_bad_parameters():
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], 0.1)
    with pytest.raises(TypeError, match="parameter 1 is a float, not a Value"):
        SGD([Value(1.0), 2.0], 0.1)
    with pytest.raises(TypeError, match="lr must be a number, got str"):
        SGD([Value(1.0)], "0.1")


# ---- LinearDecay -------------------------------------------------------------------


def test_linear_decay_values():
    schedule = LinearDecay(1.0, 0.01, 100)
    assert schedule(0) == 1.0
    assert schedule(50) == pytest.approx(0.505)  # halfway
    assert schedule(100) == 0.01
    assert schedule(200) == 0.01  # constant after tau
    assert schedule(1) == pytest.approx(0.99 * 1.0 + 0.01 * 0.01)


def test_linear_decay_is_micrograds_schedule():
    schedule = LinearDecay(1.0, 0.1, 100)
    assert all(schedule(k) == pytest.approx(1.0 - 0.9 * k / 100) for k in range(101))


def test_linear_decay_bad_arguments():
    with pytest.raises(ValueError, match="lr0 must be a finite number > 0"):
        LinearDecay(0, 0.1, 10)
    with pytest.raises(ValueError, match="lr_tau must be a finite number > 0"):
        LinearDecay(1.0, -0.1, 10)
    with pytest.raises(ValueError, match="tau must be a positive int"):
        LinearDecay(1.0, 0.1, 0)
    with pytest.raises(ValueError, match="step k must be an int >= 0"):
        LinearDecay(1.0, 0.1, 10)(-1)


# ---- fit: bookkeeping ------------------------------------------------------------------


def test_full_batch_step_matches_the_hand_computation():
    # J = mean((w x + b - t)^2) over x = 1, 2 with t = 1, 3; at w = b = 0:
    # dJ/dw = mean(2 (0 - t) x) = -7, dJ/db = mean(2 (0 - t)) = -4
    model = Line()
    history = fit(model, [[1.0], [2.0]], [1, 3], mse, epochs=1, lr=0.1)
    assert history == [pytest.approx((1 + 9) / 2)]  # the loss before the step
    assert model.w.data == pytest.approx(0.7) and model.b.data == pytest.approx(0.4)


def test_least_squares_on_xor_converges_to_the_talks_solution():
    # a linear model on XOR: w = 0, b = 0.5, f = 0.5 everywhere (convex)
    class Linear2(Module):
        def __init__(self):
            self.w, self.b = [Value(0.3), Value(-0.2)], Value(0.1)

        def __call__(self, x):
            return self.w[0] * x[0] + self.w[1] * x[1] + self.b

        def parameters(self):
            return self.w + [self.b]

    model = Linear2()
    X, y = xor()
    history = fit(model, X, y, mse, epochs=2000, lr=0.2)
    assert [w.data for w in model.w] == pytest.approx([0, 0], abs=1e-6)
    assert model.b.data == pytest.approx(0.5, abs=1e-6)
    assert history[-1] == pytest.approx(0.25)


def test_history_and_callback():
    seen = []
    model = MLP(2, [4, 1], seed=0)
    X, y = xor()
    history = fit(model, X, y, "mse", epochs=5, lr=0.05, callback=lambda e, l: seen.append((e, l)))
    assert len(history) == 5
    assert seen == list(zip(range(1, 6), history))
    assert all(isinstance(h, float) for h in history)


def test_minibatch_history_is_the_mean_over_examples():
    # batches of 3, 3 and 1: the epoch's loss weights each batch by its size
    batch_losses = []

    def recording_mse(scores, targets):
        out = mse(scores, targets)
        batch_losses.append((out.data, len(scores)))
        return out

    X = [[float(i)] for i in range(7)]
    y = [0.5 * i for i in range(7)]
    history = fit(Line(0.1, 0.0), X, y, recording_mse, epochs=1, lr=0.01, batch_size=3)
    assert [n for _, n in batch_losses] == [3, 3, 1]
    assert history[0] == pytest.approx(sum(l * n for l, n in batch_losses) / 7)


def test_minibatches_cover_every_example_once_per_epoch_in_a_seeded_order():
    def batches_of(seed):
        seen = []

        def recording(scores, targets):
            seen.append(sorted(t for t in targets))
            return mse(scores, targets)

        X = [[float(i)] for i in range(10)]
        fit(Line(), X, list(range(10)), recording, epochs=2, lr=1e-4, batch_size=4, seed=seed)
        return seen

    seen = batches_of(0)
    assert [len(b) for b in seen] == [4, 4, 2, 4, 4, 2]
    assert sorted(t for b in seen[:3] for t in b) == list(range(10))
    assert sorted(t for b in seen[3:] for t in b) == list(range(10))
    assert seen[:3] != seen[3:]  # reshuffled each epoch
    assert batches_of(0) == seen  # same seed, same batches
    assert batches_of(1) != seen


def test_full_batch_keeps_the_given_order():
    orders = []

    def recording(scores, targets):
        orders.append(list(targets))
        return mse(scores, targets)

    for batch_size in (None, 10, 50):
        fit(Line(), [[float(i)] for i in range(10)], list(range(10)), recording,
            epochs=1, lr=1e-4, batch_size=batch_size)
    assert orders == [list(range(10))] * 3


def test_fit_is_deterministic_given_seeds():
    def run():
        model = MLP(2, [4, 1], seed=3)
        X, y = xor()
        history = fit(model, X * 3, y * 3, mse, epochs=10, lr=0.05, batch_size=5, seed=11)
        return history, [p.data for p in model.parameters()]

    assert run() == run()


def test_minibatch_differs_from_full_batch_but_both_learn():
    X, y = xor()
    full = fit(MLP(2, [8, 1], seed=0), X, y, mse, epochs=150, lr=0.1)
    mini = fit(MLP(2, [8, 1], seed=0), X, y, mse, epochs=150, lr=0.1, batch_size=1)
    assert full != mini
    assert full[-1] < full[0] / 10 and mini[-1] < mini[0] / 10


def test_schedule_sets_each_steps_learning_rate():
    steps = []

    def schedule(k):
        steps.append(k)
        return 0.1

    fit(Line(), [[1.0], [2.0], [3.0]], [1, 2, 3], mse, epochs=2, batch_size=2, schedule=schedule)
    # one call to start the optimizer, then one per step: 2 batches x 2 epochs
    assert steps == [0, 0, 1, 2, 3]


def test_schedule_overrides_lr():
    a, b = Line(), Line()
    fit(a, [[1.0]], [1], mse, epochs=3, lr=0.5, schedule=LinearDecay(0.1, 0.01, 2))
    fit(b, [[1.0]], [1], mse, epochs=3, lr=0.1, schedule=LinearDecay(0.1, 0.01, 2))
    assert a.w.data == b.w.data


def test_l2_is_added_to_the_loss():
    X, y = [[1.0], [2.0]], [1, 3]
    plain = fit(Line(1.0, 1.0), X, y, mse, epochs=1, lr=0.1)
    decayed_model = Line(1.0, 1.0)
    decayed = fit(decayed_model, X, y, mse, epochs=1, lr=0.1, l2=0.5)
    assert decayed[0] == pytest.approx(plain[0] + 0.5 * (1 + 1))
    # the penalty's gradient 2 * 0.5 * p pulls both parameters towards 0:
    # w: 1 - 0.1 * (dJ/dw + 1), with dJ/dw = mean(2 (w x + b - t) x) = 1
    assert decayed_model.w.data == pytest.approx(1 - 0.1 * (1 + 1))


def test_cross_entropy_with_multi_output_model():
    X = [[-1.0, -1.0], [1.0, 1.0], [-1.5, -0.5], [0.5, 1.5]]
    y = [0, 1, 0, 1]
    model = MLP(2, [2], seed=0)
    history = fit(model, X, y, cross_entropy, epochs=50, lr=0.5)
    assert history[-1] < history[0] / 5


def test_gc_is_paused_inside_and_restored_after():
    states = []
    fit(Line(), [[1.0]], [1], mse, epochs=2, lr=0.1, callback=lambda e, l: states.append(gc.isenabled()))
    assert states == [False, False]
    assert gc.isenabled()


# ---- fit: divergence -----------------------------------------------------------


def test_a_huge_learning_rate_raises_training_diverged():
    X, y = xor()
    seen = []
    with pytest.raises(TrainingDiverged) as info:
        fit(MLP(2, [4, 1], seed=0), X, y, mse, epochs=100, lr=1e6,
            callback=lambda e, l: seen.append(l))
    err = info.value
    assert isinstance(err, ValueError)
    message = str(err)
    assert "infinite" in message or "NaN" in message
    assert f"at epoch {err.epoch}, step {err.step} (lr=1000000.0)" in message
    assert "lower the learning rate" in message
    assert err.epoch > 1 and err.lr == 1e6
    # training stopped at once: no NaN or inf was ever reported as a loss
    assert len(seen) == err.epoch - 1
    assert all(math.isfinite(l) for l in seen)


def test_nan_loss_is_reported_as_nan():
    # an input of NaN poisons the first forward pass
    with pytest.raises(TrainingDiverged, match=r"loss became NaN at epoch 1, step 1 .*check the data"):
        fit(Line(), [[float("nan")]], [1], mse, epochs=3, lr=0.1)


def test_a_parameter_overflowing_in_the_update_is_caught():
    # the loss (1e150**2 = 1e300) and its gradient are finite, lr * grad is not
    with pytest.raises(TrainingDiverged, match="a parameter became NaN or infinite at epoch 1, step 1"):
        fit(Line(), [[1.0]], [1e150], mse, epochs=1, lr=1e300)


# ---- fit: bad arguments ----------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(epochs=0), ValueError, "epochs must be a positive int, got 0"),
        (dict(epochs=2.5), ValueError, "epochs must be a positive int"),
        (dict(epochs=1, lr=0), ValueError, "fit: lr must be a finite number > 0"),
        (dict(epochs=1, lr=-1), ValueError, "fit: lr must be a finite number > 0"),
        (dict(epochs=1, batch_size=0), ValueError, "batch_size must be a positive int or None"),
        (dict(epochs=1, l2=-1), ValueError, "l2 must be a finite number >= 0"),
        (dict(epochs=1, schedule=0.1), TypeError, "schedule must be a function"),
        (dict(epochs=1, callback="print"), TypeError, "callback must be a function"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        fit(Line(), [[1.0]], [1], mse, **kwargs)


def test_bad_data_and_loss():
    with pytest.raises(ValueError, match="2 examples in X but 1 targets in y"):
        fit(Line(), [[1.0], [2.0]], [1], mse, epochs=1)
    with pytest.raises(ValueError, match="no training examples"):
        fit(Line(), [], [], mse, epochs=1)
    with pytest.raises(ValueError, match="unknown loss 'l1'; choose one of mse, bce, hinge, cross_entropy"):
        fit(Line(), [[1.0]], [1], "l1", epochs=1)
    with pytest.raises(TypeError, match="loss function must return a Value, got float"):
        fit(Line(), [[1.0]], [1], lambda s, t: 0.5, epochs=1)


def test_a_model_without_parameters_is_refused():
    with pytest.raises(TypeError, match=r"model must have a parameters\(\) method"):
        fit(lambda x: Value(x[0]), [[1.0]], [1], mse, epochs=1)


def test_a_schedule_giving_zero_is_refused():
    with pytest.raises(ValueError, match=r"schedule\(0\) must be a finite number > 0"):
        fit(Line(), [[1.0]], [1], mse, epochs=1, schedule=lambda k: 0.0)
