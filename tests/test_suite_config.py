"""The suite's own configuration: a test module that fails to import
(a helper that breaks after a learner edits an op, say) is reported as an
error, and every other module still runs."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_a_module_that_fails_at_collection_does_not_stop_the_others(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_broken.py").write_text("raise ImportError('broken helper')\n")
    (tmp_path / "tests" / "test_fine.py").write_text("def test_fine():\n    assert True\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    summary = run.stdout.strip().splitlines()[-1]
    assert "1 passed" in summary and "1 error" in summary, run.stdout
    assert run.returncode == 1  # the run still fails
