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
- it bounds what a request may ask: the body (MAX_BODY bytes), its JSON's
  nesting (MAX_JSON_DEPTH), every field's type and range, the expression
  (the parser's limits, the graph's nodes), the network (the command
  line's caps, and the work of training it: training.py) and the steps per
  request;
- it bounds how long a request may take to arrive, headers and body
  together (REQUEST_SECONDS, however slowly it drips in), how many
  connections are open at once (MAX_CONNECTIONS; one more is answered 503
  and closed), and stops training for a page that has gone;
- it runs nothing a request sends as code (expressions go through expr.py's
  whitelist parser; the op editor's requests, /api/op/..., are refused:
  only the static site runs a learner's code, in their own browser), and
  serves only its own three files;
- a bad request is a 4xx JSON error of one line, never a traceback, and
  a Graphviz that is broken here a 503 of one line; a client that goes
  away is not an error and prints nothing (one that only stops sending,
  SHUT_WR, still gets its answer); a bug in one request is that
  request's one-line 500, and the server goes on.

Sources: the `http.server` documentation; pydoc's `-b` server; the OWASP
notes on DNS rebinding and cross-site request forgery.
"""

from __future__ import annotations

import io
import ipaddress
import json
import re
import select
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import urlsplit

from . import api

__all__ = ["ExplorerServer", "make_server", "MAX_BODY", "LOOPBACK_NAMES"]

MAX_BODY = 64 * 1024  # bytes of JSON one request may send
MAX_JSON_DEPTH = 20  # nesting of [ and { in it (the page sends 3)
REQUEST_SECONDS = 10.0  # for a request to arrive whole, headers and body
SEND_SECONDS = 10.0  # for the answer to be taken
MAX_CONNECTIONS = 32  # open at once (a browser opens about 6)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

# The page's files: only these names are ever read from disk.
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/explore.css": ("explore.css", "text/css; charset=utf-8"),
    "/explore.js": ("explore.js", "text/javascript; charset=utf-8"),
}

# The op editor's requests (/api/op/...) carry code to run: only the static
# site answers them, in the learner's own browser (browser.py). This server
# runs no code from a request, and says so.
EDITOR_PATH = "/api/op/"
EDITOR_REFUSED = ("this server runs no code from a request: the op editor is part of the "
                  "static site (micrograd-scratch explore --export DIR), where it runs in "
                  "your own browser")

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
    """The HTTP server with the state the API keeps (the training sessions),
    at most MAX_CONNECTIONS connections at a time."""

    daemon_threads = True  # Ctrl-C does not wait for an open connection

    def __init__(self, address, handler):
        super().__init__(address, handler)
        self.sessions = api.Sessions()
        self.quiet = True
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request, client_address):
        """A thread for the connection, if one of MAX_CONNECTIONS is free;
        else a 503 and the connection closed, at once."""
        if not self.slots.acquire(blocking=False):
            _busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request, client_address):
        """socketserver prints a traceback here; a client that went away or
        stopped sending is no error, and anything else is one line."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        line = f"{type(error).__name__}: {error}"[:300]
        print(f"micrograd-scratch explore: internal error ({line})", file=sys.stderr)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"


def _busy(request: socket.socket) -> None:
    """Answer 503 on a connection there is no room for, without reading it."""
    body = json.dumps({"error": f"the explorer has {MAX_CONNECTIONS} connections open; "
                                "try again in a moment"}).encode("utf-8")
    head = (f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("ascii")
    try:
        request.settimeout(1.0)
        request.sendall(head + body)
    except OSError:
        pass  # it went away first


def _loopback_host(header: str | None) -> bool:
    """True for a Host header naming this machine: localhost, 127.x.x.x,
    [::1], with or without a port."""
    if not header:
        return False
    try:
        host = urlsplit("//" + header).hostname  # strips the port and [ ] of IPv6
    except ValueError:  # "[" and other things no URL can hold
        return False
    if host is None:
        return False
    if host in ("localhost",) or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _json_body(raw: bytes):
    """The JSON document in raw, or Refused saying why there is none: not
    UTF-8, nested deeper than MAX_JSON_DEPTH (json's own recursion would
    fail at some thousand levels, as an error of the server), NaN or
    Infinity (no JSON has them), or not JSON at all."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(HTTPStatus.BAD_REQUEST, "the request body is not UTF-8 text") from None
    depth = 0
    brackets = re.sub(r'"(?:[^"\\]|\\.)*"', "", text)  # strings may hold any bracket
    for bracket in re.findall(r"[\[\]{}]", brackets):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise Refused(HTTPStatus.BAD_REQUEST,
                          f"the request body nests deeper than {MAX_JSON_DEPTH} levels")

    def refuse(constant: str):
        raise ValueError(f"{constant} is not a number JSON allows")

    try:
        return json.loads(text, parse_constant=refuse)
    except ValueError as error:  # JSONDecodeError, NaN, an integer of over 4300 digits
        reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        raise Refused(HTTPStatus.BAD_REQUEST,
                      f"the request body is not valid JSON ({reason[:100]})") from None


class _DeadlineReader(io.RawIOBase):
    """The connection's incoming bytes, read against the handler's deadline:
    each read waits only for the time left, so a request that drips in a
    byte at a time cannot hold its connection past REQUEST_SECONDS."""

    def __init__(self, handler: "Handler"):
        self.handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.handler.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the request did not arrive within {REQUEST_SECONDS:g} s")
        self.handler.connection.settimeout(left)
        return self.handler.connection.recv_into(buffer)


class Handler(BaseHTTPRequestHandler):
    server: ExplorerServer
    server_version = "micrograd-explore"
    protocol_version = "HTTP/1.0"  # one request a connection: each gets its own deadline

    def setup(self):
        super().setup()
        self.deadline = time.monotonic() + REQUEST_SECONDS
        self.rfile = io.BufferedReader(_DeadlineReader(self))
        self.probed = False  # whether _client_gone has sent its "100 Continue"
        self.left = False  # whether _client_gone has seen the client go

    def send_error(self, code, message=None, explain=None):
        """http.server's own errors (a request line it cannot parse, headers
        too long) as JSON, like every other answer. A request it could not
        parse, or a method it does not know, is the client's error: 400 or
        405, not 5xx."""
        self.close_connection = True
        self.request_version = self.protocol_version  # with a status line even for "HTTP/0.9"
        code = HTTPStatus(code)
        if code == HTTPStatus.NOT_IMPLEMENTED:
            code, message = HTTPStatus.METHOD_NOT_ALLOWED, "this method is not supported here"
        elif code >= 500:
            code = HTTPStatus.BAD_REQUEST
        try:
            self._json(code, {"error": (message or code.phrase)[:200]})
        except OSError:
            pass  # the client has gone

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
        if path.startswith(EDITOR_PATH):
            raise Refused(HTTPStatus.FORBIDDEN, EDITOR_REFUSED)
        route = api.ROUTES.get(path)
        if route is None:
            raise Refused(HTTPStatus.NOT_FOUND, f"nothing at {path[:100]!r}")
        self._same_origin()
        body = self._body()
        try:
            answer = route(self.server.sessions, body, self._client_gone)
        except api.ApiError as error:
            raise Refused(HTTPStatus(error.status), str(error)) from None
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
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the page went away, or stopped sending: no answer
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

    def _client_gone(self) -> bool:
        """True once the page that sent this request has closed its end.

        The end of what it sends (readable, nothing to read) is not enough:
        a client may shut down only its sending half (SHUT_WR) and still
        wait for the answer. So an HTTP/1.1 client that has stopped sending
        is sent an interim "100 Continue", which HTTP clients read past and
        a closed socket answers with a reset, which the socket then holds
        as its error (an HTTP/1.0 client may not be sent one: its end is
        taken as gone)."""
        if self.left:
            return True
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":  # it stopped sending
                if self.request_version != "HTTP/1.1":
                    self.left = True
                elif not self.probed:
                    self.probed = True
                    self.connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                else:
                    self.left = self.connection.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0
        except (OSError, ValueError):  # a socket reset, or closed here
            self.left = True
        return self.left

    def _body(self) -> dict:
        length = self.headers.get("Content-Length")
        if length is None or not re.fullmatch(r"[0-9]{1,12}", length):  # (not "²", which isdigit)
            raise Refused(HTTPStatus.LENGTH_REQUIRED,
                          "a request body needs a Content-Length of digits 0-9")
        if int(length) > MAX_BODY:
            self.close_connection = True  # the unread body must not be taken for a request
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                          f"the request body is {length} bytes; at most {MAX_BODY} are accepted")
        try:
            raw = self.rfile.read(int(length))
        except TimeoutError:
            self.close_connection = True
            raise Refused(HTTPStatus.REQUEST_TIMEOUT,
                          f"the request body did not arrive within {REQUEST_SECONDS:g} s") from None
        if len(raw) < int(length):  # the client closed its end early
            raise ConnectionResetError("the request body stopped short")
        body = _json_body(raw)
        if not isinstance(body, dict):
            raise Refused(HTTPStatus.BAD_REQUEST, "the request body must be a JSON object")
        return body

    # ---- answering ------------------------------------------------------------

    def _json(self, status: HTTPStatus, data: dict):
        payload = json.dumps(data, allow_nan=False, separators=(",", ":")).encode("utf-8")
        self._send(status, payload, "application/json")

    def _send(self, status: HTTPStatus, data: bytes, content_type: str):
        self.connection.settimeout(SEND_SECONDS)  # (the reads left it at their deadline)
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
