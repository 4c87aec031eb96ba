"""Smaller faults a careless user finds: gradcheck at a point whose +-eps
leaves the op's domain, and `import --activation` that disagrees with what
the file records."""

from __future__ import annotations

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


def test_import_refuses_an_activation_that_disagrees_with_the_file(tmp_path, monkeypatch, capsys):
    torch = pytest.importorskip("torch", reason="import reads PyTorch files: pip install torch")
    from micrograd_scratch import MLP, cli
    from micrograd_scratch.torch_bridge import to_torch

    monkeypatch.chdir(tmp_path)
    torch.save(to_torch(MLP(2, [4, 1], seed=0)).state_dict(), "b.pt")  # as `export` writes it
    status = cli.main(["import", "--torch", "b.pt", "--model", "c.json", "--activation", "tanh"])
    err = capsys.readouterr().err
    assert status == 2 and not (tmp_path / "c.json").exists()
    assert err.splitlines()[-1] == (
        "micrograd-scratch import: error: argument --activation: b.pt records relu for its hidden "
        "layers, not tanh; leave --activation out (it is for files that do not say)")
    status = cli.main(["import", "--torch", "b.pt", "--model", "c.json", "--activation", "relu"])
    assert status == 0 and "activation relu" in capsys.readouterr().out
