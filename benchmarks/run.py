"""Run every benchmark side by side and print the results as Markdown tables.

    python benchmarks/run.py            # the full run, a few minutes
    python benchmarks/run.py --quick    # fewer repeats, under a minute
    python benchmarks/run.py --profile  # where our moons step spends its time

It installs nothing: micrograd (0.1.0) and torch are used when they are
importable, and the output says which are missing. Every comparison runs
in this one process, with warm-up and repeats; times are medians of this
process's CPU time, and the "vs" columns are ratios of medians. Before a
table is printed, the programs it compares are checked to compute the
same numbers; a mismatch stops the run.

The tables go to stdout (so `> RESULTS.md` keeps them) and progress goes
to stderr. `workloads.py` holds the programs; `baseline.py` the
hand-written floor.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import statistics
import sys
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Callable, Iterator

if __package__ in (None, ""):  # run as a script: make the checkout importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from micrograd_scratch import Value, topological_order  # noqa: E402
from micrograd_scratch.losses import hinge, l2  # noqa: E402
from micrograd_scratch.optim import SGD  # noqa: E402

from benchmarks import microgpt, workloads  # noqa: E402
from benchmarks.workloads import MICROGRAD, TORCH_INSTALLED  # noqa: E402

# The moons programs must agree on every step's loss to this much (issue 4).
LOSS_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Settings:
    warmup_steps: int  # untimed moons steps from a fresh model, every program
    fast_steps: int  # timed moons steps for ours and the hand-written floor
    micrograd_steps: int  # timed moons steps for micrograd (about 1-5 s each)
    chain_depths: tuple[int, ...]
    chain_repeats: int
    rss_steps: int  # training steps watched for resident-memory growth
    expression_width: int
    expression_depth: int
    throughput_repeats: int
    micrograd_throughput_repeats: int
    microgpt_steps: int  # timed microgpt training steps, each Value class


FULL = Settings(
    warmup_steps=1, fast_steps=50, micrograd_steps=20,
    chain_depths=(10**2, 10**3, 10**4, 10**5, 10**6), chain_repeats=5,
    rss_steps=200,
    expression_width=100, expression_depth=40,
    throughput_repeats=20, micrograd_throughput_repeats=10, microgpt_steps=20,
)
QUICK = Settings(
    warmup_steps=1, fast_steps=5, micrograd_steps=1,
    chain_depths=(10**2, 10**3, 10**4, 10**5, 10**6), chain_repeats=3,
    rss_steps=50,
    expression_width=100, expression_depth=20,
    throughput_repeats=3, micrograd_throughput_repeats=1, microgpt_steps=3,
)


# ---- measuring -----------------------------------------------------------


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def collector(enabled: bool) -> Iterator[None]:
    """Run the block with the cyclic garbage collector on or off, then put
    it back as it was."""
    was_enabled = gc.isenabled()
    _set_collector(enabled)
    try:
        yield
    finally:
        _set_collector(was_enabled)


def _set_collector(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()


@contextmanager
def recursion_limit(limit: int) -> Iterator[None]:
    """Python's recursion limit set to `limit` inside the block: micrograd's
    recursive topological sort must fail cleanly at the default limit, not
    run into the C stack under a limit someone raised."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def timed(fn: Callable, *args):
    """(seconds, result) of one call. The seconds are this process's CPU
    time, not wall-clock time, so that other programs running on the machine
    do not inflate them (everything measured here is single-threaded)."""
    start = time.process_time()
    result = fn(*args)
    return time.process_time() - start, result


def median_time(fn: Callable, repeats: int) -> float:
    return statistics.median(timed(fn)[0] for _ in range(repeats))


