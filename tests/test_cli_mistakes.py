"""The command line meets a newcomer's mistakes (issue 26), on the real
installed `micrograd-scratch` program in a subprocess: a usage error is
one line and the command's own usage, a mistake is refused before any
training, a stop names what it did not write, and nothing the user did
not name is overwritten.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

COMMAND = (shutil.which("micrograd-scratch", path=os.path.dirname(sys.executable))
           or shutil.which("micrograd-scratch"))
pytestmark = pytest.mark.skipif(COMMAND is None, reason="micrograd-scratch is not installed")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot program")


def program(*argv, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([COMMAND, *map(str, argv)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def usage_error(done: subprocess.CompletedProcess, command: str) -> str:
    """Exit status 2, nothing on stdout, and on stderr two lines: the
    command's usage and the reason, which is returned."""
    assert done.returncode == 2 and done.stdout == "", done
    usage, reason = done.stderr.splitlines()
    assert usage.startswith(f"usage: micrograd-scratch {command} [options]"), usage
    assert reason.startswith(f"micrograd-scratch {command}: error: "), reason
    return reason


def test_a_misspelt_option_gets_the_commands_usage(tmp_path):
    reason = usage_error(program("xor", "--hiden", "4", cwd=tmp_path), "xor")
    assert reason.endswith("unrecognized arguments: --hiden 4")


def test_a_caret_is_refused_at_its_column_with_the_power_to_write(tmp_path):
    reason = usage_error(program("draw", "a + b^2", cwd=tmp_path), "draw")
    assert "the operator ^ (column 6) is not allowed; a power is written ** (b**2)" in reason


def test_edges_without_a_picture_to_draw_them_in_is_refused(tmp_path):
    reason = usage_error(program("xor", "--edges", "3", cwd=tmp_path), "xor")
    assert "argument --edges:" in reason and "give --graph FILE or --animate FILE too" in reason


def test_a_graph_too_large_is_refused_before_training(tmp_path):
    # 2-64-64-1 in detail: thousands of nodes, known from the network's shape alone
    done = program("train", "--hidden", "64,64", "--graph", "g.png", "--graph-detail",
                   cwd=tmp_path)
    reason = usage_error(done, "train")
    assert "argument --graph: the network's graph has" in reason
    assert not (tmp_path / "g.png").exists()


@needs_dot
def test_draw_without_o_keeps_the_users_graph_svg_and_says_where_it_wrote(tmp_path):
    (tmp_path / "graph.svg").write_text("mine")
    done = program("draw", "x*2", "--set", "x=1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"(no -o FILE given: the graph is in {tmp_path / 'graph-2.svg'})\n")
    assert (tmp_path / "graph.svg").read_text() == "mine"


@needs_dot
def test_ctrl_c_while_draw_animates_names_the_animation_not_written(tmp_path):
    pytest.importorskip("PIL", reason="--animate needs Pillow")
    process = subprocess.Popen(
        [COMMAND, "draw", "tanh(a*b + c)", "--set", "a=2", "b=-3", "c=1", "--backward",
         "-o", "g.svg", "--animate", "b.gif"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:  # the picture is written: the film is being drawn now
        if line.startswith("wrote g.svg"):
            break
    time.sleep(0.2)  # past draw's own step from g.svg to the film, which takes over a second
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err == "micrograd-scratch: interrupted while writing the outputs; not written: --animate b.gif\n"
    assert not (tmp_path / "b.gif").exists()


def test_predict_reads_the_loss_the_model_file_records(tmp_path):
    done = program("train", "--dataset", "moons", "--hidden", "4", "--epochs", "3",
                   "--save", "model.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "predict --model model.json X1 X2" in done.stdout  # no --loss to remember
    done = program("predict", "--model", "model.json", "0.5", "-0.2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].endswith("(1 if score > 0, else 0)")  # hinge's reading
    reason = usage_error(program("predict", "--model", "model.json", "--loss", "mse", "0.5", "0",
                                 cwd=tmp_path), "predict")
    assert reason.endswith("the model file says the model was trained with hinge; "
                           "leave out --loss to read its output that way")


def test_the_rate_a_diverged_run_suggests_does_not_diverge(tmp_path):
    # --lr 50 diverges; a tenth, 5, diverges too: the suggestion skips it
    done = program("xor", "--lr", "50", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.endswith("lower the learning rate, e.g. --lr 0.5 (it did not diverge in "
                                "the first 20 epochs of this run)\n"), done.stderr
    assert program("xor", "--lr", "5", cwd=tmp_path).returncode == 1
    assert program("xor", "--lr", "0.5", cwd=tmp_path).returncode == 0  # the whole run holds


def test_a_stuck_runs_text_map_draws_no_boundary(tmp_path):
    done = program("xor", "--lr", "0.5", cwd=tmp_path)  # every unit dead: 0.50 everywhere
    assert "training accuracy: 2/4" in done.stdout
    rows = [line[1:-1] for line in done.stdout.splitlines() if line.startswith("|")]
    assert len(rows) == 14 and set("".join(rows)) == set(":01")
    assert "the model predicts neither on : (an output too close to the threshold to call)" in done.stdout
