"""What every picture shares: colours, labels, the signed colour map, and
writing files (with a one-line fallback when Graphviz's `dot` is missing).

The expression graph (graph.py), the backward frames (frames.py) and the
network picture (network.py) all draw with these colours, so a kind of
node, or a gradient's sign, looks the same in each of them:
signed_colour(value, scale) is red below 0, white at 0, blue above, and
signed_cmap() is the same map for matplotlib.

Both kinds of picture show themselves in Jupyter: `digraph()` makes the
Graphviz drawings, which fall back to one line and their DOT source
without `dot`; `new_figure()` makes the matplotlib Figures, which show as
a PNG at their dpi (plot.py's figures are made here too). `render` and
`save_figure` write files whole or not at all, after `checked_path` and
`check_dpi` have refused a file name or a dpi they cannot write; a PNG has
150 dpi unless told otherwise.

Sources: the Graphviz DOT language and HTML-like label documentation
(graphviz.org/doc/info/lang.html, .../shapes.html#html).
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import signal
import subprocess
import sys
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..engine import Value
from ..files import write_atomically
from ..plot import FORMATS as FIGURE_FORMATS, INSTALL_HINT as MATPLOTLIB_HINT

__all__ = [
    "render", "FORMATS", "INSTALL_HINT", "STYLES", "LEGEND", "fmt",
    "signed_colour", "signed_cmap", "flow_style", "NEGATIVE", "POSITIVE",
    "new_figure", "save_figure", "checked_path", "check_dpi", "FIGURE_FORMATS", "DPI",
    "PictureStyle", "PICTURE_STYLES", "picture_style", "SLIDE", "SLIDE_TEXT", "slide_text_pt",
    "text_colour", "fit_attrs", "pipe", "pipe_json", "DotError", "DotTimedOut", "DOT_SECONDS",
]

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
            'drawing graphs needs the graphviz Python package, a dependency of this '
            'one: pip install -e . in a checkout (or pip install graphviz)'
        ) from None
    return graphviz


_drawing_class = None


def digraph(*args, **kwargs):
    """A `graphviz.Digraph` that Jupyter shows inline as SVG when it ends a
    cell, and, where Graphviz's `dot` program is missing, as one line
    saying how to install it followed by the DOT source, not a traceback."""
    global _drawing_class
    graphviz = _graphviz()
    if _drawing_class is None:

        class Drawing(graphviz.Digraph):
            text_scale = 1.0  # how much fitting it to a box scaled its text (graph.fitted)
            fit: dict = {}  # the graph attributes that fitted it (size and pad)
            box = None  # the (width, height) in inches it was fitted to

            def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
                """SVG drawn by `pipe` (so within its time limit), with the
                one line of a DotError and the DOT source where it fails."""
                try:
                    svg = pipe(self, "svg").decode("utf-8")
                except DotError as error:
                    return {"text/plain": f"{error.why}, so this graph cannot be shown as a "
                                          f"picture; {error.how}. Its DOT source:\n\n{self.source}"}
                return {"image/svg+xml": svg, "text/plain": repr(self)}

            def __repr__(self) -> str:
                """What a text-only view (a terminal, an email of a notebook) shows."""
                statements = [line.strip() for line in self.body]
                edges = sum("->" in line and "style=invis" not in line for line in statements)
                nodes = sum(bool(re.match(r"\w+ \[", line)) and not line.startswith("legend_")
                            for line in statements)
                return (f"<a drawing of a graph: {nodes} nodes and {edges} edges; "
                        f"render(drawing, 'graph.png') writes it, Jupyter shows it>")

        _drawing_class = Drawing
    return _drawing_class(*args, **kwargs)


# ---- the signed colour map ------------------------------------------------
# One map for every signed number a picture shows: a gradient in grad_view,
# the frames and the explorer, a weight or an activation in the network
# picture. Negative is red, positive blue, zero white, as matplotlib's RdBu
# (whose end colours these are), so the Graphviz pictures and the
# matplotlib ones read the same way.

NEGATIVE = (178, 24, 43)  # "#b2182b"
POSITIVE = (33, 102, 172)  # "#2166ac"
NAN_COLOUR = "#737373"  # a nan has no sign: grey, with "nan" in its label
MAX_SHADE = 0.85  # never the full colour behind text: labels stay readable


def signed_colour(value: float, scale: float) -> str:
    """The colour of `value` on a scale where +-`scale` is the strongest:
    white at 0, blue above, red below (clipped past the scale; an infinite
    value gets the strongest colour of its sign, so the eye goes to it)."""
    if math.isnan(value):
        return NAN_COLOUR
    if math.isinf(value):
        t = 1.0
    else:
        t = min(abs(value) / scale, 1.0) if scale > 0 else 0.0
    end = POSITIVE if value > 0 else NEGATIVE
    t *= MAX_SHADE
    return _hex(tuple(255 + (c - 255) * t for c in end))


def signed_cmap():
    """The same map for matplotlib (imported only when called): -1 red,
    0 white, +1 blue, with the same strongest shades as signed_colour."""
    from matplotlib.colors import LinearSegmentedColormap

    ends = [tuple((255 + (c - 255) * MAX_SHADE) / 255 for c in end) for end in (NEGATIVE, POSITIVE)]
    return LinearSegmentedColormap.from_list("micrograd_signed", [ends[0], (1, 1, 1), ends[1]])


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
    "negative": "grad < 0\n(darker: larger)",
    "positive": "grad > 0\n(darker: larger)",
    "flow": "edge width:\n|grad| sent back",
    "fire": "sends its\ngradient on",
    "updated": "its grad\nis updated",
}

UPDATE_COLOUR = "#2171b5"  # inputs whose gradient a backward step updates
FIRE_COLOUR = "#cb181d"  # the node that sends its gradient on to its inputs
FIRE_FILL = "#fcbba1"

GRAPH_ATTR = {
    "rankdir": "LR",
    "bgcolor": "white",
    "fontname": "Helvetica",
    "fontsize": "12",
    "nodesep": "0.25",
    "ranksep": "0.4",
    # The same white border in every format: dot gives a .pdf a margin of
    # half an inch of its own unless told 0 (a 628 x 246 pt svg was a
    # 700 x 318 pt pdf), so the border is the pad alone, 4 pt everywhere.
    "margin": "0",
    "pad": "0.0556",  # PAD, below
}
NODE_ATTR = {"fontname": "Helvetica", "fontsize": "11", "penwidth": "1.2"}
EDGE_ATTR = {"color": "#525252", "arrowsize": "0.7", "fontname": "Helvetica", "fontsize": "10"}


# ---- picture styles: the default, and one for slides -------------------------
# A slide is PowerPoint's and Keynote's 16:9 page, 13.333 x 7.5 inches;
# shown 1920 px wide that is 144 px an inch, so text of 18 pt there is
# 36 px tall. A picture W points wide shown 1920 px wide draws a font of
# f pt as f * 960 / W "slide points": slides_text_pt says so, and the slide
# style keeps every text at 18 of them or more.

SLIDE = (40 / 3, 7.5)  # inches: 13.333..., so that 144 dpi is exactly 1920 px
SLIDE_TEXT = 18  # pt, the smallest text on a slide shown 1920 px wide


@dataclass(frozen=True)
class PictureStyle:
    """How large a picture's text is and what canvas it fills.

    node_font  pt, the text in the boxes; small_font the edge labels and
    the legend; title_font the title. canvas: (width, height) in inches
    that the picture is fitted to (laid out to fill it, shrunk only when
    it is larger), or None for its natural size."""

    name: str
    node_font: float
    small_font: float
    title_font: float
    nodesep: float  # inches between neighbours in a rank
    ranksep: float  # inches between ranks
    canvas: tuple[float, float] | None
    line_width: float = 1.2  # pt, the borders of boxes
    compact: bool = False  # a named box reads "a = 2" on one line, not "a" above "data 2"

    def graph_attr(self, rankdir: str) -> dict:
        return {**GRAPH_ATTR, "rankdir": rankdir, "fontsize": _pt(self.title_font),
                "nodesep": _pt(self.nodesep), "ranksep": _pt(self.ranksep)}

    def node_attr(self) -> dict:
        attrs = {**NODE_ATTR, "fontsize": _pt(self.node_font), "penwidth": _pt(self.line_width)}
        if self.compact:
            attrs["margin"] = "0.08,0.03"  # inches around a box's text (dot's is 0.11,0.055)
        return attrs

    def edge_attr(self) -> dict:
        return {**EDGE_ATTR, "fontsize": _pt(self.small_font)}


# ---- fitting a picture to a box ----------------------------------------------

PAD = 0.0556  # inches of white around a drawing (GRAPH_ATTR's pad): 4 pt
MARGIN = 0.1  # inches of white a fitted picture keeps on every side: 10 px at 96 dpi, 14 at 144
MAX_ENLARGE = 2.0  # a small graph fills its box at most twice its natural size


def fit_attrs(natural: tuple[float, float], box: tuple[float, float]) -> tuple[dict, float]:
    """The graph attributes that fit a drawing of `natural` size (inches,
    as dot laid it out, without its pad) to exactly `box` (inches), and the
    scale its text is drawn at.

    dot scales the drawing and its pad together to `size` ("!" lets it
    enlarge as well as shrink), so the pad is chosen to give the page the
    box's shape: the drawing centred, scaled to come within MARGIN of two
    sides (MARGIN of the box, whatever the scale: a drawing shrunk to fit
    kept only its shrunk PAD, and its output box came 7 px from a slide's
    edge), and never more than MAX_ENLARGE times its size."""
    w, h = natural
    width, height = box
    scale = min(MAX_ENLARGE, (width - 2 * MARGIN) / w, (height - 2 * MARGIN) / h)
    pad = ((width / scale - w) / 2, (height / scale - h) / 2)
    # dot rounds the page down to whole pixels: a thousandth of an inch
    # more keeps 1280 x 720 px from coming out 1279 x 719.
    size = f"{width + 0.001:g},{height + 0.001:g}!"
    return {"size": size, "pad": f"{pad[0]:.4f},{pad[1]:.4f}"}, scale


def _pt(x: float) -> str:
    """A number for a DOT attribute: 11, not 11.0."""
    return f"{x:g}"


PICTURE_STYLES = {
    "default": PictureStyle("default", node_font=11, small_font=10, title_font=12,
                            nodesep=0.25, ranksep=0.4, canvas=None),
    # Larger text, a 16:9 canvas, thicker lines that a projector keeps.
    # Every text 20 pt, so that the picture may shrink to 90% to fit the
    # slide and still keep 18; closer ranks and two-line boxes to fit it.
    "slides": PictureStyle("slides", node_font=20, small_font=20, title_font=20,
                           nodesep=0.2, ranksep=0.2, canvas=SLIDE, line_width=2, compact=True),
}


def picture_style(style: str | PictureStyle) -> PictureStyle:
    """A style by name ("default" or "slides"), refused in one line otherwise."""
    if isinstance(style, PictureStyle):
        return style
    if style not in PICTURE_STYLES:
        raise ValueError(f"style must be {' or '.join(map(repr, PICTURE_STYLES))}, got {style!r}")
    return PICTURE_STYLES[style]


def slide_text_pt(font_pt: float, width_pt: float) -> float:
    """How large text of font_pt looks in a picture width_pt wide when the
    picture fills a slide shown 1920 px wide (SLIDE_TEXT is the least)."""
    return font_pt * SLIDE[0] * 72 / width_pt


# Text on a fill darker than this (relative luminance, 0 black to 1 white)
# is white: black on the darkest red and blue of a strong gradient is hard
# to read on a projector. Near 0.18 black and white contrast alike (WCAG's
# ratio); below it, white contrasts more (5.3:1 on the darkest red, where
# black has 3.9:1).
DARK = 0.2


def text_colour(fill: str) -> str | None:
    """'#ffffff' for a dark fill ('#rrggbb'), None (the usual black) for a light one."""
    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#ffffff" if luminance < DARK else None

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


def flow_style(flow: float, biggest: float) -> dict:
    """An edge's look in grad_view: the gradient it carries back coloured
    by its sign, and the edge thicker the larger |flow| is (relative to
    `biggest`, the largest |flow| in the picture); light grey where none
    flows (past a relu that is off)."""
    if flow == 0 or (math.isfinite(flow) and not biggest > 0):
        return {"color": "#bdbdbd"}
    t = min(_fraction(abs(flow), biggest), 1.0)  # past the scale (the root's seed): the widest
    # A faint flow still gets a visible colour: at least 30% of the way.
    colour = signed_colour(math.copysign(max(t, 0.3), flow) if not math.isnan(flow) else flow, 1.0)
    return {"color": colour, "penwidth": f"{1 + 4 * t:.2f}"}


# ---- matplotlib figures ----------------------------------------------------
# The network picture and plot's figures are matplotlib Figures made without
# pyplot (no GUI backend, the user's pyplot state left alone). Such a
# Figure does not show itself in Jupyter unless pyplot's inline backend was
# loaded, so ours carry their own _repr_png_.

# FIGURE_FORMATS (.png, .svg, .pdf) and MATPLOTLIB_HINT are plot's, imported above.
DPI = 150  # pixels per inch of a .png: sharp on a projector
MIN_DPI, MAX_DPI = 20, 1200  # the dpi a picture may ask for

_figure_class = None


def new_figure(*, dpi: int = DPI, **kwargs):
    """A matplotlib Figure that shows itself inline in Jupyter as a PNG at
    `dpi`; matplotlib is imported here, only when a figure is drawn."""
    global _figure_class
    try:  # every time: cheap once imported, and a test may hide it
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            f"drawing figures needs matplotlib, which is not installed: {MATPLOTLIB_HINT}"
        ) from None
    if _figure_class is None:

        class InlineFigure(Figure):
            """A Figure that Jupyter shows as a PNG when it ends a cell."""

            def _repr_png_(self) -> bytes:
                import io

                buffer = io.BytesIO()
                self.savefig(buffer, format="png", dpi=self._inline_dpi)
                return buffer.getvalue()

        _figure_class = InlineFigure
    check_dpi(dpi)
    fig = _figure_class(**kwargs)
    fig._inline_dpi = dpi
    return fig


def check_dpi(dpi, who: str = "") -> int:
    """Refuse a dpi that is not a whole number from MIN_DPI to MAX_DPI;
    `who` (the function called) starts the message."""
    if type(dpi) is not int or not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"{who}{': ' if who else ''}dpi must be a whole number from {MIN_DPI} "
                         f"to {MAX_DPI}, got {dpi!r}")
    return dpi


def checked_path(path: str | os.PathLike, formats: tuple[str, ...], who: str = "") -> Path:
    """path as a Path, refused (before anything is drawn) unless its suffix
    is one of `formats`; `who` (the function called) starts the message."""
    path = Path(path)
    if path.suffix.lower() not in formats:
        raise ValueError(
            f"{who}{': ' if who else ''}cannot write {str(path)!r}: the file name must end in "
            f"{', '.join(formats[:-1])} or {formats[-1]}"
        )
    return path


def save_figure(fig, path: str | os.PathLike, dpi: int = DPI) -> Path:
    """Write a Figure to path (.png at `dpi`, .svg or .pdf), whole or not at all."""
    path = Path(path)
    fmt_ = path.suffix.lower()[1:]
    check_dpi(dpi)
    write_atomically(path, lambda f: fig.savefig(f, format=fmt_, dpi=dpi))
    return path


# ---- writing files -------------------------------------------------------


def render(graph, path: str | os.PathLike, *, dpi: int = DPI) -> Path:
    """Write `graph` to `path`, the format chosen by the suffix: .svg, .png
    and .pdf through Graphviz's `dot` program, .dot and .gv as DOT text.
    A .png has `dpi` pixels per inch (150 by default; Graphviz's own 96
    is soft on a projector).

    Returns the path written. If `dot` is not installed, or fails (a
    broken install), writes the DOT text next to `path` (graph.svg ->
    graph.dot), prints one line saying why and what to do, and returns the
    .dot path; but a .dot file that is already there is not this call's to
    replace: then nothing is written, the line says so, and it returns
    None. Files appear whole or not at all.
    """
    path = checked_path(path, FORMATS)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: no directory {str(path.parent)!r}")
    check_dpi(dpi)
    try:
        return _write(graph, path, dpi)
    except DotError as error:
        return _write_dot_instead(graph, path, error)


# ---- running Graphviz's dot ------------------------------------------------
# Every picture goes through `pipe`, the one place this package runs `dot`:
# a missing, broken, crashing, silent or hanging dot is one DotError there,
# with its cause in words, and every caller turns that into its one line.

DOT_SECONDS = 60.0  # the longest one call of dot may take: a hung dot is stopped
DOT_SECONDS_VARIABLE = "MICROGRAD_SCRATCH_DOT_SECONDS"  # the environment's say over it
TEXT_FORMATS = ("svg", "json0", "json", "dot", "xdot", "plain")  # dot writes these as UTF-8 text
SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF"}  # how its binary formats begin
REINSTALL_HINT = "check the Graphviz install (dot -V says what is wrong), or reinstall it"


class DotError(RuntimeError):
    """Graphviz's dot is missing, or it failed, crashed, hung or wrote
    something that is not the picture asked for. `why` says which, `how`
    what to do; str() is both, one line."""

    def __init__(self, why: str, how: str = REINSTALL_HINT):
        super().__init__(f"{why}; {how}")
        self.why, self.how = why, how


class DotTimedOut(DotError):
    """dot ran past its time limit and was stopped (the graph may be too big
    to lay out in time, or dot hung)."""


def dot_seconds() -> float:
    """DOT_SECONDS, or the number of seconds MICROGRAD_SCRATCH_DOT_SECONDS gives."""
    given = os.environ.get(DOT_SECONDS_VARIABLE)
    if given is None:
        return DOT_SECONDS
    try:
        seconds = float(given)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 24 * 3600:
        raise ValueError(f"{DOT_SECONDS_VARIABLE} must be a number of seconds above 0 and at "
                         f"most a day, got {given!r}")
    return seconds


def pipe(graph, format: str, *, neato_no_op: int = 0, seconds: float | None = None) -> bytes:
    """graph drawn by its engine as `format`, through Graphviz's `dot`
    (neato_no_op=2: at the positions it gives, for a pinned frame), given
    at most `seconds` (dot_seconds() by default). Raises DotError, whose
    one line says what went wrong, for a dot that is missing, exits with
    an error, dies by a signal, runs out of time, or writes no output or
    output that is not `format` (a PNG that is not a PNG, an SVG that is
    not UTF-8)."""
    seconds = dot_seconds() if seconds is None else seconds
    command = ["dot", f"-K{graph.engine}", f"-T{format}"]
    if neato_no_op:
        command.append(f"-n{neato_no_op}")
    try:
        done = subprocess.run(command, capture_output=True, input=graph.source.encode("utf-8"),
                              timeout=seconds)
    except FileNotFoundError:
        raise DotError("Graphviz's dot program was not found", INSTALL_HINT) from None
    except subprocess.TimeoutExpired:  # subprocess.run has killed it
        raise DotTimedOut(f"Graphviz's dot program did not finish within {seconds:g} s (it was "
                          f"stopped)", f"draw fewer nodes, or give dot longer with "
                          f"{DOT_SECONDS_VARIABLE}=SECONDS") from None
    except OSError as error:  # not executable, not a program
        raise DotError(f"Graphviz's dot program could not be run "
                       f"({error.strerror or error})") from None
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()
    if done.returncode < 0:
        raise DotError(f"Graphviz's dot program crashed ({_signal_name(-done.returncode)})")
    if done.returncode != 0:
        raise DotError(f"Graphviz's dot program failed (exit status {done.returncode}"
                       + (f": {said[0][:150]}" if said else "") + ")")
    if not done.stdout:
        raise DotError("Graphviz's dot program wrote nothing (and exited as if it had drawn)")
    if not done.stdout.startswith(SIGNATURES.get(format, b"")):
        raise DotError(f"Graphviz's dot program wrote something that is not a {format}")
    if format in TEXT_FORMATS:
        try:
            done.stdout.decode("utf-8")
        except UnicodeDecodeError:
            raise DotError("Graphviz's dot program wrote text that is not UTF-8") from None
    return done.stdout


def pipe_json(graph, *, neato_no_op: int = 0) -> dict:
    """dot's layout of `graph` (its json0 output: the bounding box, and
    each node's and cluster's place and size) as a dict; DotError as pipe."""
    try:
        laid_out = json.loads(pipe(graph, "json0", neato_no_op=neato_no_op))
    except ValueError:
        laid_out = None
    if not isinstance(laid_out, dict) or "bb" not in laid_out:
        raise DotError("Graphviz's dot program wrote a layout that is not the JSON it should be")
    return laid_out


def _signal_name(number: int) -> str:
    try:
        return f"killed by {signal.Signals(number).name}"
    except ValueError:
        return f"killed by signal {number}"


def _write_dot_instead(graph, path: Path, error: DotError) -> Path | None:
    """render's fallback without a working `dot`: one line on stderr, and the
    DOT text in path.dot unless a file is there already."""
    fallback = path.with_suffix(".dot")
    why, how = error.why, error.how
    if fallback.exists():  # the user's own file, or an older run's: left as it is
        print(f"{why}, so {path} was not written, nor its DOT source: {fallback} "
              f"already exists and is left as it is; {how}", file=sys.stderr)
        return None
    _write(graph, fallback)
    fmt_ = path.suffix.lower()[1:]
    print(f"{why}, so wrote {fallback} instead of {path}; {how}, then run: "
          f"dot -T{fmt_} {fallback} -o {path}", file=sys.stderr)
    return fallback


def _write(graph, path: Path, dpi: int = DPI) -> Path:
    """Render (or, for .dot/.gv, just save) one graph; raises DotError."""
    suffix = path.suffix.lower()
    if suffix in (".dot", ".gv"):
        data = graph.source.encode("utf-8")
    elif suffix == ".png":  # the resolution is a graph attribute: set on a copy
        sharp = graph.copy()
        sharp.attr(dpi=str(dpi))
        data = png_with_dpi(_exactly(pipe(sharp, "png"), graph, dpi), dpi)
    else:
        data = pipe(graph, suffix[1:])  # (a failure's stderr: in the error)
    write_atomically(path, lambda f: f.write(data))
    return path


def _exactly(data: bytes, graph, dpi: int) -> bytes:
    """A PNG of a graph fitted to a box, made exactly the box's pixels:
    dot rounds its page to whole points and pixels on the way (a
    1280 x 720 px box came out 1274 x 717 at 600 dpi), so the page is
    padded or trimmed at its edges, where only the white pad is. Needs
    Pillow; without it the PNG is left as dot drew it."""
    box = getattr(graph, "box", None)
    if box is None:
        return data
    try:
        from PIL import Image
    except ImportError:
        return data
    import io

    want = (round(box[0] * dpi), round(box[1] * dpi))
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, SyntaxError):  # Pillow's words for an image it cannot read
        raise DotError("Graphviz's dot program wrote a png that cannot be read") from None
    if image.size == want:
        return data
    page = Image.new(image.mode, want, "white")
    page.paste(image, ((want[0] - image.width) // 2, (want[1] - image.height) // 2))
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()


def png_with_dpi(data: bytes, dpi: int) -> bytes:
    """A PNG that records its resolution: dot's PNGs have no pHYs chunk,
    so a slide program guesses 72 or 96 dpi and shows a 150 dpi picture at
    twice its size. The chunk (PNG spec 11.3.5.3: pixels per metre, unit 1)
    goes right after IHDR, replacing any there was."""
    signature, rest = data[:8], data[8:]
    chunks = []
    while rest:
        length = int.from_bytes(rest[:4], "big")
        chunk, rest = rest[: 12 + length], rest[12 + length:]
        if chunk[4:8] != b"pHYs":
            chunks.append(chunk)
    if not chunks or chunks[0][4:8] != b"IHDR":  # a PNG begins with its header chunk
        raise DotError("Graphviz's dot program wrote a png with no image header")
    per_metre = round(dpi / 0.0254).to_bytes(4, "big")
    body = b"pHYs" + per_metre + per_metre + b"\x01"
    phys = (9).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    return signature + chunks[0] + phys + b"".join(chunks[1:])
