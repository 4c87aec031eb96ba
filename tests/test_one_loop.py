"""One backward loop that every path runs (issues 21 and 29).

- A counting wrapper around `Value._backward`, the chain rule at one
  node, which the one loop (`engine.chain_rule`) calls for every node,
  sees every path that computes gradients: backward(), grad(),
  create_graph=True, a hand call of node._backward(), gradcheck, the
  stepper (backward_steps), the frames page and the explorer's expression
  API. The `on_step` hook sees every step of backward().
- An op written micrograd's way (a `_backward` closure) and one written
  microgpt's way (`Value(data, children, local_grads)`) step to the
  gradients their own packages give, in backward() and in the stepper,
  alone and inside an MLP.
"""

from __future__ import annotations

import math
import random

import pytest

from micrograd_scratch import MLP, Value, engine, grad
from micrograd_scratch.drawing.frames import backward_steps, gradients_after
from micrograd_scratch.explore import api
from micrograd_scratch.gradcheck import gradcheck


@pytest.fixture
def counted(monkeypatch):
    """The nodes the chain rule ran at, whichever path ran it."""
    calls = []
    step = Value._backward

    def counting(node, *args):
        calls.append(node)
        return step(node, *args)

    monkeypatch.setattr(Value, "_backward", counting)
    return calls


def _graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    return [a, b], (a * b + b**2).tanh()


def _by_hand(root, xs, tmp_path):
    root.grad = 1.0
    for node in reversed(engine.topological_order(root)):
        node._backward()


def _frames(root, xs, tmp_path):
    import shutil

    from micrograd_scratch.drawing.frames import backward_frames

    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed: the frames page needs it")
    backward_frames(root, tmp_path / "frames", format="svg")


PATHS = {
    "backward()": lambda root, xs, tmp: root.backward(),
    "grad()": lambda root, xs, tmp: grad(root, xs),
    "backward(create_graph=True)": lambda root, xs, tmp: root.backward(create_graph=True),
    "grad(create_graph=True)": lambda root, xs, tmp: grad(root, xs, create_graph=True),
    "node._backward() by hand": _by_hand,
    "gradcheck": lambda root, xs, tmp: gradcheck(lambda a, b: (a * b + b**2).tanh(), [2.0, -3.0]),
    "backward_steps (the stepper)": lambda root, xs, tmp: backward_steps(root),
    "backward_frames (the frames page)": _frames,
    "the explorer's expression API": lambda root, xs, tmp: api.expression(
        {"expression": "tanh(a*b + b**2)", "values": {"a": 2.0, "b": -3.0}}),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_path_runs_the_one_loop(path, counted, tmp_path):
    xs, root = _graph()
    PATHS[path](root, xs, tmp_path)
    ops_seen = sorted({node._op for node in counted})
    assert {"tanh", "+", "*"} <= set(ops_seen), f"{path}: the loop's step ran on {ops_seen}"


def test_the_hook_sees_every_step_with_its_gradient_and_local_derivatives():
    xs, root = _graph()
    seen = []
    root.backward(on_step=lambda node, g, local: seen.append((node._op, g, tuple(local))))
    assert [op for op, _, _ in seen] == ["tanh", "+", "**2", "*"]
    op, g, local = seen[0]
    assert g == 1.0 and local == pytest.approx((1 - root.data**2,))
    # the gradient the hook saw at a * b is the one backward() left there
    mul = root._prev[0]._prev[0]
    assert seen[-1][1] == mul.grad
    a, b = xs
    assert seen[-1][2] == (b.data, a.data)


# ---- micrograd's closure and microgpt's local gradients -------------------


def closure_sin(x: Value) -> Value:
    """sin written micrograd's way: a zero-argument _backward closure."""
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad += math.cos(x.data) * out.grad

    out._backward = _backward
    return out


def microgpt_sin(x: Value) -> Value:
    """sin written microgpt's way: the local derivative given with the node."""
    return Value(math.sin(x.data), (x,), (math.cos(x.data),))


class MicrogptValue:
    """microgpt's Value (Karpathy, 2026), as much as the tests need: local
    gradients given with each node, one loop that chains them."""

    def __init__(self, data, children=(), local_grads=()):
        self.data, self.grad = data, 0
        self._children, self._local_grads = children, local_grads

    def __mul__(self, other):
        other = other if isinstance(other, MicrogptValue) else MicrogptValue(other)
        return MicrogptValue(self.data * other.data, (self, other), (other.data, self.data))

    __rmul__ = __mul__

    def sin(self):
        return MicrogptValue(math.sin(self.data), (self,), (math.cos(self.data),))

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


SIN_MAKERS = {"micrograd's closure": closure_sin, "microgpt's local_grads": microgpt_sin}


@pytest.mark.parametrize("how", list(SIN_MAKERS))
def test_a_hand_made_sin_steps_to_the_gradient_backward_gives(how):
    sin = SIN_MAKERS[how]
    x = Value(0.5, label="x")
    y = 3 * sin(x)
    steps = backward_steps(y)
    stepped = gradients_after(steps, len(steps) - 1)[x]
    y.backward()
    reference = MicrogptValue(0.5)
    (3 * reference.sin()).backward()
    assert stepped == x.grad == reference.grad == pytest.approx(3 * math.cos(0.5))
    assert stepped == pytest.approx(2.6327476856711183)
    sin_step = next(s for s in steps if s.node._op in ("sin", engine.GENERIC_OP))
    (term,) = sin_step.terms
    assert (term.upstream, term.local) == (3.0, pytest.approx(math.cos(0.5)))


@pytest.mark.parametrize("how", list(SIN_MAKERS))
def test_a_hand_made_sin_inside_an_mlp_steps_to_the_built_in_sins_gradients(how):
    """A 2-3-1 MLP with the hand-made sin after its hidden layer: every
    parameter's gradient in the stepper is the one the built-in sin gives."""
    sin = SIN_MAKERS[how]

    def run(activation):
        model = MLP(2, [3, 1], seed=4)
        hidden = model.layers[0]([0.7, -1.2])
        out = model.layers[1]([activation(h) for h in hidden])
        steps = backward_steps(out)
        final = gradients_after(steps, len(steps) - 1)
        out.backward()
        return [final.get(p, 0.0) for p in model.parameters()], [p.grad for p in model.parameters()]

    stepped, backward = run(sin)
    built_in, _ = run(lambda h: h.sin())
    assert stepped == backward == built_in
    first_layer = stepped[:9]  # 3 neurons x (2 weights + bias)
    assert sum(g != 0 for g in first_layer) >= 6, first_layer  # the test can fail


def test_a_micrograd_closure_in_the_explorer_api_steps_to_micrograds_gradient(monkeypatch):
    """The explorer's expression view, given a graph with a closure op,
    shows micrograd's gradient (it used to show 0)."""
    def parse(text, values):
        x = Value(values["x"], label="x")
        return 3 * closure_sin(x), {"x": x}

    monkeypatch.setattr(api.expr, "parse_expression", parse)
    answer = api.expression({"expression": "3*x", "values": {"x": 0.5}})
    (x,) = answer["inputs"]
    assert x["grad"] == pytest.approx(3 * math.cos(0.5))
    assert answer["steps"][-1]["terms"][0]["product"].startswith("3 × 0.8776")


def test_microgpt_nodes_cannot_be_differentiated_again_and_say_why_in_one_line():
    x = Value(0.5)
    y = microgpt_sin(x) * x
    assert grad(y, [x]) == [pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5))]
    with pytest.raises(TypeError) as caught:
        grad(y, [x], create_graph=True)
    assert "\n" not in str(caught.value) and "plain numbers" in str(caught.value)


