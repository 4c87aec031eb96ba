"""The op registry, ops.OPS, as the one source of truth for every op.

1. Each op's one rule is what every path runs: replace an op's rule with
   `ops.define(name, ..., replace=True)` and backward(), grad(),
   create_graph=True, detect_anomaly(), `node._backward()` by hand,
   `engine.local_grads`, the stepper and gradcheck all see the change, and so do the
   nodes of that op which other ops' rules build under create_graph=True.
2. Each op's forward and rule agree with central finite differences, its
   rule gives the same numbers on Values as on floats (so create_graph
   works), and, where `op.torch` names a torch function, with PyTorch in
   float64.
3. Nothing keeps its own list of ops: nn's activations, the expression
   parser, Value's methods, the renderer's symbols and neuron grouping and
   the CLI's choices all follow the registry, for an op added at runtime too.
4. A user-defined op via `define()` (sin/cos-style) gives first and second
   derivatives, passes gradcheck, and is drawn.

Every test is parametrized over ops.OPS as it stands when the tests are
collected, so a new op in ops.py is covered without editing this file.
"""

from __future__ import annotations

import argparse
import math
import operator
from contextlib import contextmanager

import pytest

from micrograd_scratch import engine, expr, nn, ops
from micrograd_scratch.engine import AnomalyError, Value, detect_anomaly, grad
from micrograd_scratch.drawing.frames import backward_steps
from micrograd_scratch.gradcheck import gradcheck
from micrograd_scratch.torch_bridge import torch_function

OP_NAMES = list(ops.OPS)

# ---- building a graph with an op, the way a user writes it -------------------

OPERATORS = {"+": operator.add, "*": operator.mul, "**": operator.pow}


def build_as_written(name: str, xs: list) -> Value:
    """The op applied to xs as a user writes it: an operator (a + b), a
    method (x.tanh()), ops.dot/ops.total; an op with none of these is
    called through the registry."""
    op = ops.OPS[name]
    if name in OPERATORS:
        return OPERATORS[name](*xs)
    if op.kind in ("unary", "activation"):
        return getattr(xs[0], name)()
    if name == "dot":
        n = len(xs) // 2
        return ops.dot(xs[:n], xs[n : 2 * n], xs[-1] if len(xs) % 2 else None)
    if name == "total":
        return ops.total(xs)
    return op(*xs)


def build_via_registry(name: str, xs: list) -> Value:
    """The op called through the registry: ops.OPS[name](*xs)."""
    return ops.OPS[name](*xs)


BUILDERS = {"as written": build_as_written, "OPS[name]()": build_via_registry}

# ---- points in each op's domain -----------------------------------------------
# Away from kinks (relu at 0) and inside the domain (log needs x > 0, a
# power with a Value exponent a base > 0). The first point of each list
# has every local derivative non-zero.

POINTS_BY_NAME = {
    "log": [(0.3,), (2.5,), (1.7,)],
    "**": [(1.5, 2.0), (0.7, -1.3), (2.2, 0.5)],
    "relu": [(0.8,), (1.7,), (-0.6,)],
    "dot": [(0.5, -1.2, 1.5, 0.3, 0.2), (2.0, 0.7, -0.4, 1.1)],  # w0 w1 x0 x1 (bias)
}
POINTS_BY_KIND = {
    "unary": [(0.4,), (-1.3,), (2.1,)],
    "activation": [(0.4,), (-1.3,), (2.1,)],
    "binary": [(1.5, -0.7), (-2.0, 3.0)],
    "n-ary": [(0.5, -1.2, 2.0), (1.5, 0.25)],
}


def points(name: str) -> list[tuple]:
    return POINTS_BY_NAME.get(name) or POINTS_BY_KIND[ops.OPS[name].kind]


def true_terms(op: ops.Op, point: tuple) -> list[float]:
    """The op's local derivatives at point, from its definition on floats."""
    out = op.forward(*point)
    return [float(t) for t in op.local_grads(out, *point)]


# ---- replacing an op's rule, and putting it back --------------------------------


