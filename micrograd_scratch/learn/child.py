"""The process a learner's code runs in (runner.py starts it).

It loads the learner's exercise file, then runs the checks the parent
asks for, one at a time, and sends back each one's state and sentence
(and the DOT statements of its picture) as JSON lines. Its stdout and
stderr are the learner's prints, which the parent passes on.

Everything it uses is bound before the learner's file runs, and the
checker's own code is sealed: a learner's file that replaces a function,
class or constant of the package (runner's, Report's, a check's) is told
so in one line, and gets no verdict on that check. A learner's file
cannot raise the recursion limit here (exercise 5 asks for an order
without recursion, and a raised limit only trades a RecursionError for a
crash). faulthandler writes the stack to the parent if the process
crashes, and the process ends itself if the parent is gone.
"""

from __future__ import annotations

import builtins
import faulthandler
import json
import math
import os
import sys
import threading
import time
import types
from pathlib import Path

from . import runner
from .checks import checks_for
from .exercises import exercise

__all__ = ["main", "Session"]


def main(request: dict) -> None:
    del sys.argv[1:]  # the request (its pipes' numbers) is not the learner's to read
    send = _sender(request["messages"])
    commands = os.fdopen(request["commands"], "r", encoding="utf-8")
    faulthandler.enable(file=request["dump"], all_threads=True)
    loads = json.loads  # bound before their file runs
    runner.on_sample = lambda stack: send({"sample": stack})
    _hold_recursion_limit()
    session = Session(Path(request["folder"]), request["number"], request["limit"])
    exit_now = os._exit
    _end_with_parent(os.getppid(), exit_now)
    send({"hello": threading.get_ident()})
    said = session.load()
    send(said)
    if "load_error" in said:
        exit_now(0)
    for line in commands:
        try:
            command = loads(line)
            said = session.run(command["run"], command["token"])
        except (ValueError, KeyError, TypeError, IndexError):
            break
        send(said)
        if session.changed:
            break  # a fresh process for the next check
    exit_now(0)  # not sys.exit: the learner's threads, atexit and stdout are not ours to wait for


class Session:
    """The child's half of the conversation, as messages: the learner's
    file loaded under the seal (`load`), then check number `index` of the
    exercise's list run on it (`run`). main() carries the messages over
    pipes; the static site's learner worker (learn/browser.py) carries the
    same messages over postMessage, so the verdict is built from them by
    the same code (runner.result_of)."""

    def __init__(self, folder: Path, number: int, limit: float):
        self.folder, self.ex, self.limit = folder, exercise(number), limit
        self.checks = list(checks_for(self.ex.name))  # a copy: the learner's file may change the list
        # bound before their file runs
        self.load_file, self.run_one, self.CheckResult = runner.load, runner.run_one, runner.CheckResult
        self.changed_since, self.picture_data = _changed, _picture
        sys.path.insert(0, str(folder))
        self.seal = _seal(self.checks)
        self.module, self.changed = None, ""

    def load(self) -> dict:
        """{"loaded": True}, or {"load_error": the one line}."""
        try:
            self.module = self.load_file(self.folder, self.ex, self.limit)
        except runner.LoadError as error:
            return {"load_error": str(error)}
        self.changed = self.changed_since(self.seal)
        if self.changed:
            return {"load_error": f"{self.ex.file} {_replaced(self.changed)} while it was loaded: "
                                  "the checker gives no verdict on a file that changes the checker; "
                                  "leave the package as it is and write only what the exercise asks"}
        return {"loaded": True}

    def run(self, index: int, token: str) -> dict:
        """Check number `index`: its result message, carrying `token`."""
        check = self.checks[index]
        result = self.run_one(check, self.module, self.folder, self.limit)
        self.changed = self.changed_since(self.seal)
        if self.changed:
            result = self.CheckResult(check.title, "failed", f"your code {_replaced(self.changed)} "
                                      "during this check: the checker gives no verdict on code "
                                      "that changes the checker; leave the package as it is")
        return {"result": index, "token": token, "state": result.state, "sentence": result.sentence,
                "picture": self.picture_data(result.picture)}


def _sender(fd: int):
    """send(message): one JSON line to the parent, whole, from any thread."""
    lock = threading.Lock()
    write, dumps = os.write, json.dumps

    def send(message: dict) -> None:
        data = dumps(message).encode("utf-8") + b"\n"
        with lock:
            while data:
                try:
                    data = data[write(fd, data):]
                except InterruptedError:
                    continue
                except OSError:  # the parent has gone
                    return
    return send


