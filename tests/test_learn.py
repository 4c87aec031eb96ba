"""`micrograd-scratch learn`: the exercises, their checker and its words.

- The answer key (tests/learn_solutions/), copied over a `learn start`
  folder, passes every exercise; a fresh folder is "not started" in each,
  naming what to write, never a NotImplementedError traceback.
- The corpus of wrong solutions (tests/learn_solutions/mistakes.py, one
  edit of the answer key each) fails, each with the sentence that names
  its mistake, and the picture marks the node where it shows.
- The command runs installed: exit 0 / 1 / 2, one line for a learner's
  exception, a syntax error or an endless loop, hints, the progress list,
  `learn use` running draw on the learner's rule.
- A learner's rule goes into the engine and comes back out exactly.
- In Jupyter, check() shows its picture inline (nbclient, a real kernel).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_scratch import Value, ops
from micrograd_scratch.learn import EXERCISES, check, exercise, hint, replaced_rules, start
from micrograd_scratch.learn.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "tests" / "learn_solutions"

_spec = importlib.util.spec_from_file_location("learn_mistakes", SOLUTIONS / "mistakes.py")
mistakes = importlib.util.module_from_spec(_spec)
sys.modules["learn_mistakes"] = mistakes  # dataclasses look their module up there
_spec.loader.exec_module(mistakes)
MISTAKES = mistakes.MISTAKES


def solve(folder: Path, *numbers: int) -> None:
    """Copy the answer key's files of `numbers` (all by default) into folder."""
    for ex in EXERCISES:
        if not numbers or ex.number in numbers:
            shutil.copy(SOLUTIONS / ex.file, folder / ex.file)


def marked_label(picture) -> str:
    """The label of the node a picture marks as wrong."""
    (line,) = [line for line in picture.source.splitlines() if "wrong here" in line]
    return re.search(r"<B>([^<]*)</B>", line).group(1)


# ---- the answer key, and a fresh folder ------------------------------------------


def test_the_answer_key_passes_every_exercise(tmp_path):
    start(tmp_path)
    solve(tmp_path)
    for ex in EXERCISES:
        report = check(ex.number, tmp_path, quiet=True)
        assert report.passed, str(report)
        assert not (tmp_path / ex.picture).exists()


def test_a_fresh_folder_says_each_exercise_is_not_started(tmp_path):
    start(tmp_path)
    for ex in EXERCISES:
        report = check(ex.number, tmp_path, quiet=True)
        text = str(report)
        assert report.state == "not started", text
        assert f"exercise {ex.number} not started: write {', '.join(ex.writes)} in {ex.file}" in text
        assert "Traceback" not in text and "NotImplementedError" not in text
        if ex.number != 3:  # constants, not functions: no line to point at
            assert f"not started: write {ex.writes[0]}" in text


def test_start_never_overwrites_the_learners_file(tmp_path):
    start(tmp_path)
    mine = tmp_path / exercise(4).file
    mine.write_text("# my work\n")
    said = start(tmp_path)
    assert mine.read_text() == "# my work\n"
    assert f"kept      {mine.name} (already there, and yours: changed)" in said


# ---- the corpus of mistakes ----------------------------------------------------------


def test_the_corpus_has_the_classic_mistakes():
    assert len(MISTAKES) >= 30
    said = " ".join(m.says for m in MISTAKES)
    for classic in ("the upstream gradient is missing", "`x` where `out` belongs",
                    "a sign inside the formula", "`=` where `+=` belongs", "lists the shared node",
                    "operator precedence", "`lr` is given but never used", "a sign in the update",
                    "the parameters' gradients are not 0", "RecursionError on a chain"):
        assert classic in said, classic


@pytest.mark.parametrize("mistake", MISTAKES, ids=[f"{m.exercise}: {m.what}" for m in MISTAKES])
def test_each_mistake_is_named(mistake, tmp_path):
    ex = exercise(mistake.exercise)
    text = (SOLUTIONS / ex.file).read_text()
    for old, new in mistake.edits:
        if not old:
            text = new  # a whole file of its own
            continue
        assert old in text, f"the answer key of exercise {ex.number} has no {old!r}"
        text = text.replace(old, new)
    (tmp_path / ex.file).write_text(text)
    endless = "never ends" in mistake.what
    report = check(ex.number, tmp_path, quiet=True, time_limit=1.0 if endless else None)
    said = str(report)
    assert report.state == "failing", said
    assert mistake.says in said, said
    assert "Traceback" not in said
    assert "you forgot" not in said and "you wrote" not in said, said
    if mistake.marked:
        assert report.picture is not None, said
        assert marked_label(report.picture) == mistake.marked, said


