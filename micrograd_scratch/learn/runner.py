"""Running a learner's file under the checker: in a process of its own,
with a time limit it cannot escape, their errors in one line with their
file and line, and the report.

A check is a function of the learner's loaded module. It returns the
sentence to print when it passes, or raises:

- `Failed(sentence, picture=...)`: the learner's code gave a wrong answer;
  the sentence names the mistake where the checker recognises it;
- `NotStarted`: the learner's code still raises the template's
  NotImplementedError (found here, not in each check).

Anything else the learner's code raises, a loop that runs past the time
limit, a recursion too deep: one line saying so, with the line of the
learner's file where it happened. Never a traceback of the checker's.

The learner's code runs in a child process (`child.py`): it loads their
file and runs the checks on it, one at a time, as this process asks, and
sends back each check's state and sentence. The Report, the exercise's
state and the exit status are made here, from those messages, so nothing
the learner's file does to the child's copy of this module, of Report or
of the checks changes them. A child that runs past its time limit is
ended (SIGKILL, which no code can catch or ignore), one that crashes or
exits is seen to, and each is one line naming the learner's file and the
line it was running, where that could be seen.
"""

from __future__ import annotations

import ast
import json
import linecache
import os
import re
import secrets
import selectors
import signal
import subprocess
import sys
import threading
import time
import traceback
import types
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .exercises import Exercise

