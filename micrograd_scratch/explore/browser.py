"""The static site's other end: the page's requests, answered in the browser.

In the exported site (static_site.py) there is no server. The page's
requests go to a Web Worker (static/worker.js), which runs this package in
Pyodide and hands each one to `answer(path, body)` here: the same paths,
the same api.py functions and the same JSON as server.py gives. The graphs
are the same DOT text, laid out by Graphviz compiled to WebAssembly
(@viz-js/viz) instead of the `dot` program: worker.js passes its
`renderString` to `start`, and api.py draws with it.

Only here, in the learner's own browser, does the op editor run the
learner's code (op_editor.py); the server refuses those requests.
"""

from __future__ import annotations

import json
from typing import Callable

from .. import ops
from ..learn.rules import RuleError
from . import api, course, op_editor

__all__ = ["start", "answer"]

_sessions = api.Sessions()


def start(render: Callable[[str], str]) -> None:
    """Draw graphs with `render(dot_text) -> svg` (the worker's Graphviz)."""
    api.use_renderer(render)


def _info(body: dict) -> dict:
    # The same info as the server's, and the editor, which only this side offers.
    return {**api.info(), "editor": True, "ops": list(ops.OPS), "edited": op_editor.edited()}


def _op_source(body: dict) -> dict:
    name = body.get("name")
    if not isinstance(name, str):
        raise api.ApiError("name must be the name of an op")
    return {"name": name, "source": op_editor.source(name), "edited": name in op_editor.edited()}


def _op_define(body: dict) -> dict:
    code = body.get("code")
    if not isinstance(code, str):
        raise api.ApiError("code must be the text of a define(...)")
    return op_editor.apply(code)


def _op_reset(body: dict) -> dict:
    name = body.get("name")
    if not isinstance(name, str):
        raise api.ApiError("name must be the name of an op")
    return op_editor.reset(name)


# The op editor's requests: only the static site answers these.
EDITOR_ROUTES = {
    "/api/op/source": _op_source,
    "/api/op/define": _op_define,
    "/api/op/reset": _op_reset,
}


def answer(path: str, body: str) -> str:
    """One request: its path and JSON body in, '{"status": ..., "data": ...}'
    out, with the HTTP status the server would give (200, 400 or 404; 500
    with one line for an error no check foresaw, such as an edited op's
    TypeError, as the server answers a bug)."""
    try:
        request = json.loads(body) if body else {}
        if not isinstance(request, dict):
            raise api.ApiError("the request body must be a JSON object")
        if path == "/api/info":
            data = _info(request)
        elif path in api.ROUTES:
            data = api.ROUTES[path](_sessions, request, lambda: False)
        elif path in EDITOR_ROUTES:
            data = EDITOR_ROUTES[path](request)
        elif path in course.ROUTES:  # the Learn view (course.py)
            data = course.ROUTES[path](request)
        else:
            return json.dumps({"status": 404, "data": {"error": f"nothing at {path[:100]!r}"}})
    except (api.ApiError, op_editor.EditorError, json.JSONDecodeError) as error:
        return json.dumps({"status": 400, "data": {"error": str(error)}})
    except RuleError as error:  # a learner's exercise 4 rule in use (course.use): its one line
        return json.dumps({"status": 400, "data": {"error": str(error)}})
    except Exception as error:  # an edited op that raises what the engine does not expect
        where = "your op" if op_editor.edited() else "internal error"
        return json.dumps({"status": 500, "data": {"error": f"{where}: {op_editor.error_line(error)}"}})
    return json.dumps({"status": 200, "data": data}, allow_nan=False)
