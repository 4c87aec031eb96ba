"""The static site's op editor: a learner's `define(...)`, run in their own browser.

The panel shows an op as ops.py defines it (`source("tanh")`: the
`define(...)` call, with the helper functions it names), the learner edits
it or writes a new one, and `apply(code)` runs that code with ops.py's
own names at hand, every `define` redefining in place (`replace=True`).
From then on the expression view, the stepper and training use the new
op, since they all read ops.OPS; `check(name)` compares its local
derivatives with finite differences at a few points (gradcheck), which
tells at once whether a new backward agrees with its forward.
`reset(name)` puts back the built-in op, or removes one the learner added.

Only the static site's worker (browser.py) imports this module: there the
code is the learner's own, run in their own browser's sandbox. The local
server never runs code from a request; it refuses these requests
(server.py).
"""

from __future__ import annotations

import ast
import inspect
import traceback

from .. import ops
from ..engine import Value
from ..gradcheck import gradcheck

__all__ = ["EditorError", "source", "apply", "check", "reset", "edited", "error_line", "FILENAME"]

FILENAME = "<your op>"  # what a traceback names the learner's code
# The points an op is checked at, by kind, away from kinks (relu's 0) and
# inside most domains; a point where the forward raises (log at -1.3) is
# outside the op's domain and skipped.
CHECK_POINTS = {
    "unary": [(-1.3,), (-0.4,), (0.7,), (1.6,)],
    "activation": [(-1.3,), (-0.4,), (0.7,), (1.6,)],
    "binary": [(0.7, 1.3), (1.6, -0.4), (2.1, 0.6)],
    "n-ary": [(0.7, -1.3, 1.6, 0.4, 0.3)],
}


class EditorError(ValueError):
    """The learner's code failed; the message is one line with the line number."""


# Every op and Value method as the package defined them, before any edit.
_BUILT_IN = {name: dict(vars(op)) for name, op in ops.OPS.items()}
_VALUE = dict(vars(Value))
_applied: dict[str, str] = {}  # the code that last defined each op the learner edited


# ---- an op's source ----------------------------------------------------------------


def _ops_module() -> ast.Module:
    return ast.parse(inspect.getsource(ops))


def source(name: str) -> str:
    """The code that defines op `name`: the learner's last, or ops.py's
    `define(...)` call, after the module-level functions it names (tanh's
    is the call alone; sigmoid's starts with `def _sigmoid(x): ...`)."""
    if name in _applied:
        return _applied[name]
    if name not in ops.OPS:
        raise EditorError(f"no op named {name!r}; the ops are {', '.join(ops.OPS)}")
    text = inspect.getsource(ops)
    tree = _ops_module()
    helpers = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "define"
                and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == name):
            used = [helpers[n.id] for k in node.keywords for n in ast.walk(k.value)
                    if isinstance(n, ast.Name) and n.id in helpers]
            parts = [ast.get_source_segment(text, h) for h in dict.fromkeys(used)]
            return "\n\n\n".join(parts + [ast.get_source_segment(text, node)]) + "\n"
    raise EditorError(f"{name!r} is not defined with define(...) in ops.py")


# ---- applying the learner's code ------------------------------------------------------


def error_line(error: BaseException) -> str:
    """An exception raised by the learner's code as one line: where in their
    code it happened, the exception's name and message ("line 3:
    TypeError: ..."; no line when their code is not in the traceback)."""
    if isinstance(error, SyntaxError) and error.filename == FILENAME:
        return f"line {error.lineno}: SyntaxError: {error.msg}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == FILENAME]
    where = f"line {frames[-1].lineno}: " if frames else ""
    message = str(error).splitlines()[0] if str(error) else ""
    return f"{where}{type(error).__name__}{': ' + message if message else ''}"


def _snapshot() -> tuple[dict, dict]:
    return {name: dict(vars(op)) for name, op in ops.OPS.items()}, dict(vars(Value))


def _restore(snapshot: tuple[dict, dict]) -> None:
    """Put every op and Value method back as the snapshot has them."""
    saved_ops, saved_value = snapshot
    for name in set(ops.OPS) - set(saved_ops):
        del ops.OPS[name]
    for name, fields in saved_ops.items():
        vars(ops.OPS[name]).update(fields)  # the same Op object, so whoever holds it sees it
    for key in set(vars(Value)) - set(saved_value):
        delattr(Value, key)
    for key, attribute in saved_value.items():
        if vars(Value).get(key) is not attribute:
            setattr(Value, key, attribute)


