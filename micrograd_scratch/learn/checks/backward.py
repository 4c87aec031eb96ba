"""Exercise 6: backward(), node by node against the package's.

The same graph is built twice: the learner's backward() runs on one copy
and the package's `Value.backward()` (the engine's one loop) on the other,
and the nodes are paired by their place in the package's order. The
first node whose gradient differs, walking back from the root, is where
the mistake shows; it is marked in the picture.

To name the mistake, the checker also works out what each classic wrong
backward pass would give on the graph (`what_the_mistake_gives`) and
looks for the one that gives exactly the learner's gradients.
"""

from __future__ import annotations

from typing import Callable

from ...drawing.styles import fmt
from ...engine import Value, local_grads
from ..picture import graph_picture, name
from ..runner import Check, Failed
from .graphs import close, diamond, neuron, nodes, square


def what_the_mistake_gives(root: Value, mistake: str, calls: int) -> list[float]:
    """Each node's grad after `calls` backward passes written with one
    classic mistake; the model of a learner's loop, not the engine's."""
    order = nodes(root)
    for _ in range(calls):
        for v in order:
            if v._prev and mistake != "no reset":
                v.grad = 0.0
            if not v._prev and mistake == "reset leaves":
                v.grad = 0.0
        root.grad = 0.0 if mistake == "no seed" else 1.0
        walk = order if mistake == "forward order" else reversed(order)
        for v in walk:
            for child, local in zip(v._prev, local_grads(v)):
                term = local if mistake == "no upstream" else v.grad * local
                child.grad = term if mistake == "assign" else child.grad + term
    return [float(v.grad) for v in order]


MISTAKES = {
    "assign": "`=` where `+=` belongs: {node} is used by {users}, and each use adds its own "
              "term, so its gradient is their sum; yours keeps only the last",
    "no upstream": "forgot the upstream gradient g: an input receives node.grad * local, not the "
                   "local derivative alone (the chain rule: dL/da = dL/dy * dy/da)",
    "no seed": "never seeded the root: root.grad must be 1 (d root / d root) before the loop, "
               "or every gradient stays 0",
    "forward order": "walked the order forwards: walk reversed(order), root first, so that a "
                     "node's gradient is complete before it is passed on to its inputs",
    "no reset": "kept the op results' gradients from the last call, so the second call added "
                "to them: set every op result's grad to 0 before the loop; only leaves accumulate",
    "reset leaves": "reset the leaves too: a leaf's gradient accumulates across backward() calls "
                    "(zero_grad resets it), so after two calls it is twice one call's",
}


def _grads(build: Callable[[], Value], run: Callable[[Value], None], calls: int) -> tuple:
    root = build()
    for _ in range(calls):
        run(root)
    return root, [v.grad for v in nodes(root)]


def compare(module, build: Callable[[], Value], calls: int = 1) -> str:
    backward = getattr(module, "backward", None)
    if not callable(backward):
        raise Failed("there is no function backward(root) in the file: write it")
    root, got = _grads(build, backward, calls)
    _, want = _grads(build, lambda r: r.backward(), calls)
    order = nodes(root)
    for v, g in zip(order, got):
        if isinstance(g, Value) or not isinstance(g, (int, float)):
            raise Failed(f"{name(v)}.grad is {g!r}, not a number: add numbers (node.grad * local) "
                         "into the grads")
    wrong = [i for i in reversed(range(len(order))) if not close(got[i], want[i])]
    if not wrong:
        shown = ", ".join(f"{name(v)}.grad = {fmt(g)}" for v, g in zip(order, got) if not v._prev)
        return f"every node's gradient is the package's ({shown})"
    first = order[wrong[0]]
    facts = f"{name(first)}.grad is {fmt(got[wrong[0]])}, expected {fmt(want[wrong[0]])}"
    named = _name(build, got, calls, first)
    sentence = f"{facts}: {named}" if named else (
        f"{facts} (the first wrong gradient, walking back from the root; "
        f"{len(wrong)} of {len(order)} nodes are wrong)")
    notes = {v: [f"grad {fmt(w)}"] + ([f"yours {fmt(g)}"] if not close(g, w) else [])
             for v, g, w in zip(order, got, want)}
    raise Failed(sentence, graph_picture(root, notes=notes, marked=first, title=sentence))


def _name(build, got: list, calls: int, first: Value) -> str:
    """The classic mistake that gives exactly the learner's gradients, or ""."""
    for mistake, sentence in MISTAKES.items():
        gives = what_the_mistake_gives(build(), mistake, calls)
        if not all(close(a, b) for a, b in zip(got, gives)):
            continue
        if mistake != "assign":
            return sentence
        users = [u for u in nodes(build()) if any(c.label == first.label for c in u._prev)]
        if len(users) == 1:  # a * a: one node, two edges
            u = users[0]
            return (f"in {name(u)} = {first.label} {u._op} {first.label} the gradient flows along "
                    "both edges, and the two terms add up: use += not =")
        return sentence.format(node=name(first), users=" and ".join(name(u) for u in users))
    return ""


CHECKS = [
    Check("a * a (one node, two edges)", lambda m: compare(m, square)),
    Check("a node used by two later nodes (c in e = c * (c + a))", lambda m: compare(m, diamond)),
    Check("a neuron, tanh(x1*w1 + x2*w2 + b)", lambda m: compare(m, neuron)),
    Check("leaves accumulate across two calls", lambda m: compare(m, diamond, calls=2)),
]
