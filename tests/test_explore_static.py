"""The explorer as a static site: `micrograd-scratch explore --export DIR`.

The export itself (from an --assets folder, with npm, with neither), the
local server's refusal of the op editor, and the exported site in a real
browser (Playwright driving Debian's chromium), served by a plain static
file server from a subfolder, with no explorer server running: the same
gradients as the package, stepping with no node moving, XOR trained to
4/4, tanh's backward edited wrong and caught by the finite-difference
check, softsign defined and used, the edit restored from the link, no
request leaving the site, a second visit served from the service worker's
cache, and no JavaScript error.

The runtimes are the pinned npm packages (static_site.RUNTIMES). They are
fetched once with `npm pack` into ASSETS (.ci/assets, or the folder
$MICROGRAD_SCRATCH_ASSETS names) and reused; without them and without npm
the tests that need them skip, saying so. Waits are for conditions; nothing
is timed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from micrograd_scratch import expr
from micrograd_scratch.drawing import styles
from micrograd_scratch.explore import make_server, serve_in_thread
from micrograd_scratch.explore.static_site import RUNTIMES, npm_pack_command, tarball_names

ROOT = Path(__file__).resolve().parent.parent
ASSETS = Path(os.environ.get("MICROGRAD_SCRATCH_ASSETS", ROOT / ".ci" / "assets"))
COMMAND = shutil.which("micrograd-scratch") or str(Path(sys.executable).parent / "micrograd-scratch")
CHROMIUM = "/usr/bin/chromium"
WAIT = 60_000  # ms: generous, for a busy two-core machine


def _assets() -> Path | None:
    """ASSETS holding the pinned tarballs: fetched with npm pack the first
    time, then reused; None when they are not there and npm is not either."""
    if all((ASSETS / name).is_file() for name in tarball_names()):
        return ASSETS
    if shutil.which("npm") is None:
        return None
    ASSETS.mkdir(parents=True, exist_ok=True)
    subprocess.run(npm_pack_command(), cwd=ASSETS, check=True, capture_output=True, timeout=600)
    return ASSETS


@pytest.fixture(scope="module")
def assets() -> Path:
    found = _assets()
    if found is None:
        pytest.skip(f"needs the pinned runtimes ({', '.join(r.spec for r in RUNTIMES)}): "
                    f"npm is not installed and {ASSETS} does not hold their npm pack tarballs")
    return found


def run(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, timeout=300, env=env)


# ---- the export ------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(assets, tmp_path_factory) -> Path:
    """The site exported with --assets into a subfolder of the folder served."""
    root = tmp_path_factory.mktemp("served")
    done = run("explore", "--export", str(root / "course" / "explorer"), "--assets", str(assets))
    assert done.returncode == 0, done.stderr
    # (the first line; a second names the Learn view's exercises)
    assert re.fullmatch(r"wrote the explorer's static site to \S+: \d+ files, [\d.]+ MB; .*",
                        done.stdout.splitlines()[0])
    return root / "course" / "explorer"


def test_export_from_an_assets_folder_writes_the_page_the_sources_and_the_runtimes(site):
    page = (site / "index.html").read_text("utf-8")
    assert '<script src="site.js" defer></script>' in page
    # Every path the page, the shim and the worker use is relative.
    for name in ("index.html", "site.js", "worker.js", "explore.js"):
        text = (site / name).read_text("utf-8")
        assert not re.search(r'(?:src|href)="/|from "/|import\("/|new Worker\("/', text), name
    sources = json.loads((site / "python" / "files.json").read_text("utf-8"))
    assert "micrograd_scratch/ops.py" in sources and "micrograd_scratch/explore/api.py" in sources
    assert (site / "python" / "micrograd_scratch" / "ops.py").read_bytes() == \
        (ROOT / "micrograd_scratch" / "ops.py").read_bytes()  # the package's own source
    for runtime in RUNTIMES:
        for name in runtime.files:
            assert (site / runtime.folder / Path(name).name).stat().st_size > 0
    assert not (site / "pyodide" / "console.html").exists()  # the core files only


def test_export_from_unpacked_packages_and_into_an_earlier_export(assets, tmp_path):
    unpacked = tmp_path / "node_modules"
    for runtime in RUNTIMES:
        (unpacked / runtime.package).mkdir(parents=True)
        subprocess.run(["tar", "xzf", str(assets / runtime.tarball), "-C",
                        str(unpacked / runtime.package), "--strip-components=1"], check=True)
    dest = tmp_path / "site"
    for _ in range(2):  # the second time over the first export, which is replaced
        done = run("explore", "--export", str(dest), "--assets", str(unpacked))
        assert done.returncode == 0, done.stderr
    assert (dest / "viz" / "viz.js").is_file()


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm to fetch the runtimes")
def test_export_with_npm(tmp_path):
    done = run("explore", "--export", str(tmp_path / "site"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "pyodide" / "pyodide.asm.wasm").is_file()


def test_export_without_npm_or_assets_says_what_to_do_in_one_line(tmp_path):
    env = {**os.environ, "PATH": str(Path(COMMAND).parent)}  # the command, and no npm
    done = run("explore", "--export", str(tmp_path / "site"), env=env)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "npm" in done.stderr and "--assets DIR" in done.stderr
    assert not (tmp_path / "site").exists()
    assert list(tmp_path.iterdir()) == []  # nothing half-written beside it either


def test_assets_without_export_is_a_usage_error():
    done = run("explore", "--assets", "somewhere")
    assert done.returncode == 2 and "--assets: goes with --export DIR" in done.stderr


def test_export_refuses_a_folder_that_is_not_a_site_and_runtimes_of_another_version(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    done = run("explore", "--export", str(tmp_path / "notes"), "--assets", str(tmp_path))
    assert done.returncode == 1 and "is not an exported explorer site" in done.stderr
    assert (tmp_path / "notes" / "mine.txt").read_text() == "keep me"
    old = tmp_path / "old" / "pyodide"
    old.mkdir(parents=True)
    (old / "package.json").write_text('{"version": "0.1.0"}')
    done = run("explore", "--export", str(tmp_path / "site"), "--assets", str(tmp_path / "old"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert f"is pyodide 0.1.0; the site is built and tested with {RUNTIMES[0].version}" in done.stderr


# ---- a teacher's files are never the export's to delete --------------------------------


@pytest.fixture(scope="module")
def stand_ins(tmp_path_factory) -> Path:
    """An --assets folder holding the pinned packages unpacked, each file a
    few bytes: enough to export, without npm; no browser can run it."""
    folder = tmp_path_factory.mktemp("stand-ins")
    for runtime in RUNTIMES:
        package = folder / runtime.package
        package.mkdir(parents=True)
        (package / "package.json").write_text(json.dumps({"version": runtime.version}))
        for name in runtime.files:
            (package / name).parent.mkdir(parents=True, exist_ok=True)
            (package / name).write_text("stand-in")
    return folder


def export_to(dest, assets, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([COMMAND, "explore", "--export", str(dest), "--assets", str(assets)],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def refused(done: subprocess.CompletedProcess) -> str:
    """The one line an export that is refused says (exit 1, no traceback)."""
    assert done.returncode == 1 and done.stdout == "", done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    return done.stderr


def test_a_teachers_file_in_an_earlier_export_is_kept_and_named(stand_ins, tmp_path):
    assert export_to("site", stand_ins, tmp_path).returncode == 0
    notes = tmp_path / "site" / "MY_COURSE_NOTES.md"
    notes.write_text("week 3: backprop")
    assert "site holds MY_COURSE_NOTES.md, which is not a file of the explorer's site" in \
        refused(export_to("site", stand_ins, tmp_path))
    assert notes.read_text() == "week 3: backprop"
    assert (tmp_path / "site" / "index.html").is_file()  # the earlier site is still there too
    notes.unlink()
    assert export_to("site", stand_ins, tmp_path).returncode == 0  # and replaced once it is alone


def test_a_re_export_replaces_the_files_its_manifest_lists_and_nothing_else(stand_ins, tmp_path):
    assert export_to("site", stand_ins, tmp_path).returncode == 0
    site = tmp_path / "site"
    listing = json.loads((site / "site.json").read_text())
    listing["files"].append("python/gone.py")  # a file an earlier version of the site had
    (site / "site.json").write_text(json.dumps(listing))
    (site / "python" / "gone.py").write_text("")
    (site / "index.html").write_text("edited")
    assert export_to("site", stand_ins, tmp_path).returncode == 0
    assert not (site / "python" / "gone.py").exists()
    assert '<script src="site.js" defer></script>' in (site / "index.html").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # nothing left beside it


def test_a_folder_that_is_not_an_export_is_refused_whatever_it_holds(stand_ins, tmp_path):
    thesis = tmp_path / "work" / "thesis.tex"
    (tmp_path / "work" / "python").mkdir(parents=True)
    (tmp_path / "work" / "python" / "files.json").write_text("[]")  # looked like an export, once
    thesis.write_text("\\chapter{}")
    assert "work is not an exported explorer site (it holds python and no site.json)" in \
        refused(export_to("work", stand_ins, tmp_path))
    assert thesis.read_text() == "\\chapter{}"
    (tmp_path / "file").write_text("mine")
    assert "file exists and is not a folder" in refused(export_to("file", stand_ins, tmp_path))
    assert (tmp_path / "file").read_text() == "mine"


def test_links_at_the_destination(stand_ins, tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop")
    assert "cannot export to loop: Too many levels of symbolic links" in \
        refused(export_to("loop", stand_ins, tmp_path))
    (tmp_path / "empty").mkdir()
    (tmp_path / "to-empty").symlink_to("empty")
    (tmp_path / "to-site").symlink_to("empty")
    for link in ("to-empty", "to-site"):  # into an empty folder, then over that export
        done = export_to(link, stand_ins, tmp_path)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / link).is_symlink() and (tmp_path / "empty" / "site.json").is_file()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_destination_is_one_line(stand_ins, tmp_path):
    (tmp_path / "locked" / "inner").mkdir(parents=True)
    (tmp_path / "locked" / "inner").chmod(0)
    try:
        assert "cannot read locked: Permission denied" in \
            refused(export_to("locked", stand_ins, tmp_path))
    finally:
        (tmp_path / "locked" / "inner").chmod(0o755)


def test_a_folder_left_by_a_killed_export_is_removed_by_the_next(stand_ins, tmp_path):
    assert export_to("site", stand_ins, tmp_path).returncode == 0
    # What an export killed while writing leaves beside its folder: this
    # version's (locked while it is written, so a running one is left
    # alone) and the versions' before, whose name had no .tmp.
    for leftover in (".site.k1ll3d00.tmp", ".site.k1ll3d01"):
        shutil.copytree(tmp_path / "site", tmp_path / leftover)
    mine = tmp_path / ".site.k1ll3d02"  # named alike, but holding a file of the teacher's
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    assert export_to("site", stand_ins, tmp_path).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.k1ll3d02", "site"]
    assert (mine / "notes.txt").read_text() == "mine"


def test_sigterm_during_an_export_is_one_line_and_leaves_nothing(stand_ins, tmp_path):
    big = tmp_path / "big"  # stand-ins with a large runtime, so that writing takes a while
    shutil.copytree(stand_ins, big)
    (big / "pyodide" / "pyodide.asm.wasm").write_bytes(bytes(100_000_000))
    process = subprocess.Popen([COMMAND, "explore", "--export", "site", "--assets", str(big)],
                               cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while not list(tmp_path.glob(".site.*/site.json")):  # the site is being written
            assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 143 and out == ""
    assert err == "micrograd-scratch: terminated (SIGTERM) while exporting the site to site\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big"]


# ---- the server never runs code from a request ---------------------------------------


def test_the_server_refuses_the_op_editor():
    server = make_server()
    serve_in_thread(server)
    try:
        request = urllib.request.Request(
            server.url + "api/op/define", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"code": "define('tanh', forward=abs, local_grads=abs)"}).encode())
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
        assert "runs no code from a request" in json.load(refused.value)["error"]
        with urllib.request.urlopen(server.url + "api/info", timeout=10) as answer:
            assert "editor" not in json.load(answer)  # the page offers no editor
    finally:
        server.shutdown()
        server.server_close()


# ---- the worker's side, in this Python ------------------------------------------------


def test_the_worker_answers_with_api_py_and_edits_in_place_and_back():
    """browser.answer, which the worker calls: the same JSON as api.py for
    the same request, and the op editor's requests (the ops are put back)."""
    from micrograd_scratch import ops
    from micrograd_scratch.explore import api, browser, op_editor

    def ask(path, body):
        answer = json.loads(browser.answer(path, json.dumps(body)))
        return answer["status"], answer["data"]

    body = {"expression": "tanh(a*b + c) * sigmoid(a)", "values": {"a": 0.5, "b": -1.5, "c": 1},
            "check": True}
    assert ask("/api/expression", body) == (200, json.loads(json.dumps(api.expression(body))))
    status, info = ask("/api/info", {})
    assert status == 200 and info["editor"] is True and info["ops"] == list(ops.OPS)
    status, shown = ask("/api/op/source", {"name": "tanh"})
    assert "lambda out, x: (1 - out * out,)" in shown["source"]
    try:
        broken = shown["source"].replace("forward=math.tanh,", "forward=math.tanh +,")
        status, error = ask("/api/op/define", {"code": broken})
        assert status == 400 and re.fullmatch(r"line 3: SyntaxError: .+", error["error"])
        status, error = ask("/api/op/define", {"code": "define('backward', forward=abs,\n"
                                               "       local_grads=lambda out, x: (1.0,))"})
        assert status == 400 and "a Value already has 'backward'" in error["error"]
        wrong = shown["source"].replace("(1 - out * out,)", "(1 + out * out,)")
        status, applied = ask("/api/op/define", {"code": wrong})
        assert applied["defined"] == ["tanh"] and not applied["checks"][0]["ok"]
        assert not all(i["agrees"] for i in ask("/api/expression", body)[1]["inputs"])
        status, error = ask("/api/op/define", {"code": (
            "define('tanh', kind='activation',\n"
            "    forward=math.tanh, local_grads=lambda out, x: (x + 'a',))")})
        assert status == 200
        status, error = ask("/api/expression", body)  # the engine meets the learner's TypeError
        assert status == 500 and error["error"].startswith("your op: line 2: TypeError: ")
    finally:
        status, back = ask("/api/op/reset", {"name": "tanh"})
    assert status == 200 and back["source"] == shown["source"] and op_editor.edited() == []
    assert all(i["agrees"] for i in ask("/api/expression", body)[1]["inputs"])


