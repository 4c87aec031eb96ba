"""`micrograd-scratch draw`: the computational graph of an expression, with
its gradients after --backward, --frames to film the backward pass, and
--animate to write it as one GIF, APNG or MP4 for a slide."""

from __future__ import annotations

import argparse
import os
import sys

from .. import expr
from ..drawing import FORMATS, MAX_NODES, GraphTooLarge, backward_frames, draw
from ..drawing.animate import FPS, FilmTooLarge, animate_backward
from .args import (
    FALLBACK, PROG, UsageError, assignment, expression_text, folder_to_write,
    output_file, positive_int, usage_error,
)
from .outputs import (
    add_picture_options, animation_file, check_distinct, check_not_a_frame, fps, size_in_inches,
    small_text_note, write_graph,
)
from . import signals
from .training import dpi
from ..drawing.styles import DPI

NAME = "draw"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="draw the computational graph of an expression (svg, png, pdf or dot)",
        description='Draw the computational graph of an expression such as "relu(w*x + b)": '
        "one box per value (inputs blue, constants grey, results white) and one ellipse per "
        "operation, each box with its data and gradient. With --backward, run backward() "
        "first so that the gradients are filled in; with --frames, also film the backward "
        f"pass one step at a time. The {expr.allowed().removeprefix('an ')} (the "
        "functions of ops.py); it is parsed, never run. "
        "Rendering needs Graphviz's dot program; without it the DOT source is written "
        "instead, with a line saying how to install Graphviz, and the exit status is 3.",
        epilog='example: %(prog)s "relu(w*x + b)" --set w=2 x=-1 b=0.5 --backward -o graph.svg',
    )
    parser.add_argument("expression", type=expression_text, metavar="EXPRESSION",
                        help="the expression, in quotes; one that starts with - goes in "
                        "parentheses, e.g. (-x)*2")
    parser.add_argument("--set", type=assignment, nargs="+", action="extend", default=[],
                        metavar="NAME=VALUE",
                        help="the value of each name in the expression, e.g. --set w=2 x=-1 b=0.5")
    parser.add_argument("--params", type=names, default=[], metavar="NAMES",
                        help="names to draw as parameters (orange: the things training "
                        "updates), comma-separated, e.g. --params w,b")
    parser.add_argument("--backward", action="store_true",
                        help="run backward() first: each box shows d(output)/d(box)")
    parser.add_argument("--grad-view", action="store_true",
                        help="colour boxes and edges by the gradient: red below 0, blue above, "
                        "darker and wider the larger it is (implies --backward)")
    parser.add_argument("-o", "--output", type=output_file(FORMATS), default=None,
                        metavar="FILE",
                        help="the file to write: .svg, .png, .pdf, or .dot/.gv for the DOT "
                        f"source (default: {DEFAULT_OUTPUT}, or graph-2.svg, ... when that is taken; the "
                        "command says where it went)")
    parser.add_argument("--rankdir", choices=("LR", "TB"), default=None,
                        help="LR: inputs on the left; TB: inputs at the top (default: LR, or "
                        "with --style slides or --size whichever fills the picture better)")
    parser.add_argument("--frames", type=folder_to_write, default=None, metavar="DIR",
                        help="also write the backward pass as numbered SVG frames in DIR, with "
                        "DIR/backward.html to step through them")
    parser.add_argument("--animate", type=animation_file, default=None, metavar="FILE",
                        help="also write the backward pass as one animation, a step a frame, "
                        "each captioned with its chain-rule line: .gif, .apng, or .mp4 where "
                        "ffmpeg is installed (needs Pillow)")
    parser.add_argument("--fps", type=fps, default=None, metavar="N",
                        help=f"with --animate, frames a second (default: {FPS:g}; the first and "
                        "last are held three times as long)")
    add_picture_options(parser)
    parser.add_argument("--dpi", type=dpi, default=DPI, metavar="N",
                        help="pixels per inch of a .png and of --animate (default: %(default)s)")
    parser.add_argument("--max-nodes", type=positive_int, default=MAX_NODES, metavar="N",
                        help="refuse a graph with more nodes than this (default: %(default)s)")
    # "-x*2" reads as an option, so argparse says only that EXPRESSION is
    # missing: say how to write one that starts with a minus sign.
    usage_error_of_argparse = parser.error

    def error(message: str):
        if message.endswith("required: EXPRESSION"):
            message += ' (one that starts with - goes in parentheses: "(-x)*2", or after --)'
        usage_error_of_argparse(message)

    parser.error = error
    return parser


DEFAULT_OUTPUT = "graph.svg"