def resident_bytes() -> int | None:
    """This process's resident memory now (Linux), or None elsewhere."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


def traced_bytes(build: Callable):
    """(bytes the result of build() holds, the result), by tracemalloc, with
    the collector off so that nothing else is freed meanwhile."""
    gc.collect()
    with collector(False):
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            result = build()
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    return held, result


# ---- formatting ----------------------------------------------------------


def seconds(t: float) -> str:
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.2f} ms"
    return f"{t * 1e6:.1f} µs"


def megabytes(n: float) -> str:
    return f"{n / 2**20:.1f} MB"


def ratio(x: float) -> str:
    return f"{x:.2f}x" if x < 10 else f"{x:.0f}x"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


class Targets:
    """The issue's targets, each with what was measured and whether it is met
    (None: a figure to report, with no threshold)."""

    def __init__(self):
        self.rows: list[list[str]] = []

    def add(self, target: str, measured: str, met: bool | None) -> None:
        verdict = {True: "met", False: "NOT MET", None: "reported"}[met]
        self.rows.append([target, measured, verdict])
        print(f"- target {target}: {measured} ({verdict})")


class ProgramsDisagree(RuntimeError):
    """Two programs that should compute the same numbers do not: their
    times would not be comparable, so the run stops."""


def check_same(what: str, results: dict[str, list[float]], reference: str,
               tol: float, unit: str) -> str:
    """Every program's numbers against the reference program's, as far as
    both go; raises ProgramsDisagree if any pair differs by more than tol."""
    ref = results[reference]
    worst, compared = 0.0, []
    for name, values in results.items():
        if name == reference:
            continue
        n = min(len(values), len(ref))
        diff = max(abs(a - b) for a, b in zip(values[:n], ref[:n]))
        if not diff <= tol:
            raise ProgramsDisagree(
                f"{what}: {name} differs from {reference} by {diff:.3g} (tolerance {tol:g})"
            )
        worst = max(worst, diff)
        compared.append(f"{name}: {n} {unit}")
    if not compared:
        return f"same {what}: nothing to compare {reference} with"
    return (f"same {what}: yes (max diff {worst:.2g} against {reference}; "
            + "; ".join(compared) + ")")


# ---- 1 and 2: the moons step -------------------------------------------------

# The row names; the targets and ratios refer to them.
FLOOR = "hand-written floats (baseline.py)"
OURS = "micrograd_scratch, as a user writes it (fused dot)"
ELEMENTWISE = "micrograd_scratch, elementwise (micrograd's nodes)"
MICROGRAD_ON = "micrograd 0.1.0 (step + collecting its garbage)"
MICROGRAD_OFF = "micrograd 0.1.0, collector off"
MICROGRAD_RUN = "micrograd 0.1.0, consecutive steps on its own"


@dataclass
class Program:
    step: Callable[[int], float]  # trains step k, returns its loss
    steps: int  # how many steps to time (after the warm-up)
    collector_on: bool = True
    # micrograd's graphs are reference cycles, freed only by the cyclic
    # collector: its step's time includes that collection (ours free their
    # graphs by reference counting, inside the step itself).
    time_collection: bool = False


@dataclass
class Run:
    times: list[float] = field(default_factory=list)  # the timed steps, in order
    losses: list[float] = field(default_factory=list)  # every step's, warm-up included
    collect_times: list[float] = field(default_factory=list)  # the clean-up after each step
    note: str = ""


def take_turns(programs: dict[str, Program], warmup: int) -> dict[str, Run]:
    """Step k of every program in turn, each step followed by an untimed
    gc.collect(), until every program has run warmup + its steps.

    Taking turns spreads whatever else the machine does evenly over the
    programs, so their ratios hold even when the times drift from run to
    run. The clean-up makes each step start from the same clean heap:
    without it, one program's garbage (or its many young objects) would set
    off the collector inside the next program's step.
    """
    runs = {name: Run() for name in programs}
    for k in range(warmup + max(p.steps for p in programs.values())):
        for name, program in programs.items():
            if k >= warmup + program.steps:
                continue
            with collector(program.collector_on):
                t, loss = timed(program.step, k)
                # Inside the block: with the collector off, this is where the
                # step's garbage goes (switching the collector back on would
                # collect it at the next allocation instead, inside whatever
                # runs next).
                collect_time, _ = timed(gc.collect)
            run = runs[name]
            run.losses.append(loss)
            if k >= warmup:
                run.times.append(t + collect_time if program.time_collection else t)
                run.collect_times.append(collect_time)
    return runs


def graph_nodes(build_loss: Callable, make_model: Callable) -> int:
    X, ys = workloads.moons_data()
    with collector(False):
        nodes = workloads.count_nodes(build_loss(make_model(), X, ys))
    gc.collect()
    return nodes


def bench_moons(settings: Settings, targets: Targets) -> None:
    print("\n## The moons training step, micrograd's demo (targets 1 and 2)\n")
    print(
        "MLP 2-16-16-1, 100 two-moons points, hinge loss + L2 1e-4, one full-batch "
        "step = forward over all points, loss, backward, SGD update. Every program "
        f"starts from random.seed({workloads.SEED}) and the same points, and trains "
        f"from a fresh model: {settings.warmup_steps} warm-up step(s), then "
        f"{settings.fast_steps} timed steps (micrograd: {settings.micrograd_steps}). "
        "The programs take turns, one step each, and every step starts from a clean "
        "heap: a gc.collect() follows each step, untimed except in micrograd's row, "
        "whose graphs only that collection frees (ours are freed by reference counting "
        "inside the step). Times are medians; ratios are ratios of medians. The last row "
        "is micrograd as its demo runs, step after step with its garbage left to the "
        "collector, timed on its own after the others.\n"
    )
    X, ys = workloads.moons_data()
    nodes = {
        OURS: graph_nodes(workloads.user_loss, workloads.user_model),
        ELEMENTWISE: graph_nodes(workloads.elementwise_loss, workloads.user_model),
    }
    programs = {
        FLOOR: Program(workloads.baseline_trainer(X, ys), settings.fast_steps),
        OURS: Program(workloads.user_trainer(X, ys), settings.fast_steps),
        ELEMENTWISE: Program(workloads.elementwise_trainer(X, ys), settings.fast_steps),
    }
    if MICROGRAD is not None:
        nodes[MICROGRAD_ON] = nodes[MICROGRAD_OFF] = nodes[MICROGRAD_RUN] = graph_nodes(
            workloads.micrograd_loss, workloads.micrograd_model)
        programs[MICROGRAD_ON] = Program(workloads.micrograd_trainer(X, ys),
                                         settings.micrograd_steps, time_collection=True)
        programs[MICROGRAD_OFF] = Program(workloads.micrograd_trainer(X, ys),
                                          settings.micrograd_steps, collector_on=False)
    progress(f"moons: {len(programs)} programs taking turns, "
             f"{settings.warmup_steps + settings.fast_steps} steps")
    runs = take_turns(programs, settings.warmup_steps)
    del programs
    if MICROGRAD is not None:
        off = runs[MICROGRAD_OFF]
        off.note = f"+ {seconds(statistics.median(off.collect_times))} to collect its garbage"
        progress(f"moons: {MICROGRAD_RUN}, {settings.warmup_steps + settings.micrograd_steps} steps")
        gc.collect()
        step = workloads.micrograd_trainer(X, ys)
        runs[MICROGRAD_RUN] = Run()
        for k in range(settings.warmup_steps + settings.micrograd_steps):
            t, loss = timed(step, k)
            runs[MICROGRAD_RUN].losses.append(loss)
            if k >= settings.warmup_steps:
                runs[MICROGRAD_RUN].times.append(t)
        del step
        gc.collect()

    median = {name: statistics.median(run.times) for name, run in runs.items()}
    floor, mg = median[FLOOR], median.get(MICROGRAD_ON)
    rows = [[
        name,
        f"{nodes[name]:,}" if name in nodes else "no graph",
        seconds(median[name]),
        f"{seconds(run.times[0])} → {seconds(run.times[-1])}",
        ratio(mg / median[name]) if mg else "n/a",
        ratio(median[name] / floor),
        run.note,
    ] for name, run in runs.items()]
    print(table(
        ["program", "nodes per step", "median step", "first → last timed step",
         "speed-up vs micrograd", "time vs hand-written", "note"], rows))
    print()
    losses = {name: run.losses for name, run in runs.items()}
    print(check_same("losses", losses, FLOOR, LOSS_TOLERANCE, "steps"))
    print()

    ours, elementwise = median[OURS], median[ELEMENTWISE]
    if mg:
        targets.add("1. user's moons step ≥ 60x faster than micrograd (issue 9)",
                    ratio(mg / ours), mg / ours >= 60)
    targets.add("1. user's moons step ≤ 4.5x the hand-written floor (issue 21)",
                ratio(ours / floor), ours / floor <= 4.5)
    if mg:
        targets.add("2. elementwise step ≥ 5x faster than micrograd",
                    ratio(mg / elementwise), mg / elementwise >= 5)


# ---- 3: a deep chain ---------------------------------------------------------


def bench_chain(settings: Settings, targets: Targets) -> None:
    print("\n## backward() on a deep chain (target 3)\n")
    print(
        "x = relu(relu(...relu(leaf)...)), one node per level; build and backward "
        f"timed separately (backward: median of {settings.chain_repeats}). Building "
        "is timed with the cyclic collector on (as a user's code runs) and off: the "
        "difference is the collector rescanning the growing graph. micrograd "
        f"runs at Python's default recursion limit, {DEFAULT_RECURSION_LIMIT}; it is "
        f"tried up to depth {MICROGRAD_MAX_DEPTH:,} (building its deeper chains takes "
        "minutes and shows nothing new).\n"
    )
    rows, backward_times = [], {}
    for depth in settings.chain_depths:
        progress(f"chain: depth {depth:,}")
        gc.collect()
        with collector(False):
            quiet_build_time, root = timed(workloads.chain, Value, depth)
        del root
        build_time, root = timed(workloads.chain, Value, depth)
        backward_times[depth] = median_time(root.backward, settings.chain_repeats)
        del root
        rows.append([f"{depth:,}", seconds(build_time), seconds(quiet_build_time),
                     seconds(backward_times[depth]),
                     f"{backward_times[depth] / depth * 1e9:.0f} ns", micrograd_chain(depth)])
    print(table(["depth", "ours: build", "ours: build, collector off", "ours: backward",
                 "backward per node", "micrograd: backward"], rows))
    print()
    if 10**5 in backward_times and 10**6 in backward_times:
        growth = backward_times[10**6] / backward_times[10**5]
        targets.add("3. backward t(10^6) / t(10^5) ≤ 20 (linear is 10), no RecursionError",
                    f"{growth:.1f}", growth <= 20)


DEFAULT_RECURSION_LIMIT = 1000  # CPython's
MICROGRAD_MAX_DEPTH = 10**4


def micrograd_chain(depth: int) -> str:
    if MICROGRAD is None:
        return "n/a"
    if depth > MICROGRAD_MAX_DEPTH:
        return "not tried"
    root = workloads.chain(MICROGRAD.engine.Value, depth)
    try:
        with recursion_limit(DEFAULT_RECURSION_LIMIT):
            t, _ = timed(root.backward)
        result = seconds(t)
    except RecursionError:
        result = "RecursionError"
    del root
    gc.collect()  # micrograd's nodes sit in reference cycles
    return result


# ---- 4: memory -----------------------------------------------------------------


def bench_memory(settings: Settings, targets: Targets) -> None:
    print("\n## Memory (target 4)\n")
    print(
        "One moons loss graph (before backward), measured with tracemalloc. Nodes "
        "counts the graph's new nodes (not the model's parameters). The last column "
        "is what stays behind when the last reference to the loss is dropped with the "
        "cyclic collector off: \"none\" means reference counting alone frees the "
        "whole graph.\n"
    )
    X, ys = workloads.moons_data()
    graphs = [
        ("micrograd_scratch, as a user builds it (fused dot)",
         workloads.user_model, workloads.user_loss),
        ("micrograd_scratch, elementwise (micrograd's nodes)",
         workloads.user_model, workloads.elementwise_loss),
    ]
    if MICROGRAD is not None:
        graphs.append(("micrograd 0.1.0", workloads.micrograd_model, workloads.micrograd_loss))

    rows, per_node = [], {}
    for name, make_model, build_loss in graphs:
        progress(f"memory: {name}")
        model = make_model()
        held, loss = traced_bytes(lambda: build_loss(model, X, ys))
        nodes = workloads.count_nodes(loss) - len(model.parameters())
        per_node[name] = held / nodes
        garbage = cyclic_garbage(model, build_loss, X, ys)
        rows.append([name, f"{nodes:,}", megabytes(held), f"{held / nodes:.0f}", garbage])
        del loss, model
        gc.collect()
    print(table(["graph", "nodes", "memory", "bytes per node",
                 "left for the cyclic collector after `del loss`"], rows))
    print()

    progress(f"memory: resident memory over {settings.rss_steps} training steps")
    rss = resident_memory_while_training(settings.rss_steps)
    warm = min(10, settings.rss_steps - 1)  # by then every cache and arena is in place
    if rss is None:
        print("Resident memory while training: n/a (this system has no /proc/self/statm).")
    else:
        print(
            f"Resident memory while training (micrograd_scratch, as a user writes it): "
            f"{megabytes(rss[0])} after step 1, {megabytes(rss[warm])} after step {warm + 1}, "
            f"{megabytes(rss[-1])} after step {len(rss)}, at most {megabytes(max(rss))}."
        )
    print()
    if MICROGRAD is not None:
        ours = per_node["micrograd_scratch, elementwise (micrograd's nodes)"]
        theirs = per_node["micrograd 0.1.0"]
        targets.add("4. bytes per node ≤ 1/3 of micrograd's (same graph)",
                    f"{ours:.0f} vs {theirs:.0f} = 1/{theirs / ours:.1f}", ours <= theirs / 3)
        targets.add("4. bytes per node ≤ 200 (same graph; issue 9)", f"{ours:.0f}", ours <= 200)
    if rss is not None:
        growth = rss[-1] - rss[warm]
        targets.add(f"4. resident memory flat over {settings.rss_steps} steps",
                    f"{growth / 2**20:+.2f} MB from step {warm + 1} to {len(rss)}",
                    growth <= 2**20)


def resident_memory_while_training(steps: int) -> list[int] | None:
    """The resident memory after each of `steps` training steps of ours."""
    X, ys = workloads.moons_data()
    step = workloads.user_trainer(X, ys)
    rss = []
    for k in range(steps):
        step(k)
        rss.append(resident_bytes())
    return None if None in rss else rss


def cyclic_garbage(model, build_loss, X, ys) -> str:
    """What building a loss graph and dropping it leaves for the cyclic
    collector: the objects gc.collect() then finds, and the memory it frees.
    Reference counting frees everything else the moment `loss` goes."""
    gc.collect()
    with collector(False):
        tracemalloc.start()
        try:
            loss = build_loss(model, X, ys)
            del loss
            held = tracemalloc.get_traced_memory()[0]
            found = gc.collect()
            freed = held - tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
    # (gc.collect also empties CPython's free-lists of recently freed
    # tuples and floats, so `freed` is only telling when cycles were found.)
    return f"{found:,} objects, {megabytes(freed)}" if found else "none"


# ---- 5: throughput ------------------------------------------------------------


def bench_throughput(settings: Settings, targets: Targets) -> None:
    width, depth = settings.expression_width, settings.expression_depth
    recipe = workloads.expression_recipe(width, depth)
    data = workloads.expression_leaves(width)
    print("\n## Scalar-graph throughput (target 5)\n")
    print(
        f"A fixed random expression graph ({width} leaves, {depth} layers of {width} "
        "nodes, each a*b, (a+b)/2, (a-b)/2 or relu(a*b) of two nodes of the layer below, "
        "summed at the top), built and back-propagated from fresh leaves each time, "
        "after a gc.collect(); nodes per second = the graph's nodes / (forward + backward), "
        "median of the repeats.\n"
    )

    # (name, a function giving the leaf maker, a node's number, a leaf's gradient)
    libraries = [("micrograd_scratch", lambda: Value, value_data, value_grad)]
    if MICROGRAD is not None:
        libraries.append(("micrograd 0.1.0", lambda: MICROGRAD.engine.Value,
                          value_data, value_grad))
    if TORCH_INSTALLED:  # last, as torch is imported only then (see workloads)
        libraries.append((f"PyTorch {version('torch')}, 0-d float64 tensors",
                          workloads.torch_leaf_maker, lambda t: t.item(), torch_grad))

    nodes = workloads.count_nodes(workloads.build_expression([Value(x) for x in data], recipe))
    times, numbers = {}, {}
    for name, leaf_maker, number, grad_of in libraries:
        progress(f"throughput: {name}")
        make_leaf = leaf_maker()

        def forward_backward():
            leaves = [make_leaf(x) for x in data]
            root = workloads.build_expression(leaves, recipe)
            root.backward()
            return [number(root)] + [grad_of(leaf) for leaf in leaves]

        numbers[name] = forward_backward()
        repeats = (settings.micrograd_throughput_repeats if name.startswith("micrograd 0")
                   else settings.throughput_repeats)
        samples = []
        for _ in range(repeats):
            gc.collect()  # from a clean heap each time: micrograd's last graph is garbage
            samples.append(timed(forward_backward)[0])
        times[name] = statistics.median(samples)

    mg = times.get("micrograd 0.1.0")
    rows = [[name, f"{nodes:,}", seconds(t), f"{nodes / t:,.0f}", ratio(mg / t) if mg else "n/a"]
            for name, t in times.items()]
    print(table(["library", "nodes", "forward + backward", "nodes per second",
                 "speed-up vs micrograd"], rows))
    print()
    print(check_same("root value and leaf gradients", numbers, "micrograd_scratch", 1e-12,
                     "numbers"))
    print()
    if mg:
        targets.add("5. scalar-graph throughput vs micrograd",
                    ratio(mg / times["micrograd_scratch"]), None)


def value_data(v) -> float:
    return v.data


def value_grad(leaf) -> float:
    return leaf.grad


def torch_grad(leaf) -> float:
    return 0.0 if leaf.grad is None else leaf.grad.item()  # None: not in the graph


# ---- the report ------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (
        f"- machine: {cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}\n"
        f"- Python {platform.python_version()} ({platform.python_implementation()})\n"
        f"- load average at the start (1, 5, 15 min): {load}"
    )


def libraries() -> str:
    found = ["micrograd_scratch (this checkout)"]
    missing = []
    if MICROGRAD is not None:
        found.append(f"micrograd {version('micrograd')}")
    else:
        missing.append("micrograd (pip install micrograd==0.1.0)")
    if TORCH_INSTALLED:
        found.append(f"torch {version('torch')}")
    else:
        missing.append("torch (pip install torch)")
    line = "- compared: " + ", ".join(found)
    if missing:
        line += "\n- missing, their rows are left out: " + ", ".join(missing)
    return line


def profile_moons(steps: int = 20) -> None:
    """Where our moons step spends its time: each phase timed on its own
    (median over steps), then cProfile's view of the same steps."""
    X, ys = workloads.moons_data()
    model = workloads.user_model()
    params = model.parameters()
    optimizer = SGD(params, lr=0.1)
    phases: dict[str, list[float]] = {}

    def phase(name: str, fn: Callable, *args):
        t, result = timed(fn, *args)
        phases.setdefault(name, []).append(t)
        return result

    def forward_paused():
        with collector(False):
            return [model(x) for x in X]

    def step() -> None:
        scores = phase("forward: model(x) for the 100 points", lambda: [model(x) for x in X])
        phase("  (the same with the cyclic collector off)", forward_paused)
        loss = phase("loss: hinge(scores, ys) + l2(params, alpha)",
                     lambda: hinge(scores, ys) + l2(params, workloads.ALPHA))
        phase("optimizer.zero_grad()", optimizer.zero_grad)
        phase("  (topological_order(loss) alone, for comparison)", topological_order, loss)
        phase("loss.backward()", loss.backward)
        phase("optimizer.step()", optimizer.step)

    step()  # warm-up
    phases.clear()
    for _ in range(steps):
        step()
    medians = {name: statistics.median(times) for name, times in phases.items()}
    counted = sum(t for name, t in medians.items() if not name.startswith("  ("))
    print(f"# Where the moons step spends its time (micrograd_scratch, median of {steps} steps)\n")
    print(table(["phase", "median", "share of the step"],
                [[name, seconds(t), "" if name.startswith("  (") else f"{t / counted:.0%}"]
                 for name, t in medians.items()]))
    print(f"\nThe step: {seconds(counted)}.\n")

    trainer = workloads.user_trainer(X, ys)
    trainer(0)  # warm-up
    profiler = cProfile.Profile()
    profiler.enable()
    for k in range(1, steps + 1):
        trainer(k)
    profiler.disable()
    print(f"# cProfile of {steps} plain steps (its overhead inflates small functions)\n")
    print("```")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(20)
    print("```")


