"""Higher-order gradients: the gradient of a gradient, for every op.

`grad(out, xs, create_graph=True)` returns the first derivatives as Values
with graphs of their own; differentiating those again gives the Hessian,
and once more the third derivatives. Each case below is checked three ways:

1. the engine's second derivatives against central finite differences of
   its first derivatives (from plain `grad()`), and its third derivatives
   against central differences of its second derivatives;
2. against PyTorch's double (and triple) backward in float64, when torch
   is installed;
3. mixed partials are symmetric (d2f/da db == d2f/db da, and likewise for
   every permutation of a third derivative).

Every case is written once, as a function of a namespace `ns` (for `dot`
and `total`) and the variables, so the very same expression runs on Values
and on torch tensors.
"""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace

import pytest

from micrograd_scratch import Value, dot, grad, topological_order, total

# ---- the expressions -----------------------------------------------------

ENGINE = SimpleNamespace(dot=dot, total=total)


def _torch_dot(ws, xs, bias=None):
    acc = bias if bias is not None else 0.0
    for w, x in zip(ws, xs):
        acc = acc + w * x
    return acc


def _torch_total(values):
    acc = 0.0
    for v in values:
        acc = acc + v
    return acc


TORCH = SimpleNamespace(dot=_torch_dot, total=_torch_total)


def case(expr: str, names: str, point: tuple, f):
    return pytest.param(names.split(), point, f, id=expr)


# Each op on its own, and each linear op inside a non-linear context too:
# the Hessian of a linear op alone is zero, which would not notice a rule
# that dropped the graph of the gradient passing through it.
CASES = [
    case("a + b", "a b", (0.7, -1.3), lambda ns, a, b: a + b),
    case("(a + b)**3", "a b", (0.7, -1.3), lambda ns, a, b: (a + b) ** 3),
    case("a + 2.5", "a", (0.7,), lambda ns, a: (a + 2.5) ** 2),
    case("a - b", "a b", (0.7, -1.3), lambda ns, a, b: a - b),
    case("(a - b)**3", "a b", (0.7, -1.3), lambda ns, a, b: (a - b) ** 3),
    case("(3 - a)**3", "a", (0.7,), lambda ns, a: (3 - a) ** 3),
    case("-(a*a*a)", "a", (0.7,), lambda ns, a: -(a * a * a)),
    case("a * b", "a b", (0.7, -1.3), lambda ns, a, b: a * b),
    case("a * a * b", "a b", (0.7, -1.3), lambda ns, a, b: a * a * b),
    case("a * 4", "a", (0.7,), lambda ns, a: (a * 4) ** 2),
    case("a / b", "a b", (0.7, -1.3), lambda ns, a, b: a / b),
    case("1 / a", "a", (0.6,), lambda ns, a: 1 / a),
    case("a / 4", "a", (0.6,), lambda ns, a: (a / 4) ** 3),
    case("a**2", "a", (-0.8,), lambda ns, a: a**2),
    case("a**3", "a", (0.7,), lambda ns, a: a**3),
    case("a**-1.5", "a", (1.3,), lambda ns, a: a**-1.5),
    case("a**0.5", "a", (1.3,), lambda ns, a: a**0.5),
    case("a**0 * b", "a b", (1.3, 0.4), lambda ns, a, b: a**0 * b),
    case("a**b", "a b", (1.3, 0.6), lambda ns, a, b: a**b),
    case("a**b (b < 0)", "a b", (0.8, -2.2), lambda ns, a, b: a**b),
    case("2**a", "a", (0.6,), lambda ns, a: 2**a),
    case("exp(a)", "a", (0.4,), lambda ns, a: a.exp()),
    case("exp(a*b)", "a b", (0.4, -0.9), lambda ns, a, b: (a * b).exp()),
    case("log(a)", "a", (1.7,), lambda ns, a: a.log()),
    case("log(a*b)", "a b", (1.7, 0.3), lambda ns, a, b: (a * b).log()),
    case("tanh(a)", "a", (0.3,), lambda ns, a: a.tanh()),
    case("tanh(a) at -1.2", "a", (-1.2,), lambda ns, a: a.tanh()),
    case("tanh(a*b)", "a b", (0.3, 1.1), lambda ns, a, b: (a * b).tanh()),
    case("sigmoid(a)", "a", (0.3,), lambda ns, a: a.sigmoid()),
    case("sigmoid(a) at -2", "a", (-2.0,), lambda ns, a: a.sigmoid()),
    case("sigmoid(a*b)", "a b", (0.3, 1.1), lambda ns, a, b: (a * b).sigmoid()),
    # relu is piecewise linear: its own second derivative is 0 on both sides.
    case("relu(a) at 0.8", "a", (0.8,), lambda ns, a: a.relu()),
    case("relu(a) at -0.8", "a", (-0.8,), lambda ns, a: a.relu()),
    case("relu(a*b)**2", "a b", (0.8, 1.5), lambda ns, a, b: (a * b).relu() ** 2),
    case("relu(a*b)**2 off", "a b", (0.8, -1.5), lambda ns, a, b: (a * b).relu() ** 2),
    case(
        "dot(w, x, bias)", "w0 w1 x0 x1 bias", (0.5, -1.2, 0.9, 0.4, 0.3),
        lambda ns, w0, w1, x0, x1, bias: ns.dot([w0, w1], [x0, x1], bias),
    ),
    case(
        "dot(w, x)", "w0 w1 x0 x1", (0.5, -1.2, 0.9, 0.4),
        lambda ns, w0, w1, x0, x1: ns.dot([w0, w1], [x0, x1]),
    ),
    case(
        "tanh(dot(w, x, bias))", "w0 w1 x0 x1 bias", (0.5, -1.2, 0.9, 0.4, 0.3),
        lambda ns, w0, w1, x0, x1, bias: ns.dot([w0, w1], [x0, x1], bias).tanh(),
    ),
    case(
        "dot(w, [w, x]) (reuse)", "w x", (0.5, -1.2),
        lambda ns, w, x: ns.dot([w, x], [w, x]) ** 2,
    ),
    case("total([a, b, a*b])", "a b", (0.7, -1.3), lambda ns, a, b: ns.total([a, b, a * b])),
    case("total([a, b])**3", "a b", (0.7, -1.3), lambda ns, a, b: ns.total([a, b]) ** 3),
    case("total([a, a, b])**2", "a b", (0.7, -1.3), lambda ns, a, b: ns.total([a, a, b]) ** 2),
]


