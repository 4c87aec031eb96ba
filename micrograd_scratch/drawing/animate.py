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

Without a path, the Animation that is returned shows itself inline in
Jupyter (a GIF), and `.save(path)` writes it. GIF and APNG are written by
Pillow, which matplotlib already needs (pip install -e ".[plot]", or
pip install pillow); Graphviz's `dot` draws the frames.

Sources: micrograd PR #105 and the micrograd-animation project (backprop
animated); the GIF89a specification (comment extension); the APNG
specification (frame delays).
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

from ..engine import Value
from ..files import write_atomically
from .frames import (
    DONE_CAPTION, BackwardStep, _name, _pinned_frames, _same_height, backward_steps, frame_look,
    pinned_picture,
)
from .graph import OUTPUT_NAME, _Plan, op_symbol
from .styles import DPI, PictureStyle, check_dpi, checked_path, fmt

__all__ = ["animate_backward", "Animation", "ANIMATION_FORMATS", "PILLOW_HINT", "captions"]

ANIMATION_FORMATS = (".gif", ".apng", ".png", ".mp4")
PILLOW_HINT = 'pip install -e ".[plot]" (or pip install pillow)'
HOLD = 3  # the first and last frames stay this many times as long
FPS = 1.0  # frames a second: one chain-rule step a second reads comfortably
MAX_FPS = 50  # a GIF cannot show frames shorter than 20 ms
TERMS_PER_LINE = 2  # a neuron's w·x + b sends many terms: two to a caption line


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

    def called(v: Value) -> str:  # as the picture names it: the root is "out"
        return v.label or (OUTPUT_NAME if v is root else _name(v))

    out = [[f"step 0 of {steps[0].total}: seed {called(root)}.grad = 1 "
            f"(d out/d out; every other grad starts at 0)"]]
    for s in steps[1:]:
        head = (f"step {s.number} of {s.total}: {called(s.node)}.grad = {fmt(s.upstream)} "
                f"flows back through {op_symbol(s.node)}")
        chain = [f"{called(t.input)}.grad += {t.product}" for t in s.terms]
        lines = ["      ".join(chain[i:i + TERMS_PER_LINE]) for i in range(0, len(chain), TERMS_PER_LINE)]
        out.append([head, *lines, *s.sums])
    out.append([DONE_CAPTION])
    return out


# ---- the animation -------------------------------------------------------------


class Animation:
    """Frames (PNG bytes), how long each shows (ms) and its caption: shown
    inline in Jupyter as a GIF, written with `save(path)`."""

    def __init__(self, frames: list[bytes], durations: list[int], captions: list[str]):
        self.frames = frames
        self.durations = durations
        self.captions = captions

    def save(self, path: str | os.PathLike) -> Path:
        """Write .gif, .apng (.png) or .mp4, whole or not at all."""
        path = checked_path(path, ANIMATION_FORMATS, "animation")
        if path.suffix.lower() == ".mp4":
            data = self._mp4()
            write_atomically(path, lambda f: f.write(data))
        else:
            data = self._pillow_bytes("GIF" if path.suffix.lower() == ".gif" else "PNG")
            write_atomically(path, lambda f: f.write(data))
        return path

    def comment(self) -> str:
        """The captions, one line per frame, as the file carries them."""
        return "\n".join(f"frame {i}: {c}" for i, c in enumerate(self.captions))

    def _images(self) -> list:
        Image = _pillow()
        images = [Image.open(io.BytesIO(png)).convert("RGB") for png in self.frames]
        size = images[0].size
        if any(im.size != size for im in images):  # pinned frames never differ; a guard
            raise RuntimeError(f"the frames have different sizes: {sorted({im.size for im in images})}")
        return images

    def _pillow_bytes(self, format: str) -> bytes:
        Image = _pillow()
        images = self._images()
        buffer = io.BytesIO()
        if format == "GIF":
            palette = _palette(images)
            frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
            frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:],
                           duration=self.durations, loop=0, comment=self.comment().encode("utf-8"),
                           optimize=False, disposal=1)
        else:
            from PIL.PngImagePlugin import PngInfo

            info = PngInfo()
            info.add_itxt("Description", self.comment())
            images[0].save(buffer, format="PNG", save_all=True, append_images=images[1:],
                           duration=self.durations, loop=0, pnginfo=info, default_image=False)
        return buffer.getvalue()

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

    def _repr_html_(self) -> str:
        gif = base64.b64encode(self._pillow_bytes("GIF")).decode("ascii")
        return f'<img alt="the backward pass, animated" src="data:image/gif;base64,{gif}">'

    def __repr__(self) -> str:
        seconds = sum(self.durations) / 1000
        return (f"<an animation of {len(self.frames)} frames, {seconds:g} s: "
                f"save('backprop.gif') writes it, Jupyter shows it>")


def _palette(images: list):
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
    No `.grad` is changed. Needs Graphviz's `dot` and Pillow.
    """
    fps = check_fps(fps)
    check_dpi(dpi, "animate_backward")
    if path is not None:
        path = checked_path(path, ANIMATION_FORMATS, "animate_backward")
    _pillow()  # before any drawing: the one line that says how to get it
    look = frame_look(rankdir, style, grad_view, size)
    plan = _Plan(root, params, model, False, max_nodes, look.rankdirs[0])
    steps = backward_steps(root)
    lines = captions(steps)
    frames = _pinned_frames(plan, steps, look, titles=_same_height(lines))
    pngs = [pinned_picture(frame, "png", dpi) for frame in frames]
    animation = Animation(pngs, _durations(len(pngs), fps), ["  ".join(c) for c in lines])
    return animation if path is None else animation.save(path)