# ---- 6: a model written microgpt's way -------------------------------------------


def bench_microgpt(settings: Settings, targets: Targets) -> None:
    print("\n## A model written microgpt's way (target 6)\n")
    print(
        "benchmarks/microgpt.py: one training step of a one-block GPT (16-wide "
        "embeddings, 4 heads, relu² MLP) over an 8-token document, written as "
        "microgpt writes it (elementwise sum(w * x) linear layers, rmsnorm, softmax "
        "attention), run with our Value and with microgpt's 30-line Value (local "
        "gradients given with each node, one loop). The two take turns, a "
        f"gc.collect() after each step; 1 warm-up step, then {settings.microgpt_steps} "
        "timed steps each.\n"
    )
    theirs = "microgpt's Value (30 lines)"
    programs = {
        OURS_VALUE: Program(_microgpt_trainer(Value), settings.microgpt_steps),
        theirs: Program(_microgpt_trainer(microgpt.MicrogptValue), settings.microgpt_steps),
    }
    progress(f"microgpt: 2 programs taking turns, {1 + settings.microgpt_steps} steps")
    runs = take_turns(programs, 1)
    median = {name: statistics.median(run.times) for name, run in runs.items()}
    print(table(["Value", "median step", "time vs microgpt's Value"],
                [[name, seconds(t), ratio(t / median[theirs])] for name, t in median.items()]))
    print()
    print(check_same("losses", {name: run.losses for name, run in runs.items()}, theirs,
                     1e-12, "steps"))
    print()
    targets.add("6. microgpt-style step, ours ≤ microgpt's Value (issue 21)",
                ratio(median[OURS_VALUE] / median[theirs]), median[OURS_VALUE] <= median[theirs])


