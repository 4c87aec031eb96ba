"""A learner's backward rules (exercise 4) at work in the real engine.

`replaced_rules({"tanh": my_tanh_grads})` redefines the ops in place
through the public `ops.define(..., replace=True)` for as long as the
block lasts, then puts back exactly what was there: each Op's fields and
Value's methods. Inside it, everything that walks the graph backwards
(`backward()`, `grad()`, `draw`, the stepper, training) uses the
learner's rule, because they all read the op from `ops.OPS`.

`my_rules(folder)` does that with the rules written in the learner's
ex04_local_grads.py, each behind `checked`: a rule that raises or
returns the wrong shape is a RuleError, one line naming their file and
line, not the engine's traceback.

`micrograd-scratch learn use -- COMMAND` runs any command (the package's
own, `python my_script.py`, `jupyter lab`) with those rules: `run_with_rules`
starts it with RULES_VARIABLE naming the folder and a sitecustomize.py
first on PYTHONPATH, which plugs the rules in (`plug_in`) as soon as that
process, or any Python it starts, imports micrograd_scratch.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .. import ops
from ..engine import Value

__all__ = ["RULES", "replaced_rules", "my_rules", "checked", "RuleError", "run_with_rules",
           "plug_in", "RULES_VARIABLE"]

RULES_VARIABLE = "MICROGRAD_SCRATCH_RULES"  # the exercises folder whose rules `learn use` plugs in

# Exercise 4's rules: the op each replaces, and the function the learner writes.
RULES = {"*": "mul_grads", "**": "pow_grads", "exp": "exp_grads", "log": "log_grads",
         "tanh": "tanh_grads", "sigmoid": "sigmoid_grads", "relu": "relu_grads"}


@contextmanager
def replaced_rules(rules: dict[str, Callable]) -> Iterator[None]:
    """Inside the block, op `name`'s local derivatives are `rules[name]`
    (its forward, kind and symbol unchanged); afterwards every Op and
    Value's methods are as they were."""
    saved_ops = {name: dict(vars(ops.OPS[name])) for name in rules}
    saved_value = dict(vars(Value))
    try:
        for name, rule in rules.items():
            op = ops.OPS[name]
            ops.define(name, forward=op.forward, local_grads=rule, kind=op.kind, symbol=op.symbol,
                       math=op.math, torch=op.torch, used_by=op.used_by, replace=True)
        yield
    finally:
        for name, fields in saved_ops.items():
            vars(ops.OPS[name]).update(fields)  # the same Op object: whoever holds it sees it back
        for key in set(vars(Value)) - set(saved_value):
            delattr(Value, key)
        for key, attribute in saved_value.items():
            if vars(Value).get(key) is not attribute:
                setattr(Value, key, attribute)


def written_rules(module) -> dict[str, Callable]:
    """The rules a learner's ex04 module has written: those that answer at
    a point inside every op's domain instead of raising NotImplementedError."""
    written = {}
    for name, function in RULES.items():
        rule = getattr(module, function, None)
        if not callable(rule):
            continue
        op = ops.OPS[name]
        point = (1.5, 2.0) if op.kind == "binary" else (0.5,)
        try:
            rule(op.forward(*point), *point)
        except NotImplementedError:
            continue
        except Exception:  # written, but wrong: still theirs to see at work
            pass
        written[name] = rule
    return written


class RuleError(Exception):
    """A learner's rule raised, or returned something that is not one
    derivative per input. Its message is the one line to show. Not a
    ValueError: a command must not take it for a bad argument of its own."""


def checked(name: str, rule: Callable, folder: Path) -> Callable:
    """The learner's rule for op `name`, as the engine calls it, with what
    it does wrong said in one line with their file and line."""
    from .runner import describe, where

    function = RULES.get(name, getattr(rule, "__name__", "rule"))
    arity = 2 if ops.OPS[name].kind == "binary" else 1
    code = getattr(rule, "__code__", None)
    at = f" ({Path(code.co_filename).name} line {code.co_firstlineno})" if code else ""
    shape = "(d_a, d_b)" if arity == 2 else "(d,)"

    def run(out, *inputs):
        try:
            result = rule(out, *inputs)
        except Exception as error:
            raise RuleError(f"your {function} raised {describe(error)}"
                            f"{where(error.__traceback__, folder) or at} for {_call(name, inputs)}"
                            ) from None
        if not isinstance(result, (tuple, list)) or len(result) != arity:
            if isinstance(result, (int, float, Value)):
                what = "a single number"
            elif isinstance(result, (tuple, list)):
                what = f"{len(result)} values"
            else:
                what = f"a {type(result).__name__}"
            raise RuleError(f"your {function}{at} returned {result!r:.60} for {_call(name, inputs)}, "
                            f"{what}: return a tuple with one derivative per input, {shape}")
        return result

    run.__wrapped__ = rule
    return run


