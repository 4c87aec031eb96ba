"""The course in the static site: `micrograd-scratch learn`, in the browser.

The page's Learn view (static/learn.js) talks to two Python workers,
both worker.js running this package in Pyodide, and each request is
answered here (browser.py routes /api/learn/... to ROUTES):

- the *learner's worker* plays the child process of the local checker
  (learn/child.py): it writes the learner's files into a folder of its
  own, loads their exercise under the seal and runs one check at a time
  (`load`, `run`), answering with the child's own messages
  (child.Session). It is used for one Check and then ended; a check past
  its time limit is ended by the page (Worker.terminate, which no Python
  can catch), and the next check runs in a fresh one.
- the *explorer's worker* plays the checker's process: from those
  messages it builds the Report with runner's own code (`verdict`:
  result_of, skipped, Report), draws its graph, and hands out hints,
  the zip of the learner's folder and, once they have written exercise 4,
  their rules in the explorer (`use`, as `learn use` does locally).

So the verdict is the local checker's, from the same checks and the same
messages; what the browser cannot give is said in the README ("The
course in the browser").
"""

from __future__ import annotations

import base64
import io
import zipfile
from contextlib import ExitStack
from pathlib import Path, PurePosixPath

from ..learn import api as learn_api
from ..learn import rules
from ..learn.checks import checks_for
from ..learn.child import Session
from ..learn.exercises import DEFAULT_DIR, EXERCISES, exercise
from ..learn.runner import CheckResult, Report, result_of, skipped
from . import api

__all__ = ["ROUTES", "FOLDER"]

FOLDER = Path("/home/pyodide") / DEFAULT_DIR  # the learner's folder, in a worker's own file system


class CourseError(api.ApiError):
    """A request the Learn view should not have sent; one line."""


def _number(body: dict) -> int:
    number = body.get("number")
    if type(number) is not int or not 1 <= number <= len(EXERCISES):
        raise CourseError(f"number must be an exercise's number, 1 to {len(EXERCISES)}")
    return number


def _files(body: dict) -> dict[str, str]:
    """The learner's texts by file name (only the exercises' file names)."""
    files = body.get("files", {})
    names = {ex.file for ex in EXERCISES}
    if not isinstance(files, dict) or not all(k in names and isinstance(v, str) for k, v in files.items()):
        raise CourseError("files must be {exercise file name: text}")
    return files


def _write_folder(folder: Path, files: dict[str, str]) -> None:
    """The folder `learn start` writes, with the learner's texts in it."""
    folder.mkdir(parents=True, exist_ok=True)
    for ex in EXERCISES:
        (folder / ex.file).write_text(files.get(ex.file, learn_api.template(ex)), encoding="utf-8")
    (folder / "README.txt").write_text(learn_api.readme(), encoding="utf-8")


# ---- what the page shows -------------------------------------------------------------


def course(body: dict) -> dict:
    """The exercises the export chose, in its order: each one's number,
    title, file, what to write, its template (statement and math are its
    docstring), how many hints, and its time limit."""
    numbers = body.get("numbers") or [ex.number for ex in EXERCISES]
    if not isinstance(numbers, list):
        raise CourseError("numbers must be a list of exercise numbers")
    return {"exercises": [
        {"number": ex.number, "title": ex.title, "file": ex.file, "writes": list(ex.writes),
         "template": learn_api.template(ex), "hints": len(ex.hints), "time_limit": ex.time_limit,
         "optional": ex.optional, "checks": len(checks_for(ex.name))}
        for ex in (exercise(_number({"number": n})) for n in numbers)]}


def hint(body: dict) -> dict:
    """Hint `which` (1, 2, ...) of exercise `number`: the same texts as `learn hint`."""
    ex = exercise(_number(body))
    which = body.get("which")
    if type(which) is not int or not 1 <= which <= len(ex.hints):
        raise CourseError(f"which must be 1 to {len(ex.hints)}")
    return {"which": which, "of": len(ex.hints), "text": ex.hints[which - 1]}


# ---- the learner's worker: the child's half -----------------------------------------

_session: Session | None = None


def load(body: dict) -> dict:
    """Write the learner's folder, load exercise `number` under the seal:
    the child's message, {"loaded": true} or {"load_error": line}."""
    global _session
    ex = exercise(_number(body))
    _write_folder(FOLDER, _files(body))
    _session = Session(FOLDER, ex.number, ex.time_limit)
    return _session.load()


def run(body: dict) -> dict:
    """Check number `index` on the loaded file: the child's result message."""
    index, token = body.get("index"), body.get("token")
    if _session is None or _session.module is None:
        raise CourseError("no exercise is loaded in this worker")
    if type(index) is not int or not 0 <= index < len(_session.checks) or not isinstance(token, str):
        raise CourseError("index must be a check's place in the list, and token a string")
    return _session.run(index, token)


# ---- the explorer's worker: the checker's half --------------------------------------


