"""Repairs: the checker names a cause only once it has proven it.

A check that fails says what it observed (the input, expected, got).
To say *why*, it tries repairs of the learner's code and runs the same
check again on each: a repair with which the check passes is a proof,
and only then is its cause named. Two kinds:

- an edit of the learner's own source, made in a copy of their file
  (their file is never written): a sign flipped inside a formula, one
  name for another (`x` where the rule needs `out`), the parentheses an
  operator's precedence left out (`n*a**n-1`), `+=` for `=`, the loop
  walked the other way, a statement added (the root's seed), a parameter
  the function never uses put in (the learning rate);
- a change around their function, on its numbers (`Around`): its answer
  with the sign flipped or halved, its arguments in another order, the
  gradients reset before it runs.

Where one repair passes, the verdict names it with the line it changes;
where several do, it gives them as possibilities; where none does, the
verdict is the observation alone. A repair runs under a budget of
executed lines and of seconds, so an edit that makes a loop endless ends
as a failed repair, never as the learner's endless loop.
"""

from __future__ import annotations

import ast
import copy
import io
import itertools
import signal
import sys
import time
import types
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..runner import Failed

__all__ = ["Repair", "Around", "verdict", "proven", "explained", "with_function", "edit", "inserted"]

BUDGET_S = 3.0  # seconds for all the repairs of one failed check
MAX_LINES = 200_000  # lines of the learner's file one repaired run may execute
MAX_TRIES = 400


@dataclass(frozen=True)
class Repair:
    """A repair that made the check pass: what it shows, and the change."""

    says: str  # the cause it proves, "a sign inside the formula"
    change: str  # the change itself, "`1 - out ** 2` in place of your `1 + out ** 2` (line 21)"

    def sentence(self, function: str) -> str:
        return f"{self.says}: with {self.change}, {function} passes this check"


@dataclass(frozen=True)
class Around:
    """A repair around the learner's function: `make(module)` is the module
    with the repaired function in it; `says` is the cause it proves and
    `change` what was done."""

    says: str
    change: str
    make: Callable


# ---- the learner's source ------------------------------------------------------------