OURS_VALUE = "micrograd_scratch's Value"


def _microgpt_trainer(value) -> Callable[[int], float]:
    model = microgpt.init_model(value)
    return lambda k: microgpt.train_step(model)


# The deep chain goes last: the memory it used stays in the process.
SECTIONS = {
    "moons": bench_moons,
    "microgpt": bench_microgpt,
    "memory": bench_memory,
    "throughput": bench_throughput,
    "chain": bench_chain,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats: under a minute")
    parser.add_argument("--only", choices=list(SECTIONS), action="append",
                        help="run only this section (may be repeated)")
    parser.add_argument("--profile", action="store_true",
                        help="profile our moons step with cProfile instead of benchmarking")
    args = parser.parse_args(argv)

    if args.profile:
        profile_moons()
        return 0
    settings = QUICK if args.quick else FULL
    start = time.perf_counter()
    print(f"# micrograd_scratch benchmarks ({'--quick' if args.quick else 'full run'})\n")
    print(machine())
    print(libraries())
    targets = Targets()
    for name in args.only or SECTIONS:
        section_start = time.perf_counter()
        try:
            SECTIONS[name](settings, targets)
        except ProgramsDisagree as error:
            print(f"run.py: stopped, the programs compared disagree: {error}", file=sys.stderr)
            return 1
        progress(f"{name}: {time.perf_counter() - section_start:.0f} s")
    print("\n## Targets\n")
    print(table(["target (issues 4, 9 and 21)", "measured", "met"], sorted(targets.rows)))
    print(f"\nTotal time {time.perf_counter() - start:.0f} s (wall clock).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
