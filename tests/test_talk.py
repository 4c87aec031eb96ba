"""`micrograd-scratch talk`: the deck's numbers are the package's, read
back from the page it wrote; the PDF has a 16:9 page per slide, its text
18 pt or more; a missing matplotlib, Graphviz or Pillow costs its figures
and one line each, nothing else; bad arguments are refused before
anything runs. The deck is made once, by the installed command, for the
whole module (it takes seconds)."""

from __future__ import annotations

import html.parser
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from micrograd_scratch import talk
from micrograd_scratch.cli import build_parser
from micrograd_scratch.cli.training import TRAIN_DEFAULTS
from micrograd_scratch.data import xor
from micrograd_scratch.perceptron import Perceptron

COMMAND = shutil.which("micrograd-scratch") or pytest.skip(
    "needs the installed command: pip install -e .", allow_module_level=True)

NOTES = """\
---
after: 2
---
# Why 0.5?
The mean of the four labels: `sum(y) / 4`.
- a <b>tag</b> stays text
"""


def run(*args, cwd, env=None):
    return subprocess.run([COMMAND, "talk", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """The whole talk and a teacher's slide, as a page and a PDF."""
    folder = tmp_path_factory.mktemp("talk")
    (folder / "notes.md").write_text(NOTES)
    done = run("--export", "deck", "--pdf", "deck/talk.pdf", "--add", "notes.md", cwd=folder)
    assert done.returncode in (0, 3), done.stderr  # 3: a figure's program is missing here
    return folder, done


class Tables(html.parser.HTMLParser):
    """Every <table data-table=NAME> of the page: rows of cells, each the
    exact number of its data-value, else its text; and each slide's data-talk."""

    def __init__(self, text: str):
        super().__init__()
        self.tables, self.talk, self._cell = {}, [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.talk.append(attrs["data-talk"])
        elif tag == "table":
            self._rows = self.tables.setdefault(attrs["data-table"], [])
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = json.loads(attrs["data-value"]) if "data-value" in attrs else ""

    def handle_data(self, data):
        if isinstance(self._cell, str):
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._rows[-1].append(self._cell)
            self._cell = None


@pytest.fixture(scope="module")
def page(deck):
    folder, _ = deck
    return (folder / "deck" / "index.html").read_text()


@pytest.fixture(scope="module")
def tables(page):
    return Tables(page)


def column(table, name):
    header, *rows = table
    return [row[header.index(name)] for row in rows]


# ---- the numbers are the package's ----------------------------------------------


def test_the_least_squares_slide_shows_the_packages_fit_and_its_output(tables, page):
    linear, history = talk.least_squares(seed=0)
    X, _ = xor()
    shown = column(tables.tables["least-squares"], "f(x; θ)")
    assert shown == [linear(x).data for x in X]  # exactly the package's numbers
    assert shown == pytest.approx([0.5] * 4, abs=1e-6)
    w = [w.data for w in linear.w]
    assert w == pytest.approx([0, 0], abs=1e-6) and linear.b.data == pytest.approx(0.5, abs=1e-6)
    assert f"w = [{w[0]:.4f}, {w[1]:.4f}], b = {linear.b.data:.4f}" in page


def test_the_handset_slide_shows_the_talks_table(tables):
    table = tables.tables["handset"]
    assert column(table, "f(2)") == [0.0, 1.0, 1.0, 0.0]
    assert column(table, "w(1)·x + b(1)") == [[0, -1], [1, 0], [1, 0], [2, 1]]
    assert column(table, "f(1)") == [[0, 0], [1, 0], [1, 0], [2, 1]]
    assert [[pre, hidden, out] for _, pre, hidden, out in talk.handset_table()] == \
        [row[1:] for row in table[1:]]


def test_the_perceptron_slide_shows_its_weights_cycling_on_xor(tables):
    X, y = xor()
    table = tables.tables["perceptron-xor"]
    # The epoch shown makes a mistake on every point...
    assert column(table, "f_old") == [1 - d for d in y] and column(table, "d") == y
    # ...and ends where it began: the state after 3 epochs and after 4 is one state.
    three, four = Perceptron(2), Perceptron(2)
    three.fit(X, y, max_epochs=3)
    result = four.fit(X, y, max_epochs=4)
    assert result.errors == 4 and not result.converged
    last = [column(table, name)[-1] for name in ("w1", "w2", "b")]
    assert last == [*four.w, four.b] == [*three.w, three.b]


def test_the_jacobian_slide_agrees_with_backward(tables):
    table = tables.tables["jacobian"]
    v = talk.jacobian(seed=0)
    assert column(table, "∂y_i/∂x") == v["J"] == v["W"]  # y = W x: the Jacobian is W
    assert column(table, "(Jᵀ ∇y z)_i") == column(table, "x_i.grad") == v["backward"]


def test_slide_ten_trains_as_the_commands_on_it_do():
    parser = build_parser()
    for name, command in (("xor", ["xor"]), ("moons", ["train", "--dataset", "moons"])):
        settings = dict(talk.SETTINGS[name])
        assert settings.pop("hidden") == parser.parse_args(command).hidden
        assert settings == {"lr_end": None, **TRAIN_DEFAULTS[name]}


def test_a_teachers_slide_follows_the_slide_it_names_as_text(tables, page):
    assert tables.talk == ["0", "1", "2", "teacher", *map(str, range(3, 12))]
    assert "<code>sum(y) / 4</code>" in page
    assert "&lt;b&gt;tag&lt;/b&gt;" in page and "<b>tag" not in page


def test_the_page_asks_for_nothing(page):
    # Every figure is in the page; its policy forbids any request at all.
    assert "default-src 'none'" in page
    assert not re.search(r"""(src|href)=["'](?!data:)""", page)


def test_the_same_seed_makes_the_same_deck_and_another_seed_another():
    def made(seed):
        slides = talk.deck(seed, [1, 4, 7, 8])
        with io.BytesIO() as pdf:
            talk._write_pdf_to(slides, pdf)
            return talk.page(slides), pdf.getvalue()

    first = made(0)
    assert made(0) == first  # page and PDF, byte for byte
    other = Tables(made(1)[0]).tables
    assert other["collapse"] != Tables(first[0]).tables["collapse"]
    assert other["jacobian"] != Tables(first[0]).tables["jacobian"]


# ---- the PDF ----------------------------------------------------------------------


def test_the_pdf_has_one_16_9_page_per_slide(deck):
    folder, done = deck
    pdf = (folder / "deck" / "talk.pdf").read_bytes()  # in the folder --export made
    boxes = re.findall(rb"/MediaBox \[ *0 0 ([\d.]+) ([\d.]+) *\]", pdf)
    assert len(re.findall(rb"/Type /Page\b", pdf)) == len(boxes) == 13
    assert all(float(w) / float(h) == pytest.approx(16 / 9, rel=1e-3) for w, h in boxes)
    assert "wrote deck/talk.pdf: 13 pages" in done.stdout


def test_every_text_on_a_pdf_page_is_18_pt_or_more():
    from micrograd_scratch.drawing.styles import SLIDE, new_figure

    slides = talk.deck(0, talk.select([0, 2, 4, 5, 11], talk.teacher_slides(NOTES)))
    for k, slide in enumerate(slides, 1):
        fig = new_figure(figsize=SLIDE)
        talk._pdf_page(fig, slide, k, len(slides))
        assert min(t.get_fontsize() for t in fig.texts) >= 18, slide.title


# ---- the command line ---------------------------------------------------------------


def test_it_says_what_it_wrote_and_how_long_it_took(deck):
    _, done = deck
    assert "wrote deck/index.html: 13 slides" in done.stdout
    assert re.search(r"made in \d+\.\d s", done.stdout)


@pytest.mark.parametrize("args, says", [
    ([], "say where to write the deck"),
    (["--pdf", "x.pdf", "--slides", "3-1"], "a range goes up"),
    (["--pdf", "x.pdf", "--slides", "1,12"], "there is no slide 12"),
    (["--pdf", "x.pdf", "--slides", "1,1"], "slide 1 is named twice"),
    (["--pdf", "x.pdf", "--add", "absent.md"], "cannot read 'absent.md'"),
    (["--pdf", "x.pdf", "--slides", "1", "--add", "notes.md"], "slide 2 is not in --slides"),
    (["--pdf", "x.txt"], "must end in .pdf"),
    (["--export", "notes.md"], "it is not a folder"),
    (["--pdf", "absent/x.pdf"], "no folder 'absent'"),
    (["--export", "deck", "--pdf", "deck/x.txt"], "must end in .pdf"),
])
def test_bad_arguments_are_refused_before_anything_runs(tmp_path, args, says):
    (tmp_path / "notes.md").write_text(NOTES)
    done = run(*args, cwd=tmp_path)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
    assert sorted(os.listdir(tmp_path)) == ["notes.md"]


def test_a_teachers_file_that_breaks_the_syntax_is_one_line_with_its_line(tmp_path):
    (tmp_path / "notes.md").write_text("---\nafter: 2\n---\nno title here\n")
    done = run("--pdf", "x.pdf", "--add", "notes.md", cwd=tmp_path)
    assert done.returncode == 2
    assert "notes.md, line 4: the slide has no '# title' line" in done.stderr


def test_without_matplotlib_and_graphviz_the_other_slides_are_still_written(tmp_path):
    # matplotlib hidden from Python, and no `dot` on the PATH.
    hide = ("import sys; sys.modules['matplotlib'] = None; "
            "from micrograd_scratch.cli import main; sys.exit(main(sys.argv[1:]))")
    env = {**os.environ, "PATH": os.path.dirname(sys.executable)}
    done = subprocess.run([sys.executable, "-c", hide, "talk", "--export", "deck", "--pdf", "t.pdf",
                           "--slides", "1,4,7,8"], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 3, done.stderr
    lines = done.stderr.splitlines()
    assert lines == [
        f"micrograd-scratch: t.pdf was not written: a PDF is drawn by matplotlib, which is missing "
        f"({talk.NEEDS['matplotlib']})",
        f"micrograd-scratch: matplotlib is missing ({talk.NEEDS['matplotlib']}): slide 1 is written "
        "without the figure",
        f"micrograd-scratch: Graphviz is missing ({talk.NEEDS['Graphviz']}): slides 7, 8 are written "
        "without the figure",
    ]
    assert not (tmp_path / "t.pdf").exists()
    written = Tables((tmp_path / "deck" / "index.html").read_text())
    assert written.talk == ["1", "4", "7", "8"] and "perceptron-xor" in written.tables


def test_ctrl_c_while_the_deck_is_made_says_so_and_leaves_nothing(tmp_path):
    started = subprocess.Popen([COMMAND, "talk", "--export", "deck", "--pdf", "t.pdf"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2)  # the deck takes several seconds: it is still being made
    started.send_signal(signal.SIGINT)
    out, err = started.communicate(timeout=120)
    assert started.returncode == 130
    assert err == "micrograd-scratch: interrupted; nothing was written\n"
    assert os.listdir(tmp_path) == []
