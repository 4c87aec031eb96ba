"""The command line, end to end: what a user types and what they see.

Most tests call `main([...])` in-process and read the output with capsys;
a few run `python -m micrograd_scratch` in a subprocess to prove that the
entry point works as a program (exit status, stderr, no traceback).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from micrograd_scratch import cli
from micrograd_scratch.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run_cli(capsys, *argv):
    """main(argv) -> (exit status, stdout, stderr)."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_program(*argv):
    """`python -m micrograd_scratch argv...` in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "micrograd_scratch", *argv],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def losses_printed(out: str) -> list[float]:
    return [float(m) for m in re.findall(r"^epoch +\d+/\d+ +loss (\S+)$", out, re.M)]


def truth_table(out: str) -> list[tuple[int, int, int, int]]:
    """The rows x1 x2 | target | output | prediction, as (x1, x2, target, prediction)."""
    rows = re.findall(r"^ *([01]) +([01]) \| +([01]) \| .* \| +([01])$", out, re.M)
    return [tuple(map(int, row)) for row in rows]


# ---- xor: the main job ------------------------------------------------------


def test_xor_default_learns_xor_and_prints_the_truth_table(capsys):
    status, out, err = run_cli(capsys, "xor")
    assert status == 0
    assert err == ""
    assert truth_table(out) == [(0, 0, 0, 0), (0, 1, 1, 1), (1, 0, 1, 1), (1, 1, 0, 0)]
    assert "training accuracy: 4/4 (100%)" in out
    # The loss is shown as it goes: a compact dozen lines, falling.
    losses = losses_printed(out)
    assert 5 <= len(losses) <= 12
    assert losses[-1] < 0.01 < losses[0]
    assert "epoch 200/200" in out  # the last epoch is always shown


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_xor_reaches_100_percent_from_other_seeds(capsys, seed):
    status, out, _ = run_cli(capsys, "xor", "--seed", str(seed))
    assert status == 0
    assert "training accuracy: 4/4 (100%)" in out


@pytest.mark.parametrize("loss", ["mse", "bce", "hinge", "cross-entropy"])
def test_xor_learns_with_every_loss(capsys, loss):
    status, out, _ = run_cli(capsys, "xor", "--loss", loss)
    assert status == 0
    assert f"{loss} loss" in out
    assert "training accuracy: 4/4 (100%)" in out


def test_xor_options_change_the_network(capsys):
    status, out, _ = run_cli(capsys, "xor", "--hidden", "3,2", "--activation", "tanh",
                             "--lr", "0.05", "--epochs", "7", "--seed", "3")
    assert status == 0
    assert "MLP 2-3-2-1 (tanh, 20 parameters)" in out
    assert "lr 0.05" in out and "seed 3" in out
    assert len(losses_printed(out)) == 7
    assert len(truth_table(out)) == 4


def test_same_seed_same_output_different_seed_different_output(capsys):
    first = run_cli(capsys, "xor", "--epochs", "20")[1]
    again = run_cli(capsys, "xor", "--epochs", "20")[1]
    other = run_cli(capsys, "xor", "--epochs", "20", "--seed", "1")[1]
    assert first == again
    assert losses_printed(first) != losses_printed(other)


# ---- train ------------------------------------------------------------------


@pytest.mark.parametrize("dataset, loss, points", [
    ("xor", "mse", 4), ("noisy-xor", "bce", 200), ("blobs", "cross-entropy", 100),
    ("moons", "hinge", 100),
])
def test_train_runs_on_every_dataset_with_its_default_loss(capsys, dataset, loss, points):
    status, out, err = run_cli(capsys, "train", "--dataset", dataset, "--epochs", "1",
                               "--hidden", "4")
    assert status == 0, err
    assert f"on {dataset} ({points} points): {loss} loss" in out
    assert len(losses_printed(out)) == 1
    assert re.search(rf"^training accuracy: \d+/{points} \(\d+%\)$", out, re.M)


def test_train_blobs_reaches_full_accuracy_with_its_defaults(capsys):
    status, out, _ = run_cli(capsys, "train", "--dataset", "blobs")
    assert status == 0
    assert "batches of 16" in out
    assert "training accuracy: 100/100 (100%)" in out


def test_train_minibatch_and_decay_are_used(capsys):
    status, out, _ = run_cli(capsys, "train", "--dataset", "moons", "--hidden", "8",
                             "--epochs", "2", "--batch-size", "25", "--lr", "0.5",
                             "--lr-end", "0.05", "--loss", "bce")
    assert status == 0
    assert "bce loss, lr 0.5 -> 0.05, batches of 25" in out


def test_train_batch_as_large_as_the_data_is_full_batch(capsys):
    status, out, _ = run_cli(capsys, "train", "--dataset", "xor", "--batch-size", "4",
                             "--epochs", "1", "--lr", "0.01")  # lr 0.1's one step raises the loss
    assert status == 0
    assert "full batch" in out


# ---- perceptron -------------------------------------------------------------


@pytest.mark.parametrize("gate, targets", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1])])
def test_perceptron_learns_and_and_or(capsys, gate, targets):
    status, out, err = run_cli(capsys, "perceptron", "--gate", gate)
    assert status == 0
    assert err == ""
    rows = re.findall(r"^ *([01]) +([01]) \| +([01]) \| +([01])$", out, re.M)
    assert [int(t) for _, _, t, _ in rows] == targets
    assert [int(p) for _, _, _, p in rows] == targets
    assert re.search(r"^converged after \d+ epochs?", out, re.M)


def test_perceptron_fails_on_xor_and_says_why(capsys):
    status, out, err = run_cli(capsys, "perceptron", "--gate", "xor")
    assert status == 0  # a demonstration, not an error
    assert err == ""
    assert "did not converge after 100 epochs: XOR is not linearly separable" in out
    rows = re.findall(r"^ *([01]) +([01]) \| +([01]) \| +([01])$", out, re.M)
    assert any(target != prediction for _, _, target, prediction in rows)


def test_perceptron_out_of_epochs_on_a_separable_gate(capsys):
    status, out, _ = run_cli(capsys, "perceptron", "--gate", "and", "--epochs", "1")
    assert status == 0
    assert "did not converge after 1 epoch (" in out
    assert "try more --epochs" in out
    assert "not linearly separable" not in out


# ---- bad arguments: usage and exit status 2 ---------------------------------

BAD_ARGUMENTS = [
    ["fly"],                                   # unknown command
    ["train", "--dataset", "mnist"],
    ["train", "--activation", "gelu"],
    ["train", "--loss", "l1"],
    ["xor", "--epochs", "0"],
    ["xor", "--epochs", "-5"],
    ["xor", "--epochs", "ten"],
    ["xor", "--epochs", "2.5"],
    ["xor", "--lr", "0"],
    ["xor", "--lr", "-0.1"],
    ["xor", "--lr", "fast"],
    ["xor", "--lr", "nan"],
    ["xor", "--lr", "inf"],
    ["xor", "--lr-end", "0"],
    ["train", "--batch-size", "0"],
    ["train", "--batch-size", "-1"],
    ["train", "--batch-size", "x"],
    ["xor", "--hidden", "16,,16"],
    ["xor", "--hidden", "0"],
    ["xor", "--hidden", "-3"],
    ["xor", "--hidden", "a"],
    ["xor", "--hidden", ""],
    ["xor", "--hidden", "16,"],
    ["xor", "--hidden", "100000000"],
    ["train", "--hidden", ",".join(["4"] * 17)],
    ["xor", "--seed", "1.5"],
    ["xor", "--seed", "abc"],
    ["perceptron", "--gate", "nand"],
    ["perceptron", "--epochs", "0"],
    ["perceptron", "--epochs", "many"],
    ["train", "--epochs", "99999999999"],
    ["xor", "--epochs", "1000001"],
    ["perceptron", "--epochs", "99999999999"],
    ["xor", "--bogus"],
]


@pytest.mark.parametrize("argv", BAD_ARGUMENTS, ids=lambda a: " ".join(a) or "(none)")
def test_bad_arguments_get_usage_and_exit_2(capsys, argv):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.startswith("usage: micrograd-scratch")
    assert "error: " in err.splitlines()[-1]
    assert "Traceback" not in err


def test_bad_values_are_named_in_the_message(capsys):
    err = run_cli(capsys, "xor", "--hidden", "16,,16")[2]
    assert "argument --hidden: empty layer size in '16,,16'" in err
    err = run_cli(capsys, "xor", "--hidden", "16,100000000")[2]
    assert "layer size 100000000 in '16,100000000' is too large for a scalar engine (at most 1024)" in err
    err = run_cli(capsys, "xor", "--epochs", "0")[2]
    assert "argument --epochs: must be from 1 to 1000000, got 0" in err
    # epochs have a cap as layer sizes do: a typo is not a run that never ends
    for command in ("train", "xor", "perceptron"):
        status, _, err = run_cli(capsys, command, "--epochs", "99999999999")
        assert status == 2
        assert err.splitlines()[-1] == (f"micrograd-scratch {command}: error: argument --epochs: "
                                        "must be from 1 to 1000000, got 99999999999")
    assert run_cli(capsys, "perceptron", "--epochs", "1000000")[0] == 0  # the cap itself is allowed
    err = run_cli(capsys, "train", "--dataset", "mnist")[2]
    assert "invalid choice: 'mnist'" in err


def test_help_exits_0(capsys):
    status, out, _ = run_cli(capsys, "--help")
    assert status == 0
    for command in ("xor", "train", "perceptron"):
        assert command in out
    status, out, _ = run_cli(capsys, "train", "--help")
    assert status == 0
    assert "--dataset" in out and "moons: hinge loss" in out


# ---- errors at run time: one line, exit status 1 ----------------------------


def test_diverging_learning_rate_is_one_error_line_and_exit_1(capsys):
    # fit's own check (the growth check off): the loss became infinite
    status, out, err = run_cli(capsys, "xor", "--lr", "1e6", "--divergence-factor", "0")
    assert status == 1
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("micrograd-scratch: error: loss became")
    # the rate suggested is one that, tried on this run, held
    assert lines[0].endswith("lower the learning rate, e.g. --lr 100 (it did not diverge in the "
                             "first 50 epochs of this run)")
    assert "training accuracy" not in out


@pytest.mark.parametrize("error", [ZeroDivisionError("float division by zero"),
                                   OverflowError("math range error"),
                                   ValueError("log(-2.0): log is only defined for x > 0")])
def test_library_errors_become_one_line(capsys, monkeypatch, error):
    def broken_fit(*args, **kwargs):
        raise error

    monkeypatch.setattr(cli.training, "fit", broken_fit)
    status, _, err = run_cli(capsys, "train", "--dataset", "xor", "--epochs", "1")
    assert status == 1
    assert err == f"micrograd-scratch: error: {error}\n"


def test_ctrl_c_inside_a_step_exits_130_with_one_line(capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # as a second Ctrl-C does, part-way through a step

    monkeypatch.setattr(cli.training, "fit", interrupted)
    status, _, err = run_cli(capsys, "xor")
    assert status == 130
    assert err == "micrograd-scratch: interrupted at epoch 1 of 200\n"


# ---- the program itself ------------------------------------------------------


def test_python_dash_m_runs_xor():
    result = run_program("xor")
    assert result.returncode == 0, result.stderr
    assert "training accuracy: 4/4 (100%)" in result.stdout
    assert result.stderr == ""


def test_python_dash_m_bad_argument_and_divergence_exit_codes():
    result = run_program("train", "--dataset", "nope")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: micrograd-scratch train")
    assert "Traceback" not in result.stderr

    result = run_program("xor", "--lr", "1e6")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("micrograd-scratch: error: ")
    assert "Traceback" not in result.stderr


def test_console_script_points_at_main():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["micrograd-scratch"].partition(":")
    assert (module, function) == ("micrograd_scratch.cli", "main")
    assert getattr(sys.modules[module], function) is main


def test_closed_pipe_stops_quietly():
    # `| head -1`: the reader leaves after one line; the program must not
    # print a BrokenPipeError traceback on its way out.
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        f"'{sys.executable}' -m micrograd_scratch train --dataset blobs --epochs 3 | head -1",
        shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.stdout.startswith("MLP 2-16-16-2")
    assert result.stdout.count("\n") == 1
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


# ---- why is it stuck? (--diagnose, and the hint of a stuck run) -----------------


def run_installed(*argv):
    """The installed `micrograd-scratch` command (the venv's, next to this Python)."""
    import shutil
    command = shutil.which("micrograd-scratch", path=os.path.dirname(sys.executable))
    if command is None:
        pytest.skip("the micrograd-scratch command is not installed (pip install -e .)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([command, *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("argv, accuracy, dead, advice", [
    # one unit dead from its initialisation (a lower rate keeps it dead; --seed 1 learns)
    (["--hidden", "2", "--seed", "0"], "1/4", "1 of 2",
     "they were dead before the first step (an unlucky start, which a lower learning rate "
     "cannot fix): try another seed or more units"),
    # momentum's large steps killed most of them
    (["--momentum", "0.9"], "3/4", "14 of 16",
     "2 of them were dead before the first step, and training killed 12: try a lower "
     "learning rate and another seed or more units"),
])
def test_a_stuck_run_says_why_in_one_hint(argv, accuracy, dead, advice):
    result = run_installed("xor", *argv)
    assert result.returncode == 0, result.stderr
    assert f"training accuracy: {accuracy}" in result.stdout
    hints = [line for line in result.stdout.splitlines() if line.startswith("hint: ")]
    assert hints[0] == (f"hint: layer 1: {dead} relu units are dead (0 on every example), so no "
                        f"gradient reaches their weights; {advice}")
    if "--momentum" in argv:  # the second line names momentum (issue 16: "or a lower momentum")
        assert hints[1] == ("hint: momentum 0.9 makes each step up to 10x the plain one (a sum "
                            "of past steps); try a lower --momentum, or a lower --lr")
    assert len(hints) <= 2


def test_diagnose_prints_each_layers_figures():
    result = run_installed("xor", "--diagnose", "--momentum", "0.9")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    table = out[out.index("diagnosis, on the whole data after the last step:"):]
    header, first, output = table.splitlines()[1:4]
    assert header.split() == ["layer", "units", "dead", "saturated", "mean", "|grad|", "update/data"]
    assert first.split()[:5] == ["1", "(relu)", "16", "14", "(88%)"]
    assert output.split()[:3] == ["2", "(linear)", "1"]
    assert "warning: layer 1: 14 of 16 relu units are dead" in table
    # A healthy run prints the table and says nothing is wrong.
    result = run_installed("xor", "--diagnose")
    assert "no warnings: every figure is inside its threshold" in result.stdout
    assert "hint:" not in result.stdout
