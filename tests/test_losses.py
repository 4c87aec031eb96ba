"""Every loss: against a hand computation, against finite differences
(gradcheck), against PyTorch in float64 when it is installed, at extreme
scores, and with bad inputs."""

from __future__ import annotations

import math

import pytest

from micrograd_scratch.engine import Value
from micrograd_scratch.gradcheck import gradcheck
from micrograd_scratch.losses import (
    LOSSES,
    bce_with_logits,
    cross_entropy,
    hinge,
    l2,
    mse,
    softmax,
)


def values(xs):
    return [Value(x) for x in xs]


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


# ---- hand computations ----------------------------------------------------


def test_mse_by_hand():
    p = values([0.5, 2.0, -1.0])
    loss = mse(p, [1, 2, 1])
    assert loss.data == pytest.approx((0.25 + 0 + 4) / 3)
    loss.backward()
    # d/dp_i = 2 (p_i - t_i) / n
    assert [v.grad for v in p] == pytest.approx([2 * -0.5 / 3, 0.0, 2 * -2 / 3])


def test_mse_of_the_talks_least_squares_solution():
    # f = 0.5 everywhere on XOR: every error is 0.5, J/4 = 0.25
    assert mse(values([0.5] * 4), [0, 1, 1, 0]).data == 0.25


def test_bce_by_hand():
    z = values([0.0, 2.0, -1.0])
    t = [1, 0, 1]
    loss = bce_with_logits(z, t)
    expected = -(math.log(0.5) + math.log(1 - sigmoid(2.0)) + math.log(sigmoid(-1.0))) / 3
    assert loss.data == pytest.approx(expected)
    loss.backward()
    # d/dz = (sigmoid(z) - t) / n, including at z = 0 exactly
    assert [v.grad for v in z] == pytest.approx(
        [(0.5 - 1) / 3, sigmoid(2.0) / 3, (sigmoid(-1.0) - 1) / 3]
    )


def test_bce_accepts_probabilities_as_targets():
    z = Value(0.3)
    bce_with_logits([z], [0.25]).backward()
    assert z.grad == pytest.approx(sigmoid(0.3) - 0.25)


@pytest.mark.parametrize("z, t", [(1000.0, 1), (1000.0, 0), (-1000.0, 1), (-1000.0, 0)])
def test_bce_is_stable_for_huge_logits(z, t):
    v = Value(z)
    loss = bce_with_logits([v], [t])
    # softplus(z) - t z: 0 when the logit agrees with the label, |z| when not
    right = (z > 0) == (t == 1)
    assert loss.data == pytest.approx(0.0 if right else 1000.0)
    loss.backward()
    assert v.grad == pytest.approx((1.0 if z > 0 else 0.0) - t)


def test_hinge_by_hand():
    s = values([2.0, 0.5, -0.5, 0.25])
    y = [1, 1, 1, -1]
    loss = hinge(s, y)
    # margins 1 - y s: -1 (free), 0.5, 1.5, 1.25
    assert loss.data == pytest.approx((0 + 0.5 + 1.5 + 1.25) / 4)
    loss.backward()
    assert [v.grad for v in s] == pytest.approx([0.0, -0.25, -0.25, 0.25])


def test_hinge_reads_label_0_as_minus_1():
    a, b = values([0.25, -3.0]), values([0.25, -3.0])
    la, lb = hinge(a, [0, 0]), hinge(b, [-1, -1])
    assert la.data == lb.data == pytest.approx(1.25 / 2)
    la.backward()
    lb.backward()
    assert [v.grad for v in a] == [v.grad for v in b] == [0.5, 0.0]


def test_softmax_by_hand():
    probs = softmax(values([1.0, 2.0, 3.0]))
    e = [math.exp(1), math.exp(2), math.exp(3)]
    assert [p.data for p in probs] == pytest.approx([x / sum(e) for x in e])
    assert sum(p.data for p in probs) == pytest.approx(1.0)


def test_softmax_is_stable_for_huge_logits():
    probs = softmax(values([1000.0, 1000.0, -1000.0]))
    assert [p.data for p in probs] == pytest.approx([0.5, 0.5, 0.0])


def test_cross_entropy_one_example_by_hand():
    z = values([1.0, 2.0, 3.0])
    loss = cross_entropy(z, 0)
    e = [math.exp(1), math.exp(2), math.exp(3)]
    assert loss.data == pytest.approx(-math.log(e[0] / sum(e)))
    loss.backward()
    # d/dz_i = softmax_i - [i == target]
    assert [v.grad for v in z] == pytest.approx([e[0] / sum(e) - 1, e[1] / sum(e), e[2] / sum(e)])


