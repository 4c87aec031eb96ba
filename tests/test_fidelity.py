"""The engine is faithful to what a learner compares it with (issue 29).

- A micrograd closure runs as micrograd runs it, its bugs included (`=`
  where `+=` belongs), and the stepper shows what it really added.
- Every op a loss is built on names that loss in its `used_by`: read from
  the loss graphs themselves, not from a list here.
- The PyTorch bridge reads an op's `torch` field one way, for layers and
  losses alike: a leaky relu with torch's leaky_relu exports as
  nn.LeakyReLU and trains the hinge loss as ours does; one that names
  torch's plain relu is refused in one line, by layers and losses alike.
- `backward(create_graph=True)` then an optimizer step keeps every
  parameter a number.
- The explorer refuses a setting it does not know, and an expression's
  unknown function, in one line.
"""

from __future__ import annotations

import contextlib
import math

import pytest

from micrograd_scratch import MLP, SGD, Adam, Value, losses, ops, xor
from micrograd_scratch.drawing.frames import backward_steps, gradients_after
from micrograd_scratch.engine import topological_order
from micrograd_scratch.explore import api


# ---- micrograd's closure, bugs included ----------------------------------------


def _sin_with_equals(value_type):
    """micrograd's most common mistake, written against either package's
    Value: the closure sets x.grad with `=` instead of adding with `+=`."""

    def sin(x):
        out = value_type(math.sin(x.data), (x,), "sin")

        def _backward():
            x.grad = math.cos(x.data) * out.grad  # the bug: = where += belongs

        out._backward = _backward
        return out

    return sin


def test_a_closure_with_equals_gives_micrograds_own_wrong_number():
    mg = pytest.importorskip("micrograd.engine", reason="micrograd 0.1.0 is not installed")
    answers = []
    for value_type in (mg.Value, Value):
        x = value_type(0.5)
        y = _sin_with_equals(value_type)(x) + x  # x gets 1 from +, then sin's = overwrites it
        y.backward()
        answers.append(x.grad)
    assert answers[0] == pytest.approx(math.cos(0.5))  # 0.8776: micrograd drops the 1
    assert answers[1] == answers[0], "ours should give micrograd's number, bug included"


def test_the_stepper_shows_what_the_buggy_closure_really_did():
    x = Value(0.5, label="x")
    y = _sin_with_equals(Value)(x) + x
    steps = backward_steps(y)
    sin_step = next(s for s in steps if s.node._op == "sin")
    (term,) = sin_step.terms
    assert term.before == 1.0  # the + sent x its 1 first
    assert term.after == pytest.approx(math.cos(0.5))  # then the closure overwrote it
    assert term.term == pytest.approx(math.cos(0.5) - 1.0)  # what it really added: -0.1224
    assert gradients_after(steps, len(steps) - 1)[x] == pytest.approx(math.cos(0.5))
    assert x.grad == 0  # the stepper changed no .grad


# ---- used_by, read from the loss graphs ------------------------------------------


def _loss_graph(name: str):
    model = MLP(2, [3, 2 if name == "cross_entropy" else 1], seed=0)
    X, y = xor()
    scores = [model(x) for x in X]
    if name == "cross_entropy":
        return losses.LOSSES[name](scores, [int(t) for t in y])
    return losses.LOSSES[name](scores, list(y))


@pytest.mark.parametrize("name", list(losses.LOSSES))
def test_every_op_a_loss_is_built_on_names_it_in_used_by(name):
    root = _loss_graph(name)
    model_ops = {"dot", "relu"}  # the network's own, before the loss
    built_on = set()
    for node in topological_order(root):
        op = "**" if node._op.startswith("**") else node._op
        if op and op not in model_ops:
            built_on.add(op)
    # relu is the network's here, but the hinge loss is relu(1 - y * s): its own too
    if name == "hinge":
        built_on.add("relu")
    missing = sorted(op for op in built_on if name not in ops.OPS[op].used_by)
    assert not missing, f"the {name} loss is built on {missing}, whose used_by leaves it out"


