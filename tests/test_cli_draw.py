"""The command line's drawings: `micrograd-scratch draw EXPRESSION` with good
and hostile expressions, and `--graph FILE` after `xor` and `train`.

Bad input must give argparse's usage message, one line saying what was
wrong and exit status 2, and never run anything or write a file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("graphviz", reason="drawing needs the graphviz Python package")

from micrograd_scratch import ops  # noqa: E402
from micrograd_scratch.cli import main  # noqa: E402
from refused_expressions import REFUSED  # noqa: E402  (tests/refused_expressions.py)

ROOT = Path(__file__).resolve().parent.parent

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot program is not installed (apt-get install graphviz)",
)


def run_cli(capsys, *argv):
    """main(argv) -> (exit status, stdout, stderr)."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_program(*argv, cwd):
    """`python -m micrograd_scratch argv...` in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "micrograd_scratch", *argv], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)


def usage_error(err: str) -> str:
    """The one-line reason under argparse's usage message."""
    assert err.startswith("usage: micrograd-scratch draw"), err
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ---- draw: the good cases ---------------------------------------------------


def test_draw_the_issue_example_writes_dot_with_gradients(capsys, tmp_path):
    out_file = tmp_path / "graph.dot"
    status, out, err = run_cli(capsys, "draw", "relu(w*x + b)", "--set", "w=2", "x=3", "b=-1",
                               "--backward", "-o", str(out_file))
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "relu(w*x + b) = 5",
        "gradients, d(output)/d(input):",
        "  w: 3",
        "  x: 2",
        "  b: 1",
        f"wrote {out_file}",
    ]
    dot = out_file.read_text(encoding="utf-8")
    assert "<B>w</B><BR/>data 2<BR/>grad 3>" in dot
    assert "<B>b</B><BR/>data -1<BR/>grad 1>" in dot
    assert f"label=<{ops.symbol('relu')}>" in dot and "rankdir=LR" in dot
    assert "label=<relu(w*x + b)> labelloc=t" in dot  # the expression is the title


def test_draw_without_backward_shows_zero_gradients_and_top_to_bottom(capsys, tmp_path):
    out_file = tmp_path / "g.gv"
    status, out, _ = run_cli(capsys, "draw", "x*x", "--set", "x=3", "--rankdir", "TB",
                             "-o", str(out_file))
    assert status == 0 and "gradients" not in out
    dot = out_file.read_text(encoding="utf-8")
    assert "rankdir=TB" in dot and "grad 0>" in dot
    assert dot.count("n0 -> n1_op") == 2  # x * x: two edges


def test_set_can_be_repeated_and_numbers_need_no_names(capsys, tmp_path):
    out_file = tmp_path / "g.dot"
    status, out, _ = run_cli(capsys, "draw", "w*x + 2**3", "--set", "w=2", "--set", "x=0.5",
                             "-o", str(out_file))
    assert status == 0 and out.startswith("w*x + 2**3 = 9\n")
    status, out, _ = run_cli(capsys, "draw", "(-1.5)*2", "-o", str(out_file))
    assert status == 0 and out.startswith("(-1.5)*2 = -3\n")


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG"),
                                           (".pdf", b"%PDF")])
def test_draw_renders_real_files(capsys, tmp_path, suffix, magic):
    out_file = tmp_path / f"graph{suffix}"
    status, _, err = run_cli(capsys, "draw", "tanh(w*x + b)", "--set", "w=-0.5", "x=2", "b=0.3",
                             "--grad-view", "-o", str(out_file))
    assert (status, err) == (0, "")
    assert magic in out_file.read_bytes()[:400]


@needs_dot
def test_draw_frames_of_the_backward_pass(capsys, tmp_path):
    frames = tmp_path / "frames"
    status, out, _ = run_cli(capsys, "draw", "relu(w*x + b)", "--set", "w=2", "x=3", "b=-1",
                             "-o", str(tmp_path / "g.svg"), "--frames", str(frames))
    assert status == 0
    assert "wrote 5 frames of the backward pass" in out and "backward.html" in out
    assert sorted(p.name for p in frames.iterdir() if not p.name.startswith(".")) == [
        "backward.html", *(f"frame_{i:03d}.svg" for i in range(5))]