def verdict(body: dict) -> dict:
    """The next step of a Check of exercise `number`, from what the
    learner's worker has said so far (`said`: {"load": message, "results":
    {index: message}}, `tokens`: {index: the token the page sent}, and
    `stopped`: {index or "load": seconds} for a worker the page ended):
    {"load": true} to load the file, {"run": index} for the next check to
    run, or {"report": ...}, the verdict, built as runner.run_exercise builds it."""
    ex = exercise(_number(body))
    said, tokens, stopped = body.get("said") or {}, body.get("tokens") or {}, body.get("stopped") or {}
    if not all(isinstance(x, dict) for x in (said, tokens, stopped)):
        raise CourseError("said, tokens and stopped must be objects")
    report = Report(ex)
    if "load" in stopped:
        report.load_error = (f"{ex.file} did not finish loading within {stopped['load']:g} s, so the "
                             "page ended the worker running it")
        return {"report": _shown(report)}
    loaded = said.get("load")
    if not isinstance(loaded, dict):
        return {"load": True}
    if loaded.get("loaded") is not True:
        report.load_error = str(loaded.get("load_error") or "it could not be loaded")[:20_000]
        return {"report": _shown(report)}
    results = said.get("results") or {}
    for index, check in enumerate(checks_for(ex.name)):
        skip = skipped(check, report.results)
        if skip is not None:
            report.results.append(skip)
        elif str(index) in stopped:
            report.results.append(CheckResult(check.title, "failed", _stopped_line(stopped[str(index)])))
        elif str(index) in results:
            result = result_of(results[str(index)], index, tokens.get(str(index)), check.title)
            report.results.append(result or CheckResult(check.title, "failed", NOT_A_VERDICT))
        else:
            return {"run": index, "limit": ex.time_limit}
    return {"report": _shown(report)}


NOT_A_VERDICT = "the learner's worker sent back something that is not a verdict: the check gives none"


def _stopped_line(seconds: float) -> str:
    # The page ends the worker from outside: no Python runs to see where the code was.
    return (f"did not finish within {seconds:g} s, so the page ended the worker running it "
            "(where it was cannot be seen in the browser; `micrograd-scratch learn check` "
            "shows the line): a loop that never ends, or one that does far too much work?")


def _shown(report: Report) -> dict:
    """A Report as the page shows it: its lines as the command line prints
    them, each check's state, and its graph drawn as SVG."""
    picture = report.picture
    return {"state": report.state, "lines": report.lines(), "summary": report.summary(),
            "load_error": report.load_error,
            "results": [{"title": r.title, "state": r.state, "sentence": r.sentence} for r in report.results],
            "svg": api._svg(picture) if picture is not None else None}


# ---- the learner's folder, as a zip ---------------------------------------------------


def folder_zip(body: dict) -> dict:
    """"Download my files": a zip holding micrograd-exercises/, laid out as
    `learn start` writes it, the learner's texts in it."""
    files = _files(body)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for ex in EXERCISES:
            archive.writestr(f"{DEFAULT_DIR}/{ex.file}", files.get(ex.file, learn_api.template(ex)))
        archive.writestr(f"{DEFAULT_DIR}/README.txt", learn_api.readme())
    return {"name": f"{DEFAULT_DIR}.zip", "base64": base64.b64encode(data.getvalue()).decode("ascii")}


def folder_unzip(body: dict) -> dict:
    """"Open my folder": the exercise files in a zip, found by their names
    in whatever folder they are; {"files": {name: text}, "skipped": [why]}."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(body.get("base64") or "", validate=True)))
    except (ValueError, zipfile.BadZipFile) as error:
        raise CourseError(f"this is not a zip file ({error})") from None
    names = {ex.file for ex in EXERCISES}
    files, skipped_names = {}, []
    for info in archive.infolist():
        name = PurePosixPath(info.filename).name
        if name not in names:
            continue
        if name in files or info.file_size > 1_000_000:
            skipped_names.append(f"{info.filename} (another {name}, or over 1 MB)")
            continue
        try:
            files[name] = archive.read(info).decode("utf-8")
        except (UnicodeDecodeError, zipfile.BadZipFile, OSError) as error:
            skipped_names.append(f"{info.filename} ({error})")
    return {"files": files, "skipped": skipped_names}


# ---- the learner's rules in the explorer -------------------------------------------------

_rules_in_use = ExitStack()


def use(body: dict) -> dict:
    """The learner's exercise 4 rules in this worker's engine, as `learn
    use` puts them in a command's (rules.my_rules, held until `unuse`);
    {"rules": their op names} or {"error": the one line}."""
    unuse({})
    folder = FOLDER.with_name(DEFAULT_DIR + "-in-use")
    _write_folder(folder, _files(body))
    try:
        return {"rules": _rules_in_use.enter_context(rules.my_rules(folder))}
    except rules.RuleError as error:
        return {"rules": [], "error": str(error)}


def unuse(body: dict) -> dict:
    """The package's own rules again."""
    _rules_in_use.close()
    return {"rules": []}


ROUTES = {
    "/api/learn/course": course,
    "/api/learn/hint": hint,
    "/api/learn/load": load,
    "/api/learn/run": run,
    "/api/learn/verdict": verdict,
    "/api/learn/zip": folder_zip,
    "/api/learn/unzip": folder_unzip,
    "/api/learn/use": use,
    "/api/learn/unuse": unuse,
}
