"""The network picture (drawing/network.py): what it shows, checked as numbers
(network_plan) and in the matplotlib figure itself: edges coloured by the
weight's sign, widths by its size, the example chosen to teach, the
output's weights in order, each hidden neuron's map with its line."""

from __future__ import annotations

import pytest

from micrograd_scratch import MLP, Neuron, mse, xor
from micrograd_scratch.drawing.network import choose_example, draw_network, network_plan
from micrograd_scratch.drawing.styles import NEGATIVE, POSITIVE, signed_colour

BLUE = signed_colour(1.0, 1.0)
RED = signed_colour(-1.0, 1.0)


def handset_xor() -> MLP:
    """Goodfellow et al. 6.1: h = relu(W x + c), out = w . h, exact XOR."""
    mlp = MLP(2, [2, 1])
    for p, v in zip(mlp.parameters(), [1, 1, 0, 1, 1, -1, 1, -2, 0]):
        p.data = float(v)
    return mlp


def test_edges_are_coloured_by_the_weights_sign_and_wider_the_larger_it_is():
    X, y = xor()
    plan = network_plan(handset_xor(), X, y, resolution=5)
    by_end = {(e.source, e.target): e for e in plan.edges}
    assert by_end["L0.N0", "L1.N0"].weight == 1.0 and by_end["L0.N0", "L1.N0"].colour == BLUE
    assert by_end["L0.N1", "L1.N0"].weight == -2.0 and by_end["L0.N1", "L1.N0"].colour == RED
    # -2 is the largest |w| of its layer: the widest edge there; 1 is half as wide (plus the floor)
    assert by_end["L0.N1", "L1.N0"].width > by_end["L0.N0", "L1.N0"].width
    assert all(e.colour == BLUE for e in plan.edges if e.target.startswith("L0"))
    # BLUE and RED are the ends of the one signed map, at their strongest shade
    assert BLUE != RED and BLUE[1:3] < BLUE[5:7] and RED[1:3] > RED[5:7]
    assert POSITIVE[2] > POSITIVE[0] and NEGATIVE[0] > NEGATIVE[2]


def test_the_output_neurons_weights_come_in_order():
    mlp = MLP(2, [16, 1], seed=0)
    plan = network_plan(mlp, resolution=2)
    into_output = [e for e in plan.edges if e.target == "L1.N0"]
    assert [e.source for e in into_output] == [f"L0.N{j}" for j in range(16)]
    assert [e.weight for e in into_output] == [w.data for w in mlp.layers[1].neurons[0].w]


def test_a_dense_16_by_16_layer_gets_thin_edges_the_strongest_4_into_each_unit():
    mlp = MLP(2, [16, 16, 1], seed=0)
    plan = network_plan(mlp, resolution=2)
    middle = [e for e in plan.edges if e.target.startswith("L1")]
    assert len(middle) == 64  # of 256: 4 into each of 16 units
    assert max(e.width for e in middle) <= 1.75  # thin lines stay apart
    for j, n in enumerate(mlp.layers[1].neurons):
        strongest = sorted((abs(w.data) for w in n.w), reverse=True)[:4]
        assert sorted((abs(e.weight) for e in middle if e.target == f"L1.N{j}"), reverse=True) == strongest
    assert [(t.layer, t.per_unit, t.kept, t.total) for t in plan.thinned] == [("L1", 4, 64, 256)]
    # the small layers keep every weight; edges=K thins every layer
    assert len([e for e in plan.edges if e.target.startswith("L0")]) == 32
    every = network_plan(mlp, resolution=2, edges=1)
    assert len(every.edges) == 16 + 16 + 1 and len(every.thinned) == 3
    with pytest.raises(ValueError, match="edges must be a whole number of edges per unit, at least 1"):
        network_plan(mlp, resolution=2, edges=0)
    small = network_plan(handset_xor(), resolution=2)
    assert max(e.width for e in small.edges) == 4.0 and small.thinned == []