def _end_with_parent(parent: int, exit_now) -> None:
    """End this process when the checker's has gone (killed itself, so
    that it could not end this one): a learner's endless loop is no orphan."""
    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                exit_now(1)

    threading.Thread(target=watch, name="micrograd-scratch parent watch", daemon=True).start()


def _hold_recursion_limit() -> None:
    """sys.setrecursionlimit refuses here. It keeps no reference to the
    original (one the learner's code could reach through the refusal's
    closure); nothing in the checks changes the limit."""
    limit = sys.getrecursionlimit()

    def setrecursionlimit(new_limit):
        raise RuntimeError(f"sys.setrecursionlimit({new_limit!r}) is refused under the checker: "
                           f"the limit stays at {limit}, so that a recursion too deep is a "
                           "RecursionError, not a crash; the exercises need no deeper recursion")

    sys.setrecursionlimit = setrecursionlimit


# ---- the seal: the checker's own code, as it was before the learner's file ran ---


def _seal(checks: list) -> list:
    """[(holder, name, value, what it is called, compared by value)] for
    every function, class and module of the package (and of math and
    builtins), every CONSTANT and plain table (POINTS, GATES) of the learn
    modules, each function's code and defaults, each class's attributes,
    each op's fields (its rule is the reference the checks compare with),
    and the checks of this exercise."""
    seal = []

    def keep(holder, name, label, copy=False):
        value = vars(holder).get(name, _MISSING) if isinstance(holder, type) else getattr(holder, name, _MISSING)
        seal.append((holder, name, _copied(value) if copy else value, label, copy))

    modules = [m for name, m in list(sys.modules.items())
               if isinstance(m, types.ModuleType) and (name == "micrograd_scratch"
                                                       or name.startswith("micrograd_scratch."))]
    for module in modules + [math, builtins]:
        learn = module.__name__.startswith("micrograd_scratch.learn")
        for name, value in list(vars(module).items()):
            if name.startswith("__") or (name == "on_sample" and module is runner):
                continue
            label = f"{module.__name__}.{name}"
            if isinstance(value, (types.FunctionType, type, types.ModuleType, types.BuiltinFunctionType)) \
                    or (learn and name.isupper() and isinstance(value, (int, float, str, tuple))):
                keep(module, name, label)
            elif learn and isinstance(value, (list, dict, set)) and _plain(value):
                keep(module, name, label, copy=True)  # a table a check reads: changed in place?
            if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
                for part in ("__code__", "__defaults__", "__kwdefaults__"):
                    keep(value, part, label)
            if isinstance(value, type) and value.__module__ == module.__name__:
                for key in list(vars(value)):  # __mul__ and __add__ too
                    keep(value, key, f"{label}.{key}")
    ops = sys.modules.get("micrograd_scratch.ops")
    for name, op in (getattr(ops, "OPS", {}) or {}).items():  # the package's rules, the reference
        for field in list(getattr(op, "__dict__", {})):
            keep(op, field, f"micrograd_scratch.ops.OPS[{name!r}].{field}")
    for check in checks:
        keep(check, "run", f"the check {check.title!r}")
        if isinstance(check.run, types.FunctionType):
            keep(check.run, "__code__", f"the check {check.title!r}")
            for cell in check.run.__closure__ or ():
                keep(cell, "cell_contents", f"the check {check.title!r}")
    return seal


def _changed(seal: list) -> str:
    """What is called the first sealed thing that is not what it was, or ""."""
    for holder, name, value, label, copy in seal:
        now = vars(holder).get(name, _MISSING) if isinstance(holder, type) else getattr(holder, name, _MISSING)
        if (now != value) if copy else (now is not value):
            return label
    return ""


def _plain(value) -> bool:
    """Numbers, strings, functions and containers of them: a table that == compares safely."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, float, str, types.FunctionType))


def _copied(value):
    """A copy of a plain table, its functions the same objects."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(_copied(v) for v in value)
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    return value


_MISSING = object()


def _replaced(name: str) -> str:
    return f"changed the checker's own {name}"


def _picture(picture) -> dict | None:
    """A graphviz graph as data the parent rebuilds it from."""
    if picture is None:
        return None
    try:
        return {"body": list(picture.body), "graph_attr": dict(picture.graph_attr),
                "node_attr": dict(picture.node_attr), "edge_attr": dict(picture.edge_attr)}
    except (AttributeError, TypeError):
        return None
