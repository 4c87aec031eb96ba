"""`micrograd-scratch learn`: the talk as exercises you write yourself,
checked (see micrograd_scratch/learn).

    micrograd-scratch learn start [DIR]        # the exercise files, ./micrograd-exercises
    micrograd-scratch learn check [N]          # check one, or all in order up to the first failing
    micrograd-scratch learn hint N             # the next hint
    micrograd-scratch learn [list]             # every exercise's state
    micrograd-scratch learn use -- draw "tanh(x)" --set x=0.5 --backward   # with your rules
    micrograd-scratch learn use -- python my_script.py                       # any command

The exercises folder is found as git finds its repository: the current
folder or the nearest above it (or ./micrograd-exercises); --dir names it.

Exit status: 0 when every exercise checked passed, 1 when one did not
(or is not started) or a file could not be written, 2 for bad arguments
(a folder that is not there, an exercise number that is not one); `use`
exits with its command's status.
"""

from __future__ import annotations

import argparse
import sys

from ..learn import EXERCISES, NoFolder, check, hint, progress, start
from ..learn.api import InsideExercises, find_folder
from ..learn.exercises import DEFAULT_DIR
from ..learn.rules import RuleError, my_rules, run_with_rules
from .args import FAILED, OK, PROG, UsageError

NAME = "learn"


def exercise_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= len(EXERCISES):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an exercise: the exercises are 1 to {len(EXERCISES)}")
    return number


def time_limit(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r}: the time limit is a number of seconds, "
                                         "above 0 and at most 3600")
    return seconds


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="the talk as exercises you write yourself, checked: start, check, hint, list",
        description="Learn by writing it: `learn start` writes one file per exercise (the "
        "perceptron, least squares, the hand-set ReLU network, local derivatives, the "
        "topological order, backward(), a neuron and an MLP, mse and a gradient step, "
        "minibatch SGD, momentum); `learn check N` runs your code and says what is wrong "
        "and where. With no action, lists every exercise's state.",
    )
    parser.set_defaults(action="list", dir=None)
    actions = parser.add_subparsers(title="actions", dest="action", metavar="ACTION")
    folder = dict(metavar="DIR", help="the exercises folder (default: the one the current folder "
                  f"is in, or ./{DEFAULT_DIR})")

    listing = actions.add_parser("list", help="every exercise and its state")
    listing.add_argument("--dir", **folder)

    starting = actions.add_parser("start", help="write the exercise files (never over yours)")
    starting.add_argument("dir", nargs="?", **folder)

    checking = actions.add_parser("check", help="check exercise N, or all in order")
    checking.add_argument("number", nargs="?", type=exercise_number, metavar="N",
                          help="the exercise (default: all, stopping at the first not passed)")
    checking.add_argument("--dir", **folder)
    checking.add_argument("--time-limit", type=time_limit, metavar="SECONDS",
                          help="stop your code after this long in one check (default: the "
                          "exercise's, 10 s; 60 s for training)")

    hinting = actions.add_parser("hint", help="the next hint of exercise N")
    hinting.add_argument("number", type=exercise_number, metavar="N")
    hinting.add_argument("--dir", **folder)

    using = actions.add_parser("use", help="run a command with your exercise 4 rules in the engine")
    using.add_argument("--dir", **folder)
    using.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND ...",
                       help="the command to run, after --: one of this program's (-- draw "
                       "\"tanh(x)\" --backward), or any other (-- python my_script.py, -- jupyter lab)")
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        return ACTIONS[args.action or "list"](args)  # no action: the list
    except NoFolder as error:
        raise UsageError(str(error)) from None
    except BrokenPipeError:  # `| head`: the command line's own quiet ending
        raise
    except (OSError, RuleError) as error:  # a folder that cannot be written, a learner's rule
        sys.stdout.flush()
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return FAILED
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the process running the learner's code is ended
        sys.stdout.flush()
        print(f"{PROG}: learn {args.action or 'list'}: interrupted", file=sys.stderr)
        raise


def _list(args) -> int:
    rows = progress(args.dir)
    width = max(len(ex.title) for ex, _ in rows)
    for ex, state in rows:
        print(f"{ex.number:>2}. {ex.title:<{width}}  {ex.file:<24} {state}")
    done = sum(state == "passed" for _, state in rows)
    print(f"{done} of {len(rows)} passed; check one with: micrograd-scratch learn check N")
    return OK


def _start(args) -> int:
    try:
        said = start(args.dir)
    except InsideExercises as inside:
        print(inside)
        return OK
    except (NotADirectoryError, FileExistsError) as error:
        raise UsageError(str(error)) from None
    for line in said:
        print(line)
    where = args.dir or DEFAULT_DIR
    print(f"the exercises are in {where}/; go there (cd {where}), open ex01_perceptron.py, then: "
          "micrograd-scratch learn check 1")
    return OK


def _check(args) -> int:
    result = check(args.number, args.dir, time_limit=args.time_limit)
    reports = result if isinstance(result, list) else [result]
    if args.number is None and all(r.passed for r in reports):
        print(f"all {len(reports)} exercises passed")
    return OK if all(r.passed for r in reports) else FAILED


def _hint(args) -> int:
    shown = hint(args.number, args.dir)
    print(f"hint {shown.which} of {shown.of} for exercise {args.number}: {shown.text}")
    if shown.note:
        print(f"({shown.note})")
    elif shown.which < shown.of:
        print(f"(again for the next: micrograd-scratch learn hint {args.number})")
    return OK


def _use(args) -> int:
    from . import build_parser  # this program's commands, which run as `python -m micrograd_scratch`

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise UsageError("name the command to run after --, e.g. learn use -- draw \"tanh(x)\" --backward")
    if command[0] == PROG:
        ours = command[1:]
    elif command[0] in _subcommands(build_parser()):
        ours = command
    else:
        ours = None  # any other program: python my_script.py, jupyter lab
    if ours is not None:  # this program's: run by this Python
        if ours[:1] == [NAME]:
            raise UsageError("learn use runs other commands (draw, xor, python my_script.py, ...), not learn")
        command = [sys.executable, "-m", "micrograd_scratch", *ours]
    folder = find_folder(args.dir)
    with my_rules(folder) as rules:  # its file loads, or one line now rather than in the command
        print(f"your rules from exercise 4 in use: {', '.join(rules) or 'none written yet'}", flush=True)
    try:
        return run_with_rules(folder, command)
    except OSError as error:
        print(f"{PROG}: error: cannot run {command[0]!r}: {error.strerror or error}", file=sys.stderr)
        return 127  # as a shell says "command not found"


def _subcommands(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


ACTIONS = {"list": _list, "start": _start, "check": _check, "hint": _hint, "use": _use}
