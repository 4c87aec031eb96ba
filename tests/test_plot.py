"""Pictures of training: the text summaries, the matplotlib figure, and the
`--plot` option of the command line (with and without matplotlib)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_scratch import Value
from micrograd_scratch.cli import main
from micrograd_scratch.plot import (
    ASCII_LEVELS,
    INSTALL_HINT,
    LEVELS,
    decision_map,
    default_classify,
    loss_sparkline,
    plot_training,
)

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0, 1, 1, 0]


def talk_xor_network(x):
    """The talk's hand-set ReLU network (Goodfellow et al. 6.1): exact XOR."""
    x1, x2 = Value(x[0]), Value(x[1])
    h0 = (x1 + x2).relu()
    h1 = (x1 + x2 - 1).relu()
    return h0 - 2 * h1


def right_half(x):
    """Class 1 where x1 > 0.5 (the default rule: a single output > 0.5)."""
    return Value(x[0])


def no_matplotlib(monkeypatch):
    """Make every `import matplotlib...` fail, as on a machine without it."""
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


# ---- loss_sparkline -----------------------------------------------------------


def test_sparkline_is_a_log_scale_curve_between_the_first_and_last_loss():
    line = loss_sparkline([1.0, 0.1, 0.01, 0.001])
    # Equal steps in log10: the bars descend evenly from the top to the bottom level.
    assert line == "1 █▆▃▁ 0.001  (4 epochs, log scale)"


def test_sparkline_groups_epochs_to_fit_the_width():
    history = [2.0 ** -k for k in range(300)]
    line = loss_sparkline(history, width=30)
    bars = line.split()[1]
    assert len(bars) == 30
    assert bars[0] == LEVELS[-1] and bars[-1] == LEVELS[0]
    # A falling loss never draws a rising bar.
    assert all(LEVELS.index(a) >= LEVELS.index(b) for a, b in zip(bars, bars[1:]))
    assert "(300 epochs, log scale)" in line


def test_sparkline_of_a_loss_that_reaches_zero_is_linear():
    line = loss_sparkline([1.0, 0.5, 0.0])
    assert line.endswith("(3 epochs, linear scale)")
    # 0.5 is halfway: level 3.5 of 0..7, which rounds to 4.
    assert line.split()[1] == LEVELS[-1] + LEVELS[4] + LEVELS[0]


def test_sparkline_of_a_flat_loss_is_flat_and_ascii_is_ascii():
    flat = loss_sparkline([0.3] * 5).split()[1]
    assert len(set(flat)) == 1 and len(flat) == 5
    line = loss_sparkline([0.7, 0.2, 0.05], ascii=True)
    assert line.isascii()
    assert line.split()[1] == ASCII_LEVELS[-1] + ASCII_LEVELS[4] + ASCII_LEVELS[0]


@pytest.mark.parametrize(
    "history, error, message",
    [
        ([], ValueError, "history is empty"),
        ([0.5, float("nan")], ValueError, "epoch 2 is nan"),
        ([0.5, "0.1"], TypeError, "epoch 2 is not a number"),
        (0.5, TypeError, "history must be a list of losses"),
    ],
)
def test_sparkline_refuses_what_it_cannot_draw(history, error, message):
    with pytest.raises(error, match=message):
        loss_sparkline(history)


def test_sparkline_refuses_a_zero_width():
    with pytest.raises(ValueError, match="width must be a positive int"):
        loss_sparkline([1.0], width=0)


# ---- decision_map -----------------------------------------------------------------


def test_decision_map_shows_regions_and_points():
    text = decision_map(right_half, XOR_X, XOR_Y, width=10, height=4)
    lines = text.splitlines()
    assert len(lines) == 4 + 2 + 2  # the map, its border, two lines of legend
    assert lines[0] == lines[5] == "+" + "-" * 10 + "+"
    grid = [line[1:-1] for line in lines[1:5]]
    # Left half predicts 0, right half 1; the points sit in the corner cells,
    # top row for x2 = 1 and bottom row for x2 = 0, each printed as its label.
    assert grid == [
        "1....####0",  # (0, 1) is a 1 standing in the 0 region: wrong
        ".....#####",
        ".....#####",
        "0....####1",
    ]
    assert "2 of 4 misclassified" in lines[-1]


