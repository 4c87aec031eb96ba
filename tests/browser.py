"""What the explorer's browser tests share: Playwright for Python driving
Debian's chromium (Playwright's own browser download is not reachable
here, so it is launched by path), a local explorer server, and a page that
fails its test on any JavaScript error.

A test module imports the fixtures it uses (`from browser import browser,
page, server`): importing this module skips the test module, with the
reason, where Playwright or chromium is missing."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
WAIT = 60_000  # ms: generous, for a busy two-core machine
# Chromium logs every 4xx answer; a 400 is the API refusing a bad request,
# which the page shows as it should. Anything else logged as an error fails.
REFUSED = "the server responded with a status of 400 (Bad Request)"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="needs Playwright for Python: pip install playwright")
if not os.path.exists(CHROMIUM):
    pytest.skip(f"needs Debian's chromium at {CHROMIUM}: apt-get install chromium",
                allow_module_level=True)

expect = playwright_api.expect
expect.set_options(timeout=WAIT)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server():
    """The explorer's local server, in a thread."""
    from micrograd_scratch.explore import make_server, serve_in_thread

    s = make_server()
    serve_in_thread(s)
    yield s
    s.shutdown()
    s.server_close()


def watched_page(context, refused: str | None = REFUSED):
    """A new page of `context` whose JavaScript errors (other than the
    refusals the page shows) collect in `page.errors`."""
    pg = context.new_page()
    pg.set_default_timeout(WAIT)
    pg.errors = []
    pg.on("pageerror", lambda error: pg.errors.append(f"page error: {error}"))
    pg.on("console", lambda m: pg.errors.append(f"console {m.type}: {m.text}")
          if m.type == "error" and not (refused and m.text.endswith(refused)) else None)
    return pg


@pytest.fixture
def page(browser, server):
    """A fresh page on the local explorer; at the end, no JavaScript errors."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    pg = watched_page(context)
    pg.base = server.url
    yield pg
    context.close()
    assert pg.errors == []
