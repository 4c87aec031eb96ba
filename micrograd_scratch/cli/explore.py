"""`micrograd-scratch explore`: the live backprop explorer in the browser."""

from __future__ import annotations

import argparse

from .args import integer

NAME = "explore"


def port(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535."""
    n = integer(text)
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, got {text!r}")
    return n


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
        "stop: it then prints one line and exits 0 (not 130).",
    )
    parser.add_argument("--port", type=port, default=DEFAULT_PORT, metavar="N",
                        help="the port to listen on; 0 picks a free one (default: %(default)s)")
    parser.add_argument("--no-browser", action="store_true",
                        help="print the URL without opening a browser")
    return parser


def run(args: argparse.Namespace) -> int:
    from ..explore import serve

    try:
        return serve(args.port, open_browser=not args.no_browser)
    except OSError as error:  # the port is taken, for one
        raise ValueError(str(error)) from None