def source_of(module) -> tuple[str, ast.Module] | None:
    """The text of the learner's file and its syntax tree, or None."""
    try:
        text = Path(module.__file__).read_text(encoding="utf-8")
        return text, ast.parse(text)
    except (AttributeError, TypeError, OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def function_node(tree: ast.AST, qualname: str) -> ast.FunctionDef | None:
    """The definition of `name` or `Class.name` (the last one, as Python keeps)."""
    node, body = None, getattr(tree, "body", [])
    for part in qualname.split("."):
        found = [n for n in body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == part]
        if not found:
            return None
        node = found[-1]
        body = node.body
    return node if isinstance(node, ast.FunctionDef) else None


@dataclass(frozen=True)
class _Edit:
    says: str
    targets: tuple  # the nodes of the original function that it replaces
    makes: tuple  # one per target: make(copied target) -> its replacement (a node, or a list of statements)


def edit(says: str, targets: tuple, make: Callable) -> _Edit:
    """An edit that makes each of its targets the same way."""
    return _Edit(says, tuple(targets), (make,) * len(targets))


_SIGNS = {ast.Add: ast.Sub, ast.Sub: ast.Add}


def _parameters(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs
            if a.arg not in ("self", "cls")]


def _loads(function: ast.FunctionDef) -> set[str]:
    return {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _sign_edits(function: ast.FunctionDef) -> Iterator[_Edit]:
    """+ for -, a minus dropped, a subtraction turned round."""
    for node in ast.walk(function):
        if isinstance(node, ast.BinOp) and type(node.op) in _SIGNS:
            yield edit("a sign inside the formula", (node,),
                        lambda n: ast.BinOp(n.left, _SIGNS[type(n.op)](), n.right))
        elif isinstance(node, ast.AugAssign) and type(node.op) in _SIGNS:
            yield edit("a sign in the update", (node,),
                        lambda n: ast.AugAssign(n.target, _SIGNS[type(n.op)](), n.value))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            yield edit("a sign inside the formula", (node,), lambda n: n.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            yield edit("a subtraction the wrong way round", (node,),
                        lambda n: ast.BinOp(n.right, ast.Sub(), n.left))


def _name_edits(function: ast.FunctionDef) -> Iterator[_Edit]:
    """Every use of a name read as a parameter (x where out belongs, the
    global `random` where the `rng` given belongs)."""
    names, used = _parameters(function), _loads(function)
    stored = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for old in sorted((used - stored - set(dir(__builtins__))) | set(names)):  # not a local variable
        for new in names:
            if old == new or old not in used:
                continue

            uses = tuple(n for n in ast.walk(function)
                         if isinstance(n, ast.Name) and n.id == old and isinstance(n.ctx, ast.Load))
            yield edit(f"`{old}` where `{new}` belongs", uses,
                        lambda n, new=new: ast.Name(new, ast.Load()))


def _right_spine(node: ast.AST) -> list[ast.AST]:
    spine = [node]
    while isinstance(spine[-1], ast.BinOp):
        spine.append(spine[-1].right)
    return spine


def _grouping_edits(function: ast.FunctionDef) -> Iterator[_Edit]:
    """Parentheses that precedence left out: `n*a**n - 1` read as `n*a**(n - 1)`:
    the last operator applied to a smaller part of the left operand."""
    for node in ast.walk(function):
        if not (isinstance(node, ast.BinOp) and isinstance(node.left, ast.BinOp)):
            continue
        for depth in range(1, len(_right_spine(node.left))):
            def regroup(n, depth=depth):
                left = copy.deepcopy(n.left)
                parent = left
                for _ in range(depth - 1):
                    parent = parent.right
                parent.right = ast.BinOp(parent.right, n.op, n.right)
                return left
            # Parentheses the learner wrote are theirs to move; none written: precedence.
            says = "parentheses in the wrong place" if "(" in ast.unparse(node) else "operator precedence"
            yield edit(says, (node,), regroup)


def _statement_edits(function: ast.FunctionDef) -> Iterator[_Edit]:
    """`+=` for `=` and `=` for `+=`, a loop walked the other way, a Value for its `.data`,
    a tuple for a `set(...)` of it."""
    for node in ast.walk(function):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], (ast.Attribute, ast.Subscript))):
            yield edit("`=` where `+=` belongs", (node,),
                        lambda n: ast.AugAssign(n.targets[0], ast.Add(), n.value))
        if (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add)
                and isinstance(node.target, (ast.Attribute, ast.Subscript))):
            yield edit("`+=` where `=` belongs", (node,),
                       lambda n: ast.Assign([n.target], n.value))
        if isinstance(node, ast.For):
            it = node.iter
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "reversed" and it.args:
                yield edit("the walk in the wrong direction", (it,), lambda n: n.args[0])
            elif isinstance(it, ast.Name):
                yield edit("the walk in the wrong direction", (it,),
                            lambda n: ast.Call(ast.Name("reversed", ast.Load()), [n], []))
        if isinstance(node, ast.Attribute) and node.attr == "data" and isinstance(node.ctx, ast.Load):
            yield edit("a number (`.data`) where the Value belongs: a gradient cannot flow through a "
                       "plain number", (node,), lambda n: n.value)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "set"
                and len(node.args) == 1):
            yield edit("a set, whose order changes from run to run, where the order matters",
                        (node,), lambda n: n.args[0])


_FLIPPED = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt}