def test_cross_entropy_batch_is_the_mean_of_the_examples():
    batch = [[1.0, -1.0], [0.5, 0.25], [-2.0, 3.0]]
    targets = [0, 1, 1]
    each = [cross_entropy(values(z), t).data for z, t in zip(batch, targets)]
    loss = cross_entropy([values(z) for z in batch], targets)
    assert loss.data == pytest.approx(sum(each) / 3)


def test_cross_entropy_is_stable_for_huge_logits():
    z = values([1000.0, -1000.0])
    assert cross_entropy(z, 0).data == pytest.approx(0.0)
    assert cross_entropy(z, 1).data == pytest.approx(2000.0)
    cross_entropy(z, 1).backward()
    assert [v.grad for v in z] == pytest.approx([1.0, -1.0])


def test_l2_by_hand():
    ps = values([1.0, -2.0, 0.5])
    penalty = l2(ps, 0.1)
    assert penalty.data == pytest.approx(0.1 * (1 + 4 + 0.25))
    penalty.backward()
    assert [p.grad for p in ps] == pytest.approx([0.2, -0.4, 0.1])


def test_l2_with_alpha_zero_is_zero():
    assert l2(values([3.0]), 0).data == 0.0


def test_losses_accept_numbers_as_scores():
    assert mse([1, 2], [1, 2]).data == 0.0


def test_mean_is_two_nodes_whatever_the_batch_size():
    loss = mse(values([1.0] * 50), [0] * 50)
    assert loss._op == "*" and loss._prev[0]._op == "total"
    assert len(loss._prev[0]._prev) == 50


def test_losses_by_name():
    assert LOSSES == {
        "mse": mse,
        "bce": bce_with_logits,
        "hinge": hinge,
        "cross_entropy": cross_entropy,
    }


# ---- finite differences -----------------------------------------------------

POINT = [0.7, -1.3, 2.1, -0.4]
LABELS = [1, 0, 1, 0]


@pytest.mark.parametrize(
    "name, f",
    [
        ("mse", lambda *s: mse(list(s), LABELS)),
        ("bce", lambda *s: bce_with_logits(list(s), LABELS)),
        ("bce_probability_targets", lambda *s: bce_with_logits(list(s), [0.1, 0.9, 0.5, 0.0])),
        ("hinge", lambda *s: hinge(list(s), LABELS)),
        ("softmax_component", lambda *s: softmax(list(s))[2]),
        ("cross_entropy_one", lambda *s: cross_entropy(list(s), 1)),
        ("cross_entropy_batch", lambda a, b, c, d: cross_entropy([[a, b], [c, d]], [1, 0])),
        ("l2", lambda *s: l2(list(s), 0.01)),
        ("mse_plus_l2", lambda *s: mse(list(s), LABELS) + l2(list(s), 0.5)),
    ],
)
def test_gradients_match_finite_differences(name, f):
    result = gradcheck(f, POINT)
    assert result.ok, str(result)


def test_bce_gradient_at_zero_logit_matches_finite_differences():
    # where max(z, 0) + log(1 + exp(-|z|)) built from relu would give -t
    result = gradcheck(lambda z: bce_with_logits([z], [1]), [0.0])
    assert result.ok, str(result)
    assert result.analytic == pytest.approx([-0.5])


# ---- PyTorch ----------------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="PyTorch is not installed: comparison skipped")


def _torch_check(torch, ours, theirs, xs):
    """ours(list of Values) and theirs(float64 tensor) must agree on the
    value and the gradient."""
    vs = values(xs)
    out = ours(vs)
    out.backward()
    t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    ref = theirs(t)
    ref.backward()
    assert out.data == pytest.approx(ref.item(), rel=1e-12, abs=1e-12)
    assert [v.grad for v in vs] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-12)


XS = [0.7, -1.3, 2.1, -0.4, 0.0, 35.0]
YS = [1, 0, 1, 0, 1, 0]


def test_mse_matches_torch(torch):
    y = torch.tensor(YS, dtype=torch.float64)
    _torch_check(torch, lambda v: mse(v, YS), lambda t: torch.nn.functional.mse_loss(t, y), XS)


def test_bce_matches_torch(torch):
    y = torch.tensor(YS, dtype=torch.float64)
    _torch_check(
        torch,
        lambda v: bce_with_logits(v, YS),
        lambda t: torch.nn.functional.binary_cross_entropy_with_logits(t, y),
        XS,
    )


