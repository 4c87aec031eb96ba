"""micrograd's lecture patterns, run side by side with micrograd 0.1.0.

Each test writes the same program twice, once on micrograd's `Value` and
`MLP` and once on ours, and requires micrograd's numbers: exactly where the
two do the same arithmetic, to 1e-12 where the order of a sum may differ
(micrograd's `_prev` is a set, so its topological order, and with it the
order in which a shared node's gradient terms are added, changes from run
to run).

The patterns: an op written micrograd's way (a zero-argument `_backward`
closure) as a method and in a subclass, mixed with our built-in ops; the
lecture's manual backprop (`node._backward()` in reversed topological
order); attributes on Values; numpy and Fraction inputs; the nodes that
`x - 1`, `x / 2`, `-x`, `1 - x`, `2 / x`, `x ** 2` build, as micrograd's
`draw_dot` sees them; the reprs; `nonlin` switched after construction; and
micrograd's moons demo loop on the same seeded MLP.

Where we differ on purpose (README, "Differences from micrograd"), the
test says so: bool is refused, `_prev` is a tuple.
"""

from __future__ import annotations

import gc
import math
import random
from fractions import Fraction

import pytest

mg_engine = pytest.importorskip(
    "micrograd.engine", reason="micrograd 0.1.0 is not installed (pip install micrograd==0.1.0)"
)
mg_nn = pytest.importorskip("micrograd.nn", reason="micrograd 0.1.0 is not installed")
np = pytest.importorskip("numpy", reason="numpy is not installed (torch and matplotlib bring it)")

from micrograd_scratch import data  # noqa: E402
from micrograd_scratch.engine import Value, grad, topological_order  # noqa: E402
from micrograd_scratch.nn import MLP, Layer, Neuron  # noqa: E402

MgValue = mg_engine.Value

TOL = 1e-12


def close(a, b) -> bool:
    return a == pytest.approx(b, rel=TOL, abs=TOL)


@pytest.fixture(autouse=True)
def _keep_global_random():
    """Both packages draw weights from the global `random`, as micrograd
    does; leave it as we found it."""
    state = random.getstate()
    yield
    random.setstate(state)


# ---- ops written micrograd's way ---------------------------------------------
# The lecture's shape: compute out with Value(data, children, op), set a
# zero-argument closure that adds into the inputs' .grad, return out. The
# same source text serves both packages; `cls` is the class to build with.


def closure_sin(cls):
    def mysin(self):
        out = cls(math.sin(self.data), (self,), "sin")

        def _backward():
            self.grad += math.cos(self.data) * out.grad

        out._backward = _backward
        return out

    return mysin


