"""Exercise 6: backward(), node by node against the package's.

The same graph is built twice: the learner's backward() runs on one copy
and the package's `Value.backward()` (the engine's one loop) on the other,
and the nodes are paired by their place in the package's order. The
first node whose gradient differs, walking back from the root, is where
the mistake shows; it is marked in the picture.

The verdict says what it observed: the node, its gradient and the
package's, and for a node used more than once the terms its gradient
adds up. A cause is named only when a repair proves it (`repairs.py`):
`+=` for `=`, the walk reversed, the root's seed put in, the upstream
gradient put in, the op results reset before a call or the leaves' grads
kept across it; with the repair, every node's gradient is the package's.
"""

from __future__ import annotations

import ast
import copy
from typing import Callable

from ...drawing.styles import fmt
from ...engine import Value, local_grads
from ..picture import graph_picture, name
from ..runner import Check, Failed, need
from .graphs import close, diamond, neuron, nodes, square
from .repairs import Around, edit, explained, inserted, proven, with_function


def _grads(build: Callable[[], Value], run: Callable[[Value], None], calls: int) -> tuple:
    root = build()
    for _ in range(calls):
        run(root)
    return root, [v.grad for v in nodes(root)]


def _wrong(module, build: Callable[[], Value], calls: int) -> tuple:
    """(root, the learner's grads, the package's, the indices of the wrong
    ones, walking back from the root)."""
    root, got = _grads(build, module.backward, calls)
    _, want = _grads(build, lambda r: r.backward(), calls)
    order = nodes(root)
    for v, g in zip(order, got):
        if isinstance(g, Value) or not isinstance(g, (int, float)):
            raise Failed(f"{name(v)}.grad is {g!r}, not a number: add numbers (node.grad * local) "
                         "into the grads")
    return root, got, want, [i for i in reversed(range(len(order))) if not close(got[i], want[i])]


def _around(build: Callable[[], Value], calls: int) -> list[Around]:
    """Repairs around the learner's backward, on the gradients it starts from."""
    def reset_results(module):
        def backward(root):
            for v in nodes(root):
                if v._prev:
                    v.grad = 0.0
            module.backward(root)
        return with_function(module, backward=backward)

    def keep_leaves(module):
        def backward(root):
            leaves = [v for v in nodes(root) if not v._prev]
            before = [v.grad for v in leaves]
            module.backward(root)
            for v, g in zip(leaves, before):
                v.grad += g
        return with_function(module, backward=backward)

    repairs = []
    if calls > 1:
        repairs.append(Around("the op results' gradients are not reset to 0 before the walk, so a "
                              "second call adds to the first's", "every op result's grad set to 0 "
                              "before each call", reset_results))
        repairs.append(Around("the leaves' gradients do not keep what the call before left there: a "
                              "leaf's gradient accumulates across backward() calls (zero_grad resets "
                              "it)", "each leaf's grad from before the call added back", keep_leaves))
    return repairs


def compare(module, build: Callable[[], Value], calls: int = 1) -> str:
    need(module, "backward")
    root, got, want, wrong = _wrong(module, build, calls)
    order = nodes(root)
    if not wrong:
        shown = ", ".join(f"{name(v)}.grad = {fmt(g)}" for v, g in zip(order, got) if not v._prev)
        return f"every node's gradient is the package's ({shown})"
    first = order[wrong[0]]
    uses, maybe = _uses(first, order, got[wrong[0]], want)
    facts = (f"{name(first)}.grad is {fmt(got[wrong[0]])}, expected {fmt(want[wrong[0]])} "
             f"(the first wrong gradient, walking back from the root; {len(wrong)} of {len(order)} "
             f"nodes are wrong){uses}")

    def passes(repaired) -> bool:  # on every graph, so that a repair is no accident of one
        return not any(_wrong(repaired, other, n)[3] for other, n in RUNS)

    repairs = proven(module, "backward", passes, around=_around(build, calls),
                     more=(inserted("the root's gradient is not 1 when the walk begins (d root / d root = 1)",
                                    "{0}.grad = 1.0"),
                           _upstream))
    sentence = explained(facts + ("" if repairs else maybe), repairs, "backward")
    notes = {v: [f"grad {fmt(w)}"] + ([f"yours {fmt(g)}"] if not close(g, w) else [])
             for v, g, w in zip(order, got, want)}
    raise Failed(sentence, graph_picture(root, notes=notes, marked=first, title=sentence))


def _uses(node: Value, order: list, got: float, want: list) -> tuple[str, str]:
    """A node used more than once: the terms its gradient adds up (one per
    edge into a user), and, where the learner's equals one term alone,
    the causes that would give that, as possibilities."""
    terms = []
    for user in (u for u in order if u._prev):
        locals_ = local_grads(user)  # the numbers the engine multiplies by
        terms += [(user, want[order.index(user)] * d) for c, d in zip(user._prev, locals_) if c is node]
    if len(terms) < 2:
        return "", ""
    users = " and ".join(sorted({name(u) for u, _ in terms}))
    said = (f"; it is an input {len(terms)} times (of {users}), so its gradient is one term per "
            f"edge, {' + '.join(fmt(t) for _, t in terms)}")
    if not any(close(got, t) for _, t in terms):
        return said, ""
    return said, ("; yours equals one term alone: possibly `=` where `+=` belongs, or an edge lost "
                  "(a dict or a set keyed by the input keeps one entry for a node used twice)")


def _upstream(function: ast.FunctionDef) -> list:
    """Edits that multiply the term added into a `.grad` by a loop
    variable's grad (the upstream gradient), where the term has none."""
    loops = [n.target.id for n in ast.walk(function) if isinstance(n, ast.For) and isinstance(n.target, ast.Name)]
    edits = []
    for node in ast.walk(function):
        target = node.target if isinstance(node, ast.AugAssign) else \
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
        if not (isinstance(target, ast.Attribute) and target.attr == "grad"):
            continue
        if any(isinstance(n, ast.Attribute) and n.attr == "grad" for n in ast.walk(node.value)):
            continue  # the term has a gradient in it already
        for loop in loops:
            def make(n, loop=loop):
                n = copy.deepcopy(n)
                n.value = ast.BinOp(ast.Attribute(ast.Name(loop, ast.Load()), "grad", ast.Load()),
                                    ast.Mult(), n.value)
                return n
            edits.append(edit("the upstream gradient is missing (the chain rule: dL/da = dL/dy * dy/da)",
                              (node,), make))
    return edits


RUNS = [(square, 1), (diamond, 1), (neuron, 1), (diamond, 2)]
CHECKS = [
    Check("a * a (one node, two edges)", lambda m: compare(m, square)),
    Check("a node used by two later nodes (c in e = c * (c + a))", lambda m: compare(m, diamond)),
    Check("a neuron, tanh(x1*w1 + x2*w2 + b)", lambda m: compare(m, neuron)),
    Check("leaves accumulate across two calls", lambda m: compare(m, diamond, calls=2)),
]
