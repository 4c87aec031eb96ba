"""The checks of `micrograd-scratch learn` against the answer key itself.

- Every line of the answer key matters: with any one of its statements
  removed, or replaced by `pass`, its exercise no longer passes (the
  checker is run as a learner meets it, `check(n, folder)`).
- The hints lead to the formula and never give the answer away: no hint
  holds an expression of the answer key (spaces aside), nor, for the
  hand-set network, a unit's weights written out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from micrograd_scratch.learn import EXERCISES, check, start

SOLUTIONS = Path(__file__).resolve().parent / "learn_solutions"


COMPOUND = (ast.FunctionDef, ast.ClassDef, ast.For, ast.If, ast.While, ast.With, ast.Try)


def variants(text: str) -> dict[str, str]:
    """{what was done: the key's text with it done}: each statement removed,
    and replaced by `pass`: a simple statement's every line, a compound
    statement's first line (its `def`, `for`, `if`, ...)."""
    lines = text.splitlines(keepends=True)
    out = {}
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.stmt):
            continue
        first = node.lineno - 1
        last = first + 1 if isinstance(node, COMPOUND) else node.end_lineno
        indent = re.match(r"\s*", lines[first]).group(0)
        shown = lines[first].strip()
        for how, replacement in (("removed", []), ("replaced by pass", [f"{indent}pass\n"])):
            changed = "".join(lines[:first] + replacement + lines[last:])
            if changed not in out.values():
                out[f"line {node.lineno} `{shown}` {how}"] = changed
    return out


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.file for ex in EXERCISES])
def test_every_line_of_the_answer_key_matters(ex, tmp_path):
    start(tmp_path)
    survived = []
    for what, text in variants((SOLUTIONS / ex.file).read_text()).items():
        (tmp_path / ex.file).write_text(text)
        report = check(ex.number, tmp_path, quiet=True, picture=False)
        if report.passed:
            survived.append(what)
    assert not survived, f"exercise {ex.number} still passes with " + "; ".join(survived)


def expressions(text: str) -> set[str]:
    """The answer key's expressions of two parts or more, spaces removed."""
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.BinOp, ast.Tuple, ast.List, ast.IfExp, ast.Compare, ast.Call)):
            code = re.sub(r"\s+", "", ast.unparse(node))
            if len(code) > 3:
                found.add(code)
                if isinstance(node, ast.Tuple):
                    found.add(code[1:-1])  # (b, a) written without its parentheses
    return found


def affine_units(text: str) -> set[str]:
    """The hand-set network's hidden units as words would write them from the
    key's weights ("x1 + x2 - 1"), spaces removed."""
    values = {n.targets[0].id: ast.literal_eval(n.value) for n in ast.parse(text).body
              if isinstance(n, ast.Assign)}
    units = set()
    for row, bias in zip(values["W1"], values["b1"]):
        terms = [f"{'' if w == 1 else w}x{i + 1}" for i, w in enumerate(row) if w]
        code = "+".join(terms) + (f"{bias:+g}" if bias else "")
        units.add(code)
    return units


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.file for ex in EXERCISES])
def test_hints_never_give_the_answer_keys_expressions(ex):
    key = (SOLUTIONS / ex.file).read_text()
    forbidden = expressions(key) | (affine_units(key) if ex.number == 3 else set())
    for number, hint in enumerate(ex.hints, 1):
        plain = re.sub(r"\s+", "", hint)
        given = sorted(code for code in forbidden if code in plain)
        assert not given, f"hint {number} of exercise {ex.number} gives the key's {given}: {hint}"


def test_the_hint_test_catches_a_hint_that_gives_the_answer():
    key = (SOLUTIONS / "ex04_local_grads.py").read_text()
    assert "1-out**2" in expressions(key) and "n*a**(n-1)" in expressions(key)
    assert affine_units((SOLUTIONS / "ex03_hand_relu.py").read_text()) == {"x1+x2", "x1+x2-1"}