@contextmanager
def replaced_rule(name: str, local_grads):
    """ops.OPS[name] with its local derivatives replaced by `local_grads`
    (same forward, kind, symbol), as a learner edits it; afterwards the
    registry, the Op, Value's methods and operators and ops' module globals
    are exactly as before."""
    op = ops.OPS[name]
    fields = dict(vars(op))
    value_attrs = dict(vars(Value))
    ops_globals = dict(vars(ops))
    try:
        ops.define(name, forward=op.forward, local_grads=local_grads, kind=op.kind,
                   symbol=op.symbol, math=op.math, torch=op.torch, used_by=op.used_by,
                   replace=True)
        yield op
    finally:
        vars(op).update(fields)
        ops.OPS[name] = op
        for key in set(vars(Value)) | set(value_attrs):
            if key not in value_attrs:
                delattr(Value, key)
            elif vars(Value).get(key) is not value_attrs[key]:
                setattr(Value, key, value_attrs[key])
        for key, v in ops_globals.items():
            if getattr(ops, key) is not v:
                setattr(ops, key, v)


@contextmanager
def temporary_ops(*names: str):
    """Ops defined inside the block are removed from the registry and from
    Value afterwards."""
    for name in names:
        assert name not in ops.OPS and not hasattr(Value, name), f"{name!r} exists already"
    try:
        yield
    finally:
        for name in names:
            ops.OPS.pop(name, None)
            if name in vars(Value):
                delattr(Value, name)


def tripled(original):
    """Local derivatives 3 times the true ones (on floats and Values)."""
    return lambda out, *inputs: [3 * t for t in original(out, *inputs)]


# The paths that compute d(y)/d(inputs); each returns floats.


def _backward(y, xs):
    y.backward()
    return [x.grad for x in xs]


def _backward_create_graph(y, xs):
    y.backward(create_graph=True)
    return [ops.data(x.grad) for x in xs]


def _anomaly_backward(y, xs):
    with detect_anomaly():
        y.backward()
    return [x.grad for x in xs]


def _anomaly_grad(y, xs):
    with detect_anomaly():
        return grad(y, xs)


def _by_hand(y, xs):
    y.grad = 1.0
    y._backward()  # micrograd's manual step: y's inputs are the leaves xs
    return [x.grad for x in xs]


PATHS = {
    "backward()": _backward,
    "grad()": lambda y, xs: grad(y, xs),
    "backward(create_graph=True)": _backward_create_graph,
    "grad(create_graph=True)": lambda y, xs: [g.data for g in grad(y, xs, create_graph=True)],
    "detect_anomaly() + backward()": _anomaly_backward,
    "detect_anomaly() + grad()": _anomaly_grad,
    "node._backward() by hand": _by_hand,
    "engine.local_grads(node)": lambda y, xs: engine.local_grads(y),
    "backward_steps(y), the stepper": lambda y, xs: [t.term for t in backward_steps(y)[-1].terms],
}

REPLACEMENT_CASES = [
    pytest.param(name, builder, id=f"{name}-{builder}") for name in OP_NAMES for builder in BUILDERS
]


