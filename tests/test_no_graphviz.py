"""Without Graphviz's dot program (missing, or a broken one), the backward
stepper and the frames say so in one line and still give what they can: the
steps in words, the frames' DOT text (issue 16). A dot that crashes, fails,
writes nothing or garbage, or hangs is one line too, from the command line
and the explorer (issue 24)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import time

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


# ---- a dot that is there but broken, each way it can break (issue 24) -------

BROKEN_DOTS = {  # a fake dot's script, by the way it breaks
    "exits 127": "exit 127",
    "dies by SIGSEGV": "kill -SEGV $$",
    "exits 1": "echo 'dot: cannot load plugins' >&2; exit 1",
    "exits 0 with no output": "cat > /dev/null; exit 0",
    "writes non-UTF-8": r"cat > /dev/null; printf '\377\376<svg>broken'; exit 0",
}


def fake_dot(tmp_path, script: str) -> dict:
    """An environment whose PATH finds a dot that runs `script` (and the
    real programs after it)."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "dot").write_text(f"#!/bin/sh\n{script}\n")
    (bin_dir / "dot").chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def command(*args: str, env: dict, cwd) -> subprocess.CompletedProcess:
    """The installed micrograd-scratch command, as a user runs it."""
    program = shutil.which("micrograd-scratch") or pytest.skip("micrograd-scratch is not installed")
    return subprocess.run([program, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("kind", BROKEN_DOTS)
def test_a_broken_dot_is_one_line_for_each_picture_and_no_traceback(tmp_path, kind):
    done = command("draw", "a*b + b", "--set", "a=2", "b=-3", "--backward", "-o", "g.png",
                   "--animate", "o.gif", env=fake_dot(tmp_path, BROKEN_DOTS[kind]), cwd=tmp_path)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    # one line for the picture (its DOT text written instead), one for the animation
    assert len(lines) == 2 and all(line.startswith("Graphviz's dot program") for line in lines)
    assert "wrote g.dot instead of g.png" in lines[0] and "o.gif was not written" in lines[1]
    assert done.returncode == 3  # the DOT text is not the picture asked for
    assert (tmp_path / "g.dot").exists()
    assert not (tmp_path / "g.png").exists() and not (tmp_path / "o.gif").exists()


def test_a_dot_that_hangs_is_stopped_within_its_time_in_one_line(tmp_path):
    env = {**fake_dot(tmp_path, "exec sleep 60"), "MICROGRAD_SCRATCH_DOT_SECONDS": "1"}
    start = time.monotonic()
    done = command("draw", "a*b", "--set", "a=2", "b=3", "-o", "g.svg", env=env, cwd=tmp_path)
    assert time.monotonic() - start < 8
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Graphviz's dot program did not finish within 1 s (it was stopped)")
    assert "MICROGRAD_SCRATCH_DOT_SECONDS" in line and done.returncode == 3


def test_animate_backward_without_dot_is_one_line_then_the_steps_in_words(no_dot, tmp_path, capsys):
    from micrograd_scratch.drawing.animate import animate_backward

    shown = animate_backward(_graph())
    first, *captions = repr(shown).splitlines()
    assert first.startswith("Graphviz's dot program") and "shown in words" in first
    assert captions[0].startswith("step 0 of") and shown._repr_html_() is None
    assert animate_backward(_graph(), tmp_path / "a.gif") is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "a.gif was not written" in err[0]
    assert not (tmp_path / "a.gif").exists()


@pytest.mark.parametrize("kind", ["dies by SIGSEGV", "writes non-UTF-8"])
def test_the_explorer_answers_a_broken_dot_with_a_json_line(tmp_path, monkeypatch, kind):
    from micrograd_scratch.explore.server import make_server, serve_in_thread

    monkeypatch.setenv("PATH", fake_dot(tmp_path, BROKEN_DOTS[kind])["PATH"])
    server = make_server()
    serve_in_thread(server)
    try:
        host, port = server.server_address[:2]
        conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.request("POST", "/api/expression", json.dumps({"expression": "x * 2"}),
                     {"Content-Type": "application/json", "Host": f"127.0.0.1:{port}"})
        response = conn.getresponse()
        answer = json.loads(response.read())
    finally:
        server.shutdown()
        server.server_close()
    assert response.status == 503
    assert answer["error"].startswith("this graph cannot be drawn here: Graphviz's dot program")
    assert "\n" not in answer["error"] and "Traceback" not in answer["error"]
