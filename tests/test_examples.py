"""The XOR story's examples (examples/01..07) run end to end, as a user
would run them, and print what they claim to show.

(examples/08_newton.py belongs to the higher-order story and is run by
test_higher_order.py; examples/09, the same network in PyTorch, runs here
when torch is installed.)
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(name: str) -> str:
    """Run examples/<name> with this Python; return its output, or fail
    with its stderr."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, f"{name} exited with {proc.returncode}:\n{proc.stderr}"
    assert proc.stderr == "", f"{name} wrote to stderr:\n{proc.stderr}"
    return proc.stdout


def percent(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"no line matching {pattern!r} in:\n{text}"
    return float(match.group(1))


def test_01_perceptron_learns_and_or_but_not_xor():
    out = run("01_perceptron_xor.py")
    blocks = {b.split(":")[0]: b for b in out.strip().split("\n\n")}
    assert "converged after" in blocks["AND"]
    assert "converged after" in blocks["OR"]
    assert "did not converge" in blocks["XOR"]
    assert "<- wrong" in blocks["XOR"] and "<- wrong" not in blocks["AND"] + blocks["OR"]


def test_02_least_squares_ends_at_half_everywhere():
    out = run("02_least_squares_xor.py")
    assert "solution: w = [0.000, 0.000], b = 0.500" in out
    assert out.count("0.500") >= 5  # b and the four predictions


def test_03_handset_network_computes_xor():
    out = run("03_handset_relu_xor.py")
    assert "computes XOR exactly: True" in out
    assert "an MLP(2, [2, 1]) with these weights gives: [0.0, 1.0, 1.0, 0.0]" in out
    # the hidden layer's table, as in the talk: relu(W1 x + b1) per input
    rows = [line for line in out.splitlines() if line.count("|") == 4][1:]
    hidden = [[int(v) for v in row.split("|")[2].split(",")] for row in rows]
    assert hidden == [[0, 0], [1, 0], [1, 0], [2, 1]]


def test_04_mlp_learns_xor():
    out = run("04_mlp_xor_sgd.py")
    assert "accuracy: 100%" in out


def test_05_minibatch_gets_further_than_full_batch():
    out = run("05_batch_vs_minibatch.py")
    full = percent(r"full batch: 20 steps, training accuracy ([\d.]+)%", out)
    mini = percent(r"minibatch:  400 steps, training accuracy ([\d.]+)%", out)
    assert mini >= 90 and mini > full


def test_06_moons_demo_reaches_95_percent():
    out = run("06_moons_hinge.py")
    assert percent(r"\naccuracy: (\d+)%", out) >= 95
    # the text map of the decision regions, with the CLI's symbols: both
    # classes' points (their labels) and regions (. and #)
    plot = "".join(line for line in out.splitlines() if line.startswith("|"))
    assert plot.count("0") > 20 and plot.count("1") > 20
    assert plot.count(".") > 100 and plot.count("#") > 100
    assert "the model predicts 0 on ., 1 on #" in out


def test_07_blobs_softmax_separates_the_blobs():
    out = run("07_blobs_softmax.py")
    assert "accuracy: 100%" in out
    # P(class 0) at (-2, -2) is high, at (2, 2) low
    near_0 = re.search(r"\(-2\.0, -2\.0\) \|\s+([\d.]+)", out)
    near_1 = re.search(r"\( 2\.0,  2\.0\) \|\s+([\d.]+)", out)
    assert float(near_0.group(1)) > 0.9 and float(near_1.group(1)) < 0.1


def test_09_same_net_in_pytorch_gives_the_same_losses():
    pytest.importorskip("torch", reason="PyTorch is not installed: example 09 needs it")
    out = run("09_same_net_in_pytorch.py")
    worst = [float(x) for x in re.findall(r"largest relative difference over 100 steps: (\S+)", out)]
    assert len(worst) == 2 and max(worst) <= 1e-12  # XOR and moons
    assert "(L0_relu): ReLU()" in out
    assert re.search(r"PyTorch \(CPU, float64\) [\d.]+ ms", out)
    assert "CUDA: skipped, torch.cuda.is_available() is False" in out or "CUDA (" in out


def test_every_story_example_is_tested():
    story = sorted(p.name for p in EXAMPLES.glob("0[1-79]_*.py"))  # 08: test_higher_order
    tested = sorted(
        name for name in re.findall(r'run\("(\S+\.py)"\)', pathlib.Path(__file__).read_text())
    )
    assert story == tested
