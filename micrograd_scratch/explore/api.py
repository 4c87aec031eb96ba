"""What the explorer's page asks the engine, as plain functions of JSON data.

Each function takes the decoded JSON body of one request and returns the
JSON-ready answer, or raises `ApiError` (a ValueError) with a one-line
message that the page shows. server.py only routes requests here; the
tests call these directly as well as through HTTP.

- `info()`: what the page offers: data sets, activations (from the op
  registry, through nn), losses, defaults, the signed colour map, limits,
  and whether Graphviz's `dot` is there.
- `expression(body)`: parse an expression (expr.py's safe parser: nothing
  is run as Python), run backward, and return the graph as SVG, laid out
  once with every edge's chain-rule label (drawing/frames.py), with the
  backward steps the page replays on it, and, when asked, each input's
  central finite-difference estimate.
- `train_new`, `train_step`, `train_neuron`: a training session
  (training.py), a few steps of it, one neuron as an expression. A session
  may train on the page's own points (`points`, or `csv` text) and start
  from given `weights` (a link); a step request may bring edited points.

`ROUTES` maps each request's path to its function: the local server
(server.py) and the static site's Web Worker (browser.py, running this
package in Pyodide) answer from it alike. In the browser there is no `dot`
program; the worker gives Graphviz compiled to WebAssembly instead
(`use_renderer`), which lays out the same DOT text.
"""

from __future__ import annotations

import math
import secrets
import shutil
import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Callable

from .. import expr
from ..cli.training import OBJECTIVES, TRAIN_DEFAULTS
from ..drawing import styles
from ..drawing.frames import BackwardStep, backward_steps, gradients_after, layout_graph, steps_data
from ..drawing.graph import MAX_NODES, GraphTooLarge, _Plan
from ..nn import activation_names
from .training import (
    DEFAULTS, MAX_EVAL_WORK, MAX_STEP_WORK, MAX_STEPS, SettingsError, Stopped, TrainingSession,
    _shown, points_from, settings_from,
)

__all__ = ["ApiError", "info", "expression", "Sessions", "ROUTES", "use_renderer", "MAX_VALUE"]

MAX_VALUE = 1e6  # |value| of an input the page may set
FD_TOLERANCE = 1e-4  # gradcheck's error measure, |a - n| / max(1, |a|, |n|), above this disagrees
MAX_SESSIONS = 8  # training sessions kept; the oldest goes first
# ... and the parameters of all of them together (a model takes about 0.3 KB
# a parameter: 60,000 are some 20 MB), so the memory they hold is bounded,
# not only their number.
MAX_KEPT_PARAMETERS = 60_000
MAX_WORKING = 2  # requests that train or evaluate at once; the others wait their turn
WAIT_SECONDS = 0.05  # how often one that waits asks whether its page is still there
DOT_SECONDS = 10.0  # the longest one graph may take to lay out


class ApiError(ValueError):
    """A request the explorer refuses or cannot answer; the message says why."""

    status = 400  # the request's fault; a failure of the machine's own is a 503


class PageGone(ConnectionAbortedError):
    """The page that asked has left: its work is dropped, and nothing answers
    (the server closes the connection)."""


class CannotDraw(ApiError):
    """Graphviz's dot, on the machine that serves, is missing or broken."""

    status = 503


def _json_number(x: float) -> float | str:
    """A number as JSON can hold it. JSON has no inf or nan, so those travel
    as the strings "inf", "-inf" and "nan", never as null or 0: d/dx x**0.5
    at x = 0 is "inf", as the page shows it."""
    return x if math.isfinite(x) else repr(x)  # repr(inf) is 'inf'


def _defaults_table() -> dict:
    """The settings the page starts from for each data set, loss and
    activation: the command line's (training.settings_from fills them in),
    so that choosing a loss brings its learning rate, as `train --loss` does."""
    table = {}
    for dataset in TRAIN_DEFAULTS:
        table[dataset] = {}
        for loss in OBJECTIVES:
            table[dataset][loss] = {}
            for activation in activation_names():
                s = settings_from({"dataset": dataset, "loss": loss, "activation": activation})
                table[dataset][loss][activation] = {
                    k: s[k] for k in ("lr", "lr_end", "decay_steps", "batch_size")}
    return table


