"""Writing a file whole or not at all.

A drawing, a figure or a saved model is first written to a temporary file
in the same folder, then renamed over the target: `os.replace` is atomic
within one file system, so a reader (or a crash, or a full disk, or
Ctrl-C) never leaves half a file behind, and the previous file survives
any failure. Used by draw (drawings), plot (figures) and serialize (models).

Three details, each a bug once:

- The temporary file is created with `os.open(..., 0o666)`, so the kernel
  applies the umask to it as to any new file. (Reading the umask means
  setting it, `os.umask(0)`, for a moment, and a file another thread
  creates in that moment is world-writable.) Replacing a file keeps that
  file's own permissions.
- A writer holds a lock (`flock`) on its temporary file until it is
  renamed. A process killed mid-write (kill -9) cannot remove its file,
  but the kernel drops its lock: the next write of the same target
  removes every temporary file of that target that nobody holds.
- Only a regular file is replaced; a folder or a device in the way is
  refused, as open() would refuse it.

A folder written whole (explore --export's site) is built the same way,
in a locked temporary folder beside it (`create_temporary_folder`); what
a killed export left there is removed by a later one, by the rule the
caller gives for what in it may go.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from typing import IO, Callable

try:
    import fcntl  # POSIX; without it a killed write's file stays, as before
except ImportError:  # Windows
    fcntl = None

__all__ = ["write_atomically", "create_temporary_folder", "remove_stale_temporaries"]


def write_atomically(
    path: str | os.PathLike,
    write: Callable[[IO], object],
    *,
    text: bool = False,
    durable: bool = False,
) -> None:
    """Call `write(f)` on a temporary file, then rename it to `path`.

    `text=True` opens the file for str (UTF-8), otherwise for bytes.
    `durable=True` also fsyncs the file and its folder, so the new file is
    on disk when this returns (for saved models: slower, but a power cut
    cannot lose the last save). Symbolic links are followed: the file a
    link points to is replaced, not the link. A target that exists and is
    not a regular file (a folder, a device) is refused with an OSError, as
    open() would refuse it. Temporary files of `path` left by a write that
    was killed are removed first.
    """
    path = os.path.realpath(os.fspath(path))
    if os.path.exists(path) and not os.path.isfile(path):
        raise OSError(errno.EEXIST, "it exists and is not a regular file; not replacing it", path)
    folder, name = os.path.split(path)
    remove_stale_temporaries(path)
    fd, tmp = _create_temporary(folder, name)
    try:
        with os.fdopen(fd, "w" if text else "wb", encoding="utf-8" if text else None) as f:
            write(f)
            if durable:
                f.flush()
                os.fsync(f.fileno())  # the bytes are on disk before the rename
            _keep_mode(path, f.fileno())
            if fcntl is not None:
                os.replace(tmp, path)  # still locked: no cleaner removes it first
        if fcntl is None:
            os.replace(tmp, path)  # (Windows cannot rename a file that is open)
    except BaseException:  # also KeyboardInterrupt: never leave a stray temp file
        _unlink_quietly(tmp)
        raise
    if durable:
        _fsync_folder(folder)


# ---- the temporary file ------------------------------------------------------


def _temporary_name(name: str) -> str:
    return f".{name}.{secrets.token_hex(4)}.tmp"


def _temporaries_of(name: str) -> re.Pattern:
    """The names _temporary_name gives (and tempfile gave, before): 8 random
    characters between the target's name and .tmp; or, for a folder, no
    .tmp (tempfile.mkdtemp's names for an export's folder, before)."""
    return re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}(\.tmp)?")


def _create_temporary(folder: str, name: str) -> tuple[int, str]:
    """A new, empty, locked file next to the target: (fd, path). Its mode is
    0o666 less the umask, as for any file a program creates."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(folder, _temporary_name(name))
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:  # 1 in 4 billion: draw another name
            continue
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released when the fd closes, or the process dies
        return fd, tmp


def create_temporary_folder(path: str | os.PathLike) -> tuple[int, str]:
    """A new, empty, locked folder next to `path`, to build a tree in and
    then rename to `path`: (fd, folder). The lock (on fd, held until it is
    closed or the process dies) tells a running build from one that was
    killed; `remove_stale_temporaries(path, remove_folder=...)` removes the
    latter. Its mode is 0o777 less the umask, as for any new folder."""
    folder, name = os.path.split(os.path.realpath(os.fspath(path)))
    while True:
        tmp = os.path.join(folder, _temporary_name(name))
        try:
            os.mkdir(tmp)
            fd = os.open(tmp, os.O_RDONLY)
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            return fd, tmp
        except FileExistsError:  # 1 in 4 billion: draw another name
            continue
        except BaseException:  # also KeyboardInterrupt: no empty folder left behind
            try:
                os.rmdir(tmp)
            except OSError:
                pass
            raise


def _keep_mode(path: str, fd: int) -> None:
    """Give the new file the permissions of the file it replaces, if any."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        return  # a new file: the umask has already been applied
    if hasattr(os, "fchmod"):  # POSIX; Windows has only the read-only bit
        os.fchmod(fd, mode)


def remove_stale_temporaries(path: str | os.PathLike,
                             remove_folder: Callable[[str], bool] | None = None) -> list[str]:
    """Remove the temporary files of `path` that no running write holds
    (left by a write that was killed); return their paths. A temporary
    folder (create_temporary_folder's) is handed to `remove_folder`, which
    removes it if all in it may go and says whether it did; without it,
    folders are left alone. Without
    `flock` (Windows) nothing is removed: a live write could not be told apart."""
    if fcntl is None:
        return []
    folder, name = os.path.split(os.path.realpath(os.fspath(path)))
    pattern = _temporaries_of(name)
    removed = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return []
    for entry in entries:
        match = pattern.fullmatch(entry)
        if not match:
            continue
        tmp = os.path.join(folder, entry)
        try:
            fd = os.open(tmp, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue  # gone already, or a link: not ours to touch
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a write in progress holds it
        else:
            if stat.S_ISDIR(os.fstat(fd).st_mode):
                if remove_folder is None or not remove_folder(tmp):
                    continue
            elif match.group(1):  # a file without .tmp is not one of ours
                _unlink_quietly(tmp)
            else:
                continue
            removed.append(tmp)
        finally:
            os.close(fd)
    return removed


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); folders cannot be opened on Windows."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
