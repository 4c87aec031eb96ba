"""What every picture shares: colours, labels, the signed colour map, and
writing files (with a one-line fallback when Graphviz's `dot` is missing).

The expression graph (graph.py), the backward frames (frames.py) and the
network picture (network.py) all draw with these colours, so a kind of
node, or a gradient's sign, looks the same in each of them.

Sources: the Graphviz DOT language and HTML-like label documentation
(graphviz.org/doc/info/lang.html, .../shapes.html#html).
"""

from __future__ import annotations

import html
import math
import os
import sys
import unicodedata
from pathlib import Path

from ..engine import Value
from ..files import write_atomically

__all__ = ["render", "FORMATS", "INSTALL_HINT", "STYLES", "LEGEND", "fmt"]

# Output formats `render` knows, by file suffix.
FORMATS = (".svg", ".png", ".pdf", ".dot", ".gv")

INSTALL_HINT = (
    "install Graphviz (apt-get install graphviz, brew install graphviz, "
    "or https://graphviz.org/download/)"
)



def _graphviz():
    """The graphviz package, imported only when something is drawn."""
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            'drawing graphs needs the graphviz Python package: '
            'pip install "micrograd-scratch[render]"'
        ) from None
    return graphviz


# ---- how each kind of node looks ---------------------------------------
# (shape, style, fill colour, border colour). Light fills, darker borders
# of the same hue: the border keeps the kind visible when grad_view
# replaces the fill by the gradient's shade.

STYLES = {
    "parameter": ("box", "rounded,filled", "#fdd0a2", "#d94801"),
    "input": ("box", "filled", "#c6dbef", "#2171b5"),
    "constant": ("box", "dashed,filled", "#eeeeee", "#969696"),
    "result": ("box", "filled", "#ffffff", "#525252"),
    "op": ("ellipse", "filled", "#fff7bc", "#b08d00"),
    "neuron": ("box", "rounded,filled", "#dadaeb", "#54278f"),
}

# Short, two-line legend entries: left to right the legend is one row, and
# a wide entry would widen the graph's column above it.
LEGEND = {
    "parameter": "parameter\n(trained)",
    "input": "input\n(data)",
    "constant": "constant",
    "result": "op result",
    "op": "operation",
    "neuron": "neuron\nact(w·x + b)",
    "grad": "darker red:\nlarger |grad|",
    "fire": "its rule\nruns now",
    "updated": "its grad\nis updated",
}

# How operations are written in their ellipse; any other op is shown as is.
GRAD_COLOUR = (203, 24, 29)  # the red that grad_view and frames shade with
UPDATE_COLOUR = "#2171b5"  # inputs whose gradient a backward step updates
FIRE_COLOUR = "#cb181d"  # the node whose local rule runs
FIRE_FILL = "#fcbba1"

GRAPH_ATTR = {
    "rankdir": "LR",
    "bgcolor": "white",
    "fontname": "Helvetica",
    "fontsize": "12",
    "nodesep": "0.25",
    "ranksep": "0.4",
}
NODE_ATTR = {"fontname": "Helvetica", "fontsize": "11", "penwidth": "1.2"}
EDGE_ATTR = {"color": "#525252", "arrowsize": "0.7", "fontname": "Helvetica", "fontsize": "10"}

# ---- labels --------------------------------------------------------------
# Every label is an HTML-like label (<...> in DOT). Inside one, & < > " need
# HTML escaping (html.escape); braces and | mean nothing there, unlike in
# record labels. Backslashes still do: dot expands \N to the node's name
# and \G to the graph's even in HTML labels, so each one is doubled.
# Control characters are not valid XML and would make `dot` fail, so they
# are shown as their Python escapes.

LABEL_LIMIT = 40  # characters of a name shown before it is cut with "…"


def _text(s: str, limit: int = LABEL_LIMIT) -> str:
    """Any string as safe text inside an HTML-like label."""
    s = str(s)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    parts = []
    for line in s.split("\n"):
        shown = "".join(
            ch.encode("unicode_escape").decode("ascii")
            if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")
            else ch
            for ch in line
        )
        parts.append(html.escape(shown, quote=True).replace("\\", "\\\\"))
    return "<BR/>".join(parts)


def _float(x) -> float:
    """A gradient or data as a float (grads are Values after create_graph)."""
    return x.data if isinstance(x, Value) else float(x)


def fmt(x) -> str:
    """A number with 4 significant digits: 2, -0.5, 3e-07, 1.235e+05, nan."""
    x = _float(x)
    if math.isnan(x):
        return "nan"
    return f"{x + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0


def _html(*lines: str) -> str:
    """An HTML-like label from lines that are already escaped."""
    return "<" + "<BR/>".join(lines) + ">"


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#%02x%02x%02x" % tuple(round(c) for c in rgb)


def _shade(t: float) -> str:
    """White for t = 0 up to GRAD_COLOUR for t = 1 (t is clipped to 0..1)."""
    t = min(max(t, 0.0), 1.0) * 0.85  # never the full red: text stays readable
    return _hex(tuple(255 + (c - 255) * t for c in GRAD_COLOUR))


# ---- shading by gradient -------------------------------------------------


def _largest(magnitudes) -> float:
    """The largest finite magnitude (the scale that shading is relative to)."""
    return max((m for m in magnitudes if math.isfinite(m)), default=0.0)


def _fraction(magnitude: float, largest: float) -> float:
    """How dark to shade: 0 for no gradient, 1 for the largest; a gradient
    that is inf or nan gets the darkest shade, so the eye goes to it."""
    if not math.isfinite(magnitude):
        return 1.0
    return magnitude / largest if largest > 0 else 0.0


def _flow_style(flow: float, biggest: float) -> dict:
    """An edge's look in grad_view: thicker and redder the more gradient it
    carries back; light grey where none flows (past a relu that is off)."""
    if flow == 0 or (math.isfinite(flow) and not biggest > 0):
        return {"color": "#bdbdbd"}
    t = _fraction(flow, biggest)
    return {"color": _shade(max(t, 0.2)), "penwidth": f"{1 + 4 * t:.2f}"}


# ---- writing files -------------------------------------------------------


def render(graph, path: str | os.PathLike) -> Path:
    """Write `graph` to `path`, the format chosen by the suffix: .svg, .png
    and .pdf through Graphviz's `dot` program, .dot and .gv as DOT text.

    Returns the path written. If `dot` is not installed, writes the DOT
    text next to `path` (graph.svg -> graph.dot), prints one line saying how
    to install Graphviz, and returns the .dot path. Files appear whole or
    not at all.
    """
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(
            f"cannot write {str(path)!r}: the file name must end in "
            f"{', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: no directory {str(path.parent)!r}")
    graphviz = _graphviz()
    try:
        return _write(graph, path)
    except graphviz.ExecutableNotFound:
        fallback = path.with_suffix(".dot")
        _write(graph, fallback)
        fmt_ = path.suffix.lower()[1:]
        print(
            f"Graphviz's dot program was not found, so wrote {fallback} instead of {path}; "
            f"{INSTALL_HINT}, then run: dot -T{fmt_} {fallback} -o {path}",
            file=sys.stderr,
        )
        return fallback


def _write(graph, path: Path) -> Path:
    """Render (or, for .dot/.gv, just save) one graph; raises ExecutableNotFound."""
    suffix = path.suffix.lower()
    if suffix in (".dot", ".gv"):
        data = graph.source.encode("utf-8")
    else:
        data = graph.pipe(format=suffix[1:])
    write_atomically(path, lambda f: f.write(data))
    return path


