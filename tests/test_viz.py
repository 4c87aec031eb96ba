"""The renderer: exact DOT text for small graphs, determinism across
processes, escaping hostile labels (checked by the real `dot` program),
roles, clusters and collapsed neurons, the node limit, the gradient view,
the backward-pass frames, and writing svg/png/pdf/dot with a fallback
when Graphviz is not installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("graphviz", reason="the renderer needs the graphviz Python package")

from micrograd_scratch import MLP, Neuron, Value  # noqa: E402
from micrograd_scratch.engine import Parameter  # noqa: E402
from micrograd_scratch.drawing import (  # noqa: E402
    GraphTooLarge,
    backward_frames,
    draw,
    render,
)
from micrograd_scratch.drawing.styles import NAN_COLOUR, STYLES, signed_colour  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot program is not installed (apt-get install graphviz)",
)

HEADER = """\
digraph micrograd {
\tgraph [bgcolor=white fontname=Helvetica fontsize=12 margin=0 nodesep=0.25 pad=0.0556 rankdir=LR ranksep=0.4]
\tnode [fontname=Helvetica fontsize=11 penwidth=1.2]
\tedge [arrowsize=0.7 color="#525252" fontname=Helvetica fontsize=10]
"""
INPUT = 'color="#2171b5" fillcolor="#c6dbef" shape=box style=filled'
RESULT = 'color="#525252" fillcolor="#ffffff" shape=box style=filled'
OP = 'color="#b08d00" fillcolor="#fff7bc" shape=ellipse style=filled'


def node_line(source: str, node_id: str) -> str:
    """The DOT statement that declares node_id."""
    for line in source.splitlines():
        if line.strip().startswith(f"{node_id} ["):
            return line.strip()
    raise AssertionError(f"no node {node_id} in:\n{source}")


def attr(source: str, node_id: str, name: str) -> str:
    m = re.search(rf' {name}="?([^" \]]+)"?', node_line(source, node_id))
    return m.group(1) if m else ""


def edges(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if "->" in line]


def run_dot(source: str, fmt: str = "svg") -> bytes:
    """Feed DOT text to the real dot program; fail on any error or warning."""
    done = subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"),
                          capture_output=True, timeout=60)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    return done.stdout


# ---- exact DOT text ------------------------------------------------------


def test_sum_of_two_inputs_exact_dot():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    assert draw(a + b, legend=False).source == HEADER + f"""\
\tn0 [label=<<B>a</B><BR/>data 2<BR/>grad 0> {INPUT}]
\tn1 [label=<<B>b</B><BR/>data -3<BR/>grad 0> {INPUT}]
\tn2 [label=<<B>out</B><BR/>data -1<BR/>grad 0> {RESULT}]
\tn2_op [label=<+> {OP}]
\tn0 -> n2_op
\tn1 -> n2_op
\tn2_op -> n2
}}
"""


def test_square_by_multiplication_draws_two_edges_exact_dot():
    a = Value(2.0, label="a")
    assert draw(a * a, legend=False).source == HEADER + f"""\
\tn0 [label=<<B>a</B><BR/>data 2<BR/>grad 0> {INPUT}]
\tn1 [label=<<B>out</B><BR/>data 4<BR/>grad 0> {RESULT}]
\tn1_op [label=<×> {OP}]
\tn0 -> n1_op
\tn0 -> n1_op
\tn1_op -> n1
}}
"""


def test_neuron_after_backward_exact_dot():
    w, x, b = Value(2.0, label="w"), Value(3.0, label="x"), Value(-1.0, label="b")
    y = (w * x + b).relu()
    y.backward()
    assert draw(y, legend=False).source == HEADER + f"""\
