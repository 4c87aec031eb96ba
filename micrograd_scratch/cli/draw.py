"""`micrograd-scratch draw`: the computational graph of an expression, with
its gradients after --backward, and --frames to film the backward pass."""

from __future__ import annotations

import argparse

from .. import expr
from ..draw import FORMATS, MAX_NODES, GraphTooLarge, backward_frames, draw
from .args import assignment, expression_text, output_file, positive_int, usage_error
from .outputs import write_graph

NAME = "draw"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="draw the computational graph of an expression (svg, png, pdf or dot)",
        description='Draw the computational graph of an expression such as "relu(w*x + b)": '
        "one box per value (inputs blue, constants grey, results white) and one ellipse per "
        "operation, each box with its data and gradient. With --backward, run backward() "
        "first so that the gradients are filled in; with --frames, also film the backward "
        "pass one step at a time. The expression may use only numbers, names, + - * / **, "
        "unary minus and relu() tanh() sigmoid() exp() log(); it is parsed, never run. "
        "Rendering needs Graphviz's dot program; without it the DOT source is written "
        "instead, with a line saying how to install Graphviz.",
        epilog='example: %(prog)s "relu(w*x + b)" --set w=2 x=-1 b=0.5 --backward -o graph.svg',
    )
    parser.add_argument("expression", type=expression_text, metavar="EXPRESSION",
                        help="the expression, in quotes; one that starts with - goes in "
                        "parentheses, e.g. (-x)*2")
    parser.add_argument("--set", type=assignment, nargs="+", action="extend", default=[],
                        metavar="NAME=VALUE",
                        help="the value of each name in the expression, e.g. --set w=2 x=-1 b=0.5")
    parser.add_argument("--backward", action="store_true",
                        help="run backward() first: each box shows d(output)/d(box)")
    parser.add_argument("--grad-view", action="store_true",
                        help="shade boxes and edges by the size of the gradient (implies --backward)")
    parser.add_argument("-o", "--output", type=output_file(FORMATS), default="graph.svg",
                        metavar="FILE",
                        help="the file to write: .svg, .png, .pdf, or .dot/.gv for the DOT "
                        "source (default: %(default)s)")
    parser.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                        help="LR: inputs on the left; TB: inputs at the top (default: %(default)s)")
    parser.add_argument("--frames", default=None, metavar="DIR",
                        help="also write the backward pass as numbered SVG frames in DIR, with "
                        "DIR/backward.html to step through them")
    parser.add_argument("--max-nodes", type=positive_int, default=MAX_NODES, metavar="N",
                        help="refuse a graph with more nodes than this (default: %(default)s)")
    return parser


def run(args: argparse.Namespace) -> int:
    values = {}
    for name, value in args.set:
        if name in values:
            return usage_error(args.parser, f"argument --set: {name!r} is set twice")
        values[name] = value
    try:
        root, inputs = expr.parse_expression(args.expression, values)
    except expr.ExpressionError as error:  # a missing value, log(-1), ...
        return usage_error(args.parser, str(error))
    text = args.expression.strip()
    print(f"{text} = {root.data:.6g}")
    if args.backward or args.grad_view:
        root.backward()
        if inputs:
            print("gradients, d(output)/d(input):")
            for name, x in inputs.items():
                print(f"  {name}: {x.grad:.6g}")
    try:
        graph = draw(root, rankdir=args.rankdir, grad_view=args.grad_view,
                         max_nodes=args.max_nodes, title=text)
        write_graph(graph, args.output, "--output")
        if args.frames is not None:
            _write_frames(root, args)
    except ImportError as missing:  # the graphviz package is an optional extra
        raise ValueError(str(missing)) from None
    except GraphTooLarge as error:
        raise ValueError(
            f"the graph has {error.count} nodes, more than --max-nodes {error.limit}; "
            f"pass --max-nodes {error.count} to draw it anyway"
        ) from None
    return 0


def _write_frames(root, args) -> None:
    try:
        paths = backward_frames(root, args.frames, rankdir=args.rankdir,
                                    max_nodes=args.max_nodes)
    except OSError as error:
        raise ValueError(f"--frames: cannot write to {args.frames!r}: "
                         f"{error.strerror or error}") from None
    frames = [p for p in paths if p.suffix != ".html"]
    page = [p for p in paths if p.suffix == ".html"]
    print(f"wrote {len(frames)} frames of the backward pass to {args.frames}"
          + (f"; step through them in {page[0]}" if page else ""))