# ---- derivatives from the engine -------------------------------------------


def _leaves(names, point):
    return [Value(p, label=n) for n, p in zip(names, point)]


def engine_first(f, names, point) -> list[float]:
    xs = _leaves(names, point)
    return grad(f(ENGINE, *xs), xs)


def engine_second(f, names, point) -> list[list[float]]:
    xs = _leaves(names, point)
    first = grad(f(ENGINE, *xs), xs, create_graph=True)
    return [grad(d, xs) for d in first]


def engine_third(f, names, point) -> list[list[list[float]]]:
    xs = _leaves(names, point)
    first = grad(f(ENGINE, *xs), xs, create_graph=True)
    second = [grad(d, xs, create_graph=True) for d in first]
    return [[grad(d2, xs) for d2 in row] for row in second]


# ---- central differences -----------------------------------------------------

H = 1e-5


def central_difference(derivative, names, point, i):
    """d/dx_i of `derivative` (a function of the point returning a nested
    list), by central differences."""
    up = list(point)
    down = list(point)
    up[i] += H
    down[i] -= H
    return _combine(derivative(names, up), derivative(names, down), lambda u, d: (u - d) / (2 * H))


def _combine(u, d, op):
    if isinstance(u, list):
        return [_combine(a, b, op) for a, b in zip(u, d)]
    return op(u, d)


# ---- readable comparisons -----------------------------------------------------


def named(tensor, names, prefix=""):
    """{"d2f/da db": value, ...} from a nested list of derivatives, so that a
    failing comparison says which derivative is wrong."""
    if not isinstance(tensor, list):
        order = prefix.count(" ") + 1
        return {f"d{order}f/{prefix}": tensor}
    out = {}
    for name, sub in zip(names, tensor):
        key = f"d{name}" if not prefix else f"{prefix} d{name}"
        out.update(named(sub, names, key))
    return out


def assert_close(actual, expected, names, rel, abs_):
    actual, expected = named(actual, names), named(expected, names)
    wrong = {
        k: (actual[k], expected[k])
        for k in actual
        if not math.isclose(actual[k], expected[k], rel_tol=rel, abs_tol=abs_)
    }
    assert not wrong, f"(engine, expected) differ: {wrong}"


# ---- the tests: finite differences ---------------------------------------------


@pytest.mark.parametrize("names, point, f", CASES)
def test_second_derivatives_match_differences_of_the_first(names, point, f):
    second = engine_second(f, names, point)
    numeric = [
        central_difference(lambda n, p: engine_first(f, n, p), names, point, i)
        for i in range(len(names))
    ]
    assert_close(second, numeric, names, rel=1e-6, abs_=1e-6)


