"""Backprop as an animation: the GIF and APNG read back with Pillow (one
frame per backward step and a "done" frame, the first and last held
longer, every caption's numbers the ones backward() computes), the same
layout in every frame, --fps, and the one-line answers without Pillow or
ffmpeg, in Python and on the command line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("graphviz", reason="the frames are Graphviz drawings")
Image = pytest.importorskip("PIL.Image", reason="animations are written by Pillow (pip install pillow)")

from micrograd_scratch import Value  # noqa: E402
from micrograd_scratch.drawing import animate_backward, backward_steps  # noqa: E402
from micrograd_scratch.drawing.animate import HOLD  # noqa: E402
from micrograd_scratch.drawing.styles import fmt  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot program draws the frames (apt-get install graphviz)")
CLI = shutil.which("micrograd-scratch")


def lecture_graph():
    """tanh(a*b + c) * sigmoid(a), every node named, so that a caption's
    names lead back to the Values: a is used twice (its sum is shown)."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(1.0, label="c")
    ab = a * b; ab.label = "ab"
    n = ab + c; n.label = "n"
    t = n.tanh(); t.label = "t"
    s = a.sigmoid(); s.label = "s"
    out = t * s; out.label = "out"
    return out, {v.label: v for v in (a, b, c, ab, n, t, s, out)}


def frames_of(path) -> list:
    im = Image.open(path)
    frames = []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append((im.info["duration"], im.convert("RGB").copy()))
    return frames


@needs_dot
@pytest.mark.parametrize("suffix", [".gif", ".apng"])
def test_the_animation_reads_back_a_frame_per_step_with_captions_that_match_backward(tmp_path, suffix):
    root, nodes = lecture_graph()
    steps = backward_steps(root)
    path = animate_backward(root, tmp_path / f"backprop{suffix}", fps=2, dpi=40)
    frames = frames_of(path)
    # one frame per step (step 0 seeds the output), then "done"
    assert len(frames) == len(steps) + 1
    durations = [d for d, _ in frames]
    assert durations[1:-1] == [500] * (len(frames) - 2)
    assert durations[0] == durations[-1] == HOLD * 500  # held
    assert len({im.size for _, im in frames}) == 1  # nothing rescales

    # The captions, one line per frame, travel in the file.
    im = Image.open(path)
    comment = im.info["comment"].decode() if suffix == ".gif" else im.info["Description"]
    lines = comment.split("\n")
    assert len(lines) == len(frames)
    assert lines[-1].startswith(f"frame {len(frames) - 1}: done")

    root.backward()  # the numbers every caption must show
    shown_last = {}
    for line in lines[1:-1]:
        node, upstream = re.search(r": (\w+)\.grad = (\S+) flows back through", line).groups()
        assert upstream == fmt(nodes[node].grad)  # complete when its step runs
        terms = re.findall(r"(\w+)\.grad \+= (\S+) × (\S+) = (\S+)", line)
        assert terms and len(terms) == len(nodes[node]._prev)
        for name, up, local, term in terms:
            assert up == upstream and float(term) == pytest.approx(float(up) * float(local), rel=1e-3)
            shown_last[name] = term
        for name, total in re.findall(r"(\w+)\.grad: \S+ \+ \S+ = (\S+)", line):
            shown_last[name] = total  # a reused node: its sum
    assert "a.grad: " in comment  # a is used twice: its two terms added
    for name, value in shown_last.items():
        assert value == fmt(nodes[name].grad), name
    if suffix == ".gif":  # every frame stored whole: one taken from the file is the whole picture
        for i in range(im.n_frames):
            im.seek(i)
            assert [box for _, box, *_ in im.tile] == [(0, 0, *im.size)], i


def ink_margin(image) -> int:
    """The fewest pixels between anything drawn and an edge of the image."""
    from PIL import ImageChops

    x0, y0, x1, y1 = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    return min(x0, y0, image.width - x1, image.height - y1)