def test_decision_map_of_the_talks_relu_network_gets_xor_right():
    text = decision_map(talk_xor_network, XOR_X, XOR_Y)
    assert text.splitlines()[-1].endswith("0 of 4 misclassified")
    rows = [line[1:-1] for line in text.splitlines()[1:-3]]
    assert len(rows) == 20 and all(len(r) == 48 for r in rows)
    # (0,1) and (1,0) stand in the band of class 1, (0,0) and (1,1) outside it.
    assert set("".join(rows)) == {".", "#", "0", "1"}


def test_decision_map_marks_a_cell_with_both_labels():
    X = [[0.0, 0.0], [0.001, 0.0], [1.0, 1.0]]
    text = decision_map(right_half, X, [0, 1, 1], width=4, height=2)
    assert text.splitlines()[2][1] == "*"
    assert "(*: points of different labels in one cell)" in text.splitlines()[-1]  # the legend says so


def test_decision_map_accepts_a_classify_rule_and_multiclass_outputs():
    # Two logits: class 1 wins where x2 > x1.
    def two_logits(x):
        return [Value(x[0]), Value(x[1])]

    text = decision_map(two_logits, [[0.0, 1.0], [1.0, 0.0]], [1, 0], width=6, height=3)
    assert "0 of 2 misclassified" in text
    flipped = decision_map(right_half, XOR_X, XOR_Y, width=6, height=3,
                           classify=lambda out: int(out.data < 0.5))
    assert "2 of 4 misclassified" in flipped
    assert flipped.splitlines()[2][1:-1] == "###..."


