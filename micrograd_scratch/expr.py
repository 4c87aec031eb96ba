"""A safe parser for small expressions: "relu(w*x + b)" -> a graph of Values.

The `draw` command takes an expression typed by a person, so it must never
hand that text to Python's `eval`: `__import__('os').system(...)` is also
an expression. Instead the text is parsed with Python's own grammar
(`ast.parse`), every node of the syntax tree is checked against a short
whitelist, and only then is the tree walked to build Values with the
engine's operations. Nothing is ever evaluated by Python itself.

The whitelist: numbers, names, + - * / **, unary minus, and calls to
relu, tanh, sigmoid, exp and log with one argument. Names become labelled
input Values (a name used twice is the same Value: `x*x` has two edges);
number literals become constants. Everything else is refused with an
`ExpressionError` that says what is allowed.

Bounds, so that no input hangs the program or exhausts memory: the text
length, the nesting depth of the tree, and the size of a literal exponent;
arithmetic that overflows is refused with a clear error (the engine's own
for exp and **, ours for a + or * whose result is inf).
All work is a loop over an explicit stack, never recursion.

Sources: the `ast` module documentation (docs.python.org/3/library/ast.html);
Ned Batchelder, "Eval really is dangerous" (2012), on why a restricted
`eval` cannot be made safe and a whitelist over the syntax tree can.
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
from typing import Iterable, Mapping

from . import ops
from .engine import Value, wrap

__all__ = [
    "parse_expression",
    "expression_names",
    "parse_assignments",
    "ExpressionError",
    "allowed",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_EXPONENT",
]

MAX_LENGTH = 1000  # characters of expression text
MAX_DEPTH = 200  # levels of nesting in the syntax tree
MAX_EXPONENT = 100  # largest |n| in a literal power x ** n


def allowed() -> str:
    """What an expression may contain; the functions are the ops of ops.py
    that take one input (so an op added there is callable here)."""
    calls = " ".join(f"{name}()" for name in ops.functions())
    return (
        "an expression may use only numbers, names, + - * / **, unary minus, "
        f"and {calls} with one argument"
    )

BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.Pow: operator.pow}


class ExpressionError(ValueError):
    """An expression outside the whitelist, or one that cannot be computed."""


def _refuse(what: str, node: ast.AST | None = None) -> ExpressionError:
    where = f" (column {node.col_offset + 1})" if hasattr(node, "col_offset") else ""
    return ExpressionError(f"{what}{where} is not allowed: {allowed()}")


# ---- the whitelist -------------------------------------------------------

# What to call the constructs people most often try, in the error message.
FORBIDDEN = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "subscripts (x[0])",
    ast.Slice: "slices",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "conditional expressions (a if c else b)",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "assignments (:=)",
    ast.Starred: "starred arguments (*args)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}

OPERATOR_NAMES = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
                  ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
                  ast.UAdd: "unary +", ast.Invert: "~", ast.Not: "not"}


def _check(tree: ast.Expression, text: str) -> None:
    """Refuse the first node (breadth first) that is not on the whitelist."""
    callee = set()  # the Name nodes that are the function of an allowed call
    functions = ops.functions()  # read once, not once per name in the tree
    for node in ast.walk(tree):  # ast.walk is a loop over a queue: no recursion
        if isinstance(node, (ast.Expression, ast.Load)):
            continue
        if isinstance(node, ast.BinOp):
            if type(node.op) not in BINARY:
                raise _refuse_operator(node, text)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub):
                raise _refuse(f"the operator {OPERATOR_NAMES.get(type(node.op), '?')}", node)
        elif isinstance(node, ast.Call):
            _check_call(node)
            callee.add(node.func)
        elif isinstance(node, ast.Name):
            if node.id.startswith("__"):
                raise _refuse(f"the name {node.id!r} (names starting with __)", node)
            if node.id in functions and node not in callee:
                raise ExpressionError(
                    f"{node.id} is a function: call it with one argument, as in {node.id}(x)"
                )
        elif isinstance(node, ast.Constant):
            _check_constant(node, text)
        elif isinstance(node, (ast.operator, ast.unaryop)):
            continue  # checked with their BinOp / UnaryOp above
        else:
            raise _refuse(FORBIDDEN.get(type(node), f"{type(node).__name__} syntax"), node)


def _refuse_operator(node: ast.BinOp, text: str) -> ExpressionError:
    """A binary operator off the whitelist, at its own column (a BinOp's
    column is its left operand's: "a + b^2" is (a + b) ^ 2), and ^ with
    the power it was meant to be."""
    symbol = OPERATOR_NAMES.get(type(node.op), "?")
    after_left = text.splitlines()[node.left.end_lineno - 1][node.left.end_col_offset:]
    found = after_left.find(symbol)
    column = node.left.end_col_offset + found + 1 if found >= 0 else node.col_offset + 1
    power = "; a power is written ** (b**2)" if symbol == "^" else ""
    return ExpressionError(f"the operator {symbol} (column {column}) is not allowed{power}: "
                           f"{allowed()}")


def _check_call(node: ast.Call) -> None:
    if isinstance(node.func, ast.Attribute):  # a method: os.system(...)
        raise _refuse(FORBIDDEN[ast.Attribute], node.func)
    if not isinstance(node.func, ast.Name):
        raise _refuse("calling the result of an expression", node)
    name = node.func.id
    if name not in ops.functions():
        raise _refuse(f"calling {name}()", node)
    if node.keywords:
        raise _refuse(f"keyword arguments in {name}()", node)
    if len(node.args) != 1:
        raise ExpressionError(f"{name}() takes exactly one argument, got {len(node.args)}")


def _check_constant(node: ast.Constant, text: str) -> None:
    x = node.value
    if isinstance(x, str):
        raise _refuse("strings", node)
    if isinstance(x, bytes):
        raise _refuse("bytes", node)
    if x is None or isinstance(x, bool):
        raise _refuse(repr(x), node)
    if isinstance(x, complex):
        raise _refuse("complex numbers", node)
    if not isinstance(x, (int, float)):
        raise _refuse(repr(x), node)
    try:
        finite = math.isfinite(float(x))
    except OverflowError:  # an int literal beyond the float range
        finite = False
    if not finite:
        raise ExpressionError(f"the number {_source(text, node)} is too large for a float")


def _source(text: str, node: ast.AST, limit: int = 16) -> str:
    """The part of `text` that `node` was parsed from, cut short if long."""
    shown = ast.get_source_segment(text, node) or ""
    if len(shown) > limit:
        shown = f"{shown[:limit - 4]}… ({len(shown)} characters)"
    return shown


def _depth(tree: ast.Expression) -> int:
    """The nesting depth of the tree's expressions, by a loop (no recursion)."""
    deepest = 0
    stack = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                stack.append((child, depth + 1))
    return deepest


# ---- parsing -------------------------------------------------------------


def _parse(text: str, max_length: int) -> ast.Expression:
    """The syntax tree of `text`, checked: its length, syntax, depth, whitelist."""
    if not isinstance(text, str):
        raise TypeError(f"expected the expression as a str, got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError(f"the expression is empty: {allowed()}")
    if len(text) > max_length:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; at most {max_length} are allowed"
        )
    text = text.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        where = f" at column {e.offset}" if e.offset else ""
        raise ExpressionError(f"not a valid expression{where}: {e.msg}") from None
    except ValueError as e:  # a NUL character, for one
        raise ExpressionError(f"not a valid expression: {e}") from None
    except (RecursionError, MemoryError):
        # CPython's parser gives up on deep nesting ("-" * 100000 + "x")
        # with one of these, long before our own depth check would run.
        raise ExpressionError("the expression is nested too deeply to parse") from None
    depth = _depth(tree)
    if depth > MAX_DEPTH:
        raise ExpressionError(
            f"the expression's syntax tree is {depth} levels deep "
            f"(each operation inside another adds one); at most {MAX_DEPTH} are allowed"
        )
    _check(tree, text)
    return tree


def _names(tree: ast.Expression) -> list[str]:
    """The input names, in the order they first appear in the text."""
    functions = ops.functions()
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in functions]
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.id for n in found))