@pytest.mark.parametrize("name, builder", REPLACEMENT_CASES)
def test_every_path_runs_the_ops_one_rule(name, builder):
    op = ops.OPS[name]
    point = points(name)[0]
    original = true_terms(op, point)
    assert all(t != 0 for t in original), f"{name}: pick a point where every derivative is non-zero"
    expected = [3 * t for t in original]
    build = BUILDERS[builder]

    disagreements = []
    with replaced_rule(name, tripled(op.local_grads)):
        for path, run in PATHS.items():
            xs = [Value(x) for x in point]
            y = build(name, xs)
            assert y._op == name and list(y._prev) == xs, f"{name}: not one {name} node"
            got = [float(g) for g in run(y, xs)]
            if got != pytest.approx(expected, rel=1e-12, abs=1e-12):
                old = got == pytest.approx(original, rel=1e-12)
                seen = "the original rule" if old else "something else"
                disagreements.append(f"{path} gives {got} ({seen}), the replaced rule {expected}")

        result = gradcheck(lambda *xs: build(name, list(xs)), point)
        if result.ok or "MISMATCH" not in str(result):
            disagreements.append(f"gradcheck says ok for a rule 3x too large:\n{result}")
        elif result.analytic != pytest.approx(expected, rel=1e-12):
            disagreements.append(f"gradcheck's backward() column {result.analytic}, not {expected}")
        elif not any(m.startswith("backward()") for m in result.mismatches) or not any(
            m.startswith("grad()") for m in result.mismatches
        ):
            disagreements.append(f"gradcheck names only {result.mismatches}")

    assert not disagreements, f"op {name!r} built {builder}, rule replaced:\n  " + "\n  ".join(
        disagreements
    )
    # ...and the original is back
    xs = [Value(x) for x in point]
    build(name, xs).backward()
    assert [x.grad for x in xs] == pytest.approx(original, rel=1e-12), f"{name}: not restored"


def test_a_power_by_a_number_runs_the_pow_rule():
    """x ** 2.5 is the "**" op with its exponent folded in: it runs the "**" rule too."""
    op = ops.OPS["**"]
    with replaced_rule("**", tripled(op.local_grads)):
        x = Value(1.5)
        (x**2.5).backward()
    assert x.grad == pytest.approx(3 * 2.5 * 1.5**1.5, rel=1e-12)


# Rules build nodes of other ops under create_graph=True (sin's rule a cos
# node, **'s a log node, every rule * and + nodes). Those nodes are built
# after the replacement, so they must run the replaced rule too, though the
# rules reach them through ops' module names (`cos(x)`) and Value's operators.


def _nodes_below(roots):
    seen, stack = set(), list(roots)
    while stack:
        v = stack.pop()
        if isinstance(v, Value) and v not in seen:
            seen.add(v)
            stack.extend(v._prev)
    return seen


@pytest.mark.parametrize("name", OP_NAMES)
def test_nodes_that_rules_build_run_the_replaced_rule(name):
    op = ops.OPS[name]
    original = op.local_grads  # the Op is changed in place inside the block
    found, stale = 0, []
    with replaced_rule(name, tripled(original)):
        for other in OP_NAMES:
            xs = [Value(x) for x in points(other)[0]]
            y = build_via_registry(other, xs)
            firsts = grad(y, xs, create_graph=True)
            for node in _nodes_below(firsts) - _nodes_below([y]):
                if node._op != name:
                    continue
                found += 1
                inputs = [x.data for x in node._prev]
                expected = [3 * float(t) for t in original(node.data, *inputs)]
                got = [float(t) for t in engine.local_grads(node)]
                if got != pytest.approx(expected, rel=1e-12, abs=1e-12):
                    stale.append(f"a {name} node in {other}'s derivative: local terms {got}, "
                                 f"the replaced rule {expected}")
    if not found:
        pytest.skip(f"no op's rule builds a {name!r} node")
    assert not stale, f"op {name!r} replaced:\n  " + "\n  ".join(sorted(set(stale)))


@pytest.mark.parametrize("name", OP_NAMES)
def test_a_wrong_rule_is_seen_by_gradcheck_with_op_and_input_named(name):
    """A distinctive wrong value (a constant 42) through the registry: gradcheck
    reports the mismatch at every input, on both paths."""
    op = ops.OPS[name]
    point = points(name)[0]
    with replaced_rule(name, lambda out, *inputs: [42.0 for _ in inputs]):
        result = gradcheck(lambda *xs: ops.OPS[name](*xs), point)
    assert not result.ok, f"{name}: gradcheck missed a rule that returns 42\n{result}"
    assert result.analytic == [42.0] * len(point)
    wanted = [f"{path} at x{i}" for path in ("backward()", "grad()") for i in range(len(point))]
    assert sorted(result.mismatches) == sorted(wanted), f"{name}: {result.mismatches}"
    assert op is ops.OPS[name]


# ---- each op against finite differences and torch ----------------------------------


