"""Hostile input for the command line: random and malformed arguments never
produce a traceback or run anything, every rejection exits with status 2
and a one-line reason, and training that diverges stops with one line that
says where.

Most tests call `cli.main(argv)` in this process (fast); a few run
`python -m micrograd_scratch` to check the real exit status and stderr.
Every test runs in a temporary folder, and the fuzzer is only allowed to
write inside it (a random `--save /x` is skipped, not run).

The default profile is short; `HYPOTHESIS_PROFILE=long` runs longer, as in
tests/test_fuzz.py.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import pathlib
import re
import shutil
import subprocess
import sys
import uuid

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import micrograd_scratch as ms
from micrograd_scratch import cli

PROFILES = {
    "ci": settings(
        max_examples=40, deadline=None, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ),
    "long": settings(
        max_examples=2_000, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ),
}
fuzz = PROFILES.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), PROFILES["ci"])

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def in_a_temporary_folder(tmp_path, monkeypatch):
    """Every command runs in an empty folder with one good model file."""
    monkeypatch.chdir(tmp_path)
    ms.save(ms.MLP(2, [3, 1], seed=0), "m.json")
    return tmp_path


# ---- running the command line and judging what it did --------------------


def run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(argv)  # an exception escaping here fails the test
    return status, out.getvalue(), err.getvalue()


def check_outcome(status, out: str, err: str) -> None:
    """What a user may see: success, a one-line runtime error (status 1),
    argparse's usage and a one-line reason (status 2), or success with a
    fallback file (status 3, where Graphviz's dot is missing). No traceback."""
    assert type(status) is int and status in (0, 1, 2, 3), status
    assert "Traceback" not in err and "Traceback" not in out
    if status in (0, 3):
        return
    lines = err.rstrip("\n").split("\n")
    if status == 1:
        assert len(lines) == 1, f"not one line:\n{err}"
        assert lines[0].startswith("micrograd-scratch: error: "), err
        return
    # Status 2: usage lines, then the reason, alone on the last line.
    reasons = [line for line in lines if re.match(r"micrograd-scratch( \w+)?: error: ", line)]
    assert reasons == [lines[-1]], f"the reason is not one last line:\n{err}"
    assert lines[0].startswith("usage: "), err
    assert lines[-1].split(": error: ", 1)[1].strip(), "an empty reason"
    # str.splitlines also breaks at \r, \v, \f and Unicode line separators:
    # a reason that echoes one of those would show as two lines.
    assert len(lines[-1].splitlines()) == 1, f"the reason holds a line break: {lines[-1]!r}"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def options(command: str) -> list[str]:
    """The command's own option strings, so the fuzzer hits real options."""
    parser = subcommands()[command]
    return [s for a in parser._actions for s in a.option_strings if s not in ("-h", "--help")]


# Values people mistype or attackers try; each is a whole argv item.
MARKER = "pwned_" + uuid.uuid4().hex[:8]
HOSTILE = [
    "", " ", "-", "--", "-x", "--nope", "-1", "0", "1", "2", "3.5", "nan", "inf", "-inf",
    "1e309", "1e-400", "0x10", "1_0", "\u0661\u0666", "9" * 5000, "16,,16", ",", "16,-1",
    "4,4", "\x00", "\udcff", "\u00e9", "a" * 300, "\n", "1\n", "-1\n", "0\n", "nan\n",
    "1\r", "-2\x0b", "1\u2028", "\x1b[31mred", "%s%n", "{}", "$(touch {m})", "`touch {m}`",
    "; touch {m}", "__import__('os').system('touch {m}')", "moons", "xor", "blobs",
    "noisy-xor", "mse", "bce", "hinge", "cross-entropy", "relu", "tanh", "sigmoid",
    "linear", "and", "or", "m.json", "x.png", "x.svg", "x.dot", "/dev/zero", "/dev/null",
    ".", "..", "-h",
]
HOSTILE = [h.replace("{m}", MARKER) for h in HOSTILE]


def tokens(command: str):
    item = st.one_of(
        st.sampled_from(options(command)),
        st.sampled_from(HOSTILE),
        st.text(max_size=12),
        st.integers(-10, 10**6).map(str),
        st.floats().map(repr),
    )
    return st.lists(item, max_size=8)


def nothing_ran(folder) -> None:
    assert not os.path.exists(os.path.join(folder, MARKER))
    assert not os.path.exists(os.path.join("/tmp", MARKER))


# What keeps a run short, appended after the random items: argparse keeps
# the last value of an option, and still checks every earlier one.
SHORT = {
    "xor": ["--epochs", "1", "--hidden", "2"],
    "train": ["--epochs", "1", "--hidden", "2", "--dataset", "xor"],
    "perceptron": ["--epochs", "3"],
    "predict": [],
    "draw": ["--max-nodes", "60", "-o", "graph.dot"],
}
# Options that name a path to write.
WRITES = ("save", "plot", "output", "frames")


def _parses(argv: list[str]):
    """The parsed namespace, or None when argparse refuses argv."""
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            return cli.build_parser().parse_args(argv)
        except SystemExit:
            return None


def bounded(argv: list[str]) -> list[str]:
    """argv made cheap to run, or a hypothesis reject when that would change
    whether it parses, or when it would write outside the current folder."""
    args = _parses(argv)
    if args is None:
        return argv  # refused while parsing: cheap as it is
    short = argv + SHORT.get(argv[0], [])
    args = _parses(short)
    if args is None:
        reject()  # e.g. a "--" made the appended options positional
    for name in WRITES:
        path = getattr(args, name, None)
        if isinstance(path, str) and (os.path.isabs(path) or ".." in path.split(os.sep)):
            reject()  # the fuzzer writes only inside its temporary folder
    if getattr(args, "frames", None) is not None:
        reject()  # filming a backward pass renders every frame: too slow here
    return short


# ---- random argument lists --------------------------------------------------

COMMANDS = ["xor", "train", "perceptron", "predict", "draw"]


@pytest.mark.parametrize("command", COMMANDS)
def test_random_arguments_never_give_a_traceback(command, in_a_temporary_folder):
    if command not in subcommands():
        pytest.skip(f"the CLI has no {command!r} command yet")

    @fuzz
    @given(tokens(command))
    def property(items):
        argv = bounded([command, *items])
        status, out, err = run_main(argv)
        check_outcome(status, out, err)
        if command not in ("xor", "train"):
            assert status in (0, 2)  # only training can fail at run time (diverge)
        nothing_ran(in_a_temporary_folder)

    property()


@fuzz
@given(st.lists(st.sampled_from(HOSTILE + COMMANDS) | st.text(max_size=10), max_size=5))
def test_random_top_level_arguments_never_give_a_traceback(items):
    if items and items[0] in subcommands():
        items = ["not-a-command", *items]  # the commands are fuzzed above
    status, out, err = run_main(items)
    check_outcome(status, out, err)
    assert status in (0, 2)
    if status == 0:  # only help and the version succeed without a command
        assert "-h" in items or not items


# ---- every rejection: status 2, one line ------------------------------------------


@pytest.mark.parametrize(
    "argv, reason",
    [
        (["train", "--epochs", "0"], "argument --epochs: must be from 1 to 1000000"),
        (["train", "--epochs", "-1\n"], "argument --epochs: must be from 1 to 1000000"),
        (["train", "--epochs", "99999999999"], "argument --epochs: must be from 1 to 1000000, got 99999999999"),
        (["train", "--epochs", "9" * 5000], "argument --epochs: expected a whole number"),
        (["train", "--lr", "nan"], "argument --lr: must be a number greater than 0"),
        (["train", "--lr=-2\x0b"], "argument --lr: must be a number greater than 0"),
        (["train", "--lr", "1e309"], "argument --lr: must be a number greater than 0"),
        (["train", "--hidden", "16,,16"], "argument --hidden: empty layer size"),
        (["train", "--hidden", "16,-1"], "argument --hidden: layer size -1"),
        (["train", "--dataset", "mnist"], "argument --dataset: invalid choice: 'mnist'"),
        (["train", "--loss", "__import__('os')"], "argument --loss: invalid choice"),
        (["train", "--seed", "\udcff"], "argument --seed: expected a whole number"),
        (["train", "--save", "no/such/folder/m.json"], "argument --save: cannot write"),
        (["train", "--save", "/dev/null"], "argument --save: cannot write '/dev/null': it is not a regular file"),
        (["train", "extra"], "unrecognized arguments: extra"),
        (["perceptron", "--gate", "nand"], "argument --gate: invalid choice: 'nand'"),
        (["predict", "--model", "/dev/zero", "1", "2"], "argument --model: /dev/zero: not a regular file"),
        (["predict", "--model", "m.json", "1", "nan\n"], "argument X: expected a finite number"),
        (["predict", "--model", "m.json", "1"], "the model takes 2 inputs, got 1"),
        (["predict", "1", "2"], "the following arguments are required: --model"),
        (["frobnicate"], "argument COMMAND: invalid choice: 'frobnicate'"),
        (["xor", "--save", "m.png"], "argument --save: cannot write 'm.png': the file name must end in .json"),
        (["xor", "--plot", "a.png", "--graph", "./a.png"],
         "argument --graph: './a.png' is also the file of --plot; give each output its own file"),
        (["xor", "--lr", "0.1", "--lr-end", "0.5"],
         "argument --lr-end: 0.5 is above --lr 0.1; a decay ends below where it starts"),
        (["train", "--dataset", "blobs", "--lr-end", "0.5"], "argument --lr-end: 0.5 is above --lr 0.1"),
        (["train", "--divergence-factor", "0.5"], "argument --divergence-factor: must be 0 (off) or a number above 1"),
        (["xor", "--momentum", "1"], "argument --momentum: must be at least 0 and below 1"),
        (["draw", "-x*2", "--set", "x=1"],
         'required: EXPRESSION (one that starts with - goes in parentheses: "(-x)*2", or after --)'),
        (["xor", "--graph-detail"], "argument --graph-detail: says how --graph draws the network; give --graph FILE too"),
        (["train", "--graph-input", "0.5,0.5"], "argument --graph-input: says how --graph draws"),
        (["xor", "--dpi", "0"], "argument --dpi: dpi must be a whole number from 20 to 1200, got 0"),
        (["draw", "x", "--set", "x=1", "--dpi", "-3"], "argument --dpi: dpi must be a whole number from 20 to 1200"),
        (["predict", "--model", "m.json", "--loss", "cross-entropy", "1", "2"],
         "argument --loss: a model trained with cross-entropy has 2 output(s); this one has 1"),
    ],
)
def test_each_rejection_exits_2_with_usage_and_a_one_line_reason(argv, reason):
    status, out, err = run_main(argv)
    assert status == 2
    assert out == ""
    check_outcome(status, out, err)
    assert reason in err.rstrip("\n").split("\n")[-1]


def test_the_real_program_exits_2_without_a_traceback_for_undecodable_bytes():
    """argv bytes that are not UTF-8 reach Python as lone surrogates."""
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_scratch", "train", b"--lr", b"\xff\xfe"],
        capture_output=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert done.stderr.rstrip().splitlines()[-1].startswith(b"micrograd-scratch train: error: argument --lr")


# ---- expressions are parsed, never run --------------------------------------------

ATTACKS = [
    "__import__('os').system('touch {path}')",
    "().__class__.__bases__[0].__subclasses__()",
    "open('{path}', 'w')",
    "exec(\"open('{path}', 'w')\")",
    "eval('1')",
    "(lambda: __import__('os').system('touch {path}'))()",
    "[x for x in ().__class__.__mro__]",
    "f'{{__import__(\"os\").system(\"touch {path}\")}}'",
    "x.__class__",
    "globals()",
    "(y := 2)",
    "x if x else y",
    "x[0]",
    "*x",
    "x; import os",
    "import os",
    "x = 2",
    "relu(x, y)",
    "relu(x=1)",
    "9 ** 9 ** 9 ** 9",
    "x ** 1e308",
    "(" * 500 + "x" + ")" * 500,
    "-" * 5000 + "x",
    "x" + "+x" * 2000,
    "",
    "   ",
    "\x00",
    "relu(",
    "1 +",
    "'text'",
    "b'bytes'",
    "True",
    "None",
    "x @ y",
    "x // y",
    "x % y",
    "x < y",
    "not x",
    "~x",
]


@pytest.mark.parametrize("attack", ATTACKS, ids=range(len(ATTACKS)))
def test_draw_never_runs_an_expression(attack, in_a_temporary_folder):
    if "draw" not in subcommands():
        pytest.skip("the CLI has no 'draw' command yet")
    path = in_a_temporary_folder / MARKER
    text = attack.format(path=path)
    status, out, err = run_main(["draw", text, "-o", "graph.dot"])
    check_outcome(status, out, err)
    assert status == 2, f"{text[:80]!r} was not refused:\n{out}{err}"
    assert not path.exists()
    nothing_ran(in_a_temporary_folder)


def test_draw_refuses_code_end_to_end_in_a_real_process(tmp_path):
    if "draw" not in subcommands():
        pytest.skip("the CLI has no 'draw' command yet")
    target = tmp_path / MARKER
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_scratch", "draw",
         f"__import__('os').system('touch {target}')", "-o", str(tmp_path / "g.dot")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert not target.exists()
    assert not (tmp_path / "g.dot").exists()


NAME = st.sampled_from(["x", "y", "w", "b"])
NUMBER_TEXT = st.sampled_from(["0", "1", "2", "0.5", "1e3", "1e308", "3"])


def _expression(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**"]), children).map(" ".join),
        st.tuples(st.sampled_from(["relu", "tanh", "sigmoid", "exp", "log", "abs", "max", "eval"]),
                  children).map(lambda t: f"{t[0]}({t[1]})"),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"-{c}"),
    )