\tn0 [label=<<B>w</B><BR/>data 2<BR/>grad 3> {INPUT}]
\tn1 [label=<<B>x</B><BR/>data 3<BR/>grad 2> {INPUT}]
\tn2 [label=<data 6<BR/>grad 1> {RESULT}]
\tn2_op [label=<×> {OP}]
\tn3 [label=<<B>b</B><BR/>data -1<BR/>grad 1> {INPUT}]
\tn4 [label=<data 5<BR/>grad 1> {RESULT}]
\tn4_op [label=<+> {OP}]
\tn5 [label=<<B>out</B><BR/>data 5<BR/>grad 1> {RESULT}]
\tn5_op [label=<ReLU> {OP}]
\tn0 -> n2_op
\tn1 -> n2_op
\tn2_op -> n2
\tn2 -> n4_op
\tn3 -> n4_op
\tn4_op -> n4
\tn4 -> n5_op
\tn5_op -> n5
}}
"""


def test_shared_node_is_drawn_once_with_one_edge_per_use():
    a = Value(1.5, label="a")
    b = a * 2
    out = b + b * a
    src = draw(out, legend=False).source
    assert src.count("<B>a</B>") == 1  # one node for a, however often it is used
    a_id = next(i for i in ("n0", "n1", "n2") if "<B>a</B>" in node_line(src, i))
    assert sum(e.startswith(f"{a_id} ->") for e in edges(src)) == 2


def test_op_symbols_and_small_numbers_keep_significant_digits():
    x = Value(3e-7, label="x")
    y = (x * 2).sigmoid() + x.tanh().exp() ** 2
    y.backward()
    src = draw(y).source
    assert "data 3e-07" in src  # micrograd's %.4f would print 0.0000
    assert "0.0000" not in src
    for symbol in ("×", "σ", "tanh", "exp", "**2", "+"):
        assert f"label=<{symbol}>" in src


def test_numbers_are_printed_with_four_significant_digits():
    v = Value(123456.0, label="big")
    v.grad = -0.0
    src = draw(v).source
    assert "data 1.235e+05" in src and "grad 0>" in src  # -0.0 shows as 0


def test_gradients_made_with_create_graph_are_shown_as_numbers():
    x = Value(3.0, label="x")
    y = x * x
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value)
    assert "grad 6>" in node_line(draw(y).source, "n0")


# ---- determinism ---------------------------------------------------------

DRAW_SCRIPT = textwrap.dedent(
    """
    import sys
    from micrograd_scratch import MLP, Value
    from micrograd_scratch.drawing import draw
    m = MLP(2, [3, 2, 1], seed=1)
    loss = (m([Value(0.5, label="x0"), Value(-1.0, label="x1")]) - 1) ** 2
    loss.backward()
    sys.stdout.write(draw(loss, model=m, grad_view=True).source)
    sys.stdout.write(draw(loss, model=m, collapse=True).source)
    """
)


def test_same_graph_gives_byte_identical_dot_in_two_processes():
    outs = []
    for seed in ("1", "2"):  # different hash seeds: set order must not leak out
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", DRAW_SCRIPT], cwd=REPO, env=env,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        outs.append(done.stdout)
    assert outs[0] == outs[1]
    assert b"cluster_L0_N0" in outs[0]
    assert b"0x" not in outs[0]  # no id() or repr addresses in the text


# ---- escaping ------------------------------------------------------------

HOSTILE = [
    'quote " inside',
    "{braces} and | pipes",
    "<B>not bold</B> & <angle>",
    "back\\slash \\N \\G \\L",
    "two\nlines",
    "tab\tcarriage\rreturn",
    "nul\x00bell\x07",
    "]; node [shape=star",
    '"; evil -> graph; "',
    "<<>>",
    "lone surrogate \ud800 and \u202e bidi",
    "&amp; already escaped",
    "x" * 300,
]


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_are_escaped(label):
    v = Value(1.0, label=label) + Value(2.0, label=label)
    src = draw(v, legend=False).source
    assert src.count(" -> ") == 3  # no label broke out into extra statements
    assert len(src.splitlines()) == 4 + 4 + 3 + 1  # header, nodes, edges, }: no extra lines
    body = src.split("label=<", 1)[1]
    assert "<angle>" not in body and "</B> &" not in body  # html-escaped
    src.encode("utf-8")  # a lone surrogate would make this fail


@needs_dot
def test_dot_accepts_all_hostile_labels_at_once():
    vs = [Value(float(i), label=label) for i, label in enumerate(HOSTILE)]
    out = vs[0]
    for v in vs[1:]:
        out = out + v
    out.label = HOSTILE[2]
    svg = run_dot(draw(out, title=HOSTILE[0]).source).decode("utf-8")
    assert "&lt;B&gt;not bold&lt;/B&gt; &amp; &lt;angle&gt;" in svg  # shown, not obeyed
    assert "quote &quot; inside" in svg
    assert "\\N \\G \\L" in svg  # dot's \N escapes are not expanded in HTML labels


# ---- roles ---------------------------------------------------------------


def role_fill(source, node_id):
    return attr(source, node_id, "fillcolor")


def test_roles_from_structure():
    w = Parameter(0.5, label="w")  # as nn makes them
    extra = Value(2.0, label="k")  # marked with params=
    x = Value(3.0, label="x")  # a leaf the user made
    y = w * x + extra * 2  # 2 becomes a constant
    src = draw(y, params=[extra]).source
    order = {"w": "n0", "x": "n1", "k": "n3", "2": "n4"}
    assert role_fill(src, order["w"]) == STYLES["parameter"][2]
    assert role_fill(src, order["k"]) == STYLES["parameter"][2]
    assert role_fill(src, order["x"]) == STYLES["input"][2]
    assert role_fill(src, order["2"]) == STYLES["constant"][2]
    assert "dashed" in attr(src, order["2"], "style")
    assert role_fill(src, "n2") == STYLES["result"][2]
    assert attr(src, "n2_op", "shape") == "ellipse"
    # each kind present appears once in the legend, with its own look
    for kind in ("parameter", "input", "constant", "result", "op"):
        assert role_fill(src, f"legend_{kind}") == STYLES[kind][2]
    assert "legend_neuron" not in src


def test_model_parameters_are_parameters_and_legend_lists_only_present_kinds():
    n = Neuron(2, seed=0)
    out = n([Value(1.0, label="a"), Value(2.0, label="b")])
    src = draw(out, model=n).source
    assert "legend_parameter" in src and "legend_constant" not in src
    assert 'subgraph cluster_neuron' in src


def test_legend_can_be_left_out():
    assert "legend" not in draw(Value(1.0) + 2, legend=False).source


# ---- networks ------------------------------------------------------------


def cluster_block(source: str, name: str) -> str:
    """The text of `subgraph name { ... }`, nested clusters included."""
    start = source.index(f"subgraph {name} {{")
    depth = 0
    for i in range(start, len(source)):
        if source[i] == "{":
            depth += 1
        elif source[i] == "}":
            depth -= 1
            if depth == 0:
                return source[start : i + 1]
    raise AssertionError("unbalanced braces")


def test_mlp_nodes_are_grouped_per_neuron_and_per_layer():
    m = MLP(2, [3, 1], seed=0)
    out = m([1.0, -2.0])
    src = draw(out, model=m).source
    assert src.count("subgraph cluster_L") == 2 + 4  # 2 layers, 3 + 1 neurons
    layer0 = cluster_block(src, "cluster_L0")
    neuron = cluster_block(src, "cluster_L0_N1")
    assert neuron in layer0
    # the neuron's parameters, its weighted sum and its relu, nothing else
    assert {"L0.N1.w0", "L0.N1.w1", "L0.N1.b"} == set(re.findall(r"L\d\.N\d\.\w+", neuron))
    assert "label=<w·x + b>" in neuron and "label=<ReLU>" in neuron
    assert "cluster_L1" not in layer0
    assert "x0" not in layer0  # inputs stay outside the network's clusters


def test_a_model_without_biases_is_grouped_and_collapsed_with_its_weights_only():
    m = MLP(2, [2, 1], bias=False, seed=0)
    out = m([1.0, -2.0])
    out.backward()
    src = draw(out, model=m).source
    neuron = cluster_block(src, "cluster_L0_N1")
    assert {"L0.N1.w0", "L0.N1.w1"} == set(re.findall(r"L\d\.N\d\.\w+", neuron))
    assert "label=<w·x>" in neuron and "w·x + b" not in src
    collapsed = draw(out, model=m, collapse=True, weights=True).source
    boxes = {re.search(r"<B>(L\d\.N\d)</B>", line)[1]: line.split(" [", 1)[1]
             for line in collapsed.splitlines() if "<B>L" in line}
    assert sorted(boxes) == ["L0.N0", "L0.N1", "L1.N0"]
    assert boxes["L0.N1"] == (  # its two weights, no "b" line
        'label=<<B>L0.N1</B> relu<BR/>w -0.1589  -0.4822<BR/>data 0.8055<BR/>grad -0.1901> '
        'color="#54278f" fillcolor="#dadaeb" shape=box style="rounded,filled"]'
    )
    assert "<BR/>b " not in collapsed


def test_collapsed_mlp_is_one_box_per_neuron():
    m = MLP(2, [16, 16, 1], seed=0)
    out = m([1.0, -2.0])
    out.backward()
    with pytest.raises(GraphTooLarge, match=r"has \d+ nodes.*collapse=True"):
        draw(out, model=m)
    src = draw(out, model=m, collapse=True).source
    boxes = [line for line in src.splitlines() if "relu<BR/>" in line or "linear<BR/>" in line]
    assert len(boxes) == 16 + 16 + 1
    assert "L0.N0.w0" not in src  # the weights are inside the boxes
    visible = [e for e in edges(src) if "invis" not in e]
    assert len(visible) == 2 * 16 + 16 * 16 + 16
    assert "<B>L1.N7</B> relu" in src
    assert "<B>L2.N0</B> linear" in src


@needs_dot
def test_collapsed_neurons_keep_their_order_top_to_bottom():
    m = MLP(2, [6, 1], seed=0)
    out = m([1.0, -2.0])
    for rankdir, axis in (("LR", 3), ("TB", 2)):  # plain output: y is field 3, x is 2
        g = draw(out, model=m, collapse=True, rankdir=rankdir)
        plain = run_dot(g.source, "plain").decode()
        pos = {}
        for line in plain.splitlines():
            m_ = re.search(r"L0\.N(\d)", line)
            if line.startswith("node") and m_:
                pos[int(m_.group(1))] = float(line.split()[axis])
        ranked = sorted(pos, key=pos.get, reverse=(rankdir == "LR"))  # y grows upwards
        assert ranked == list(range(6)), rankdir


def test_parameter_used_outside_its_neuron_stays_visible_when_collapsed():
    m = MLP(1, [2, 1], seed=0)
    w = m.layers[0].neurons[0].w[0]
    loss = m([1.0]) + w * w  # an L2-like term reads the weight directly
    src = draw(loss, model=m, collapse=True).source
    assert "L0.N0.w0" in src
    assert "L0.N1.w0" not in src


def test_collapse_needs_a_model():
    with pytest.raises(ValueError, match="collapse=True needs model="):
        draw(Value(1.0) * 2, collapse=True)


# ---- the node limit ------------------------------------------------------


def chain(n: int) -> Value:
    v = Value(1.0, label="x")
    for _ in range(n):
        v = v.tanh()
    return v


def test_node_limit_refuses_large_graphs_and_can_be_raised():
    v = chain(300)  # 1 + 2 * 300 nodes
    with pytest.raises(GraphTooLarge, match=r"601 nodes, more than max_nodes=250.*max_nodes=601"):
        draw(v)
    with pytest.raises(GraphTooLarge) as e:
        draw(v, max_nodes=600)
    assert (e.value.count, e.value.limit) == (601, 600)
    assert isinstance(e.value, ValueError)
    assert draw(v, max_nodes=601).source.count("label=<tanh>") == 300
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        draw(v, max_nodes=0)


def test_deep_graph_is_drawn_without_recursion():
    v = chain(5000)
    src = draw(v, max_nodes=20000, legend=False).source
    assert src.count("->") == 10000


# ---- gradient view -------------------------------------------------------


def fills(source):
    return {i: attr(source, i, "fillcolor") for i in re.findall(r"^\t(n\d+) \[", source, re.M)}


def test_grad_view_shades_by_gradient_size():
    a, b = Value(3.0, label="a"), Value(-4.0, label="b")
    c = (a * b).relu()  # relu of -12: no gradient reaches a or b
    out = c + a * 10
    out.backward()
    src = draw(out, grad_view=True).source
    f = fills(src)
    assert f["n0"] == signed_colour(1.0, 1.0)  # a: gradient 10, the largest: darkest blue
    assert f["n1"] == "#ffffff"  # b: gradient 0
    # the relu passes nothing back: its input edge is light grey, not coloured
    relu_id = re.search(r"^\t(n\d+)_op \[label=<ReLU>", src, re.M).group(1)
    into_relu = [e for e in edges(src) if e.split(" -> ")[1].startswith(f"{relu_id}_op")]
    assert into_relu and all('color="#bdbdbd"' in e for e in into_relu)
    assert "penwidth=5.00" in src  # the edge carrying the most gradient is thickest


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_grad_view_shades_by_sign_and_the_legend_shows_what_is_drawn():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    loss = (a - b) * 0.062  # d loss/d a = +0.062, d loss/d b = -0.062: same size, opposite signs
    loss.backward()
    assert (a.grad, b.grad) == (0.062, -0.062)
    src = draw(loss, grad_view=True).source
    ids = {label: node for node, label in re.findall(r"^\t(n\d+) \[label=<<B>(\w+)</B>", src, re.M)}
    fa, fb = attr(src, ids["a"], "fillcolor"), attr(src, ids["b"], "fillcolor")
    # the scale leaves out the loss's own seed (d loss/d loss = 1, always):
    # 0.062 is the largest gradient below it, so a and b get the full shade
    assert fa == signed_colour(0.062, 0.062) == signed_colour(1.0, 1.0)
    assert fb == signed_colour(-0.062, 0.062) == signed_colour(-1.0, 1.0)
    assert attr(src, ids_of_root(src), "fillcolor") == signed_colour(1.0, 1.0)  # past the scale: full
    assert rgb(fa)[2] > rgb(fa)[0]  # positive: blue
    assert rgb(fb)[0] > rgb(fb)[2]  # negative: red
    # each edge is coloured by the gradient it carries back: red from b's side, blue from a's
    out_of = {e.split(" -> ")[0]: e for e in edges(src)}
    colour_b = re.search(r'color="(#\w+)"', out_of[ids["b"]]).group(1)
    colour_a = re.search(r'color="(#\w+)"', out_of[ids["a"]]).group(1)
    assert rgb(colour_b)[0] > rgb(colour_b)[2] and rgb(colour_a)[2] > rgb(colour_a)[0]
    # the legend: kinds with white fills (a drawn node's fill is its gradient), both signs, widths
    assert attr(src, "legend_input", "fillcolor") == "#ffffff"
    assert attr(src, "legend_input", "color") == STYLES["input"][3]
    assert attr(src, "legend_negative", "fillcolor") == signed_colour(-1.0, 1.0)
    assert attr(src, "legend_positive", "fillcolor") == signed_colour(1.0, 1.0)
    assert "width" in node_line(src, "legend_flow")


def ids_of_root(src: str) -> str:
    """The id of the node no edge leaves (the drawing's root)."""
    tails = {e.split(" -> ")[0].strip() for e in edges(src)}
    nodes = re.findall(r"^\t(n\d+) \[", src, re.M)
    (root,) = [n for n in nodes if n not in tails]
    return root


def test_grad_view_boxes_and_edges_share_one_scale_without_the_roots_seed():
    # The tryout's example: every gradient below the root is small (< 0.06)
    # next to the root's seed 1. Scaled by 1, a and b were near-white while
    # b's edge was the darkest red; now boxes and edges share the scale.
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = (a * b + b**2).tanh()
    out.backward()
    src = draw(out, grad_view=True).source
    ids = {label: node for node, label in re.findall(r"^\t(n\d+) \[label=<<B>(\w+)</B>", src, re.M)}
    for name, grad in (("a", a.grad), ("b", b.grad)):
        fill = rgb(attr(src, ids[name], "fillcolor"))
        assert grad < 0 and fill[0] > fill[2]  # red: negative
        assert min(fill) < 200, (name, fill)  # visibly shaded, not near-white
    # b's box is the darker of the two (|-0.039| > |-0.030|), and its fill
    # uses the scale its edges use: the largest term sent back, 2*b*0.00987
    largest = max(abs(b.grad), abs(2 * b.data * (1 - out.data**2)))
    assert attr(src, ids["b"], "fillcolor") == signed_colour(b.grad, largest)
    assert sum(rgb(attr(src, ids["b"], "fillcolor"))) < sum(rgb(attr(src, ids["a"], "fillcolor")))
    assert attr(src, ids_of_root(src), "fillcolor") == signed_colour(1.0, 1.0)  # the root: full
    # the edge into the root (its seed, past the scale) is the widest, no wider
    widths = [float(w) for w in re.findall(r'penwidth="?([\d.]+)', src)]
    assert max(widths) == 5.0


def test_signed_colour_is_white_at_zero_and_symmetric():
    assert signed_colour(0.0, 1.0) == "#ffffff"
    assert signed_colour(0.5, 0.0) == "#ffffff"  # nothing to scale by
    assert signed_colour(2.0, 1.0) == signed_colour(1.0, 1.0)  # clipped at the scale
    assert signed_colour(float("inf"), 1.0) == signed_colour(1.0, 1.0)
    assert signed_colour(float("-inf"), 1.0) == signed_colour(-1.0, 1.0)
    assert signed_colour(-0.5, 1.0) != signed_colour(0.5, 1.0) != "#ffffff"


def test_grad_view_before_backward_shades_nothing():
    out = Value(1.0) * Value(2.0)
    f = fills(draw(out, grad_view=True).source)
    assert set(f.values()) == {"#ffffff"}


# ---- options and errors --------------------------------------------------


def test_top_to_bottom_and_bad_rankdir():
    assert "rankdir=TB" in draw(Value(1.0) + 1, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir must be 'LR'.*'TB'"):
        draw(Value(1.0), rankdir="sideways")


def test_bad_arguments_are_clear_errors():
    with pytest.raises(TypeError, match="expected a Value"):
        draw(3.0)
    with pytest.raises(TypeError, match="params: expected Values"):
        draw(Value(1.0), params=[1.0])
    with pytest.raises(TypeError, match="model: expected a Module"):
        draw(Value(1.0), model=object())


def test_title_is_shown_and_escaped():
    src = draw(Value(1.0), title="loss <after> 1 step").source
    assert "label=<loss &lt;after&gt; 1 step> labelloc=t" in src


def test_graphviz_is_imported_lazily_with_a_clear_message(monkeypatch):
    code = "import sys, micrograd_scratch; print('graphviz' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now fails
    # graphviz is a dependency, installed by the README's pip install -e .
    with pytest.raises(ImportError, match=r"pip install -e \. in a checkout \(or pip install graphviz\)"):
        draw(Value(1.0))


# ---- writing files -------------------------------------------------------


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG"),
                                           (".pdf", b"%PDF")])
