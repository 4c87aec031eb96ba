"""write_atomically: the target appears whole or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

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


def test_a_new_file_gets_the_umask_and_no_other_thread_sees_it_changed(tmp_path, monkeypatch):
    """Reading the umask used to mean setting it to 0 for a moment: a file
    another thread created then was world-writable. Two threads, one
    saving, one creating plain files, for half a second; a umask set to 0
    is held 10 ms, so that such a moment cannot be missed."""
    real_umask = os.umask

    def slow_umask(mask):
        previous = real_umask(mask)
        if mask == 0:
            time.sleep(0.01)
        return previous

    old = os.umask(0o022)
    monkeypatch.setattr(os, "umask", slow_umask)
    try:
        stop = threading.Event()

        def save_again_and_again():
            i = 0
            while not stop.is_set():
                write_atomically(tmp_path / f"saved{i % 20}.txt", lambda f: f.write("x"), text=True)
                i += 1

        saver = threading.Thread(target=save_again_and_again)
        saver.start()
        created = []
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            path = tmp_path / f"plain{len(created)}.txt"
            with open(path, "w"):
                pass
            created.append(path)
        stop.set()
        saver.join()
    finally:
        real_umask(old)
    assert [p.name for p in created if p.stat().st_mode & 0o022] == []
    assert (tmp_path / "saved0.txt").stat().st_mode & 0o777 == 0o644


def test_a_save_killed_mid_write_leaves_a_temporary_the_next_save_removes(tmp_path):
    """A writer holds a lock on its temporary file; kill -9 drops the lock,
    so the next save of the same file knows the leftover is stale. A
    temporary file that a live writer holds is left alone."""
    target = tmp_path / "model.json"
    code = ("import sys, time; from micrograd_scratch.files import _create_temporary; "
            "print(_create_temporary(sys.argv[1], 'model.json')[1], flush=True); time.sleep(60)")
    writer = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        leftover = writer.stdout.readline().strip()
        write_atomically(target, lambda f: f.write("first"), text=True)
        assert os.path.exists(leftover)  # a live write: not touched
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
    finally:
        writer.kill()
        writer.stdout.close()
    write_atomically(target, lambda f: f.write("second"), text=True)
    assert sorted(os.listdir(tmp_path)) == ["model.json"]
    assert target.read_text() == "second"
