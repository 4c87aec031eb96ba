"""`micrograd-scratch explore --export DIR`: the explorer as a static site.

The same page, the same requests and the same api.py, with Python running
in the learner's browser instead of on a local server: a teacher copies
the folder to a course page (or GitHub Pages, or any static host) and a
class opens it from a link, with nothing to install.

What the site holds (every path relative, so it works from a subfolder):

    index.html, explore.css, explore.js  the page (static/), with site.js and learn.js added
    site.js      sends the page's /api/ requests to the worker instead of fetch
    learn.js, learn.css  the Learn view (…/#learn=4): `micrograd-scratch learn`'s
                 exercises, checked by the same checker in a worker (course.py)
    learn.json   the exercises the export chose, in their order (--exercises)
    sw.js        a service worker that keeps the site in the browser's cache,
                 so a second visit downloads nothing; site.json lists its files,
                 and is the export's manifest: a later export into the same
                 folder replaces these files (and sw.js and site.json) only,
                 and refuses a folder that holds anything else
    worker.js    a Web Worker: loads Pyodide, then this package, and answers
                 each request with api.py's functions (browser.py)
    python/      this package's own .py files, and those of the graphviz
                 Python package it depends on (it writes the DOT text);
                 files.json lists them
    pyodide/     the pinned Pyodide: its core files only (no extra packages)
    viz/         the pinned @viz-js/viz: Graphviz compiled to WebAssembly,
                 which lays out the same DOT text that `dot` lays out on the server

The two runtimes come from npm, pinned here (PYODIDE_VERSION, VIZ_VERSION;
the exporter, CI and the tests read them from here): from `--assets DIR`,
a folder holding them unpacked (node_modules' layout: DIR/pyodide,
DIR/@viz-js/viz) or as `npm pack` tarballs, or else fetched with
`npm pack` when npm is installed.

Sources: Pyodide's documentation (loading Pyodide in a web worker);
viz-js.com (the @viz-js/viz API); TensorFlow Playground (a page a class
opens from a link).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..files import create_temporary_folder, remove_stale_temporaries

__all__ = [
    "PYODIDE_VERSION", "VIZ_VERSION", "RUNTIMES", "ExportError", "export", "tarball_names",
    "npm_pack_command",
]

PYODIDE_VERSION = "314.0.8"
VIZ_VERSION = "3.31.0"


@dataclass(frozen=True)
class Runtime:
    """One npm package the site carries: its name, pinned version, the
    files of it the site needs, and the folder they go to in the site."""

    package: str
    version: str
    files: tuple[str, ...]  # paths inside the package
    folder: str  # where they go in the site

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    @property
    def tarball(self) -> str:
        """The file `npm pack` writes: @viz-js/viz 3.31.0 is viz-js-viz-3.31.0.tgz."""
        return f"{self.package.lstrip('@').replace('/', '-')}-{self.version}.tgz"


RUNTIMES = (
    # Pyodide's core: the loader, the interpreter compiled to WebAssembly,
    # the standard library, and the lock file the loader reads at start.
    Runtime("pyodide", PYODIDE_VERSION,
            ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
             "pyodide-lock.json"), "pyodide"),
    # One ES module with Graphviz's WebAssembly inside it.
    Runtime("@viz-js/viz", VIZ_VERSION, ("dist/viz.js",), "viz"),
)

# The page's files, from static/; site.js and worker.js only make sense in the site.
PAGE_FILES = ("index.html", "explore.css", "explore.js", "site.js", "worker.js", "sw.js",
              "learn.js", "learn.css")
# Where site.js and learn.js go into the page: just before explore.js, which uses site.js.
PAGE_SCRIPT = '<script src="explore.js" defer></script>'
ADDED = ('<script src="site.js" defer></script>\n<script src="learn.js" defer></script>\n'
         '<link rel="stylesheet" href="learn.css">\n')
COURSE = "learn.json"  # the exercises the export chose, in their order
SOURCES = "python/files.json"  # the worker's list of the package's files
MANIFEST = "site.json"  # every file of the site but these two (the service worker caches them)
UNLISTED = ("sw.js", MANIFEST)
SW_BUILD = 'const BUILD = "dev";'  # the line of sw.js that names the cache


class ExportError(Exception):
    """The site cannot be written; the message says why and what to do."""


def tarball_names() -> list[str]:
    """The `npm pack` tarballs of the pinned runtimes (the CI's cache holds these)."""
    return [r.tarball for r in RUNTIMES]


def npm_pack_command() -> list[str]:
    """The command that fetches the pinned runtimes as tarballs into the current folder."""
    return ["npm", "pack", "--silent", *(r.spec for r in RUNTIMES)]


def _what_to_do() -> str:
    specs = " ".join(r.spec for r in RUNTIMES)
    return (f"install npm (apt-get install npm, or Node.js from nodejs.org) and run this again, "
            f"or pass --assets DIR, a folder holding the tarballs of `npm pack {specs}`")


# ---- finding the runtimes -------------------------------------------------------


def _from_folder(runtime: Runtime, folder: Path) -> dict[str, bytes] | None:
    """The runtime's files from `folder`: unpacked (folder/<package>/) or as
    its tarball; None when neither is there. A package of another version
    is refused: the site is tested with the pinned one."""
    unpacked = folder / runtime.package
    if (unpacked / "package.json").is_file():
        version = json.loads((unpacked / "package.json").read_text("utf-8")).get("version")
        if version != runtime.version:
            raise ExportError(f"{unpacked} is {runtime.package} {version}; the site is built and "
                              f"tested with {runtime.version} (npm pack {runtime.spec})")
        missing = [f for f in runtime.files if not (unpacked / f).is_file()]
        if missing:
            raise ExportError(f"{unpacked} has no {', '.join(missing)}: is the package whole?")
        return {f: (unpacked / f).read_bytes() for f in runtime.files}
    tarball = folder / runtime.tarball
    if tarball.is_file():
        return _from_tarball(runtime, tarball)
    return None


def _from_tarball(runtime: Runtime, tarball: Path) -> dict[str, bytes]:
    """The runtime's files read out of an npm tarball (each file by its own
    name, package/<file>: nothing else in the archive is written anywhere)."""
    files = {}
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            for name in runtime.files:
                member = archive.extractfile(f"package/{name}")
                if member is None:
                    raise KeyError(name)
                files[name] = member.read()
    except (tarfile.TarError, KeyError, OSError, EOFError) as error:
        raise ExportError(f"{tarball} is not a whole npm tarball of {runtime.spec} "
                          f"({type(error).__name__}: {error})") from None
    return files


def _npm_pack(folder: Path) -> None:
    """Fetch the pinned tarballs into `folder` with npm."""
    try:
        done = subprocess.run(npm_pack_command(), cwd=folder, capture_output=True, text=True,
                              timeout=600)
    except subprocess.TimeoutExpired:
        raise ExportError("npm pack took more than 10 minutes; " + _what_to_do()) from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise ExportError(f"npm pack {' '.join(r.spec for r in RUNTIMES)} failed ({reason}); "
                          + _what_to_do())


def runtime_files(assets: Path | None) -> dict[Runtime, dict[str, bytes]]:
    """Every runtime's files: from `assets`, or fetched with npm when no
    folder is given."""
    if assets is not None:
        if not assets.is_dir():
            raise ExportError(f"--assets {assets}: no such folder")
        found = {r: _from_folder(r, assets) for r in RUNTIMES}
        missing = [r.spec for r, files in found.items() if files is None]
        if missing:
            raise ExportError(f"--assets {assets} holds no {' and no '.join(missing)}: put there "
                              f"the tarballs of `npm pack {' '.join(missing)}`, or the packages "
                              f"unpacked as {assets}/<package>/ (node_modules' layout)")
        return found
    if shutil.which("npm") is None:
        raise ExportError("the site needs the Pyodide and Graphviz runtimes from npm: "
                          + _what_to_do())
    with tempfile.TemporaryDirectory(prefix="micrograd-npm-") as tmp:
        _npm_pack(Path(tmp))
        return {r: _from_folder(r, Path(tmp)) for r in RUNTIMES}


# ---- the Python the worker imports ------------------------------------------------


def python_files() -> dict[str, bytes]:
    """This package's .py files and the graphviz package's, by their path
    under python/ (the worker puts that folder on sys.path)."""
    import graphviz  # the one dependency: it writes the DOT text

    import micrograd_scratch

    files = {}
    for package in (micrograd_scratch, graphviz):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*.py")):
            if "__pycache__" not in path.parts:
                files[f"{root.name}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return files


# ---- writing the site ---------------------------------------------------------------


def _page_file(name: str) -> bytes:
    data = resources.files(__package__).joinpath("static", name).read_bytes()
    if name == "index.html":
        text = data.decode("utf-8")
        if PAGE_SCRIPT not in text:  # a page edited without this file in mind
            raise ExportError(f"static/index.html has no {PAGE_SCRIPT} to put site.js before")
        data = text.replace(PAGE_SCRIPT, ADDED + PAGE_SCRIPT).encode("utf-8")
    return data


def site_files(assets: Path | None, exercises: list[int] | None = None) -> dict[str, bytes]:
    """Every file of the site, by its relative path; the Learn view holds
    `exercises` (numbers, in their order; all ten when None)."""
    files = {name: _page_file(name) for name in PAGE_FILES}
    files[COURSE] = json.dumps({"exercises": course_numbers(exercises)}).encode("utf-8")
    sources = python_files()
    for path, data in sources.items():
        files[f"python/{path}"] = data
    files[SOURCES] = json.dumps(sorted(sources), indent=0).encode("utf-8")
    for runtime, found in runtime_files(assets).items():
        for name, data in found.items():
            files[f"{runtime.folder}/{Path(name).name}"] = data
    # The service worker's cache is named after the files' content, so
    # that a new export replaces an old one in the learners' browsers.
    build = hashlib.sha256()
    for path in sorted(files):
        build.update(path.encode("utf-8") + b"\0" + files[path])
    sw = files["sw.js"].decode("utf-8")
    if SW_BUILD not in sw:
        raise ExportError(f"static/sw.js has no {SW_BUILD} line to name its cache by")
    files["sw.js"] = sw.replace(SW_BUILD, f'const BUILD = "{build.hexdigest()[:16]}";').encode("utf-8")
    files[MANIFEST] = json.dumps({"files": sorted(f for f in files if f not in UNLISTED)},
                                 indent=0).encode("utf-8")
    return files


def course_numbers(exercises: list[int] | None) -> list[int]:
    """The Learn view's exercises: `exercises` checked (each one of the ten,
    once), or all ten in the talk's order."""
    from ..learn.exercises import EXERCISES

    if exercises is None:
        return [ex.number for ex in EXERCISES]
    known = {ex.number for ex in EXERCISES}
    wrong = [n for n in exercises if n not in known]
    if wrong or not exercises or len(set(exercises)) != len(exercises):
        raise ExportError(f"--exercises: each of 1 to {len(EXERCISES)} at most once, got "
                          f"{', '.join(map(str, exercises)) or 'none'}")
    return list(exercises)


def export(dest: str | Path, assets: str | Path | None = None,
           exercises: list[int] | None = None) -> tuple[int, int]:
    """Write the static site to `dest` and return (files, bytes). The site
    is written beside `dest` first and moved into place whole, so a failed
    export leaves no half-written site. `dest` must be new, empty, or an
    earlier export, whose files (its manifest, site.json, lists them) are
    replaced; a folder that holds anything else is refused, naming it. A
    link at `dest` is followed: the site goes where it points."""
    real = _destination(dest)
    _earlier_site(real, dest)  # refused now, before the runtimes are fetched
    course_numbers(exercises)  # and so is an exercise that is not there
    files = site_files(Path(assets) if assets is not None else None, exercises)
    parent = os.path.dirname(real)
    try:
        os.makedirs(parent, exist_ok=True)
        remove_stale_temporaries(real, remove_folder=_remove_leftover)  # of a killed export
        fd, tmp = create_temporary_folder(real)
    except OSError as error:
        raise ExportError(f"cannot write in {parent}: {error.strerror or error}") from None
    try:
        # The manifest first: a folder left by a killed export lists what is in it.
        for path in sorted(files, key=lambda path: path != MANIFEST):
            target = os.path.join(tmp, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(files[path])
        _put_in_place(tmp, real, dest)
    except OSError as error:
        raise ExportError(f"cannot write the site to {dest}: {error.strerror or error}") from None
    finally:
        os.close(fd)
        if os.path.lexists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)  # our own folder, made above
    return len(files), sum(len(d) for d in files.values())


# ---- replacing an earlier export, and nothing else ------------------------------------


def _destination(dest: str | Path) -> str:
    """The folder the site goes to: `dest`, or where a link at `dest` points.
    A link that loops, a path that cannot be looked at, or a file in the
    way is refused in one line."""
    real = os.path.realpath(dest)
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return real  # a new folder
    except OSError as error:  # a loop of links, a folder that may not be entered
        raise ExportError(f"cannot export to {dest}: {error.strerror or error}") from None
    if not stat.S_ISDIR(mode):
        raise ExportError(f"{dest} exists and is not a folder; choose a new or empty folder")
    return real


def _earlier_site(folder: str, shown: str | Path) -> list[tuple[str, str]]:
    """What an earlier export wrote in `folder`, as (path, "file" or
    "folder"), each folder before what is in it; [] for a new or empty
    folder. Raises ExportError naming the first thing there that no export
    wrote (a link, or a file or folder its manifest does not list)."""
    try:
        contents = _contents(folder) if os.path.isdir(folder) else []
    except OSError as error:  # a folder in it that may not be read
        raise ExportError(f"cannot read {shown}: {error.strerror or error}") from None
    if not contents:
        return []
    written = _manifest(folder)
    if written is None:
        raise ExportError(f"{shown} is not an exported explorer site (it holds {contents[0][0]} "
                          f"and no {MANIFEST}); choose a new or empty folder")
    for path, kind in contents:
        ours = path in written if kind == "file" else kind == "folder" and _is_parent(path, written)
        if not ours:
            raise ExportError(f"{shown} holds {path}, which is not a file of the explorer's "
                              f"site; an export replaces only the files it wrote: move it out "
                              f"of the folder, or choose another one")
    return contents


def _manifest(folder: str) -> set[str] | None:
    """The files an export wrote in `folder`: those its site.json lists,
    and sw.js and site.json; None when there is no readable site.json."""
    path = os.path.join(folder, MANIFEST)
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        with open(path, "rb") as f:
            files = json.loads(f.read())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files) | set(UNLISTED)


def _is_parent(folder: str, files: set[str]) -> bool:
    return any(f.startswith(folder + "/") for f in files)


def _contents(folder: str) -> list[tuple[str, str]]:
    """Everything under `folder`, links not followed: (path relative to
    it, "file", "folder" or "other"), each folder before what is in it."""
    found, stack = [], [""]
    while stack:
        below = stack.pop()
        with os.scandir(os.path.join(folder, below)) as entries:
            for entry in sorted(entries, key=lambda entry: entry.name):
                path = f"{below}/{entry.name}" if below else entry.name
                if entry.is_dir(follow_symlinks=False):
                    found.append((path, "folder"))
                    stack.append(path)
                else:
                    found.append((path, "file" if entry.is_file(follow_symlinks=False) else "other"))
    return found


def _remove_site(folder: str, contents: list[tuple[str, str]]) -> None:
    """Remove what _earlier_site found in `folder`, then the folder."""
    for path, kind in reversed(contents):  # what is in a folder before the folder
        try:
            (os.rmdir if kind == "folder" else os.unlink)(os.path.join(folder, path))
        except FileNotFoundError:
            pass
    os.rmdir(folder)


def _put_in_place(tmp: str, real: str, shown: str | Path) -> None:
    """Move the site written in `tmp` to `real`: over nothing or an empty
    folder in one rename; over an earlier export by moving that aside
    first, so that a site is in place at every moment but one rename."""
    earlier = _earlier_site(real, shown)  # again: a file may have come since the first look
    if not earlier:
        os.replace(tmp, real)
        return
    fd, aside = create_temporary_folder(real)
    os.close(fd)
    os.replace(real, aside)  # onto the empty folder just made
    os.replace(tmp, real)
    _remove_leftover(aside)  # kept, should a file of someone else's have come in since


def _remove_leftover(folder: str) -> bool:
    """remove_stale_temporaries' rule for a folder a killed export left:
    removed when it holds the site's files only, left alone otherwise."""
    try:
        _remove_site(folder, _earlier_site(folder, folder))
    except (ExportError, OSError):
        return False
    return True
