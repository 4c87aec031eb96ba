"""SGD (with momentum), Adam, LinearDecay and fit: the arithmetic, the
bookkeeping, determinism, divergence and bad arguments. (Reaching accuracy
thresholds is in test_training.py.)

Every update is pinned to the last bit: each test writes its formula out
and compares with `==`, in the order of operations the code uses, so a
wrong factor anywhere (a learning rate scaled by 0.99, a beta swapped, a
bias correction dropped) changes the bits and fails. torch.optim, when
installed, checks the formulas themselves, in float64 over several steps.
"""

from __future__ import annotations

import gc
import math
import random

import pytest

from micrograd_scratch.data import xor
from micrograd_scratch.engine import Value
from micrograd_scratch.losses import cross_entropy, l2, mse
from micrograd_scratch.nn import MLP, Module
from micrograd_scratch.optim import SGD, Adam, LinearDecay, TrainingDiverged, batch_order, fit


class Line(Module):
    """f(x) = w * x + b for one-number inputs [x]: small enough to check by hand."""

    def __init__(self, w: float = 0.0, b: float = 0.0):
        self.w, self.b = Value(w), Value(b)

    def __call__(self, x):
        return self.w * x[0] + self.b

    def parameters(self):
        return [self.w, self.b]


# ---- SGD ------------------------------------------------------------------------


def test_one_sgd_step_is_exactly_the_formula():
    # Mutation check: scaling SGD's update by 0.99 (p.data -= 0.99 * lr * p.grad)
    # makes a.data 0.9505 and b.data -1.604, and fails this test.
    a, b = Value(1.0), Value(-2.0)
    a.grad, b.grad = 0.5, -4.0
    opt = SGD([a, b], lr=0.1)
    opt.step()
    assert a.data == 1.0 - 0.1 * 0.5  # theta' = theta - eps * g
    assert b.data == -2.0 - 0.1 * -4.0
    assert a.grad == 0.5  # step does not reset gradients
    opt.zero_grad()
    assert a.grad == 0.0 and b.grad == 0.0


def test_two_momentum_steps_are_exactly_the_formula():
    # v' = mu * v + g, theta' = theta - eps * v' (PyTorch's form), v = 0 at first;
    # the second step is where the velocity matters
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = 0.5
    opt.step()
    v1 = 0.9 * 0.0 + 0.5
    theta1 = 1.0 - 0.1 * v1
    assert opt.velocities == [v1] and p.data == theta1
    p.grad = -0.25  # the gradient turned: the velocity still carries 0.9 * v1
    opt.step()
    v2 = 0.9 * v1 + -0.25
    assert opt.velocities == [v2] and p.data == theta1 - 0.1 * v2
    assert v2 == pytest.approx(0.2)  # not -0.25: plain SGD would have moved the other way


def test_momentum_zero_is_plain_sgd_bit_for_bit():
    rng = random.Random(0)
    grads = [[rng.uniform(-3, 3) for _ in range(4)] for _ in range(5)]
    plain, zero = [Value(0.5 * i) for i in range(4)], [Value(0.5 * i) for i in range(4)]
    opts = SGD(plain, lr=0.3), SGD(zero, lr=0.3, momentum=0.0)
    for g in grads:
        for params, opt in zip((plain, zero), opts):
            for p, gi in zip(params, g):
                p.grad = gi
            opt.step()
    assert [p.data for p in plain] == [p.data for p in zero]


def test_one_adam_step_and_a_second_are_exactly_the_formula():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    p = Value(1.0)
    opt = Adam([p], lr=lr)
    assert (opt.betas, opt.eps) == ((b1, b2), eps)  # PyTorch's defaults

    p.grad = 0.5
    opt.step()  # t = 1
    m1 = b1 * 0.0 + (1 - b1) * 0.5
    v1 = b2 * 0.0 + (1 - b2) * 0.5 * 0.5
    theta1 = 1.0 - lr * (m1 / (1 - b1**1)) / (math.sqrt(v1 / (1 - b2**1)) + eps)
    assert (opt.m, opt.v, opt.t) == ([m1], [v1], 1)
    assert p.data == theta1
    # bias-corrected, the first step is lr * g / (|g| + eps): about lr, whatever g's size
    assert p.data == pytest.approx(1.0 - lr)

    p.grad = -2.0
    opt.step()  # t = 2: the bias correction's exponent is now 2
    m2 = b1 * m1 + (1 - b1) * -2.0
    v2 = b2 * v1 + (1 - b2) * -2.0 * -2.0
    theta2 = theta1 - lr * (m2 / (1 - b1**2)) / (math.sqrt(v2 / (1 - b2**2)) + eps)
    assert (opt.m, opt.v, opt.t) == ([m2], [v2], 2)
    assert p.data == theta2