# Mostly well-formed expressions, with now and then a function that is not
# allowed or a fragment of random text spliced in.
EXPRESSIONS = st.one_of(
    st.recursive(NAME | NUMBER_TEXT, _expression, max_leaves=12),
    st.text(max_size=30),
    st.tuples(st.recursive(NAME | NUMBER_TEXT, _expression, max_leaves=6), st.text(max_size=5)).map("".join),
)


@fuzz
@given(EXPRESSIONS, st.lists(st.tuples(NAME, st.sampled_from(["1", "-2", "0", "0.5", "nan", "x", "1e308"])), max_size=4))
def test_random_expressions_to_draw_never_give_a_traceback(text, values):
    if "draw" not in subcommands():
        return  # skipped by test_draw_never_runs_an_expression already
    argv = ["draw", text, "-o", "graph.dot"]
    if values:
        argv += ["--set", *(f"{n}={v}" for n, v in values)]
    status, out, err = run_main(bounded(argv))
    check_outcome(status, out, err)
    assert status in (0, 2)  # drawn, or refused with a reason
    nothing_ran(os.getcwd())


# ---- training that diverges ----------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["xor", "--lr", "1e6"],
        ["train", "--dataset", "xor", "--lr", "1e6"],
        ["train", "--dataset", "noisy-xor", "--loss", "mse", "--lr", "1e6", "--hidden", "4"],
        ["train", "--dataset", "moons", "--lr", "1e6", "--hidden", "4"],
        ["train", "--dataset", "blobs", "--lr", "1e6", "--hidden", "4"],
    ],
    ids=["xor", "train xor", "noisy-xor minibatches", "moons hinge", "blobs cross-entropy"],
)
def test_diverging_training_stops_with_one_line_naming_the_step(argv):
    # With the growth check off, fit's own check stops at NaN or infinity.
    status, out, err = run_main(argv + ["--divergence-factor", "0"])
    assert status == 1
    check_outcome(status, out, err)
    assert re.fullmatch(
        r"micrograd-scratch: error: (the )?(loss|a parameter) became (NaN|infinite|NaN or infinite)"
        r".* at epoch \d+, step \d+ .*\n",
        err,
    ), err
    # Not a stream of nan lines: no progress line shows nan or inf.
    progress = [line for line in out.splitlines() if line.startswith("epoch")]
    assert len(progress) <= 12
    assert not any(re.search(r"\b(nan|inf)\b", line) for line in progress), out