def closure_tanh(cls):  # micrograd 0.1.0 has no tanh: the lecture's, with math.tanh
    def tanh(self):
        t = math.tanh(self.data)
        out = cls(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    return tanh


def closure_exp(cls):  # micrograd 0.1.0 has no exp either: the lecture's
    def exp(self):
        out = cls(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    return exp


@pytest.fixture
def mg_lecture(monkeypatch):
    """micrograd's Value with the lecture's mysin, tanh and exp added as
    methods (removed again after the test)."""
    monkeypatch.setattr(MgValue, "mysin", closure_sin(MgValue), raising=False)
    monkeypatch.setattr(MgValue, "tanh", closure_tanh(MgValue), raising=False)
    monkeypatch.setattr(MgValue, "exp", closure_exp(MgValue), raising=False)
    return MgValue


@pytest.fixture
def our_mysin(monkeypatch):
    """Our Value with the closure op added as a method, micrograd's way
    (a new name: Value.sin is a built-in op now)."""
    assert not hasattr(Value, "mysin")
    monkeypatch.setattr(Value, "mysin", closure_sin(Value), raising=False)
    return Value


def mixed_expression(a, b, c, sin):
    """Closure ops mixed with +, *, -, /, **, relu, tanh, exp; h is used
    three times."""
    h = sin(a * b + c)
    k = h * a.tanh() - (b**2).exp() / 4 + (c - h).relu()
    return sin(k) * 2 + h**3 + (1 - a) * h


POINT = (0.7, -1.3, 0.4)


def test_closure_op_as_a_method_gives_micrograds_gradients(mg_lecture, our_mysin):
    theirs = [mg_lecture(x) for x in POINT]
    ours = [Value(x) for x in POINT]
    out_mg = mixed_expression(*theirs, sin=lambda v: v.mysin())
    out = mixed_expression(*ours, sin=lambda v: v.mysin())
    assert close(out.data, out_mg.data)
    out_mg.backward()
    out.backward()
    for i, (x, x_mg) in enumerate(zip(ours, theirs)):
        assert close(x.grad, x_mg.grad), f"input {i}: {x.grad} here, {x_mg.grad} in micrograd"
    assert any(v._op == "sin" and v._prev for v in topological_order(out))


class OurSinValue(Value):
    """A subclass that adds an op micrograd's way."""

    mysin = closure_sin(Value)


class MgSinValue(MgValue):
    mysin = closure_sin(MgValue)


def test_closure_op_in_a_subclass_gives_micrograds_gradients(mg_lecture):
    theirs = [MgSinValue(x) for x in POINT]
    ours = [OurSinValue(x) for x in POINT]
    # The subclass's method applies to any node (a built-in op returns a Value).
    out_mg = mixed_expression(*theirs, sin=MgSinValue.mysin)
    out = mixed_expression(*ours, sin=OurSinValue.mysin)
    assert close(out.data, out_mg.data)
    out_mg.backward()
    out.backward()
    for i, (x, x_mg) in enumerate(zip(ours, theirs)):
        assert close(x.grad, x_mg.grad), f"input {i}: {x.grad} here, {x_mg.grad} in micrograd"


def test_closure_op_mixed_with_an_mlp_gives_micrograds_gradients(mg_lecture):
    """Closure ops on both sides of a network (ours runs `dot` nodes inside)."""
    random.seed(7)
    model_mg = mg_nn.MLP(2, [4, 3, 1])
    random.seed(7)
    model = MLP(2, [4, 3, 1])
    a_mg, b_mg = MgSinValue(0.3), MgSinValue(-0.8)
    a, b = OurSinValue(0.3), OurSinValue(-0.8)
    out_mg = MgSinValue.mysin(model_mg([a_mg.mysin(), b_mg * a_mg]))
    out = OurSinValue.mysin(model([a.mysin(), b * a]))
    assert close(out.data, out_mg.data)
    out_mg.backward()
    out.backward()
    assert close(a.grad, a_mg.grad) and close(b.grad, b_mg.grad)
    for i, (p, p_mg) in enumerate(zip(model.parameters(), model_mg.parameters())):
        assert close(p.grad, p_mg.grad), f"parameter {i}: {p.grad} here, {p_mg.grad} in micrograd"


def _closure_graph():
    xs = [OurSinValue(x) for x in POINT]
    return xs, mixed_expression(*xs, sin=OurSinValue.mysin)


def test_grad_runs_a_closure_op_through_the_one_loop(mg_lecture):
    """grad() lends the loop every .grad and puts them back: the closure
    adds into them as micrograd's does, and grad() reads what it added."""
    xs, out = _closure_graph()
    theirs = [MgSinValue(x) for x in POINT]
    out_mg = mixed_expression(*theirs, sin=MgSinValue.mysin)
    out_mg.backward()
    assert [close(g, x.grad) for g, x in zip(grad(out, xs), theirs)] == [True] * 3
    assert all(v.grad == 0 for v in topological_order(out))  # no .grad was changed


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(lambda out, xs: grad(out, xs, create_graph=True), id="grad-create_graph"),
        pytest.param(lambda out, xs: out.backward(create_graph=True), id="backward-create_graph"),
    ],
)
def test_closure_op_refused_where_it_cannot_run_with_one_line(path):
    xs, out = _closure_graph()
    with pytest.raises(TypeError) as caught:
        path(out, xs)
    message = str(caught.value)
    assert "\n" not in message
    assert "_backward" in message  # why: the closure only adds floats into .grad
    assert "define" in message  # what to write instead
    assert "backward()" in message


