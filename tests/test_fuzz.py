"""Property-based fuzzing of the engine: random expression graphs over every
op, with shared subexpressions, checked four ways.

1. backward() against central differences of the same function computed
   with plain floats (each op's own `forward` from ops.py: the differences
   judge each rule against its forward);
2. backward() against PyTorch in float64, for every node, when installed;
3. determinism: two runs give the same gradients bit for bit, also in
   fresh interpreters with different hash seeds (set order must not leak
   into the gradients);
4. no reference cycles: with the cyclic collector off, dropping the root
   frees every node by reference counting alone.

A graph is a *program*: leaf values, then instructions that each read
earlier nodes (any earlier node, so subexpressions are shared: `a * a`, a
node feeding three ops), then one `total` of every node nothing else used
(so that every node reaches the root and receives a gradient). The same
program runs on Values, on floats and on torch tensors. The ops are read
from ops.py: every op defined there is fuzzed, and compared with the torch
function its `torch` field names.

Domains are kept by construction, not by rejecting examples: while a
program is drawn, each instruction is tried on floats and, when it would
leave its domain (an op's forward raises, a division by |x| < 0.1, a
result or a local derivative larger than 100, a relu input within 1e-3 of
its kink...), tanh of its first
operand is used instead. The finite-difference check also skips points
where a step of h would move a relu input across zero.

Runs: the default profile ("ci") is short. The long run:

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py --hypothesis-show-statistics

Sources: Hypothesis (MacIver et al.); the finite-difference and reference
checks follow `torch.autograd.gradcheck`.
"""

from __future__ import annotations

import ast
import gc
import json
import math
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from micrograd_scratch import Value, dot, ops, topological_order, total
from micrograd_scratch.torch_bridge import torch_function

# ---- profiles --------------------------------------------------------------
# Local settings objects (not registered profiles) so that this file does not
# change the settings of other test files in the same session.

PROFILES = {
    "ci": settings(max_examples=100, deadline=None, database=None),
    "long": settings(
        max_examples=20_000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    ),
}
fuzz = PROFILES.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), PROFILES["ci"])
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"

# ---- programs ------------------------------------------------------------
# An instruction is (op, args). An argument is ("n", i), node i (leaves come
# first), or ("c", x), the plain number x. For "dot" the args are
# (ws, xs, bias) with bias None or an argument; for "total" a tuple of them.

MARGIN = 0.1  # how far log, division and fractional powers stay from 0
KINK = 1e-3  # how far relu inputs stay from 0
BOUND = 100.0  # the largest |value| an instruction may produce

BINARY = {
    "+": lambda lib, a, b: a + b,
    "-": lambda lib, a, b: a - b,
    "*": lambda lib, a, b: a * b,
    "/": lambda lib, a, b: a / b,
    "**": lambda lib, a, b: a**b,
}


def _call(name: str):
    return lambda lib, a: lib.call(name, a)


# Negation, and every one-input op of ops.py (so an op added there is fuzzed).
UNARY = {"neg": lambda lib, a: -a, **{name: _call(name) for name in ops.functions()}}
OPS = list(BINARY) + list(UNARY) + ["dot", "total"]


def _slope(op: str, x: float) -> float:
    """A one-input op's local derivative at x, from its definition in ops.py."""
    definition = ops.OPS[op]
    return definition.local_grads(definition.forward(x), x)[0]


def _near_a_kink(op: str, x: float) -> bool:
    """Whether a one-input op's derivative jumps within KINK of x (relu and
    abs at 0): finite differences cannot judge a point next to a kink. Read
    from the op's own derivative, so a kinked op added to ops.py is seen."""
    return abs(_slope(op, x - KINK) - _slope(op, x + KINK)) > 0.5


def run(program: dict, lib, leaves=None) -> list:
    """Every node of `program` (leaves, then one per instruction) computed
    with `lib`: the engine, floats, or torch."""
    nodes = [lib.leaf(x, i) for i, x in enumerate(program["leaves"] if leaves is None else leaves)]
    for op, args in program["ops"]:
        nodes.append(_apply(op, args, lib, nodes))
    return nodes


def _apply(op: str, args, lib, nodes: list):
    def get(arg):
        kind, x = arg
        return nodes[x] if kind == "n" else x

    if op == "dot":
        ws, xs, bias = args
        return lib.dot([get(a) for a in ws], [get(a) for a in xs], None if bias is None else get(bias))
    if op == "total":
        return lib.total([get(a) for a in args])
    fn = BINARY.get(op) or UNARY[op]
    return fn(lib, *[get(a) for a in args])


