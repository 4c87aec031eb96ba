"""Backprop as an animation: one file a slide can hold.

`animate_backward(root, "backprop.gif")` films the backward pass as
frames.py draws it, one frame per step of `backward_steps`, every frame
pinned to one layout (so nothing moves; only colours and text change),
and writes the frames as one animated file:

    .gif          any slide program, any browser (256 colours: ours are few)
    .apng         an animated PNG: full colour (.png works as well)
    .mp4          a video, where the ffmpeg program is installed

Each frame's caption is its chain-rule line, `a.grad += upstream × local
= term` for each input, and the sum when a node used twice receives its
second term. The first frame (the seed, d out/d out = 1) and the last
("done") are held HOLD times as long as the others; `fps` sets the pace.
The captions are written into the file as well (a GIF's comment, an
APNG's "Description" text), one line per frame, so a reader can check
every number without the picture.

A film's pixels are bounded before its first frame is drawn (a frame
at most a 4K screen, all its frames together MAX_FILM_PIXELS; the
refusal names a dpi that fits), and its frames are decoded one at a
time as the file is written, not all held at once.

Without a path, the Animation that is returned shows itself inline in
Jupyter (a GIF), and `.save(path)` writes it. GIF and APNG are written by
Pillow, which matplotlib already needs (pip install -e ".[plot]", or
pip install pillow); Graphviz's `dot` draws the frames.

Training, filmed: `animate_training(model, X, y, mse, "training.gif",
epochs=200)` trains the model with optim.fit and films it, a frame every
`every` epochs (and the first and last): the loss so far and the decision
boundary (plot.plot_snapshot) beside the network picture (network.py),
each frame drawn on the same fixed layout, captioned with its epoch and
loss. A TrainingRecorder is the camera: fit's callback, or the command
line's training hook (cli/training.py's train_model), keeps the
parameters every `every` epochs while training runs; the frames are
drawn afterwards, when the loss axes can be fixed to the whole run.

Sources: micrograd PR #105 and the micrograd-animation project (backprop
animated); TensorFlow Playground (training watched as it happens); the GIF89a specification (comment extension); the APNG
specification (frame delays).
"""

from __future__ import annotations

import base64
import io
import itertools
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from ..engine import Value
from ..files import write_atomically
from .frames import (
    DONE_CAPTION, BackwardStep, _grad_of, _pinned_frames, _same_height, backward_steps, frame_look,
    pinned_picture,
)
from .graph import _Plan, laid_out_size, op_symbol
from .styles import DPI, MIN_DPI, DotError, PictureStyle, check_dpi, checked_path, fmt, picture_style

__all__ = ["animate_backward", "animate_training", "TrainingRecorder", "Snapshot", "Animation",
           "ANIMATION_FORMATS", "PILLOW_HINT", "captions", "check_film_size", "FilmTooLarge"]

ANIMATION_FORMATS = (".gif", ".apng", ".png", ".mp4")
PILLOW_HINT = 'pip install -e ".[plot]" (or pip install pillow)'
HOLD = 3  # the first and last frames stay this many times as long
FPS = 1.0  # frames a second: one chain-rule step a second reads comfortably
MAX_FPS = 50  # a GIF cannot show frames shorter than 20 ms
TERMS_PER_LINE = 2  # a neuron's w·x + b sends many terms: two to a caption line
FRAME = (12, 6.75)  # inches, 16:9, a film's frame: 1800 x 1012 px at 150 dpi (the slide style: 13.33 x 7.5)


