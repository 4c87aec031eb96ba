"""How a command stops: Ctrl-C (SIGINT), SIGTERM (`timeout`, kill, a
shutdown) and SIGHUP (a closed terminal) all stop it the same way, and
none of them loses a trained model.

- `stopping_signals()`, around the whole command: SIGTERM and SIGHUP raise
  `Terminated` as Ctrl-C raises KeyboardInterrupt. An interrupt that lands
  while Python runs a finalizer (a weakref callback, a `__del__`, as
  matplotlib's run while a picture is drawn) cannot leave it: Python
  prints it as "Exception ignored" and goes on. Here it is delivered
  again instead, so the command stops where it is.
- `asked_to_stop()`, around training: the first signal asks training to
  stop after the step it is in; a second one stops the step at once.
- `held()`, around a save: a signal waits until the file is written,
  then stops the command as it would have.

The exit status is 128 + the signal's number, as shells report it: 130
for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP.
"""

from __future__ import annotations

import _thread
import contextlib
import signal
import sys
import threading
import time
from typing import Callable, Iterator

from .args import PROG, Terminated

__all__ = ["STOPPING", "interrupt", "describe", "exit_status", "stopping_signals",
           "asked_to_stop", "held", "naming_unwritten"]

# The signals that stop a command (Windows has no SIGHUP).
STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                 if hasattr(signal, name))


def interrupt(signum: int) -> KeyboardInterrupt:
    """What a stopping signal raises: KeyboardInterrupt for Ctrl-C,
    Terminated for the others."""
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def describe(signum: int) -> str:
    """How the one-line messages name a stop: "interrupted", or "terminated (SIGHUP)"."""
    return "interrupted" if signum == signal.SIGINT else f"terminated ({signal.Signals(signum).name})"


def exit_status(stop: KeyboardInterrupt) -> int:
    """128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + signal_of(stop)


def signal_of(stop: KeyboardInterrupt) -> int:
    """The signal an interrupt stands for."""
    return stop.signum if isinstance(stop, Terminated) else signal.SIGINT


def _raise(signum, frame):
    raise interrupt(signum)


@contextlib.contextmanager
def _handled_by(handler: Callable, take: Callable[[object], bool]) -> Iterator[None]:
    """Inside the block, `handler` handles each stopping signal whose
    present handler `take` accepts (one a caller set up, or ignored, is
    left alone); in the main thread only, where Python runs handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in STOPPING}
    taken = [s for s, h in previous.items() if take(h)]
    for s in taken:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s in taken:
            signal.signal(s, previous[s])


def _ours(handler) -> bool:
    """A handler this module may take over for a while: its own, or Ctrl-C's default."""
    return handler is _raise or handler is signal.default_int_handler


@contextlib.contextmanager
def stopping_signals() -> Iterator[list[int]]:
    """Around a whole command: each stopping signal that still has its
    default action raises its interrupt. Yields the list of the signals
    whose interrupt a finalizer swallowed: each is delivered again, from
    another thread, while the block runs; one that still came too late
    to stop the command is left in the list for the caller to report."""
    swallowed: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield swallowed
        return
    running = True
    previous_hook = sys.unraisablehook

    def deliver_again(signum: int) -> None:
        time.sleep(0.001)  # for the main thread to leave the finalizer
        if running:
            _thread.interrupt_main(signum)  # handled as soon as the main thread runs Python

    def hook(unraisable) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            previous_hook(unraisable)
            return
        signum = signal_of(unraisable.exc_value)
        swallowed.append(signum)
        # Not threading.Thread: its start() waits in Python code, where the
        # signal would be handled, and swallowed, inside this hook.
        _thread.start_new_thread(deliver_again, (signum,))

    sys.unraisablehook = hook
    try:
        with _handled_by(_raise, lambda h: h is signal.SIG_DFL or _ours(h)):
            yield swallowed
    finally:
        running = False
        sys.unraisablehook = previous_hook


class StopRequest:
    """What asked_to_stop yields: `signum` is the signal that asked, or None."""

    signum: int | None = None


@contextlib.contextmanager
def asked_to_stop() -> Iterator[StopRequest]:
    """Inside the block, the first stopping signal only sets the request's
    `signum` (training reads it at the start of every step); a second one
    raises its interrupt at once."""
    request = StopRequest()

    def handler(signum, frame):
        if request.signum is not None:
            raise interrupt(signum)
        request.signum = signum

    with _handled_by(handler, _ours):
        yield request


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Inside the block, a stopping signal waits: when the block ends, the
    first one to have come raises its interrupt (unless the block is
    already ending by an exception). For a save that a signal must not
    cut short."""
    arrived: list[int] = []
    with _handled_by(lambda signum, frame: arrived.append(signum), _ours):
        yield
    if arrived:
        raise interrupt(arrived[0])


@contextlib.contextmanager
def naming_unwritten(pending: list[str]) -> Iterator[list[str]]:
    """Around writing a command's files, `pending` their "--option FILE"s,
    which the block removes as each is written: a stop in the block says
    in one line which were not (`not written: --animate b.gif`)."""
    try:
        yield pending
    except KeyboardInterrupt as stop:
        sys.stdout.flush()
        if pending:
            print(f"{PROG}: {describe(signal_of(stop))} while writing the outputs; "
                  f"not written: {', '.join(pending)}", file=sys.stderr, flush=True)
        raise