def test_closure_node_without_a_backward_is_a_constant_as_in_micrograd():
    """Value(data, children, op) with no _backward set passes nothing on,
    as micrograd's default `lambda: None` does."""
    a, b = Value(2.0), Value(3.0)
    a_mg, b_mg = MgValue(2.0), MgValue(3.0)
    out = Value(a.data * b.data, (a, b), "mystery") * a
    out_mg = MgValue(a_mg.data * b_mg.data, (a_mg, b_mg), "mystery") * a_mg
    out.backward()
    out_mg.backward()
    assert (a.grad, b.grad) == (a_mg.grad, b_mg.grad) == (6.0, 0)


# ---- the lecture's manual backprop ------------------------------------------


def build_topo_lecture(root):
    """The lecture's topological sort, recursively, as written there."""
    topo = []
    visited = set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(root)
    return topo


def lecture_neuron(V):
    """The lecture's two-input neuron, o = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = V(2.0), V(0.0)
    w1, w2 = V(-3.0), V(1.0)
    b = V(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    return [x1, x2, w1, w2, b], n.tanh()


@pytest.mark.parametrize("order", ["lecture", "topological_order"])
def test_manual_backprop_gives_micrograds_gradients(mg_lecture, order):
    leaves_mg, o_mg = lecture_neuron(mg_lecture)
    o_mg.grad = 1.0
    for node in reversed(build_topo_lecture(o_mg)):
        node._backward()

    leaves, o = lecture_neuron(Value)
    o.grad = 1.0
    topo = build_topo_lecture(o) if order == "lecture" else topological_order(o)
    for node in reversed(topo):
        node._backward()
    for i, (x, x_mg) in enumerate(zip(leaves, leaves_mg)):
        assert close(x.grad, x_mg.grad), f"leaf {i}: {x.grad} here, {x_mg.grad} in micrograd"
    assert close(leaves[2].grad, 1.0)  # the lecture's numbers: dw1 = x1 * (1 - o**2) = 1
    assert close(leaves[3].grad, 0.0)


def test_lecture_neuron_with_tanh_written_out_in_exp(mg_lecture):
    """The lecture's second version of the neuron: tanh as (e - 1) / (e + 1)
    with e = exp(2n), so that division by a Value builds a **-1 node."""
    results = []
    for V in (mg_lecture, Value):
        x1, x2, w1, w2 = V(2.0), V(0.0), V(-3.0), V(1.0)
        b = V(6.8813735870195432)
        n = x1 * w1 + x2 * w2 + b
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
        o.backward()
        results.append([o.data] + [v.grad for v in (x1, x2, w1, w2, b)] + [_shape(o)[:2]])
    theirs, ours = results
    assert ours.pop() == theirs.pop()  # the same nodes and edges as micrograd
    assert all(close(a, b) for a, b in zip(ours, theirs)), (ours, theirs)
    assert close(ours[0], math.sqrt(0.5))  # the lecture's o = 0.7071


def test_gradcheck_checks_a_closure_op_through_backward(our_mysin):
    from micrograd_scratch.gradcheck import gradcheck

    result = gradcheck(lambda x, y: (x * y).mysin() + x.relu() * y.tanh(), [0.6, -1.4])
    assert result.ok, str(result)
    assert result.via_grad == result.analytic  # grad() runs the closure too


def test_manual_backprop_through_an_mlp_and_a_closure_op(mg_lecture):
    """Manual backprop over built-in ops (dot, relu), closure ops and **."""
    random.seed(5)
    model_mg = mg_nn.MLP(3, [4, 1])
    random.seed(5)
    model = MLP(3, [4, 1])
    xs = [0.5, -1.5, 2.0]
    out_mg = (MgSinValue.mysin(model_mg([MgValue(x) for x in xs])) - 0.5) ** 2
    out = (OurSinValue.mysin(model([Value(x) for x in xs])) - 0.5) ** 2
    for root in (out_mg, out):
        root.grad = 1.0
        for node in reversed(build_topo_lecture(root)):
            node._backward()
    for i, (p, p_mg) in enumerate(zip(model.parameters(), model_mg.parameters())):
        assert close(p.grad, p_mg.grad), f"parameter {i}: {p.grad} here, {p_mg.grad} in micrograd"
    assert sum(p.grad != 0 for p in model.parameters()) > 5  # live units: the test can fail


def test_manual_backward_adds_out_grad_times_the_local_derivative():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    c.grad = 0.5
    c._backward()
    assert (a.grad, b.grad) == (-1.5, 1.0)
    c._backward()  # micrograd's adds again: nothing resets an input's .grad
    assert (a.grad, b.grad) == (-3.0, 2.0)


@pytest.mark.parametrize(
    "make", [lambda: Value(2.0), lambda: (Value(1.0) + 2)._prev[1], lambda: Neuron(2).w[0]],
    ids=["input", "constant", "parameter"],
)
def test_leaf_backward_does_nothing(make):
    leaf = make()
    leaf.grad = 4.0
    assert leaf._op == ""
    assert leaf._backward() is None
    assert leaf.grad == 4.0 and leaf._prev == ()


# ---- attributes on Values ------------------------------------------------------


def test_any_attribute_can_be_set_on_a_value():
    random.seed(5)
    model = MLP(2, [3, 1])
    for p in model.parameters():
        p.m = 0
        p._vis_color = "red"
    p = model.parameters()[0]
    assert (p.m, p._vis_color) == (0, "red")
    assert vars(p) == {"m": 0, "_vis_color": "red"}
    v = Value(1.0)
    v.anything = [1, 2]
    assert v.anything == [1, 2]
    with pytest.raises(AttributeError):
        Value(1.0).m  # noqa: B018  (unset attributes are still an error)


def test_optimizer_state_on_parameters_as_micrograd_users_write_it():
    """A hand-written momentum loop keeping its state in `p.v`: the same
    numbers in both packages."""
    X, y = data.xor()
    results = []
    for V, MLPclass in ((MgValue, mg_nn.MLP), (Value, MLP)):
        random.seed(11)
        model = MLPclass(2, [4, 1])
        for p in model.parameters():
            p.v = 0.0
        for _ in range(3):
            loss = sum((model([V(a) for a in x]) - t) ** 2 for x, t in zip(X, y))
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.v = 0.9 * p.v + p.grad
                p.data -= 0.05 * p.v
        results.append(([p.data for p in model.parameters()], [p.v for p in model.parameters()]))
    (data_mg, v_mg), (data_ours, v_ours) = results
    assert all(close(a, b) for a, b in zip(data_ours, data_mg))
    assert all(close(a, b) for a, b in zip(v_ours, v_mg))


def _has_dict(v: Value) -> bool:
    # gc.get_referents lists what the object points to: its instance dict
    # is among them only once one has been allocated. (vars(v) would
    # allocate one, so it is not used before this check; and CPython may
    # keep a first attribute inline, without a dict, so the check is only
    # that no dict exists, never that one does.)
    return any(type(r) is dict for r in gc.get_referents(v))


def test_a_value_allocates_no_dict_until_an_attribute_is_set():
    random.seed(2)
    model = MLP(2, [3, 1])
    x = Value(0.5)
    out = (model([x, Value(-1.0)]) - 1) ** 2 / 2
    out.backward()
    nodes = topological_order(out)
    assert len(nodes) > 10
    assert {v._role for v in nodes} == {"", "const", "param"}  # every kind of node
    assert not any(_has_dict(v) for v in nodes)
    x.m = 0
    assert not any(_has_dict(v) for v in nodes if v is not x)
    assert vars(x) == {"m": 0}
    assert vars(Value(1.0)) == {}


# ---- numbers of other types -----------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [np.float32(0.5), np.float64(0.5), np.int64(3), Fraction(1, 2), Fraction(-7, 4), 3],
    ids=["np.float32", "np.float64", "np.int64", "Fraction", "Fraction-neg", "int"],
)
def test_any_real_number_makes_a_value(number):
    v = Value(number)
    assert type(v.data) is float
    assert v.data == float(number) == MgValue(number).data
    # ...and takes part in arithmetic, giving micrograd's numbers for the
    # same float (micrograd itself refuses a Fraction exponent)
    a, a_mg = Value(1.5), MgValue(1.5)
    for f in (lambda a, n: a + n, lambda a, n: a * n, lambda a, n: a - n,
              lambda a, n: n - a, lambda a, n: a**n, lambda a, n: n / a):
        assert f(a, number).data == pytest.approx(f(a_mg, float(number)).data, rel=TOL)


@pytest.mark.parametrize(
    "number",
    [np.float32(0.5), np.float64(0.5), Fraction(1, 2), Fraction(-7, 4), 3],
    ids=["np.float32", "np.float64", "Fraction", "Fraction-neg", "int"],
)
def test_dividing_by_any_real_number(number):
    assert (Value(1.5) / number).data == pytest.approx(1.5 / float(number), rel=TOL)


def test_dividing_by_a_numpy_integer():
    """micrograd computes np.int64(3) ** -1, which numpy refuses; we take any real."""
    with pytest.raises(ValueError, match="negative integer powers"):
        MgValue(1.5) / np.int64(3)
    assert (Value(1.5) / np.int64(3)).data == 0.5
    assert (np.int64(3) / Value(1.5)).data == 2.0


def test_fraction_and_numpy_exponents_name_the_node_as_a_float():
    assert (Value(4.0) ** Fraction(1, 2))._op == "**0.5"
    assert (Value(4.0) ** np.float32(0.5))._op == "**0.5"
    assert (Value(4.0) ** Fraction(1, 2)).data == 2.0


def test_mlp_and_neuron_take_a_numpy_row_and_a_tuple():
    random.seed(13)
    model_mg = mg_nn.MLP(3, [4, 2])
    random.seed(13)
    model = MLP(3, [4, 2])
    row = np.array([0.25, -1.5, 2.0])
    outs_mg = model_mg(row)
    for x in (row, tuple(row.tolist()), row.tolist()):
        outs = model(x)
        assert [o.data for o in outs] == pytest.approx([float(o.data) for o in outs_mg], rel=TOL)

    random.seed(17)
    n_mg = mg_nn.Neuron(3)
    random.seed(17)
    n = Neuron(3)
    expected = float(n_mg(row).data)
    assert n(row).data == pytest.approx(expected, rel=TOL)
    assert n((0.25, -1.5, 2.0)).data == pytest.approx(expected, rel=TOL)
    assert n(np.array([0.25, -1.5, 2.0], dtype=np.float32)).data == pytest.approx(
        float(n_mg(np.array([0.25, -1.5, 2.0], dtype=np.float32)).data), rel=1e-6
    )


def test_bool_is_refused_a_documented_difference():
    """micrograd takes Value(True); we refuse it (a comparison where a
    number was meant): see README, "Differences from micrograd"."""
    assert MgValue(True).data is True
    with pytest.raises(TypeError, match="bool"):
        Value(True)
    with pytest.raises(TypeError):
        Value(1.0) + False


# ---- the nodes micrograd builds ----------------------------------------------------


def trace(root):
    """micrograd's draw_dot trace (its notebook's, word for word): every
    node and edge below root, by a set walk over _prev."""
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def draw_dot(root):
    """micrograd's draw_dot, as its notebook writes it, with graphviz."""
    graphviz = pytest.importorskip("graphviz")
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ data %.4f | grad %.4f }" % (n.data, n.grad), shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


