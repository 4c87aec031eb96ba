"""Pictures that go straight onto a slide: the slide style (16:9, text of
18 pt or more on a slide shown 1920 px wide, light text on dark fills),
exports that fit (the dpi recorded in a PNG, the same margins in SVG and
PDF, --size), and the drawing's own words in a text-only view."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

pytest.importorskip("graphviz", reason="the renderer needs the graphviz Python package")

from micrograd_scratch import MLP, Value  # noqa: E402
from micrograd_scratch.drawing import draw, render  # noqa: E402
from micrograd_scratch.drawing.styles import (  # noqa: E402
    PICTURE_STYLES, SLIDE, SLIDE_TEXT, signed_colour, slide_text_pt, text_colour,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot program is not installed (apt-get install graphviz)")
CLI = shutil.which("micrograd-scratch")


def lecture(backward: bool = True) -> Value:
    """The picture a teacher draws first: tanh(a*b + c) * sigmoid(a)."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(1.0, label="c")
    out = (a * b + c).tanh() * a.sigmoid()
    if backward:
        out.backward()
    return out


def svg_size(svg: str) -> tuple[float, float]:
    """The page of an SVG in points."""
    m = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return float(m[1]), float(m[2])


def smallest_text(svg: str) -> float:
    """The smallest text of an SVG as drawn: font-size times the page's scale."""
    scale = float(re.search(r'transform="scale\(([\d.]+)', svg)[1])
    return min(float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)) * scale


def png_facts(data: bytes) -> tuple[tuple[int, int], float | None]:
    """(width, height) in pixels and dots per inch from the pHYs chunk (None without)."""
    size = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    at = data.find(b"pHYs")
    if at < 0:
        return size, None
    per_metre, unit = int.from_bytes(data[at + 4:at + 8], "big"), data[at + 12]
    return size, per_metre * 0.0254 if unit == 1 else None


@needs_dot
def test_a_slide_is_16_by_9_with_text_of_18_pt_at_1920_px(tmp_path):
    for grad_view in (False, True):
        graph = draw(lecture(), grad_view=grad_view, style="slides", title="tanh(a*b + c) * sigmoid(a)")
        svg = render(graph, tmp_path / "slide.svg").read_text()
        width, height = svg_size(svg)
        assert (width, height) == pytest.approx((SLIDE[0] * 72, SLIDE[1] * 72), abs=1)
        assert slide_text_pt(smallest_text(svg), width) >= SLIDE_TEXT
        assert "rankdir=TB" in graph.source  # this graph is long: top to bottom fills 16:9 better
    # the default style is left at its natural size, far smaller text on a slide
    plain = draw(lecture(), grad_view=True)
    svg = render(plain, tmp_path / "plain.svg").read_text()
    assert 'transform="scale(1 1)' in svg and "rankdir=LR" in plain.source
    assert slide_text_pt(smallest_text(svg), svg_size(svg)[0]) < SLIDE_TEXT


@needs_dot
def test_a_small_graph_fills_its_slide_a_wide_one_goes_left_to_right(tmp_path):
    terms = [Value(float(i), label=f"x{i}") for i in range(12)]
    wide = sum(terms[1:], terms[0])  # a long chain of +: wider than tall either way
    for root in (Value(2.0, label="a") * 3, wide):
        svg = render(draw(root, style="slides"), tmp_path / "s.svg").read_text()
        assert svg_size(svg) == pytest.approx((960, 540), abs=1)


