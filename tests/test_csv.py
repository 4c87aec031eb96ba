"""Your own points: `load_csv`/`parse_csv` and `train --data FILE`.

Each bad file gets one line that names the row, the column and what was
wrong (the issue's cases, one test each); the command line reports it as a
bad argument (exit 2) before anything trains. A CSV of the four XOR points
trains exactly as the built-in `xor` does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_scratch import load_csv
from micrograd_scratch.data import (
    LABEL_RULES, MAX_COLUMNS, MAX_ROWS, DataFileError, parse_csv, xor,
)
from micrograd_scratch.losses import LOSSES

ROOT = Path(__file__).resolve().parent.parent
# The installed command, as a user runs it (the venv's, next to this Python).
COMMAND = shutil.which("micrograd-scratch", path=os.path.dirname(sys.executable)) or shutil.which(
    "micrograd-scratch")


def write(tmp_path, text: str, name: str = "points.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def xor_csv(tmp_path, header: bool = True) -> str:
    X, y = xor()
    rows = [f"{a:g},{b:g},{t}" for (a, b), t in zip(X, y)]
    return write(tmp_path, "\n".join((["x1,x2,label"] if header else []) + rows) + "\n")


def cli(*argv):
    if COMMAND is None:
        pytest.skip("the micrograd-scratch command is not installed (pip install -e .)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # this checkout, as installed with -e
    return subprocess.run([COMMAND, *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


# ---- reading -----------------------------------------------------------------


@pytest.mark.parametrize("header", [True, False])
def test_a_file_reads_as_the_data_sets_do_header_or_not(tmp_path, header):
    assert load_csv(xor_csv(tmp_path, header)) == xor()


def test_any_number_of_inputs_and_real_labels(tmp_path):
    X, y = load_csv(write(tmp_path, "a,b,c,target\n1,2,3,0.5\n-1, 0.25 ,4e-3,-2\n"))
    assert X == [[1.0, 2.0, 3.0], [-1.0, 0.25, 0.004]]
    assert y == [0.5, -2] and type(y[1]) is int  # a whole label is a class number


def test_every_loss_has_a_label_rule():
    assert set(LABEL_RULES) == set(LOSSES)


# ---- one line per bad file -----------------------------------------------------


def message(call) -> str:
    with pytest.raises(DataFileError) as caught:
        call()
    text = str(caught.value)
    assert "\n" not in text
    return text


def test_a_missing_file(tmp_path):
    path = str(tmp_path / "nowhere.csv")
    assert message(lambda: load_csv(path)) == f"cannot read {path!r}: no such file"


def test_a_ragged_row(tmp_path):
    path = write(tmp_path, "x1,x2,label\n0,0,0\n0,1\n")
    assert message(lambda: load_csv(path)) == (
        f"{path}, row 3: 2 columns, but the first row has 3")


def test_a_cell_that_is_not_a_number(tmp_path):
    path = write(tmp_path, "0,0,0\n0,one,1\n")
    assert message(lambda: load_csv(path)) == f"{path}, row 2, column 2: 'one' is not a number"
    assert "not a finite number" in message(lambda: parse_csv("0,nan,1\n"))


def test_an_empty_file(tmp_path):
    for text in ("", "x1,x2,label\n", "\n\n"):
        path = write(tmp_path, text)
        assert message(lambda: load_csv(path)) == (
            f"{path}: no rows of numbers (an empty file, or a header alone)")


def test_a_label_that_does_not_fit_the_loss(tmp_path):
    path = write(tmp_path, "x1,x2,label\n0,0,0\n1,1,2\n")
    assert load_csv(path, loss="cross_entropy")[1] == [0, 2]
    assert message(lambda: load_csv(path, loss="bce")) == (
        f"{path}, row 3, column 3 (the label): 2 does not fit the bce loss, "
        "which takes 0 or 1 (two classes)")
    assert "does not fit the cross_entropy loss" in message(
        lambda: parse_csv("0,0,0.5\n", loss="cross_entropy"))


def test_over_the_row_cap(tmp_path):
    path = write(tmp_path, "x,label\n" + "1,0\n" * (MAX_ROWS + 1))
    assert message(lambda: load_csv(path)) == (
        f"{path}, row {MAX_ROWS + 2}: more than {MAX_ROWS} rows of points")
    assert len(load_csv(write(tmp_path, "1,0\n" * MAX_ROWS))[0]) == MAX_ROWS


def test_too_many_columns_and_a_single_column():
    wide = ",".join(["1"] * (MAX_COLUMNS + 2)) + "\n"
    assert f"at most {MAX_COLUMNS}" in message(lambda: parse_csv(wide))
    assert "needs at least one input and a label" in message(lambda: parse_csv("1\n2\n"))


# ---- train --data ----------------------------------------------------------------


def test_a_csv_of_xor_gives_the_built_in_xors_numbers(tmp_path):
    mine = cli("train", "--data", xor_csv(tmp_path), "--hidden", "16")
    builtin = cli("xor")
    assert mine.returncode == builtin.returncode == 0, mine.stderr
    epochs = lambda out: re.findall(r"^epoch .*$", out, re.M)  # noqa: E731
    assert epochs(mine.stdout) == epochs(builtin.stdout) and len(epochs(mine.stdout)) > 5
    assert "training accuracy: 4/4 (100%)" in mine.stdout
    assert "MLP 2-16-1 (relu, 65 parameters) on " in mine.stdout


def test_classes_and_inputs_of_a_file(tmp_path):
    # Three classes on a line, with three inputs: cross-entropy with three outputs.
    rows = [f"{k + 0.1 * i},{i % 2},{-k},{k}" for k in range(3) for i in range(5)]
    result = cli("train", "--data", write(tmp_path, "\n".join(rows) + "\n"), "--hidden", "8",
                 "--epochs", "30")
    assert result.returncode == 0, result.stderr
    assert "MLP 3-8-3" in result.stdout and "cross-entropy loss" in result.stdout
    assert "no decision map: " in result.stdout and "has 3 input columns" in result.stdout


def test_real_labels_are_a_regression(tmp_path):
    rows = [f"{x / 10},{x % 3},{(x / 10) ** 2 - 0.3}" for x in range(-10, 11)]
    result = cli("train", "--data", write(tmp_path, "\n".join(rows) + "\n"), "--hidden", "8")
    assert result.returncode == 0, result.stderr
    assert "mse loss" in result.stdout
    r2 = float(re.search(r"R\^2 (\S+)", result.stdout).group(1))
    assert r2 > 0.8
    assert "no decision map: the labels are numbers to predict" in result.stdout


@pytest.mark.parametrize("text, options, expected", [
    (None, (), "cannot read '{path}': no such file"),
    ("0,0,0\n0,1\n", (), "{path}, row 2: 2 columns, but the first row has 3"),
    ("0,0,0\n0,x,1\n", (), "{path}, row 2, column 2: 'x' is not a number"),
    ("", (), "{path}: no rows of numbers (an empty file, or a header alone)"),
    ("0,0,0\n0,1,3\n", ("--loss", "hinge"),
     "{path}, row 2, column 3 (the label): 3 does not fit the hinge loss, which takes 0 or 1 (two classes)"),
])
def test_a_bad_file_is_one_line_and_exit_2_before_training(tmp_path, text, options, expected):
    path = str(tmp_path / "points.csv") if text is None else write(tmp_path, text)
    result = cli("train", "--data", path, *options)
    assert result.returncode == 2
    assert result.stdout == ""  # nothing trained
    assert result.stderr.splitlines()[-1] == (
        "micrograd-scratch train: error: argument --data: " + expected.format(path=path))
    assert "Traceback" not in result.stderr


# ---- a path that is not a file, and one parser for the file and the paste (issue 24) -----


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_a_fifo_or_a_folder_as_data_is_refused_at_once_not_waited_on(tmp_path):
    fifo = tmp_path / "p.csv"
    os.mkfifo(fifo)  # nothing will ever write to it: reading it would wait for ever
    for path, kind in ((fifo, "a FIFO (a named pipe)"), (tmp_path, "a folder")):
        result = cli("train", "--data", str(path))  # (the timeout would fail a hang)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.splitlines()[-1] == (
            f"micrograd-scratch train: error: argument --data: cannot read '{path}': "
            f"it is {kind}, not a regular file")


TRICKY = {  # text: the row and column a file and a paste both refuse, or None
    "0,0,0\u20281,1,1\n": "row 1, column 3: '0\\u20281' is not a number",  # U+2028 ends no row
    "0,0,0\n1_000,1,1\n": "row 2, column 1: '1_000' is not a number",
    "0,0,0\n\u0661,1,1\n": "row 2, column 1: '\u0661' is not a number",  # Arabic-Indic one
    "0,0,0\n\uff11,1,1\n": "row 2, column 1: '\uff11' is not a number",  # fullwidth one
    "\ufeffx1,x2,label\r\n0,1e3,1\r0,-.5,0\r\n": None,  # Excel's BOM and line ends
}


@pytest.fixture(scope="module")
def explorer():
    from micrograd_scratch.explore.server import make_server, serve_in_thread

    server = make_server()
    serve_in_thread(server)
    yield server
    server.shutdown()
    server.server_close()


def pasted(server, text: str) -> tuple[int, dict]:
    """The explorer's answer to a CSV pasted on its page, over real HTTP."""
    import http.client
    import json

    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("POST", "/api/train/new", json.dumps({"csv": text}),
                 {"Content-Type": "application/json", "Host": f"127.0.0.1:{port}"})
    response = conn.getresponse()
    return response.status, json.loads(response.read())


@pytest.mark.parametrize("text", TRICKY)
def test_a_pasted_csv_reads_exactly_as_the_same_file(tmp_path, explorer, text):
    path = tmp_path / "points.csv"
    path.write_bytes(text.encode("utf-8"))  # byte for byte, line ends and all
    status, answer = pasted(explorer, text)
    refused = TRICKY[text]
    if refused is None:
        X, y = load_csv(path)
        assert status == 200 and answer["points"] == [[*x, t] for x, t in zip(X, y)]
    else:
        with pytest.raises(DataFileError) as from_file:
            load_csv(path)
        assert str(from_file.value) == f"{path}, {refused}"
        assert status == 400 and answer["error"] == f"the CSV, {refused}"
