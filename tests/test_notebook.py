"""Jupyter, as a notebook user meets it: a notebook executed by nbclient in
a real kernel (this Python, through ipykernel), its display outputs read
back. With Graphviz's `dot` on PATH, draw() and a Value show SVG; without
it, draw() shows one line saying how to install Graphviz and the DOT
source, and no cell shows a traceback. The figures (plot_training, the
network picture) show as PNGs either way.

Skipped, with the reason, where nbclient, ipykernel, nbformat or
matplotlib is missing (pip install -e ".[test]"); the SVG half also needs
the `dot` program (apt-get install graphviz)."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need nbformat")
nbclient = pytest.importorskip("nbclient", reason="the notebook tests need nbclient")
pytest.importorskip("ipykernel", reason="the notebook tests need ipykernel (a real kernel)")
pytest.importorskip("matplotlib", reason="the notebook's figures need matplotlib")

CELLS = [
    # 0: nothing shown
    "from micrograd_scratch import MLP, Value, draw, mse, plot_training, xor\n"
    "from micrograd_scratch.drawing import draw_network, value_mimebundle\n"
    "a, b = Value(2.0, label='a'), Value(-3.0, label='b')\n"
    "c = a * b + 1\n"
    "c.backward()",
    # 1: a drawing as the cell's last line
    "draw(c, grad_view=True)",
    # 2: a Value's own display, as Value._repr_mimebundle_ gives it
    "from IPython.display import display\n"
    "display(value_mimebundle(c), raw=True)",
    # 3: a Value too large to draw inline: its repr only
    "big = sum(Value(float(i)) * i for i in range(100))\n"
    "display(value_mimebundle(big), raw=True)",
    # 4: the training figure, no path
    "X, y = xor()\n"
    "model = MLP(2, [2, 1], seed=1)\n"
    "plot_training([0.7, 0.3, 0.1], model, X, y, resolution=20)",
    # 5: the network picture, no path
    "draw_network(model, X, y, loss=mse, resolution=9)",
    # 6: a Value as the cell's last line (a method on Value, where the engine has it)
    "c",
]


@pytest.fixture
def kernel_name(tmp_path, monkeypatch):
    """A kernelspec that runs this very Python (the venv with the package),
    whatever other kernels the machine has installed."""
    spec = tmp_path / "jupyter" / "kernels" / "micrograd-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "micrograd-scratch tests",
        "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "micrograd-test"


def run_notebook(kernel_name: str, path_env: str) -> list[list[dict]]:
    """Execute CELLS; return each cell's outputs (as nbformat dicts)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in CELLS])
    client = nbclient.NotebookClient(nb, kernel_name=kernel_name, timeout=120,
                                     allow_errors=True)
    client.execute(env={**os.environ, "PATH": path_env})
    return [cell.outputs for cell in nb.cells]


def displays(outputs: list[dict]) -> list[dict]:
    return [o["data"] for o in outputs if o["output_type"] in ("execute_result", "display_data")]


def assert_no_errors(outputs: list[list[dict]]) -> None:
    for i, cell in enumerate(outputs):
        errors = [o for o in cell if o["output_type"] == "error" or o.get("name") == "stderr"]
        assert not errors, f"cell {i}: {errors}"


def assert_figures_shown_as_png(outputs: list[list[dict]]) -> None:
    for i in (4, 5):
        [shown] = displays(outputs[i])
        assert "image/png" in shown, f"cell {i} showed {list(shown)}"


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz's dot program is not installed (apt-get install graphviz)")
def test_with_dot_drawings_and_values_show_as_svg(kernel_name):
    outputs = run_notebook(kernel_name, os.environ["PATH"])
    assert_no_errors(outputs)
    assert outputs[0] == []
    [drawing] = displays(outputs[1])
    assert drawing["image/svg+xml"].lstrip().startswith("<?xml")
    assert "grad &#45;3" in drawing["image/svg+xml"]  # d c / d a = b = -3 (dot escapes the minus)
    [value] = displays(outputs[2])
    assert "<svg" in value["image/svg+xml"] and value["text/plain"] == repr_of_c()
    [big] = displays(outputs[3])
    assert list(big) == ["text/plain"] and big["text/plain"].startswith("Value(data=")
    assert_figures_shown_as_png(outputs)
    last = displays(outputs[6])
    if last and "image/svg+xml" not in last[0]:
        pytest.skip("Value has no _repr_mimebundle_ yet: the engine's three lines are still to come")
    assert "image/svg+xml" in last[0]


def test_without_dot_a_drawing_is_one_line_and_its_dot_source_never_a_traceback(kernel_name):
    outputs = run_notebook(kernel_name, os.path.dirname(sys.executable))
    assert_no_errors(outputs)
    [drawing] = displays(outputs[1])
    assert list(drawing) == ["text/plain"]
    text = drawing["text/plain"]
    first, rest = text.split("\n", 1)
    assert "Graphviz's dot program was not found" in first and "install Graphviz" in first
    assert rest.strip().startswith("digraph micrograd {")
    assert "Traceback" not in text and "ExecutableNotFound" not in text
    # a Value shows its plain repr: no hint on every Value
    [value] = displays(outputs[2])
    assert value == {"text/plain": repr_of_c()}
    assert_figures_shown_as_png(outputs)
    [last] = displays(outputs[6])
    assert last["text/plain"] == repr_of_c()


def repr_of_c() -> str:
    from micrograd_scratch import Value

    a, b = Value(2.0), Value(-3.0)
    c = a * b + 1
    c.backward()
    return repr(c)