FLOATS = SimpleNamespace(
    leaf=lambda x, i: x,
    call=lambda name, x: ops.OPS[name].forward(x),
    dot=lambda ws, xs, bias: sum((w * x for w, x in zip(ws, xs)), 0.0 if bias is None else bias),
    total=lambda vs: sum(vs, 0.0),
)

ENGINE = SimpleNamespace(
    leaf=lambda x, i: Value(x, label=f"x{i}"),
    call=lambda name, x: getattr(x, name)(),  # the Value method ops.py made
    dot=dot,
    total=total,
)


def _in_domain(op: str, args, operands: list, result) -> bool:
    """Whether `op` on these float operands stays well inside its domain."""
    if not isinstance(result, float) or not math.isfinite(result) or abs(result) > BOUND:
        return False
    if op == "/":
        return abs(operands[1]) >= MARGIN
    if op in ops.functions():  # a steep slope (log near 0) makes differences inaccurate
        return abs(_slope(op, operands[0])) <= BOUND and not _near_a_kink(op, operands[0])
    if op == "**":
        base, exponent = operands
        if args[1][0] == "n" or not float(exponent).is_integer():
            return base >= MARGIN  # real only for a positive base
        return exponent >= 0 or abs(base) >= MARGIN
    return True


NUMBER = st.sampled_from([0, 1, 2, -1, 0.5, -2.5, 3.0]) | st.floats(-3.0, 3.0, allow_subnormal=False)
EXPONENT = st.sampled_from([0, 1, 2, 3, -1, -2, 0.5, -0.5, 1.5, 2.0, -1.5])
POSITIVE_BASE = st.floats(0.2, 3.0)
LEAF = st.floats(-2.0, 2.0, allow_subnormal=False)


@st.composite
def programs(draw, max_leaves: int = 4, max_ops: int = 14) -> dict:
    """A random program whose every instruction stays inside its domain."""
    leaves = draw(st.lists(LEAF, min_size=1, max_size=max_leaves))
    values = list(leaves)  # each node's float value, to keep domains
    ops = []
    n_ops = draw(st.integers(1, max_ops))
    for _ in range(n_ops):
        node = st.integers(0, len(values) - 1).map(lambda i: ("n", i))
        operand = node | NUMBER.map(lambda x: ("c", x))
        op = draw(st.sampled_from(OPS))
        if op in BINARY:
            if op == "**":
                shape = draw(st.sampled_from(["node ** number", "node ** node", "number ** node"]))
                if shape == "node ** number":
                    args = (draw(node), ("c", draw(EXPONENT)))
                elif shape == "node ** node":
                    args = (draw(node), draw(node))
                else:
                    args = (("c", draw(POSITIVE_BASE)), draw(node))
            else:
                # At least one node: number op node is Python's reflected form.
                args = draw(st.sampled_from([(node, node), (node, operand), (operand, node)]))
                args = tuple(draw(s) for s in args)
        elif op in UNARY:
            args = (draw(node),)
        elif op == "dot":
            n = draw(st.integers(1, 3))
            ws = tuple(draw(operand) for _ in range(n))
            xs = tuple(draw(operand) for _ in range(n))
            bias = draw(st.none() | operand)
            if all(a[0] == "c" for a in _refs("dot", (ws, xs, bias))):
                ws = (draw(node),) + ws[1:]
            args = (ws, xs, bias)
        else:  # total
            args = (draw(node),) + tuple(draw(st.lists(operand, max_size=4)))
        operands = _operand_values(op, args, values)
        try:
            result = _apply(op, args, FLOATS, values)
        except (ValueError, ZeroDivisionError, OverflowError):
            result = None
        if not _in_domain(op, args, operands, result):
            first = next(a for a in _refs(op, args) if a[0] == "n")
            op, args = "tanh", (first,)
            result = math.tanh(values[first[1]])
        ops.append((op, args))
        values.append(result)
    # The root adds up every node that nothing else reads.
    used = {a[1] for op, args in ops for a in _refs(op, args) if a[0] == "n"}
    sinks = tuple(("n", i) for i in range(len(values)) if i not in used)
    ops.append(("total", sinks))
    return {"leaves": leaves, "ops": ops}