@pytest.mark.parametrize("names, point, f", CASES)
def test_third_derivatives_match_differences_of_the_second(names, point, f):
    third = engine_third(f, names, point)
    numeric = [
        central_difference(lambda n, p: engine_second(f, n, p), names, point, i)
        for i in range(len(names))
    ]
    assert_close(third, numeric, names, rel=1e-5, abs_=1e-5)


@pytest.mark.parametrize("names, point, f", CASES)
def test_mixed_partials_are_symmetric(names, point, f):
    second = engine_second(f, names, point)
    third = engine_third(f, names, point)
    n = len(names)
    for i, j in itertools.product(range(n), repeat=2):
        assert math.isclose(second[i][j], second[j][i], rel_tol=1e-12, abs_tol=1e-12), (
            f"d2f/d{names[i]} d{names[j]} = {second[i][j]} but "
            f"d2f/d{names[j]} d{names[i]} = {second[j][i]}"
        )
    for i, j, k in itertools.product(range(n), repeat=3):
        for p, q, r in itertools.permutations((i, j, k)):
            assert math.isclose(third[i][j][k], third[p][q][r], rel_tol=1e-12, abs_tol=1e-12)


# ---- the tests: PyTorch's double backward ------------------------------------------


def torch_derivatives(f, names, point):
    """Second and third derivatives from torch.autograd.grad in float64."""
    torch = pytest.importorskip("torch", reason="torch is not installed: no comparison with PyTorch")
    xs = [torch.tensor(float(p), dtype=torch.float64, requires_grad=True) for p in point]

    def d(out, create_graph):
        # A derivative that is a constant has no graph: its derivatives are 0.
        if not out.requires_grad:
            return [torch.zeros((), dtype=torch.float64) for _ in xs]
        gs = torch.autograd.grad(
            out, xs, create_graph=create_graph, retain_graph=True, allow_unused=True
        )
        return [torch.zeros((), dtype=torch.float64) if g is None else g for g in gs]

    first = d(f(TORCH, *xs), True)
    second = [d(g, True) for g in first]
    third = [[d(g2, False) for g2 in row] for row in second]
    return (
        [[g.item() for g in row] for row in second],
        [[[g.item() for g in r] for r in row] for row in third],
    )


@pytest.mark.parametrize("names, point, f", CASES)
def test_second_and_third_derivatives_match_torch(names, point, f):
    second, third = torch_derivatives(f, names, point)
    assert_close(engine_second(f, names, point), second, names, rel=1e-10, abs_=1e-12)
    assert_close(engine_third(f, names, point), third, names, rel=1e-10, abs_=1e-12)


def test_hessian_of_an_mlp_loss_matches_torch():
    # The second derivatives of a real training loss: a 2-2-1 tanh network,
    # squared error on two points, with respect to all nine parameters.
    torch = pytest.importorskip("torch", reason="torch is not installed: no comparison with PyTorch")
    from micrograd_scratch import MLP

    model = MLP(2, [2, 1], activation="tanh", seed=3)
    params = model.parameters()
    data = [([0.5, -1.0], 1.0), ([-0.3, 0.8], -1.0)]

    def loss_of(forward):
        return sum(((forward(x) - y) ** 2 for x, y in data), 0.0)

    loss = loss_of(model)
    first = grad(loss, params, create_graph=True)
    hessian = [grad(g, params) for g in first]

    tparams = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in params]

    def torch_forward(x):
        # parameters() lists each neuron's weights then its bias, layer by layer.
        (w00, w01, b0, w10, w11, b1, v0, v1, c) = tparams
        h0 = (w00 * x[0] + w01 * x[1] + b0).tanh()
        h1 = (w10 * x[0] + w11 * x[1] + b1).tanh()
        return v0 * h0 + v1 * h1 + c

    tloss = loss_of(torch_forward)
    assert loss.data == pytest.approx(tloss.item(), rel=1e-12)
    tfirst = torch.autograd.grad(tloss, tparams, create_graph=True)
    for i, g in enumerate(tfirst):
        row = torch.autograd.grad(g, tparams, retain_graph=True, allow_unused=True)
        expected = [0.0 if r is None else r.item() for r in row]
        assert hessian[i] == pytest.approx(expected, rel=1e-10, abs=1e-12), params[i].label


# ---- the tests: a Hessian written out by hand --------------------------------------------