def _case_edits(function: ast.FunctionDef) -> Iterator[_Edit]:
    """The boundary of a comparison (`>=` for `>`), and the two cases of an
    `a if cond else b` exchanged."""
    for node in ast.walk(function):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _FLIPPED:
            yield edit("the boundary of a comparison", (node,),
                        lambda n: ast.Compare(n.left, [_FLIPPED[type(n.ops[0])]()], n.comparators))
        if isinstance(node, ast.IfExp):
            yield edit("the two cases exchanged", (node,), lambda n: ast.IfExp(n.test, n.orelse, n.body))


def _returned_parts(function: ast.FunctionDef) -> list[ast.AST]:
    """The expressions a function returns: each entry of a returned tuple."""
    parts = []
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and node.value is not None:
            parts += node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
    return parts


def _factor_edits(function: ast.FunctionDef) -> Iterator[_Edit]:
    """A factor missing from a returned formula (a derivative): a parameter
    (`out`), a square, or a power one too high. Only inside what the
    function returns: elsewhere (`topological_order(root ** 2)`) such an
    edit could pass for reasons that have nothing to do with a factor."""
    parts = _returned_parts(function)
    for part in parts:
        for name in _parameters(function):
            yield edit(f"a factor `{name}` missing", (part,),
                        lambda n, name=name: ast.BinOp(ast.Name(name, ast.Load()), ast.Mult(), n))
    for node in (n for part in parts for n in ast.walk(part)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in _parameters(function):
            yield edit("a square missing", (node,), lambda n: ast.BinOp(n, ast.Pow(), ast.Constant(2)))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            yield edit("the power one too high", (node,),
                        lambda n: ast.BinOp(n.left, ast.Pow(), ast.BinOp(n.right, ast.Sub(), ast.Constant(1))))


def _unused_parameter_edits(function: ast.FunctionDef) -> Iterator[_Edit]:
    """A parameter the function never reads (lr), put into its updates: as a
    factor of an added or subtracted term, at one or two places."""
    unused = [p for p in _parameters(function) if p not in _loads(function)]
    sites = [n for n in ast.walk(function)
             if (isinstance(n, ast.BinOp) and type(n.op) in _SIGNS)
             or (isinstance(n, ast.AugAssign) and type(n.op) in _SIGNS)]

    def scaled(name):
        def make(n):
            n = copy.deepcopy(n)
            if isinstance(n, ast.BinOp):
                n.right = ast.BinOp(ast.Name(name, ast.Load()), ast.Mult(), n.right)
            else:
                n.value = ast.BinOp(ast.Name(name, ast.Load()), ast.Mult(), n.value)
            return n
        return make

    for name in unused:
        for k in (1, 2):
            for chosen in itertools.combinations(sites, k):
                if not _nested(chosen):
                    yield edit(f"`{name}` is given but never used", chosen, scaled(name))


def inserted(says: str, statement: str) -> Callable[[ast.FunctionDef], Iterator[_Edit]]:
    """Edits that add `statement` (its `{0}` the function's first parameter)
    before each statement of the function's body."""
    def edits(function: ast.FunctionDef) -> Iterator[_Edit]:
        params = _parameters(function)
        if not params:
            return
        new = ast.parse(statement.format(params[0])).body[0]
        for node in function.body:
            yield edit(says, (node,), lambda n, new=new: [copy.deepcopy(new), n])
    return edits


def _nested(nodes: Iterable[ast.AST]) -> bool:
    nodes = list(nodes)
    return any(a is not b and any(x is b for x in ast.walk(a)) for a in nodes for b in nodes)


EDITS = (_sign_edits, _name_edits, _grouping_edits, _case_edits, _statement_edits,
         _unused_parameter_edits, _factor_edits)


def _pairs(edits: list[_Edit]) -> Iterator[_Edit]:
    """Two sign edits at once (a sign error in both w's and b's update)."""
    for a, b in itertools.combinations(edits, 2):
        targets = a.targets + b.targets
        if a.says == b.says and not _nested(targets):
            yield _Edit(a.says, targets, a.makes + b.makes)


# ---- applying an edit ---------------------------------------------------------------


def _apply(tree: ast.Module, function: ast.FunctionDef, edit: _Edit) -> tuple[ast.Module, list]:
    """A copy of the tree with the edit made; the replacements."""
    copied = copy.deepcopy(tree)
    originals = list(ast.walk(function))
    index = {id(n): i for i, n in enumerate(originals)}
    copied_nodes = list(ast.walk(function_node(copied, _qualname(tree, function))))
    targets = [copied_nodes[index[id(t)]] for t in edit.targets]
    made = [make(target) for make, target in zip(edit.makes, targets)]
    for target, new in zip(targets, made):
        _replace(copied, target, new)
    return ast.fix_missing_locations(copied), made


def _qualname(tree: ast.Module, function: ast.FunctionDef) -> str:
    for node in tree.body:
        if node is function:
            return node.name
        if isinstance(node, ast.ClassDef) and function in node.body:
            return f"{node.name}.{function.name}"
    raise ValueError("not a top-level function or method")


def _replace(tree: ast.AST, target: ast.AST, new) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, new)
                ast.copy_location(new, target)
                return
            if isinstance(value, list) and any(v is target for v in value):
                i = next(i for i, v in enumerate(value) if v is target)
                replacement = new if isinstance(new, list) else [new]
                for r in replacement:
                    ast.copy_location(r, target)
                value[i:i + 1] = replacement
                return


