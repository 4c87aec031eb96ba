"""Without Graphviz's dot program (missing, or a broken one), the backward
stepper and the frames say so in one line and still give what they can: the
steps in words, the frames' DOT text (issue 16)."""

from __future__ import annotations

import pytest

from micrograd_scratch import Value
from micrograd_scratch.drawing.frames import backward_frames, stepper


@pytest.fixture(params=["missing", "broken"])
def no_dot(request, monkeypatch, tmp_path):
    """PATH with no dot on it, or with a dot that fails."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if request.param == "broken":
        fake = bin_dir / "dot"
        fake.write_text("#!/bin/sh\necho 'dot: cannot load plugins' >&2\nexit 1\n")
        fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return request.param


def _graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    return (a * b + b).tanh()


def test_the_stepper_shows_the_steps_in_words_after_one_line(no_dot):
    s = stepper(_graph())
    assert s._repr_html_() is None  # Jupyter falls back to the text
    first, *steps = repr(s).splitlines()
    assert first.startswith("Graphviz's dot program")
    assert ("not found" if no_dot == "missing" else "failed") in first
    assert "install Graphviz" in first or "reinstall" in first
    assert len(steps) == len(s.steps) and steps[0].startswith("backward step 0 of")
    with pytest.raises(RuntimeError, match="Graphviz's dot program"):
        s.save("page.html")


def test_the_frames_are_written_as_dot_with_one_line(no_dot, tmp_path, capsys):
    written = backward_frames(_graph(), tmp_path / "frames")
    assert written and all(p.suffix == ".dot" for p in written)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "frames were written as .dot files" in err[0]