SHAPES = {
    "x - 1": lambda x: x - 1,
    "x / 2": lambda x: x / 2,
    "-x": lambda x: -x,
    "1 - x": lambda x: 1 - x,
    "2 / x": lambda x: 2 / x,
    "x ** 2": lambda x: x**2,
    "x * x - x / 4": lambda x: x * x - x / 4,
}


def _shape(root):
    """What trace sees: how many nodes and edges, and each node's (op, data)."""
    nodes, edges = trace(root)
    return len(nodes), len(edges), sorted((n._op, float(n.data)) for n in nodes)


@pytest.mark.parametrize("expression", SHAPES)
def test_node_counts_and_ops_are_micrograds(expression):
    f = SHAPES[expression]
    ours, theirs = f(Value(3.0)), f(MgValue(3.0))
    assert _shape(ours) == _shape(theirs)
    nodes, _ = trace(ours)
    for n in nodes:
        assert (n._op == "") == (not n._prev), f"{n}: _op {n._op!r}, {len(n._prev)} inputs"


@pytest.mark.parametrize("expression", SHAPES)
def test_micrograds_draw_dot_sees_op_bubbles_only_for_ops(expression):
    root = SHAPES[expression](Value(3.0))
    source = draw_dot(root).source
    nodes, edges = trace(root)
    ops_here = [n for n in nodes if n._prev]
    # One record per node, one bubble per op; an edge into a leaf's "bubble"
    # (uid + "") would land on the record itself.
    assert source.count("shape=record") == len(nodes)
    bubbles = [line for line in source.splitlines() if "label=" in line and "record" not in line]
    assert len(bubbles) == len(ops_here)
    for _, n2 in edges:
        assert n2._op != ""


