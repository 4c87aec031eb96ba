"""The engine: every op against finite differences and PyTorch, the graph's
structure (shared nodes, deep chains, wide sums, no cycles), accumulation,
and the errors a user sees for bad input."""

from __future__ import annotations

import gc
import math
import weakref

import pytest

from micrograd_scratch import Value, dot, grad, ops, topological_order, total
from micrograd_scratch.engine import AnomalyError, detect_anomaly


def numeric_grads(f, xs, eps=1e-6):
    """Central differences of f (a function of floats wrapped in Values)."""
    out = []
    for i in range(len(xs)):
        up = list(xs)
        down = list(xs)
        up[i] += eps
        down[i] -= eps
        f_up = f(*[Value(v) for v in up]).data
        f_down = f(*[Value(v) for v in down]).data
        out.append((f_up - f_down) / (2 * eps))
    return out


def analytic_grads(f, xs):
    vs = [Value(v) for v in xs]
    f(*vs).backward()
    return [v.grad for v in vs]


# (name, function of Values, a point where it is smooth)
OPS = [
    ("add", lambda a, b: a + b, [1.5, -2.0]),
    ("radd", lambda a: 3 + a, [0.5]),
    ("sub", lambda a, b: a - b, [1.5, -2.0]),
    ("rsub", lambda a: 3 - a, [0.5]),
    ("mul", lambda a, b: a * b, [1.5, -2.0]),
    ("rmul", lambda a: 3 * a, [0.5]),
    ("div", lambda a, b: a / b, [1.5, -2.0]),
    ("rdiv", lambda a: 3 / a, [0.5]),
    ("neg", lambda a: -a, [0.5]),
    ("pow_int", lambda a: a**3, [-1.3]),
    ("pow_float", lambda a: a**2.5, [1.3]),
    ("pow_negative", lambda a: a**-2, [0.7]),
    ("pow_value", lambda a, b: a**b, [1.3, 2.2]),
    ("rpow", lambda a: 2**a, [0.7]),
    ("exp", lambda a: a.exp(), [0.3]),
    ("log", lambda a: a.log(), [0.3]),
    ("tanh", lambda a: a.tanh(), [0.3]),
    ("sigmoid", lambda a: a.sigmoid(), [-0.4]),
    ("relu_on", lambda a: a.relu(), [0.4]),
    ("relu_off", lambda a: a.relu(), [-0.4]),
    ("dot", lambda a, b, c, d: dot([a, b], [c, d], 0.5), [0.3, -1.2, 2.0, 0.7]),
    ("dot_bias", lambda a, b, c: dot([a], [b], c), [0.3, -1.2, 2.0]),
    ("total", lambda a, b, c: total([a, b, c, a]), [0.3, -1.2, 2.0]),
    ("composite", lambda a, b: ((a * b).tanh() + (a / b).exp() - b**2).sigmoid(), [0.5, 1.5]),
]


@pytest.mark.parametrize("name, f, xs", OPS, ids=[op[0] for op in OPS])
def test_every_op_matches_central_differences(name, f, xs):
    for a, n in zip(analytic_grads(f, xs), numeric_grads(f, xs)):
        assert a == pytest.approx(n, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name, f, xs", OPS, ids=[op[0] for op in OPS])
def test_every_op_matches_pytorch(name, f, xs):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: cross-check skipped")

    class T:  # lets the same lambdas run on tensors
        def __init__(self, t):
            self.t = t

    ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in xs]
    if name.startswith("dot"):
        ins = ts
        expected = (
            ins[0] * ins[2] + ins[1] * ins[3] + 0.5 if name == "dot" else ins[0] * ins[1] + ins[2]
        )
    elif name == "total":
        expected = ts[0] + ts[1] + ts[2] + ts[0]
    else:
        expected = f(*[_TorchValue(t, torch) for t in ts]).t
    expected.backward()
    vs = [Value(v) for v in xs]
    out = f(*vs)
    out.backward()
    assert out.data == pytest.approx(expected.item(), rel=1e-12)
    for v, t in zip(vs, ts):
        assert v.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-15)


class _TorchValue:
    """A tensor dressed as a Value, so the lambdas above run unchanged:
    x.tanh() calls the torch function that ops.OPS["tanh"] names."""

    def __init__(self, t, torch):
        self.t, self.torch = t, torch

    def _w(self, x):
        return x.t if isinstance(x, _TorchValue) else x

    def _r(self, t):
        return _TorchValue(t, self.torch)

    def __getattr__(self, name):  # an op's method: its torch counterpart, from ops.py
        from micrograd_scratch.torch_bridge import torch_function

        function = torch_function(name)
        return lambda: self._r(function(self.t))

    __add__ = lambda s, o: s._r(s.t + s._w(o))
    __radd__ = lambda s, o: s._r(s._w(o) + s.t)
    __sub__ = lambda s, o: s._r(s.t - s._w(o))
    __rsub__ = lambda s, o: s._r(s._w(o) - s.t)
    __mul__ = lambda s, o: s._r(s.t * s._w(o))
    __rmul__ = lambda s, o: s._r(s._w(o) * s.t)
    __truediv__ = lambda s, o: s._r(s.t / s._w(o))
    __rtruediv__ = lambda s, o: s._r(s._w(o) / s.t)
    __pow__ = lambda s, o: s._r(s.t ** s._w(o))
    __rpow__ = lambda s, o: s._r(s._w(o) ** s.t)
    __neg__ = lambda s: s._r(-s.t)


