"""The talk's page in chromium, served by a plain static server: every
slide is reached by the arrow keys and by its URL, a click moves on,
nothing runs into a JavaScript error, and the page asks the server for
nothing but itself. Screenshots at 1280x720 and 1920x1080 are left in
the test's folder, to look at."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from browser import browser, watched_page  # noqa: F401 (a fixture); skips without chromium

from micrograd_scratch import talk

SIZES = [(1280, 720), (1920, 1080)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The whole deck and a teacher's slide, served by `python -m http.server`."""
    folder = tmp_path_factory.mktemp("talk")
    added = talk.teacher_slides("---\nafter: 5\n---\n# A question\n- which ε would you pick?\n")
    slides = talk.deck(0, talk.select(list(talk.TALK_SLIDES), added))
    talk.write_html(slides, folder)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1",
                               "-d", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/index.html"
        for _ in range(100):  # until it answers
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url, len(slides), folder
    finally:
        server.terminate()
        server.wait(timeout=10)


def shown(pg) -> list[int]:
    """The numbers (from 1) of the slides on screen."""
    return pg.evaluate("""Array.from(document.querySelectorAll('.slide'))
        .map((s, k) => getComputedStyle(s).display !== 'none' ? k + 1 : 0).filter(k => k)""")


@pytest.mark.parametrize("width, height", SIZES)
def test_every_slide_by_the_arrow_keys_and_by_its_url(browser, site, width, height):  # noqa: F811
    url, count, folder = site
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = watched_page(context)
    asked = []
    pg.on("request", lambda request: asked.append(request.url))
    pg.goto(url)
    for k in range(1, count + 1):
        assert shown(pg) == [k] and pg.evaluate("location.hash") == f"#{k}"
        pg.screenshot(path=str(folder / f"{width}x{height}-{k:02d}.png"))
        pg.keyboard.press("ArrowRight")
    assert shown(pg) == [count]  # the last stays
    pg.keyboard.press("ArrowLeft")
    assert shown(pg) == [count - 1]
    pg.mouse.click(width * 0.8, height / 2)  # a click on the right: on
    assert shown(pg) == [count]
    pg.mouse.click(width * 0.1, height / 2)  # on the left third: back
    assert shown(pg) == [count - 1]
    for k in (count, 1, 7):  # a link to a slide opens it
        pg.goto(f"{url}#{k}")
        pg.reload()
        assert shown(pg) == [k]
    assert set(asked) == {url}, "the page asked for something besides itself"
    context.close()
    assert pg.errors == []


def test_each_slide_fits_its_16_9_box(browser, site):  # noqa: F811
    url, count, _ = site
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = watched_page(context)
    pg.goto(url)
    for k in range(1, count + 1):
        pg.goto(f"{url}#{k}")
        # Nothing of a slide's text, table or figure runs into its caption,
        # no text or table past its column, nor the caption past the slide's bottom.
        over = pg.evaluate("""() => {
            const slide = document.querySelector('.slide.current');
            const caption = slide.querySelector('.caption').getBoundingClientRect();
            const late = Array.from(slide.querySelectorAll('.body *'))
                .filter(e => e.getBoundingClientRect().bottom > caption.top + 1).map(e => e.tagName);
            const text = slide.querySelector('.text').getBoundingClientRect();
            const wide = Array.from(slide.querySelectorAll('.text *'))
                .filter(e => e.getBoundingClientRect().right > text.right + 1).map(e => e.tagName);
            return caption.bottom > slide.getBoundingClientRect().bottom + 1
                ? [...late, ...wide, 'caption'] : [...late, ...wide];
        }""")
        assert over == [], f"slide {k}: {over}"
    context.close()
    assert pg.errors == []