def test_one_linear_decay_step_is_exactly_the_formula():
    schedule = LinearDecay(0.5, 0.005, 40)
    k = 7
    rate = (1 - k / 40) * 0.5 + (k / 40) * 0.005  # eps_k = (1 - k/tau) eps_0 + (k/tau) eps_tau
    assert schedule(k) == rate
    # and fit uses it as the step's learning rate: with the loss f = w * 2 + b
    # the gradients are exactly 2 and 1, so the update is exactly the formula
    model = Line(1.0, 1.0)
    fit(model, [[2.0]], [0], lambda s, t: s[0], epochs=k + 1, schedule=schedule)
    w, b = 1.0, 1.0
    for step in range(k + 1):
        w, b = w - schedule(step) * 2.0, b - schedule(step) * 1.0
    assert (model.w.data, model.b.data) == (w, b)


def test_adam_follows_a_changing_learning_rate():
    # the schedule works as for SGD: opt.lr is read at every step
    a, b = Value(0.0), Value(0.0)
    fixed, changed = Adam([a], lr=0.1), Adam([b], lr=0.1)
    for lr in (0.1, 0.05, 0.025):
        a.grad = b.grad = 1.0
        changed.lr = lr
        fixed.step()
        changed.step()
    # g = 1 every step, so m^ = v^ = 1 and each step is lr / (1 + eps)
    assert a.data == pytest.approx(-0.3) and b.data == pytest.approx(-0.175)


# ---- against torch.optim --------------------------------------------------------

STEPS = 12


def _gradients(n: int) -> list[list[float]]:
    """STEPS rounds of gradients for n parameters, over five orders of magnitude."""
    rng = random.Random(1)
    return [[rng.uniform(-2, 2) * 10.0 ** rng.randint(-3, 2) for _ in range(n)] for _ in range(STEPS)]


def _against_torch(ours, theirs, torch) -> None:
    """Feed both optimizers the same gradients; the parameters must agree
    after every step."""
    params = ours.params
    tensor = theirs.param_groups[0]["params"][0]
    for step, grads in enumerate(_gradients(len(params))):
        if step == STEPS // 2:  # a schedule's change of rate, halfway
            ours.lr = theirs.param_groups[0]["lr"] = ours.lr / 3
        for p, g in zip(params, grads):
            p.grad = g
        tensor.grad = torch.tensor(grads, dtype=torch.float64)
        ours.step()
        theirs.step()
        # torch fuses some multiply-adds (and Adam's m uses lerp): equal to ~1e-15
        assert [p.data for p in params] == pytest.approx(tensor.detach().tolist(), rel=1e-12, abs=0)


def test_sgd_with_momentum_matches_torch():
    torch = pytest.importorskip("torch", reason="torch is not installed: no cross-check against torch.optim.SGD")
    start = [0.3, -1.2, 2.5, 0.0, -0.7]
    tensor = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    _against_torch(SGD([Value(x) for x in start], lr=0.05, momentum=0.9),
                   torch.optim.SGD([tensor], lr=0.05, momentum=0.9), torch)


def test_adam_matches_torch():
    torch = pytest.importorskip("torch", reason="torch is not installed: no cross-check against torch.optim.Adam")
    start = [0.3, -1.2, 2.5, 0.0, -0.7]
    tensor = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    _against_torch(Adam([Value(x) for x in start], lr=0.01),
                   torch.optim.Adam([tensor], lr=0.01), torch)


def test_adam_with_other_betas_matches_torch():
    torch = pytest.importorskip("torch", reason="torch is not installed: no cross-check against torch.optim.Adam")
    start = [1.0, -0.5, 0.25]
    tensor = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    _against_torch(Adam([Value(x) for x in start], lr=0.1, betas=(0.5, 0.9), eps=1e-3),
                   torch.optim.Adam([tensor], lr=0.1, betas=(0.5, 0.9), eps=1e-3), torch)


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


@pytest.mark.parametrize("momentum", [-0.1, 1.0, 1.5, float("nan")])
def test_sgd_refuses_a_bad_momentum(momentum):
    with pytest.raises(ValueError, match=r"SGD: momentum must be in \[0, 1\), got"):
        SGD([Value(1.0)], 0.1, momentum=momentum)


def test_adam_refuses_bad_arguments():
    with pytest.raises(ValueError, match="Adam: no parameters"):
        Adam([])
    with pytest.raises(TypeError, match="Adam: parameter 0 is a int, not a Value"):
        Adam([1])
    with pytest.raises(ValueError, match="Adam: lr must be a finite number > 0"):
        Adam([Value(1.0)], lr=0)
    with pytest.raises(ValueError, match=r"Adam: beta2 must be in \[0, 1\), got 1.0"):
        Adam([Value(1.0)], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match=r"betas must be a pair \(beta1, beta2\), got 0.9"):
        Adam([Value(1.0)], betas=0.9)
    with pytest.raises(ValueError, match="Adam: eps must be a finite number >= 0, got -1"):
        Adam([Value(1.0)], eps=-1)


def test_reprs():
    params = [Value(1.0), Value(2.0)]
    assert repr(SGD(params, 0.1)) == "SGD(2 parameters, lr=0.1)"
    assert repr(SGD(params, 0.1, momentum=0.9)) == "SGD(2 parameters, lr=0.1, momentum=0.9)"
    assert repr(Adam(params)) == "Adam(2 parameters, lr=0.001, betas=(0.9, 0.999), eps=1e-08)"


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
    # batch_order is the order fit takes (torch_bridge.fit_torch uses it too)
    epochs = batch_order(10, 4, seed=0)
    assert [sorted(b) for _ in range(2) for b in next(epochs)] == seen


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


