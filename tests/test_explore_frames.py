"""The backward steps that the explorer and the frames page share, and the
frames themselves: one layout for every frame, counters that agree with
the captions, the sum for a reused input, stale frames removed (only ours),
and the stepper object Jupyter shows inline."""

from __future__ import annotations

import html
import re
import shutil

import pytest

from micrograd_scratch import Value
from micrograd_scratch.drawing.frames import backward_frames, backward_steps, gradients_after, stepper

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot program")


def reused():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    return (a * b + a).tanh(), a, b


def test_the_steps_follow_backward_and_show_the_sum_for_a_reused_input():
    y, a, b = reused()
    steps = backward_steps(y)
    assert [s.number for s in steps] == [0, 1, 2, 3] and {s.total for s in steps} == {3}
    assert (a.grad, b.grad) == (0.0, 0.0)  # nothing touched
    final = gradients_after(steps, 3)
    y.backward()
    assert (final[a], final[b]) == (a.grad, b.grad)
    last = steps[3]  # the product: a already holds the term the sum sent it
    [term] = [t for t in last.terms if t.input is a]
    assert term.before == steps[2].terms[1].after and term.after == a.grad
    assert term.product == "0.001341 × -3 = -0.004023"
    assert term.sum == "0.001341 + (-0.004023) = -0.002682"
    assert last.sums == ["a.grad: 0.001341 + (-0.004023) = -0.002682"]
    assert [t.sum for t in steps[2].terms] == [None, None]  # first terms: no sum


def test_a_node_used_twice_by_one_op_gets_two_terms_and_their_sum():
    a = Value(3.0, label="a")
    [seed, step] = backward_steps(a * a)
    assert [t.term for t in step.terms] == [3.0, 3.0]
    assert step.terms[1].sum == "3 + 3 = 6"


def positions(svg: str) -> dict:
    """Each node's shape in a frame: {title: the shape's coordinates}."""
    found = {}
    for title, body in re.findall(r'class="node">\s*<title>(.*?)</title>(.*?)</g>', svg, re.S):
        shape = re.search(r'<(?:polygon|ellipse|path)[^>]*?(?:points|cx|d)="([^"]*)"', body)
        found[title] = shape[1]
    return found


@needs_dot
def test_every_frame_has_the_same_layout_and_its_counter_agrees(tmp_path):
    y, a, b = reused()
    paths = backward_frames(y, tmp_path)
    svgs = [p.read_text(encoding="utf-8") for p in paths if p.suffix == ".svg"]
    assert len(svgs) == 5  # the seed, three rules, done
    boxes = [positions(s) for s in svgs]
    views = {re.search(r'viewBox="([^"]*)"', s)[1] for s in svgs}
    assert len(views) == 1  # same size: the picture never rescales
    for frame in boxes[1:]:
        for node, shape in frame.items():
            if node in boxes[0]:
                assert shape == boxes[0][node], f"{node} moved"
    assert {n for n in boxes[0] if n.startswith("n")} == {n for n in boxes[2] if n.startswith("n")}
    for k, svg in enumerate(svgs[:-1]):
        assert f"backward step {k} of 3" in html.unescape(svg)
    assert "done" in svgs[-1]
    assert "a.grad: 0.001341 + (-0.004023) = -0.002682" in html.unescape(svgs[3])
    page = (tmp_path / "backward.html").read_text(encoding="utf-8")
    words = ["step 0 of 3", "step 1 of 3", "step 2 of 3", "step 3 of 3", "done"]
    assert html.unescape(re.search(r"const words = (\[.*?\]);", page)[1]) == str(words).replace("'", '"')
    assert 'max="4"' in page