def run(args: argparse.Namespace) -> int:
    named = args.output is not None
    if not named:  # a file of the user's is never replaced by one they did not name
        try:  # the checks -o FILE gets
            args.output = output_file(FORMATS)(unused_name(DEFAULT_OUTPUT))
        except argparse.ArgumentTypeError as error:
            raise UsageError(f"argument -o/--output: {error} (no -o given: the default)") from None
    check_not_a_frame("--output", args.output, args.frames)
    if args.animate is not None:
        check_not_a_frame("--animate", args.animate, args.frames)
    check_distinct(("--output", args.output), ("--animate", args.animate))
    if args.fps is not None and args.animate is None:
        raise UsageError("argument --fps: sets the pace of --animate; give --animate FILE too")
    box = size_in_inches(args.size, args.dpi)
    values = {}
    for name, value in args.set:
        if name in values:
            return usage_error(args.parser, f"argument --set: {name!r} is set twice")
        values[name] = value
    try:
        root, inputs = expr.parse_expression(args.expression, values)
    except expr.ExpressionError as error:  # a missing value, log(-1), ...
        return usage_error(args.parser, str(error))
    unknown = [name for name in args.params if name not in inputs]
    if unknown:
        return usage_error(args.parser, f"argument --params: {', '.join(map(repr, unknown))} "
                           f"is not a name in the expression")
    params = [inputs[name] for name in args.params]
    text = args.expression.strip()
    print(f"{text} = {root.data:.6g}")
    if args.backward or args.grad_view:
        root.backward()
        if inputs:
            print("gradients, d(output)/d(input):")
            for name, x in inputs.items():
                print(f"  {name}: {x.grad:.6g}")
    look = dict(rankdir=args.rankdir, grad_view=args.grad_view, style=args.style, size=box)
    # Ctrl-C while the files are written: say which were not.
    pending = [f"{option} {path}" for option, path in
               (("--output", args.output), ("--frames", args.frames), ("--animate", args.animate))
               if path is not None]
    try:
        with signals.naming_unwritten(pending):
            graph = draw(root, params=params, max_nodes=args.max_nodes, title=text, **look)
            small_text_note(graph, args.style)
            complete = write_graph(graph, args.output, "--output", dpi=args.dpi)
            pending.pop(0)
            if args.frames is not None:
                complete = _write_frames(root, args, params, look) and complete
                pending.pop(0)
            if args.animate is not None:
                complete = _write_animation(root, args, params, look) and complete
    except ImportError as missing:  # the graphviz package is an optional extra
        raise ValueError(str(missing)) from None
    except GraphTooLarge as error:  # the argument's limit: a usage error (exit 2)
        raise UsageError(
            f"argument --max-nodes: the graph has {error.count} nodes, more than {error.limit}; "
            f"pass --max-nodes {error.count} to draw it anyway"
        ) from None
    if not named:
        print(f"(no -o FILE given: the graph is in {os.path.abspath(args.output)})")
    return 0 if complete else FALLBACK


def unused_name(path: str) -> str:
    """`path`, or the first of path-2, path-3, ... that is not taken."""
    stem, ext = os.path.splitext(path)
    n = 1
    while os.path.lexists(path):
        n += 1
        path = f"{stem}-{n}{ext}"
    return path


def names(text: str) -> list[str]:
    """--params: comma-separated names, e.g. w,b."""
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isidentifier() for part in parts):
        raise argparse.ArgumentTypeError(f"expected names separated by commas, e.g. w,b; got {text!r}")
    return parts


# Why a frame's text is smaller than the still picture's, on a slide.
FRAME_TEXT = "a frame holds its step's caption and numbers besides the graph"


def _write_frames(root, args, params, look: dict) -> bool:
    """The frames and their page; False when the page is missing (without
    Graphviz's dot the frames are .dot files, which a page cannot show)."""
    try:
        paths = backward_frames(root, args.frames, params=params, max_nodes=args.max_nodes,
                                **look)
    except OSError as error:
        raise ValueError(f"--frames: cannot write to {args.frames!r}: "
                         f"{error.strerror or error}") from None
    small_text_note(paths, args.style, "each frame", FRAME_TEXT)
    frames = [p for p in paths if p.suffix != ".html"]
    page = [p for p in paths if p.suffix == ".html"]
    if page:
        print(f"wrote {len(frames)} frames of the backward pass to {args.frames}; "
              f"step through them in {page[0]}")
        return True
    print(f"wrote {len(frames)} frames of the backward pass to {args.frames}, "
          f"but no backward.html page: it needs the frames as .svg")
    return False


def _write_animation(root, args, params, look: dict) -> bool:
    """--animate FILE; False, after one line, when Pillow or a working
    Graphviz dot is missing (the file is then not written)."""
    sys.stdout.flush()  # (the one line without dot comes after what is printed)
    try:
        animation = animate_backward(root, fps=args.fps or FPS, params=params,
                                     max_nodes=args.max_nodes, dpi=args.dpi, **look)
        small_text_note(animation, args.style, "each frame of the animation", FRAME_TEXT)
        path = animation.write(args.animate)
    except ImportError as missing:  # Pillow
        print(f"{PROG}: no animation written: {missing}", file=sys.stderr)
        return False
    except FilmTooLarge as error:  # refused before its first frame was drawn
        raise UsageError(f"argument --dpi: with --animate, {error.reason}") from None
    except OSError as error:
        raise ValueError(f"--animate: cannot write {args.animate!r}: {error.strerror or error}") from None
    if path is None:  # no working dot: animate_backward has said so
        return False
    print(f"wrote the backward pass, a step a frame, to {path}")
    return True
