"""Redraw docs/images/explorer.png, the README's picture of the explorer:
`python docs/explorer_png.py` from the checkout, with the package and its
test extras installed, Graphviz's `dot` and Debian's `chromium`.

The local explorer server (`micrograd-scratch explore`) in a thread, and
its page in chromium (Playwright), 1280 px wide: the expression view at the
last step of the chain rule with the finite-difference check on, over the
Train view after 300 steps on two moons (the point tools, the network with
each layer's health under it, the loss). The two are stacked into one PNG.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect, sync_playwright

from micrograd_scratch.explore import make_server, serve_in_thread

OUT = Path(__file__).resolve().parent / "images" / "explorer.png"
WIDTH = 1280  # a projector's width
EXPRESSION = "#mode=expr&e=tanh(a*b%20%2B%20a)%20*%20c&v=a:0.5,b:-1.5,c:2&c=1"
TRAINING = "#mode=train&ds=moons&h=8,8&act=tanh&loss=hinge&lr=0.2&bs=16&seed=0"
STEPS = 300


def main() -> None:
    server = make_server()
    serve_in_thread(server)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page(viewport={"width": WIDTH, "height": 300})
            page.set_default_timeout(120_000)
            page.goto(server.url + EXPRESSION)
            expect(page.locator("text.fd-note")).to_have_count(3)
            top = page.screenshot(full_page=True)
            page.goto(server.url + TRAINING)
            page.reload()  # the hash read afresh, as a link opens
            page.get_by_test_id("train-play").click()
            page.wait_for_function(f"() => Number(document.querySelector('#train-steps')"
                                   f".textContent) >= {STEPS}")
            page.get_by_test_id("train-pause").click()
            expect(page.get_by_test_id("train-play")).to_be_enabled()
            page.wait_for_timeout(500)  # the last picture drawn
            bottom = page.screenshot(full_page=True)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    first, second = (Image.open(io.BytesIO(shot)) for shot in (top, bottom))
    header = 48  # the second picture without the page's header, which the first shows
    second = second.crop((0, header, second.width, second.height))
    both = Image.new("RGB", (WIDTH, first.height + 6 + second.height), "#d9d9d9")
    both.paste(first, (0, 0))
    both.paste(second, (0, first.height + 6))
    both.save(OUT, optimize=True)
    print(f"wrote {OUT} ({both.width} x {both.height})")


if __name__ == "__main__":
    main()