def test_a_networks_leaves_have_no_op():
    random.seed(4)
    model = MLP(2, [3, 1], activation="tanh")
    out = (model([1.0, -2.0]) - 0.5) ** 2
    nodes, _ = trace(out)
    leaves = [n for n in nodes if not n._prev]
    assert {n._role for n in leaves} == {"", "const", "param"}
    assert all(n._op == "" for n in leaves)
    assert all(n._op != "" for n in nodes if n._prev)


# ---- reprs -------------------------------------------------------------------------


def test_value_repr_with_float_gradients_is_micrograds():
    a, a_mg = Value(2.0), MgValue(2.0)
    b, b_mg = a * -1.5 + 0.25, a_mg * -1.5 + 0.25
    b.backward()
    b_mg.backward()
    assert repr(a) == repr(a_mg) == "Value(data=2.0, grad=-1.5)"
    c, c_mg = Value(-0.5), MgValue(-0.5)
    c.grad = c_mg.grad = 0.125
    assert repr(c) == repr(c_mg)


def test_fresh_value_repr_is_micrograds():
    """micrograd's grad starts as the int 0: Value(data=2.0, grad=0)."""
    assert repr(Value(2.0)) == repr(MgValue(2.0)) == "Value(data=2.0, grad=0)"
    a, b = Value(2.0), Value(-3.0)
    a_mg, b_mg = MgValue(2.0), MgValue(-3.0)
    assert repr(a * b + 1) == repr(a_mg * b_mg + 1) == "Value(data=-5.0, grad=0)"
    random.seed(0)
    n_mg = mg_nn.Neuron(2)
    random.seed(0)
    n = Neuron(2)
    # the weights (micrograd's bias is Value(0), whose data stays the int 0;
    # ours is always a float, so the bias prints data=0.0)
    assert [repr(p) for p in n.w] == [repr(p) for p in n_mg.w]
    n.zero_grad()
    n_mg.zero_grad()
    assert [repr(p) for p in n.w] == [repr(p) for p in n_mg.w]
    assert repr(n.b) == "Value(data=0.0, grad=0)"