def _operands(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _const(x) -> Value:
    """A number literal as the engine's constant node (the 2 in 2*x)."""
    return wrap(x)


def _apply(node: ast.expr, args: list, inputs: dict):
    """One node of the tree, from its operands' results (numbers or Values).

    Literals stay numbers until an operation needs them, so that x**2 is the
    engine's "**2" node and -1 is the number -1, as in Python code.
    """
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return inputs[node.id]
    if isinstance(node, ast.UnaryOp):  # unary minus, the only one allowed
        return -args[0]
    if isinstance(node, ast.Call):
        return ops.OPS[node.func.id](_const(args[0]))
    left, right = args
    if isinstance(node.op, ast.Pow) and not isinstance(right, Value):
        if abs(right) > MAX_EXPONENT:
            raise ExpressionError(
                f"the exponent {right} is too large (column {node.col_offset + 1}): "
                f"|exponent| <= {MAX_EXPONENT} is allowed"
            )
    return BINARY[type(node.op)](_const(left), right)


def _evaluate(tree: ast.Expression, inputs: dict, text: str) -> Value:
    """Build the Values bottom up, left operand first (a loop, no recursion)."""
    results: dict = {}
    stack = [(tree.body, False)]
    while stack:
        node, ready = stack.pop()
        if not ready:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(_operands(node)))
            continue
        result = _apply(node, [results.pop(c) for c in _operands(node)], inputs)
        # exp and ** raise on overflow, but + and * quietly give inf (and
        # inf later gives nan): a drawing full of inf explains nothing.
        if isinstance(result, Value) and not math.isfinite(result.data):
            raise ExpressionError(
                f"{_source(text, node, limit=40)} gives {result.data!r}: the result overflows a float"
            )
        results[node] = result
    return _const(results[tree.body])