# ---- the site in a browser -------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="needs Playwright for Python: pip install playwright")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"needs Debian's chromium at {CHROMIUM}: apt-get install chromium")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def static_server(site):
    """A plain static file server (the standard library's) over the folder
    that holds the site's folder: the site is at /course/explorer/."""
    handler = functools.partial(_Quiet, directory=str(site.parent.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(browser, static_server):
    """One page on the site for the tests below (Pyodide starts once), with
    every request and every JavaScript error recorded; at the end, no
    request went anywhere but the site's origin and no error happened."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1300, "height": 1100})
    pg = context.new_page()
    pg.set_default_timeout(WAIT)
    errors, requests = [], []
    pg.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    pg.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
          if m.type == "error" else None)
    context.on("request", lambda r: requests.append(r.url))  # the workers' requests too
    pg.from_cache = []  # the URLs answered by the site's service worker
    context.on("response", lambda r: pg.from_cache.append(r.url) if r.from_service_worker else None)
    pg.base = static_server + "/course/explorer/"
    started = time.monotonic()
    pg.goto(pg.base)
    expect(pg.locator("[data-testid=graph] g.node").first).to_be_visible(timeout=120_000)
    pg.first_graph_s = time.monotonic() - started  # the first visit: everything downloaded
    yield pg
    context.close()
    assert errors == []
    strangers = [u for u in requests
                 if not u.startswith(static_server + "/") and not u.startswith("data:")]
    assert strangers == [], "requests left the site's origin"
    assert any(u.endswith("/pyodide/pyodide.asm.wasm") for u in requests)


def grad_text(pg, name):
    return pg.locator(f'#inputs tr[data-name="{name}"] .grad')


def python_grads(text: str, values: dict) -> dict:
    """What the package itself gives for the expression at these values."""
    root, inputs = expr.parse_expression(text, values)
    root.backward()
    return {name: styles.fmt(x.grad) for name, x in inputs.items()}


def type_expression(pg, text: str, names: list[str]) -> dict:
    """Type `text` and wait for its graph; the values of its inputs, `names`."""
    from playwright.sync_api import expect

    pg.get_by_test_id("expression").fill(text)
    expect(pg.locator("#expr-output")).not_to_be_empty()
    for name in names:
        expect(pg.get_by_test_id(f"input-{name}")).to_be_visible()
    pg.wait_for_function("t => graph && graph.answer.expression === t", arg=text)
    return {n: float(pg.get_by_test_id(f"input-{n}").input_value()) for n in names}


def node_boxes(pg):
    return pg.evaluate("""() => {
        const boxes = {};
        for (const g of document.querySelectorAll('[data-testid=graph] g.node')) {
            const r = g.querySelector('polygon, ellipse, path').getBoundingClientRect();
            boxes[g.querySelector('title').textContent] = [r.x, r.y, r.width, r.height];
        }
        return boxes;
    }""")


def test_site_gives_the_packages_gradients_and_steps_with_no_node_moving(page):
    from playwright.sync_api import expect

    text = "tanh(a*b + c) * sigmoid(a)"
    values = type_expression(page, text, ["a", "b", "c"])
    for name, grad in python_grads(text, values).items():
        expect(grad_text(page, name)).to_have_text(grad)
    steps = int(page.locator("#step-slider").get_attribute("max"))
    assert steps >= 5
    boxes = node_boxes(page)
    assert len(boxes) >= 12
    # Typed, an expression opens at step 0, where Next works; Prev and
    # Next are disabled at the ends.
    expect(page.get_by_test_id("step-prev")).to_be_disabled()
    for k in range(steps + 1):
        expect(page.locator("#step-counter")).to_have_text(f"step {k} of {steps}")
        assert node_boxes(page) == boxes, f"a node moved at step {k}"
        if k < steps:
            page.get_by_test_id("step-next").click()
    expect(page.get_by_test_id("step-next")).to_be_disabled()
    expect(page.get_by_test_id("step-prev")).to_be_enabled()


def test_site_trains_xor_to_four_of_four(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Train").click()
    page.get_by_test_id("train-play").click()
    expect(page.get_by_test_id("accuracy")).to_have_text("4/4", timeout=120_000)
    page.get_by_test_id("train-pause").click()
    expect(page.get_by_test_id("train-play")).to_be_enabled()
    page.get_by_role("tab", name="Expression").click()


def apply_code(page, code):
    if not page.get_by_test_id("op-editor").evaluate("e => e.open"):  # closed until asked for
        page.get_by_text("Edit an op:").click()
    page.get_by_test_id("op-code").fill(code)
    page.get_by_test_id("op-apply").click()


def test_a_wrong_tanh_backward_is_flagged_and_reset_restores_it(page):
    from playwright.sync_api import expect

    text = "tanh(a*b + c) * sigmoid(a)"
    values = type_expression(page, text, ["a", "b", "c"])
    page.get_by_test_id("expression").click()
    page.get_by_test_id("expression").press("Home")  # the cursor on tanh: its definition
    expect(page.get_by_test_id("op-name")).to_have_value("tanh")
    code = page.get_by_test_id("op-code").input_value()
    assert 'define(\n    "tanh"' in code and "lambda out, x: (1 - out * out,)" in code
    apply_code(page, code.replace("(1 - out * out,)", "(1 + out * out,)"))
    expect(page.get_by_test_id("op-checks")).to_contain_text("tanh: backward DISAGREES with finite")
    right = python_grads(text, values)
    expect(grad_text(page, "b")).not_to_have_text(right["b"])  # the view uses the wrong rule
    # An error: one line, with its line number, and the op unchanged.
    apply_code(page, code.replace("forward=math.tanh,", "forward=math.tanh +,"))
    expect(page.get_by_test_id("op-error")).to_have_text(re.compile(r"^line 3: SyntaxError: .+"))
    page.get_by_test_id("op-reset").click()
    expect(page.get_by_test_id("op-code")).to_have_value(code)
    for name, grad in right.items():
        expect(grad_text(page, name)).to_have_text(grad)
    assert "def=" not in page.evaluate("location.hash")


SOFTSIGN = '''define(
    "softsign", kind="activation",
    forward=lambda x: x / (1 + abs(x)),
    local_grads=lambda out, x: (1 / (1 + abs(x)) ** 2,),
)
'''


def test_softsign_in_an_expression_in_a_network_and_back_from_the_link(page):
    from playwright.sync_api import expect

    apply_code(page, SOFTSIGN)
    expect(page.get_by_test_id("op-checks")).to_contain_text("softsign: backward agrees")
    text = "softsign(a*b) + a"
    values = type_expression(page, text, ["a", "b"])
    a, b = values["a"], values["b"]
    expect(grad_text(page, "b")).to_have_text(styles.fmt(a / (1 + abs(a * b)) ** 2))
    # As a network's activation.
    page.get_by_role("tab", name="Train").click()
    page.locator("#train-activation").select_option("softsign")
    page.get_by_test_id("train-step").click()
    expect(page.locator("#train-steps")).to_have_text("1")
    page.locator("#network g.neuron").first.click()  # its graph: a softsign neuron
    expect(page.get_by_test_id("expression")).to_have_value("softsign(w0*x0 + w1*x1 + b)")
    values = type_expression(page, text, ["a", "b"])  # (b is the neuron's bias now)
    a, b = values["a"], values["b"]
    # The service worker has kept the whole site by now (sw.js), for the next visit.
    kept = page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        const names = await caches.keys();
        const cache = await caches.open(names.find((n) => n.startsWith('micrograd-explorer-')));
        return (await cache.keys()).map((r) => r.url);
    }""")
    assert any(u.endswith("/pyodide/pyodide.asm.wasm") for u in kept)
    assert any(u.endswith("/python/micrograd_scratch/ops.py") for u in kept)
    # The link carries the definition: a fresh page (a fresh Python) has it,
    # and this second visit takes the runtime from the browser's cache.
    link = page.url
    assert "def=" in link
    page.goto("about:blank")
    page.from_cache.clear()
    page.goto(link)
    # The link's code is shown, and runs only when asked: it may be anyone's.
    expect(page.get_by_test_id("op-code")).to_have_value(SOFTSIGN, timeout=120_000)
    expect(page.get_by_test_id("op-checks")).to_be_empty()
    page.get_by_test_id("op-link-run").click()
    expect(page.get_by_test_id("op-link")).to_be_hidden()
    expect(page.get_by_test_id("op-checks")).to_contain_text("softsign: backward agrees")
    expect(grad_text(page, "b")).to_have_text(styles.fmt(a / (1 + abs(a * b)) ** 2))
    assert any(u.endswith("/pyodide/pyodide.asm.wasm") for u in page.from_cache)


def test_on_a_projector_the_first_view_is_the_expression_and_its_graph(page, static_server):
    """At 1280 x 720, on a second visit: the expression and its whole graph
    on the first screen (the op editor closed until asked for), nothing
    fetched from the server but the browser's check for a newer sw.js, and
    the time to the first graph on each visit (printed: the README's figures)."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 720})
    fetched = []  # what the server itself answered, not the service worker
    on_response = lambda r: fetched.append(r.url) if not r.from_service_worker else None  # noqa: E731
    page.context.on("response", on_response)
    try:
        page.goto("about:blank")
        started = time.monotonic()
        page.goto(page.base)
        expect(page.locator("[data-testid=graph] g.node").first).to_be_visible(timeout=120_000)
        second = time.monotonic() - started
        page.wait_for_function("() => graph && graph.svg")
        graph_box = page.locator("[data-testid=graph] svg").bounding_box()
        assert graph_box["y"] + graph_box["height"] <= 720, graph_box  # all of it, no scrolling
        assert page.get_by_test_id("expression").bounding_box()["y"] < graph_box["y"]
        assert page.get_by_test_id("op-editor").evaluate("e => !e.open")
        page.get_by_text("Edit an op:").click()  # it opens on request
        expect(page.get_by_test_id("op-code")).to_be_visible()
        page.get_by_text("Edit an op:").click()
    finally:
        page.context.remove_listener("response", on_response)
        page.set_viewport_size({"width": 1300, "height": 1100})
    site = [u for u in fetched if u.startswith(static_server + "/")]
    assert [u.rsplit("/", 1)[-1] for u in site] in ([], ["sw.js"]), site
    print(f"\nfirst graph: {page.first_graph_s:.1f} s on the first visit, "
          f"{second:.1f} s on a second visit")


def test_the_fd_note_and_the_networks_figures_cover_nothing(page):
    from playwright.sync_api import expect

    type_expression(page, "tanh(a*b + c) * sigmoid(a)", ["a", "b", "c"])
    page.locator("#check").check()
    expect(page.locator("text.fd-note")).to_have_count(3)
    overlaps = page.evaluate("""() => {
        const box = (e) => e.getBoundingClientRect();
        const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        const others = [...document.querySelectorAll(
            '#graph g.node > :is(polygon, ellipse, path), #graph g.cluster text')];
        const found = [];
        for (const note of document.querySelectorAll('#graph text.fd-note')) {
            for (const o of others) {
                if (o.closest('g.node') !== note.closest('g.node') && meet(box(note), box(o)))
                    found.push(note.textContent + ' over ' + o.textContent);
            }
        }
        return found;
    }""")
    assert overlaps == []
    page.locator("#check").uncheck()
    # The network's health under each layer: inside the picture, no line over another.
    page.get_by_role("tab", name="Train").click()
    page.locator("#train-activation").select_option("linear")
    page.get_by_test_id("train-step").click()
    expect(page.locator("#network text.health", has_text="linear: slope 1")).to_have_count(2)
    clipped = page.evaluate("""() => {
        const svg = document.querySelector('#network').getBoundingClientRect();
        const texts = [...document.querySelectorAll('#network text.health')];
        const bad = texts.filter((t) => t.getBoundingClientRect().right > svg.right)
            .map((t) => 'clipped: ' + t.textContent);
        for (const a of texts) for (const b of texts) {
            const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
            if (a !== b && p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom)
                bad.push(a.textContent + ' over ' + b.textContent);
        }
        return bad;
    }""")
    assert clipped == []
    page.locator("#train-activation").select_option("relu")
    page.get_by_role("tab", name="Expression").click()


def test_the_site_opened_from_disk_says_to_serve_it(browser, site):
    from playwright.sync_api import expect

    pg = browser.new_page()
    pg.goto((site / "index.html").as_uri())
    expect(pg.locator("#server-error")).to_have_text(re.compile(
        r"^open this page through a web server \(python -m http.server -d FOLDER.*from disk$"))
    pg.close()


def test_the_servers_page_offers_no_editor(browser):
    from playwright.sync_api import expect

    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot program to draw the server's graphs")
    server = make_server()
    serve_in_thread(server)
    try:
        pg = browser.new_page()
        pg.goto(server.url)
        expect(pg.locator("[data-testid=graph] g.node").first).to_be_visible(timeout=WAIT)
        expect(pg.get_by_test_id("op-editor")).to_be_hidden()
        pg.close()
    finally:
        server.shutdown()
        server.server_close()