@needs_dot
def test_the_default_film_fits_a_16_9_slide_with_a_margin_and_names_unnamed_nodes(tmp_path):
    """No 3.3:1 strip, nothing within 7 px of an edge at 96 dpi, and a node
    without a label captioned by what its box shows, not "(-6).grad"."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(1.0, label="c")
    root = (a * b + c).tanh() * a.sigmoid()  # no label below the inputs
    path = animate_backward(root, tmp_path / "film.gif", dpi=96)
    frames = frames_of(path)
    width, height = frames[0][1].size
    assert abs(width / height - 16 / 9) < 0.01
    assert min(ink_margin(image) for _, image in frames) >= 7
    comment = Image.open(path).info["comment"].decode()
    assert "the grad of the tanh node (-0.9999) = 0.8808 flows back through tanh" in comment
    assert "the grad of the + node (-5) += 0.8808 × 0.0001816 = 0.0001599" in comment
    assert not re.search(r"\([-\d.e+]+\)\.grad", comment)  # "(-5).grad" names nothing a learner sees


@needs_dot
def test_slide_frames_keep_the_legend_narrow_and_say_what_their_text_is():
    """The frames' two legend entries go under the legend's column, not
    beside it (it took half the slide); the Animation knows how far fitting
    shrank its text, which draw --animate --style slides reports."""
    from micrograd_scratch.drawing.frames import _pinned_frames, frame_look
    from micrograd_scratch.drawing.graph import _Plan
    from micrograd_scratch.drawing.styles import pipe_json

    root, _ = lecture_graph()
    look = frame_look(None, "slides", True, None)
    plan = _Plan(root, None, None, False, 200, "LR")
    frame = _pinned_frames(plan, backward_steps(root), look)[0]
    laid_out = pipe_json(frame, neato_no_op=2)
    page = [float(v) for v in laid_out["bb"].split(",")]
    [legend] = [o for o in laid_out["objects"] if o["name"] == "cluster_legend"]
    box = [float(v) for v in legend["bb"].split(",")]
    assert (box[2] - box[0]) / (page[2] - page[0]) < 0.2
    assert 0.5 < frame.text_scale < 0.9  # 20 pt drawn at 12 to 18: too small to go unsaid
    assert 0.5 < animate_backward(root, style="slides", dpi=30).text_scale < 0.9  # its own captions


@needs_dot
def test_every_frame_has_the_same_layout_and_fps_sets_the_pace(tmp_path):
    from micrograd_scratch.drawing.frames import _pinned_frames, frame_look, pinned_picture
    from micrograd_scratch.drawing.graph import _Plan

    root, _ = lecture_graph()
    look = frame_look(None, "slides", True, None)
    plan = _Plan(root, None, None, False, 200, "LR")
    svgs = [pinned_picture(f, "svg").decode() for f in _pinned_frames(plan, backward_steps(root), look)]
    where = [dict(re.findall(r"<title>(n\d+(?:_op)?)</title>\n<\w+ fill=\"[^\"]*\" stroke=\"[^\"]*\"[^>]*?"
                             r"(?:points|cx)=\"([^\"]+)\"", svg)) for svg in svgs]
    assert len(where[0]) >= 10 and all(w == where[0] for w in where)
    slow = animate_backward(root, fps=0.5, dpi=30)
    assert slow.durations[1] == 2000 and slow.durations[0] == HOLD * 2000


@needs_dot
def test_the_animation_shows_itself_in_jupyter_and_says_what_it_is():
    root, _ = lecture_graph()
    shown = animate_backward(root, dpi=30)
    assert shown._repr_html_().startswith('<img alt="the backward pass, animated" src="data:image/gif;base64,')
    assert repr(shown).startswith(f"<an animation of {len(backward_steps(root)) + 1} frames")


def test_without_pillow_one_line_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r'needs Pillow, which is not installed: pip install -e "\.\[plot\]" '
                                          r"\(or pip install pillow\)"):
        animate_backward(Value(2.0) * 3, tmp_path / "a.gif")
    assert not (tmp_path / "a.gif").exists()


def test_bad_arguments_are_refused_before_anything_is_drawn(tmp_path):
    with pytest.raises(ValueError, match="fps must be a number of frames a second from 0.1 to 50"):
        animate_backward(Value(1.0) * 2, fps=0)
    with pytest.raises(ValueError, match=r"must end in \.gif, \.apng, \.png or \.mp4"):
        animate_backward(Value(1.0) * 2, tmp_path / "a.svg")


@needs_dot
def test_frames_too_large_to_hold_are_refused_before_the_first_is_drawn(tmp_path, monkeypatch):
    """A slide at dpi 1200 is 16,000 x 9,000 px a frame: refused, with a dpi that fits."""
    from micrograd_scratch.drawing import animate

    drawn = []
    monkeypatch.setattr(animate, "pinned_picture", lambda *a, **k: drawn.append(a) or b"")
    root, _ = lecture_graph()
    with pytest.raises(ValueError, match=r"^animate_backward: at dpi 1200, a frame of 16,000 x 9,000 px "
                                         r"is more than 8,294,400 pixels \(a 4K screen\); a dpi of 288 "
                                         r"or less fits$"):
        animate_backward(root, tmp_path / "a.gif", style="slides", dpi=1200)
    assert drawn == [] and not (tmp_path / "a.gif").exists()


@needs_dot
@pytest.mark.skipif(CLI is None, reason="the micrograd-scratch command is not installed (pip install -e .)")
def test_draw_animate_too_large_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run([CLI, "draw", "a*b", "--set", "a=1", "b=2", "--style", "slides",
                           "--animate", "big.gif", "--dpi", "1200", "-o", "g.svg"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "micrograd-scratch draw: error: argument --dpi: with --animate, at dpi 1200, a frame of "
        "16,000 x 9,000 px is more than 8,294,400 pixels (a 4K screen); a dpi of 288 or less fits")
    assert not (tmp_path / "big.gif").exists()


@needs_dot
@pytest.mark.skipif(CLI is None, reason="the micrograd-scratch command is not installed (pip install -e .)")
def test_draw_animate_on_the_command_line(tmp_path):
    out = tmp_path / "backprop.gif"
    done = subprocess.run([CLI, "draw", "tanh(a*b + c) * sigmoid(a)", "--set", "a=2", "b=-3", "c=1",
                           "--backward", "--animate", str(out), "--fps", "4", "--dpi", "40",
                           "-o", str(tmp_path / "g.svg")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"wrote the backward pass, a step a frame, to {out}" in done.stdout
    assert "note" not in done.stdout  # not on a slide: no promise of 18 pt
    im = Image.open(out)
    assert im.n_frames == 5 + 2  # five rules run (σ, ×, tanh, +, ×), the seed, and done
    # --fps without --animate, and .mp4 without ffmpeg: usage errors, nothing written
    bad = subprocess.run([CLI, "draw", "a*2", "--set", "a=1", "--fps", "2", "-o", str(tmp_path / "x.svg")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines()[-1].endswith(
        "argument --fps: sets the pace of --animate; give --animate FILE too")
    if shutil.which("ffmpeg") is None:
        bad = subprocess.run([CLI, "draw", "a*2", "--set", "a=1", "--animate", str(tmp_path / "a.mp4")],
                             capture_output=True, text=True, timeout=60)
        assert bad.returncode == 2 and "needs the ffmpeg program, which is not installed" in bad.stderr
        assert not (tmp_path / "a.mp4").exists()


@needs_dot
@pytest.mark.skipif(CLI is None, reason="the micrograd-scratch command is not installed (pip install -e .)")
def test_slide_frames_and_animations_say_how_small_their_text_came_out(tmp_path):
    done = subprocess.run([CLI, "draw", "tanh(a*b + c) * sigmoid(a)", "--set", "a=2", "b=-3", "c=1",
                           "--style", "slides", "--animate", "s.gif", "--frames", "frames", "--dpi", "30",
                           "-o", "s.svg"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stdout.splitlines() if line.startswith("note:")]
    assert len(notes) == 2, done.stdout  # the still picture keeps 18 pt: no note of its own
    for note, what in zip(notes, ["each frame", "each frame of the animation"]):
        assert re.fullmatch(rf"note: {what} is too large for a slide at 18 pt: its smallest text is "
                            r"1[2-7] pt on a slide shown 1920 px wide; a frame holds its step's caption "
                            r"and numbers besides the graph", note)
