"""The live backprop explorer: `micrograd-scratch explore`.

A local web page that makes the engine and the renderer interactive:

- Expression: type an expression (the `draw` command's safe syntax), move
  each input with a slider or type its value, mark inputs as parameters;
  the graph redraws with data and grad on every node.
- Backward, one step at a time: Next/Prev, a slider or the arrow keys run
  the chain rule node by node on a graph laid out once (no node moves),
  each updated edge labelled `upstream × local = term`, and an input that
  receives a second term shows the sum.
- Check: each input's gradient beside its central finite difference.
- Train: a network learns xor, noisy-xor, moons or blobs in the engine,
  a few steps per request, with a live loss curve, the decision boundary,
  a TensorFlow-Playground-like view of the network, and a click on a
  neuron opening its graph for the current example in the expression view.
- The URL's hash holds the whole state: a link reopens the same view.

Files: server.py (HTTP, the security checks), api.py (the JSON answers),
training.py (a network trained a few steps at a time), static/ (the page:
plain HTML, CSS and JavaScript, no build step, nothing fetched from the web).

The same page as a static site (`explore --export DIR`, static_site.py):
the page's requests go to a Web Worker (static/site.js, static/worker.js)
that runs this package in Pyodide and answers them with the same api.py
(browser.py); there, and only there, an op editor runs the learner's own
`define(...)` in their own browser (op_editor.py), and the Learn view
(static/learn.js, …/#learn=4) runs `micrograd-scratch learn`'s exercises
and checker in two workers (course.py).

Sources: TensorFlow Playground (the network view, the state in the URL);
Karpathy's micrograd and its stepped graph page (the backward view);
`pydoc -b` (a local server from the standard library).
"""

from __future__ import annotations

import sys
import webbrowser

from .server import ExplorerServer, make_server, serve_in_thread

__all__ = ["serve", "make_server", "serve_in_thread", "ExplorerServer", "DEFAULT_PORT"]

DEFAULT_PORT = 8421


def serve(port: int = DEFAULT_PORT, *, open_browser: bool = True, host: str = "127.0.0.1") -> int:
    """Serve the explorer until Ctrl-C; print its URL and open it in the
    browser unless `open_browser` is false. Returns 0 (stopped by Ctrl-C)."""
    try:
        server = make_server(host, port)
    except OSError as error:
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror or error} "
                      f"(pass --port N for another port, or --port 0 for any free one)") from None
    print(f"the explorer is at {server.url}  (Ctrl-C stops it)", flush=True)
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nexplorer stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