def _cases(name):
    return [pytest.param(name, p, id=f"{name}-{p}") for p in points(name)]


ALL_POINTS = [case for name in OP_NAMES for case in _cases(name)]


@pytest.mark.parametrize("name, point", ALL_POINTS)
def test_forward_and_rule_agree_with_finite_differences(name, point):
    op = ops.OPS[name]
    xs = [Value(x) for x in point]
    y = build_as_written(name, xs)
    assert y.data == op.forward(*point), f"{name}: the node's data is not the op's forward"
    terms = true_terms(op, point)
    for i in range(len(point)):
        h = 1e-6 * max(1.0, abs(point[i]))
        up = op.forward(*[x + h if j == i else x for j, x in enumerate(point)])
        down = op.forward(*[x - h if j == i else x for j, x in enumerate(point)])
        numeric = (up - down) / (2 * h)
        assert terms[i] == pytest.approx(numeric, rel=1e-6, abs=1e-6), (
            f"{name} at {point}: rule gives d/dx{i} = {terms[i]}, finite differences {numeric}"
        )


@pytest.mark.parametrize("name, point", ALL_POINTS)
def test_rule_on_values_gives_its_numbers_on_floats_and_a_true_second_derivative(name, point):
    """The rule runs on Values as on floats (create_graph=True), and the
    graph it builds differentiates right: z = f * f, so that a rule which
    dropped the graph of g would lose the f' f' term."""
    xs = [Value(x) for x in point]
    f = build_as_written(name, xs)
    z = f * f
    first = grad(z, xs)
    first_graphs = grad(z, xs, create_graph=True)
    assert [g.data for g in first_graphs] == pytest.approx(first, rel=1e-12, abs=1e-12), name

    def first_at(p):
        vs = [Value(x) for x in p]
        fv = build_as_written(name, vs)
        return grad(fv * fv, vs)

    for i, g in enumerate(first_graphs):
        second = grad(g, xs)
        for j in range(len(point)):
            h = 1e-5 * max(1.0, abs(point[j]))
            up = first_at([x + h if k == j else x for k, x in enumerate(point)])[i]
            down = first_at([x - h if k == j else x for k, x in enumerate(point)])[i]
            numeric = (up - down) / (2 * h)
            assert second[j] == pytest.approx(numeric, rel=1e-5, abs=1e-5), (
                f"{name} at {point}: d2z/dx{i}dx{j} = {second[j]}, finite differences {numeric}"
            )


def _torch_apply(torch, op: ops.Op, ts: list):
    """Call the torch function op.torch names on scalar tensors laid out as
    our op's inputs (dot: w..., x..., then the bias if there is one)."""
    fn = torch_function(op.name)
    if op.kind != "n-ary":
        return fn(*ts)
    if op.name == "dot":
        n = len(ts) // 2
        out = fn(torch.stack(ts[:n]), torch.stack(ts[n : 2 * n]))
        return out + ts[-1] if len(ts) % 2 else out
    return fn(torch.stack(ts))


@pytest.mark.parametrize("name, point", ALL_POINTS)
def test_forward_and_gradient_agree_with_torch(name, point):
    op = ops.OPS[name]
    if not op.torch:
        pytest.skip(f"op {name!r} names no torch function")
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    if torch_function(name) is None:
        pytest.fail(f"op {name!r} names torch.{op.torch}, which torch {torch.__version__} lacks")
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    out_t = _torch_apply(torch, op, ts)
    grads_t = torch.autograd.grad(out_t, ts)
    xs = [Value(x) for x in point]
    y = build_as_written(name, xs)
    y.backward()
    assert y.data == pytest.approx(out_t.item(), rel=1e-12, abs=1e-15), f"{name} forward at {point}"
    expected = [g.item() for g in grads_t]
    assert [x.grad for x in xs] == pytest.approx(expected, rel=1e-12, abs=1e-15), (
        f"{name} gradient at {point}: ours {[x.grad for x in xs]}, torch {expected}"
    )


# ---- nothing else keeps a list of ops ------------------------------------------------