@pytest.mark.parametrize(
    "third, error, message",
    [
        ((1.0, 2.0), ValueError, "1 children but 2 local gradients"),
        (("a",), TypeError, "local gradient takes a real number"),
        (3, TypeError, "op must be an op name .* or a tuple of local gradients"),
    ],
)
def test_a_bad_third_argument_is_refused_in_one_line(third, error, message):
    with pytest.raises(error, match=message) as caught:
        Value(1.0, (Value(2.0),), third)
    assert "\n" not in str(caught.value)


def test_micrograds_op_name_still_works():
    a = Value(2.0)
    out = Value(a.data * 3, (a,), "triple")
    assert out._op == "triple"
    out.backward()  # no _backward set: nothing flows, as in micrograd
    assert a.grad == 0


def test_a_seeded_mlp_still_gives_the_same_gradients_on_every_run():
    def gradients():
        random.seed(3)
        model = MLP(3, [4, 4, 1])
        loss = (model([0.5, -1.0, 2.0]) - 1) ** 2
        loss.backward()
        return [p.grad for p in model.parameters()]

    assert gradients() == gradients()


def test_a_microgpt_node_is_drawn_with_the_generic_symbol_and_its_gradient_flow():
    from micrograd_scratch.drawing import draw

    x = Value(0.5, label="x")
    y = 3 * microgpt_sin(x)
    y.backward()
    source = draw(y, grad_view=True).source
    assert f"label=<{engine.GENERIC_OP}>" in source
    assert "grad 2.633" in source  # x's gradient, through the microgpt node


# ---- micrograd's shape (issue 29) ---------------------------------------------------


def test_backward_reaches_the_chain_rule_at_a_multiplication_in_two_calls_in_engine_py():
    import sys

    a, b = Value(2.0), Value(3.0)
    y = a * b
    chains = []

    def probe(frame, event, arg):
        if event == "call" and frame.f_code is Value._backward.__code__ and frame.f_locals["self"] is y:
            chain = []
            while frame.f_code is not Value.backward.__code__:
                chain.append((frame.f_code.co_name, frame.f_code.co_filename))
                frame = frame.f_back
            chains.append(chain)

    sys.setprofile(probe)
    try:
        y.backward()
    finally:
        sys.setprofile(None)
    assert [[name for name, _ in chain] for chain in chains] == [["_backward", "chain_rule"]]
    assert all(where == engine.__file__ for _, where in chains[0])
    assert y._local_grads == (3.0, 2.0)  # what _backward multiplies by: stored when y was made
    assert (a.grad, b.grad) == (3.0, 2.0)


def test_every_built_in_op_is_a_method_written_in_the_value_class_body():
    """A reader from micrograd finds __add__, __mul__, __pow__, relu, ...
    in engine.py's Value, each calling its one definition in ops.py."""
    from micrograd_scratch import ops

    operators = {"+": "__add__", "*": "__mul__", "**": "__pow__"}
    for name, op in ops.OPS.items():
        if op.kind == "n-ary":
            continue  # dot and total take lists: functions, not methods
        method = operators.get(name, name)
        assert method in vars(Value), f"op {name!r}: no {method} in the Value class"
        assert vars(Value)[method].__code__.co_filename == engine.__file__, f"{method} is not written in engine.py"
        assert vars(Value)[method].__doc__ == op.math
