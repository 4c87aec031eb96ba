"""Signals on the command line: SIGTERM (a `timeout`, a closed terminal)
is handled as Ctrl-C is, saving what --save asked for and exiting 143;
Ctrl-C while the outputs are written says which were not; Ctrl-C before
anything ran is one line and exit 130, never a traceback."""

from __future__ import annotations

import re
import signal
import subprocess

import pytest

import micrograd_scratch as ms
from micrograd_scratch import cli
from micrograd_scratch.cli import outputs


def run_cli(capsys, *argv):
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_sigterm_during_training_saves_the_model_and_exits_143(tmp_path):
    process = subprocess.Popen(["micrograd-scratch", "xor", "--epochs", "1000000", "--save", "m.json"],
                               cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout.readline().startswith("MLP 2-16-1")  # the handlers are in place
        assert process.stdout.readline().startswith("epoch ")  # a step has been taken
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 143
    assert re.fullmatch(r"micrograd-scratch: terminated \(SIGTERM\) at epoch \d+ of 1000000; "
                        r"saved the model trained so far to m\.json\n", err), err
    assert len(ms.load(tmp_path / "m.json").parameters()) == 65


def test_ctrl_c_while_the_pictures_are_drawn_says_which_were_not_written(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C while the network is drawn

    monkeypatch.setattr(outputs, "network_graph", interrupted)
    status, out, err = run_cli(capsys, "xor", "--epochs", "5", "--save", "m.json", "--graph", "g.png")
    assert status == 130
    assert err == ("micrograd-scratch: interrupted while writing the outputs; not written: "
                   "--graph g.png\n")
    assert (tmp_path / "m.json").exists()  # the model came first, and was written


def test_sigterm_while_the_pictures_are_drawn_exits_143_with_the_same_line(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def terminated(*args, **kwargs):
        raise cli.args.Terminated()

    monkeypatch.setattr(outputs, "pictures", terminated)
    status, out, err = run_cli(capsys, "xor", "--epochs", "5", "--plot", "p.png", "--graph", "g.png")
    assert status == 143
    assert err.endswith("not written: --plot p.png, --graph g.png\n") and err.count("\n") == 1


def test_ctrl_c_before_anything_ran_is_one_line_and_exit_130(capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # while the parser is built

    monkeypatch.setattr(cli, "build_parser", interrupted)
    status, out, err = run_cli(capsys, "xor")
    assert status == 130 and err == "micrograd-scratch: interrupted before anything ran\n"


def test_sigterm_is_left_as_it_was_after_a_run(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    assert run_cli(capsys, "xor", "--epochs", "2")[0] == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


@pytest.mark.parametrize("argv", [["--help"], ["xor", "--help"]])
def test_help_lists_143(argv, capsys):
    status, out, _ = run_cli(capsys, *argv)
    assert status == 0 and "143 stopped by SIGTERM" in " ".join(out.split())