def test_the_example_shown_is_the_one_with_the_largest_loss():
    X, y = xor()
    mlp = handset_xor()
    out = mlp.layers[1].neurons[0]
    out.b.data = 0.3  # off by 0.3 at (0, 0) ...
    out.w[0].data = 1.5  # ... by 0.8 at (0, 1) and (1, 0), and by 1.3 at (1, 1)
    ex = choose_example(mlp, X, y, loss=mse)
    assert ex.x == (1.0, 1.0) and ex.index == 3 and ex.target == 0
    assert ex.output == pytest.approx(1.3) and ex.loss == pytest.approx(1.3 ** 2)
    assert "largest loss" in ex.why
    # not the first example, (0, 0), where every hidden relu reads 0: all its gradients are 0
    plan = network_plan(mlp, X, y, loss=mse, resolution=3)
    assert plan.example == ex
    hidden = {u.name: u for u in plan.columns[1]}
    assert hidden["L0.N0"].value == 2.0
    assert hidden["L0.N0"].grad == pytest.approx(2 * 1.3 * 1.5)  # d(out - 0)**2 / d h0
    assert plan.columns[-1][0].grad == pytest.approx(2 * 1.3)


def test_a_chosen_point_is_followed_with_its_nearest_label():
    X, y = xor()
    ex = choose_example(handset_xor(), X, y, loss=mse, example=(0.9, 0.2))
    assert ex.x == (0.9, 0.2) and ex.index is None and ex.target == 1  # nearest is (1, 0)
    assert choose_example(handset_xor(), X, y, loss=mse, example=3).x == (1.0, 1.0)
    with pytest.raises(ValueError, match="takes 2"):
        choose_example(handset_xor(), X, y, loss=mse, example=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="not an index"):
        choose_example(handset_xor(), X, y, loss=mse, example=4)


def test_each_hidden_neuron_shows_its_line_over_the_input_plane():
    X, y = xor()
    plan = network_plan(handset_xor(), X, y, resolution=5)
    n1 = plan.columns[1][1]  # relu(x1 + x2 - 1)
    grid, level = n1.line
    assert level == 0.0
    x0, x1, y0, y1 = plan.box
    # the map is the neuron itself: compare one grid point with relu(x1 + x2 - 1)
    px, py = x1, y1  # the top-right corner: grid[-1][-1]
    assert n1.grid[-1][-1] == pytest.approx(max(0.0, px + py - 1))
    assert grid[-1][-1] == pytest.approx(px + py - 1)  # the line is where w·x + b = 0
    assert grid[0][0] == pytest.approx(x0 + y0 - 1) and n1.grid[0][0] == 0.0


def test_classify_turns_the_output_map_into_the_decision():
    X, y = xor()
    plan = network_plan(handset_xor(), X, y, classify=lambda out: int(out.data > 0.5), resolution=9)
    out = plan.columns[-1][0]
    assert out.classes is not None
    grid, level = out.line
    assert level == pytest.approx(0.5, abs=0.2)  # a smooth contour of the output, near its cut


def test_the_figure_draws_one_line_per_edge_with_its_colour_and_width():
    pytest.importorskip("matplotlib", reason="the network picture needs matplotlib")
    from matplotlib.colors import to_hex

    X, y = xor()
    fig = draw_network(handset_xor(), X, y, loss=mse, loss_name="mse", resolution=5)
    ink = fig.axes[0]
    lines = [(to_hex(ln.get_color()), ln.get_linewidth()) for ln in ink.get_lines()]
    plan = network_plan(handset_xor(), X, y, loss=mse, resolution=5)
    assert lines == [(e.colour, e.width) for e in plan.edges]
    texts = [t.get_text() for t in ink.texts]
    assert "w -2" in texts and "w 1" in texts  # a small network prints its weights
    assert any("mse loss" in t for t in texts)  # the compact loss box
    assert len(fig.axes) == 1 + 2 + 2 + 1  # the ink, the inputs, the hidden neurons, the output
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"  # Jupyter shows it