def grouped(node: ast.AST) -> str:
    """An expression with every operation in parentheses: how Python reads it."""
    if isinstance(node, ast.BinOp):
        op = ast.unparse(ast.BinOp(ast.Name("L"), node.op, ast.Name("R")))[1:-1].strip()
        return f"({grouped(node.left)} {op} {grouped(node.right)})"
    return ast.unparse(node)


def _change(edit: _Edit, made: list) -> str:
    line = edit.targets[0].lineno
    if edit.says == "operator precedence" and "(" not in ast.unparse(edit.targets[0]):
        shown = grouped(edit.targets[0])[1:-1]
        return (f"`{ast.unparse(made[0])}` in place of your `{ast.unparse(edit.targets[0])}` "
                f"(line {line}, which Python reads as `{shown}`)")
    if isinstance(made[0], list):  # a statement put in before another
        return f"`{ast.unparse(made[0][0])}` added before line {line}"
    if len(edit.targets) > 1 and not all(isinstance(t, ast.Name) for t in edit.targets):
        pairs = [f"`{ast.unparse(m)}` for `{ast.unparse(t)}` (line {t.lineno})"
                 for t, m in zip(edit.targets, made)]
        return " and ".join(pairs)
    if len(edit.targets) > 1 and all(isinstance(t, ast.Name) for t in edit.targets):
        lines = sorted({t.lineno for t in edit.targets})
        return (f"`{ast.unparse(made[0])}` for every `{edit.targets[0].id}` "
                f"(line{'s' * (len(lines) > 1)} {', '.join(map(str, lines))})")
    return f"`{ast.unparse(made[0])}` in place of your `{ast.unparse(edit.targets[0])}` (line {line})"


# ---- running a repair ------------------------------------------------------------------


def _budget() -> float:
    """Seconds for the repairs of one check: BUDGET_S, and never more than
    half what is left of the check's time limit when one runs (the
    runner's SIGALRM timer), so that the repairs never use it up."""
    try:
        left = signal.getitimer(signal.ITIMER_REAL)[0]
    except (AttributeError, ValueError, OSError):
        left = 0.0
    return min(BUDGET_S, left / 2) if left > 0 else BUDGET_S


class _Runaway(BaseException):
    """A repaired run went past its budget (lines or seconds)."""