def test_hessian_of_rosenbrock_matches_its_formula():
    # f(x, y) = (1 - x)**2 + 100 (y - x**2)**2
    # f_xx = 2 - 400 y + 1200 x**2,  f_xy = f_yx = -400 x,  f_yy = 200
    x, y = Value(-1.2), Value(1.0)
    f = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    gx, gy = grad(f, [x, y], create_graph=True)
    assert gx.data == pytest.approx(-2 * (1 - x.data) - 400 * x.data * (y.data - x.data**2))
    assert gy.data == pytest.approx(200 * (y.data - x.data**2))
    hessian = [grad(gx, [x, y]), grad(gy, [x, y])]
    assert hessian == [
        [pytest.approx(2 - 400 * 1.0 + 1200 * 1.44), pytest.approx(480.0)],
        [pytest.approx(480.0), pytest.approx(200.0)],
    ]


def test_a_newton_step_on_a_quadratic_lands_on_the_minimum():
    # For a quadratic the Hessian is exact everywhere, so one Newton step
    # x - H^-1 g reaches the minimum of 3(x-1)^2 + 2(x-1)(y+2) + (y+2)^2 at (1, -2).
    x, y = Value(4.0), Value(3.0)
    f = 3 * (x - 1) ** 2 + 2 * (x - 1) * (y + 2) + (y + 2) ** 2
    gx, gy = grad(f, [x, y], create_graph=True)
    (hxx, hxy), (hyx, hyy) = grad(gx, [x, y]), grad(gy, [x, y])
    det = hxx * hyy - hxy * hyx
    step_x = (hyy * gx.data - hxy * gy.data) / det
    step_y = (-hyx * gx.data + hxx * gy.data) / det
    assert (x.data - step_x, y.data - step_y) == (pytest.approx(1.0), pytest.approx(-2.0))


# ---- grad() and backward(create_graph=True) ---------------------------------------------


def test_second_derivative_of_relu_is_zero_on_both_sides():
    for at in (2.0, -2.0):
        x = Value(at)
        (d1,) = grad(x.relu() * 3, [x], create_graph=True)
        assert d1.data == (3.0 if at > 0 else 0.0)
        assert grad(d1, [x]) == [0.0]


def test_create_graph_gives_values_with_the_same_numbers_as_floats():
    x, y = Value(0.3), Value(-0.7)
    out = (x * y).tanh() + (x / y).exp() + (x**2 + 1).log() + y.sigmoid() * x.relu()
    plain = grad(out, [x, y])
    graphs = grad(out, [x, y], create_graph=True)
    assert all(isinstance(g, Value) for g in graphs)
    assert [g.data for g in graphs] == pytest.approx(plain, rel=1e-14)


def test_an_input_the_output_does_not_use_gets_zero_at_every_order():
    x, unused = Value(1.5), Value(9.0)
    first = grad(x**2, [x, unused], create_graph=True)
    assert [g.data for g in first] == [3.0, 0.0]
    assert grad(first[1], [x, unused]) == [0.0, 0.0]
    assert grad(first[0], [x, unused]) == [2.0, 0.0]


def test_grad_does_not_touch_any_grad():
    x, y = Value(0.4), Value(1.1)
    out = (x * y).tanh() * x + y.exp()
    nodes = topological_order(out)
    for i, node in enumerate(nodes):
        node.grad = 100.0 + i  # a sentinel per node
    before = [node.grad for node in nodes]
    first = grad(out, [x, y], create_graph=True)
    grad(first[0], [x, y], create_graph=True)
    grad(first[1], [x, y])
    grad(out, [x, y])
    assert [node.grad for node in nodes] == before
    # ... including the nodes of the gradient graphs themselves.
    assert all(node.grad == 0.0 for node in topological_order(first[0]) if node not in nodes)


def test_backward_with_create_graph_then_backward_of_the_gradient():
    # PyTorch's idiom: y.backward(create_graph=True); g = x.grad; reset
    # x.grad; g.backward() leaves d2y/dx2 in x.grad.
    x = Value(1.5)
    y = x**3
    y.backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value) and g.data == pytest.approx(3 * 1.5**2)
    x.grad = 0.0
    g.backward()
    assert x.grad == pytest.approx(6 * 1.5)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_with_create_graph_twice_accumulates_like_torch():
    # Two backward passes add up in a leaf's grad, and the sum is still a
    # graph: its derivative is twice the second derivative.
    x = Value(1.5)
    y = x**3
    y.backward(create_graph=True)
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value)
    assert x.grad.data == pytest.approx(2 * 3 * 1.5**2)
    assert grad(x.grad, [x]) == [pytest.approx(2 * 6 * 1.5)]
    # Backward of the accumulated gradient adds d/dx of it to it, as torch does.
    acc = x.grad
    acc.backward()
    assert x.grad.data == pytest.approx(2 * 3 * 1.5**2 + 2 * 6 * 1.5)

    torch = pytest.importorskip("torch", reason="torch is not installed: no comparison with PyTorch")
    tx = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    ty = tx**3
    ty.backward(create_graph=True)
    ty.backward(create_graph=True)
    assert acc.data == pytest.approx(tx.grad.item())
    tx.grad.backward()
    assert x.grad.data == pytest.approx(tx.grad.item())
    tx.grad = None  # break torch's parameter <-> gradient reference cycle