def test_fit_momentum_is_sgd_with_momentum():
    X, y = xor()
    a, b = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=0)
    ha = fit(a, X, y, mse, epochs=5, lr=0.05, momentum=0.9)
    hb = fit(b, X, y, mse, epochs=5, optimizer=SGD(b.parameters(), 0.05, momentum=0.9))
    assert ha == hb
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    plain = fit(MLP(2, [4, 1], seed=0), X, y, mse, epochs=5, lr=0.05)
    assert plain != ha  # momentum did something


def test_fit_with_an_optimizer_steps_it_once_per_batch():
    class Counting:
        """Any object with step() and zero_grad() will do; no lr needed."""

        def __init__(self, params):
            self.sgd = SGD(params, 0.01)
            self.steps = self.zeroings = 0

        def step(self):
            self.steps += 1
            self.sgd.step()

        def zero_grad(self):
            self.zeroings += 1
            self.sgd.zero_grad()

    model = Line()
    opt = Counting(model.parameters())
    fit(model, [[float(i)] for i in range(5)], [1, 2, 3, 4, 5], mse, epochs=3, batch_size=2,
        optimizer=opt)
    assert opt.steps == opt.zeroings == 3 * 3  # batches of 2, 2, 1 in each of 3 epochs
    assert model.w.data != 0.0


def test_a_schedule_sets_the_given_optimizers_lr():
    model = Line()
    adam = Adam(model.parameters(), lr=1.0)  # the schedule overrides this lr, as fit's
    rates = []
    fit(model, [[1.0]], [1], mse, epochs=4, optimizer=adam,
        schedule=LinearDecay(0.1, 0.01, 3), callback=lambda e, l: rates.append(adam.lr))
    assert rates == [LinearDecay(0.1, 0.01, 3)(k) for k in range(4)]
    assert adam.t == 4


def test_a_diverging_optimizer_without_lr_is_reported():
    class Wild:
        def __init__(self, params):
            self.params = params

        def step(self):
            for p in self.params:
                p.data = math.inf

        def zero_grad(self):
            pass

    model = Line(1.0, 1.0)
    with pytest.raises(TrainingDiverged, match=r"^a parameter became NaN or infinite at epoch 1, step 1: lower") as info:
        fit(model, [[1.0]], [1], mse, epochs=3, optimizer=Wild(model.parameters()))
    assert info.value.lr is None


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
        (dict(epochs=1, momentum=1.0), ValueError, r"fit: momentum must be in \[0, 1\), got 1.0"),
        (dict(epochs=1, optimizer=object()), TypeError,
         r"fit: optimizer must have step\(\) and zero_grad\(\) methods"),
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


def test_an_optimizer_with_lr_or_momentum_given_to_fit_too_is_refused():
    # fit's lr and momentum configure the default SGD; with an optimizer they
    # would be silently ignored, so saying both is a one-line error
    model = Line()
    adam = Adam(model.parameters(), lr=0.01)
    with pytest.raises(ValueError) as info:
        fit(model, [[1.0]], [1], mse, epochs=1, lr=0.1, optimizer=adam)
    assert str(info.value) == (
        "fit: lr=0.1 and optimizer=Adam both set the learning rate; "
        "give lr to the optimizer (Adam(model.parameters(), lr=0.1))"
    )
    with pytest.raises(ValueError, match=r"^fit: momentum=0.9 is for the default SGD; with optimizer=Adam, give it"):
        fit(model, [[1.0]], [1], mse, epochs=1, momentum=0.9, optimizer=adam)
    assert adam.t == 0 and model.w.data == 0.0  # refused before any step


def test_an_optimizer_for_another_model_is_refused():
    model, other = Line(), Line()
    with pytest.raises(ValueError, match=r"optimizer's parameter 0 is not one of the model's \(was the optimizer built for another model\?\)"):
        fit(model, [[1.0]], [1], mse, epochs=1, optimizer=SGD(other.parameters(), 0.1))


def test_a_schedule_needs_an_optimizer_with_an_lr():
    class NoLr:
        def step(self):
            pass

        def zero_grad(self):
            pass

    with pytest.raises(TypeError, match="fit: a schedule sets optimizer.lr before each step, and NoLr has no lr"):
        fit(Line(), [[1.0]], [1], mse, epochs=1, optimizer=NoLr(), schedule=LinearDecay(0.1, 0.01, 2))


def test_a_model_without_parameters_is_refused():
    with pytest.raises(TypeError, match=r"model must have a parameters\(\) method"):
        fit(lambda x: Value(x[0]), [[1.0]], [1], mse, epochs=1)


def test_a_schedule_giving_zero_is_refused():
    with pytest.raises(ValueError, match=r"schedule\(0\) must be a finite number > 0"):
        fit(Line(), [[1.0]], [1], mse, epochs=1, schedule=lambda k: 0.0)