def test_without_dot_the_dot_file_is_written_with_a_hint(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    status, out, err = run_cli(capsys, "draw", "x + 1", "--set", "x=1",
                               "-o", str(tmp_path / "g.svg"))
    assert status == 3  # done, but not what was asked: a fallback
    assert (tmp_path / "g.dot").exists() and not (tmp_path / "g.svg").exists()
    assert f"wrote {tmp_path / 'g.dot'}" in out
    assert err.count("\n") == 1 and "apt-get install graphviz" in err


# ---- draw: bad and hostile input --------------------------------------------


@pytest.mark.parametrize("expression, reason", REFUSED)
def test_refused_expressions_are_usage_errors(capsys, tmp_path, expression, reason):
    out_file = tmp_path / "g.dot"
    status, out, err = run_cli(capsys, "draw", expression, "--set", "x=1", "-o", str(out_file))
    assert status == 2
    line = usage_error(err)
    assert reason in line
    assert out == "" and not out_file.exists()


@pytest.mark.parametrize(
    "argv, reason",
    [
        (["relu(w*x + b)", "--set", "w=2"], "no value for 'x', 'b': pass --set x=... b=..."),
        (["x + 1", "--set", "x=1", "y=2"], "given for 'y', but the expression does not use it"),
        (["x + 1", "--set", "x=1", "x=2"], "'x' is set twice"),
        (["x + 1", "--set", "x=abc"], "'abc' is not a number"),
        (["x + 1", "--set", "x"], "write name=value"),
        (["x + 1", "--set", "x=inf"], "finite number"),
        (["log(x)", "--set", "x=-2"], "log(-2.0): log is only defined for x > 0"),
        (["x / y", "--set", "x=1", "y=0"], "division by zero"),
        (["9**9**9"], "overflows a float"),
        (["x", "--set", "x=1", "-o", "g.jpg"], "must end in .svg, .png, .pdf, .dot or .gv"),
        (["x", "--set", "x=1", "-o", "no/such/dir/g.svg"], "no folder"),
        (["x", "--set", "x=1", "--rankdir", "XY"], "invalid choice"),
        (["x", "--set", "x=1", "--max-nodes", "0"], "must be at least 1"),
    ],
)
def test_bad_values_and_options_are_usage_errors(capsys, tmp_path, monkeypatch, argv, reason):
    monkeypatch.chdir(tmp_path)  # relative -o paths land here, if anything were written
    status, out, err = run_cli(capsys, "draw", *argv)
    assert status == 2
    assert reason in usage_error(err)
    assert out == "" and list(tmp_path.iterdir()) == []


def test_too_large_a_graph_says_how_to_draw_it(capsys, tmp_path):
    expression = "+".join(["x"] * 200)
    status, out, err = run_cli(capsys, "draw", expression, "--set", "x=1",
                               "-o", str(tmp_path / "g.dot"))
    assert status == 2  # the limit is an argument's: a usage error
    assert err.endswith("micrograd-scratch draw: error: argument --max-nodes: the graph has 399 "
                        "nodes, more than 250; pass --max-nodes 399 to draw it anyway\n")
    assert run_cli(capsys, "draw", expression, "--set", "x=1", "--max-nodes", "399",
                   "-o", str(tmp_path / "g.dot"))[0] == 0


def test_hostile_expression_in_a_real_process_runs_nothing(tmp_path):
    done = run_program("draw", "__import__('os').system('touch pwned')", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert "attribute access" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no pwned, no graph.svg


def test_issue_example_in_a_real_process(tmp_path):
    done = run_program("draw", "relu(w*x + b)", "--set", "w=2", "x=-1", "b=0.5", "--backward",
                       "-o", "graph.dot", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("relu(w*x + b) = 0\n")
    assert (tmp_path / "graph.dot").read_text(encoding="utf-8").startswith("digraph micrograd {")


# ---- --graph after training --------------------------------------------------


def test_xor_graph_draws_the_trained_network_collapsed(capsys, tmp_path):
    out_file = tmp_path / "xor.dot"
    status, out, err = run_cli(capsys, "xor", "--hidden", "4", "--epochs", "20",
                               "--graph", str(out_file))
    assert status == 0, err
    assert out.rstrip().endswith(f"wrote {out_file}")
    dot = out_file.read_text(encoding="utf-8")
    for n in range(4):
        assert f"<B>L0.N{n}</B> relu" in dot  # one box per neuron
    assert "<B>L1.N0</B> linear" in dot
    assert "L0.N0.w0" not in dot  # the weights are inside the boxes
    # the title names the example it follows (the one with the largest loss)
    assert re.search(r"xor, trained MLP 2-4-1: following x = \([01], [01]\), target [01]; mse loss", dot)


def test_graph_detail_draws_every_weight(capsys, tmp_path):
    out_file = tmp_path / "blobs.gv"
    status, _, err = run_cli(capsys, "train", "--dataset", "blobs", "--hidden", "3",
                             "--epochs", "1", "--graph", str(out_file), "--graph-detail")
    assert status == 0, err
    dot = out_file.read_text(encoding="utf-8")
    assert "subgraph cluster_L0_N2" in dot and "L1.N1.w2" in dot  # cross-entropy: 2 outputs
    assert "cross-entropy loss" in dot


def test_graph_detail_too_large_says_to_collapse_before_training(capsys, tmp_path):
    # The graph's size is the network's shape: known before the first epoch.
    status, out, err = run_cli(capsys, "xor", "--hidden", "16,16", "--epochs", "1", "--lr", "0.01",
                               "--graph", str(tmp_path / "g.dot"), "--graph-detail")
    assert status == 2 and out == ""  # nothing trained
    reason = err.splitlines()[-1]
    assert reason.startswith("micrograd-scratch xor: error: argument --graph: the network's graph has ")
    assert "leave out --graph-detail" in reason and err.count("\n") == 2


def test_graph_file_is_checked_before_training(capsys, tmp_path):
    status, out, err = run_cli(capsys, "xor", "--graph", str(tmp_path / "g.jpg"))
    assert status == 2 and out == ""
    assert "argument --graph: cannot write" in err and "Traceback" not in err


@needs_dot
def test_train_graph_renders_svg(capsys, tmp_path):
    out_file = tmp_path / "moons.svg"
    status, _, err = run_cli(capsys, "train", "--dataset", "moons", "--hidden", "8",
                             "--epochs", "1", "--graph", str(out_file))
    assert status == 0, err
    svg = out_file.read_text(encoding="utf-8")
    assert "<svg" in svg and "L0.N7" in svg and "hinge loss" in svg