def _refs(op: str, args) -> tuple:
    """The arguments of an instruction as one flat tuple."""
    if op == "dot":
        ws, xs, bias = args
        return ws + xs + ((bias,) if bias is not None else ())
    return args


def _operand_values(op: str, args, values: list) -> list:
    if op in ("dot", "total"):
        return []
    return [values[a[1]] if a[0] == "n" else a[1] for a in args]


def describe(program: dict) -> str:
    """The program as readable lines, for failure messages."""
    lines = [f"x{i} = {x!r}" for i, x in enumerate(program["leaves"])]
    n = len(program["leaves"])

    def name(a):
        return f"n{a[1]}" if a[0] == "n" and a[1] >= n else f"x{a[1]}" if a[0] == "n" else repr(a[1])

    for k, (op, args) in enumerate(program["ops"], start=n):
        if op == "dot":
            ws, xs, bias = args
            bias = "" if bias is None else f", {name(bias)}"
            text = f"dot([{', '.join(map(name, ws))}], [{', '.join(map(name, xs))}]{bias})"
        elif op == "total":
            text = f"total([{', '.join(map(name, args))}])"
        elif op in BINARY:
            text = f"{name(args[0])} {op} {name(args[1])}"
        elif op == "neg":
            text = f"-{name(args[0])}"
        else:
            text = f"{op}({name(args[0])})"
        lines.append(f"n{k} = {text}")
    return "\n".join(lines)


# ---- running a program on the engine --------------------------------------


def engine_gradients(program: dict) -> tuple[list, list]:
    """(nodes, grads): every node's data and d(root)/d(node) from backward()."""
    nodes = run(program, ENGINE)
    nodes[-1].backward()
    return [v.data for v in nodes], [v.grad for v in nodes]


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


# ---- 1. central differences -----------------------------------------------


def _kink_pattern(program: dict, values: list) -> tuple:
    """Every one-input op's local derivative, to 3 digits: a finite step
    that crosses a kink (relu's 0 -> 1) changes it, a smooth op's hardly."""
    return tuple(
        float(f"{_slope(op, values[args[0][1]]):.3g}")
        for op, args in program["ops"] if op in ops.functions()
    )


@fuzz
@given(programs())
def test_backward_matches_central_differences(program):
    data, grads = engine_gradients(program)

    # The engine's forward pass agrees with an independent one in floats.
    floats = run(program, FLOATS)
    for k, (a, b) in enumerate(zip(data, floats)):
        assert _close(a, b, 1e-12, 1e-12), f"forward differs at node {k}: {a} vs {b}\n{describe(program)}"

    pattern = _kink_pattern(program, floats)
    n_leaves = len(program["leaves"])
    h = 1e-6
    for i in range(n_leaves):
        points = []
        for step in (h, -h):
            leaves = list(program["leaves"])
            leaves[i] += step
            try:
                values = run(program, FLOATS, leaves)
            except (ValueError, ZeroDivisionError, OverflowError):
                reject()  # a step of h left a domain: too close to its edge
            if _kink_pattern(program, values) != pattern:
                reject()  # a step of h crosses a relu kink: no derivative here
            points.append(values[-1])
        numeric = (points[0] - points[1]) / (2 * h)
        analytic = grads[i]
        assert _close(analytic, numeric, 1e-4, 1e-5), (
            f"d root / d x{i}: backward gives {analytic!r}, central differences "
            f"{numeric!r}\n{describe(program)}"
        )


# ---- 2. PyTorch ------------------------------------------------------------


def _torch_lib(torch):
    def leaf(x, i):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    def as_tensor(x):
        return x if isinstance(x, torch.Tensor) else torch.tensor(float(x), dtype=torch.float64)

    return SimpleNamespace(
        leaf=leaf,
        call=lambda name, x: torch_function(name)(x),  # the op's torch twin, read as the bridge reads it
        dot=lambda ws, xs, bias: sum(
            (as_tensor(w) * as_tensor(x) for w, x in zip(ws, xs)),
            as_tensor(0.0 if bias is None else bias),
        ),
        total=lambda vs: sum((as_tensor(v) for v in vs), as_tensor(0.0)),
    )


