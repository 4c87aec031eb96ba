"""Running a learner's file under the checker: loading it, a time limit,
their errors in one line with their file and line, and the report.

A check is a function of the learner's loaded module. It returns the
sentence to print when it passes, or raises:

- `Failed(sentence, picture=...)`: the learner's code gave a wrong answer;
  the sentence names the mistake where the checker recognises it;
- `NotStarted`: the learner's code still raises the template's
  NotImplementedError (found here, not in each check).

Anything else the learner's code raises, a loop that runs past the time
limit, a recursion too deep: one line saying so, with the line of the
learner's file where it happened. Never a traceback of the checker's.
"""

from __future__ import annotations

import linecache
import signal
import sys
import threading
import traceback
import types
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .exercises import Exercise

__all__ = ["Failed", "need", "Check", "CheckResult", "Report", "TimeLimit", "run_exercise", "load", "where"]


class Failed(Exception):
    """A check's verdict: wrong, and why. `picture` is the graph drawn for it."""

    def __init__(self, sentence: str, picture=None):
        super().__init__(sentence)
        self.picture = picture


def need(module, *names: str) -> None:
    """Fail a check, in the learner's words, when the file has no function
    of one of these names."""
    for name in names:
        if not callable(getattr(module, name, None)):
            raise Failed(f"there is no function {name} in the file: write it")


class LoadError(Exception):
    """The learner's file cannot be loaded: missing, a syntax error, or it
    raised while it was imported. The message is the one line to show."""


class TimeLimit(BaseException):
    """The time limit ran out inside the learner's code. A BaseException,
    so that a learner's `except Exception:` does not swallow it."""


@dataclass(frozen=True)
class Check:
    title: str  # what is checked, "a * a"
    run: Callable  # run(module) -> the sentence of a pass; raises Failed
    needs_earlier: bool = False  # skipped when an earlier check of the exercise failed


@dataclass
class CheckResult:
    title: str
    state: str  # "passed", "failed", "not started", "skipped"
    sentence: str
    picture: object = None


@dataclass
class Report:
    """One exercise's checks, as `check()` and the command line print them."""

    exercise: Exercise
    results: list[CheckResult] = field(default_factory=list)
    load_error: str = ""  # the file could not be loaded at all
    picture_path: Path | None = None

    @property
    def state(self) -> str:
        """"passed", "not started" (nothing written yet) or "failing"."""
        if self.load_error:
            return "failing"
        states = {r.state for r in self.results}
        if states <= {"passed"}:
            return "passed"
        if states <= {"not started", "skipped"}:
            return "not started"
        return "failing"

    @property
    def passed(self) -> bool:
        return self.state == "passed"

    @property
    def picture(self):
        """The graph of the first failed check that drew one, or None."""
        return next((r.picture for r in self.results if r.picture is not None), None)

    def lines(self) -> list[str]:
        ex = self.exercise
        out = [f"exercise {ex.number}: {ex.title} ({ex.file})"]
        if self.load_error:
            out.append(f"  FAIL  {self.load_error}")
        marks = {"passed": "ok  ", "failed": "FAIL", "not started": "todo", "skipped": "--  "}
        for r in self.results:
            first, *more = r.sentence.split("\n")
            out.append(f"  {marks[r.state]}  {r.title}: {first}")
            out += [f"          {line}" for line in more]  # a table, under its verdict
        if self.picture_path is not None:
            out.append(f"  the graph it checked, the node marked: {self.picture_path}")
        return out

    def summary(self) -> str:
        ex = self.exercise
        done = sum(r.state == "passed" for r in self.results)
        if self.state == "passed":
            return f"exercise {ex.number} passed ({done} of {len(self.results)} checks)"
        if self.state == "not started":
            return (f"exercise {ex.number} not started: write {', '.join(ex.writes)} in {ex.file}"
                    f"; stuck? micrograd-scratch learn hint {ex.number}")
        return (f"exercise {ex.number} failing: {done} of {len(self.results)} checks passed; "
                f"stuck? micrograd-scratch learn hint {ex.number}")

    def __str__(self) -> str:
        return "\n".join(self.lines() + [self.summary()])

    def __repr__(self) -> str:
        return f"<exercise {self.exercise.number}: {self.state}>"


# ---- the learner's file ------------------------------------------------------


def load(folder: Path, ex: Exercise, time_limit: float | None) -> types.ModuleType:
    """The learner's exercise file, run afresh as a module named after the
    file (so one exercise file can import another). Compiled from its
    text each time, never from a cached .pyc: an edit made a moment ago
    is always what runs."""
    path = folder / ex.file
    if not path.is_file():
        raise LoadError(f"{path} is missing: micrograd-scratch learn start {folder} writes it")
    try:
        code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    except SyntaxError as error:
        raise LoadError(f"{type(error).__name__} in {path.name}, line {error.lineno}: {error.msg}") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise LoadError(f"cannot read {path}: {error}") from None
    module = types.ModuleType(path.stem)
    module.__file__ = str(path)
    sys.modules[path.stem] = module
    try:
        with time_limited(time_limit):
            exec(code, module.__dict__)
    except TimeLimit:
        raise LoadError(f"{path.name} did not finish loading within {time_limit:g} s{where(sys.exc_info()[2], folder)}") from None
    except (Exception, SystemExit) as error:  # SystemExit: an exit() in the file must not end the checker
        raise LoadError(f"{path.name} raised {describe(error)} while it was loaded"
                        f"{where(error.__traceback__, folder)}") from None
    return module


