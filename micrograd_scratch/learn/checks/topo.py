"""Exercise 5: the topological order, on a diamond (a shared node), on a
chain 100,000 deep, and run after run on the same graph built again."""

from __future__ import annotations

import gc
from pathlib import Path

from ...engine import Value
from ..picture import graph_picture, name
from ..runner import Check, Failed, TimeLimit, where
from .graphs import chain, diamond, nodes, unlink
from .repairs import verdict

DEPTH = 100_000


def _order(module, root: Value) -> list:
    topological_order = getattr(module, "topological_order", None)
    if not callable(topological_order):
        raise Failed("there is no function topological_order(root) in the file: write it")
    order = topological_order(root)
    if not isinstance(order, (list, tuple)):
        raise Failed(f"topological_order returned {type(order).__name__}, not a list of the nodes")
    for v in order:
        if not isinstance(v, Value):
            raise Failed(f"topological_order's list holds {v!r}, a {type(v).__name__}: it must "
                         "hold the nodes themselves (Values)")
    return list(order)


def _picture(root: Value, order: list, marked: Value, title: str):
    places = {}
    for i, v in enumerate(order, 1):
        places.setdefault(v, []).append(i)
    def where(v) -> str:
        if v not in places:
            return "not in your order"
        *more, last = places[v]
        at = f"{', '.join(map(str, more))} and {last}" if more else str(last)
        return f"place{'s' * bool(more)} {at} of {len(order)}"

    notes = {v: [where(v)] for v in nodes(root)}
    return graph_picture(root, notes=notes, marked=marked, title=title)


def judge(root: Value, order: list) -> None:
    """Each node once, after its inputs, root last; else the verdict."""
    every = nodes(root)
    seen: dict = {}
    for v in order:
        seen[v] = seen.get(v, 0) + 1
    for v in reversed(every):  # the duplicate nearest the root: where double visits begin
        if seen.get(v, 0) > 1:
            users = [u for u in every if v in u._prev]
            users = " and ".join(name(u) for u in users) or "one node, twice"
            sentence = (f"your topological order lists the shared node {name(v)} {seen[v]} times "
                        f"(it is an input of {users}); each node belongs in the order once: a node "
                        "already visited is skipped")
            raise Failed(sentence, _picture(root, order, v, sentence))
    for v in every:
        if v not in seen:
            sentence = f"your order leaves out {name(v)}: every node below the root belongs in it"
            raise Failed(sentence, _picture(root, order, v, sentence))
    strangers = [v for v in order if v not in set(every)]
    if strangers:
        raise Failed(f"your order lists {name(strangers[0])}, which is not in the graph")
    place = {v: i for i, v in enumerate(order)}
    for v in order:
        for child in v._prev:
            if place[child] > place[v]:
                sentence = (f"{name(v)} comes before its input {name(child)}: a node belongs after "
                            "all of its inputs")
                raise Failed(sentence, _picture(root, order, v, sentence))
    if order[-1] is not root:
        raise Failed(f"the root {name(root)} is not last: nothing comes after the node that "
                     "uses everything")


def check_diamond(module) -> str:
    root = diamond()
    order = _order(module, root)
    judge(root, order)
    return (f"{', '.join(name(v) for v in order)}: each once, each after its inputs; "
            "c, used by d and e, is listed once")


def check_chain(module) -> str:
    root = chain(DEPTH)
    try:
        return _chain_facts(module, root)
    finally:
        unlink(root)


def _chain_facts(module, root: Value) -> str:
    folder = Path(module.__file__).parent
    try:
        order = _order(module, root)
    except RecursionError as error:
        raise Failed(f"RecursionError on a chain {DEPTH:,} deep{where(error.__traceback__, folder)}: "
                     "Python stops a recursion about 1000 levels deep; make the depth-first "
                     "search iterative, with a stack of your own") from None
    except TimeLimit as stop:
        raise Failed(f"still running on a chain {DEPTH:,} deep when the time ran out"
                     f"{where(stop.__traceback__, folder)}: is `node in visited` a search of a "
                     "list? A set answers in one step") from None
    if len(order) != DEPTH + 1:
        raise Failed(f"your order of a chain of {DEPTH + 1:,} nodes has {len(order):,}")
    if any(v._prev and v._prev[0] is not order[i - 1] for i, v in enumerate(order)) or order[0]._prev:
        raise Failed(f"your order of the chain is not x0, x1, ..., x{DEPTH:,}: each node must "
                     "come after its input")
    return f"{DEPTH + 1:,} nodes in order, no RecursionError"


def _wide(reverse: bool) -> Value:
    """A graph of many shared nodes; its leaves made in one order or the
    other, so that their places in memory (and a set's order) differ."""
    names = [f"x{i}" for i in range(8)]
    made = {n: Value(float(i), label=n) for i, n in (reversed if reverse else list)(list(enumerate(names)))}
    xs = [made[n] for n in names]
    pairs = [xs[i] * xs[(i + 3) % 8] for i in range(8)]
    for i, p in enumerate(pairs):
        p.label = f"p{i}"
    out = pairs[0]
    for i, p in enumerate(pairs[1:], 1):
        out = out + p + xs[i]
        out.label = f"s{i}"
    return out


def _same_order_facts(module) -> str:
    """"" when six runs on the same graph, built again each time, give
    the same order; else where two runs differ."""
    seen = []
    for k in range(6):
        filler = [Value(0.0) for _ in range(k * 7)]  # moves the next graph in memory
        root = _wide(reverse=k % 2 == 1)
        order = _order(module, root)
        judge(root, order)
        seen.append([name(v) for v in order])
        del filler
        gc.collect()
    for k, labels in enumerate(seen[1:], 2):
        if labels != seen[0]:
            first = next(i for i, (a, b) in enumerate(zip(seen[0], labels)) if a != b)
            return (f"your order differs between runs on the same graph: at place {first + 1} run 1 "
                    f"had {seen[0][first]} and run {k} {labels[first]}; node._prev is a tuple in "
                    "argument order, the same every run (a set's order depends on where the nodes "
                    "sit in memory)")
    return ""


def check_same_order(module) -> str:
    verdict(module, "topological_order", _same_order_facts)
    return f"the same {len(_order(module, _wide(False)))} nodes in the same order on 6 runs"


CHECKS = [
    Check("a diamond (c used by d and e)", check_diamond),
    Check(f"a chain {DEPTH:,} deep", check_chain),
    Check("the same order on every run", check_same_order),
]
