"""divergence.py in the library (the command line's use of it is in
test_cli_truth.py): DivergenceCheck stops fit on each of its three signs,
says where and what to try, and starting_loss reads a loss by name."""

from __future__ import annotations

import math

import pytest

from micrograd_scratch import MLP, DivergenceCheck, DivergenceError, TrainingDiverged, fit, xor
from micrograd_scratch.divergence import starting_loss


def test_growth_past_the_factor_stops_with_the_epoch_and_a_tenth_of_the_rate():
    check = DivergenceCheck(2.0, factor=10, lr=0.5)
    check(1, 19.0)  # below 10 x the start: goes on
    with pytest.raises(DivergenceError) as caught:
        check(2, 21.0)
    error = caught.value
    assert isinstance(error, TrainingDiverged)  # one except catches fit's own too
    assert (error.epoch, error.loss, error.start, error.lr, error.step) == (2, 21.0, 2.0, 0.5, None)
    assert "grew from 2 to 21" in str(error) and "try a tenth: 0.05" in str(error)


def test_nan_stops_even_with_the_check_off_and_a_run_that_ends_above_its_start_stops():
    with pytest.raises(DivergenceError, match="became NaN at epoch 3"):
        DivergenceCheck(1.0, factor=0)(3, math.nan)
    DivergenceCheck(1.0, factor=0, epochs=2)(2, 5.0)  # off: no end-of-run check either
    with pytest.raises(DivergenceError, match="after 2 epochs .* still above its start"):
        DivergenceCheck(1.0, epochs=2)(2, 1.5)


def test_the_end_of_run_check_reads_the_loss_after_the_last_update():
    # The last epoch's mean (0.5) is below the start; the update that
    # followed it took the loss to 3.0, and to inf.
    with pytest.raises(DivergenceError, match="after 2 epochs the loss 3 is still above its start"):
        DivergenceCheck(1.0, epochs=2, final=lambda: 3.0)(2, 0.5)
    with pytest.raises(DivergenceError, match="became infinite after the last step"):
        DivergenceCheck(1.0, factor=0, epochs=2, final=lambda: math.inf)(2, 0.5)
    DivergenceCheck(1.0, epochs=2, final=lambda: 0.4)(2, 0.5)  # learned: goes on


def test_a_factor_of_one_or_less_is_refused():
    with pytest.raises(ValueError, match="above 1"):
        DivergenceCheck(1.0, factor=0.5)


def test_fit_with_the_check_stops_a_rate_far_too_large():
    X, y = xor()
    model = MLP(2, [4, 1], seed=0)
    start = starting_loss(model, X, y, "mse")
    check = DivergenceCheck(start, factor=100, epochs=50, lr=50.0)
    with pytest.raises(TrainingDiverged):  # the check, or fit's own NaN check first
        fit(model, X, y, "mse", epochs=50, lr=50.0, callback=check)


def test_starting_loss_takes_a_name_and_refuses_an_unknown_one_in_one_line():
    X, y = xor()
    model = MLP(2, [4, 1], seed=0)
    assert starting_loss(model, X, y, "mse") == pytest.approx(
        sum((model(x).data - t) ** 2 for x, t in zip(X, y)) / len(X))
    with pytest.raises(ValueError, match="starting_loss: unknown loss 'msee'; choose one of mse"):
        starting_loss(model, X, y, "msee")


def test_rate_that_holds_returns_the_first_lower_rate_that_does_not_diverge():
    from micrograd_scratch.divergence import rate_that_holds
    tried = []

    def attempt(rate):
        tried.append(rate)
        if rate > 0.02:
            raise TrainingDiverged("too fast", epoch=1, step=1, lr=rate)

    assert rate_that_holds(attempt, 10.0) == pytest.approx(0.01)
    assert tried == pytest.approx([1.0, 0.1, 0.01])
    assert rate_that_holds(attempt, 1e6, tries=2) is None  # 1e5 and 1e4 both diverge