@contextmanager
def learner_folder(folder: Path):
    """The learner's folder first on sys.path; afterwards their modules
    are forgotten, so that the next check loads their edits, and the
    recursion limit is as it was (a learner may raise it)."""
    entry = str(folder)
    sys.path.insert(0, entry)
    before = set(sys.modules)
    limit = sys.getrecursionlimit()
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
        if entry in sys.path:
            sys.path.remove(entry)
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if Path(file).parent == folder:
                del sys.modules[name]


@contextmanager
def time_limited(seconds: float | None):
    """Raise TimeLimit in the code running after `seconds`. SIGALRM, so in
    the main thread only (the command line, a notebook's kernel); elsewhere,
    or on a system without it, no limit."""
    if (seconds is None or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def stop(signum, frame):
        raise TimeLimit()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def describe(error: BaseException) -> str:
    """An exception as one line: RecursionError (maximum recursion depth exceeded)."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__} ({text[0][:200]})" if text else type(error).__name__


def where(tb, folder: Path) -> str:
    """", at ex05_topo.py line 9 (`return order + visit(c)`) in topological_order":
    the deepest line of the learner's own files in a traceback, or ""."""
    frames = [f for f, _ in traceback.walk_tb(tb) if Path(f.f_code.co_filename).parent == folder]
    if not frames:
        return ""
    frame = frames[-1]
    file, line = frame.f_code.co_filename, frame.f_lineno
    text = linecache.getline(file, line).strip()
    shown = f" (`{text[:80]}`)" if text else ""
    function = frame.f_code.co_name
    inside = f" in {function}" if function != "<module>" else ""
    return f", at {Path(file).name} line {line}{shown}{inside}"


def not_started(error: NotImplementedError, tb, folder: Path) -> str:
    """The template's NotImplementedError("write this: backward(root)") as a sentence."""
    what = str(error).removeprefix("write this:").strip() or "this function"
    frames = [f for f, _ in traceback.walk_tb(tb) if Path(f.f_code.co_filename).parent == folder]
    at = f" ({Path(frames[-1].f_code.co_filename).name}, line {frames[-1].f_lineno})" if frames else ""
    return f"not started: write {what}{at}"


# ---- running an exercise's checks ------------------------------------------------


def run_exercise(ex: Exercise, checks: list[Check], folder: Path,
                 time_limit: float | None = None) -> Report:
    """Load the learner's file and run each check on it, every check with
    its own time limit (the exercise's unless one is given)."""
    limit = ex.time_limit if time_limit is None else time_limit
    report = Report(ex)
    with learner_folder(folder):
        try:
            module = load(folder, ex, limit)
        except LoadError as error:
            report.load_error = str(error)
            return report
        for check in checks:
            if check.needs_earlier and any(r.state != "passed" for r in report.results):
                report.results.append(CheckResult(check.title, "skipped",
                                                  "not run until the checks above pass"))
                continue
            report.results.append(_run_one(check, module, folder, limit))
    return report


def _run_one(check: Check, module, folder: Path, limit: float) -> CheckResult:
    try:
        with time_limited(limit):
            sentence = check.run(module)
    except Failed as verdict:
        return CheckResult(check.title, "failed", str(verdict), verdict.picture)
    except NotImplementedError as error:
        return CheckResult(check.title, "not started", not_started(error, error.__traceback__, folder))
    except TimeLimit:
        tb = sys.exc_info()[2]
        return CheckResult(check.title, "failed",
                           f"stopped after {limit:g} s, still running{where(tb, folder)}: "
                           "a loop that never ends, or one that does far too much work?")
    except RecursionError as error:
        return CheckResult(check.title, "failed",
                           f"RecursionError: your code called itself too deeply"
                           f"{where(error.__traceback__, folder)}; Python stops at about "
                           f"{sys.getrecursionlimit()} levels: use a loop and a stack of your own")
    except (Exception, SystemExit) as error:  # the learner's code raised: one line, their file and line
        at = where(error.__traceback__, folder)
        if not at:  # raised in the checker, on something the learner's code returned
            return CheckResult(check.title, "failed",
                               f"the checker could not use what your code returned: {describe(error)}")
        return CheckResult(check.title, "failed", f"your code raised {describe(error)}{at}")
    return CheckResult(check.title, "passed", sentence)