def test_nn_activations_are_the_registrys():
    assert nn.activation_names() == ops.activations() + ("linear",)
    assert ops.activations(), "no activation in the registry"
    for name in ops.activations():
        assert ops.is_activation(name)
        n = nn.Neuron(2, activation=name, seed=0)
        assert n([0.5, -0.25])._op == name
    assert not ops.is_activation("linear") and not ops.is_activation("+")


@pytest.mark.parametrize("name", ops.functions())
def test_every_function_is_parsed_and_is_a_value_method(name):
    op = ops.OPS[name]
    assert op.kind in ("unary", "activation")
    root, inputs = expr.parse_expression(f"{name}({0.5} * x)", {"x": 1.0})
    assert root._op == name and root.data == op.forward(0.5)
    root, inputs = expr.parse_expression(f"{name}(x)", {"x": 0.5})
    assert root._op == name and root.data == op.forward(0.5)
    method = getattr(Value, name)
    assert Value(0.5).__getattribute__(name)().data == op.forward(0.5)
    assert method.__doc__ == op.math


def test_functions_are_the_unary_ops_and_activations():
    assert set(ops.functions()) == {
        name for name, op in ops.OPS.items() if op.kind in ("unary", "activation")
    }
    assert set(ops.activations()) <= set(ops.functions())


@pytest.mark.parametrize("name", OP_NAMES)
def test_every_ops_symbol_is_what_symbol_returns(name):
    op = ops.OPS[name]
    assert ops.symbol(name) == op.symbol
    assert op.kind in ops.KINDS
    assert op.math, f"{name}: no formula for the docs"


def test_symbol_of_a_power_by_a_number_and_of_an_unknown_op():
    assert ops.symbol("**2") == ops.OPS["**"].symbol + "2"
    assert ops.symbol("**-1") == ops.OPS["**"].symbol + "-1"
    assert ops.symbol("mystery") == "mystery"  # a node made by hand, micrograd's way


@pytest.mark.parametrize("name", [n for n in OP_NAMES if ops.OPS[n].kind != "n-ary"])
def test_the_renderer_draws_every_op_with_its_symbol(name):
    from micrograd_scratch.drawing import draw

    xs = [Value(x, label=f"x{i}") for i, x in enumerate(points(name)[0])]
    source = draw(build_as_written(name, xs)).source
    assert f"label=<{_html_text(ops.OPS[name].symbol)}>" in source, f"{name}: symbol not drawn"


def _html_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cli_activation_options():
    """Every --activation style option of every CLI command, read through
    argparse from the parser the CLI builds."""
    cli = pytest.importorskip("micrograd_scratch.cli")
    build_parser = getattr(cli, "build_parser", None)
    if build_parser is None:
        pytest.skip("micrograd_scratch.cli has no build_parser() to read the choices from")
    parser = build_parser()
    found = {}
    for action in parser._actions:  # argparse keeps the subparsers as an action
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                for option in sub._actions:
                    if any(s.endswith("activation") for s in option.option_strings):
                        found[(command, option.option_strings[-1])] = option.choices
    if not found:
        pytest.skip("no CLI command has an --activation option")
    return found


def test_cli_activation_choices_are_nns():
    for (command, option), choices in _cli_activation_options().items():
        assert tuple(choices) == nn.activation_names(), f"{command} {option}: {choices}"


def test_cli_draw_help_lists_every_function():
    cli = pytest.importorskip("micrograd_scratch.cli")
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    description = sub.choices["draw"].description
    missing = [name for name in ops.functions() if f"{name}()" not in description]
    assert not missing, f"`draw --help` does not mention {missing}"


# ---- an op added at runtime is drawn, parsed, offered and checked ---------------------


def _softplus(x: float) -> float:
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def _cluster(source: str, name: str) -> str:
    """The text of `subgraph name { ... }` in DOT source."""
    start = source.index(f"subgraph {name} {{")
    depth = 0
    for i in range(start, len(source)):
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        if source[i] == "}" and depth == 0:
            return source[start : i + 1]
    raise AssertionError(f"unclosed {name}")