def _pillow():
    """PIL.Image, or the one-line hint to install it."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"writing an animation needs Pillow, which is not installed: {PILLOW_HINT}") from None
    return Image


# ---- the captions ------------------------------------------------------------


def captions(steps: list[BackwardStep]) -> list[list[str]]:
    """Each frame's caption as lines: the step, its chain-rule line for
    every input, and the sums of this step; then "done"."""
    root = steps[0].node
    out = [[f"step 0 of {steps[0].total}: seed {_grad_of(root, root)} = 1 "
            f"(d out/d out; every other grad starts at 0)"]]
    for s in steps[1:]:
        head = (f"step {s.number} of {s.total}: {_grad_of(s.node, root)} = {fmt(s.upstream)} "
                f"flows back through {op_symbol(s.node)}")
        chain = [f"{_grad_of(t.input, root)} += {t.product}" for t in s.terms]
        lines = ["      ".join(chain[i:i + TERMS_PER_LINE]) for i in range(0, len(chain), TERMS_PER_LINE)]
        out.append([head, *lines, *s.sums])
    out.append([DONE_CAPTION])
    return out


# ---- the animation -------------------------------------------------------------


class Animation:
    """Frames (PNG bytes), how long each shows (ms) and its caption: shown
    inline in Jupyter as a GIF, written with `save(path)`."""

    def __init__(self, frames: list[bytes], durations: list[int], captions: list[str], *,
                 subject: str = "the backward pass", name: str = "backprop.gif",
                 error: DotError | None = None, text_scale: float = 1.0):
        self.frames = frames
        self.durations = durations
        self.captions = captions
        self.subject = subject  # what it films, for a reader that cannot see it
        self.name = name  # the file its repr suggests
        self.error = error  # why there are no frames: dot is missing or broken
        self.text_scale = text_scale  # how much fitting the frames to their box scaled their text

    @property
    def missing(self) -> str:
        """Why there are no frames, in one line ("" when there are)."""
        if self.error is None:
            return ""
        return f"{self.error.why}, so {self.subject} is shown in words; {self.error.how}"

    def write(self, path: str | os.PathLike) -> Path | None:
        """save(path); or, where dot could not draw the frames, one line
        on stderr that says so and what to do, and None (nothing written)."""
        if self.error is not None:
            print(f"{self.error.why}, so {path} was not written; {self.error.how}", file=sys.stderr)
            return None
        return self.save(path)

    def save(self, path: str | os.PathLike) -> Path:
        """Write .gif, .apng (.png) or .mp4, whole or not at all."""
        if self.missing:
            raise RuntimeError(self.missing)
        path = checked_path(path, ANIMATION_FORMATS, "animation")
        if path.suffix.lower() == ".mp4":
            data = self._mp4()
            write_atomically(path, lambda f: f.write(data))
        else:
            format = "GIF" if path.suffix.lower() == ".gif" else "PNG"
            write_atomically(path, lambda f: self._write_pillow(f, format))
        return path

    def comment(self) -> str:
        """The captions, one line per frame, as the file carries them."""
        return "\n".join(f"frame {i}: {c}" for i, c in enumerate(self.captions))

    def _images(self):
        """The frames decoded, one at a time: only the PNGs are held, and a
        decoded frame (3 bytes a pixel) lives while it is written."""
        Image = _pillow()
        size = None
        for png in self.frames:
            image = Image.open(io.BytesIO(png)).convert("RGB")
            size = size or image.size
            if image.size != size:  # pinned frames never differ; a guard
                raise RuntimeError(f"the frames have different sizes: {size} and {image.size}")
            yield image

    def _write_pillow(self, file, format: str) -> None:
        """The frames as an animated GIF or PNG, into `file`."""
        Image = _pillow()
        if format == "GIF":
            palette = _palette(self._images())  # a first pass over the frames

            def frames():
                return (im.quantize(palette=palette, dither=Image.Dither.NONE) for im in self._images())

            # Disposal 2 (restore to background) makes Pillow store every
            # frame whole, not as the rectangle that changed: one frame
            # taken from the file (convert 'out.gif[3]' f3.png) is the
            # whole picture. It costs bytes: README's slide film 212 -> 244 kB.
            options = dict(comment=self.comment().encode("utf-8"), optimize=False, disposal=2)
        else:
            from PIL.PngImagePlugin import PngInfo

            frames = self._images
            info = PngInfo()
            info.add_itxt("Description", self.comment())
            options = dict(pnginfo=info, default_image=False)
        first = next(frames())
        rest = _Afresh(lambda: itertools.islice(frames(), 1, None))
        first.save(file, format=format, save_all=True, append_images=rest,
                   duration=self.durations, loop=0, **options)

    def _mp4(self) -> bytes:
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None:
            raise ValueError("writing .mp4 needs the ffmpeg program, which is not installed; "
                             "write .gif or .apng instead (they need only Pillow)")
        with tempfile.TemporaryDirectory(prefix="micrograd-animation-") as folder:
            folder = Path(folder)
            listing = []
            for i, (png, ms) in enumerate(zip(self.frames, self.durations)):
                (folder / f"f{i:04d}.png").write_bytes(png)
                listing += [f"file 'f{i:04d}.png'", f"duration {ms / 1000:.3f}"]
            listing.append(f"file 'f{len(self.frames) - 1:04d}.png'")  # concat needs the last twice
            (folder / "frames.txt").write_text("\n".join(listing) + "\n", encoding="utf-8")
            out = folder / "out.mp4"
            done = subprocess.run(
                [ffmpeg, "-y", "-loglevel", "error", "-f", "concat", "-safe", "0",
                 "-i", str(folder / "frames.txt"),
                 # even sides and yuv420p: what every player can decode
                 "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white,format=yuv420p",
                 "-fps_mode", "vfr", str(out)],
                capture_output=True, timeout=600,
            )
            if done.returncode != 0:
                last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
                raise ValueError(f"ffmpeg could not write the .mp4: {last}")
            return out.read_bytes()

    def _repr_html_(self) -> str | None:
        if self.missing:
            return None  # Jupyter shows the text below instead
        buffer = io.BytesIO()
        self._write_pillow(buffer, "GIF")
        gif = base64.b64encode(buffer.getvalue()).decode("ascii")
        return f'<img alt="{self.subject}, animated" src="data:image/gif;base64,{gif}">'

    def __repr__(self) -> str:
        if self.missing:  # the captions in words, after the one line that says why
            return "\n".join([self.missing, *self.captions])
        seconds = sum(self.durations) / 1000
        return (f"<an animation of {len(self.frames)} frames, {seconds:g} s: "
                f"save('{self.name}') writes it, Jupyter shows it>")


class _Afresh:
    """An iterable that makes its iterator afresh each time it is walked
    (Pillow's APNG writer walks the frames twice), so that the frames are
    decoded as they are written and never all held at once."""

    def __init__(self, make: Callable):
        self.make = make

    def __iter__(self):
        return iter(self.make())


def _palette(images: Iterable):
    """One GIF palette for every frame, so that no colour shifts between
    frames: the 256 commonest distinct colours of all of them, exactly
    (white stays white, each fill its own colour; only the edges of text
    and lines, which a median cut would average in, are rounded)."""
    Image = _pillow()
    counts: dict = {}
    for im in images:
        for n, colour in im.getcolors(im.width * im.height):
            counts[colour] = counts.get(colour, 0) + n
    common: list = []
    for colour in sorted(counts, key=counts.get, reverse=True)[:4096]:  # the rest are specks
        # Pillow matches pixels to a palette at reduced precision: a colour
        # within a few steps of a commoner one would take some of its pixels.
        if all(max(abs(a - b) for a, b in zip(colour, kept)) > 8 for kept in common):
            common.append(colour)
            if len(common) == 256:
                break
    palette = Image.new("P", (1, 1))
    palette.putpalette([c for colour in common for c in colour])
    return palette


def _durations(count: int, fps: float) -> list[int]:
    """Milliseconds per frame: 1/fps each, the first and last held HOLD times."""
    ms = round(1000 / fps)
    durations = [ms] * count
    durations[0] = durations[-1] = HOLD * ms
    return durations


# What one film may hold, checked before its first frame is drawn: every
# frame is decoded while the file is written (3 bytes a pixel), and a GIF
# writer keeps each frame at a byte a pixel until the file is done.
MAX_FRAME_PIXELS = 3840 * 2160  # a 4K screen: a larger frame shows nothing more
MAX_FILM_PIXELS = 200_000_000  # pixels x frames: 200 frames of 1200 x 675 px fit, and 24 of 4K


class FilmTooLarge(ValueError):
    """A film refused by check_film_size; `reason` is its message without
    the name of the function refused."""

    def __init__(self, who: str, reason: str):
        super().__init__(f"{who}{': ' if who else ''}{reason}")
        self.reason = reason


def check_film_size(inches: tuple[float, float], dpi: int, frames: int, who: str = "") -> None:
    """Refuse a film of `frames` frames of `inches` at `dpi` whose frame, or
    whose frames together, have more pixels than MAX_FRAME_PIXELS or
    MAX_FILM_PIXELS, naming the largest dpi that fits (and, where no dpi
    fits, how many frames would)."""
    width, height = round(inches[0] * dpi), round(inches[1] * dpi)
    pixels = width * height
    if pixels <= MAX_FRAME_PIXELS and pixels * frames <= MAX_FILM_PIXELS:
        return
    most = min(MAX_FRAME_PIXELS, MAX_FILM_PIXELS / frames)  # pixels a frame may have
    fits = math.floor(math.sqrt(most / (inches[0] * inches[1])))
    if pixels > MAX_FRAME_PIXELS:
        what = f"a frame of {width:,} x {height:,} px is more than {MAX_FRAME_PIXELS:,} pixels (a 4K screen)"
    else:
        what = (f"{frames} frames of {width:,} x {height:,} px are {pixels * frames:,} pixels, more "
                f"than the {MAX_FILM_PIXELS:,} a film may hold")
    if fits >= MIN_DPI:
        how = f"a dpi of {fits} or less fits"
    else:
        at_least = round(inches[0] * MIN_DPI) * round(inches[1] * MIN_DPI)
        how = (f"at dpi {MIN_DPI} at most {MAX_FILM_PIXELS // at_least} frames fit")
    raise FilmTooLarge(who, f"at dpi {dpi}, {what}; {how}")


def check_fps(fps) -> float:
    """fps must be a number from 0.1 to MAX_FPS."""
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0.1 <= fps <= MAX_FPS:
        raise ValueError(f"fps must be a number of frames a second from 0.1 to {MAX_FPS}, got {fps!r}")
    return float(fps)


def animate_backward(
    root: Value,
    path: str | os.PathLike | None = None,
    *,
    fps: float = FPS,
    rankdir: str | None = None,
    params: Iterable[Value] | None = None,
    model=None,
    max_nodes: int = 200,
    grad_view: bool = False,
    style: str | PictureStyle = "default",
    size: tuple[float, float] | None = None,
    dpi: int = DPI,
):
    """The backward pass from `root` as an animation, one frame per step.

    With `path` (.gif, .apng or .png, .mp4 where ffmpeg is installed),
    writes it whole and returns the path; without, returns the Animation
    (Jupyter shows it inline). fps: frames a second (the first and last
    are held HOLD times as long). The other options are backward_frames':
    grad_view shades every frame by the gradients so far, style="slides"
    fits a 16:9 slide (1920 x 1080 px at dpi=144), size= a box in inches.
    Without style or size, the frames fit FRAME, 16:9, laid out left to
    right or top to bottom, whichever fills it better: a slide holds it.
    No `.grad` is changed. Needs Graphviz's `dot` and Pillow: without a
    working `dot`, one line says why, as draw's pictures do; with `path`
    on stderr (nothing is written, and it returns None), without it as
    the Animation's text, followed by the captions. The Animation's
    `text_scale` is how much fitting scaled the frames' text.
    """
    fps = check_fps(fps)
    check_dpi(dpi, "animate_backward")
    if path is not None:
        path = checked_path(path, ANIMATION_FORMATS, "animate_backward")
    _pillow()  # before any drawing: the one line that says how to get it
    if size is None and picture_style(style).canvas is None:
        size = FRAME
    look = frame_look(rankdir, style, grad_view, size)
    plan = _Plan(root, params, model, False, max_nodes, look.rankdirs[0])
    steps = backward_steps(root)
    lines = captions(steps)
    captioned = ["  ".join(c) for c in lines]
    try:
        frames = _pinned_frames(plan, steps, look, titles=_same_height(lines))
        inches = look.box or laid_out_size(frames[0], neato_no_op=2)
        if inches is not None:  # (None: dot failed to lay it out, and says so below)
            check_film_size(inches, dpi, len(frames), "animate_backward")
        pngs = [pinned_picture(frame, "png", dpi) for frame in frames]
    except DotError as error:
        animation = Animation([], [], captioned, error=error)
    else:
        animation = Animation(pngs, _durations(len(pngs), fps), captioned,
                              text_scale=frames[0].text_scale)
    return animation if path is None else animation.write(path)


# ---- training, filmed --------------------------------------------------------

TRAINING_FPS = 4.0  # snapshots go by faster than chain-rule steps: a run in seconds
TRAINING_FRAMES = 20  # snapshots in a film when `every` is not given
MAX_TRAINING_FRAMES = 200  # past it a film is too long to watch, and minutes to draw
PLOTS = {"default": 0.36, "slides": 0.42}  # of a frame's width: the loss and the map; the network the rest
MAP_RESOLUTION = 40  # grid points a side of the map: a frame draws in about a second


@dataclass(frozen=True)
class Snapshot:
    """The model's parameters after `epoch` epochs (0: before training)."""

    epoch: int
    parameters: tuple[float, ...]


def every_for(epochs: int, every: int | None = None) -> int:
    """`every` checked, or by default so that a film of `epochs` epochs has
    about TRAINING_FRAMES frames; refused past MAX_TRAINING_FRAMES."""
    if every is None:
        every = max(1, -(-epochs // TRAINING_FRAMES))  # ceil: never more than TRAINING_FRAMES
    if type(every) is not int or every < 1:
        raise ValueError(f"every must be a whole number of epochs, at least 1, got {every!r}")
    frames = film_frames(epochs, every)
    if frames > MAX_TRAINING_FRAMES:
        raise ValueError(f"a frame every {every} epochs of {epochs} is {frames} frames, more than "
                         f"{MAX_TRAINING_FRAMES}; take a frame every {-(-epochs // (MAX_TRAINING_FRAMES - 2))} "
                         f"epochs or more")
    return every


def film_frames(epochs: int, every: int) -> int:
    """The frames of a film of `epochs` epochs: the start, every `every`-th, the last."""
    return epochs // every + 1 + (epochs % every > 0)


def frame_inches(style: str | PictureStyle = "default") -> tuple[float, float]:
    """The size of a training film's frame, in inches: the style's canvas, or FRAME."""
    return picture_style(style).canvas or FRAME


class TrainingRecorder:
    """The camera of a training film: keeps the parameters before training
    and after every `every`-th epoch, while training runs.

    As fit's callback, `fit(model, X, y, mse, epochs=200, callback=recorder)`
    with `TrainingRecorder(model, every=10)`; or fed by any loop through
    `observe(epoch, model, history)` (the command line's train_model does).
    `animation(X, y, loss=mse)` then draws the film: the last epoch is
    always in it, whether or not it is an `every`-th."""

    def __init__(self, model=None, *, every: int = 1):
        if type(every) is not int or every < 1:
            raise ValueError(f"TrainingRecorder: every must be a whole number of epochs, at least 1, "
                             f"got {every!r}")
        self.every = every
        self.model = None
        self.history: list[float] = []  # the mean loss of each epoch so far
        self.snapshots: list[Snapshot] = []
        if model is not None:
            self.observe(0, model, self.history)

    def __call__(self, epoch: int, loss: float) -> None:
        """fit's callback(epoch, loss), after each epoch."""
        if self.model is None:
            raise ValueError("TrainingRecorder: give it the model, TrainingRecorder(model), "
                             "to use it as fit's callback")
        self.history.append(loss)
        self.observe(epoch, self.model, self.history)

    def observe(self, epoch: int, model, history: list[float]) -> None:
        """After `epoch` epochs (0: before the first) whose losses are
        `history`: keep the parameters if this epoch is one to film."""
        self.model, self.history = model, history
        if epoch == 0 or epoch % self.every == 0:
            self.snapshots.append(Snapshot(epoch, tuple(p.data for p in model.parameters())))

    def filmed(self) -> list[Snapshot]:
        """The snapshots, with the model as it is now when the last epoch
        was not an every-th one."""
        if not self.snapshots:
            raise ValueError("TrainingRecorder: nothing recorded: it has not seen the model yet")
        if self.snapshots[-1].epoch == len(self.history):
            return self.snapshots
        return [*self.snapshots, Snapshot(len(self.history), tuple(p.data for p in self.model.parameters()))]

    def animation(
        self,
        X: Sequence[Sequence[float]],
        y: Sequence,
        *,
        loss: Callable,
        path: str | os.PathLike | None = None,
        fps: float = TRAINING_FPS,
        classify: Callable | None = None,
        example: int | Sequence[float] | None = None,
        loss_name: str = "",
        title: str = "",
        edges: int | None = None,
        style: str | PictureStyle = "default",
        dpi: int = 100,
    ):
        """The film: one frame per snapshot, the loss so far and the
        decision boundary on the left, the network picture (following one
        example throughout: `example`, or the one the trained model gets
        most wrong) on the right. Written to `path` (.gif, .apng or .png,
        .mp4), or returned as an Animation. The model is left as trained."""
        fps = check_fps(fps)
        check_dpi(dpi, "animate_training")
        if path is not None:
            path = checked_path(path, ANIMATION_FORMATS, "animate_training")
        _pillow()
        from ..drawing.network import choose_example
        from ..plot import loss_limits

        snapshots = self.filmed()
        model, history = self.model, self.history
        params = model.parameters()
        trained = [p.data for p in params]
        shown = choose_example(model, X, y, loss=loss, example=example)
        follow = shown.index if shown.index is not None else shown.x
        look = picture_style(style)
        size = frame_inches(look)
        check_film_size(size, dpi, len(snapshots), "animate_training")  # before the first frame
        lines = []
        try:
            _load(params, snapshots[0].parameters)
            start = loss([model(list(x)) for x in X], list(y)).data  # before the first epoch
            limits = loss_limits([start, *history])
            pngs = []
            for snap in snapshots:
                _load(params, snap.parameters)
                done = history[:snap.epoch]
                line = (f"epoch {snap.epoch} of {len(history)}: loss {fmt(done[-1])}" if done
                        else f"epoch 0 of {len(history)}: before training, loss {fmt(start)}")
                lines.append(line)
                pngs.append(_training_frame(model, X, y, done, line, limits, len(history), loss,
                                            classify, follow, loss_name, title, edges, look, size, dpi))
        finally:
            _load(params, trained)
        animation = Animation(pngs, _durations(len(pngs), fps), lines,
                              subject="training", name="training.gif")
        return animation if path is None else animation.save(path)


def _load(params: list[Value], values: Sequence[float]) -> None:
    for p, v in zip(params, values):
        p.data = v


def _training_frame(model, X, y, done, caption, limits, epochs, loss, classify, follow,
                    loss_name, title, edges, look, size, dpi) -> bytes:
    """One frame as PNG bytes: plot_snapshot's figure and the network
    picture, side by side on one canvas of `size` inches."""
    from ..drawing.network import draw_network
    from ..plot import plot_snapshot

    Image = _pillow()
    width, height = size
    plots = PLOTS[look.name]
    left = plot_snapshot(done, model, X, y, epochs=epochs, limits=limits, caption=caption,
                         classify=classify, resolution=MAP_RESOLUTION, size=(width * plots, height),
                         dpi=dpi, style=look.name)
    right = draw_network(model, X, y, loss=loss, loss_name=loss_name, example=follow,
                         classify=classify, title=title, dpi=dpi, resolution=MAP_RESOLUTION // 2 + 1,
                         edges=edges, style=look.name, size=(width * (1 - plots), height))
    panels = [Image.open(io.BytesIO(_png(fig, dpi))).convert("RGB") for fig in (left, right)]
    canvas = Image.new("RGB", (sum(p.width for p in panels), max(p.height for p in panels)), "white")
    canvas.paste(panels[0], (0, 0))
    canvas.paste(panels[1], (panels[0].width, 0))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return buffer.getvalue()


def _png(fig, dpi: int) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def animate_training(
    model,
    X: Sequence[Sequence[float]],
    y: Sequence,
    loss: Callable,
    path: str | os.PathLike | None = None,
    *,
    epochs: int,
    every: int | None = None,
    lr: float = 0.1,
    momentum: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
    fps: float = TRAINING_FPS,
    classify: Callable | None = None,
    example: int | Sequence[float] | None = None,
    loss_name: str = "",
    title: str = "",
    edges: int | None = None,
    style: str | PictureStyle = "default",
    dpi: int = 100,
):
    """Train `model` on (X, y) with optim.fit (loss, epochs, lr, momentum,
    batch_size, seed as fit takes them) and film it: a frame before
    training, every `every` epochs (by default about 20 frames in all) and
    after the last, each the loss so far, the decision boundary and the
    network picture, captioned "epoch 40 of 200: loss 0.0123". The first
    and last frames are held HOLD times as long; `fps` frames a second.

    With `path` (.gif, .apng or .png, .mp4 where ffmpeg is installed)
    writes it whole and returns the path; without, returns the Animation,
    which Jupyter shows inline. The model is left trained. 2-D data only
    (the map is of the input plane). Needs matplotlib and Pillow.
    """
    from ..optim import fit

    # Everything checked before the training, which may take a while.
    every = every_for(epochs, every) if type(epochs) is int and epochs >= 1 else every
    check_fps(fps)
    check_dpi(dpi, "animate_training")
    if path is not None:
        checked_path(path, ANIMATION_FORMATS, "animate_training")
    _pillow()
    if type(epochs) is int and epochs >= 1:  # (else fit says what is wrong with epochs)
        check_film_size(frame_inches(style), dpi, film_frames(epochs, every), "animate_training")
    if any(len(x) != 2 for x in X):
        raise ValueError("animate_training: the points must have 2 coordinates (x1, x2): "
                         "each frame maps the input plane")
    recorder = TrainingRecorder(model, every=every)
    fit(model, X, y, loss, epochs=epochs, lr=lr, momentum=momentum, batch_size=batch_size,
        seed=seed, callback=recorder)
    return recorder.animation(X, y, loss=loss, path=path, fps=fps, classify=classify,
                              example=example, loss_name=loss_name, title=title, edges=edges,
                              style=style, dpi=dpi)