def test_draw_network_writes_png_svg_pdf_and_refuses_other_names(tmp_path):
    pytest.importorskip("matplotlib", reason="the network picture needs matplotlib")
    X, y = xor()
    for name, magic in (("n.png", b"\x89PNG"), ("n.svg", b"<?xml"), ("n.pdf", b"%PDF")):
        path = draw_network(handset_xor(), X, y, path=tmp_path / name, resolution=3, dpi=100)
        assert path.read_bytes()[:len(magic)] == magic
    with pytest.raises(ValueError, match=r"must end in \.png, \.svg or \.pdf"):
        draw_network(handset_xor(), X, y, path=tmp_path / "n.dot")


def test_a_lone_neuron_and_networks_without_two_inputs_are_drawn_without_maps():
    plan = network_plan(Neuron(3, seed=0), [[1.0, 2.0, 3.0]], [1], loss=mse, resolution=3)
    assert plan.box is None and all(u.grid is None for c in plan.columns for u in c)
    assert [len(c) for c in plan.columns] == [3, 1]
    with pytest.raises(TypeError, match="expected an MLP, a Layer or a Neuron"):
        network_plan(object())


def test_a_network_without_biases_shows_no_bias_under_its_neurons():
    pytest.importorskip("matplotlib", reason="the network picture needs matplotlib")
    X, y = xor()
    mlp = MLP(2, [2, 1], bias=False, seed=0)
    plan = network_plan(mlp, X, y, loss=mse, resolution=3)
    assert [u.bias for u in plan.columns[1] + plan.columns[2]] == [None, None, None]
    texts = [t.get_text() for t in draw_network(mlp, X, y, loss=mse, resolution=3).axes[0].texts]
    assert any(t.startswith("L0.N1\nout ") for t in texts)  # its name, with no "b" after it
    assert not any("  b " in t for t in texts)


# ---- from the command line: xor/train --graph, --graph-input, --dpi, draw --params ----


def run_cli(capsys, *argv):
    from micrograd_scratch.cli import main

    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.fixture
def svg_text():
    """matplotlib's SVGs with their text as text, so that a test can read titles."""
    matplotlib = pytest.importorskip("matplotlib", reason="the network picture needs matplotlib")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        yield


def test_xor_graph_is_the_network_picture_following_the_largest_loss(capsys, tmp_path, svg_text):
    out_file = tmp_path / "net.svg"
    status, out, err = run_cli(capsys, "xor", "--hidden", "2", "--epochs", "3", "--seed", "1",
                               "--graph", str(out_file))
    assert status == 0, err
    assert out.rstrip().endswith(f"wrote {out_file}")
    text = out_file.read_text(encoding="utf-8")
    assert "xor, trained MLP 2-2-1: following x = " in text
    assert "the largest loss of the 4 examples" in text
    assert "layer L0: relu" in text and "L1.N0" in text and "mse loss" in text


def test_graph_input_chooses_the_example_and_dpi_sets_the_png(capsys, tmp_path, svg_text):
    status, _, err = run_cli(capsys, "xor", "--hidden", "2", "--epochs", "2", "--graph",
                             str(tmp_path / "a.svg"), "--graph-input", "0.9,0.1")
    assert status == 0, err
    text = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert "following x = (0.9, 0.1), target 1" in text  # the label of its nearest point, (1, 0)
    status, _, err = run_cli(capsys, "xor", "--hidden", "2", "--epochs", "2",
                             "--graph", str(tmp_path / "a.png"), "--dpi", "100",
                             "--plot", str(tmp_path / "p.png"))
    assert status == 0, err
    wide, high = png_size(tmp_path / "a.png")
    wide2, _ = png_size(tmp_path / "p.png")
    assert wide2 == 1100  # plot_training's 11-inch figure at 100 dpi
    status, _, err = run_cli(capsys, "xor", "--hidden", "2", "--epochs", "2",
                             "--graph", str(tmp_path / "b.png"))
    assert status == 0, err
    assert abs(png_size(tmp_path / "b.png")[0] - wide * 1.5) <= 2  # the default: 150 dpi