def _call(name: str, inputs: tuple) -> str:
    """The op at its inputs, as the learner would write it: tanh(0.5), 1.5 * 2."""
    values = [x.data if isinstance(x, Value) else x for x in inputs]
    shown = [f"{v:.4g}" if isinstance(v, float) else repr(v) for v in values]
    if ops.OPS[name].kind == "binary":
        return f"{shown[0]} {name} {shown[1]}"
    return f"{name}({shown[0]})"


def _rules_of(folder: Path) -> dict[str, Callable]:
    """The learner's written rules in `folder`, each `checked`; a file
    that cannot be loaded is a RuleError (its one line)."""
    from .api import loaded

    try:
        with loaded(folder, 4) as module:
            return {name: checked(name, rule, folder) for name, rule in written_rules(module).items()}
    except ValueError as error:  # LoadError's line
        raise RuleError(str(error)) from None


@contextmanager
def my_rules(folder: str | Path | None = None) -> Iterator[list[str]]:
    """The rules the learner has written in ex04_local_grads.py, in place
    of the package's inside the block; yields their op names.

        with my_rules():                 # the folder check() finds
            y = Value(0.5).tanh(); y.backward()   # your tanh_grads at work
    """
    from .api import find_folder  # the learner's folder, as check() finds it

    rules = _rules_of(find_folder(folder))
    with replaced_rules(rules):
        yield list(rules)


# ---- any command, with the learner's rules ----------------------------------------


HOOK = '''"""Written by `micrograd-scratch learn use`, first on PYTHONPATH: the
learner's exercise 4 rules go into micrograd_scratch when this process
imports it. Then the sitecustomize this one hides, if there is one."""
import os, sys

_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
_me = sys.modules.pop("sitecustomize")
try:
    import sitecustomize  # Python's own, or the environment's
except ImportError:
    pass
sys.modules.setdefault("sitecustomize", _me)  # the import of this file ends by looking it up


class _PlugIn:
    """Finds micrograd_scratch as the other finders do, and once it has been
    imported, plugs the rules in (runpy's -m asks for its spec twice)."""

    busy = False

    def find_spec(self, name, path=None, target=None):
        if name != "micrograd_scratch" or self.busy:
            return None
        import importlib.util
        self.busy = True
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self.busy = False
        if spec is not None and spec.loader is not None:
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                if self in sys.meta_path:
                    sys.meta_path.remove(self)
                from micrograd_scratch.learn.rules import plug_in
                plug_in()
            spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _PlugIn())
'''


def plug_in() -> list[str]:
    """In a process `learn use` started: the rules of the folder
    RULES_VARIABLE names go into the engine for good, and an uncaught
    RuleError is its one line. Returns their op names."""
    folder = os.environ.get(RULES_VARIABLE)
    if not folder:
        return []
    rules = _rules_of(Path(folder))
    for name, rule in rules.items():
        op = ops.OPS[name]
        ops.define(name, forward=op.forward, local_grads=rule, kind=op.kind, symbol=op.symbol,
                   math=op.math, torch=op.torch, used_by=op.used_by, replace=True)
    previous = sys.excepthook

    def one_line(kind, error, tb):
        cause = error
        while cause is not None and not isinstance(cause, RuleError):
            cause = cause.__cause__ or cause.__context__
        if cause is None:
            return previous(kind, error, tb)
        print(f"error: {cause}", file=sys.stderr)

    sys.excepthook = one_line
    return list(rules)


def run_with_rules(folder: Path, command: list[str]) -> int:
    """Run `command` with the learner's rules of `folder` plugged into every
    Python process it starts that imports micrograd_scratch; its exit status."""
    with tempfile.TemporaryDirectory(prefix="micrograd-scratch-use-") as hook:
        Path(hook, "sitecustomize.py").write_text(HOOK, encoding="utf-8")
        path = os.environ.get("PYTHONPATH")
        env = dict(os.environ, PYTHONPATH=hook + (os.pathsep + path if path else ""),
                   **{RULES_VARIABLE: str(folder)})
        done = subprocess.run(command, env=env)  # OSError: a command that is not there
    return done.returncode if done.returncode >= 0 else 128 - done.returncode