@needs_dot
def test_png_records_its_dpi_and_pdf_has_the_svgs_margins(tmp_path):
    graph = draw(lecture(), grad_view=True)
    for dpi in (96, 150, 300):
        size, recorded = png_facts(render(graph, tmp_path / f"g{dpi}.png", dpi=dpi).read_bytes())
        assert recorded == pytest.approx(dpi, abs=0.05)
    svg = svg_size(render(graph, tmp_path / "g.svg").read_text())
    pdf = render(graph, tmp_path / "g.pdf").read_bytes()
    box = [float(x) for x in re.search(rb"/MediaBox \[ ([\d. ]+) \]", pdf)[1].split()]
    assert (box[2] - box[0], box[3] - box[1]) == pytest.approx(svg, abs=1.5)  # no half inch added
    # and the PNG is the SVG at its dpi: the same drawing, the same border
    size, _ = png_facts((tmp_path / "g150.png").read_bytes())
    assert size == pytest.approx((svg[0] * 150 / 72, svg[1] * 150 / 72), abs=2)


@needs_dot
def test_size_fits_any_picture_to_a_box(tmp_path):
    for style in PICTURE_STYLES:
        svg = render(draw(lecture(), style=style, size=(8, 4.5)), tmp_path / "s.svg").read_text()
        assert svg_size(svg) == pytest.approx((576, 324), abs=1)
    tall = render(draw(lecture(), size=(3, 6)), tmp_path / "t.svg").read_text()
    assert svg_size(tall) == pytest.approx((216, 432), abs=1)
    with pytest.raises(ValueError, match=r"size must be \(width, height\) in inches"):
        draw(lecture(), size="8x4")
    with pytest.raises(ValueError, match="style must be 'default' or 'slides', got 'poster'"):
        draw(lecture(), style="poster")


def test_dark_fills_get_white_text_light_ones_keep_black():
    assert text_colour(signed_colour(1.0, 1.0)) == "#ffffff"
    assert text_colour(signed_colour(-1.0, 1.0)) == "#ffffff"
    assert text_colour(signed_colour(0.3, 1.0)) is None and text_colour("#ffffff") is None
    src = draw(lecture(), grad_view=True).source
    dark = [line for line in src.splitlines() if f'fillcolor="{signed_colour(1.0, 1.0)}"' in line
            and "legend" not in line]
    assert dark and all('fontcolor="#ffffff"' in line for line in dark)


def test_the_output_box_is_named_and_a_text_view_shows_a_sentence():
    graph = draw(lecture(backward=False), legend=False)
    assert re.search(r"<B>out</B><BR/>data -0.8807", graph.source)
    assert repr(graph) == ("<a drawing of a graph: 13 nodes and 13 edges; "
                           "render(drawing, 'graph.png') writes it, Jupyter shows it>")


def test_collapsed_neurons_can_show_their_weights():
    mlp = MLP(2, [3, 1], seed=0)
    loss = (mlp([1.0, -1.0]) - 1) ** 2
    src = draw(loss, model=mlp, collapse=True, weights=True).source
    w = mlp.layers[1].neurons[0].w
    assert "w " + "  ".join(f"{x.data:.4g}" for x in w) in src
    assert f"b {mlp.layers[1].neurons[0].b.data:.4g}" in src
    with pytest.raises(ValueError, match="weights=True labels collapsed neurons: pass collapse=True"):
        draw(loss, model=mlp, weights=True)


