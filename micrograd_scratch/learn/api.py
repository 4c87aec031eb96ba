"""What a learner calls: `start`, `check`, `hint`, `progress`.

The learner's folder holds one file per exercise (copied from
`templates/`), a README, and `.learn.json`, where the checker keeps each
file's last verdict (with a hash of the file it was given, so an edit
since is seen) and how many hints of each exercise were shown.
"""

from __future__ import annotations

import hashlib
import json
import sys
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator

from ..drawing import render
from ..files import write_atomically
from .checks import checks_for
from .exercises import DEFAULT_DIR, EXERCISES, Exercise, exercise
from .runner import LoadError, Report, learner_folder, load, run_exercise

__all__ = ["start", "check", "check_all", "hint", "progress", "template", "folder_path",
           "NoFolder"]

STATE_FILE = ".learn.json"


class NoFolder(ValueError):
    """The learner's folder is not there (a usage error on the command line)."""


def folder_path(folder: str | Path | None) -> Path:
    """The learner's folder as an absolute path (./micrograd-exercises by default)."""
    return Path(DEFAULT_DIR if folder is None else folder).expanduser().resolve()


def _existing(folder: str | Path | None) -> Path:
    path = folder_path(folder)
    if not path.is_dir():
        command = "micrograd-scratch learn start" + ("" if folder is None else f" {folder}")
        raise NoFolder(f"no exercises folder {path}: run `{command}` first")
    return path


def template(ex: Exercise) -> str:
    """The text of an exercise's template, as `start` writes it."""
    return resources.files(__package__).joinpath("templates", ex.file).read_text(encoding="utf-8")


def readme() -> str:
    """The folder's README: how to check, and the exercises in order."""
    rows = "\n".join(f"  {ex.number:>2}. {ex.file:<24} {ex.title}" for ex in EXERCISES)
    return f"""Learn by writing it: deep learning from scratch, one piece at a time.

Each file below holds one exercise of the talk, in its order: its
docstring says what to write and the math behind it, and each body
raises NotImplementedError until you write it.

{rows}

    micrograd-scratch learn check 4     # check one exercise
    micrograd-scratch learn check       # all of them, stopping at the first that fails
    micrograd-scratch learn hint 4      # the next hint, from a nudge to the formula
    micrograd-scratch learn             # every exercise's state

(Run them here, or add --dir {DEFAULT_DIR} from the folder above.)
In Python or Jupyter: from micrograd_scratch.learn import check; check(4)

A failed check of exercises 4, 5 and 6 draws the graph it checked, the
wrong node marked, beside your file (ex04_local_grads.svg, ...).
Once exercise 4 passes, see your rules at work in any command:
    micrograd-scratch learn use -- draw "tanh(x)" --set x=0.5 --backward
"""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def start(folder: str | Path | None = None) -> list[str]:
    """Write the exercise files and the README into `folder`; a file the
    learner has changed is left as it is. Returns one line per file."""
    path = folder_path(folder)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{path} is a file, not a folder")
    path.mkdir(parents=True, exist_ok=True)
    said = []
    files = [(ex.file, template(ex)) for ex in EXERCISES] + [("README.txt", readme())]
    for name, text in files:
        target = path / name
        if target.exists():
            try:
                same = target.read_text(encoding="utf-8") == text
            except (OSError, UnicodeDecodeError):
                same = False
            said.append(f"kept      {name} (already there{'' if same else ', and yours: changed'})")
            continue
        write_atomically(target, lambda f, data=text.encode("utf-8"): f.write(data))
        said.append(f"wrote     {name}")
    return said


# ---- the state kept in the folder -------------------------------------------------


def _state(path: Path) -> dict:
    try:
        state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"checked": {}, "hints": {}}
    if not isinstance(state, dict):
        return {"checked": {}, "hints": {}}
    state.setdefault("checked", {})
    state.setdefault("hints", {})
    return state