def test_redefining_an_op_without_used_by_keeps_it():
    op = ops.OPS["exp"]
    before = op.used_by
    assert before, "exp is used by bce and cross-entropy"
    try:
        ops.define("exp", forward=op.forward, local_grads=op.local_grads, torch=op.torch,
                   math=op.math, replace=True)
        assert ops.OPS["exp"].used_by == before
    finally:
        ops.define("exp", forward=op.forward, local_grads=op.local_grads, torch=op.torch,
                   math=op.math, used_by=before, replace=True)


# ---- the torch field, read one way ----------------------------------------------------


@contextlib.contextmanager
def leaky_relu(torch_name: str):
    """relu redefined as a leaky relu (slope 0.01), naming `torch_name`."""
    op = ops.OPS["relu"]
    saved = dict(forward=op.forward, local_grads=op.local_grads, kind=op.kind, symbol=op.symbol,
                 math=op.math, torch=op.torch, used_by=op.used_by)
    try:
        ops.define("relu", kind="activation", symbol="ReLU", torch=torch_name,
                   forward=lambda x: x if x > 0 else 0.01 * x,
                   local_grads=lambda out, x: (1.0 if ops.data(x) > 0 else 0.01,),
                   replace=True)
        yield
    finally:
        ops.define("relu", **saved, replace=True)


def _trained_tanh_mlp():
    model = MLP(2, [4, 1], activation="tanh", seed=3)
    X, y = xor()
    return model, X, y


def test_a_leaky_relu_naming_torchs_leaky_relu_exports_and_trains_hinge_as_ours():
    torch = pytest.importorskip("torch", reason="torch is not installed: no PyTorch bridge")
    from micrograd_scratch import fit
    from micrograd_scratch.torch_bridge import fit_torch, to_torch

    with leaky_relu("nn.functional.leaky_relu"):
        relu_model = MLP(2, [3, 1], seed=0)
        assert "LeakyReLU" in str(to_torch(relu_model))
        model, X, y = _trained_tanh_mlp()
        module = to_torch(model)
        theirs = fit_torch(module, X, y, "hinge", epochs=20, lr=0.1)
        ours = fit(model, X, y, "hinge", epochs=20, lr=0.1)
    assert ours == pytest.approx(theirs, rel=1e-9)
    assert isinstance(torch.nn.LeakyReLU(), torch.nn.Module)


def test_a_leaky_relu_still_naming_torchs_relu_is_refused_by_the_hinge_loss_in_one_line():
    pytest.importorskip("torch", reason="torch is not installed: no PyTorch bridge")
    from micrograd_scratch.torch_bridge import fit_torch, loss_both_ways, to_torch

    model, X, y = _trained_tanh_mlp()
    module = to_torch(model)
    with leaky_relu("relu"):
        for attempt in (lambda: fit_torch(module, X, y, "hinge", epochs=1),
                        lambda: loss_both_ways(model, X, y, "hinge")):
            with pytest.raises(ValueError) as info:
                attempt()
            message = str(info.value)
            assert "\n" not in message
            assert message.startswith("the hinge loss: the op 'relu' does not compute what torch.relu does")


# ---- create_graph and the optimizers ----------------------------------------------------


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1), lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.01)], ids=["SGD", "SGD momentum", "Adam"])
def test_an_optimizer_step_after_create_graph_keeps_parameters_numbers(make):
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    optimizer = make(model.parameters())
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward(create_graph=True)
    assert all(isinstance(p.grad, Value) for p in model.parameters())
    before = [p.data for p in model.parameters()]
    optimizer.step()
    assert all(type(p.data) is float for p in model.parameters())
    assert [p.data for p in model.parameters()] != before
    model([0.5, -1.0]).backward()  # the next forward and backward run


# ---- the explorer's checks --------------------------------------------------------------


def test_a_new_training_session_refuses_a_setting_it_does_not_know():
    with pytest.raises(api.ApiError) as info:
        api.Sessions().new({"bias": False, "nonsense": 1})
    message = str(info.value)
    assert "\n" not in message and message.startswith("unknown setting 'bias'")
    assert "hidden" in message  # and names the settings there are


