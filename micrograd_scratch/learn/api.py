"""What a learner calls: `start`, `check`, `hint`, `progress`.

The learner's folder holds one file per exercise (copied from
`templates/`), a README, and `.learn.json`, where the checker keeps each
file's last verdict (with a hash of the file it was given, so an edit
since is seen) and how many hints of each exercise were shown. It is
found as git finds its repository: the current folder or the nearest
above it that holds an exercise file (`find_folder`), so every command
works from inside it. A folder that cannot be written still gets every
verdict; what could not be kept (the record, the picture) is one line.
"""

from __future__ import annotations

import hashlib
import json
import sys
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator, NamedTuple

from ..drawing import render
from ..files import write_atomically
from .checks import checks_for
from .exercises import DEFAULT_DIR, EXERCISES, Exercise, exercise
from .runner import LoadError, Report, learner_folder, load, run_exercise

__all__ = ["start", "check", "check_all", "hint", "progress", "template", "folder_path",
           "find_folder", "is_exercises_folder", "NoFolder", "InsideExercises", "Hint"]

STATE_FILE = ".learn.json"


class NoFolder(ValueError):
    """The learner's folder is not there (a usage error on the command line)."""


class InsideExercises(ValueError):
    """`start` with no folder, run inside an exercises folder: it is one already."""


class Hint(NamedTuple):
    which: int  # hint `which` of `of`
    of: int
    text: str
    note: str = ""  # where the progress could not be recorded, and why; "" when it was


def folder_path(folder: str | Path | None) -> Path:
    """The learner's folder as an absolute path (./micrograd-exercises by default)."""
    return Path(DEFAULT_DIR if folder is None else folder).expanduser().resolve()


def is_exercises_folder(path: Path) -> bool:
    """A folder `learn start` wrote: it holds an exercise's file or the
    checker's record (.learn.json)."""
    return path.is_dir() and any((path / name).exists()
                                 for name in [STATE_FILE] + [ex.file for ex in EXERCISES])


def _inside(here: Path) -> Path | None:
    """The exercises folder `here` is in, as git finds its repository:
    `here` or the nearest folder above it that is one."""
    return next((folder for folder in [here, *here.parents] if is_exercises_folder(folder)), None)


def find_folder(folder: str | Path | None = None) -> Path:
    """The learner's folder: `folder` where one is given (--dir); else the
    one the current folder is in, or, from the folder `learn start` ran
    in, its ./micrograd-exercises. NoFolder, in one line, when there is none."""
    if folder is not None:
        path = folder_path(folder)
        if not path.is_dir():
            raise NoFolder(f"no exercises folder {path}: run `micrograd-scratch learn start {folder}` first")
        return path
    here = Path.cwd()
    found = _inside(here) or (here / DEFAULT_DIR if (here / DEFAULT_DIR).is_dir() else None)
    if found is None:
        raise NoFolder(f"no exercises folder in {here} or above it, nor {here / DEFAULT_DIR}: "
                       "run `micrograd-scratch learn start` first")
    return found


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

(Run them here or in any folder inside this one; from elsewhere, add
--dir and this folder's path.)
In Python or Jupyter opened here: from micrograd_scratch.learn import check; check(4)

Your code runs in a process of its own, stopped when a check's time is
up (10 s; 60 s for training): an endless loop is one line with its line.
A failed check of exercises 4, 5 and 6 draws the graph it checked, the
wrong node marked, beside your file (ex04_local_grads.svg, ...).
Once exercise 4 passes, see your rules at work in any command:
    micrograd-scratch learn use -- draw "tanh(x)" --set x=0.5 --backward
    micrograd-scratch learn use -- python my_script.py
    micrograd-scratch learn use -- jupyter lab
"""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def start(folder: str | Path | None = None) -> list[str]:
    """Write the exercise files and the README into `folder`; a file the
    learner has changed is left as it is. Returns one line per file.
    With no folder, inside an exercises folder: InsideExercises, since it
    is one (`start` names a folder to make another)."""
    if folder is None:
        inside = _inside(Path.cwd())
        if inside is not None:
            raise InsideExercises(
                f"{inside} is an exercises folder already (you are in it): check one with "
                f"`micrograd-scratch learn check 1`; `learn start {inside}` adds any file that is missing")
    path = folder_path(folder)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OSError(f"cannot make the exercises folder {path}: {_why(error)}") from None
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
        try:
            write_atomically(target, lambda f, data=text.encode("utf-8"): f.write(data))
        except OSError as error:
            raise OSError(f"cannot write the exercises into {path} ({name}: {_why(error)})") from None
        said.append(f"wrote     {name}")
    return said


def _why(error: OSError) -> str:
    """An OSError's reason without its traceback: "Permission denied"."""
    return error.strerror or str(error)


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


def _save_state(path: Path, state: dict) -> str:
    """Write the record; "" once written, else where and why not, in words
    (a read-only folder: the checks still run, only the record is lost)."""
    data = json.dumps(state, indent=1, sort_keys=True).encode("utf-8")
    try:
        write_atomically(path / STATE_FILE, lambda f: f.write(data))
    except OSError as error:
        return f"{path / STATE_FILE}: {_why(error)}"
    return ""


def _file_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def progress(folder: str | Path | None = None) -> list[tuple[Exercise, str]]:
    """Each exercise and its state, read from the folder: "missing", "not
    started" (the template as it was written), "passed" or "failing" (the
    last check of the file as it is now), "edited, not checked"."""
    path = find_folder(folder)
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
    path = find_folder(dir)
    report = run_exercise(ex, checks_for(ex.name), path, time_limit)
    not_recorded = _record(path, ex, report)
    if not_recorded:
        report.notes.append(f"the verdict was not recorded in {not_recorded}")
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


def _record(path: Path, ex: Exercise, report: Report) -> str:
    """Keep the verdict in .learn.json; "" once kept, else where and why not."""
    text = _file_text(path / ex.file)
    if text is None:
        return ""
    state = _state(path)
    state["checked"][ex.file] = {"state": report.state, "sha256": _digest(text)}
    return _save_state(path, state)


def _picture(path: Path, ex: Exercise, report: Report) -> None:
    """Write the failed check's graph beside the learner's file as SVG, or
    remove an old one once nothing fails (it would show a fixed mistake)."""
    target = path / ex.picture
    try:
        if report.picture is None:
            if target.is_file():
                target.unlink()
            return
        # drawing.render: written whole or not at all; without Graphviz's dot, the DOT
        # source instead and one line saying so (the verdict's words are all there).
        report.picture_path = render(report.picture, target)
    except OSError as error:  # a read-only folder: the verdict is whole without it
        what = "the old picture was not removed" if report.picture is None else "the picture was not written"
        report.notes.append(f"{what}: {target}: {_why(error)}")


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


def hint(number: int, dir: str | Path | None = None) -> Hint:
    """The next hint of exercise `number`: (which, of how many, its text,
    and a note where the progress could not be recorded). Once all were
    shown, the last one again."""
    ex = exercise(number)
    try:
        path = find_folder(dir)
    except NoFolder:
        path = None
    state = _state(path) if path is not None else {"checked": {}, "hints": {}}
    shown = state["hints"].get(str(number), 0)
    which = min(shown + 1, len(ex.hints))
    if path is None:
        note = ("not recorded: there is no exercises folder here or above, so the next call "
                "shows this hint again")
    else:
        state["hints"][str(number)] = which
        why = _save_state(path, state)
        note = f"not recorded in {why}, so the next call shows this hint again" if why else ""
    return Hint(which, len(ex.hints), ex.hints[which - 1], note)


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
