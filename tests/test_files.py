"""write_atomically: the target appears whole or not at all."""

from __future__ import annotations

import os

import pytest

from micrograd_scratch.files import write_atomically


def test_writes_bytes_and_text(tmp_path):
    write_atomically(tmp_path / "a.bin", lambda f: f.write(b"\x00\x01"))
    write_atomically(tmp_path / "b.txt", lambda f: f.write("héllo"), text=True, durable=True)
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "héllo"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "figure.svg"
    target.write_text("old")

    def half_then_fail(f):
        f.write(b"<svg half")
        raise KeyboardInterrupt  # Ctrl-C in the middle

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, half_then_fail)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["figure.svg"]


def test_keeps_the_old_file_s_permissions(tmp_path):
    target = tmp_path / "model.json"
    target.write_text("{}")
    target.chmod(0o640)
    write_atomically(target, lambda f: f.write("[]"), text=True)
    assert target.stat().st_mode & 0o777 == 0o640


def test_follows_a_symbolic_link(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    (tmp_path / "link.txt").symlink_to(real)
    write_atomically(tmp_path / "link.txt", lambda f: f.write("new"), text=True)
    assert real.read_text() == "new" and (tmp_path / "link.txt").is_symlink()


def test_refuses_to_replace_a_folder(tmp_path):
    (tmp_path / "taken.png").mkdir()
    with pytest.raises(OSError, match="exists and is not a regular file"):
        write_atomically(tmp_path / "taken.png", lambda f: f.write(b"png"))
    assert (tmp_path / "taken.png").is_dir()