@pytest.mark.parametrize(
    "build",
    [
        lambda nn: nn.Neuron(3),
        lambda nn: nn.Neuron(3, nonlin=False),
        lambda nn: nn.Layer(3, 2),
        lambda nn: nn.Layer(3, 2, nonlin=False),
        lambda nn: nn.MLP(3, [4, 4, 1]),
        lambda nn: nn.MLP(2, [1]),
    ],
    ids=["Neuron", "Neuron-linear", "Layer", "Layer-linear", "MLP", "MLP-one-layer"],
)
def test_module_reprs_are_micrograds(build):
    import micrograd_scratch.nn as ours

    assert repr(build(ours)) == repr(build(mg_nn))


def test_neuron_repr_spelling():
    assert repr(Neuron(3)) == "ReLUNeuron(3)"
    assert repr(Neuron(3, nonlin=False)) == "LinearNeuron(3)"


# ---- nonlin switched after construction -------------------------------------------


def test_nonlin_set_after_construction_takes_effect():
    random.seed(21)
    n_mg = mg_nn.Neuron(2)
    random.seed(21)
    n = Neuron(2)
    x = [1.0, 1.0]
    dot_value = sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data
    if dot_value > 0:  # make the relu matter: a negative sum
        x = [-1.0, -1.0]
        dot_value = sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data
    assert dot_value < 0
    assert n(x).data == n_mg(x).data == 0  # relu

    n.nonlin = n_mg.nonlin = False
    out = n(x)
    assert out.data == pytest.approx(dot_value, rel=TOL)
    assert out.data == pytest.approx(n_mg(x).data, rel=TOL)
    assert out._op == "dot"  # no activation node at all
    assert repr(n) == repr(n_mg) == "LinearNeuron(2)"

    n.nonlin = n_mg.nonlin = True
    assert n(x).data == n_mg(x).data == 0
    assert repr(n) == repr(n_mg) == "ReLUNeuron(2)"


