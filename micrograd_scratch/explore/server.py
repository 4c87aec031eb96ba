"""The explorer's web server: the page's three files and a small JSON API.

The standard library's threaded HTTP server, as `pydoc -b` uses, so the
explorer needs nothing that the package does not already. It serves:

    GET  /                     the page (static/index.html, explore.css, explore.js)
    GET  /api/info             what the page offers (api.info)
    POST /api/expression       an expression's graph and backward steps
    POST /api/train/new        a new training session
    POST /api/train/step       a few SGD steps of it, and what to draw
    POST /api/train/neuron     one of its neurons as an expression

Security, for a server that anything on the same machine, and any web page
open in the browser, can send requests to:
- it listens on 127.0.0.1 only (by default);
- it answers only requests whose Host header is a loopback name, so a web
  page cannot reach it through a DNS name that resolves to 127.0.0.1
  (DNS rebinding);
- it accepts a POST only as JSON (a content type that a cross-origin page
  cannot send without the browser asking first, and the server never says
  yes), and refuses one whose Origin or Sec-Fetch-Site says it came from
  another site;
- it bounds what a request may ask: the body (MAX_BODY bytes), the
  expression (the parser's limits), the network (the command line's caps)
  and the training steps per request;
- it runs nothing a request sends as code (expressions go through expr.py's
  whitelist parser), and serves only its own three files;
- an error in one request is that request's JSON error; the server goes on.

Sources: the `http.server` documentation; pydoc's `-b` server; the OWASP
notes on DNS rebinding and cross-site request forgery.
"""

from __future__ import annotations

import ipaddress
import json
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import urlsplit

from . import api

__all__ = ["ExplorerServer", "make_server", "MAX_BODY", "LOOPBACK_NAMES"]

MAX_BODY = 64 * 1024  # bytes of JSON one request may send
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

# The page's files: only these names are ever read from disk.
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/explore.css": ("explore.css", "text/css; charset=utf-8"),
    "/explore.js": ("explore.js", "text/javascript; charset=utf-8"),
}

# The page needs nothing from anywhere else; the graphs are inline SVG and
# the pictures are canvases.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Refused(Exception):
    """A request answered with an error status and a one-line JSON message."""

    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


class ExplorerServer(ThreadingHTTPServer):
    """The HTTP server with the state the API keeps: the training sessions."""

    daemon_threads = True  # Ctrl-C does not wait for an open connection

    def __init__(self, address, handler):
        super().__init__(address, handler)
        self.sessions = api.Sessions()
        self.quiet = True

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"


def _loopback_host(header: str | None) -> bool:
    """True for a Host header naming this machine: localhost, 127.x.x.x,
    [::1], with or without a port."""
    if not header:
        return False
    host = urlsplit("//" + header).hostname  # strips the port and [ ] of IPv6
    if host is None:
        return False
    if host in ("localhost",) or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Handler(BaseHTTPRequestHandler):
    server: ExplorerServer
    server_version = "micrograd-explore"
    timeout = 30  # seconds a connection may sit idle mid-request

    ROUTES = {
        "/api/expression": lambda server, body: api.expression(body),
        "/api/train/new": lambda server, body: server.sessions.new(body),
        "/api/train/step": lambda server, body: server.sessions.step(body),
        "/api/train/neuron": lambda server, body: server.sessions.neuron(body),
    }

    # ---- the two methods --------------------------------------------------

    def do_GET(self):
        self._answer(self._get)

    def do_POST(self):
        self._answer(self._post)

    def do_PUT(self):
        self._answer(self._not_allowed)

    do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_PUT

    def _not_allowed(self):
        raise Refused(HTTPStatus.METHOD_NOT_ALLOWED, f"{self.command} is not supported here")

    def _get(self):
        path = urlsplit(self.path).path
        if path == "/api/info":
            return self._json(HTTPStatus.OK, api.info())
        if path not in STATIC:
            raise Refused(HTTPStatus.NOT_FOUND, f"nothing at {path[:100]!r}")
        name, content_type = STATIC[path]
        data = resources.files(__package__).joinpath("static", name).read_bytes()
        self._send(HTTPStatus.OK, data, content_type)

    def _post(self):
        path = urlsplit(self.path).path
        route = self.ROUTES.get(path)
        if route is None:
            raise Refused(HTTPStatus.NOT_FOUND, f"nothing at {path[:100]!r}")
        self._same_origin()
        body = self._body()
        try:
            answer = route(self.server, body)
        except api.ApiError as error:
            raise Refused(HTTPStatus.BAD_REQUEST, str(error)) from None
        self._json(HTTPStatus.OK, answer)

    # ---- the checks ---------------------------------------------------------

    def _answer(self, work):
        """Run one request's work; every failure becomes a JSON error."""
        try:
            if not _loopback_host(self.headers.get("Host")):
                raise Refused(HTTPStatus.FORBIDDEN,
                              "this server answers only to localhost (the Host header named another)")
            work()
        except Refused as refused:
            self._json(refused.status, {"error": str(refused)})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away: nothing to answer
        except Exception as error:  # a bug: say so in one line, and keep serving
            line = f"internal error ({type(error).__name__}): {error}"[:300]
            print(f"micrograd-scratch explore: {self.command} {self.path[:100]}: {line}", file=sys.stderr)
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": line})

    def _same_origin(self):
        """Refuse a write that another site's page sent."""
        host = self.headers.get("Host", "")
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{host}":
            raise Refused(HTTPStatus.FORBIDDEN, "cross-origin requests are refused")
        site = self.headers.get("Sec-Fetch-Site")
        if site is not None and site not in ("same-origin", "none"):
            raise Refused(HTTPStatus.FORBIDDEN, "cross-site requests are refused")
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the request body as application/json")

    def _body(self) -> dict:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "a request body needs a Content-Length")
        if int(length) > MAX_BODY:
            self.close_connection = True  # the unread body must not be taken for a request
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                          f"the request body is {length} bytes; at most {MAX_BODY} are accepted")
        raw = self.rfile.read(int(length))
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Refused(HTTPStatus.BAD_REQUEST, "the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise Refused(HTTPStatus.BAD_REQUEST, "the request body must be a JSON object")
        return body

    # ---- answering ------------------------------------------------------------

    def _json(self, status: HTTPStatus, data: dict):
        payload = json.dumps(data, allow_nan=False, separators=(",", ":")).encode("utf-8")
        self._send(status, payload, "application/json")

    def _send(self, status: HTTPStatus, data: bytes, content_type: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format, *args):
        if not self.server.quiet:
            super().log_message(format, *args)


def make_server(host: str = "127.0.0.1", port: int = 0) -> ExplorerServer:
    """The explorer's server, bound but not yet serving (port 0 picks a
    free port; the URL is `server.url`). Serve with `serve_forever()`,
    in a thread for tests."""
    return ExplorerServer((host, port), Handler)


def serve_in_thread(server: ExplorerServer) -> threading.Thread:
    """Serve in a daemon thread (tests, notebooks); stop with server.shutdown()."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
