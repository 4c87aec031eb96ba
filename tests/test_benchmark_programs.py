"""The benchmark's programs compute what they claim to (never their speed).

benchmarks/run.py compares a hand-written pure-Python training step with
the same step built by this package and by micrograd. Those ratios mean
something only if the programs do the same work, so these tests run each
one for a few steps and check that the losses agree. Timing is not tested
here: speed is never a unit test.
"""

from __future__ import annotations

import gc
import os
import random
import sys

import pytest

from micrograd_scratch import Value

# benchmarks/ is not part of the installed package: import it from the checkout.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks import baseline, run, workloads  # noqa: E402

STEPS = 3


def losses(trainer, steps: int = STEPS) -> list[float]:
    return [trainer(k) for k in range(steps)]


@pytest.fixture(scope="module")
def moons():
    return workloads.moons_data()


def test_baseline_draws_the_same_network_as_mlp():
    random.seed(workloads.SEED)
    hand = baseline.parameters(baseline.init_network(*workloads.SIZES))
    model = workloads.user_model()
    assert hand == [p.data for p in model.parameters()]
    assert len(hand) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1  # 337, as in micrograd's demo


def test_baseline_and_our_step_compute_the_same_losses(moons):
    X, ys = moons
    hand = losses(workloads.baseline_trainer(X, ys))
    ours = losses(workloads.user_trainer(X, ys))
    assert hand[0] != hand[1] != hand[2]  # the update happened: training moves the loss
    assert ours == pytest.approx(hand, abs=1e-9, rel=0)


def test_elementwise_step_computes_the_same_losses(moons):
    X, ys = moons
    hand = losses(workloads.baseline_trainer(X, ys), 2)
    assert losses(workloads.elementwise_trainer(X, ys), 2) == pytest.approx(hand, abs=1e-9, rel=0)


def test_baseline_loss_matches_a_graph_built_by_hand(moons):
    # Independent of the trainers: the first loss, from the same network,
    # as one Value expression (the demo's formula).
    X, ys = moons
    model = workloads.user_model()
    expected = workloads.elementwise_loss(model, X, ys).data
    random.seed(workloads.SEED)
    network = baseline.init_network(*workloads.SIZES)
    assert baseline.train_step(network, X, ys, lr=0.5, alpha=workloads.ALPHA) == pytest.approx(
        expected, abs=1e-12
    )


def test_micrograd_runs_the_same_step(moons):
    pytest.importorskip("micrograd", reason="micrograd 0.1.0 is not installed")
    X, ys = moons
    hand = losses(workloads.baseline_trainer(X, ys), 2)
    was_enabled = gc.isenabled()
    gc.disable()  # micrograd's graphs are cycles: collect them once, at the end
    try:
        # micrograd_trainer's two steps, with the first graph kept to count it.
        model = workloads.micrograd_model()
        first = workloads.micrograd_loss(model, X, ys)
        mg_nodes = workloads.count_nodes(first)
        theirs = [workloads.demo_step(model, first, 0)]
        theirs.append(workloads.demo_step(model, workloads.micrograd_loss(model, X, ys), 1))
        del first, model
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()
    assert theirs == pytest.approx(hand, abs=1e-9, rel=0)
    ours_nodes = workloads.count_nodes(workloads.elementwise_loss(workloads.user_model(), X, ys))
    assert ours_nodes == mg_nodes  # "the same node count as micrograd"


def test_expression_graph_is_the_same_in_torch():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    recipe = workloads.expression_recipe(width=8, depth=4)
    data = workloads.expression_leaves(8)
    ours = [Value(x) for x in data]
    root = workloads.build_expression(ours, recipe)
    root.backward()
    tensors = [workloads.torch_leaf_maker()(x) for x in data]
    troot = workloads.build_expression(tensors, recipe)
    troot.backward()
    assert isinstance(troot, torch.Tensor)
    assert root.data == pytest.approx(troot.item(), abs=1e-12)
    assert [v.grad for v in ours] == pytest.approx([run.torch_grad(t) for t in tensors], abs=1e-12)


def test_check_same_stops_the_run_on_a_mismatch():
    results = {"a": [1.0, 2.0], "b": [1.0, 2.0 + 1e-6]}
    with pytest.raises(run.ProgramsDisagree, match="b differs from a by 1e-06"):
        run.check_same("losses", results, "a", 1e-9, "steps")
    assert run.check_same("losses", {"a": [1.0], "b": [1.0]}, "a", 1e-9, "steps").startswith(
        "same losses: yes"
    )


def test_bad_arguments_are_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run.main(["--only", "nonsense"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