def test_render_real_files(tmp_path, suffix, magic):
    x = Value(2.0, label="x")
    y = (x * 3).relu()
    y.backward()
    path = render(draw(y, grad_view=True), tmp_path / f"graph{suffix}")
    assert path == tmp_path / f"graph{suffix}"
    data = path.read_bytes()
    assert magic in data[:400]
    if suffix == ".svg":
        assert "grad 3" in data.decode()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no stray files
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600


@pytest.mark.parametrize("suffix", [".dot", ".gv", ".DOT"])
def test_render_dot_source(tmp_path, suffix):
    g = draw(Value(1.0, label="x") + 1)
    path = render(g, tmp_path / f"graph{suffix}")
    assert path.read_text(encoding="utf-8") == g.source


def test_render_refuses_unknown_formats_and_missing_directories(tmp_path):
    g = draw(Value(1.0))
    with pytest.raises(ValueError, match=r"must end in \.svg, \.png, \.pdf, \.dot or \.gv"):
        render(g, tmp_path / "graph.jpg")
    with pytest.raises(FileNotFoundError, match="no directory"):
        render(g, tmp_path / "missing" / "graph.svg")
    assert list(tmp_path.iterdir()) == []


def test_render_without_dot_writes_the_dot_file_and_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no dot program here
    g = draw(Value(1.0, label="x") * 2)
    path = render(g, tmp_path / "graph.svg")
    assert path == tmp_path / "graph.dot"
    assert path.read_text(encoding="utf-8") == g.source
    assert not (tmp_path / "graph.svg").exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert "dot -Tsvg" in err and "Traceback" not in err


