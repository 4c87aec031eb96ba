"""The files and pictures a command writes: the saved model, the text
pictures and the --plot figure after training, the trained network's
--graph picture (matplotlib; Graphviz's graph for .dot/.gv or with
--graph-detail), and draw's -o (Graphviz).

Every writer turns an OSError into a ValueError that names the option,
so that `main` reports it in one line with exit status 1, and returns
whether it wrote what was asked: False after a fallback (the DOT source
instead of a .png without Graphviz's `dot`, no figure without
matplotlib), which the command turns into exit status 3.

`check_distinct` runs before any work: two options may not name one file,
and no output may name a file the command reads.
--animate's types (the file, --fps) are here too, for draw's film of the
backward pass and the training commands' film of training.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import sys
from pathlib import Path

from ..losses import LOSSES
from ..plot import INSTALL_HINT, decision_map, loss_sparkline, plot_training
from ..serialize import save
from ..drawing import GraphTooLarge, draw, render
from ..drawing.graph import laid_out_size
from ..drawing.network import DENSE, STRONGEST, choose_example, draw_network
from ..drawing.styles import DPI, PICTURE_STYLES, SLIDE_TEXT, picture_style
from ..drawing.animate import (
    ANIMATION_FORMATS, MAX_FPS, PILLOW_HINT, TRAINING_FPS, TRAINING_FRAMES, TrainingRecorder,
)
from .args import PROG, UsageError, cannot_write, number, output_file, positive_int


# ---- how a picture is drawn: --style and --size ------------------------------

STYLE_HELP = ("default, or slides: a 16:9 canvas, text of 18 pt or more on a slide shown "
              "1920 px wide, high contrast (default: %(default)s)")
SIZE_HELP = ("fit the picture to this box, in inches (8x4.5) or pixels at --dpi (1920x1080px); "
             "its shape is kept and it is centred")
MAX_INCHES = 200  # a poster; past it a typo (1920x1080 without px) would draw acres


def add_picture_options(parser: argparse.ArgumentParser, *, network: bool = False) -> None:
    """--style and --size, as every command that draws takes them; with
    `network`, --edges for the network picture too."""
    parser.add_argument("--style", choices=tuple(PICTURE_STYLES), default="default",
                        help=STYLE_HELP)
    parser.add_argument("--size", type=picture_size, default=None, metavar="WxH", help=SIZE_HELP)
    if network:
        parser.add_argument("--edges", type=positive_int, default=None, metavar="K",
                            help=f"with --graph, draw the K strongest weights into each unit "
                            f"(default: all, or {STRONGEST} a unit in a layer of more than "
                            f"{DENSE} weights; the caption says how many are drawn)")


def picture_size(text: str) -> tuple[float, float, str]:
    """--size: WxH in inches, or WxHpx in pixels: (width, height, unit)."""
    unit = "px" if text.lower().endswith("px") else "in"
    numbers = text[:-2] if unit == "px" else text.removesuffix("in")
    parts = numbers.lower().split("x")
    try:
        width, height = (float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT in inches (8x4.5) or pixels (1920x1080px), got {text!r}"
        ) from None
    if not (0 < width < math.inf and 0 < height < math.inf):
        raise argparse.ArgumentTypeError(f"the width and height must be above 0, got {text!r}")
    if unit == "in" and max(width, height) > MAX_INCHES:
        raise argparse.ArgumentTypeError(
            f"{text!r} is larger than {MAX_INCHES} inches; for pixels write {text}px"
        )
    return width, height, unit


def size_in_inches(size: tuple[float, float, str] | None, dpi: int) -> tuple[float, float] | None:
    """--size as inches: pixels are divided by --dpi (1920x1080px at 144 dpi: 13.33 x 7.5)."""
    if size is None:
        return None
    width, height, unit = size
    if unit == "px":
        width, height = width / dpi, height / dpi
    if max(width, height) > MAX_INCHES:
        raise UsageError(f"argument --size: {width:g} x {height:g} inches at --dpi {dpi} "
                         f"is larger than {MAX_INCHES} inches")
    return width, height


def small_text_note(graph, style: str, what: str = "this graph",
                    then: str = "draw a smaller expression, or leave out --style slides") -> None:
    """On a slide, say when fitting shrank the text of `what` (a drawing,
    or anything with a text_scale: an Animation, backward_frames' list)
    below SLIDE_TEXT pt, and `then`: what to do, or why it is so."""
    look = picture_style(style)
    if look.canvas is None:
        return
    smallest = min(look.node_font, look.small_font) * graph.text_scale
    if smallest < SLIDE_TEXT - 0.05:
        print(f"note: {what} is too large for a slide at {SLIDE_TEXT} pt: its smallest text "
              f"is {smallest:.0f} pt on a slide shown 1920 px wide; {then}")


def check_distinct(*outputs: tuple[str, str | None],
                   inputs: tuple[tuple[str, str | None], ...] = ()) -> None:
    """(option, path) pairs, None for an option not given: refuse an output
    that names a file an input option reads (writing it would destroy what
    was read: train --data x.json --save x.json), and two outputs that name
    the same file (the second would overwrite the first)."""
    read = {_file_key(path): option for option, path in inputs if path is not None}
    seen: dict[object, str] = {}
    for option, path in outputs:
        if path is None:
            continue
        key = _file_key(path)
        if key in read:
            raise UsageError(f"argument {option}: {path!r} is the file that {read[key]} reads; "
                             f"writing it would destroy it, so give {option} another file")
        if key in seen:
            raise UsageError(f"argument {option}: {path!r} is also the file of {seen[key]}; "
                             "give each output its own file")
        seen[key] = option


def _file_key(path: str) -> object:
    """What makes two paths one file: for a file that exists, its device
    and inode (so a symbolic or a hard link to it is the same file); for
    one still to be written, the full path it will be created at."""
    try:
        status = os.stat(path)
    except OSError:
        return os.path.normcase(os.path.realpath(path))
    return status.st_dev, status.st_ino


# What draw's --frames writes in its folder (see drawing/frames.py).
FRAME_FILE = re.compile(r"frame_\d+\.\w+|backward\.html|\.backward_frames")


def check_not_a_frame(option: str, path: str, frames: str | None) -> None:
    """Refuse a file that --frames would write over: a frame_NNN file or
    the page, in the frames folder."""
    if frames is None:
        return
    folder = os.path.normcase(os.path.realpath(frames))
    if (os.path.normcase(os.path.realpath(os.path.dirname(path) or ".")) == folder
            and FRAME_FILE.fullmatch(os.path.basename(path))):
        raise UsageError(f"argument {option}: {path!r} is one of the files --frames writes "
                         f"in {frames!r}; give it another name or folder")


def save_model(args: argparse.Namespace, run, *, quiet: bool = False) -> bool:
    """--save FILE: the trained model, as JSON."""
    if getattr(args, "save", None) is None:
        return True
    try:
        save(run.model, args.save, loss=run.objective.loss)  # predict reads its output by the loss
    except OSError as error:  # e.g. the disk filled up during training
        raise cannot_write("--save", args.save, error) from None
    if not quiet:
        print(f"saved the model to {args.save}; run it with "
              f"`{PROG} predict --model {args.save} X1 X2`")
    return True


def pictures(args: argparse.Namespace, run) -> bool:
    """The loss curve and the decision regions: always in text, and as a
    figure with --plot when matplotlib is installed."""
    print()
    print("loss: " + loss_sparkline(run.history, width=50, ascii=not can_print("█▁")))
    no_map = run.why_no_map()  # train --data: more inputs than two, or a regression
    if no_map is None:
        print(decision_map(run.model, run.X, run.y, width=40, height=14,
                           classify=run.objective.classify, undecided=run.objective.undecided))
    else:
        print(f"no decision map: {no_map}")
    if getattr(args, "plot", None) is None:
        return True
    title = f"{run.dataset}: MLP {_architecture(run.model)}, {loss_name(run)} loss"
    drawn = (run.model, run.X, run.y) if no_map is None else ()  # the loss curve alone
    path = _write_figure("--plot", args.plot, "plot", lambda: plot_training(
        run.history, *drawn, path=args.plot,
        classify=run.objective.classify, title=title, dpi=args.dpi,
        style=args.style, size=size_in_inches(args.size, args.dpi)))
    if path is None:
        return False
    if no_map is None:
        print(f"wrote the loss curve and the decision boundary to {path}")
    else:
        print(f"wrote the loss curve to {path} (no decision boundary: {no_map})")
    return True


def can_print(text: str) -> bool:
    """Whether stdout's encoding has these characters (a Windows console
    or LANG=C may not)."""
    try:
        text.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def loss_name(run) -> str:
    """The loss as the command line spells it: cross-entropy, not cross_entropy."""
    return run.objective.loss.replace("_", "-")


def _architecture(model) -> str:
    """An MLP's layer sizes as the pictures' titles show them: 2-4-4-1."""
    nin = len(model.layers[0].neurons[0].w)
    return "-".join([str(nin)] + [str(len(layer.neurons)) for layer in model.layers])


def network_graph(args: argparse.Namespace, run) -> bool:
    """--graph FILE: the trained network, following one example (the one
    with the largest loss, or --graph-input): a picture of its neurons'
    maps (matplotlib), or, for .dot/.gv or with --graph-detail, Graphviz's
    graph of the forward pass coloured by the gradient of that example's loss."""
    if getattr(args, "graph", None) is None:
        return True
    loss_fn = LOSSES[run.objective.loss]
    example = choose_example(run.model, run.X, run.y, loss=loss_fn, example=args.graph_input)
    where = ", ".join(f"{v:.3g}" for v in example.x)
    title = (f"{run.dataset}, trained MLP {_architecture(run.model)}: following x = ({where}), "
             f"target {example.target}; {loss_name(run)} loss {example.loss:.4g}")
    if _wants_graphviz(args):
        return _graphviz_network(args, run, example, loss_fn, title)
    path = _write_figure("--graph", args.graph, "network picture", lambda: draw_network(
        run.model, run.X, run.y, loss=loss_fn, loss_name=loss_name(run), example=example,
        classify=None if run.objective.regression else run.objective.classify,
        title=title, path=args.graph, dpi=args.dpi, edges=args.edges, style=args.style,
        size=size_in_inches(args.size, args.dpi)))
    if path is None:
        return False
    print(f"wrote {path}")
    return True