def apply(code: str) -> dict:
    """Run the learner's code with ops.py's names at hand (math, data, exp,
    tanh, _sigmoid, ...), each `define` redefining in place. Returns the
    ops it defined and each one's check; on an error, every op is as it
    was and EditorError says what went wrong, on which line."""
    defined: list[str] = []

    def define(name, **fields):
        if name not in ops.OPS and hasattr(Value, name):  # x.grad, x.backward: not to be replaced
            raise EditorError(f"define({name!r}): a Value already has {name!r}; choose another name")
        fields["replace"] = True  # an edit redefines the op in place
        op = ops.define(name, **fields)
        defined.append(name)
        return op

    snapshot = _snapshot()
    namespace = {**vars(ops), "define": define, "__name__": "your_op"}
    try:
        exec(compile(code, FILENAME, "exec"), namespace)
    except Exception as error:  # the learner's code, whatever it raised
        _restore(snapshot)
        raise EditorError(error_line(error)) from None
    if not defined:
        raise EditorError("this code defines no op: write define(\"name\", forward=..., "
                          "local_grads=..., kind=...)")
    for name in dict.fromkeys(defined):
        _applied[name] = code
    return {"defined": list(dict.fromkeys(defined)),
            "checks": [check(name) for name in dict.fromkeys(defined)]}


def check(name: str) -> dict:
    """Op `name`'s local derivatives against central finite differences of
    its forward at CHECK_POINTS: {name, ok, text}, text one line."""
    op = ops.OPS[name]
    worst = None
    checked = 0
    for point in CHECK_POINTS[op.kind]:
        where = ", ".join(f"{x:g}" for x in point)
        try:
            op.forward(*point)
        except (ValueError, ArithmeticError):
            continue  # outside the op's domain
        except Exception as error:  # the learner's forward is broken
            return {"name": name, "ok": False, "text": f"{name}: the forward fails: {error_line(error)}"}
        try:
            result = gradcheck(lambda *xs: op(*xs), point)
        except Exception as error:  # the forward worked here: the local derivatives failed
            return {"name": name, "ok": False,
                    "text": f"{name}: its local_grads fail at ({where}): {error_line(error)}"}
        checked += 1
        if not result.ok:
            inputs = ["x"] if len(point) == 1 else [f"x{i}" for i in range(len(point))]
            gaps = "; ".join(f"d/d{inputs[i]} backward {a:.6g}, finite difference {n:.6g}"
                             for i, (a, n) in enumerate(zip(result.analytic, result.numeric))
                             if not abs(a - n) <= 1e-5 * max(1.0, abs(a), abs(n)))
            worst = f"{name}: backward DISAGREES with finite differences at ({where}): {gaps}"
            break
    if worst is not None:
        return {"name": name, "ok": False, "text": worst}
    if not checked:
        return {"name": name, "ok": False,
                "text": f"{name}: not checked: every check point is outside its domain"}
    return {"name": name, "ok": True,
            "text": f"{name}: backward agrees with finite differences at {checked} "
                    f"point{'s' if checked > 1 else ''}"}


def reset(name: str) -> dict:
    """Op `name` as the package defines it (or gone, if the learner added
    it); returns its source now, for the panel."""
    if name not in ops.OPS:
        raise EditorError(f"no op named {name!r}")
    _applied.pop(name, None)
    if name in _BUILT_IN:
        vars(ops.OPS[name]).update(_BUILT_IN[name])
        for key, attribute in _VALUE.items():  # its method (x.tanh) or operator (__mul__)
            if vars(Value).get(key) is not attribute:
                setattr(Value, key, attribute)
        return {"name": name, "source": source(name), "built_in": True}
    del ops.OPS[name]
    if name in vars(Value) and name not in _VALUE:
        delattr(Value, name)
    return {"name": name, "source": "", "built_in": False}


def edited() -> list[str]:
    """The ops the learner has applied code for."""
    return list(_applied)
