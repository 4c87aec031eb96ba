"""Training as an animation: the GIF read back with Pillow (a frame per
snapshot, the first and last held longer, every frame the same size,
every caption's loss the run's), the same layout in every frame,
train_model's hook, Jupyter, and on the command line `xor --animate` and
`train --animate` with their one-line refusals."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("matplotlib", reason="the frames' plots are matplotlib figures")
Image = pytest.importorskip("PIL.Image", reason="animations are written by Pillow (pip install pillow)")

from micrograd_scratch import MLP, mse, xor  # noqa: E402
from micrograd_scratch.drawing.animate import HOLD, TrainingRecorder, animate_training  # noqa: E402
from micrograd_scratch.drawing.styles import fmt  # noqa: E402

CLI = shutil.which("micrograd-scratch")
needs_cli = pytest.mark.skipif(CLI is None, reason="the micrograd-scratch command is not installed (pip install -e .)")


def read_back(path):
    """[(duration ms, RGB frame)] and the comment's captions, one a frame."""
    im = Image.open(path)
    frames = []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append((im.info["duration"], im.convert("RGB").copy()))
    captions = [line.split(": ", 1)[1] for line in im.info["comment"].decode().split("\n")]
    return frames, captions


def test_the_training_gif_reads_back_a_frame_per_snapshot_with_the_runs_losses(tmp_path):
    X, y = xor()
    model = MLP(2, [2, 1], seed=1)
    recorder = TrainingRecorder(model, every=4)
    from micrograd_scratch import fit

    start = mse([model(x) for x in X], y).data
    history = fit(model, X, y, mse, epochs=10, lr=0.1, callback=recorder)
    trained = [p.data for p in model.parameters()]
    path = recorder.animation(X, y, loss=mse, path=tmp_path / "training.gif", fps=5, dpi=30)
    frames, captions = read_back(path)
    # before training, epochs 4 and 8, and the last (10), though not a 4th
    assert [int(re.match(r"epoch (\d+) of 10", c).group(1)) for c in captions] == [0, 4, 8, 10]
    assert len(frames) == 4
    assert [d for d, _ in frames] == [HOLD * 200, 200, 200, HOLD * 200]  # first and last held
    assert len({im.size for _, im in frames}) == 1
    assert captions[0] == f"epoch 0 of 10: before training, loss {fmt(start)}"
    for caption in captions[1:]:
        epoch, shown = re.fullmatch(r"epoch (\d+) of 10: loss (\S+)", caption).groups()
        assert shown == fmt(history[int(epoch) - 1])
    # the model is left as trained, not as the first frame drew it
    assert [p.data for p in model.parameters()] == trained


def test_every_frame_has_the_same_layout():
    """The plots' axes and the network's maps sit at the same place in
    every frame, whatever the model and the losses so far say."""
    from micrograd_scratch.drawing.network import draw_network
    from micrograd_scratch.plot import loss_limits, plot_snapshot

    X, y = xor()
    before, after = MLP(2, [16, 1], seed=0), MLP(2, [16, 1], seed=0)
    from micrograd_scratch import fit

    history = fit(after, X, y, mse, epochs=40, lr=0.1)
    limits = loss_limits(history)
    places = []
    for model, done in ((before, []), (after, history[:3]), (after, history)):
        plots = plot_snapshot(done, model, X, y, epochs=40, limits=limits, caption="epoch",
                              resolution=8, dpi=30)
        network = draw_network(model, X, y, loss=mse, example=0, resolution=5, dpi=30,
                               size=(7.7, 6.75))
        places.append([tuple(ax.get_position().bounds) for fig in (plots, network) for ax in fig.axes]
                      + [tuple(ax.get_ylim()) + tuple(ax.get_xlim()) for ax in plots.axes])
    assert len(places[0]) == 2 + 1 + 19 + 2  # loss, map; the network's ink and 19 units
    assert places[0] == places[1] == places[2]


def test_the_training_animation_shows_itself_in_jupyter():
    X, y = xor()
    film = animate_training(MLP(2, [2, 1], seed=1), X, y, mse, epochs=2, every=1, dpi=20)
    assert film._repr_html_().startswith('<img alt="training, animated" src="data:image/gif;base64,')
    assert repr(film) == ("<an animation of 3 frames, 1.75 s: save('training.gif') writes it, "
                          "Jupyter shows it>")