def expression_names(text: str, *, max_length: int = MAX_LENGTH) -> list[str]:
    """Check `text` against the whitelist and bounds; return its input
    names in the order they appear ("relu(w*x + b)" -> ["w", "x", "b"]).

    Raises ExpressionError as parse_expression does, before any value is
    needed (the command line checks an expression while parsing options).
    """
    return _names(_parse(text, max_length))


def parse_expression(
    text: str,
    values: Mapping[str, float] | None = None,
    *,
    max_length: int = MAX_LENGTH,
) -> tuple[Value, dict[str, Value]]:
    """Build the graph of `text` with `values` for its names.

    Returns (root, inputs): the output Value and {name: input Value}, the
    inputs labelled with their names, in the order they appear in the text.

    >>> root, inputs = parse_expression("relu(w*x + b)", {"w": 2, "x": -1, "b": 0.5})
    >>> root.data
    0.0

    Raises ExpressionError (a ValueError) for anything outside the
    whitelist, a missing or unused value, or arithmetic that fails
    (log of a negative number, division by zero, overflow).
    """
    tree = _parse(text, max_length)
    values = dict(values or {})
    names = _names(tree)
    missing = [n for n in names if n not in values]
    if missing:
        sets = " ".join(f"{n}=..." for n in missing)
        which = ", ".join(repr(n) for n in missing)
        raise ExpressionError(f"no value for {which}: pass --set {sets}")
    unused = [n for n in values if n not in names]
    if unused:
        raise ExpressionError(
            f"a value is given for {', '.join(repr(n) for n in unused)}, but the expression "
            f"does not use it (its names: {', '.join(names) or 'none'})"
        )
    inputs = {}
    for name in names:
        try:
            inputs[name] = Value(values[name], label=name)
        except (TypeError, OverflowError) as e:
            raise ExpressionError(f"the value of {name!r} must be a number: {e}") from None
    try:
        root = _evaluate(tree, inputs, text.strip())  # the text _parse parsed
    except ExpressionError:
        raise
    except (ValueError, OverflowError, ZeroDivisionError) as e:
        raise ExpressionError(str(e)) from None
    return root, inputs


def parse_assignments(items: Iterable[str] | str) -> dict[str, float]:
    """["w=2", "x=-1"] (or "w=2 x=-1") -> {"w": 2.0, "x": -1.0}."""
    if isinstance(items, str):
        items = items.split()
    values: dict[str, float] = {}
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"expected name=value strings, got {type(item).__name__}: {item!r}")
        name, eq, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not eq or not name or not text:
            raise ExpressionError(f"bad assignment {item!r}: write name=value, as in w=2")
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("__"):
            raise ExpressionError(
                f"bad assignment {item!r}: {name!r} is not a usable name "
                f"(letters, digits and _, not starting with a digit or __)"
            )
        if name in ops.functions():
            raise ExpressionError(f"bad assignment {item!r}: {name} is a function, not a name")
        if name in values:
            raise ExpressionError(f"{name!r} is set twice")
        try:
            x = float(text)
        except ValueError:
            raise ExpressionError(f"bad assignment {item!r}: {text!r} is not a number") from None
        if not math.isfinite(x):
            raise ExpressionError(f"bad assignment {item!r}: the value must be a finite number")
        values[name] = x
    return values