@needs_dot
def test_a_caption_wider_or_narrower_than_the_layout_moves_nothing(tmp_path):
    """neato -n2 measures each frame's page again: in a*b + a the rule
    steps' captions are wider than the graph and the seed's is narrower, so
    the page (and the translate that places every node on it) changed size
    between frames, and every node moved on screen, unless the page is held."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    paths = backward_frames(a * b + a, tmp_path)
    svgs = [p.read_text(encoding="utf-8") for p in paths if p.suffix == ".svg"]
    assert len(svgs) == 4
    pages = {(re.search(r'viewBox="([^"]*)"', s)[1], re.search(r'class="graph" transform="([^"]*)"', s)[1])
             for s in svgs}
    assert len(pages) == 1, pages


@needs_dot
def test_holding_the_page_touches_no_node(tmp_path, capfd):
    """Graphviz warns 'some nodes ... touch - falling back to straight line
    edges' when anything overlaps a node: the points that hold the page
    must not."""
    w, x, b = Value(2.0, label="w"), Value(1.5, label="x"), Value(-0.5, label="b")
    for rankdir in ("LR", "TB"):
        backward_frames((w * x + b).relu(), tmp_path / rankdir, rankdir=rankdir, params=[w, b])
    assert "touch" not in capfd.readouterr().err


@needs_dot
def test_a_second_run_removes_the_frames_it_did_not_rewrite_and_nothing_else(tmp_path):
    y, _, _ = reused()
    backward_frames(y, tmp_path)  # frames 0..4
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "frame_0099.svg").write_text("not written by backward_frames")
    backward_frames(Value(2.0, label="x") * 3, tmp_path)  # frames 0..2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".backward_frames", "backward.html", "frame_000.svg", "frame_001.svg", "frame_002.svg",
        "frame_0099.svg", "notes.txt",
    ]


@needs_dot
def test_png_frames_share_the_layout_too(tmp_path):
    y, _, _ = reused()
    paths = backward_frames(y, tmp_path, format="png")
    sizes = {p.read_bytes()[16:24] for p in paths}  # the PNG header's width and height
    assert len(paths) == 5 and len(sizes) == 1


@needs_dot
def test_the_stepper_shows_itself_inline_and_saves_a_page(tmp_path):
    y, _, _ = reused()
    s = stepper(y)
    inline = s._repr_html_()
    assert inline.startswith("<iframe srcdoc=") and "step 0 of 3" in html.unescape(inline)
    assert html.unescape(inline).count("data:image/svg+xml;base64,") == 5
    page = s.save(tmp_path / "steps.html").read_text(encoding="utf-8")
    assert page == s.page and "<script src" not in page
    assert repr(s) == "<Stepper: 4 steps of the backward pass>"


# ---- the frames keep the single picture's layout, and their numbers readable -------


def lecture():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(1.0, label="c")
    return (a * b + c).tanh() * a.sigmoid()


def centres(svg: str) -> dict:
    """{node id: (x, y)} of the graph's nodes (n3, n3_op) in an SVG by dot or neato."""
    found = {}
    for name, shape in re.findall(r"<title>(n\d+(?:_op)?)</title>\n(<(?:polygon|ellipse)[^>]*>)", svg):
        if shape.startswith("<ellipse"):
            found[name] = (float(re.search(r'cx="([-\d.]+)"', shape)[1]), float(re.search(r'cy="([-\d.]+)"', shape)[1]))
        else:
            points = [tuple(map(float, p.split(","))) for p in re.search(r'points="([^"]+)"', shape)[1].split()][:4]
            found[name] = (sum(p[0] for p in points) / 4, sum(p[1] for p in points) / 4)
    return found


