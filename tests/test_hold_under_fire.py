"""Smaller faults a careless user finds: gradcheck at a point whose +-eps
leaves the op's domain, and `import --activation` that disagrees with what
the file records."""

from __future__ import annotations

import subprocess

import pytest

from micrograd_scratch import gradcheck


def test_gradcheck_where_eps_leaves_the_domain_fails_with_the_reason():
    """log at 1e-7: x - eps is negative. torch's gradcheck returns False;
    ours raised log's domain error."""
    result = gradcheck(lambda v: v.log(), [1e-7])
    assert not result.ok
    assert result.mismatches == [
        "x0 +- eps leaves the domain (log(-9e-07): log is only defined for x > 0); check a "
        "point farther than eps = 1e-06 from its edge"]
    assert gradcheck(lambda v: v.log(), [1e-3]).ok


def program(*argv, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(["micrograd-scratch", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_import_refuses_an_activation_that_disagrees_with_the_file(tmp_path):
    pytest.importorskip("torch", reason="import reads PyTorch files: pip install torch")
    assert program("xor", "--epochs", "5", "--save", "a.json", cwd=tmp_path).returncode == 0
    assert program("export", "--model", "a.json", "--torch", "b.pt", cwd=tmp_path).returncode == 0
    done = program("import", "--torch", "b.pt", "--model", "c.json", "--activation", "tanh", cwd=tmp_path)
    assert done.returncode == 2 and not (tmp_path / "c.json").exists()
    assert done.stderr.splitlines()[-1] == (
        "micrograd-scratch import: error: argument --activation: b.pt records relu for its hidden "
        "layers, not tanh; leave --activation out (it is for files that do not say)")
    done = program("import", "--torch", "b.pt", "--model", "c.json", "--activation", "relu", cwd=tmp_path)
    assert done.returncode == 0 and "activation relu" in done.stdout