def _guarded(passes: Callable, candidate, file: str, deadline: float) -> bool:
    """passes(candidate), its output swallowed, stopped past the budget."""
    count = [0]

    def local(frame, event, arg):
        if event == "line":
            count[0] += 1
            if count[0] > MAX_LINES or (count[0] % 1000 == 0 and time.monotonic() > deadline):
                raise _Runaway()
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == file else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            return bool(passes(candidate))
    except (Exception, _Runaway, SystemExit):
        return False
    finally:
        sys.settrace(previous)


def _module(tree: ast.Module, module) -> types.ModuleType:
    code = compile(tree, module.__file__, "exec")
    repaired = types.ModuleType(module.__name__)
    repaired.__file__ = module.__file__
    exec(code, repaired.__dict__)
    return repaired


def proven(module, function: str, passes: Callable, *, around: Iterable[Around] = (),
           more: Iterable[Callable] = ()) -> list[Repair]:
    """The repairs of `function` (a name in the learner's module, or
    "Class.method") with which `passes(repaired module)` is true: edits
    of its source first, then the repairs `around` it. `more` adds
    edit makers of the exercise's own (`inserted`)."""
    deadline = time.monotonic() + _budget()
    file = getattr(module, "__file__", None) or ""
    found: list[Repair] = []
    source = source_of(module)
    node = function_node(source[1], function) if source else None
    if node is not None:  # a loop an edit makes endless is stopped by _guarded's budget
        tree = source[1]
        edits = [e for make in EDITS + tuple(more) for e in make(node)]
        signs = [e for e in edits if e.says.startswith("a sign")]
        tries = 0
        for edit in itertools.chain(edits, _pairs(signs)):
            if tries >= MAX_TRIES or time.monotonic() > deadline:
                break
            if found and len(edit.targets) > 1 and edit.says.startswith("a sign"):
                break  # a single edit explains it: no pairs
            tries += 1
            try:
                repaired_tree, made = _apply(tree, node, edit)
                candidate = _module(repaired_tree, module)
            except Exception:
                continue
            if _guarded(passes, candidate, file, deadline):
                repair = Repair(edit.says, _change(edit, made))
                if repair not in found:
                    found.append(repair)
    if not found:
        for repair in around:
            if time.monotonic() > deadline:
                break
            try:
                candidate = repair.make(module)
            except Exception:
                continue
            if _guarded(passes, candidate, file, deadline):
                found.append(Repair(repair.says, repair.change))
    return found


def explained(facts: str, repairs: list[Repair], function: str) -> str:
    """The verdict: the proven cause before the facts, both causes where
    two repairs pass, the facts alone where none does."""
    repairs = [r for i, r in enumerate(repairs) if r.says not in {q.says for q in repairs[:i]}]
    if not repairs:
        return facts
    if len(repairs) == 1:
        return f"{repairs[0].sentence(function)}; {facts}"
    causes = "; or ".join(r.sentence(function) for r in repairs[:3])
    more = f" (the first 3 of {len(repairs)})" if len(repairs) > 3 else ""
    return (f"{len(repairs)} repairs each make this check pass, so it is one of these{more}: "
            f"{causes}; {facts}")


def verdict(module, function: str, facts: Callable, *, also: Iterable[Callable] = (),
            around: Iterable[Around] = (), more: Iterable[Callable] = ()) -> None:
    """Raise Failed when `facts(module)` observes something wrong ("" when
    all is right): what it observed, after any cause a repair of
    `function` proves. A repair proves a cause when `facts` finds nothing
    wrong with it, nor any of `also` (the function's other checks: a
    repair that mends one check by breaking another proves nothing)."""
    observed = facts(module)
    if observed:
        judges = (facts, *also)
        repairs = proven(module, function, lambda m: not any(judge(m) for judge in judges),
                         around=around, more=more)
        raise Failed(explained(observed, repairs, function))


def with_function(module, **functions) -> types.SimpleNamespace:
    """The learner's module with some of its names replaced (a repair around them)."""
    names = dict(vars(module))
    names.update(functions)
    return types.SimpleNamespace(**names)