def test_bad_arguments_are_refused_before_training(tmp_path, monkeypatch):
    X, y = xor()
    model = MLP(2, [2, 1], seed=1)
    start = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match="fps must be a number of frames a second from 0.1 to 50"):
        animate_training(model, X, y, mse, epochs=5, fps=60)
    with pytest.raises(ValueError, match=r"must end in \.gif, \.apng, \.png or \.mp4"):
        animate_training(model, X, y, mse, tmp_path / "t.svg", epochs=5)
    with pytest.raises(ValueError, match="more than 200; take a frame every 6 epochs or more"):
        animate_training(model, X, y, mse, epochs=1000, every=1)
    with pytest.raises(ValueError, match="at dpi 1200, a frame of 14,400 x 8,100 px .* a dpi of 320 or less fits"):
        animate_training(model, X, y, mse, epochs=5, dpi=1200)
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="needs Pillow, which is not installed"):
        animate_training(model, X, y, mse, tmp_path / "t.gif", epochs=5)
    assert [p.data for p in model.parameters()] == start  # nothing trained
    assert not os.listdir(tmp_path)


def test_train_models_hook_sees_the_start_and_every_epoch(capsys):
    from micrograd_scratch.cli.training import train_model

    seen = []
    run = train_model("xor", hidden=[2], activation="relu", loss="mse", lr=0.1, epochs=3,
                      on_epoch=lambda epoch, run: seen.append((epoch, list(run.history))))
    assert [e for e, _ in seen] == [0, 1, 2, 3]
    assert seen[0][1] == [] and seen[-1][1] == run.history


# ---- the command line ------------------------------------------------------------


def cli(*args, cwd, env=None):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env=env)


@needs_cli
def test_xor_animate_on_the_command_line(tmp_path):
    done = cli("xor", "--hidden", "2", "--epochs", "12", "--seed", "1", "--animate", "training.gif",
               "--animate-every", "4", "--fps", "2", "--dpi", "30", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote training, 4 frames (a frame every 4 epochs), to training.gif" in done.stdout
    frames, captions = read_back(tmp_path / "training.gif")
    assert len(frames) == 4 and len({im.size for _, im in frames}) == 1
    assert [d for d, _ in frames] == [HOLD * 500, 500, 500, HOLD * 500]
    # the last caption's loss is the one the progress line printed for epoch 12
    printed = float(re.search(r"epoch 12/12  loss (\S+)", done.stdout).group(1))
    assert captions[-1] == f"epoch 12 of 12: loss {fmt(printed)}"


@needs_cli
def test_train_animate_on_the_command_line(tmp_path):
    done = cli("train", "--dataset", "xor", "--hidden", "2", "--epochs", "2", "--animate", "t.apng",
               "--dpi", "20", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    im = Image.open(tmp_path / "t.apng")
    assert im.n_frames == 3  # before training, epochs 1 and 2
    printed = float(re.search(r"epoch 2/2  loss (\S+)", done.stdout).group(1))
    assert im.info["Description"].split("\n")[-1] == f"frame 2: epoch 2 of 2: loss {fmt(printed)}"


@needs_cli
@pytest.mark.parametrize("args, message", [
    (["--animate", "t.txt"], "argument --animate: cannot write 't.txt': the file name must end in "
                             ".gif, .apng, .png or .mp4"),
    (["--animate", "t.gif", "--fps", "0"], "argument --fps: must be from 0.1 to 50 frames a second, got 0"),
    (["--fps", "3"], "argument --fps: sets how --animate films training; give --animate FILE too"),
    (["--animate", "t.gif", "--epochs", "1000", "--animate-every", "1"],
     "argument --animate-every: a frame every 1 epochs of 1000 is 1001 frames, more than 200; "
     "take a frame every 6 epochs or more"),
    # a film's pixels, bounded before training (dpi 1200 died of MemoryError after 287 s)
    (["--animate", "t.gif", "--dpi", "1200"],
     "argument --dpi: with --animate, at dpi 1200, a frame of 14,400 x 8,100 px is more than "
     "8,294,400 pixels (a 4K screen); a dpi of 320 or less fits"),
    (["--animate", "t.gif", "--dpi", "300", "--animate-every", "2"],
     "argument --dpi: with --animate, at dpi 300, 101 frames of 3,600 x 2,025 px are 736,290,000 "
     "pixels, more than the 200,000,000 a film may hold; a dpi of 156 or less fits"),
])
def test_bad_animate_arguments_are_one_line_and_exit_2(tmp_path, args, message):
    done = cli("xor", "--hidden", "2", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == f"micrograd-scratch xor: error: {message}"
    assert "Traceback" not in done.stderr and "epoch" not in done.stdout  # nothing trained
    assert os.listdir(tmp_path) == []


@needs_cli
def test_without_pillow_xor_animate_says_so_before_training(tmp_path):
    hidden = tmp_path / "no_pillow"
    (hidden / "PIL").mkdir(parents=True)
    (hidden / "PIL" / "__init__.py").write_text("raise ImportError('no Pillow here')\n")
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(hidden)}
    done = cli("xor", "--hidden", "2", "--animate", "t.gif", cwd=out, env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "micrograd-scratch xor: error: argument --animate: cannot write 't.gif': a film of training "
        'needs Pillow, which is not installed: pip install -e ".[plot]" (or pip install pillow)')
    assert done.stdout == "" and os.listdir(out) == []
