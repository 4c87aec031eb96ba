"""The README's Python snippet runs and prints what it says it prints."""

from __future__ import annotations

import contextlib
import io
import pathlib
import re

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_api_snippet_runs_and_learns_xor():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README.md has no ```python block"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(blocks[0], "README.md", "exec"), {})
    assert printed.getvalue().strip() == "[0.0, 1.0, 1.0, 0.0]"


def _section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_the_add_your_own_op_snippet_runs_and_prints_what_it_says():
    from micrograd_scratch import Value, ops

    (snippet,) = re.findall(r"```python\n(.*?)```", _section("Add your own op"), re.S)
    printed = io.StringIO()
    saved = dict(ops.OPS)
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(snippet, "README.md", "exec"), {})
    finally:  # the snippet adds an op for the whole process: take it back out
        for name in set(ops.OPS) - set(saved):
            del ops.OPS[name]
            if hasattr(Value, name):
                delattr(Value, name)
    assert printed.getvalue().split("\n")[:-1] == [
        "0.6225", "0.235", "True", "SoftplusNeuron(3)", "True",
    ]


def test_the_sin_and_cos_it_shows_are_the_ones_ops_py_defines():
    source = (README.parent / "micrograd_scratch" / "ops.py").read_text()
    (excerpt,) = re.findall(r"```text\n(.*?)```", _section("Add your own op"), re.S)
    for definition in excerpt.strip().split("\n\n"):
        assert definition in source, f"README shows a definition ops.py does not have:\n{definition}"