__all__ = ["Failed", "need", "Check", "CheckResult", "Report", "TimeLimit", "run_exercise", "load",
           "where", "GRACE"]


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
    so that a learner's `except Exception:` does not swallow it (a bare
    `except:` does: then the checker ends the whole process, GRACE later)."""


# How long past its time limit a check's process may run before it is
# ended: the limit raises TimeLimit in the learner's code first, which a
# check may turn into its own sentence; code that catches it or blocks its
# signal is killed this much later.
GRACE = 0.5


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
    notes: list[str] = field(default_factory=list)  # what was not written, and why

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
        out += [f"  ({note})" for note in self.notes]
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
        with time_limited(time_limit, folder):
            exec(code, module.__dict__)
    except TimeLimit:
        raise LoadError(f"{path.name} did not finish loading within {time_limit:g} s{where(sys.exc_info()[2], folder)}") from None
    except BaseException as error:  # SystemExit, GeneratorExit...: one line, not the end of the checker
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


# Where the learner's code was when the time limit stopped it: the frame
# the signal interrupted and the location `locate` worked out from the
# samples taken before it (see time_limited); `where` reads it.
_stopped: tuple = (None, "")
# Called with each sample, [[file, line, function], ...] outermost first,
# in the child process (it sends them on, for a child that must be killed).
on_sample: Callable | None = None
SAMPLES = 5  # stacks sampled in the last half second before the limit
SAMPLE_EVERY = 0.1


@contextmanager
def time_limited(seconds: float | None, folder: Path | None = None):
    """Raise TimeLimit in the code running after `seconds`. SIGALRM, so in
    the main thread only (the command line, a notebook's kernel); elsewhere,
    or on a system without it, no limit. In its last half second a thread
    samples where the main thread is, so that a stop inside a loop is
    reported at the loop, not at whatever the loop had just called (the
    learner's code: the files in `folder`). In the browser (Pyodide: no
    threads, no signals) no limit either: the page ends the worker instead."""
    if (seconds is None or not hasattr(signal, "setitimer") or sys.platform == "emscripten"
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    global _stopped
    samples: list = []
    done = threading.Event()
    main = threading.get_ident()
    frames_now = sys._current_frames  # bound now: the learner's code may replace sys's

    def sample() -> None:
        if done.wait(max(0.0, seconds - SAMPLES * SAMPLE_EVERY)):
            return
        while not done.is_set():  # on past the limit too: where a loop that swallowed it went on
            frame = frames_now().get(main)
            if frame is not None:
                stack = _stack(frame)
                samples.append(stack)
                if on_sample is not None:
                    on_sample(stack)
            done.wait(SAMPLE_EVERY)

    def stop(signum, frame):
        global _stopped
        theirs = [f for f in _frames(frame)
                  if folder is None or Path(f.f_code.co_filename).parent == folder]
        _stopped = (theirs[0] if theirs else None, locate(samples[-SAMPLES:] + [_stack(frame)], folder))
        raise TimeLimit()

    sampler = threading.Thread(target=sample, name="micrograd-scratch time limit", daemon=True)
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    sampler.start()
    try:
        yield
    finally:
        done.set()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _frames(frame) -> list:
    """frame and its callers, innermost first."""
    out = []
    while frame is not None:
        out.append(frame)
        frame = frame.f_back
    return out


def _stack(frame) -> list[list]:
    """The stack above `frame` as [[file, line, function], ...], outermost first."""
    return [[f.f_code.co_filename, f.f_lineno, f.f_code.co_name] for f in reversed(_frames(frame))]


def locate(stacks: list, folder: Path | None = None) -> str:
    """", at ex01_perceptron.py line 9 (`while True:`) in update": where a
    running program was, from stacks sampled a moment apart (each
    [[file, line, function], ...], outermost first). Only the learner's
    files count (those in `folder`, or, without one, any file but the
    package's and Python's own). The place is the deepest frame every
    sample shares, and from there outwards the first that is inside a for
    or while loop (the innermost loop holding every sample's line): the
    loop, not whatever the loop had just called. "" when no sample shows
    their code."""
    def theirs(file: str) -> bool:
        if folder is not None:
            return Path(file).parent == folder
        return not file.startswith(("<", _PACKAGE, _PYTHON))

    stacks = [[tuple(f) for f in stack if theirs(f[0])] for stack in stacks]
    stacks = [s for s in stacks if s]
    if not stacks:
        return ""
    depth = 0
    while (all(len(s) > depth for s in stacks)
           and len({(s[depth][0], s[depth][2]) for s in stacks}) == 1):
        depth += 1
    if depth == 0:  # no frame in common: the latest sample's innermost
        stacks, depth = stacks[-1:], len(stacks[-1])
    # The innermost shared frame that is inside a loop of its own file: a loop
    # that calls a function spends most of its time in it, but runs in its caller.
    for level in reversed(range(depth)):
        file, _, function = stacks[0][level]
        lines = sorted({s[level][1] for s in stacks})
        loop = _innermost_loop(file, lines)
        if loop:
            return _at(file, loop, function)
    file, _, function = stacks[0][depth - 1]
    lines = sorted({s[depth - 1][1] for s in stacks})
    if len(lines) > 1:
        inside = f" in {function}" if function != "<module>" else ""
        return f", at {Path(file).name} lines {lines[0]} to {lines[-1]}{inside}"
    return _at(file, lines[0], function)


def _at(file: str, line: int, function: str) -> str:
    """", at ex05_topo.py line 9 (`return order + visit(c)`) in topological_order"."""
    inside = f" in {function}" if function != "<module>" else ""
    return f", at {Path(file).name} line {line}{_quoted(file, line)}{inside}"


_PACKAGE = str(Path(__file__).resolve().parent.parent)
_PYTHON = str(Path(traceback.__file__).resolve().parent)


def _quoted(file: str, line: int) -> str:
    text = linecache.getline(file, line).strip()
    return f" (`{text[:80]}`)" if text else ""


def _innermost_loop(file: str, lines: list[int]) -> int | None:
    """The first line of the innermost for or while loop of `file` that
    holds every one of `lines`, or None."""
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    best = None
    for node in ast.walk(tree):
        if (isinstance(node, (ast.For, ast.While, ast.AsyncFor))
                and node.lineno <= lines[0] and lines[-1] <= (node.end_lineno or node.lineno)):
            if best is None or node.lineno >= best.lineno:
                best = node
    return best.lineno if best else None


def describe(error: BaseException) -> str:
    """An exception as one line: RecursionError (maximum recursion depth exceeded)."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__} ({text[0][:200]})" if text else type(error).__name__


def where(tb, folder: Path) -> str:
    """", at ex05_topo.py line 9 (`return order + visit(c)`) in topological_order":
    the deepest line of the learner's own files in a traceback, or "".
    For a stop by the time limit, the place its samples agree on (locate)."""
    frames = [f for f, _ in traceback.walk_tb(tb) if Path(f.f_code.co_filename).parent == folder]
    if not frames:
        return ""
    frame = frames[-1]
    if _stopped[0] is not None and _stopped[0] is frame and _stopped[1]:
        return _stopped[1]
    return _at(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)


def recursion(error: RecursionError, folder: Path) -> str:
    """What a RecursionError's traceback shows of the learner's recursion,
    as a sentence: a function that called itself with the very arguments
    it had been given (so it would never end), or one that went this deep."""
    frames = [f for f, _ in traceback.walk_tb(error.__traceback__)
              if Path(f.f_code.co_filename).parent == folder]
    at = where(error.__traceback__, folder)
    if not frames:
        return f"RecursionError: {describe(error)}"
    deepest = frames[-1].f_code
    own = [f for f in frames if f.f_code is deepest]
    for outer, inner in zip(own, own[1:]):
        names = deepest.co_varnames[:deepest.co_argcount + deepest.co_kwonlyargcount]
        if names and all(_same(outer.f_locals.get(n), inner.f_locals.get(n)) for n in names):
            args = ", ".join(names)
            return (f"RecursionError: {deepest.co_name}({args}) called itself with the same "
                    f"{'argument' if len(names) == 1 else 'arguments'} it was given{at}, so it "
                    f"would never end: a recursion needs a case that returns without calling "
                    f"itself, and each call nearer to it")
    return (f"RecursionError: {deepest.co_name} called itself {len(own)} levels deep{at}; Python "
            f"stops at about {sys.getrecursionlimit()} levels. Either it has no case that ends "
            "it, or its input is deeper than that; for a deep input, use a loop and a stack of "
            "your own")


def _same(a, b) -> bool:
    if a is b:
        return True
    try:
        return type(a) in (int, float, str, bool, tuple) and type(a) is type(b) and bool(a == b)
    except Exception:
        return False


def not_started(error: NotImplementedError, tb, folder: Path) -> str:
    """The template's NotImplementedError("write this: backward(root)") as a sentence."""
    what = str(error).removeprefix("write this:").strip() or "this function"
    frames = [f for f, _ in traceback.walk_tb(tb) if Path(f.f_code.co_filename).parent == folder]
    at = f" ({Path(frames[-1].f_code.co_filename).name}, line {frames[-1].f_lineno})" if frames else ""
    return f"not started: write {what}{at}"


def run_one(check: Check, module, folder: Path, limit: float) -> CheckResult:
    """One check on the learner's loaded module, in this process (the
    child's): its verdict, or one line for what their code did."""
    try:
        with time_limited(limit, folder):
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
        return CheckResult(check.title, "failed", recursion(error, folder))
    except BaseException as error:  # the learner's code raised (GeneratorExit and exit() too): one line
        at = where(error.__traceback__, folder)
        if not at:  # raised in the checker, on something the learner's code returned
            return CheckResult(check.title, "failed",
                               f"the checker could not use what your code returned: {describe(error)}")
        return CheckResult(check.title, "failed", f"your code raised {describe(error)}{at}")
    if not isinstance(sentence, str):
        return CheckResult(check.title, "failed", f"the checker could not use what your code "
                           f"returned: {type(sentence).__name__}")
    return CheckResult(check.title, "passed", sentence)


# ---- running an exercise's checks: this process asks, a child runs them ------------


STATES = ("passed", "failed", "not started")
START_SECONDS = 60.0  # for a child to start Python and import the package, on a busy machine
OUTPUT_LIMIT = 1_000_000  # bytes of the learner's printing passed on per process


def run_exercise(ex: Exercise, checks: list[Check], folder: Path,
                 time_limit: float | None = None) -> Report:
    """Load the learner's file and run each check on it, every check with
    its own time limit (the exercise's unless one is given), in a child
    process; `checks` are the exercise's (checks.checks_for(ex.name)),
    which the child finds again by their place in that list. A check that
    ends its process (stopped, crashed, exited) is one failed check; the
    next check runs in a fresh child."""
    limit = ex.time_limit if time_limit is None else time_limit
    report = Report(ex)
    if os.name != "posix":  # no pass_fds or process groups: in this process, as before, unguarded
        return _in_this_process(ex, checks, folder, limit, report)
    child = None
    try:
        for index, check in enumerate(checks):
            skip = skipped(check, report.results)
            if skip is not None:
                report.results.append(skip)
                continue
            if child is None:
                child = _Child(ex, folder, limit)
                error = child.load()
                if error:
                    report.load_error = error
                    return report
            result, alive = child.run(index, check.title)
            report.results.append(result)
            if not alive:
                child = None
    finally:
        if child is not None:
            child.close()
    return report


def _in_this_process(ex: Exercise, checks: list[Check], folder: Path, limit: float,
                     report: Report) -> Report:
    with learner_folder(folder):
        try:
            module = load(folder, ex, limit)
        except LoadError as error:
            report.load_error = str(error)
            return report
        for check in checks:
            skip = skipped(check, report.results)
            if skip is not None:
                report.results.append(skip)
                continue
            report.results.append(run_one(check, module, folder, limit))
    return report


class _Child:
    """One child process running the learner's file, and what it said.

    Three pipes come back: its messages (JSON lines: hello, loaded or
    load_error, each check's result, the stack samples near a time limit),
    its stdout and stderr (the learner's prints, passed on to ours), and
    faulthandler's dump of its stack if it crashes."""

    def __init__(self, ex: Exercise, folder: Path, limit: float):
        self.ex, self.folder, self.limit = ex, folder, limit
        commands_in, self.commands = os.pipe()
        self.messages_out, messages_in = os.pipe()
        self.dump_out, dump_in = os.pipe()
        request = {"path": [p for p in sys.path if isinstance(p, str)], "folder": str(folder),
                   "number": ex.number, "limit": limit, "commands": commands_in,
                   "messages": messages_in, "dump": dump_in}
        boot = ("import json, sys; request = json.loads(sys.argv[1]); sys.path[:] = request['path']; "
                "from micrograd_scratch.learn.child import main; main(request)")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", boot, json.dumps(request)], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(commands_in, messages_in, dump_in), start_new_session=True,
                env=dict(os.environ, PYTHONUNBUFFERED="1"))  # a print before a hang still shows
        finally:
            for fd in (commands_in, messages_in, dump_in):
                os.close(fd)
        self.selector = selectors.DefaultSelector()
        self.passing = {self.process.stdout.fileno(): sys.stdout,
                        self.process.stderr.fileno(): sys.stderr}
        for fd in (self.messages_out, self.dump_out, *self.passing):
            os.set_blocking(fd, False)
            self.selector.register(fd, selectors.EVENT_READ)
        self.partial, self.dump, self.passed_on = b"", b"", 0
        self.early: list = []  # (stream, bytes) that came before the hello
        self.inbox: list[dict] = []
        self.samples: list = []
        self.main_thread = None
        self.ended = False
        self.killed_after = None  # the time limit it ran past, once it has been ended for that

    # -- what the parent asks ------------------------------------------------

    def load(self) -> str:
        """"" once the learner's file is loaded, else the one line saying why not."""
        said = self._wait("hello", START_SECONDS, grace=0)
        if said is None:  # before the learner's file ran: the checker's own failure
            said = b"".join(chunk for _, chunk in self.early).decode("utf-8", "replace").strip().splitlines()
            code = self.process.returncode
            return ("the checker could not start the process that runs your code ("
                    + (f"exit status {code}" if code is not None and code >= 0 else "it did not answer")
                    + (f": {said[-1][:300]}" if said else "") + ")")
        said = self._wait("loaded load_error", self.limit)
        if said is None:
            return self._ended_line(f"{self.ex.file} did not finish loading", "while it was loaded")
        return "" if said.get("loaded") is True else _text(said.get("load_error")) or "it could not be loaded"

    def run(self, index: int, title: str) -> tuple[CheckResult, bool]:
        """Check number `index` (of the exercise's list): its result, and
        whether the process is still there for the next."""
        self.samples = []
        token = secrets.token_hex(16)  # the answer must carry it: a line the learner's code writes does not
        try:
            os.write(self.commands, json.dumps({"run": index, "token": token}).encode() + b"\n")
        except OSError:  # it has gone already
            pass
        said = self._wait("result", self.limit)
        if said is None:
            return CheckResult(title, "failed", self._ended_line("", "during this check")), False
        result = result_of(said, index, token, title)
        if result is None:
            self.close()
            return CheckResult(title, "failed", NOT_A_VERDICT), False
        return result, True

    def close(self) -> None:
        """End the process (and anything it started) and read what it left."""
        if not self.ended:
            self.ended = True
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # and whatever it started
            except (ProcessLookupError, PermissionError):
                pass
            self.process.kill()  # where it left its group
            self.process.wait()
            for _ in range(1000):  # the last of its output and dump, to their ends
                if not self.selector.get_map() or not self.selector.select(0):
                    break
                self._read(0)
        if self.selector.get_map() is None:  # closed before
            return
        self.selector.close()
        for fd in (self.messages_out, self.dump_out, self.commands):
            os.close(fd)
        self.process.stdout.close()
        self.process.stderr.close()

    # -- waiting --------------------------------------------------------------

    def _wait(self, keys: str, seconds: float, grace: float = GRACE) -> dict | None:
        """The next message holding one of `keys` (words), or None when the process ended
        before it sent one or ran past `seconds` + `grace` (then it is killed)."""
        deadline = time.monotonic() + seconds + grace
        while True:
            for message in self.inbox:
                if any(key in message for key in keys.split()):
                    self.inbox.remove(message)
                    return message
            if self.ended:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                self.killed_after = seconds
                self.close()
                return None
            if self._read(min(left, 0.5)) == "gone":  # it exited, or closed the pipe
                try:
                    self.process.wait(timeout=GRACE)
                except subprocess.TimeoutExpired:
                    pass
                self.close()  # and look once more: its last message may have come with the end

    def _read(self, timeout: float) -> str:
        """Read whatever is ready within `timeout`; "gone" once its messages
        pipe is closed (the process has ended)."""
        for key, _ in self.selector.select(timeout):
            fd = key.fd
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if fd == self.messages_out:
                if not chunk:
                    self.selector.unregister(fd)
                    return "gone"
                self._messages(chunk)
            elif fd == self.dump_out:
                if not chunk:
                    self.selector.unregister(fd)
                self.dump = (self.dump + chunk)[-200_000:]
            elif not chunk:
                self.selector.unregister(fd)
            else:
                self._pass_on(self.passing[fd], chunk)
        return ""

    def _messages(self, chunk: bytes) -> None:
        self.partial += chunk
        *lines, self.partial = self.partial.split(b"\n")
        if len(self.partial) > 10_000_000:  # no end of line: not our child's writing
            self.partial = b""
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if "sample" in message:
                if isinstance(message["sample"], list):
                    self.samples = (self.samples + [message["sample"]])[-SAMPLES * 3:]
            elif "hello" in message:
                self.main_thread = message["hello"]
                self.inbox.append(message)
                for stream, early in self.early:  # read before the hello in the same moment
                    self._pass_on(stream, early)
                self.early = []
            else:
                self.inbox.append(message)

    def _pass_on(self, stream, chunk: bytes) -> None:
        """The learner's prints, on to our stdout or stderr (in Jupyter: the cell's);
        before their file runs, only the checker's own words: kept for load()."""
        if self.main_thread is None:
            self.early.append((stream, chunk))
            del self.early[:-50]
            return
        room = OUTPUT_LIMIT - self.passed_on
        self.passed_on += len(chunk)
        if room <= 0:
            return
        text = chunk[:room].decode("utf-8", "replace")
        if len(chunk) > room:
            text += f"\n[the rest of what your code printed is left out: over {OUTPUT_LIMIT:,} bytes]\n"
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass

    # -- why it ended ------------------------------------------------------------

    def _ended_line(self, what: str, when: str) -> str:
        """One line for a process that was killed at its time limit, crashed
        or exited before it answered (`what` happened, `when`), with the
        learner's line where it was seen."""
        code = self.process.returncode
        killed = self.killed_after
        head = f"{what}: " if what else ""
        if killed is not None:
            at = locate(self.samples[-SAMPLES:], self.folder)
            return (f"{head}stopped after {killed + GRACE:g} s, still running{at}: it went on "
                    f"{GRACE:g} s past its time limit ({killed:g} s), so the checker ended its "
                    "process. Does a bare `except:` catch the limit's TimeLimit, or was SIGALRM "
                    "ignored? A loop that never ends, or one that does far too much work?")
        if code is not None and code < 0:
            stack = _dumped_stack(self.dump, self.main_thread)
            theirs = [f for f in stack if Path(f[0]).parent == self.folder]
            at = _at(*theirs[-1]) if theirs else ""  # the line it crashed in
            deep = _self_calls(stack, self.folder)
            why = (f"; {deep[0]} was calling itself, {deep[1]}{'+' if deep[2] else ''} calls "
                   "deep: a recursion that deep can overflow the C stack (Python's recursion "
                   "limit is there to stop it first)" if deep and deep[1] >= 50 else "")
            return f"{head}your code crashed the process that runs it ({_signal_name(-code)}) {when}{at}{why}"
        return (f"{head}your code ended the process that runs it (exit status {code}) {when}, "
                "before the check had its answer: a check needs your functions to return "
                "(os._exit() or a signal ends the whole process)")


NOT_A_VERDICT = "the checker's process sent back something that is not a verdict: the check gives none"


def result_of(said: dict, index: int, token: str, title: str) -> CheckResult | None:
    """The CheckResult in a child's message about check number `index`, or
    None when the message is not one (another check's, without the token
    it was asked with, a state that is none). The local checker reads its
    child's messages with this, the static site its learner worker's."""
    state = said.get("state")
    if said.get("result") != index or said.get("token") != token or state not in STATES:
        return None
    return CheckResult(title, state, _text(said.get("sentence")), _picture(said.get("picture")))


def skipped(check: Check, results: list[CheckResult]) -> CheckResult | None:
    """The result of a check that is not run because an earlier one of its
    exercise failed, or None when it runs."""
    if check.needs_earlier and any(r.state != "passed" for r in results):
        return CheckResult(check.title, "skipped", "not run until the checks above pass")
    return None


def _text(value) -> str:
    return value[:20_000] if isinstance(value, str) else ""


def _picture(data):
    """The failed check's graph, rebuilt here from the DOT statements the
    child sent (data, never code: nothing is unpickled)."""
    if not isinstance(data, dict) or not isinstance(data.get("body"), list):
        return None
    from ..drawing.styles import digraph

    def attrs(key):
        value = data.get(key)
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}

    try:
        return digraph(graph_attr=attrs("graph_attr"), node_attr=attrs("node_attr"),
                       edge_attr=attrs("edge_attr"), body=[str(line) for line in data["body"]])
    except Exception:  # no graphviz package here: the verdict's words are all there
        return None


