"""docs/tutorial.md cannot go stale: every snippet in it runs, and every
example, module, function and picture it points at exists.

The snippets are doctest examples (`>>>` lines with their expected output,
in ```pycon fences). The file is cut at its `## ` headings and each
section is one test, so a failure names the section. Sections run in
order in one shared namespace, as a reader would type them into one
Python session; each test reports its own section's result.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"


def sections() -> list[tuple[str, int, str]]:
    """(heading, first line number, text) for each `## ` section; the text
    before the first heading is the section "introduction"."""
    lines = TUTORIAL.read_text(encoding="utf-8").splitlines(keepends=True)
    found = [("introduction", 0, [])]
    for number, line in enumerate(lines):
        if line.startswith("## "):
            found.append((line[3:].strip(), number, []))
        # A code fence is not part of the expected output above it: blank it
        # (a blank line ends doctest's expected output; numbering is kept).
        found[-1][2].append("\n" if line.startswith("```") else line)
    return [(title, start, "".join(text)) for title, start, text in found]


SECTIONS = sections() if TUTORIAL.exists() else []


def _torch_installed() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def results() -> dict[str, str]:
    """Run every section's examples in order; {heading: failure report}
    (an empty report when the section passed, None when it was skipped
    because it imports torch and torch is not installed)."""
    parser = doctest.DocTestParser()
    globs: dict = {"__name__": "tutorial"}
    reports = {}
    for title, start, text in SECTIONS:
        if ">>> import torch" in text and not _torch_installed():
            reports[title] = None  # PyTorch is optional: skipped, see below
            continue
        test = parser.get_doctest(text, globs, title, str(TUTORIAL), start)
        out: list[str] = []
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test, out=out.append, clear_globs=False)
        reports[title] = "".join(out)
        globs = test.globs  # the next section continues the same session
    return reports


def test_the_tutorial_exists_and_has_snippets():
    assert TUTORIAL.exists(), "docs/tutorial.md is missing"
    examples = sum(len(doctest.DocTestParser().get_examples(text)) for _, _, text in SECTIONS)
    assert examples >= 20


@pytest.mark.parametrize("title", [s[0] for s in SECTIONS])
def test_section_snippets_run(title, results):
    if results[title] is None:
        pytest.skip("this section's snippets need PyTorch, which is not installed")
    assert not results[title], f"section {title!r} of docs/tutorial.md:\n{results[title]}"


# ---- what the prose points at ------------------------------------------------------

TEXT = TUTORIAL.read_text(encoding="utf-8") if TUTORIAL.exists() else ""


def test_every_example_it_names_exists():
    named = set(re.findall(r"examples/[\w.]+\.py", TEXT))
    assert named, "the tutorial points at no example"
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"docs/tutorial.md names examples that do not exist: {missing}"


def _resolve(dotted: str):
    """`engine.Value.__mul__` or `drawing.frames.backward_frames` (relative to
    micrograd_scratch) -> the object. Modules are imported by name, not
    reached as attributes: the package's attribute `draw` is the function."""
    parts = dotted.split(".")
    n = 1
    while n < len(parts):  # the longest prefix that is a module
        try:
            importlib.import_module("micrograd_scratch." + ".".join(parts[: n + 1]))
        except ImportError:
            break
        n += 1
    obj = importlib.import_module("micrograd_scratch." + ".".join(parts[:n]))
    for name in parts[n:]:
        obj = getattr(obj, name)
    return obj


DOCUMENTS = [TUTORIAL, ROOT / "README.md", ROOT / "docs" / "engine.md"]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_function_it_names_exists(document):
    # References are written `module.name` in backquotes, e.g. `engine.chain_rule`
    # or, in a subpackage, `drawing.frames.backward_frames`.
    text = document.read_text(encoding="utf-8")
    package = ROOT / "micrograd_scratch"
    modules = [p.stem for p in package.glob("*.py") if p.stem != "__init__"]
    modules += [p.parent.name for p in package.glob("*/__init__.py")]
    pattern = r"`((?:%s)(?:\.\w+)+)(?:\(\))?`" % "|".join(modules)
    named = {d for d in re.findall(pattern, text) if not d.endswith(".py")}  # not file names
    assert len(named) >= 3, f"{document.name} points at too few functions: {sorted(named)}"
    missing = []
    for dotted in sorted(named):
        try:
            _resolve(dotted)
        except (ImportError, AttributeError):
            missing.append(dotted)
    assert not missing, f"{document.name} names what the package does not have: {missing}"


def test_every_module_file_it_names_exists():
    named = set(re.findall(r"`(\w+\.py)`", TEXT))
    missing = sorted(f for f in named if not (ROOT / "micrograd_scratch" / f).exists())
    assert not missing, f"docs/tutorial.md names modules that do not exist: {missing}"


def test_every_picture_it_shows_exists():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", TEXT)
    missing = [p for p in pictures if not (TUTORIAL.parent / p).exists()]
    assert not missing, f"docs/tutorial.md shows pictures that do not exist: {missing}"


def test_every_command_line_it_shows_parses():
    # Inline `micrograd-scratch ...` and the lines of ```sh blocks; parsed
    # (so every option and value must exist), not run.
    from micrograd_scratch.cli import build_parser

    inline = re.findall(r"`(micrograd-scratch [^`]+)`", TEXT)
    in_blocks = re.findall(r"^(micrograd-scratch .*?)\s*(?:#.*)?$", TEXT, re.M)
    commands = {" ".join(c.split()) for c in inline + in_blocks}
    assert len(commands) >= 5
    refused = {}
    for command in sorted(commands):
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                build_parser().parse_args(shlex.split(command)[1:])
        except SystemExit:
            refused[command] = err.getvalue().strip().splitlines()[-1]
    assert not refused, f"docs/tutorial.md shows command lines that do not parse: {refused}"