def test_render_failure_leaves_no_half_written_file(tmp_path, monkeypatch):
    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        render(draw(Value(1.0)), tmp_path / "graph.dot")
    assert list(tmp_path.iterdir()) == []


# ---- the backward pass as frames -----------------------------------------


def neuron():
    w, x, b = Value(2.0, label="w"), Value(3.0, label="x"), Value(-1.0, label="b")
    return (w * x + b).relu(), (w, x, b)


def test_frames_show_each_step_of_the_chain_rule(tmp_path):
    y, (w, x, b) = neuron()
    paths = backward_frames(y, tmp_path, format="dot")
    assert [p.name for p in paths] == [f"frame_{i:03d}.dot" for i in range(5)]  # seed, 3 ops, done
    frames = [p.read_text(encoding="utf-8") for p in paths]
    assert "backward step 0 of 3" in frames[0] and "grad 1>" in node_line(frames[0], "n5")
    # step 1: the relu (n5) runs; its input n4 is updated: 1 x 1 = 1
    assert 'fillcolor="#fcbba1"' in node_line(frames[1], "n5_op")
    assert "penwidth=3" in node_line(frames[1], "n4")
    assert "<TD>1 × 1<BR/>= 1</TD>" in frames[1]  # upstream × local over = term, on a white ground
    # step 3: the product runs; w gets upstream 1 x local x = 3, x gets 1 x w = 2
    assert "<TD>1 × 3<BR/>= 3</TD>" in frames[3] and "<TD>1 × 2<BR/>= 2</TD>" in frames[3]
    assert "grad 3>" in node_line(frames[3], "n0") and "penwidth=3" in node_line(frames[3], "n0")  # updated
    assert "grad 0>" in node_line(frames[2], "n0")  # not reached yet at step 2
    assert "done" in frames[4]
    assert (w.grad, x.grad, b.grad) == (0.0, 0.0, 0.0)  # no .grad was touched
    y.backward()  # and the frames end where backward() ends
    for v, i in ((w, "n0"), (x, "n1"), (b, "n3")):
        assert f"grad {v.grad:g}>" in node_line(frames[-1], i)


