"""`micrograd-scratch explore`: the live backprop explorer in the browser."""

from __future__ import annotations

import argparse
import sys

from .args import PROG, UsageError, integer
from .signals import describe, signal_of

NAME = "explore"


def port(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535."""
    n = integer(text)
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, got {text!r}")
    return n


def exercise_numbers(text: str) -> list[int]:
    """"1-6" or "4,1-3": exercise numbers in the order given (the static
    site's Learn view holds these)."""
    numbers = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise argparse.ArgumentTypeError(f"exercises are numbers and ranges, as 1-6 or 4,1-3; "
                                             f"got {text!r}") from None
        numbers += range(low, high + 1)
    return numbers


def add_parser(subparsers) -> argparse.ArgumentParser:
    from ..explore import DEFAULT_PORT

    parser = subparsers.add_parser(
        NAME,
        help="open the live explorer: step through backprop, watch a network learn",
        description="Start a local web page that makes the engine interactive: type an "
        "expression and move its inputs, step through the backward pass one node at a "
        "time, check each gradient against finite differences, and train a network on "
        "xor, noisy-xor, moons or blobs while its decision boundary changes. The server "
        "listens on 127.0.0.1 only and runs until Ctrl-C, which is how it is meant to "
        "stop: it then prints one line and exits 0 (not 130). With --export DIR it "
        "writes the explorer instead as a static site that runs this package in the "
        "browser (Pyodide), with an op editor: put DIR on a course page or any static host.",
    )
    parser.add_argument("--port", type=port, default=DEFAULT_PORT, metavar="N",
                        help="the port to listen on; 0 picks a free one (default: %(default)s)")
    parser.add_argument("--no-browser", action="store_true",
                        help="print the URL without opening a browser")
    parser.add_argument("--export", metavar="DIR",
                        help="write the explorer as a static site to DIR (new, empty, or an "
                        "earlier export, whose files are replaced; a folder holding anything "
                        "else is refused) and exit; serve it from any static host, e.g. "
                        "python -m http.server -d DIR")
    parser.add_argument("--assets", metavar="DIR",
                        help="with --export: take the pinned Pyodide and @viz-js/viz from DIR "
                        "(unpacked, as DIR/pyodide and DIR/@viz-js/viz, or their npm pack "
                        "tarballs) instead of fetching them with npm pack")
    parser.add_argument("--exercises", type=exercise_numbers, metavar="LIST",
                        help="with --export: the exercises of the site's Learn view and their "
                        "order, as 1-6 or 4,1-3 (default: all ten, in the talk's order)")
    return parser


def export(args: argparse.Namespace) -> int:
    """Write the static site and say how large it is."""
    from ..explore.static_site import ExportError, export

    try:
        files, size = export(args.export, args.assets, args.exercises)
    except ExportError as error:
        raise ValueError(str(error)) from None
    except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP: one line, as training says
        sys.stdout.flush()
        print(f"{PROG}: {describe(signal_of(stop))} while exporting the site to {args.export}",
              file=sys.stderr)
        raise
    print(f"wrote the explorer's static site to {args.export}: {files} files, "
          f"{size / 1e6:.1f} MB; serve the folder from any static host, e.g. "
          f"python -m http.server -d {args.export}")
    print(f"its Learn view (…/#learn=N) holds exercises {course_line(args.exercises)}")
    return 0


def course_line(exercises: list[int] | None) -> str:
    """"1 (The perceptron...), 2 (...)": what the exported Learn view holds."""
    from ..explore.static_site import course_numbers
    from ..learn import exercise

    return ", ".join(f"{n} ({exercise(n).title})" for n in course_numbers(exercises))


def run(args: argparse.Namespace) -> int:
    from ..explore import serve

    if args.export is not None:
        return export(args)
    if args.exercises is not None:
        raise UsageError("argument --exercises: goes with --export DIR (they are the static "
                         "site's Learn view)")
    if args.assets is not None:
        raise UsageError("argument --assets: goes with --export DIR (it is where the static "
                         "site's runtimes come from)")

    try:
        return serve(args.port, open_browser=not args.no_browser)
    except OSError as error:  # the port is taken, for one
        raise ValueError(str(error)) from None