def test_an_expression_with_a_hand_made_function_is_refused_in_one_line():
    with pytest.raises(api.ApiError) as info:
        api.expression({"expression": "msin(x)", "values": {"x": 0.5}})
    message = str(info.value)
    assert "\n" not in message and "msin" in message


# ---- what a review found (issue 29) ----------------------------------------------------


def test_grad_from_several_threads_on_graphs_sharing_weights_gives_each_its_own_answer():
    import threading

    from micrograd_scratch import grad

    weights = [Value(0.1 * i - 1.0) for i in range(50)]
    expected, got, errors = {}, {}, []

    def graph(k):
        return sum((w * (k + 1) * w for w in weights), Value(0.0)).tanh()

    for k in range(4):
        expected[k] = grad(graph(k), weights)
    barrier = threading.Barrier(4, timeout=30)

    def work(k):
        try:
            root = graph(k)
            barrier.wait()
            for _ in range(20):
                got[k] = grad(root, weights)
                assert got[k] == expected[k], f"thread {k}: wrong gradients"
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert all(w.grad == 0 for w in weights)  # and every .grad put back


def test_a_rule_undefined_at_a_point_fails_in_backward_not_in_the_forward_pass():
    import math as m

    ops.define("root_", forward=m.sqrt, local_grads=lambda out, x: (0.5 / out,))
    try:
        x = Value(0.0)
        y = x.root_()  # forward-only use works, as drawing or predicting needs
        assert y.data == 0.0
        with pytest.raises(ZeroDivisionError):
            y.backward()
        x4 = Value(4.0)
        x4.root_().backward()  # and where the rule is defined, it is the rule
        assert x4.grad == 0.25
    finally:
        del ops.OPS["root_"]
        delattr(Value, "root_")


def test_an_edited_backward_is_what_the_stepper_shows(monkeypatch):
    """The stepper watches the loop: a _backward that forgets the upstream
    gradient shows in its numbers as in grad()'s."""
    from micrograd_scratch import grad

    def forgetful(self, local=None):
        for child, d in zip(self._prev, local or engine_local_grads(self)):
            child.grad += d  # forgot * self.grad

    from micrograd_scratch.engine import local_grads as engine_local_grads

    monkeypatch.setattr(Value, "_backward", forgetful)
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = (a * b).tanh()
    steps = backward_steps(y)
    final = gradients_after(steps, len(steps) - 1)
    assert [final[a], final[b]] == grad(y, [a, b]) == [-3.0, 2.0]


def test_an_op_called_with_a_number_first_wraps_it():
    x = Value(3.0)
    assert ops.mul(2.0, x).data == 6.0 and ops.add(1, x).data == 4.0
    assert ops.power(2.0, x).data == 8.0


def test_grad_gives_floats_even_for_a_gradient_no_term_reached():
    from micrograd_scratch import grad

    x = Value(-1.0)
    (g,) = grad(x.relu(), [x])
    assert type(g) is float and g == 0.0


@pytest.mark.parametrize("name", ["backward", "data", "grad", "zero_grad"])
def test_define_refuses_a_name_a_value_already_has_in_one_line(name):
    with pytest.raises(ValueError) as info:
        ops.define(name, forward=lambda x: x, local_grads=lambda out, x: (1.0,))
    assert "\n" not in str(info.value) and "choose another name" in str(info.value)
    assert name not in ops.OPS and callable(Value.backward)


def test_nodes_of_one_power_share_their_rule():
    x = Value(1.5)
    assert (x**2)._rule is (x**2)._rule
    assert (x**3)._rule is not (x**2)._rule


def test_relus_op_name_differs_from_micrograds_and_the_readme_says_so():
    mg = pytest.importorskip("micrograd.engine", reason="micrograd 0.1.0 is not installed")
    from pathlib import Path

    assert mg.Value(1.0).relu()._op == "ReLU" and Value(1.0).relu()._op == "relu"
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    differences = readme.split("## Differences from micrograd", 1)[1].split("\n## ", 1)[0]
    assert "`'ReLU'`" in differences and "`'relu'`" in differences