def info() -> dict:
    defaults = {
        name: {"loss": d["loss"], "lr": d["lr"], "batch_size": d["batch_size"]}
        for name, d in TRAIN_DEFAULTS.items()
    }
    return {
        "datasets": list(TRAIN_DEFAULTS),
        "activations": list(activation_names()),
        "losses": list(OBJECTIVES),
        "defaults": {"hidden": DEFAULTS["hidden"], "activation": DEFAULTS["activation"],
                     "per_dataset": defaults, "table": _defaults_table()},
        "colours": {
            "negative": styles._hex(styles.NEGATIVE),
            "positive": styles._hex(styles.POSITIVE),
            "max_shade": styles.MAX_SHADE,
            "fire": styles.FIRE_COLOUR, "fire_fill": styles.FIRE_FILL,
            "update": styles.UPDATE_COLOUR, "edge": styles.EDGE_ATTR["color"],
        },
        "limits": {"expression": expr.MAX_LENGTH, "steps": MAX_STEPS, "value": MAX_VALUE,
                   "nodes": MAX_NODES, "eval_work": MAX_EVAL_WORK, "step_work": MAX_STEP_WORK},
        "dot": _dot_missing(),
    }


# ---- drawing: the dot program, or a renderer given instead ----------------------

_renderer: Callable[[str], str] | None = None


def use_renderer(render: Callable[[str], str] | None) -> None:
    """Lay graphs out with `render(dot_text) -> svg` instead of the `dot`
    program (None: `dot` again). The static site's worker gives Graphviz
    compiled to WebAssembly here (browser.py): the same DOT text, drawn in
    the browser."""
    global _renderer
    _renderer = render


def _dot_missing() -> str | None:
    """None when graphs can be drawn (Graphviz's `dot` program, or a
    renderer given), else the one line to show."""
    if _renderer is not None or shutil.which("dot"):
        return None
    return f"Graphviz's dot program was not found, so graphs cannot be drawn: {styles.INSTALL_HINT}"


# ---- the expression view ----------------------------------------------------


def _values(body: dict, names: list[str]) -> dict[str, float]:
    given = body.get("values", {})
    if not isinstance(given, dict):
        raise ApiError("values must be an object {name: number}")
    values = {}
    for name in names:
        x = given.get(name, 1.0)  # a new name starts at 1
        if (type(x) is bool or not isinstance(x, (int, float))
                or isinstance(x, float) and not math.isfinite(x)):
            raise ApiError(f"the value of {name} must be a finite number, got {_shown(x)}")
        if abs(x) > MAX_VALUE:  # (an int of 400 digits is compared, never made a float)
            raise ApiError(f"the value of {name} must be between -{MAX_VALUE:g} and {MAX_VALUE:g}")
        values[name] = float(x)
    return values