# ---- the learner's rule in the engine ----------------------------------------------------


def test_a_rule_is_plugged_in_and_taken_back_out():
    op = ops.OPS["tanh"]
    fields, method = dict(vars(op)), Value.tanh
    with replaced_rules({"tanh": lambda out, x: (42.0,), "*": lambda out, a, b: (a, b)}):
        x = Value(0.5)
        x.tanh().backward()
        assert x.grad == 42.0  # backward() runs the learner's rule
        a, b = Value(2.0), Value(5.0)
        (a * b).backward()
        assert (a.grad, b.grad) == (2.0, 5.0)
    assert vars(op) == fields and Value.tanh is method
    x = Value(0.5)
    x.tanh().backward()
    assert x.grad == pytest.approx(1 - math.tanh(0.5) ** 2)


def test_the_rules_of_exercise_4_are_ops():
    assert set(RULES) <= set(ops.OPS)


# ---- the command, installed ----------------------------------------------------------------


def learn(*argv, cwd=None):
    command = shutil.which("micrograd-scratch", path=os.path.dirname(sys.executable))
    if command is None:
        pytest.skip("the micrograd-scratch command is not installed (pip install -e .)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([command, "learn", *argv], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_command_from_start_to_passing(tmp_path):
    folder = tmp_path / "ex"
    result = learn("start", str(folder))
    assert result.returncode == 0 and "wrote     ex04_local_grads.py" in result.stdout
    result = learn("check", "--dir", str(folder))  # all, stopping at the first
    assert result.returncode == 1
    assert "exercise 1 not started: write predict, update" in result.stdout
    assert "exercise 2" not in result.stdout

    solve(folder, 4)
    result = learn("check", "4", "--dir", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "exercise 4 passed (7 of 7 checks)" in result.stdout
    listing = learn("list", "--dir", str(folder)).stdout
    assert re.search(r"ex04_local_grads\.py\s+passed", listing)
    assert re.search(r"ex05_topo\.py\s+not started", listing)
    (folder / "ex04_local_grads.py").write_text((SOLUTIONS / "ex04_local_grads.py").read_text()
                                                .replace("1 - out**2", "1 - x**2"))
    assert re.search(r"ex04_local_grads\.py\s+edited, not checked", learn("list", "--dir", str(folder)).stdout)

    # The learner's (wrong) tanh rule is what draw runs, inside `learn use`.
    result = learn("use", "--dir", str(folder), "--", "draw", "tanh(x)", "--set", "x=0.5",
                   "--backward", "-o", str(tmp_path / "t.svg"))
    assert result.returncode == 0, result.stderr
    assert "x: 0.75" in result.stdout  # 1 - x**2, not 1 - tanh(x)**2 = 0.786448
    result = learn("check", "4", "--dir", str(folder))
    assert result.returncode == 1
    assert "`x` where `out` belongs: with `out` in place of your `x`" in result.stdout
    assert (folder / "ex04_local_grads.svg").exists()


def test_learn_with_no_action_lists_or_says_to_start(tmp_path):
    result = learn(cwd=tmp_path)  # no folder yet: a usage error in one line
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(
        "run `micrograd-scratch learn start` first")
    learn("start", cwd=tmp_path)
    result = learn(cwd=tmp_path)
    assert result.returncode == 0 and re.search(r"ex01_\w+\.py\s+not started", result.stdout)


def test_the_learners_errors_are_one_line(tmp_path):
    start(tmp_path)
    (tmp_path / "ex05_topo.py").write_text("def topological_order(root):\n    return 1 / 0\n")
    result = learn("check", "5", "--dir", str(tmp_path))
    assert result.returncode == 1
    assert ("your code raised ZeroDivisionError (division by zero), at ex05_topo.py line 2 "
            "(`return 1 / 0`) in topological_order") in result.stdout
    assert "Traceback" not in result.stdout + result.stderr

    (tmp_path / "ex05_topo.py").write_text("def topological_order(root)\n    return []\n")
    assert "SyntaxError in ex05_topo.py, line 1" in str(check(5, tmp_path, quiet=True))

    (tmp_path / "ex05_topo.py").write_text("def topological_order(root):\n    while True:\n        pass\n")
    result = learn("check", "5", "--dir", str(tmp_path), "--time-limit", "0.5")
    assert result.returncode == 1
    assert "still running on a chain 100,000 deep when the time ran out, at ex05_topo.py line" in result.stdout
    assert "stopped after 0.5 s, still running, at ex05_topo.py line 2" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("argv, says", [
    (["check", "0"], "'0' is not an exercise: the exercises are 1 to 10"),
    (["check", "4", "--dir", "no-such-folder"], "no exercises folder"),
    (["use"], "name the command to run after --"),
])
def test_bad_arguments_exit_2(argv, says, tmp_path):
    result = learn(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr


def test_hints_go_from_a_nudge_to_the_formula_and_never_print_code(tmp_path):
    start(tmp_path)
    code = {line.strip() for ex in EXERCISES for line in (SOLUTIONS / ex.file).read_text().splitlines()
            if len(line.strip()) > 12 and not line.strip().startswith(("def ", "class ", "from ", "import "))}
    for ex in EXERCISES:
        for text in ex.hints:
            assert not [line for line in code if line in text], (ex.number, text)
    assert [hint(6, tmp_path)[:2] for _ in range(3)] == [(1, 3), (2, 3), (3, 3)]
    shown = learn("hint", "6", "--dir", str(tmp_path)).stdout  # the last one again
    assert shown.startswith(f"hint 3 of 3 for exercise 6: {exercise(6).hints[2]}")
    state = json.loads((tmp_path / ".learn.json").read_text())
    assert state["hints"] == {"6": 3}


# ---- Jupyter ------------------------------------------------------------------------------


def test_check_shows_its_picture_inline_in_jupyter(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="the notebook test needs nbformat")
    nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient")
    pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel (a real kernel)")
    if shutil.which("dot") is None:
        pytest.skip("the picture needs Graphviz's dot program (apt-get install graphviz)")
    spec = tmp_path / "jupyter" / "kernels" / "micrograd-learn"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "micrograd-scratch tests", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    folder = tmp_path / "ex"
    start(folder)
    (folder / "ex04_local_grads.py").write_text((SOLUTIONS / "ex04_local_grads.py").read_text()
                                                .replace("1 - out**2", "1 - x**2"))
    cell = f"from micrograd_scratch.learn import check\nreport = check(4, {str(folder)!r})"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    nbclient.NotebookClient(nb, kernel_name="micrograd-learn", timeout=120).execute()
    outputs = nb.cells[0].outputs
    text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
    assert "`x` where `out` belongs: with `out` in place of your `x`" in text
    pictures = [o["data"]["image/svg+xml"] for o in outputs if o["output_type"] == "display_data"]
    assert len(pictures) == 1 and "wrong here" in pictures[0]


# ---- repairs: how a cause is proven --------------------------------------------------------


WHILE_MOMENTUM = '''class Momentum:
    def __init__(self, params, lr=0.1, mu=0.9):
        self.params, self.lr, self.mu = list(params), lr, mu
        self.v = [0.0] * len(self.params)

    def step(self):
        i = 0
        while i < len(self.params):
            p = self.params[i]
            self.v[i] = self.mu * self.v[i] + p.grad
            p.data += self.lr * self.v[i]
            i += 1
'''


def test_a_repair_that_loops_forever_is_stopped_and_the_file_is_never_written(tmp_path):
    # Among the repairs tried, `i -= 1` for `i += 1` makes the while loop endless:
    # the repair's budget stops it, and the proven cause still comes, well inside
    # the exercise's time limit.
    start(tmp_path)
    mine = tmp_path / exercise(10).file
    mine.write_text(WHILE_MOMENTUM)
    report = check(10, tmp_path, quiet=True, time_limit=20.0)
    said = str(report)
    assert "a sign in the update: with `p.data -= self.lr * self.v[i]` in place of your " \
           "`p.data += self.lr * self.v[i]` (line 11)" in said, said
    assert "stopped after" not in said
    assert mine.read_text() == WHILE_MOMENTUM


def test_two_repairs_that_pass_are_both_given(tmp_path):
    start(tmp_path)
    key = (SOLUTIONS / exercise(9).file).read_text()
    (tmp_path / exercise(9).file).write_text(key.replace("    if k >= tau:", "    if k > tau + 1:"))
    said = str(check(9, tmp_path, quiet=True))
    assert "2 repairs each make this check pass, so it is one of these: a sign inside the formula: " \
           "with `tau - 1` in place of your `tau + 1` (line 5)" in said, said
    assert "; or the boundary of a comparison: with `k >= tau + 1` in place of your `k > tau + 1`" in said