@pytest.mark.parametrize("argv, message", [
    (["--graph-input", "1,2,3"], "expected two numbers x1,x2"),
    (["--graph-input", "1,nan"], "finite"),
    (["--dpi", "5"], "from 20 to 1200"),
])
def test_bad_graph_options_are_usage_errors(capsys, tmp_path, argv, message):
    status, out, err = run_cli(capsys, "xor", "--graph", str(tmp_path / "g.png"), *argv)
    assert status == 2 and out == "" and message in err


def test_graph_detail_uses_the_commands_loss_name_and_the_chosen_example(capsys, tmp_path):
    pytest.importorskip("graphviz", reason="drawing needs the graphviz Python package")
    out_file = tmp_path / "blobs.gv"
    status, _, err = run_cli(capsys, "train", "--dataset", "blobs", "--hidden", "3",
                             "--epochs", "1", "--graph", str(out_file), "--graph-detail")
    assert status == 0, err
    dot = out_file.read_text(encoding="utf-8")
    assert "cross-entropy loss" in dot and "cross_entropy" not in dot
    assert "subgraph cluster_L0_N2" in dot and "L1.N1.w2" in dot


def test_draw_params_marks_parameters(capsys, tmp_path):
    pytest.importorskip("graphviz", reason="drawing needs the graphviz Python package")
    from micrograd_scratch.drawing.styles import STYLES

    out_file = tmp_path / "n.dot"
    status, _, err = run_cli(capsys, "draw", "relu(w*x + b)", "--set", "w=2", "x=1.5", "b=-0.5",
                             "--params", "w,b", "--backward", "-o", str(out_file))
    assert status == 0, err
    dot = out_file.read_text(encoding="utf-8")
    param_fill = f'fillcolor="{STYLES["parameter"][2]}"'
    boxes = {label: line for line in dot.splitlines()
             for label in ("w", "x", "b") if f"<B>{label}</B>" in line}
    assert param_fill in boxes["w"] and param_fill in boxes["b"]
    assert param_fill not in boxes["x"]
    status, _, err = run_cli(capsys, "draw", "w*x", "--set", "w=2", "x=1", "--params", "q",
                             "-o", str(tmp_path / "m.dot"))
    assert status == 2 and "'q' is not a name in the expression" in err


# ---- on a slide --------------------------------------------------------------


def _ink(fig) -> list:
    """Every piece of text the figure shows, with the box it takes on the
    page (a text's rounded box where it has one), in pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    shown = []
    for ax in fig.axes:
        for t in ax.texts:
            if t.get_text().strip():
                patch = t.get_bbox_patch()
                extent = (patch or t).get_window_extent(renderer)
                shown.append((t.get_text(), extent))
    return shown


@pytest.mark.parametrize("size", [None, (13.333 * 0.58, 7.5)], ids=["slide", "training-film panel"])
def test_a_slide_of_16_units_a_layer_keeps_words_apart_and_maps_readable(size):
    """On a slide (and in a slide-style training film's network panel): no
    two texts overlap (the column headers ran together, the loss box came
    down over the output's words), no line of the key is a lone word or
    two ("w·x" / "+ b = 0", "L"), and every map is at least 0.2 inches
    (29 px on a slide shown 1920 px wide; 16 units stood at 0.06)."""
    pytest.importorskip("matplotlib")
    from micrograd_scratch import fit

    X, y = xor()
    model = MLP(2, [16, 1], seed=0)
    fit(model, X, y, mse, epochs=20, lr=0.05)
    fig = draw_network(model, X, y, loss=mse, loss_name="mse", style="slides", size=size, dpi=72,
                       resolution=9, title="xor: MLP 2-16-1, mse loss")
    shown = _ink(fig)
    assert any("layer L0" in text for text, _ in shown)
    for i, (a, box_a) in enumerate(shown):
        for b, box_b in shown[i + 1:]:
            assert not box_a.overlaps(box_b), (a, b)
    [key] = [text for text, _ in shown if text.startswith("maps:")]
    assert min(len(line) for line in key.split("\n")) >= 12, key
    width = fig.get_size_inches()[0]
    maps = [ax.get_position().width * width for ax in fig.axes[1:]]
    assert len(maps) == 2 + 16 + 1 and min(maps) >= 0.2