def expression(body: dict) -> dict:
    """The expression view's answer for {expression, values, params, check}."""
    text = body.get("expression")
    if not isinstance(text, str):
        raise ApiError("expression must be a string")
    params = body.get("params", [])
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        raise ApiError("params must be a list of input names")
    check = body.get("check", False)
    if type(check) is not bool:
        raise ApiError(f"check must be true or false, got {_shown(check)}")
    try:
        names = expr.expression_names(text)
        values = _values(body, names)
        root, inputs = expr.parse_expression(text, values)
    except expr.ExpressionError as error:
        raise ApiError(str(error)) from None

    # The graph's size is checked before any work on it (MAX_NODES).
    marked = [inputs[p] for p in params if p in inputs]
    try:
        plan = _Plan(root, marked, None, False, MAX_NODES, "LR")
    except GraphTooLarge as error:
        raise ApiError(str(error)) from None

    backward_error = None
    try:
        steps = backward_steps(root)
    except (ValueError, ArithmeticError) as error:  # e.g. a local derivative that overflows
        backward_error = f"backward: {error}"
        steps = [BackwardStep(0, 0, root, 1.0, ())]  # the seed only
    final = gradients_after(steps, len(steps) - 1)
    if backward_error is not None:  # no gradient reached the inputs: unknown (nan), not 0
        final = {x: math.nan for x in inputs.values()}

    answer = {
        "expression": text.strip(),
        "names": names,
        "values": values,
        "params": [p for p in params if p in inputs],
        "output": styles.fmt(root.data),
        "inputs": [
            {"name": n, "id": plan.id(x), "value": values[n],
             "grad": _json_number(final.get(x, 0.0)), "grad_text": styles.fmt(final.get(x, 0.0))}
            for n, x in inputs.items()
        ],
        "nodes": _node_styles(plan),
        "steps": steps_data(plan, steps),
        "backward_error": backward_error,
        "svg": None,
        "dot_missing": _dot_missing(),
    }
    if check:
        for item in answer["inputs"]:
            grad = final.get(inputs[item["name"]], 0.0)
            item.update(_finite_difference(text, values, item["name"], grad))
    if answer["dot_missing"] is None:
        answer["svg"] = _svg(layout_graph(plan, steps, title=text.strip()))
    return answer


def _svg(graph) -> str:
    """The graph as SVG through `dot`, given at most DOT_SECONDS: some graphs
    of a few hundred nodes (one input feeding a hundred sums) take dot
    minutes, and a request must not hold the machine that long."""
    if _renderer is not None:  # in the learner's own browser: their tab, their time
        try:
            return _renderer(graph.source)
        except Exception as error:  # whatever the renderer raised, as one line
            reason = " ".join(str(error).strip().splitlines()[:1]) or "no reason given"
            raise ApiError(f"Graphviz could not draw this graph: {reason}") from None
    try:
        return styles.pipe(graph, "svg", seconds=DOT_SECONDS).decode("utf-8")
    except styles.DotTimedOut:
        raise ApiError(f"Graphviz took more than {DOT_SECONDS:g} s to lay this graph out; "
                       f"try a smaller expression") from None
    except styles.DotError as error:
        raise CannotDraw(f"this graph cannot be drawn here: {error}") from None


def _node_styles(plan: _Plan) -> list[dict]:
    """Each drawn node's own colours (its kind's fill and border), which the
    page puts back when a step's colours move on."""
    nodes = []
    for v in plan.nodes:
        _, _, fill, border = styles.STYLES[plan.role(v)]
        nodes.append({"id": plan.id(v), "fill": fill, "border": border})
        if v._prev:
            _, _, fill, border = styles.STYLES["op"]
            nodes.append({"id": plan.id(v) + "_op", "fill": fill, "border": border})
    return nodes


def _finite_difference(text: str, values: dict, name: str, grad: float) -> dict:
    """The central difference (f(x + h) - f(x - h)) / 2h for one input, and
    whether it agrees with backward's gradient (gradcheck's measure)."""
    x = values[name]
    h = 1e-6 * max(1.0, abs(x))
    try:
        up = expr.parse_expression(text, {**values, name: x + h})[0].data
        down = expr.parse_expression(text, {**values, name: x - h})[0].data
    except expr.ExpressionError:  # x +- h leaves the function's domain (log near 0)
        return {"fd": None, "fd_text": "undefined", "agrees": False}
    fd = (up - down) / (2 * h)
    agrees = math.isfinite(grad) and math.isfinite(fd) and (
        abs(grad - fd) / max(1.0, abs(grad), abs(fd)) <= FD_TOLERANCE
    )
    return {"fd": _json_number(fd), "fd_text": styles.fmt(fd), "agrees": agrees}


# ---- the requests, by path -------------------------------------------------------

