"""gradcheck: passes correct gradients, catches wrong ones, explains misuse."""

from __future__ import annotations

import math

import pytest

from micrograd_scratch.engine import Value
from micrograd_scratch.gradcheck import GradcheckResult, gradcheck


def test_correct_gradients_pass():
    result = gradcheck(lambda a, b: (a * b + a.tanh()) / b.exp(), [0.3, -1.2])
    assert isinstance(result, GradcheckResult)
    assert result.ok
    assert result.max_rel_error < 1e-6
    a, b = 0.3, -1.2
    expected_da = (b + 1 - math.tanh(a) ** 2) / math.exp(b)
    assert result.analytic[0] == pytest.approx(expected_da)
    assert result.numeric[0] == pytest.approx(expected_da, rel=1e-6)


def _wrong_square(x: Value) -> Value:
    """x**2 with deliberately wrong local derivatives: d/dx = x instead of 2x."""
    out = x * x
    out._local_grads = (x.data * 0.5, x.data * 0.5)  # the numbers x * x stores, halved
    return out


def test_a_wrong_backward_rule_is_caught():
    result = gradcheck(lambda x, y: _wrong_square(x) + y, [1.5, 2.0])
    assert not result.ok
    assert result.analytic == pytest.approx([1.5, 1.0])
    assert result.numeric == pytest.approx([3.0, 1.0], rel=1e-6)
    assert result.max_rel_error == pytest.approx(0.5, rel=1e-6)
    assert "MISMATCH: backward() at x0, grad() at x0" in str(result)
    assert "x0: backward() 1.5, grad() 1.5, finite differences 3" in str(result)


def test_error_is_absolute_below_one_and_relative_above():
    # a gradient of 0 computed exactly: no division by zero, error 0
    assert gradcheck(lambda x, y: x + y * 0, [1.0, 2.0]).analytic == [1.0, 0.0]
    # a large gradient (3 * 100**2 = 30000): rounding in the numeric slope is
    # judged relative to 30000, so the check passes
    assert gradcheck(lambda x: x**3, [100.0]).ok


def test_rtol_decides():
    # eps = 0.1 makes the central difference of x**3 off by eps**2 = 0.01
    loose = gradcheck(lambda x: x**3, [0.5], eps=0.1, rtol=0.02)
    strict = gradcheck(lambda x: x**3, [0.5], eps=0.1, rtol=1e-5)
    assert loose.ok and not strict.ok
    assert loose.max_rel_error == pytest.approx(0.01)


def test_inputs_may_be_values_and_are_left_alone():
    a = Value(2.0)
    result = gradcheck(lambda x: x * x, [a])
    assert result.ok and result.analytic == [4.0]
    assert a.data == 2.0 and a.grad == 0.0


def test_f_returning_an_input_itself():
    assert gradcheck(lambda x: x, [3.0]).analytic == [1.0]


def test_nan_gradient_fails():
    def f(x):
        out = x * 2
        out._local_grads = (math.nan, math.nan)
        return out

    result = gradcheck(f, [1.0])
    assert not result.ok and math.isnan(result.max_rel_error)


def test_f_must_return_a_value():
    with pytest.raises(TypeError, match="f must return a Value, got float"):
        gradcheck(lambda x: x.data * 2, [1.0])


def test_bad_arguments():
    with pytest.raises(ValueError, match="no inputs"):
        gradcheck(lambda: Value(1.0), [])
    with pytest.raises(TypeError, match="input 1 must be a number or a Value, got str"):
        gradcheck(lambda x, y: x * y, [1.0, "2"])
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        gradcheck(lambda x: x, [1.0], eps=0)
    with pytest.raises(ValueError, match="rtol must be a finite number > 0"):
        gradcheck(lambda x: x, [1.0], rtol=-1)


def test_a_micrograd_closure_is_checked_through_both_settings_of_the_loop():
    # An op written micrograd's way, with a wrong derivative (cos where -sin
    # belongs): backward() and grad() both run it through the one loop, and
    # gradcheck says where they disagree with finite differences.
    def bad_cos(x):
        out = Value(math.cos(x.data), (x,), "cos")

        def _backward():
            x.grad += math.cos(x.data) * out.grad

        out._backward = _backward
        return out

    result = gradcheck(lambda x: bad_cos(x) * 2, [0.3])
    assert not result.ok
    assert result.mismatches == ["backward() at x0", "grad() at x0"]
    assert result.analytic[0] == pytest.approx(2 * math.cos(0.3))
    assert result.via_grad == result.analytic