def test_diverging_training_in_a_real_process_exits_1_with_one_line():
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_scratch", "train", "--dataset", "xor", "--lr", "1e6",
         "--divergence-factor", "0"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1
    assert re.search(r"became (NaN|infinite).* at epoch \d+, step \d+", done.stderr), done.stderr
    assert "nan" not in done.stdout.lower()


# ---- Graphviz missing or broken: one line, and the other outputs still written ---------

BROKEN_DOT = """#!/bin/sh
echo "dot: error while loading shared libraries: libgvc.so.6: cannot open shared object file" >&2
exit 127
"""


@pytest.fixture
def broken_dot(tmp_path, monkeypatch):
    """A `dot` that is there but fails, as a broken Graphviz install does."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "dot").write_text(BROKEN_DOT)
    (folder / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def program(*argv) -> subprocess.CompletedProcess:
    return subprocess.run(["micrograd-scratch", *argv], capture_output=True, text=True, timeout=300)


def test_a_broken_dot_is_one_line_and_the_dot_source_is_written_instead(broken_dot):
    done = program("draw", "x*2", "--set", "x=1", "-o", "x.png")
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("Graphviz's dot program failed (exit status 127: dot: error while "
                                  "loading shared libraries")
    assert os.path.exists("x.dot") and not os.path.exists("x.png")


def test_a_broken_dot_after_training_still_saves_the_model(broken_dot):
    done = program("xor", "--epochs", "20", "--graph", "g.png", "--graph-detail", "--save", "s.json")
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Graphviz's dot program failed (")  # (its status, or: it stopped
    assert done.stderr.count("\n") == 1 and "so wrote g.dot instead of g.png" in done.stderr  # reading)
    assert ms.load("s.json") and os.path.exists("g.dot")


def test_a_fallback_never_overwrites_a_dot_file_of_the_user(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    (tmp_path / "mine.dot").write_text("my own graph")
    status, out, err = run_main(["draw", "x*2", "--set", "x=1", "-o", "mine.png"])
    assert status == 3 and (tmp_path / "mine.dot").read_text() == "my own graph"
    assert err.count("\n") == 1 and "mine.dot already exists and is left as it is" in err
    assert not (tmp_path / "mine.png").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot program to write graph.svg")
def test_draw_without_o_says_where_it_wrote_and_replaces_nothing():
    status, out, err = run_main(["draw", "x*2", "--set", "x=1", "-o", "graph.dot"])
    assert status == 0 and "(no -o FILE given" not in out
    status, out, err = run_main(["draw", "x*2", "--set", "x=1"])
    assert out.endswith(f"(no -o FILE given: the graph is in {os.path.abspath('graph.svg')})\n")
    mine = pathlib.Path("graph.svg").read_bytes()
    status, out, err = run_main(["draw", "x*3", "--set", "x=1"])  # graph.svg is taken now
    assert out.endswith(f"(no -o FILE given: the graph is in {os.path.abspath('graph-2.svg')})\n")
    assert pathlib.Path("graph.svg").read_bytes() == mine
    assert "x*3" in pathlib.Path("graph-2.svg").read_text(encoding="utf-8")
