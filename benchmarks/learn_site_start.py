"""Time to the first checkable exercise of the static site's Learn view,
on a first visit (an empty browser profile) and the visits after (the same
profile: the service worker's cache), as the README reports it.

    micrograd-scratch explore --export /tmp/served/course/site
    python benchmarks/learn_site_start.py /tmp/served

The folder given is served by the standard library's static server; the
site is its course/site/ subfolder. Each visit opens …/#learn=1 in Debian's
chromium at 1280x720 and reads body[data-learn-ready], which learn.js sets
to the seconds since the page was asked for, once Check can run."""

from __future__ import annotations

import functools
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import sync_playwright


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def main(folder: str, visits: int = 3) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/course/site/#learn=1"
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        for visit in range(1, visits + 1):
            context = p.chromium.launch_persistent_context(
                profile, executable_path="/usr/bin/chromium", viewport={"width": 1280, "height": 720})
            page = context.pages[0] if context.pages else context.new_page()
            fetched = []  # answers that did not come from the service worker's cache
            context.on("response", lambda r: None if r.from_service_worker else fetched.append(r.url))
            page.goto(url)
            page.wait_for_selector("body[data-learn-ready]", state="attached", timeout=180_000)
            seconds = page.evaluate("document.body.dataset.learnReady")
            print(f"visit {visit}: checkable after {seconds} s; {len(fetched)} files from the server")
            page.wait_for_timeout(3000)  # the service worker finishes keeping the site
            context.close()
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1])