# The page's POST requests: path -> answer(sessions, body, gone), where
# `gone()` says the page that asked has left. The server (server.py) and
# the static site's worker (browser.py) both answer from this one table.
ROUTES: dict[str, Callable[["Sessions", dict, Callable[[], bool]], dict]] = {
    "/api/expression": lambda sessions, body, gone: expression(body),
    "/api/train/new": lambda sessions, body, gone: sessions.new(body, gone),
    "/api/train/step": lambda sessions, body, gone: sessions.step(body, gone),
    "/api/train/neuron": lambda sessions, body, gone: sessions.neuron(body),
}


# ---- training sessions --------------------------------------------------------


class Sessions:
    """The training sessions of one server, by id. The oldest are dropped
    when a new one would make more than MAX_SESSIONS of them, or more than
    MAX_KEPT_PARAMETERS parameters in all."""

    def __init__(self, limit: int = MAX_SESSIONS, parameters: int = MAX_KEPT_PARAMETERS):
        self.limit = limit
        self.max_parameters = parameters
        self.lock = threading.Lock()
        self.items: OrderedDict[str, TrainingSession] = OrderedDict()
        self.workers = threading.BoundedSemaphore(MAX_WORKING)

    @contextmanager
    def working(self, gone):
        """Hold one of MAX_WORKING places to train and evaluate in: each
        such request holds its graphs, up to MAX_EVAL_WORK nodes, so many
        at once would hold many times the memory (and the interpreter runs
        one at a time all the same). A page that leaves, waiting or
        working, gives its place up: PageGone."""
        while not self.workers.acquire(timeout=WAIT_SECONDS):
            if gone():
                raise PageGone()
        try:
            yield
        except Stopped:
            raise PageGone() from None
        finally:
            self.workers.release()

    def new(self, body: dict, gone=lambda: False) -> dict:
        """A new session, kept only once its first answer is made for a
        page still there to read it."""
        try:
            settings = settings_from(body)  # sizes checked here, before anything is built
        except SettingsError as error:
            raise ApiError(str(error)) from None
        with self.working(gone):
            session = TrainingSession(settings, gone)
            answer = session.state(gone=gone)
        key = secrets.token_hex(8)
        with self.lock:
            self.items[key] = session
            while len(self.items) > self.limit or (
                    len(self.items) > 1 and self.kept_parameters() > self.max_parameters):
                self.items.popitem(last=False)
        return {"id": key, "settings": session.settings, **answer}

    def kept_parameters(self) -> int:
        return sum(s.parameters for s in self.items.values())

    def get(self, body: dict) -> TrainingSession:
        key = body.get("id")
        with self.lock:
            session = self.items.get(key) if isinstance(key, str) else None
        if session is None:
            raise ApiError("no such training session (the server restarted, or it was "
                           "replaced by newer ones): press Reset to start again")
        return session

    def step(self, body: dict, gone=lambda: False) -> dict:
        """{id, steps, pictures}: up to `steps` steps, stopped early when
        `gone()` says the page has left."""
        session = self.get(body)
        steps = body.get("steps", 1)
        if type(steps) is not int or not 0 <= steps <= MAX_STEPS:
            raise ApiError(f"steps must be an integer from 0 to {MAX_STEPS}, got {_shown(steps)}")
        pictures = body.get("pictures", True)
        if type(pictures) is not bool:
            raise ApiError(f"pictures must be true or false, got {_shown(pictures)}")
        try:
            session.check_steps(steps)
            points = points_from(body)  # points edited on the page: training goes on with them
        except SettingsError as error:
            raise ApiError(str(error)) from None
        with self.working(gone), session.lock:
            if points is not None:
                try:
                    session.use_points(points, gone)
                except SettingsError as error:
                    raise ApiError(str(error)) from None
            ran = session.train(steps, gone)
            return {"ran": ran, **session.state(pictures=pictures, gone=gone)}

    def neuron(self, body: dict) -> dict:
        session = self.get(body)
        where = [body.get(k) for k in ("layer", "neuron", "example")]
        if not all(type(i) is int for i in where):
            raise ApiError("layer, neuron and example must be integers")
        with session.lock:
            try:
                return session.neuron_expression(*where)
            except SettingsError as error:
                raise ApiError(str(error)) from None