def _graphviz_network(args: argparse.Namespace, run, example, loss_fn, title: str) -> bool:
    try:
        graph = _network_dot(args, run.model, example, loss_fn, title)
        small_text_note(graph, args.style)
    except ImportError as missing:  # the graphviz package is missing
        sys.stdout.flush()
        print(f"{PROG}: no graph drawn: {missing}", file=sys.stderr)
        return False
    return write_graph(graph, args.graph, "--graph", dpi=args.dpi)


def _wants_graphviz(args: argparse.Namespace) -> bool:
    """Whether --graph is Graphviz's graph of the forward pass (--graph-detail,
    or a .dot/.gv file), not the picture of neurons' maps."""
    return args.graph_detail or Path(args.graph).suffix.lower() in (".dot", ".gv")


def _network_dot(args: argparse.Namespace, model, example, loss_fn, title: str):
    """Graphviz's graph of `model` following `example`, coloured by the
    gradient of its loss; a ValueError when it is too large to read."""
    model.zero_grad()  # show this example's gradients, not training's leftovers
    loss = loss_fn([model(list(example.x))], [example.target])
    loss.backward()
    try:
        graph = draw(loss, model=model, collapse=not args.graph_detail, grad_view=True,
                     title=title, style=args.style, size=size_in_inches(args.size, args.dpi))
    except GraphTooLarge as error:
        how = ("leave out --graph-detail to draw one box per neuron" if args.graph_detail
               else "use smaller --hidden layers to draw it")
        raise ValueError(f"--graph: the network's graph has {error.count} nodes, more than "
                         f"the {error.limit} that stay readable; {how}") from None
    _check_page(graph, args)
    return graph