def test_backward_with_create_graph_matches_plain_backward_on_an_mlp():
    from micrograd_scratch import MLP

    model = MLP(2, [4, 4, 1], activation="tanh", seed=1)
    loss = (model([0.2, -0.9]) - 1.0) ** 2
    loss.backward()
    plain = [p.grad for p in model.parameters()]
    model.zero_grad()
    loss.backward(create_graph=True)
    graphs = [p.grad for p in model.parameters()]
    assert all(isinstance(g, Value) for g in graphs)
    assert [g.data for g in graphs] == pytest.approx(plain, rel=1e-12, abs=1e-15)


def test_grad_of_a_float_says_to_pass_create_graph():
    # A learner's first slip: grad() without create_graph returns floats,
    # and a float has no graph to differentiate. The error should say so
    # instead of "'float' object has no attribute '_prev'".
    x = Value(2.0)
    (dx,) = grad(x**3, [x])
    with pytest.raises(TypeError, match="create_graph=True"):
        grad(dx, [x])


def test_grad_refuses_inputs_that_are_not_values():
    # grad(y, [x.data]) used to answer [0.0]: a number is not in the graph.
    x = Value(2.0)
    y = x * x
    with pytest.raises(TypeError, match="grad: inputs must be Values; input 1 is a float: 2.0"):
        grad(y, [x, x.data])
    with pytest.raises(TypeError, match=r"a single Value \(write \[x\]\)"):
        grad(y, x)
    assert grad(y, (v for v in [x])) == [4.0]  # any iterable of Values will do


# ---- examples/08_newton.py ---------------------------------------------------------


@pytest.fixture(scope="module")
def newton_example():
    import pathlib
    import runpy

    path = pathlib.Path(__file__).resolve().parent.parent / "examples" / "08_newton.py"
    return runpy.run_path(str(path), run_name="newton_example")


def test_example_hessian_comes_from_the_engine(newton_example):
    fx, g, H = newton_example["derivatives"](newton_example["rosenbrock"], [-1.2, 1.0])
    assert fx == pytest.approx(24.2)
    assert g == [pytest.approx(-215.6), pytest.approx(-88.0)]
    assert H == [[pytest.approx(1330.0), pytest.approx(480.0)], [pytest.approx(480.0), pytest.approx(200.0)]]


@pytest.mark.parametrize(
    "function, x0, lr, minimum",
    [("bowl", [3.0], 0.05, [math.log(2)]), ("rosenbrock", [-1.2, 1.0], 0.001, [1.0, 1.0])],
)
def test_example_newton_needs_far_fewer_steps_than_gradient_descent(
    newton_example, function, x0, lr, minimum
):
    f = newton_example[function]
    reach = newton_example["steps_to_reach"]
    newton_steps = reach(newton_example["newton"](f, x0, 20), minimum, 1e-9)
    descent_steps = reach(newton_example["gradient_descent"](f, x0, lr, 100), minimum, 1e-6)
    assert newton_steps is not None and newton_steps <= 8
    assert descent_steps is None  # not even to 1e-6 in 100 steps


def test_example_newton_walks_to_a_maximum_where_curvature_is_negative(newton_example):
    path = newton_example["newton"](newton_example["double_well"], [0.3], 20)
    assert path[-1][0][0] == pytest.approx(0.0, abs=1e-9)


def test_example_runs_and_prints_both_methods(newton_example, capsys):
    newton_example["main"]()
    out = capsys.readouterr().out
    assert "gradient descent 129 steps, Newton 6 steps" in out
    assert "gradient descent more than 10000 steps, Newton 6 steps" in out
    assert "the maximum" in out


def test_higher_order_graphs_are_freed_by_reference_counting():
    # grad(create_graph=True) builds new nodes that point at the old ones,
    # never the reverse: dropping the results frees everything, even with
    # the cyclic garbage collector off.
    import gc
    import weakref

    x = Value(0.5)
    y = x.tanh()
    alive = weakref.ref(y)
    first = grad(y * y, [x], create_graph=True)
    second = grad(first[0], [x], create_graph=True)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        del y, first, second
        assert alive() is None
    finally:
        if was_enabled:
            gc.enable()