def _save_state(path: Path, state: dict) -> None:
    data = json.dumps(state, indent=1, sort_keys=True).encode("utf-8")
    try:
        write_atomically(path / STATE_FILE, lambda f: f.write(data))
    except OSError:
        pass  # a read-only folder: the checks still run, only the record is lost


def _file_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def progress(folder: str | Path | None = None) -> list[tuple[Exercise, str]]:
    """Each exercise and its state, read from the folder: "missing", "not
    started" (the template as it was written), "passed" or "failing" (the
    last check of the file as it is now), "edited, not checked"."""
    path = _existing(folder)
    state = _state(path)
    rows = []
    for ex in EXERCISES:
        text = _file_text(path / ex.file)
        if text is None:
            rows.append((ex, "missing"))
        elif text == template(ex):
            rows.append((ex, "not started"))
        else:
            last = state["checked"].get(ex.file, {})
            fresh = last.get("sha256") == _digest(text)
            rows.append((ex, last.get("state", "?") if fresh else "edited, not checked"))
    return rows


# ---- checking ------------------------------------------------------------------------


def check(number: int | None = None, dir: str | Path | None = None, *,
          time_limit: float | None = None, quiet: bool = False, picture: bool = True):
    """Check exercise `number` in the learner's folder, print the verdict
    of every check, and return the Report (`report.passed`). With no
    number, check every exercise in order and stop at the first that does
    not pass; return the list of reports.

    In Jupyter the picture of a failed graph check shows inline; it is
    also written beside the learner's file (ex06_backward.svg).
    """
    if number is None:
        return check_all(dir, time_limit=time_limit, quiet=quiet, picture=picture)
    ex = exercise(number)
    path = _existing(dir)
    report = run_exercise(ex, checks_for(ex.name), path, time_limit)
    _record(path, ex, report)
    if picture:
        _picture(path, ex, report)
    if not quiet:
        print(report, flush=True)
        if report.picture is not None:
            _show_inline(report.picture)
    return report


def check_all(dir: str | Path | None = None, **options) -> list[Report]:
    reports = []
    for ex in EXERCISES:
        reports.append(check(ex.number, dir, **options))
        if not reports[-1].passed:
            break
    return reports


def _record(path: Path, ex: Exercise, report: Report) -> None:
    text = _file_text(path / ex.file)
    if text is None:
        return
    state = _state(path)
    state["checked"][ex.file] = {"state": report.state, "sha256": _digest(text)}
    _save_state(path, state)


def _picture(path: Path, ex: Exercise, report: Report) -> None:
    """Write the failed check's graph beside the learner's file as SVG, or
    remove an old one once nothing fails (it would show a fixed mistake)."""
    target = path / ex.picture
    if report.picture is None:
        if target.exists():
            target.unlink()
        return
    # drawing.render: written whole or not at all; without Graphviz's dot, the DOT
    # source instead and one line saying so (the verdict's words are all there).
    report.picture_path = render(report.picture, target)


def _show_inline(picture) -> None:
    """In a Jupyter kernel, display the picture below the verdict."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return
    ipython = shell.get_ipython()
    if ipython is None or not hasattr(ipython, "kernel"):
        return
    from IPython.display import display

    display(picture)


# ---- hints and the learner's module ---------------------------------------------------


def hint(number: int, dir: str | Path | None = None) -> tuple[int, int, str]:
    """The next hint of exercise `number`: (which, of how many, its text).
    Once all were shown, the last one again."""
    ex = exercise(number)
    path = folder_path(dir)
    state = _state(path) if path.is_dir() else {"checked": {}, "hints": {}}
    shown = state["hints"].get(str(number), 0)
    which = min(shown + 1, len(ex.hints))
    if path.is_dir():
        state["hints"][str(number)] = which
        _save_state(path, state)
    return which, len(ex.hints), ex.hints[which - 1]


@contextmanager
def loaded(path: Path, number: int) -> Iterator:
    """The learner's module of exercise `number`, loaded for the block."""
    ex = exercise(number)
    with learner_folder(path):
        try:
            module = load(path, ex, None)
        except LoadError as error:
            raise ValueError(str(error)) from None
        yield module