def check_network_graph(args: argparse.Namespace, model, X: list, y: list, loss: str) -> None:
    """Before training: refuse a Graphviz --graph too large to read. Its
    size is the network's shape, not its weights, so the untrained model
    tells it now, instead of after minutes of training."""
    if getattr(args, "graph", None) is None or not _wants_graphviz(args):
        return
    loss_fn = LOSSES[loss]
    example = choose_example(model, X, y, loss=loss_fn, example=args.graph_input)
    try:
        _network_dot(args, model, example, loss_fn, title=f"trained MLP {_architecture(model)}")
    except ImportError:  # said in one line after training, where the other outputs are written
        return
    except ValueError as error:
        raise UsageError(f"argument {error}") from None


# Past this many inches a side a picture is no page: a 2-16-16-1 network with
# --graph-detail was 25 x 71 inches (3723 x 10623 px at 150 dpi).
MAX_PAGE = 40
MIN_TEXT_SCALE = 0.35  # fitted to --size, text shrunk past this is unreadable (11 pt -> 4 pt)


def _check_page(graph, args: argparse.Namespace) -> None:
    """Refuse, with what to do instead, a --graph picture too large for a
    page (or, fitted to --size, whose text would shrink out of sight)."""
    how = ("leave out --graph-detail to draw one box per neuron, or use smaller --hidden layers"
           if args.graph_detail else "use smaller --hidden layers")
    if graph.box is not None:
        if graph.text_scale < MIN_TEXT_SCALE:
            raise ValueError(f"--graph: fitted to --size, the graph's text would be shrunk to "
                             f"{graph.text_scale:.0%} of its size, too small to read; {how}")
        return
    natural = laid_out_size(graph)
    if natural is not None and max(natural) > MAX_PAGE:
        w, h = natural
        raise ValueError(f"--graph: the graph would be {w:.0f} x {h:.0f} inches "
                         f"({w * args.dpi:.0f} x {h * args.dpi:.0f} px at {args.dpi} dpi), too large "
                         f"for a page; {how}")


