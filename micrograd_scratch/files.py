"""Writing a file whole or not at all.

A drawing, a figure or a saved model is first written to a temporary file
in the same folder, then renamed over the target: `os.replace` is atomic
within one file system, so a reader (or a crash, or a full disk, or
Ctrl-C) never leaves half a file behind, and the previous file survives
any failure. Used by draw (drawings), plot (figures) and serialize (models).
"""

from __future__ import annotations

import errno
import os
import tempfile
from typing import IO, Callable

__all__ = ["write_atomically"]


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
    open() would refuse it.
    """
    path = os.path.realpath(os.fspath(path))
    if os.path.exists(path) and not os.path.isfile(path):
        raise OSError(errno.EEXIST, "it exists and is not a regular file; not replacing it", path)
    folder = os.path.dirname(path)
    tmp = tempfile.NamedTemporaryFile(
        "w" if text else "wb",
        encoding="utf-8" if text else None,
        dir=folder,  # same file system as the target, so the rename is atomic
        delete=False,
        prefix=f".{os.path.basename(path)}.",
        suffix=".tmp",
    )
    try:
        with tmp:
            write(tmp)
            if durable:
                tmp.flush()
                os.fsync(tmp.fileno())  # the bytes are on disk before the rename
        os.chmod(tmp.name, _file_mode(path))
        os.replace(tmp.name, path)
    except BaseException:  # also KeyboardInterrupt: never leave a stray temp file
        os.unlink(tmp.name)
        raise
    if durable:
        _fsync_folder(folder)


def _file_mode(path: str) -> int:
    """The permissions the file would get from a plain open(): the old
    file's, or the default under the umask (temporary files are 0o600)."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)  # the only way to read the umask is to set it
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); folders cannot be opened on Windows."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
