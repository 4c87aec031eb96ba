"""The exercises folder as a learner meets it: found from inside it, and
a folder that cannot be written.

- Every action finds the folder as git finds its repository: from the
  folder itself or any folder below it, and --dir still names it.
- `learn start` inside one says so in one line; `learn hint` advances.
- `check(4)` in a notebook opened in the folder (a real kernel).
- A folder that cannot be written: the verdict prints in full, and what
  could not be written is one line each. These tests run as root too,
  where a read-only mode changes nothing, so the write fails for another
  reason: a folder where the file should be (.learn.json, the picture),
  or OSError raised at write_atomically, the one place the package
  writes a file. A chmod test adds the real case where it means something.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import micrograd_scratch.learn.api as api
from micrograd_scratch.learn import EXERCISES, check, exercise, start

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "tests" / "learn_solutions"
WRONG_TANH = (SOLUTIONS / "ex04_local_grads.py").read_text().replace("1 - out**2", "1 - x**2")


def learn(*argv, cwd):
    command = shutil.which("micrograd-scratch", path=os.path.dirname(sys.executable))
    if command is None:
        pytest.skip("the micrograd-scratch command is not installed (pip install -e .)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([command, "learn", *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def folder(tmp_path):
    assert learn("start", cwd=tmp_path).returncode == 0
    return tmp_path / "micrograd-exercises"


# ---- from inside the folder ---------------------------------------------------------


def test_check_list_and_hint_work_from_inside_the_folder_and_below_it(folder):
    shutil.copy(SOLUTIONS / "ex04_local_grads.py", folder / "ex04_local_grads.py")
    result = learn("check", "4", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "exercise 4 passed (7 of 7 checks)" in result.stdout
    below = folder / "notes" / "today"
    below.mkdir(parents=True)
    listing = learn(cwd=below)
    assert listing.returncode == 0 and re.search(r"ex04_local_grads\.py\s+passed", listing.stdout)
    said = [learn("hint", "6", cwd=below if i % 2 else folder).stdout for i in range(3)]
    assert [s.split(" for ")[0] for s in said] == ["hint 1 of 3", "hint 2 of 3", "hint 3 of 3"]
    assert json.loads((folder / ".learn.json").read_text())["hints"] == {"6": 3}
    assert not (folder / "micrograd-exercises").exists()
    assert not (below / ".learn.json").exists()


def test_dir_still_names_the_folder_from_anywhere(folder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = learn("check", "1", "--dir", str(folder), cwd=elsewhere)
    assert result.returncode == 1 and "exercise 1 not started" in result.stdout
    result = learn("check", "1", cwd=elsewhere)  # not in it, not above it: one line, exit 2
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("run `micrograd-scratch learn start` first")


def test_start_inside_an_exercises_folder_says_it_is_one(folder):
    before = sorted(p.name for p in folder.iterdir())
    for where in (folder, folder / "sub"):
        where.mkdir(exist_ok=True)
        result = learn("start", cwd=where)
        assert result.returncode == 0 and result.stderr == ""
        assert result.stdout.splitlines() == [
            f"{folder} is an exercises folder already (you are in it): check one with "
            f"`micrograd-scratch learn check 1`; `learn start {folder}` adds any file that is missing"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(before + ["sub"])


def test_check_in_a_notebook_opened_in_the_folder(folder, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="the notebook test needs nbformat")
    nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient")
    pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel (a real kernel)")
    spec = tmp_path / "jupyter" / "kernels" / "micrograd-learn"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "micrograd-scratch tests", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    shutil.copy(SOLUTIONS / "ex04_local_grads.py", folder / "ex04_local_grads.py")
    cell = "from micrograd_scratch.learn import check\nreport = check(4)\nprint(report.state)"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    nbclient.NotebookClient(nb, kernel_name="micrograd-learn", timeout=120,
                            resources={"metadata": {"path": str(folder)}}).execute()
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o["output_type"] == "error"], outputs
    text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
    assert "exercise 4 passed (7 of 7 checks)" in text and text.rstrip().endswith("passed")


# ---- a folder that cannot be written ------------------------------------------------


def test_check_in_a_folder_that_cannot_be_written_prints_the_verdict_and_one_line_each(folder):
    # As root a read-only mode changes nothing: a folder where each file should be
    # makes its write fail for root too.
    (folder / "ex04_local_grads.py").write_text(WRONG_TANH)
    (folder / ".learn.json").mkdir()
    (folder / "ex04_local_grads.svg").mkdir()
    result = learn("check", "4", cwd=folder)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    out = result.stdout
    assert "  FAIL  tanh: tanh_grads: " in out and "  ok    relu: relu_grads: " in out
    assert out.rstrip().splitlines()[-1].startswith("exercise 4 failing: 6 of 7 checks passed")
    assert f"  (the verdict was not recorded in {folder / '.learn.json'}: " in out
    assert f"  (the picture was not written: {folder / 'ex04_local_grads.svg'}: " in out
    assert "the graph it checked" not in out


def test_check_when_every_write_fails_at_the_os(folder, monkeypatch, capsys):
    (folder / "ex04_local_grads.py").write_text(WRONG_TANH)
    monkeypatch.chdir(folder)

    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(api, "write_atomically", refuse)
    monkeypatch.setattr("micrograd_scratch.drawing.styles.write_atomically", refuse)
    report = check(4)
    out = capsys.readouterr().out
    assert report.state == "failing" and "  FAIL  tanh: tanh_grads: " in out
    assert f"(the verdict was not recorded in {folder / '.learn.json'}: Permission denied)" in out
    assert f"(the picture was not written: {folder / 'ex04_local_grads.svg'}: Permission denied)" in out
    assert not (folder / "ex04_local_grads.svg").exists()


def test_start_where_nothing_can_be_written_is_one_line(tmp_path, monkeypatch, capsys):
    from micrograd_scratch.cli import main

    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(api, "write_atomically", refuse)
    assert main(["learn", "start", str(tmp_path / "ex")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"micrograd-scratch: error: cannot write the exercises into {tmp_path / 'ex'} "
        f"({exercise(1).file}: Permission denied)"]


def test_start_under_a_file_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("")
    result = learn("start", str(tmp_path / "a-file" / "ex"), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"micrograd-scratch: error: cannot make the exercises folder {tmp_path / 'a-file' / 'ex'}: "
        "Not a directory"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes into a read-only folder anyway; the tests above fail the "
                    "write another way")
def test_a_read_only_folder(folder):
    (folder / "ex04_local_grads.py").write_text(WRONG_TANH)
    folder.chmod(0o555)
    try:
        result = learn("check", "4", cwd=folder)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "(the picture was not written: " in result.stdout
        assert "exercise 4 failing: 6 of 7 checks passed" in result.stdout
        result = learn("hint", "4", cwd=folder)
        assert "(not recorded in " in result.stdout
        result = learn("start", str(folder / "inner"), cwd=folder)
        assert result.returncode == 1 and len(result.stderr.splitlines()) == 1
    finally:
        folder.chmod(0o755)


def test_hint_says_where_it_could_not_record_its_progress(folder, tmp_path):
    (folder / ".learn.json").mkdir()  # where the record goes: a folder, so no write succeeds
    for _ in range(2):
        result = learn("hint", "4", cwd=folder)
        assert result.returncode == 0
        lines = result.stdout.splitlines()
        assert lines[0].startswith("hint 1 of 3 for exercise 4: ")
        assert lines[1].startswith(f"(not recorded in {folder / '.learn.json'}: ")
        assert lines[1].endswith(", so the next call shows this hint again)") and len(lines) == 2
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    result = learn("hint", "4", cwd=nowhere)
    assert result.stdout.splitlines()[1] == ("(not recorded: there is no exercises folder here "
                                             "or above, so the next call shows this hint again)")