def write_graph(graph, path: str, option: str, *, dpi: int = DPI) -> bool:
    """Render to path; False when Graphviz's dot program is missing and the
    .dot file was written instead (render itself says so in one line, and
    how to install Graphviz)."""
    try:
        written = render(graph, path, dpi=dpi)
    except OSError as error:  # e.g. no permission to write there
        raise cannot_write(option, path, error) from None
    if written is not None:  # (None: nothing written, and render has said why)
        print(f"wrote {written}")
    return written is not None and Path(written) == Path(path)


def _write_figure(option: str, path: str, what: str, write) -> Path | None:
    """Call write(), which draws a matplotlib figure into path, and return
    what it returns; None, after one line on stderr, when matplotlib (an
    optional extra) is not installed."""
    try:
        return write()
    except ImportError as missing:
        sys.stdout.flush()
        print(f"{PROG}: no {what} written: {missing}", file=sys.stderr)
        return None
    except OSError as error:  # e.g. no permission to write there
        raise cannot_write(option, path, error) from None



# ---- animations: draw --animate, and xor/train --animate ------------------------


def animation_file(text: str) -> str:
    """--animate FILE: .gif, .apng (.png) or .mp4, the last only with ffmpeg."""
    path = output_file(ANIMATION_FORMATS)(text)
    if path.lower().endswith(".mp4") and shutil.which("ffmpeg") is None:
        raise argparse.ArgumentTypeError(
            f"cannot write {text!r}: .mp4 needs the ffmpeg program, which is not installed; "
            "write .gif or .apng instead"
        )
    return path