# ---- structure ------------------------------------------------------------


def test_a_times_a_keeps_both_edges():
    a = Value(3.0)
    b = a * a
    assert b._prev == (a, a)
    b.backward()
    assert a.grad == 6.0


def test_reused_nodes_add_their_gradients():
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0


def test_inputs_are_kept_in_argument_order():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert (a - b)._prev[0] is a
    assert (b * a)._prev == (b, a)
    assert [n.label for n in topological_order(a * b)][:2] == ["a", "b"]


def test_topological_order_puts_inputs_first_and_root_last():
    x = Value(0.5)
    y = (x * 2 + x).tanh() * x
    order = topological_order(y)
    position = {node: i for i, node in enumerate(order)}
    assert order[-1] is y
    for node in order:
        for child in node._prev:
            assert position[child] < position[node]
    assert len(order) == len(set(order))


def test_a_chain_a_million_deep_backpropagates_without_recursion():
    x = Value(1.0)
    v = x
    for _ in range(1_000_000):
        v = v + 1.0
    v.backward()
    assert x.grad == 1.0
    assert v.data == 1_000_001.0


def test_a_sum_of_a_hundred_thousand_terms():
    xs = [Value(float(i)) for i in range(100_000)]
    s = xs[0]
    for x in xs[1:]:
        s = s + x
    s.backward()
    assert all(x.grad == 1.0 for x in xs)
    t = total(xs)
    assert t.data == s.data
    t.zero_grad()
    t.backward()
    assert all(x.grad == 1.0 for x in xs)


def test_gradients_accumulate_across_calls_and_zero_grad_resets():
    x = Value(2.0)
    h = x * x  # an op node shared by both calls: must not double count
    y = h * 3
    y.backward()
    y.backward()
    assert x.grad == 2 * 12.0  # like PyTorch: leaves accumulate
    assert h.grad == 3.0  # op nodes hold the last call's gradient
    y.zero_grad()
    assert x.grad == 0.0
    y.backward()
    assert x.grad == 12.0


def test_two_losses_sharing_a_hidden_node_accumulate_correctly():
    x = Value(1.5)
    h = x.tanh()
    (h * 2).backward()
    (h * 5).backward()
    assert x.grad == pytest.approx(7 * (1 - math.tanh(1.5) ** 2))


def test_backward_on_a_leaf_gives_one():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0


def test_dropping_the_root_frees_the_graph_without_the_garbage_collector():
    was = gc.isenabled()
    gc.disable()
    try:
        x = Value(0.5)
        y = ((x * x).tanh() + x.exp() / 3) ** 2
        y.backward()
        inner = weakref.ref(y._prev[0])
        root = weakref.ref(y)
        del y
        assert root() is None and inner() is None
    finally:
        if was:
            gc.enable()


def test_backward_restores_the_garbage_collector_state():
    gc.enable()
    Value(2.0).tanh().backward()
    assert gc.isenabled()
    gc.disable()
    try:
        Value(2.0).tanh().backward()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_same_program_gives_bit_identical_gradients():
    def run():
        x, y = Value(0.3), Value(-1.7)
        z = total([x * y, (x / y).tanh(), dot([x, y], [y, x], 1.0).sigmoid()]) ** 2
        z.backward()
        return x.grad, y.grad

    assert run() == run()


def test_dot_equals_the_elementwise_sum_bit_for_bit():
    ws = [Value(w) for w in (0.1, -0.7, 0.33, 1e-3)]
    xs = [0.9, 0.2, -1.1, 7.0]
    b = Value(0.05)
    assert dot(ws, xs, b).data == sum((w * x for w, x in zip(ws, xs)), b).data


def test_dot_checks_lengths_and_types():
    with pytest.raises(ValueError, match="2 weights but 1 inputs"):
        dot([Value(1), Value(2)], [1.0])
    with pytest.raises(TypeError, match="dot: expected Values or numbers, got str"):
        dot([Value(1)], ["x"])


# ---- higher order and functional gradients ----------------------------------


def test_grad_does_not_touch_dot_grad_and_matches_backward():
    x, y = Value(0.4), Value(1.3)
    f = (x * y).tanh() + y.log()
    gx, gy = grad(f, [x, y])
    assert x.grad == 0.0 and y.grad == 0.0
    f.backward()
    assert (gx, gy) == (x.grad, y.grad)


def test_second_derivative_through_create_graph():
    x = Value(0.7)
    (dy,) = grad(x**3 + x.exp(), [x], create_graph=True)
    (d2y,) = grad(dy, [x])
    assert dy.data == pytest.approx(3 * 0.7**2 + math.exp(0.7))
    assert d2y == pytest.approx(6 * 0.7 + math.exp(0.7))