@needs_dot
@pytest.mark.skipif(CLI is None, reason="the micrograd-scratch command is not installed (pip install -e .)")
def test_the_command_line_draws_a_slide_and_a_box_in_pixels(tmp_path):
    expr = ["draw", "tanh(a*b + c) * sigmoid(a)", "--set", "a=2", "b=-3", "c=1", "--grad-view"]
    done = subprocess.run([CLI, *expr, "--style", "slides", "--dpi", "144", "-o", str(tmp_path / "t.png")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert png_facts((tmp_path / "t.png").read_bytes()) == ((1920, 1080), pytest.approx(144, abs=0.05))
    done = subprocess.run([CLI, *expr, "--size", "1280x720px", "--dpi", "100", "-o", str(tmp_path / "b.png")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and png_facts((tmp_path / "b.png").read_bytes())[0] == (1280, 720)
    bad = subprocess.run([CLI, *expr, "--size", "1920x1080"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines()[-1].endswith(
        "argument --size: '1920x1080' is larger than 200 inches; for pixels write 1920x1080px")
    # a graph too large for 18 pt on a slide says so, and still draws it
    big = " + ".join(f"tanh(x{i}*w{i})" for i in range(8))
    values = [f"{p}{i}=1" for i in range(8) for p in "xw"]
    done = subprocess.run([CLI, "draw", big, "--set", *values, "--style", "slides", "-o", str(tmp_path / "big.svg")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "note: this graph is too large for a slide at 18 pt" in done.stdout


# ---- the matplotlib pictures: the network and the training plot ------------


def texts_of(fig) -> list:
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("hidden", [[2], [16, 16]])
def test_the_network_and_the_plot_on_a_slide_keep_every_text_at_18_pt(hidden):
    pytest.importorskip("matplotlib", reason="the network picture and the plot need matplotlib")
    from micrograd_scratch import mse, plot_training, xor
    from micrograd_scratch.drawing import draw_network

    X, y = xor()
    mlp = MLP(2, hidden + [1], seed=0)
    for fig in (draw_network(mlp, X, y, loss=mse, style="slides", title="xor", resolution=3),
                plot_training([0.7, 0.3, 0.1], mlp, X, y, style="slides", title="xor", resolution=4)):
        assert tuple(fig.get_size_inches()) == pytest.approx(SLIDE)
        sizes = [t.get_fontsize() for t in texts_of(fig)]
        assert len(sizes) > 5 and min(sizes) >= SLIDE_TEXT
    # a box of one's own: the picture is laid out to fill it
    fig = draw_network(mlp, X, y, loss=mse, size=(10, 5), resolution=3)
    assert tuple(fig.get_size_inches()) == pytest.approx((10, 5))


def test_a_network_of_16_is_landscape_with_words_under_its_units():
    pytest.importorskip("matplotlib", reason="the network picture needs matplotlib")
    from micrograd_scratch import moons, mse
    from micrograd_scratch.drawing import draw_network

    X, y = moons()
    fig = draw_network(MLP(2, [16, 16, 1], seed=0), X, y, loss=mse, resolution=3)
    width, height = fig.get_size_inches()
    assert width >= height * 16 / 9 - 0.01
    words = [t.get_text() for t in texts_of(fig)]
    assert not any(re.search(r"\d \| -?\d", w) for w in words)  # never a bare "0 | -0.001"
    under = [w for w in words if w.startswith("out ")]
    assert len(under) >= 32 and all(" · ∂L/∂out " in w for w in under)
    assert any("layer L1: the 4 strongest into each unit (64 of 256)" in w for w in words)


@pytest.mark.skipif(CLI is None, reason="the micrograd-scratch command is not installed (pip install -e .)")
def test_training_pictures_take_style_size_and_edges_and_refuse_a_page_too_large(tmp_path):
    pytest.importorskip("matplotlib", reason="the network picture and the plot need matplotlib")
    done = subprocess.run([CLI, "xor", "--hidden", "16", "--epochs", "3", "--style", "slides",
                           "--graph", str(tmp_path / "n.png"), "--plot", str(tmp_path / "p.png"),
                           "--edges", "2", "--dpi", "72"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("n.png", "p.png"):
        assert png_facts((tmp_path / name).read_bytes()) == ((960, 540), pytest.approx(72, abs=0.05))
    if shutil.which("dot") is None:
        return
    big = subprocess.run([CLI, "xor", "--hidden", "16", "--epochs", "1", "--graph-detail",
                          "--graph", str(tmp_path / "g.png")], capture_output=True, text=True, timeout=120)
    # refused as a usage error, before training: the size is known from --hidden
    assert big.returncode == 2 and not (tmp_path / "g.png").exists()
    assert re.search(r"--graph: the graph would be \d+ x \d+ inches \(\d+ x \d+ px at 150 dpi\), too large "
                     r"for a page; leave out --graph-detail to draw one box per neuron", big.stderr)