def test_hinge_matches_torch(torch):
    y = torch.tensor([1.0 if t == 1 else -1.0 for t in YS], dtype=torch.float64)
    _torch_check(
        torch, lambda v: hinge(v, YS), lambda t: torch.relu(1 - y * t).mean(), [0.7, -1.3, 2.1, -0.4]
        + [0.5, 35.0]
    )


def test_softmax_matches_torch(torch):
    _torch_check(
        torch,
        lambda v: softmax(v)[1] * 3 + softmax(v)[4],
        lambda t: torch.softmax(t, 0)[1] * 3 + torch.softmax(t, 0)[4],
        XS,
    )


def test_cross_entropy_matches_torch(torch):
    logits = [[0.7, -1.3, 2.1], [-0.4, 0.0, 35.0]]
    targets = [2, 0]
    flat = [z for row in logits for z in row]
    _torch_check(
        torch,
        lambda v: cross_entropy([v[:3], v[3:]], targets),
        lambda t: torch.nn.functional.cross_entropy(t.view(2, 3), torch.tensor(targets)),
        flat,
    )


def test_l2_matches_torch(torch):
    _torch_check(torch, lambda v: l2(v, 1e-4), lambda t: 1e-4 * (t * t).sum(), XS)


# ---- bad inputs -----------------------------------------------------------------


@pytest.mark.parametrize("loss", [mse, bce_with_logits, hinge])
def test_length_mismatch(loss):
    with pytest.raises(ValueError, match="3 .* but 2 targets"):
        loss(values([0.1, 0.2, 0.3]), [0, 1])


@pytest.mark.parametrize("loss", [mse, bce_with_logits, hinge, cross_entropy])
def test_empty_batch(loss):
    with pytest.raises(ValueError, match="no examples"):
        loss([], [])


@pytest.mark.parametrize("loss", [mse, bce_with_logits, hinge])
def test_a_single_value_instead_of_a_list(loss):
    with pytest.raises(TypeError, match="expected a list with one score per example, got Value"):
        loss(Value(1.0), [1])


@pytest.mark.parametrize("loss", [mse, bce_with_logits, hinge])
def test_multi_output_scores_are_refused_with_a_hint(loss):
    with pytest.raises(ValueError, match="example 0 has 2 scores.*cross_entropy"):
        loss([values([0.1, 0.2])], [1])


@pytest.mark.parametrize("loss", [mse, bce_with_logits, hinge])
def test_non_number_targets(loss):
    with pytest.raises(TypeError, match="target 1 is a str"):
        loss(values([0.1, 0.2]), [1, "0"])
    with pytest.raises(TypeError, match="target 0 is a bool"):
        loss(values([0.1]), [True])


def test_bce_target_out_of_range():
    with pytest.raises(ValueError, match="target 1 is -1; targets must be between 0 and 1"):
        bce_with_logits(values([0.1, 0.2]), [1, -1])


def test_hinge_bad_target():
    with pytest.raises(ValueError, match=r"target 0 is 2; hinge targets are \+1 or -1"):
        hinge(values([0.1]), [2])


def test_cross_entropy_bad_target_index():
    with pytest.raises(ValueError, match=r"target class 2 is out of range for 2 logits \(classes 0..1\)"):
        cross_entropy(values([0.1, 0.2]), 2)
    with pytest.raises(ValueError, match=r"target class -1 \(example 1\) is out of range"):
        cross_entropy([values([0.1, 0.2]), values([0.1, 0.2])], [0, -1])
    with pytest.raises(TypeError, match="must be an int class index, got float"):
        cross_entropy(values([0.1, 0.2]), 1.0)


def test_cross_entropy_with_one_score_per_example_explains():
    with pytest.raises(ValueError, match="example 0 has a single score.*one neuron per class"):
        cross_entropy(values([0.1, 0.2]), [0, 1])


def test_cross_entropy_batch_length_mismatch():
    with pytest.raises(ValueError, match="2 examples but 1 targets"):
        cross_entropy([values([0.1, 0.2]), values([0.1, 0.2])], [0])


def test_softmax_of_nothing():
    with pytest.raises(ValueError, match="softmax: no logits"):
        softmax([])


def test_non_value_score():
    with pytest.raises(TypeError, match="mse: score 1 is a str"):
        mse([Value(1.0), "x"], [0, 0])


def test_l2_bad_arguments():
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        l2(values([1.0]), -0.1)
    with pytest.raises(ValueError, match="no parameters"):
        l2([], 0.1)
    with pytest.raises(TypeError, match="parameter 0 is a float, not a Value"):
        l2([1.0], 0.1)
