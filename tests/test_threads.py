"""The engine from several threads at once (the explorer runs it from a
threaded server).

- `detect_anomaly()` holds in the thread that entered it only, as
  PyTorch's anomaly mode does.
- Two threads training at once get, bit for bit, the numbers each gets alone.
- `paused_gc()` blocks in several threads share one count: the collector
  comes back on when the last block ends, whatever the order.

The threads are made to overlap with barriers, not sleeps: each test
forces the interleaving it is about.
"""

from __future__ import annotations

import gc
import math
import threading

import pytest

from micrograd_scratch import MLP, AnomalyError, Value, detect_anomaly, fit, paused_gc, xor

TIMEOUT = 30  # seconds a barrier waits before the test fails instead of hanging
_barriers: list[threading.Barrier] = []


def barrier() -> threading.Barrier:
    """A two-thread barrier that run_threads breaks when a thread fails, so
    that the other thread stops waiting at once."""
    b = threading.Barrier(2, timeout=TIMEOUT)
    _barriers.append(b)
    return b


def run_threads(*targets):
    """Run each target in its own thread; re-raise the first exception."""
    errors = []

    def guarded(target):
        try:
            target()
        except BaseException as error:  # noqa: BLE001  (reported in the main thread)
            errors.append(error)
            for b in _barriers:
                b.abort()

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a thread is stuck"
    _barriers.clear()
    if errors:
        raise errors[0]


# ---- anomaly mode ----------------------------------------------------------------


def tiny_log():
    """log at a subnormal x: the forward is finite (-737), the gradient
    1/x overflows to inf."""
    x = Value(1e-320)
    return x, x.log()


def nan_sum():
    """inf + -inf: a NaN in the forward pass."""
    return Value(math.inf) + Value(-math.inf)


def test_anomaly_mode_holds_only_in_the_thread_that_entered_it():
    inside, outside = {}, {}
    entered = barrier()  # A is in the mode before B computes
    done = barrier()  # ...and stays in it until B has finished

    def thread_a():
        with detect_anomaly():
            entered.wait()
            try:
                nan_sum()
            except AnomalyError as error:
                inside["forward"] = str(error)
            x, y = tiny_log()
            try:
                y.backward()
            except AnomalyError as error:
                inside["backward"] = str(error)
            done.wait()

    def thread_b():
        entered.wait()
        outside["forward"] = nan_sum().data
        x, y = tiny_log()
        y.backward()
        outside["grad"] = x.grad
        done.wait()

    run_threads(thread_a, thread_b)
    assert "forward pass" in inside["forward"] and "nan" in inside["forward"]
    assert "backward pass" in inside["backward"] and "log" in inside["backward"]
    assert math.isnan(outside["forward"])
    assert outside["grad"] == math.inf
    # and the main thread was never in the mode
    assert math.isnan(nan_sum().data)


def test_a_thread_leaving_anomaly_mode_does_not_switch_it_off_elsewhere():
    """B leaves the mode while A is still in it: A still checks."""
    both_in = barrier()
    b_left = barrier()
    seen = {}

    def thread_a():
        with detect_anomaly():
            both_in.wait()
            b_left.wait()
            with pytest.raises(AnomalyError):
                nan_sum()
            seen["a"] = True

    def thread_b():
        with detect_anomaly():
            both_in.wait()
        seen["b"] = nan_sum().data  # outside now: no error
        b_left.wait()

    run_threads(thread_a, thread_b)
    assert seen["a"] is True and math.isnan(seen["b"])


# ---- training in two threads at once -------------------------------------------------


def train_xor(seed: int, gate=None):
    """An MLP learning XOR, full batch, fixed seed. `gate()` runs after each
    epoch (the other thread's turn)."""
    X, y = xor()
    targets = [2 * t - 1 for t in y]
    model = MLP(2, [8, 8, 1], activation="tanh", seed=seed)
    callback = (lambda epoch, loss: gate()) if gate else None
    losses = fit(model, X, targets, "mse", epochs=25, lr=0.05, callback=callback)
    return losses, [p.data for p in model.parameters()], [p.grad for p in model.parameters()]


def train_xor_by_hand(seed: int, gate=None):
    """micrograd's loop, written out: forward, zero_grad, backward, step."""
    X, y = xor()
    model = MLP(2, [6, 1], seed=seed)
    losses = []
    for k in range(25):
        loss = sum(((model(x) - t) ** 2 for x, t in zip(X, y)), Value(0.0)) / len(X)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
        losses.append(loss.data)
        if gate:
            gate()
    return losses, [p.data for p in model.parameters()], [p.grad for p in model.parameters()]


@pytest.mark.parametrize("train", [train_xor, train_xor_by_hand], ids=["fit", "by-hand"])
def test_two_threads_training_at_once_get_the_numbers_each_gets_alone(train):
    alone = {seed: train(seed) for seed in (1, 2)}
    assert alone[1][0] != alone[2][0]  # two different runs, not one run twice

    # Together: the barrier after every epoch keeps both threads mid-training
    # at the same time, epoch by epoch.
    lockstep = barrier()
    together = {}

    def worker(seed):
        def target():
            together[seed] = train(seed, gate=lockstep.wait)
        return target

    run_threads(worker(1), worker(2))
    for seed in (1, 2):
        losses, weights, grads = together[seed]
        assert losses == alone[seed][0], f"seed {seed}: the losses differ from training alone"
        assert weights == alone[seed][1], f"seed {seed}: the weights differ from training alone"
        assert grads == alone[seed][2], f"seed {seed}: the gradients differ from training alone"


def test_training_beside_a_thread_in_anomaly_mode_is_unchanged():
    """One thread trains inside detect_anomaly(), the other outside: same
    numbers as alone, and neither raises."""
    alone = {seed: train_xor(seed) for seed in (3, 4)}
    lockstep = barrier()
    together = {}

    def checked():
        with detect_anomaly():
            together[3] = train_xor(3, gate=lockstep.wait)

    def plain():
        together[4] = train_xor(4, gate=lockstep.wait)

    run_threads(checked, plain)
    assert together == alone


# ---- the garbage collector switch ------------------------------------------------------


@pytest.fixture
def gc_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.parametrize("first_out", ["A", "B"])
def test_paused_gc_from_two_threads_leaves_gc_enabled(gc_on, first_out):
    a_in = barrier()
    both_in = barrier()
    one_out = barrier()
    seen = {}

    def block(name):
        def target():
            if name == "B":
                a_in.wait()  # A enters first
            with paused_gc():
                if name == "A":
                    a_in.wait()
                both_in.wait()
                seen[f"{name} inside"] = gc.isenabled()
                if name != first_out:
                    one_out.wait()  # wait until the other has left its block
                    seen["while one block is still open"] = gc.isenabled()
            if name == first_out:
                one_out.wait()
        return target

    run_threads(block("A"), block("B"))
    assert seen == {"A inside": False, "B inside": False, "while one block is still open": False}
    assert gc.isenabled(), "paused_gc from two threads left the collector off"


def test_paused_gc_keeps_a_disabled_collector_disabled(gc_on):
    gc.disable()
    both_in = barrier()

    def target():
        with paused_gc():
            both_in.wait()

    run_threads(target, target)
    assert not gc.isenabled()
    gc.enable()


def test_paused_gc_comes_back_after_an_exception_in_one_thread(gc_on):
    both_in = barrier()

    def failing():
        with paused_gc():
            both_in.wait()
            raise ZeroDivisionError("in the block")

    def fine():
        with paused_gc():
            both_in.wait()

    with pytest.raises(ZeroDivisionError):
        run_threads(failing, fine)
    assert gc.isenabled()
