"""`micrograd-scratch learn use -- COMMAND`: any command on the learner's rules.

The learner's exercise 4 file has tanh's rule written with x where it
needs the output (1 - x**2: 0.75 at x = 0.5, where the right derivative
is 0.786448), so a command shows whose rule it ran. Run as a learner
would: the installed command, from inside the exercises folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_scratch import Value
from micrograd_scratch.learn import my_rules, start
from micrograd_scratch.learn.rules import RuleError

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "tests" / "learn_solutions"
KEY = (SOLUTIONS / "ex04_local_grads.py").read_text()
SCRIPT = "from micrograd_scratch import Value\nx = Value(0.5)\nx.tanh().backward()\nprint('x.grad', x.grad)\n"


def learn(*argv, cwd):
    command = shutil.which("micrograd-scratch", path=os.path.dirname(sys.executable))
    if command is None:
        pytest.skip("the micrograd-scratch command is not installed (pip install -e .)")
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATH=os.path.dirname(sys.executable)
               + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run([command, "learn", *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def folder(tmp_path):
    start(tmp_path / "ex")
    (tmp_path / "ex" / "ex04_local_grads.py").write_text(KEY.replace("1 - out**2", "1 - x**2"))
    (tmp_path / "ex" / "script.py").write_text(SCRIPT)
    return tmp_path / "ex"


@pytest.mark.parametrize("command", [
    ["python", "script.py"],
    ["micrograd-scratch", "draw", "tanh(x)", "--set", "x=0.5", "--backward", "-o", "t.svg"],
    ["draw", "tanh(x)", "--set", "x=0.5", "--backward", "-o", "t.svg"],
    # A Python that starts another, as jupyter starts its kernel.
    ["python", "-c", "import subprocess, sys; sys.exit(subprocess.call([sys.executable, 'script.py']))"],
], ids=["python script", "micrograd-scratch draw", "draw", "a Python started by the command"])
def test_any_command_runs_on_the_learners_rules(command, folder):
    result = learn("use", "--", *command, cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("your rules from exercise 4 in use: *, **, exp, log, tanh")
    assert ("x.grad 0.75" if "script.py" in " ".join(command) else "x: 0.75") in result.stdout
    assert "0.786" not in result.stdout


def test_without_learn_use_the_packages_rule_runs(folder):
    done = subprocess.run([sys.executable, "script.py"], cwd=folder, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert done.stdout.strip() == "x.grad 0.7864477329659274"


@pytest.mark.parametrize("command", [["python", "script.py"], ["draw", "tanh(x)", "--set", "x=0.5",
                                                               "--backward", "-o", "t.svg"]],
                         ids=["python script", "draw"])
@pytest.mark.parametrize("rule, says", [
    ("return 1 - x**2", "error: your tanh_grads (ex04_local_grads.py line {def_line}) returned 0.75 "
     "for tanh(0.5), a single number: return a tuple with one derivative per input, (d,)"),
    ("return (1 / (x - 0.5),)", "error: your tanh_grads raised ZeroDivisionError (float division by "
     "zero), at ex04_local_grads.py line {line} (`return (1 / (x - 0.5),)`) in tanh_grads for tanh(0.5)"),
], ids=["a bare number", "it raises"])
def test_a_rule_that_raises_or_returns_the_wrong_shape_is_one_line(rule, says, command, folder):
    text = KEY.replace("return (1 - out**2,)", rule)
    assert text != KEY, "the answer key's tanh rule has moved: update this test"
    (folder / "ex04_local_grads.py").write_text(text)
    lines = text.splitlines()
    line = next(i for i, s in enumerate(lines, 1) if s.strip() == rule)
    def_line = next(i for i, s in enumerate(lines, 1) if s.startswith("def tanh_grads"))
    result = learn("use", "--", *command, cwd=folder)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [says.format(line=line, def_line=def_line)]


def test_my_rules_in_python_raises_the_same_line(folder, monkeypatch):
    (folder / "ex04_local_grads.py").write_text(KEY.replace("return (1 - out**2,)", "return 1 - out**2"))
    with my_rules(folder):
        with pytest.raises(RuleError, match=r"your tanh_grads \(ex04_local_grads.py line \d+\) returned"):
            Value(0.5).tanh().backward()
    x = Value(0.5)  # the package's rule again, after the block
    x.tanh().backward()
    assert x.grad == pytest.approx(0.7864477329659274)


def test_a_command_that_is_not_there_and_learn_itself(folder):
    result = learn("use", "--", "no-such-command-here", cwd=folder)
    assert result.returncode == 127
    assert result.stderr.splitlines() == [
        "micrograd-scratch: error: cannot run 'no-such-command-here': No such file or directory"]
    for command in (["learn", "check"], ["micrograd-scratch", "learn", "check"]):
        result = learn("use", "--", *command, cwd=folder)
        assert result.returncode == 2 and "not learn" in result.stderr.splitlines()[-1]