def _signal_name(number: int) -> str:
    try:
        name = signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
    meaning = {"SIGSEGV": "a segmentation fault", "SIGABRT": "an abort", "SIGBUS": "a bus error",
               "SIGFPE": "a floating-point exception", "SIGILL": "an illegal instruction",
               "SIGKILL": "killed", "SIGTERM": "terminated"}.get(name)
    return f"{name}, {meaning}" if meaning else name


_THREAD = re.compile(r"^(Current thread|Thread) (0x[0-9a-f]+) \(most recent call first\):$")
_FRAME = re.compile(r'^  File "(.*)", line (\d+) in (.*)$')


def _dumped_stack(dump: bytes, main_thread) -> list:
    """The stack faulthandler dumped for a crash, outermost first, as
    [[file, line, function], ...]: the thread that crashed ("Current
    thread"), else the main thread. A stack is cut at 100 frames."""
    stacks, current, crashed = {}, None, None
    for line in dump.decode("utf-8", "replace").splitlines():
        head = _THREAD.match(line)
        if head:
            current = stacks.setdefault(int(head.group(2), 16), [])
            if head.group(1) == "Current thread":
                crashed = current
            continue
        frame = _FRAME.match(line)
        if frame and current is not None:
            current.append([frame.group(1), int(frame.group(2)), frame.group(3)])
    stack = crashed if crashed is not None else stacks.get(main_thread, [])
    return list(reversed(stack))


def _self_calls(stack: list, folder: Path):
    """(function, how many of its frames, whether the dump was cut short)
    for the learner's function with the most frames on a dumped stack."""
    counts: dict = {}
    for file, _, function in stack:
        if Path(file).parent == folder:
            counts[function] = counts.get(function, 0) + 1
    if not counts:
        return None
    function = max(counts, key=counts.get)
    return function, counts[function], len(stack) >= 100
