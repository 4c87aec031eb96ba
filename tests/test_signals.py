"""Signals on the command line: SIGTERM (a `timeout`) and SIGHUP (a closed
terminal) are handled as Ctrl-C is, saving what --save asked for and
exiting 143 and 129; a second signal stops a step at once and still saves,
and one that comes while a model is saved waits for the save; Ctrl-C
while the outputs are written says which were not, also when it lands in
a finalizer; Ctrl-C before anything ran is one line and exit 130, never a
traceback."""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import time
import weakref

import pytest

import micrograd_scratch as ms
from micrograd_scratch import cli
from micrograd_scratch.cli import outputs


def run_cli(capsys, *argv):
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("signals, status", [
    ([signal.SIGTERM], 143),
    ([signal.SIGHUP], 129),  # a closed terminal; it used to lose the model
    # The second one stops the step at once, and the model saved is as it
    # was before that step; it used to be exit 143, no model and no line.
    *[([signal.SIGTERM, signal.SIGTERM], 143)] * 3,
], ids=["SIGTERM", "SIGHUP", "SIGTERM twice, 2 ms apart", "again", "and again"])
def test_a_signal_during_training_saves_the_model_and_exits_128_plus_its_number(
        tmp_path, signals, status):
    process = subprocess.Popen(["micrograd-scratch", "xor", "--epochs", "1000000", "--save", "m.json"],
                               cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout.readline().startswith("MLP 2-16-1")  # the handlers are in place
        assert process.stdout.readline().startswith("epoch ")  # a step has been taken
        for number in signals:
            process.send_signal(number)
            time.sleep(0.002)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    # A second signal that comes as the process exits, its handlers given
    # back, ends it by that signal: a shell reports 128 + its number too.
    assert (process.returncode if process.returncode >= 0 else 128 - process.returncode) == status
    name = signal.Signals(signals[0]).name
    assert re.fullmatch(rf"micrograd-scratch: terminated \({name}\) at epoch \d+ of 1000000; "
                        r"saved the model trained so far to m\.json\n", err), err
    model = ms.load(tmp_path / "m.json")
    assert len(model.parameters()) == 65 and all(math.isfinite(p.data) for p in model.parameters())


@pytest.mark.parametrize("module, name", [(outputs, "save"), (cli.training, "diagnose")],
                         ids=["while the model is saved", "while the accuracy is reported"])
def test_a_signal_after_training_waits_for_the_models_save(capsys, tmp_path, monkeypatch,
                                                            module, name):
    monkeypatch.chdir(tmp_path)
    work = getattr(module, name)

    def under_fire(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs in the loop below
        for _ in range(10_000):
            pass
        return work(*args, **kwargs)

    monkeypatch.setattr(module, name, under_fire)
    status, out, err = run_cli(capsys, "xor", "--epochs", "5", "--save", "m.json", "--plot", "p.png",
                               "--diagnose")
    assert status == 143
    assert err == ("micrograd-scratch: terminated (SIGTERM) while writing the outputs; "
                   "not written: --plot p.png\n")
    assert "saved the model to m.json" in out
    assert len(ms.load(tmp_path / "m.json").parameters()) == 65


def test_sigterm_raised_inside_a_finalizer_while_drawing_still_stops(capsys, tmp_path, monkeypatch):
    # Python cannot raise out of a weakref callback (matplotlib runs them
    # while it draws): it printed "Exception ignored", drew on, and exit 0.
    monkeypatch.chdir(tmp_path)

    class Figure:
        pass

    def pictures(args, run):
        figure = Figure()

        def finalizer(ref):
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10_000):  # the handler runs here, inside the callback
                pass

        ref = weakref.ref(figure, finalizer)
        del figure
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # drawing goes on, for as long as it takes
            pass
        return ref

    monkeypatch.setattr(outputs, "pictures", pictures)
    started = time.monotonic()
    status, out, err = run_cli(capsys, "xor", "--epochs", "5", "--plot", "p.png", "--graph", "g.png")
    assert status == 143 and time.monotonic() - started < 9
    assert err == ("micrograd-scratch: terminated (SIGTERM) while writing the outputs; "
                   "not written: --plot p.png, --graph g.png\n")
    assert not (tmp_path / "g.png").exists()


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
    assert status == 0 and "143 stopped by SIGTERM and 129 by SIGHUP" in " ".join(out.split())