def test_a_new_activation_is_drawn_grouped_parsed_offered_and_checked():
    from micrograd_scratch.drawing import draw

    with temporary_ops("softplus"):
        ops.define(
            "softplus", kind="activation", symbol="Softplus",
            math="softplus(x) = log(1 + exp(x)); d/dx = sigmoid(x)",
            forward=_softplus,
            local_grads=lambda out, x: (ops.sigmoid(x),),
        )
        assert "softplus" in nn.activation_names() and "softplus" in ops.functions()
        for (command, option), choices in _cli_activation_options().items():
            assert "softplus" in choices, f"{command} {option} does not offer the new activation"

        # a neuron with it: the op is drawn with its symbol, inside the neuron's cluster
        neuron = nn.Neuron(2, activation="softplus", seed=3)
        assert repr(neuron) == "SoftplusNeuron(2)"
        out = neuron([0.5, -1.0])
        assert out._op == "softplus" and out.data == _softplus(out._prev[0].data)
        source = draw(out, model=neuron).source
        cluster = _cluster(source, "cluster_neuron")
        assert "label=<Softplus>" in cluster, "the activation is not drawn inside its neuron"
        assert "linear" not in source
        boxed = draw(out, model=neuron, collapse=True).source
        assert "softplus" in boxed and "linear" not in boxed, boxed

        # in an MLP: the hidden neurons say softplus, the output neuron linear
        model = nn.MLP(2, [3, 1], activation="softplus", seed=1)
        boxed = draw(model([0.5, -1.0]), model=model, collapse=True).source
        assert boxed.count("</B> softplus") == 3 and boxed.count("</B> linear") == 1, boxed

        # the expression parser, and the CLI's type for `draw "softplus(x)"`
        root, _ = expr.parse_expression("softplus(x)", {"x": 0.5})
        assert root._op == "softplus" and root.data == _softplus(0.5)
        cli_args = pytest.importorskip("micrograd_scratch.cli.args")
        assert cli_args.expression_text("softplus(2*x)") == "softplus(2*x)"

        result = gradcheck(lambda x: (x * 3).softplus() * x.softplus(), [0.7])
        assert result.ok, str(result)
        x = Value(0.7)
        (first,) = grad(x.softplus(), [x], create_graph=True)  # the rule runs on Values
        (second,) = grad(first, [x])
        s = 1 / (1 + math.exp(-0.7))
        assert (first.data, second) == pytest.approx((s, s * (1 - s)), rel=1e-15)
    assert "softplus" not in ops.OPS and not hasattr(Value, "softplus")
    assert "softplus" not in nn.activation_names()
    with pytest.raises(expr.ExpressionError):
        expr.parse_expression("softplus(x)", {"x": 0.5})


# ---- a user-defined op, the documented way --------------------------------------------


def test_a_user_defined_sin_and_cos_give_first_and_second_derivatives():
    from micrograd_scratch.drawing import draw

    with temporary_ops("usersin", "usercos"):
        usersin = ops.define(
            "usersin", symbol="SIN", math="sin(x); d/dx = cos(x)",
            forward=math.sin, local_grads=lambda out, x: (usercos(x),),
        )
        usercos = ops.define(
            "usercos", symbol="COS", math="cos(x); d/dx = -sin(x)",
            forward=math.cos, local_grads=lambda out, x: (-usersin(x),),
        )
        assert usersin(0.3) == math.sin(0.3)  # on floats, the forward
        for a in (-1.2, 0.3, 2.0):
            x = Value(a)
            y = x.usersin()
            y.backward()
            assert x.grad == math.cos(a)
            (dy,) = grad(x.usersin(), [x], create_graph=True)
            assert dy.data == math.cos(a)
            (d2y,) = grad(dy, [x], create_graph=True)
            assert d2y.data == pytest.approx(-math.sin(a), rel=1e-15)
            (d3y,) = grad(d2y, [x])
            assert d3y == pytest.approx(-math.cos(a), rel=1e-15)
            x = Value(a)
            x.usercos().backward(create_graph=True)
            assert x.grad.data == pytest.approx(-math.sin(a), rel=1e-15)
        result = gradcheck(lambda x, y: x.usersin() * y.usercos() + (x * y).usersin(), [0.4, -1.1])
        assert result.ok, str(result)
        source = draw(Value(0.5, label="x").usersin().usercos()).source
        assert "label=<SIN>" in source and "label=<COS>" in source
        root, _ = expr.parse_expression("usercos(usersin(x))", {"x": 0.5})
        assert root.data == math.cos(math.sin(0.5))