@pytest.mark.parametrize(
    "X, y, kwargs, message",
    [
        ([[0.0, 1.0, 2.0]], [0], {}, "must have 2 coordinates"),
        (XOR_X, [0, 1], {}, "4 points in X but 2 labels in y"),
        (XOR_X, XOR_Y, {"width": 1}, "width must be an int of at least 2"),
        (XOR_X, [0, 1, 1, 0.5], {}, r"label y\[3\] = 0.5"),
        ([], [], {}, "X is empty"),
    ],
)
def test_decision_map_refuses_bad_input(X, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        decision_map(right_half, X, y, **kwargs)


def test_default_classify():
    assert default_classify(Value(0.7)) == 1
    assert default_classify(Value(0.3)) == 0
    assert default_classify([Value(-1.0), Value(2.0), Value(0.5)]) == 1


# ---- plot_training ----------------------------------------------------------------------


def svg_text(path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture
def matplotlib_svg_text():
    """matplotlib, with svg text written as text (not as glyph paths), so a
    test can read the titles in the file."""
    matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is not installed: no figures")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        yield


def test_plot_training_writes_loss_and_decision_boundary(tmp_path, matplotlib_svg_text):
    path = plot_training([0.7, 0.3, 0.1], talk_xor_network, XOR_X, XOR_Y, path=tmp_path / "xor.svg",
                         resolution=12)
    assert path == tmp_path / "xor.svg"
    text = svg_text(path)
    assert "training loss: 0.7 -&gt; 0.1" in text or "training loss: 0.7 -> 0.1" in text
    assert "loss (log scale)" in text
    assert "decision boundary: 4/4 training points right" in text


def test_plot_training_without_a_model_draws_the_loss_alone(tmp_path, matplotlib_svg_text):
    text = svg_text(plot_training([0.7, 0.3], path=tmp_path / "loss.svg"))
    assert "training loss" in text and "decision boundary" not in text


def test_plot_training_of_data_that_is_not_2d_draws_the_loss_alone(tmp_path, matplotlib_svg_text):
    def model(x):
        return Value(x[0])

    path = plot_training([0.7, 0.3], model, [[0.0, 1.0, 2.0]], [1], path=tmp_path / "3d.svg")
    assert "decision boundary" not in svg_text(path)


def test_plot_training_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: no figures")
    path = plot_training([0.7, 0.0, 0.1], right_half, XOR_X, XOR_Y, path=str(tmp_path / "f.PNG"),
                         resolution=12)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def png_size(path) -> tuple[int, int]:
    data = Path(path).read_bytes()
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_plot_training_png_is_150_dpi_by_default_and_dpi_sets_it(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: no figures")
    plot_training([0.7, 0.1], path=tmp_path / "a.png")  # the loss alone: a 6 x 4.5 inch figure
    plot_training([0.7, 0.1], path=tmp_path / "b.png", dpi=300)
    assert png_size(tmp_path / "a.png") == (900, 675)
    assert png_size(tmp_path / "b.png") == (1800, 1350)
    with pytest.raises(ValueError, match="dpi must be a whole number"):
        plot_training([0.7, 0.1], path=tmp_path / "c.png", dpi=0)


def test_plot_training_writes_a_pdf(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: no figures")
    path = plot_training([0.7, 0.1], talk_xor_network, XOR_X, XOR_Y, path=tmp_path / "f.pdf",
                         resolution=12)
    assert path.read_bytes()[:5] == b"%PDF-"


def test_plot_training_without_a_path_returns_a_figure_that_shows_itself():
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: no figures")
    fig = plot_training([0.7, 0.1], talk_xor_network, XOR_X, XOR_Y, resolution=12)
    assert type(fig).__mro__[1].__name__ == "Figure"
    png = fig._repr_png_()  # what Jupyter shows when the figure ends a cell
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_boundary_is_a_smooth_contour_of_the_score_and_wrong_points_are_ringed():
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: no figures")

    def tilted(x):  # 1 where x2 - x1 > 0: right on (0, 1), wrong on (1, 0)
        return Value(x[1] - x[0] + 0.5)

    fig = plot_training([0.7, 0.1], tilted, XOR_X, XOR_Y, resolution=40)
    ax = fig.axes[1]
    # One line, a contour of the score at its threshold (0.5 for one output,
    # to within a grid step), not the staircase between cells of two classes.
    lines = [c for c in ax.collections if type(c).__name__ in ("QuadContourSet", "ContourSet")
             and len(c.levels) == 1]
    assert len(lines) == 1 and abs(lines[0].levels[0] - 0.5) < 0.05
    wrong = [x for x, t in zip(XOR_X, XOR_Y) if int(tilted(x).data > 0.5) != t]
    assert len(wrong) == 1  # (1, 0)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "misclassified (1)" in legend
    assert ax.get_title() == "decision boundary: 3/4 training points right"


def test_decision_threshold_separates_the_classes_or_says_none():
    from micrograd_scratch.plot import decision_threshold

    assert decision_threshold([0.1, 0.4, 0.6, 0.9], [0, 0, 1, 1]) == 0.5
    assert decision_threshold([0.1, 0.7, 0.6, 0.9], [0, 0, 1, 1]) is None  # overlapping
    assert decision_threshold([0.1, 0.2], [0, 0]) is None  # one class only


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((), {"path": "loss.jpg"}, r"must end in \.png, \.svg or \.pdf"),
        ((talk_xor_network,), {"path": "f.png"}, "pass both the data X and the labels y"),
        ((None, XOR_X, XOR_Y), {"path": "f.png"}, "pass model= too"),
        ((talk_xor_network, XOR_X, XOR_Y), {"path": "f.png", "resolution": 1}, "resolution"),
    ],
)
def test_plot_training_refuses_bad_arguments_before_importing_anything(
    args, kwargs, message, monkeypatch
):
    no_matplotlib(monkeypatch)  # the mistake is reported, not the missing extra
    with pytest.raises(ValueError, match=message):
        plot_training([0.5], *args, **kwargs)


def test_plot_training_without_matplotlib_names_the_extra(tmp_path, monkeypatch):
    no_matplotlib(monkeypatch)
    with pytest.raises(ImportError) as caught:
        plot_training([0.5], path=tmp_path / "f.png")
    message = str(caught.value)
    # the README installs from a checkout: the extra of ".", as torch's hint says it
    assert INSTALL_HINT == 'pip install -e ".[plot]" (or pip install matplotlib)'
    assert INSTALL_HINT in message and "\n" not in message
    assert not (tmp_path / "f.png").exists()


# ---- the command line: --plot and the text summary -------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def run_cli(capsys, *argv):
    """main(argv) -> (exit status, stdout, stderr)."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_xor_plot_writes_the_figure(tmp_path, capsys, matplotlib_svg_text):
    path = tmp_path / "xor.svg"
    status, out, err = run_cli(capsys, "xor", "--plot", str(path))
    assert status == 0, err
    assert f"wrote the loss curve and the decision boundary to {path}" in out
    text = svg_text(path)
    assert "xor: MLP 2-16-1, mse loss" in text
    assert "decision boundary: 4/4 training points right" in text


def test_cli_train_plot_with_two_logits_writes_a_png(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: no figures")
    path = tmp_path / "blobs.png"
    status, out, err = run_cli(capsys, "train", "--dataset", "blobs", "--epochs", "2",
                               "--hidden", "4", "--plot", str(path))
    assert status == 0, err
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_plot_without_matplotlib_still_trains_and_names_the_extra(tmp_path, capsys, monkeypatch):
    no_matplotlib(monkeypatch)
    path = tmp_path / "xor.png"
    status, out, err = run_cli(capsys, "xor", "--epochs", "50", "--plot", str(path))
    assert status == 3  # it ran, but the figure asked for is missing
    assert "training accuracy:" in out
    assert err.count("\n") == 1 and INSTALL_HINT in err, err
    assert "Traceback" not in err
    assert not path.exists()
    # The text pictures need nothing: they are there all the same.
    assert re.search(r"^loss: \S+ \S+ \S+  \(50 epochs, log scale\)$", out, re.M)
    assert "+" + "-" * 40 + "+" in out


def test_cli_prints_the_text_summary_without_plot(capsys):
    status, out, err = run_cli(capsys, "train", "--dataset", "moons", "--epochs", "2", "--hidden", "4")
    assert status == 0, err
    assert re.search(r"^loss: .*\(2 epochs, (log|linear) scale\)$", out, re.M)
    rows = re.findall(r"^\|([.#:01*]{40})\|$", out, re.M)
    assert len(rows) == 14
    assert re.search(r"^digits are training points, shown by their label.*; \d+ of 100 misclassified$", out, re.M)
    assert "wrote" not in out


@pytest.mark.parametrize(
    "name, message",
    [("loss.jpg", r"must end in \.png, \.svg or \.pdf"), ("no-such-folder/loss.png", "no folder")],
)
def test_cli_refuses_a_bad_plot_file_with_usage(tmp_path, capsys, name, message):
    status, out, err = run_cli(capsys, "xor", "--plot", str(tmp_path / name))
    assert status == 2
    assert err.startswith("usage:") and "argument --plot" in err
    assert re.search(message, err)
    assert out == ""  # refused before any training


def test_cli_plot_that_cannot_be_written_is_a_one_line_error(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: no figures")
    target = tmp_path / "taken.png"
    target.mkdir()  # a folder where the file should go: refused before training
    status, out, err = run_cli(capsys, "xor", "--epochs", "5", "--plot", str(target))
    assert (status, out) == (2, "")
    assert err.splitlines()[-1].endswith(f"argument --plot: cannot write '{target}': it is a folder")


def test_cli_text_summary_on_an_ascii_terminal():
    # LANG=C or a Windows console: stdout cannot encode the sparkline's
    # blocks, so the summary falls back to ASCII instead of crashing.
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="ascii")
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_scratch", "xor", "--epochs", "20"],
        cwd=ROOT, env=env, capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = done.stdout.decode("ascii")  # raises if anything is not ASCII
    assert re.search(r"^loss: \S+ [_.\-=+*#@]+ \S+  \(20 epochs, log scale\)$", out, re.M)


def test_class_colours_agree_with_the_network_picture_and_the_explorer():
    """`xor --plot` and `xor --graph` side by side, or the explorer beside
    them: class 1 is blue and class 0 red in all three (the network
    picture's and the explorer's captions say so), never swapped."""
    from pathlib import Path

    import micrograd_scratch
    from micrograd_scratch import plot

    assert plot.COLOURS[:2] == ("tab:red", "tab:blue")
    package = Path(micrograd_scratch.__file__).parent
    assert "(1 blue, 0 red)" in (package / "drawing" / "network.py").read_text(encoding="utf-8")
    page = (package / "explore" / "static" / "index.html").read_text(encoding="utf-8")
    assert "blue says class 1, red class 0" in page


def test_decision_map_marks_outputs_at_the_threshold_undecided():
    X, y = [[0, 0], [1, 1]], [0, 1]
    stuck = lambda x: Value(0.5 + 0.01 * x[0])  # noqa: E731  about 0.50 everywhere
    text = decision_map(stuck, X, y, width=8, height=3, classify=lambda out: int(out.data > 0.5),
                        undecided=lambda out: abs(out.data - 0.5) < 0.05)
    assert set("".join(line[1:-1] for line in text.splitlines()[1:4])) <= set(":01")
    assert "the model predicts neither on : (an output too close to the threshold to call)" in text
    # without undecided, rounding draws a confident boundary
    assert "#" in decision_map(stuck, X, y, width=8, height=3, classify=lambda out: int(out.data > 0.5))
