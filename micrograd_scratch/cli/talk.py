"""`micrograd-scratch talk`: the talk "Deep Learning from scratch with
python" as a deck, every number and figure computed by the package as the
slides are made (talk.py says what is on each slide).

    micrograd-scratch talk --export talk/            # talk/index.html, one static page
    micrograd-scratch talk --pdf talk.pdf            # a 16:9 PDF, a page a slide
    micrograd-scratch talk --slides 1-4,7,9 --add notes.md --seed 3 --export talk/

A slide whose figure needs a missing program or package (matplotlib,
Graphviz's dot, Pillow) is written without it; one line per missing piece
says what to install and which slides it affects, and the exit status is 3.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time

from .. import talk
from .args import FALLBACK, OK, PROG, UsageError, cannot_write, in_writable_folder, integer, output_file

NAME = "talk"

MAX_NOTES = 1_000_000  # bytes of a teacher's Markdown file: a slide's text, not a book


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="write the talk as slides, every figure computed now: an HTML page, a PDF",
        description="Write the talk 'Deep Learning from scratch with python' as a deck: "
        "the perceptron, least squares on XOR, the hand-set ReLU network, non-linearities, "
        "gradient descent, minibatch SGD, computational graphs, the chain rule and "
        "back-propagation, each figure computed by this package from a seeded run. "
        "Slides are numbered as in the talk: 0 the title, 1 to 10, 11 the closing.",
        epilog="A teacher's slide (--add): a file of Markdown slides, each beginning with "
        "the three lines '---', 'after: N' (the talk's slide it follows) and '---', then "
        "'# title', lines of text and '- ' points",
    )
    parser.add_argument("--export", metavar="DIR", type=export_folder,
                        help="write the deck as DIR/index.html, one page that works from any "
                        "static server or as a file, and asks for nothing from anywhere")
    parser.add_argument("--pdf", metavar="FILE",
                        help="write the deck as a 16:9 PDF, one page a slide (needs matplotlib); "
                        "it may go in the folder --export makes")
    parser.add_argument("--seed", type=integer, default=0,
                        help="seeds every run the slides show (default: %(default)s)")
    parser.add_argument("--slides", type=slide_list, metavar="LIST",
                        help="the talk's slides to write, in this order, e.g. 1-4,7,9 "
                        "(default: all, 0-11)")
    parser.add_argument("--add", type=teacher_file, action="append", default=[], metavar="NOTES.md",
                        help="add your own slides from a Markdown file, each after the slide it "
                        "names (may be given more than once)")
    return parser


# ---- argument types ------------------------------------------------------------------


def export_folder(text: str) -> str:
    """--export: a folder that is there or can be made, to write index.html in."""
    if os.path.exists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"cannot write the deck into {text!r}: it is not a folder")
    if os.path.isdir(text):
        page = os.path.join(text, talk.PAGE_NAME)
        if os.path.exists(page) and not os.path.isfile(page):
            raise argparse.ArgumentTypeError(f"cannot write {page!r}: it is not a regular file")
        in_writable_folder(page)
    else:
        in_writable_folder(os.path.normpath(text))  # its parent: the folder is made there
    return text


def check_pdf(args: argparse.Namespace) -> None:
    """--pdf: a .pdf file in a folder that can be written, or in the folder
    --export is about to make (`--export talk/ --pdf talk/talk.pdf`)."""
    folder = os.path.dirname(args.pdf) or "."
    made = args.export and not os.path.exists(args.export)
    if made and os.path.abspath(folder) == os.path.abspath(args.export):
        if not args.pdf.lower().endswith(".pdf"):  # (its folder: --export's, checked)
            raise UsageError(f"argument --pdf: cannot write {args.pdf!r}: the file name must end in .pdf")
        return
    try:
        output_file((".pdf",))(args.pdf)
    except argparse.ArgumentTypeError as error:
        raise UsageError(f"argument --pdf: {error}") from None


def slide_list(text: str) -> list[int]:
    try:
        return talk.parse_slides(text)
    except talk.DeckError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def teacher_file(text: str) -> list[talk.TeacherSlide]:
    try:
        with open(text, "rb") as f:
            data = f.read(MAX_NOTES + 1)
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot read {text!r}: {error.strerror or error}") from None
    if len(data) > MAX_NOTES:
        raise argparse.ArgumentTypeError(f"{text}: more than {MAX_NOTES:,} bytes; a slide's notes "
                                         "are shorter")
    try:
        return talk.teacher_slides(data.decode("utf-8"), text)
    except UnicodeDecodeError as error:
        raise argparse.ArgumentTypeError(f"{text}: not UTF-8 text (byte {error.start})") from None
    except talk.DeckError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# ---- running ------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    if not args.export and not args.pdf:
        raise UsageError("say where to write the deck: --export DIR, --pdf FILE, or both")
    if args.pdf:
        check_pdf(args)
    numbers = args.slides if args.slides is not None else list(talk.TALK_SLIDES)
    try:
        order = talk.select(numbers, [t for notes in args.add for t in notes])
    except talk.DeckError as error:
        raise UsageError(f"argument --add: {error}") from None

    written: list[str] = []
    try:
        return _make(args, order, written)
    except KeyboardInterrupt:  # files are written whole: each is there complete, or not at all
        sys.stdout.flush()
        print(f"{PROG}: interrupted; " + (f"only {written[0]} was written" if written
                                          else "nothing was written"), file=sys.stderr)
        raise


def _make(args: argparse.Namespace, order: list, written: list[str]) -> int:
    started = time.perf_counter()
    slides = talk.deck(args.seed, order)
    status = OK
    if args.export:
        try:
            path = talk.write_html(slides, args.export)
        except OSError as error:
            raise cannot_write("--export", args.export, error) from None
        written.append(path)
        print(f"wrote {path}: {len(slides)} slides, {os.path.getsize(path) / 1e6:.1f} MB; "
              f"open it through any static server, #N is the N-th slide")
    if args.pdf:
        if importlib.util.find_spec("matplotlib") is None:
            print(f"{PROG}: {args.pdf} was not written: a PDF is drawn by matplotlib, which is "
                  f"missing ({talk.NEEDS['matplotlib']})", file=sys.stderr)
            status = FALLBACK
        else:
            try:
                talk.write_pdf(slides, args.pdf)
            except OSError as error:
                raise cannot_write("--pdf", args.pdf, error) from None
            print(f"wrote {args.pdf}: {len(slides)} pages, 16:9")
    for line in talk.missing_lines(slides):
        print(f"{PROG}: {line}", file=sys.stderr)
        status = FALLBACK
    print(f"seed {args.seed}; made in {time.perf_counter() - started:.1f} s")
    return status