def test_define_refuses_an_existing_name_and_an_unknown_kind():
    with pytest.raises(ValueError, match="replace=True"):
        ops.define("relu", forward=lambda x: x, local_grads=lambda out, x: (1.0,))
    with temporary_ops("oddop"):
        with pytest.raises(ValueError, match="kind"):
            ops.define("oddop", kind="ternary", forward=lambda x: x,
                       local_grads=lambda out, x: (1.0,))
    assert ops.OPS["relu"].kind == "activation"


def test_anomaly_mode_checks_an_op_defined_at_runtime():
    with temporary_ops("blowup"):
        ops.define("blowup", forward=lambda x: x, local_grads=lambda out, x: (math.inf,))
        x = Value(1.0)
        with detect_anomaly(), pytest.raises(AnomalyError, match="blowup"):
            x.blowup().backward()


@pytest.mark.parametrize("name", ["bad name!", "2x", "lambda", ""])
def test_a_function_op_needs_a_python_name(name):
    # x.<name>() and "<name>(x)" in an expression must be able to reach it.
    with pytest.raises(ValueError, match="must be a Python name"):
        ops.define(name, forward=math.sin, local_grads=lambda out, x: (1.0,))
    assert name not in ops.OPS


# ---- every op at its edges, against torch ------------------------------------------
# 0, ±inf, NaN and the domain's boundary. Where torch answers a number (inf
# and NaN included) we give the same number and gradient; where we refuse
# (log(0), exp(inf)), it is with one line, and torch's answer is not finite.

EDGES = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e-300, -1e-300]
EDGE_CASES = [
    pytest.param(name, x, id=f"{name}({x})")
    for name in OP_NAMES if ops.OPS[name].kind in ("unary", "activation")
    for x in EDGES
]


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("name, x", EDGE_CASES)
def test_every_function_at_its_edges_agrees_with_torch(name, x):
    op = ops.OPS[name]
    if not op.torch:
        pytest.skip(f"op {name!r} names no torch function")
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out_t = _torch_apply(torch, op, [t])
    (grad_t,) = torch.autograd.grad(out_t, [t])
    v = Value(x)
    try:
        y = getattr(v, name)()
    except (ValueError, ArithmeticError) as error:
        assert "\n" not in str(error)
        assert not math.isfinite(out_t.item()), f"{name}({x}) refused ({error}); torch gives {out_t.item()}"
        return
    y.backward()
    assert _same(y.data, out_t.item()), f"{name}({x}) = {y.data}, torch {out_t.item()}"
    assert _same(v.grad, grad_t.item()), f"d {name}({x}) = {v.grad}, torch {grad_t.item()}"


@pytest.mark.parametrize(
    "base, exponent", [(0.0, 0.5), (0.0, 1.5), (0.0, 2.0), (0.0, 0.0), (0.0, -0.5), (2.0, 0.0)]
)
def test_a_power_at_zero_agrees_with_torch(base, exponent):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    t = torch.tensor(base, dtype=torch.float64, requires_grad=True)
    (grad_t,) = torch.autograd.grad(t**exponent, [t])
    x = Value(base)
    try:
        y = x**exponent
    except ZeroDivisionError as error:  # 0 ** -0.5: torch gives inf, we refuse in one line
        assert "divides by zero" in str(error) and math.isinf((t**exponent).item())
        return
    y.backward()
    assert _same(x.grad, grad_t.item()), f"d/dx x**{exponent} at {base}: {x.grad}, torch {grad_t.item()}"