def test_nonlin_set_inside_an_mlp_takes_effect():
    """Layers go through Neuron.__call__, so the switch holds inside an MLP."""
    random.seed(8)
    model_mg = mg_nn.MLP(2, [3, 1])
    random.seed(8)
    model = MLP(2, [3, 1])
    for m in (model, model_mg):
        for neuron in m.layers[0].neurons:
            neuron.nonlin = False
        m.layers[-1].neurons[0].nonlin = True
    for x in ([0.5, -0.5], [-2.0, 1.0], [3.0, 2.0]):
        assert model(x).data == pytest.approx(model_mg(x).data, rel=TOL, abs=TOL)
    assert repr(model) == repr(model_mg)


# ---- micrograd's demo loop on the same seeded MLP ------------------------------------


def demo_loss(model, V, X, y):
    """micrograd's demo.ipynb loss: the SVM max-margin loss with L2."""
    inputs = [list(map(V, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    return total_loss, sum(accuracy) / len(accuracy)


def test_seeded_mlp_trains_like_micrograds_demo():
    X, labels = data.moons(24, noise=0.1, seed=0)
    y = [2 * t - 1 for t in labels]  # micrograd's demo: y in {-1, 1}

    random.seed(1337)
    model_mg = mg_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    params, params_mg = model.parameters(), model_mg.parameters()
    assert len(params) == len(params_mg) == 337
    assert [p.data for p in params] == [p.data for p in params_mg]  # the same weights, exactly
    assert repr(model) == repr(model_mg)

    for k in range(4):
        losses = []
        for m, V in ((model_mg, MgValue), (model, Value)):
            total_loss, acc = demo_loss(m, V, X, y)
            m.zero_grad()
            total_loss.backward()
            learning_rate = 1.0 - 0.9 * k / 100
            for p in m.parameters():
                p.data -= learning_rate * p.grad
            losses.append((total_loss.data, acc))
        (loss_mg, acc_mg), (loss, acc) = losses
        assert close(loss, loss_mg), f"step {k}: loss {loss!r} here, {loss_mg!r} in micrograd"
        assert acc == acc_mg
        for i, (p, p_mg) in enumerate(zip(params, params_mg)):
            where = f"step {k}, parameter {i}"
            assert close(p.grad, p_mg.grad), f"{where}: grad {p.grad!r} vs {p_mg.grad!r}"
            assert close(p.data, p_mg.data), f"{where}: data {p.data!r} vs {p_mg.data!r}"
    # the forward outputs after training, too
    for x in X[:5]:
        assert close(model(x).data, model_mg(x).data)
