"""The Learn view's Python (explore/course.py), here in CPython, without a
browser: the two halves of a Check talking as the page makes them talk,
what the checker's half does with a message that is not a verdict or a
worker the page ended, the zip of the learner's folder, and the export's
--exercises. tests/test_learn_static.py runs the same in Pyodide."""

from __future__ import annotations

import base64
import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from micrograd_scratch.explore import course
from micrograd_scratch.learn import EXERCISES, exercise, start
from micrograd_scratch.learn.runner import run_exercise
from micrograd_scratch.learn.checks import checks_for
from test_explore_static import COMMAND

SOLUTIONS = Path(__file__).resolve().parent / "learn_solutions"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(course, "FOLDER", tmp_path / "micrograd-exercises")
    return course.FOLDER


def check(number: int, files: dict, answer=lambda index, token, said: said) -> dict:
    """A Check as learn.js runs it: the checker's half says what to do next,
    the learner's half does it; `answer` may change what the learner's half says."""
    said, tokens = {"results": {}}, {}
    while True:
        step = course.verdict({"number": number, "said": said, "tokens": tokens})
        if "report" in step:
            return step["report"]
        if "load" in step:
            said["load"] = course.load({"number": number, "files": files})
            continue
        index = step["run"]
        tokens[str(index)] = f"token {index}"
        said["results"][str(index)] = answer(index, f"token {index}",
                                             course.run({"index": index, "token": f"token {index}"}))


def test_the_two_halves_give_the_local_verdict(folder, tmp_path):
    text = (SOLUTIONS / "ex04_local_grads.py").read_text().replace("1 - out**2", "1 - x**2")
    report = check(4, {"ex04_local_grads.py": text})
    start(tmp_path / "local")
    (tmp_path / "local" / "ex04_local_grads.py").write_text(text)
    local = run_exercise(exercise(4), checks_for("local_grads"), tmp_path / "local")
    assert report["lines"] == local.lines() and report["state"] == "failing"


def test_a_message_without_its_token_and_a_stopped_worker_are_no_verdicts(folder):
    files = {"ex01_perceptron.py": (SOLUTIONS / "ex01_perceptron.py").read_text()}
    forged = check(1, files, answer=lambda index, token, said: {**said, "token": "guessed", "state": "passed"})
    assert forged["results"][0]["sentence"] == course.NOT_A_VERDICT
    assert "passed" not in {r["state"] for r in forged["results"]} and forged["state"] == "failing"
    stopped = course.verdict({"number": 1, "said": {"load": {"loaded": True}}, "stopped": {"0": 10.0}})
    assert stopped == {"run": 1, "limit": exercise(1).time_limit}  # the next check runs
    ended = course.verdict({"number": 1, "said": {"load": {"loaded": True}},
                            "stopped": {str(i): 10.0 for i in range(len(checks_for("perceptron")))}})
    assert ended["report"]["results"][0]["sentence"].startswith("did not finish within 10 s")
    load = course.verdict({"number": 1, "stopped": {"load": 10.0}})
    assert "did not finish loading within 10 s" in load["report"]["load_error"]


def test_the_zip_is_learn_starts_folder_and_opens_again(tmp_path):
    mine = {"ex04_local_grads.py": "# mine\n"}
    zipped = course.folder_zip({"files": mine})
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(zipped["base64"])))
    start(tmp_path / "micrograd-exercises")
    assert sorted(archive.namelist()) == sorted(f"micrograd-exercises/{p.name}"
                                                for p in (tmp_path / "micrograd-exercises").iterdir())
    opened = course.folder_unzip({"base64": zipped["base64"]})["files"]
    assert opened["ex04_local_grads.py"] == "# mine\n" and len(opened) == len(EXERCISES)
    with pytest.raises(course.CourseError, match="not a zip file"):
        course.folder_unzip({"base64": base64.b64encode(b"no zip").decode()})


def test_exercises_go_with_export_and_name_real_exercises(tmp_path):
    alone = subprocess.run([COMMAND, "explore", "--exercises", "1-6"], capture_output=True, text=True)
    assert alone.returncode == 2 and "--exercises: goes with --export" in alone.stderr
    wrong = subprocess.run([COMMAND, "explore", "--export", str(tmp_path / "site"), "--exercises", "4,11",
                            "--assets", str(tmp_path)], capture_output=True, text=True)
    assert wrong.returncode == 1 and "each of 1 to 10 at most once, got 4, 11" in wrong.stderr
    assert not (tmp_path / "site").exists()


def test_the_explorer_with_a_rule_that_raises_says_its_line(folder):
    import json

    from micrograd_scratch.explore import browser

    text = (SOLUTIONS / "ex04_local_grads.py").read_text().replace("return (1 - out**2,)", "return (1 / 0,)")
    try:
        assert "tanh" in course.use({"files": {"ex04_local_grads.py": text}})["rules"]
        said = json.loads(browser.answer("/api/expression", json.dumps({"expression": "tanh(x)"})))
    finally:
        course.unuse({})
    assert said["status"] == 400
    assert said["data"]["error"].startswith("your tanh_grads raised ZeroDivisionError")
    assert "ex04_local_grads.py line 21" in said["data"]["error"]
    again = json.loads(browser.answer("/api/expression", json.dumps({"expression": "tanh(x)"})))
    assert again["status"] == 200  # the package's own rule once more