def test_grad_of_an_unrelated_input_is_zero():
    x, z = Value(1.0), Value(2.0)
    assert grad(x * 3, [z]) == [0.0]


# ---- the number protocol and bad input --------------------------------------


@pytest.mark.parametrize("bad", ["1", None, 1j, [1.0], True])
def test_value_refuses_anything_but_a_real_number(bad):
    with pytest.raises(TypeError, match=f"Value\\(\\) takes a real number, not {type(bad).__name__}"):
        Value(bad)


def test_ints_become_floats():
    assert Value(3).data == 3.0 and isinstance(Value(3).data, float)


def test_unknown_operands_give_python_s_own_type_error():
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="unsupported operand"):
        None * Value(2.0)
    assert Value(1.0).__add__("a") is NotImplemented


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Value(-2.0).log(), ValueError, r"log\(-2.0\): log is only defined for x > 0"),
        (lambda: Value(0).log(), ValueError, r"log\(0.0\)"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"division by zero: 1.0 / 0.0"),
        (lambda: 2 / Value(0.0), ZeroDivisionError, r"division by zero: 2.0 / 0.0"),
        (lambda: Value(-2.0) ** 0.5, ValueError, r"pow: \(-2.0\) \*\* 0.5 is not a real number"),
        (lambda: Value(-2.0) ** Value(0.5), ValueError, r"negative base"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"pow: 0.0 \*\* -1.0 divides by zero"),
        (lambda: Value(1000.0).exp(), OverflowError, r"exp\(1000.0\): the result overflows"),
        (lambda: Value(10.0) ** 400, OverflowError, r"pow: 10.0 \*\* 400.0 overflows"),
        (lambda: Value(10**400), OverflowError, r"too large for a float"),
    ],
)
def test_bad_math_names_the_op_and_the_values(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_the_derivative_of_sqrt_at_zero_is_inf_and_anomaly_mode_names_it():
    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf  # as torch gives, not an exception
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"\*\*0.5 gave a gradient of inf"):
        (Value(0.0) ** 0.5).backward()


def test_a_dead_relu_stops_an_infinite_local_derivative_as_torch_does():
    x = Value(-1.0)
    (x.relu() ** 0.5).backward()
    assert x.grad == 0.0  # 1 * inf * 0: the dead relu passes nothing
    x = Value(-1.0)
    (dx,) = grad(x.relu() ** 1.5, [x], create_graph=True)
    assert grad(dx, [x]) == [0.0]  # the second derivative too


def test_sigmoid_and_tanh_are_stable_at_extremes():
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).tanh().data == 1.0
    x = Value(-1000.0)
    x.sigmoid().backward()
    assert x.grad == 0.0


def test_a_negative_base_with_an_integer_exponent_is_fine():
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


def test_the_exponent_gradient_of_a_negative_base_is_nan_as_in_torch():
    # d/dn a**n = a**n * ln(a) has no real value for a < 0: NaN, as torch
    # gives, while d/da is an ordinary number; detect_anomaly() names it.
    a, n = Value(-2.0), Value(2.0)
    (a**n).backward()
    assert a.grad == -4.0 and math.isnan(n.grad)
    with pytest.raises(AnomalyError, match=r"\*\* gave a gradient of nan for its input #1"):
        with detect_anomaly():
            (Value(-2.0) ** Value(2.0)).backward()


def test_repr_is_micrograds():
    assert repr(Value(2.0, label="w")) == "Value(data=2.0, grad=0)"


# ---- anomaly mode -------------------------------------------------------------


def test_detect_anomaly_names_the_forward_op_and_inputs():
    big = Value(1e200, label="big")
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"forward pass: \* gave inf from inputs \(big=1e\+200, 1e\+200\)"):
        big * 1e200
    assert (big * 1e200).data == math.inf  # off again after the block


def test_detect_anomaly_catches_a_gradient_that_overflows():
    x = Value(1e-300, label="x")
    y = x.log() * 1e300  # finite forward; d/dx = 1e300 / 1e-300 overflows
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"backward pass: log gave a gradient of inf"):
        y.backward()


def test_backward_in_place_and_grad_give_the_same_numbers():
    # backward() adds into .grad node by node (one- and two-input rules
    # unpacked by hand); grad() keeps a dict. Same rules, same sums in the
    # same order: they must agree exactly.
    from micrograd_scratch import MLP

    model = MLP(3, [5, 4, 1], seed=2)
    xs = [[0.3, -1.2, 0.8], [1.5, 0.2, -0.4], [-0.7, 0.9, 0.1]]
    scores = [model(x) for x in xs]
    loss = total([(1 + -y * s).relu() for y, s in zip([1, -1, 1], scores)]) * (1 / 3)
    loss = loss + 1e-2 * total([p * p for p in model.parameters()]) - scores[0].tanh() * 2
    params = model.parameters()
    general = grad(loss, params)
    loss.backward()
    assert [p.grad for p in params] == general
    assert any(g != 0 for g in general)