def training_animation_file(text: str) -> str:
    """--animate FILE after training: animation_file's checks, and Pillow
    and matplotlib there now, before training, not after it."""
    path = animation_file(text)
    for module, name, hint in (("PIL", "Pillow", PILLOW_HINT), ("matplotlib", "matplotlib", INSTALL_HINT)):
        try:
            __import__(module)
        except ImportError:
            raise argparse.ArgumentTypeError(
                f"cannot write {text!r}: a film of training needs {name}, which is not "
                f"installed: {hint}") from None
    return path


def fps(text: str) -> float:
    """--fps: frames a second, from 0.1 to MAX_FPS."""
    x = number(text)
    if not 0.1 <= x <= MAX_FPS:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be from 0.1 to {MAX_FPS} frames a second, got {text}")
    return x


def add_training_animation_options(parser: argparse.ArgumentParser) -> None:
    """xor's and train's --animate, --animate-every and --fps."""
    parser.add_argument(
        "--animate", type=training_animation_file, default=None, metavar="FILE",
        help="after training, write it as a film, a frame every --animate-every epochs: the loss "
        "so far, the decision boundary and the network picture, each captioned with its epoch "
        "and loss; .gif, .apng, or .mp4 where ffmpeg is installed (needs Pillow and matplotlib)")
    parser.add_argument(
        "--animate-every", type=positive_int, default=None, metavar="K",
        help=f"with --animate, a frame every K epochs, and the first and last (default: about "
        f"{TRAINING_FRAMES} frames in all)")
    parser.add_argument(
        "--fps", type=fps, default=None, metavar="N",
        help=f"with --animate, frames a second (default: {TRAINING_FPS:g}; the first and last "
        "are held three times as long)")


def training_recorder(args: argparse.Namespace, epochs: int, nin: int, regression: bool):
    """The TrainingRecorder --animate films with, or None without --animate;
    its other options checked before training, and the film's pixels too."""
    from ..drawing.animate import FilmTooLarge, check_film_size, every_for, film_frames, frame_inches

    given = [o for o, v in (("--animate-every", args.animate_every), ("--fps", args.fps)) if v is not None]
    if getattr(args, "animate", None) is None:
        if given:
            raise UsageError(f"argument {given[0]}: sets how --animate films training; "
                             "give --animate FILE too")
        return None
    if nin != 2 or regression:
        why = (f"the data has {nin} input columns, and a frame maps two" if nin != 2
               else "the labels are numbers to predict, not classes")
        raise UsageError(f"argument --animate: films the decision boundary over the input "
                         f"plane; {why}")
    try:
        every = every_for(epochs, args.animate_every)
    except ValueError as error:
        raise UsageError(f"argument --animate-every: {error}") from None
    try:
        check_film_size(frame_inches(args.style), args.dpi, film_frames(epochs, every))
    except FilmTooLarge as error:
        raise UsageError(f"argument --dpi: with --animate, {error.reason}") from None
    return TrainingRecorder(every=every)


def training_animation(args: argparse.Namespace, run) -> bool:
    """--animate FILE after training: the film the recorder took."""
    if getattr(args, "animate", None) is None:
        return True
    title = f"{run.dataset}: MLP {_architecture(run.model)}, {loss_name(run)} loss"
    try:
        path = run.recorder.animation(
            run.X, run.y, loss=LOSSES[run.objective.loss], path=args.animate,
            fps=args.fps or TRAINING_FPS, classify=run.objective.classify,
            example=args.graph_input, loss_name=loss_name(run), title=title, edges=args.edges,
            style=args.style, dpi=args.dpi)
    except ImportError as missing:  # checked before training; uninstalled since?
        sys.stdout.flush()
        print(f"{PROG}: no animation written: {missing}", file=sys.stderr)
        return False
    except OSError as error:
        raise cannot_write("--animate", args.animate, error) from None
    frames = len(run.recorder.filmed())
    print(f"wrote training, {frames} frames (a frame every {run.recorder.every} epochs), to {path}")
    return True