@fuzz
@given(programs())
def test_backward_matches_pytorch_at_every_node(program):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: skipping the torch comparison")
    if any(op in ops.OPS and ops.OPS[op].torch is None for op, args in program["ops"]):
        reject()  # an op with no torch twin: checked by the other properties only
    data, grads = engine_gradients(program)
    nodes = run(program, _torch_lib(torch))
    for t in nodes:
        if t.requires_grad and not t.is_leaf:
            t.retain_grad()
    nodes[-1].backward()
    for k, t in enumerate(nodes):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert _close(data[k], t.item(), 1e-12, 1e-12), (
            f"node {k}: engine {data[k]!r}, torch {t.item()!r}\n{describe(program)}"
        )
        assert _close(grads[k], expected, 1e-9, 1e-9), (
            f"d root / d node {k}: engine {grads[k]!r}, torch {expected!r}\n{describe(program)}"
        )


# ---- 3. determinism ------------------------------------------------------------


def _bits(xs: list) -> list[str]:
    return [float(x).hex() for x in xs]


@fuzz
@given(programs())
def test_two_runs_give_the_same_gradients_bit_for_bit(program):
    first = engine_gradients(program)
    second = engine_gradients(program)
    assert _bits(first[0]) == _bits(second[0])
    assert _bits(first[1]) == _bits(second[1])
    # And the same order of nodes, op by op.
    orders = [[v._op for v in topological_order(run(program, ENGINE)[-1])] for _ in range(2)]
    assert orders[0] == orders[1]


# A fresh interpreter reads programs (one per line) on stdin and prints
# each program's gradients as hex.
_CHILD = """
import ast, sys
sys.path.insert(0, sys.argv[1])
from test_fuzz import engine_gradients
for line in sys.stdin:
    data, grads = engine_gradients(ast.literal_eval(line))
    print(" ".join(float(g).hex() for g in data + grads))
"""


@settings(max_examples=1, deadline=None, database=None)
@given(st.lists(programs(), min_size=25, max_size=25))
def test_gradients_do_not_depend_on_the_hash_seed(batch):
    """Two fresh interpreters with different PYTHONHASHSEEDs, so different
    set and dict-of-object orders: the gradients must not change."""
    text = "".join(repr(p) + "\n" for p in batch)
    outputs = []
    for seed in ("1", "2024"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, os.path.dirname(__file__)],
            input=text, capture_output=True, text=True, env=env, timeout=120,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.splitlines())
    assert len(outputs[0]) == len(batch)
    assert outputs[0] == outputs[1]
    # The child's numbers are this process's numbers too.
    here = [" ".join(_bits(sum(engine_gradients(p), []))) for p in batch]
    assert outputs[0] == here


# ---- 4. no reference cycles --------------------------------------------------


@fuzz
@given(programs())
def test_dropping_the_root_frees_every_node_without_the_cycle_collector(program):
    import weakref

    # Only the youngest generation is collected: everything made below is
    # in it, and a full collection would scan all of pytest and torch.
    gc.collect(0)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        nodes = run(program, ENGINE)
        nodes[-1].backward()
        watchers = [weakref.ref(v) for v in topological_order(nodes[-1])]
        del nodes
        alive = sum(w() is not None for w in watchers)
        unreachable = gc.collect(0)  # cycles that reference counting could not free
    finally:
        if was_enabled:
            gc.enable()
    assert alive == 0, f"{alive} of {len(watchers)} nodes outlived their graph\n{describe(program)}"
    assert unreachable == 0, f"{unreachable} objects were freed only by the cycle collector"


# ---- the fuzzer reaches what it claims to ------------------------------------------


def test_the_generator_reaches_every_op_and_shares_subexpressions():
    """Guard against a generator that silently stopped producing some op."""
    seen_ops, shared = set(), 0

    @settings(max_examples=150, deadline=None, database=None)
    @given(programs())
    def collect(program):
        nonlocal shared
        root = run(program, ENGINE)[-1]
        seen_ops.update(v._op for v in topological_order(root))
        reads = [a for op, args in program["ops"][:-1] for a in _refs(op, args) if a[0] == "n"]
        shared += len(reads) != len(set(reads))

    collect()
    engine_ops = set(ops.OPS) | {""}  # every op of ops.py, and leaves
    assert engine_ops <= seen_ops, f"never generated: {engine_ops - seen_ops}"
    assert any(op.startswith("**") and op != "**" for op in seen_ops)  # number exponents
    assert shared > 15