@needs_dot
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_the_frames_keep_the_single_pictures_layout(tmp_path, rankdir):
    """Every node in the row (LR) or column (TB) it has in draw()'s picture,
    in the same order; only the ranks move apart, where a step's numbers
    need the room."""
    from micrograd_scratch import draw
    from micrograd_scratch.drawing.styles import pipe

    out = lecture()
    frames = backward_frames(out, tmp_path, rankdir=rankdir, html_page=False)
    out.backward()
    single = centres(pipe(draw(out, rankdir=rankdir), "svg").decode())
    across = 1 if rankdir == "LR" else 0  # y places a node in its rank in LR, x in TB
    for path in frames:
        framed = centres(path.read_text(encoding="utf-8"))
        assert framed.keys() == single.keys() and len(single) == 13
        # the same offsets across the ranks, node for node (a frame's title
        # shifts them all; its bold grads make a box a point or two larger)
        ref = next(iter(single))
        for name in single:
            assert framed[name][across] - framed[ref][across] == pytest.approx(
                single[name][across] - single[ref][across], abs=3), name
        # and the same order along them
        along = 1 - across
        assert sorted(single, key=lambda n: single[n][along]) == sorted(framed, key=lambda n: framed[n][along])


@needs_dot
def test_a_steps_numbers_are_drawn_at_the_boxes_size_clear_of_every_box(tmp_path):
    out = lecture()
    for path in backward_frames(out, tmp_path, html_page=False)[1:-1]:
        svg = path.read_text(encoding="utf-8")
        numbers = re.findall(r'<text text-anchor="start" x="([-\d.]+)" y="([-\d.]+)"[^>]*'
                             r'font-size="([\d.]+)" fill="#cb181d">([^<]*)<', svg)
        assert numbers and {float(size) for _, _, size, _ in numbers} == {11.0}  # the boxes' 11 pt
        boxes = [[float(v) for v in re.findall(r"[-\d.]+", points)]
                 for points in re.findall(r'<polygon fill="[^"]*" stroke="(?!transparent)[^"]*"[^>]*points="([^"]+)"',
                                          svg)]  # (a label's own white ground has no stroke)
        ovals = [tuple(map(float, m)) for m in re.findall(
            r'<ellipse[^>]*cx="([-\d.]+)" cy="([-\d.]+)" rx="([-\d.]+)" ry="([-\d.]+)"', svg)]
        for x, y, size, text in numbers:  # a number's line of text stays out of every box and oval
            size = float(size)
            for px in (float(x), float(x) + len(text) * size * 0.5):  # where it starts, and ends
                py = float(y) - size * 0.35  # the middle of its letters
                for b in boxes:
                    xs, ys = b[0::2], b[1::2]
                    if max(xs) - min(xs) < 500:  # (not the page's own rectangle)
                        assert not (min(xs) < px < max(xs) and min(ys) < py < max(ys)), (path.name, text)
                for cx, cy, rx, ry in ovals:
                    assert ((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 > 1, (path.name, text)


@needs_dot
def test_the_frames_page_and_the_stepper_show_the_numbers_at_11_px_or_more(tmp_path):
    """Measured in chromium: on a 1400-px page, and in Jupyter's stepper in a
    900-px column, a step's numbers are at least READABLE_PX tall (they
    were 8 px and 6-7 px when a frame shrank to any width), and on the
    1400-px page the frame fits without scrolling."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")
    import os

    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    from micrograd_scratch.drawing.frames import READABLE_PX

    out = lecture()
    page_path = backward_frames(out, tmp_path / "frames")[-1]
    (tmp_path / "stepper.html").write_text(
        f'<div style="width: 900px">{stepper(out)._repr_html_()}</div>', encoding="utf-8")
    label_pt = 11.0
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(page_path.as_uri())
            shown = page.evaluate("() => { const i = document.querySelector('img.frame');"
                                  " return [i.getBoundingClientRect().width, i.naturalWidth]; }")
            assert label_pt * 4 / 3 * shown[0] / shown[1] >= READABLE_PX - 0.01
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 1400
            page.goto((tmp_path / "stepper.html").as_uri())
            inner = page.frames[1]
            inner.wait_for_selector("img.frame")
            shown = inner.evaluate("() => { const i = document.querySelector('img.frame');"
                                   " return [i.getBoundingClientRect().width, i.naturalWidth]; }")
            assert label_pt * 4 / 3 * shown[0] / shown[1] >= READABLE_PX - 0.01
        finally:
            browser.close()