def test_frames_of_a_shared_input_add_both_terms(tmp_path):
    a = Value(3.0, label="a")
    paths = backward_frames(a * a, tmp_path, format="dot")
    step = paths[1].read_text(encoding="utf-8")
    assert step.count("<TD>1 × 3<BR/>= 3</TD>") == 2  # one term per edge of a * a
    assert "grad 6>" in node_line(step, "n0")  # 3 + 3: the terms add up


@needs_dot
def test_frames_as_svg_with_a_self_contained_slider_page(tmp_path):
    y, _ = neuron()
    paths = backward_frames(y, tmp_path / "frames")
    assert paths[-1].name == "backward.html"
    assert [p.suffix for p in paths[:-1]] == [".svg"] * 5
    page = paths[-1].read_text(encoding="utf-8")
    assert page.count("data:image/svg+xml;base64,") == 5
    assert 'type="range"' in page and 'max="4"' in page
    assert "http" not in page.replace("http-equiv", "")  # nothing fetched from the web
    assert "<script src" not in page


def test_frames_without_dot_fall_back_to_dot_files(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    y, _ = neuron()
    paths = backward_frames(y, tmp_path / "f", format="png")
    assert [p.suffix for p in paths] == [".dot"] * 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "install Graphviz" in err


def test_frames_refuse_bad_formats(tmp_path):
    with pytest.raises(ValueError, match="format must be 'svg', 'png', 'pdf' or 'dot'"):
        backward_frames(Value(1.0) * 2, tmp_path, format="gif")


def test_grad_view_survives_nan_and_inf_gradients():
    a = Value(1.0, label="a")
    b = a * 2
    c = b + 3
    a.grad, b.grad, c.grad = float("nan"), float("inf"), 1.0
    src = draw(c, grad_view=True).source
    assert "grad nan" in src and "grad inf" in src
    f = fills(src)
    assert f["n0"] == NAN_COLOUR  # nan has no sign: grey
    assert f["n2"] == signed_colour(1.0, 1.0)  # inf: the strongest colour, so the eye goes to it


def test_a_hand_made_node_without_a_rule_is_drawn_without_gradient_flow(tmp_path):
    a = Value(2.0, label="a")
    odd = Value(5.0, (a,), "mystery")  # built by hand: inputs but no backward rule
    src = draw(odd, grad_view=True).source
    assert "label=<mystery>" in src
    paths = backward_frames(odd, tmp_path, format="dot")
    assert len(paths) == 2  # the seed and the end: no rule to run in between


@needs_dot
def test_a_png_is_150_dpi_by_default_and_dpi_sets_it(tmp_path):
    graph = draw(Value(2.0, label="a") * 3)

    def size(path):
        data = path.read_bytes()
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")

    w96, h96 = size(render(graph, tmp_path / "a.png", dpi=96))
    w150, h150 = size(render(graph, tmp_path / "b.png"))
    assert (w150, h150) == size(render(graph, tmp_path / "c.png", dpi=150))
    assert abs(w150 / w96 - 150 / 96) < 0.02 and abs(h150 / h96 - 150 / 96) < 0.02
    assert "dpi" not in graph.source  # the drawing itself is left as it was
    with pytest.raises(ValueError, match="dpi must be a whole number"):
        render(graph, tmp_path / "d.png", dpi=5)


def plain_positions(source: str) -> dict[str, tuple[float, float]]:
    """Node id -> (x, y) of its centre in dot's own layout (-Tplain)."""
    text = run_dot(source, "plain").decode()
    return {f[1]: (float(f[2]), float(f[3])) for f in (line.split() for line in text.splitlines())
            if f[0] == "node"}


@needs_dot
def test_detail_keeps_each_neurons_weights_in_order_and_the_inputs_left_of_the_network():
    mlp = MLP(2, [16, 1], seed=1)
    loss = (mlp([1.0, 0.0]) - 1) ** 2
    src = draw(loss, model=mlp, max_nodes=500).source
    ids = dict((label, node) for node, label in
               re.findall(r"^\t+(n\d+) \[label=<<B>([\w.]+)</B>", src, re.M))
    at = plain_positions(src)
    out_params = [f"L1.N0.w{i}" for i in range(16)] + ["L1.N0.b"]
    heights = [at[ids[name]][1] for name in out_params]
    assert heights == sorted(heights, reverse=True)  # w0 at the top, then w1, ..., b
    first_layer = [at[ids[f"L0.N{j}.w0"]][0] for j in range(16)]
    assert at[ids["x0"]][0] < min(first_layer) and at[ids["x1"]][0] < min(first_layer)


def test_with_a_model_the_network_sets_the_colour_scale_not_the_loss_after_it():
    n = Neuron(1, seed=0, activation="linear")
    n.w[0].data, n.b.data = 1.0, 0.0
    out = n([Value(0.1, label="x")])
    loss = out * 0.01  # the loss's own grad is 1; everything in the neuron gets 0.01 or less
    loss.backward()
    src = draw(loss, model=n, grad_view=True).source
    ids = {label: node for node, label in re.findall(r"^\t+(n\d+) \[label=<<B>([\w.]+)</B>", src, re.M)}
    # the bias's grad, 0.01, is the network's largest: the strongest blue, not a pale 1% of it
    assert attr(src, ids["b"], "fillcolor") == signed_colour(1.0, 1.0)
    assert attr(src, ids["w0"], "fillcolor") == signed_colour(0.1, 1.0)  # 0.001 of 0.01


def test_grad_view_draws_a_micrograd_style_closure_op():
    """An op written micrograd's way (a zero-argument `_backward` set on a
    node by hand) runs in backward(), so its graph must draw with
    grad_view too (it raised TypeError): the engine reads its local
    derivative, so its input edge is coloured by the term it sends back."""
    import math

    def mysin(v):
        out = Value(math.sin(v.data), (v,), "mysin")

        def _backward():
            v.grad += math.cos(v.data) * out.grad
        out._backward = _backward
        return out

    x = Value(0.5, label="x")
    y = mysin(x) * 2 + x
    y.backward()
    src = draw(y, grad_view=True).source
    op_id = re.search(r"^\t(n\d+)_op \[label=<mysin>", src, re.M).group(1)
    into = [e for e in edges(src) if e.split(" -> ")[1].startswith(f"{op_id}_op")]
    # mysin's edge carries 2 * cos(0.5), shaded against x's grad, the
    # largest: 2 * cos(0.5) + 1 (its other term comes through the +)
    from micrograd_scratch.drawing.styles import flow_style

    look = flow_style(2 * math.cos(0.5), 2 * math.cos(0.5) + 1)
    assert into == [f'n0 -> {op_id}_op [color="{look["color"]}" penwidth={look["penwidth"]}]']



# ---- a network's edges enter each neuron at its border, once ----------------------


def small_network_loss(hidden=(3, 3)):
    from micrograd_scratch import mse

    m = MLP(2, list(hidden) + [1], seed=1)
    loss = mse([m([1.0, -1.0])], [1])
    loss.backward()
    return m, loss


def test_a_neurons_outside_inputs_meet_at_its_entry_point_inside_its_cluster():
    m, loss = small_network_loss((2,))
    source = draw(loss, model=m).source
    outside = set()
    for cluster in ("cluster_L0_N0", "cluster_L0_N1", "cluster_L1_N0"):
        entry = f"{cluster}_in"
        body = source.split(f"subgraph {cluster} {{", 1)[1].split("\n\t\t}", 1)[0]
        assert f"\t{entry} [label=\"\"" in body  # declared inside the neuron's own cluster
        into = re.findall(rf"^\t(\w+) -> {entry} \[arrowhead=none\]$", source, re.M)
        assert len(into) == 2  # x0 and x1, or the two outputs of the layer before
        outside.update(into)
        [onwards] = re.findall(rf"^\t{entry} -> (n\d+_op)$", source, re.M)  # one arrow on to w·x + b
        assert f"\t{onwards} [label=<w·x + b>" in body
    # nothing from outside a neuron goes straight to an op inside it
    assert len(outside) == 4 and not any(re.search(rf"^\t{t} -> n\d+_op", source, re.M) for t in outside)


def _bezier_points(pos: str) -> list[tuple[float, float]]:
    """Points along a Graphviz spline ("e,x,y p0 p1 p2 p3 ..."), 20 per segment."""
    pts = [tuple(map(float, p.split(","))) for p in pos.split() if not p.startswith(("e,", "s,"))]
    out = []
    for i in range(0, len(pts) - 3, 3):
        p0, p1, p2, p3 = pts[i:i + 4]
        for k in range(21):
            t = k / 20
            out.append(tuple((1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t ** 2 * c + t ** 3 * d
                             for a, b, c, d in zip(p0, p1, p2, p3)))
    return out


@needs_dot
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_no_edge_cuts_through_a_neuron_it_does_not_enter(rankdir):
    """Laid out by dot, an edge from outside a neuron stays out of every
    other neuron's box, and crosses its own neuron's border on the side
    that faces the inputs (left in LR, top in TB)."""
    import json

    from micrograd_scratch.drawing.styles import pipe

    m, loss = small_network_loss()
    laid_out = json.loads(pipe(draw(loss, model=m, rankdir=rankdir), "json0"))
    objects = laid_out["objects"]
    neurons = [o for o in objects if re.fullmatch(r"cluster_L\d+_N\d+", o["name"])]
    boxes = {o["name"]: tuple(map(float, o["bb"].split(","))) for o in neurons}
    assert len(boxes) == 7
    checked = 0
    for edge in laid_out["edges"]:
        head = objects[edge["head"]]["name"]
        if not head.endswith("_in") or edge.get("style") == "invis":
            continue
        own = head[:-3]
        # (an output of the layer before leaves from inside its own neuron)
        start = {o["name"] for o in neurons if edge["tail"] in o.get("nodes", ())}
        points = _bezier_points(edge["pos"])
        for name, (x0, y0, x1, y1) in boxes.items():
            if name != own and name not in start:
                inside = [p for p in points if x0 + 1 < p[0] < x1 - 1 and y0 + 1 < p[1] < y1 - 1]
                assert not inside, (objects[edge["tail"]]["name"], head, name)
        x0, y0, x1, y1 = boxes[own]
        first = next(p for p in points if x0 - 0.5 <= p[0] <= x1 + 0.5 and y0 - 0.5 <= p[1] <= y1 + 0.5)
        if rankdir == "LR":
            assert first[0] - x0 < 6, (head, first)  # through the left border (6 pt: the sampling)
        else:
            assert y1 - first[1] < 6, (head, first)  # through the top border
        checked += 1
    assert checked == 2 * 3 + 3 * 3 + 3  # x0, x1 into L0's three; three outputs into each of L1's and L2's
