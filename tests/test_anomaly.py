"""Anomaly mode: `with detect_anomaly():` stops at the first op whose result
or gradient is NaN or infinite, and says which op, on which inputs, in
which pass; outside the block nothing changes."""

from __future__ import annotations

import math
import re

import pytest

import micrograd_scratch as ms
from micrograd_scratch import AnomalyError, MLP, Value, detect_anomaly, dot, grad, total

INF, NAN = math.inf, math.nan


def test_anomaly_error_is_an_arithmetic_error_exported_from_the_package():
    assert issubclass(ms.AnomalyError, ArithmeticError)
    assert ms.detect_anomaly is detect_anomaly


# ---- the forward pass -------------------------------------------------------


@pytest.mark.parametrize(
    "make, op, inputs",
    [
        (lambda: Value(1e200, label="a") * Value(1e200, label="b"), r"\*", r"a=1e\+200, b=1e\+200"),
        (lambda: Value(INF, label="a") + Value(-INF, label="b"), r"\+", r"a=inf, b=-inf"),
        (lambda: Value(NAN, label="a").tanh(), "tanh", "a=nan"),
        (lambda: Value(NAN, label="a").sigmoid(), "sigmoid", "a=nan"),
        (lambda: Value(INF, label="a").relu(), "relu", "a=inf"),
        (lambda: Value(INF, label="a").log(), "log", "a=inf"),
        (lambda: Value(-INF, label="a").exp() * INF, r"\*", r"0\.0, inf"),
        (lambda: dot([Value(1e300, label="w")], [Value(1e10, label="x")]), "dot", r"w=1e\+300, x=10000000000\.0"),
        (lambda: total([Value(1.7e308, label="p"), 1.7e308]), "total", r"p=1\.7e\+308, 1\.7e\+308"),
        (lambda: Value(2.0, label="a") ** Value(NAN, label="n"), r"\*\*", "a=2.0, n=nan"),
    ],
    ids=["mul overflow", "inf - inf", "tanh", "sigmoid", "relu", "log", "0 * inf", "dot", "total", "pow"],
)
def test_a_bad_result_is_stopped_at_the_op_that_made_it(make, op, inputs):
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        make()
    message = str(caught.value)
    assert re.search(f"forward pass: {op} gave", message), message
    assert re.search(inputs, message), message
    assert "\n" not in message


def test_the_first_op_is_named_not_the_ones_the_nan_flows_into():
    x = Value(NAN, label="x")
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"forward pass: tanh gave nan from inputs \(x=nan\)"):
        y = x.tanh()  # the first op with a NaN result
        (y * 2 + 1).exp()


def test_a_network_names_the_parameter_that_blew_up():
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[1].w[0].data = 1e200
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        model([1e200, 1.0])
    message = str(caught.value)
    assert "forward pass: dot gave inf" in message
    assert "L0.N1.w0=1e+200" in message


def test_overflows_the_engine_always_refuses_are_still_arithmetic_errors_inside_the_block():
    """exp and pow overflow raise their own clear errors, on or off."""
    with detect_anomaly():
        with pytest.raises(ArithmeticError, match=r"exp\(1000\.0\)"):
            Value(1000.0).exp()
        with pytest.raises(ArithmeticError, match=r"pow: 1e\+200 \*\* 2"):
            Value(1e200) ** 2


# ---- the backward pass ------------------------------------------------------


def test_a_gradient_that_overflows_names_the_op_its_inputs_and_the_backward_pass():
    x = Value(1e-320, label="x")
    y = x.log()  # finite: about -737
    y.label = "y"
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        y.backward()
    message = str(caught.value)
    assert "backward pass: log (node 'y') gave a gradient of inf" in message
    assert "(x=1e-320)" in message
    assert "forward" not in message


def test_the_backward_check_also_guards_grad():
    x = Value(1e-320, label="x")
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"backward pass: log gave a gradient of inf"):
        grad(x.log(), [x])


def test_the_first_overflowing_gradient_stops_the_pass_before_it_reaches_the_leaves():
    x = Value(1e-300, label="x")
    y = x * 1e308  # 1e8
    y.label = "y"
    z = y * 1e-300
    loss = z * 1e308  # forward: 1e8 -> 1e-292 -> 1e16, all finite
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"backward pass: \* gave a gradient of inf"):
        loss.backward()
    assert x.grad == 0.0  # nothing was written before the error


def test_two_finite_gradient_terms_that_overflow_when_added_are_caught_at_an_op_node():
    x = Value(1e-300, label="x")
    y = x * 1.0
    y.label = "y"
    loss = y * 1e308 + y * 1e308  # y's gradient is 1e308 + 1e308 = inf
    # Caught at the second product, whose term makes y's gradient overflow.
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"backward pass: \* gave a gradient of inf for its input #0 from inputs \(y=1e-300, 1e\+308\)"):
        loss.backward()


def test_two_finite_gradient_terms_that_overflow_at_a_leaf_are_caught():
    x = Value(1e-300, label="x")
    loss = x * 1e308 + x * 1e308
    with detect_anomaly(), pytest.raises(AnomalyError):
        loss.backward()


# ---- off by default, and nothing changes when nothing goes wrong ------------


def test_off_by_default_nan_and_inf_flow_silently_as_in_plain_floats():
    y = Value(1e200) * 1e200
    assert y.data == INF
    z = y - y
    assert math.isnan(z.data)
    x = Value(1e-320)
    x.log().backward()
    assert x.grad == INF


def test_leaving_the_block_switches_it_off_even_after_an_error():
    with pytest.raises(AnomalyError):
        with detect_anomaly():
            Value(INF).relu()
    assert (Value(1e200) * 1e200).data == INF  # off again


def test_nested_blocks_stay_on_until_the_outer_one_ends():
    with detect_anomaly():
        with detect_anomaly():
            pass
        with pytest.raises(AnomalyError):
            Value(INF).relu()
    assert Value(INF).relu().data == INF


def test_gradients_are_the_same_bit_for_bit_with_the_mode_on():
    model = MLP(3, [8, 8, 1], activation="tanh", seed=1)
    X = [[0.1, -0.5, 2.0], [1.0, 0.3, -0.2], [-1.5, 0.0, 0.7]]

    def gradients():
        model.zero_grad()
        ms.mse([model(x) for x in X], [1.0, -1.0, 0.5]).backward()
        return [p.grad for p in model.parameters()]

    plain = gradients()
    with detect_anomaly():
        checked = gradients()
    assert [g.hex() for g in checked] == [g.hex() for g in plain]
    assert any(g != 0.0 for g in plain)


def test_leaves_still_accumulate_inside_the_block():
    x = Value(3.0)
    with detect_anomaly():
        (x * x).backward()
        (x * x).backward()
    assert x.grad == 12.0


def test_create_graph_inside_the_block_still_gives_second_derivatives():
    x = Value(2.0)
    with detect_anomaly():
        (g,) = grad(x**3, [x], create_graph=True)
        (h,) = grad(g, [x])
    assert (g.data, h) == (12.0, 12.0)
