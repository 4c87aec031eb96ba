"""The explorer's server under hostile requests, sent byte by byte on raw
sockets: every answer is a 200 or a 4xx with a one-line JSON error, the
server answers a good request afterwards, and nothing reaches stderr but
one-line messages, never a traceback. Then the slow and the many: a body
that drips in or stops, more connections than the cap, clients that leave
before their answer."""

from __future__ import annotations

import json
import random
import select
import socket
import time

import pytest

from micrograd_scratch.explore import make_server, serve_in_thread, server as explore_server
from micrograd_scratch.explore.training import MAX_STEPS

PATHS = ["/api/expression", "/api/train/new", "/api/train/step", "/api/train/neuron", "/api/info", "/"]


@pytest.fixture(scope="module")
def server():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(explore_server, "REQUEST_SECONDS", 1.0)  # the slow tests wait for it
        s = make_server()
        serve_in_thread(s)
        yield s
        s.shutdown()
        s.server_close()


def host(server) -> str:
    return f"127.0.0.1:{server.server_address[1]}"


def connect(server) -> socket.socket:
    return socket.create_connection(server.server_address[:2], timeout=30)


def request(method: str, path: str, body: bytes | None, *, server, headers=None) -> bytes:
    """The bytes of one request, with a Host, a JSON content type and a
    Content-Length unless `headers` says otherwise (a None value leaves a
    header out)."""
    sent = {"Host": host(server), "Content-Type": "application/json"}
    if body is not None:
        sent["Content-Length"] = str(len(body))
    sent.update(headers or {})
    lines = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in sent.items() if v is not None]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    return head + (body or b"")


def exchange(server, data: bytes) -> tuple[int, dict | str]:
    """Send raw bytes, read the whole answer: (status, JSON or text); status
    0 when the server closed without answering."""
    with connect(server) as conn:
        try:
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
        except OSError:  # the server answered and closed before reading it all
            pass
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    # A client that has stopped sending is sent "100 Continue" before its
    # answer, if it works long enough to be asked whether it is still there:
    # an interim answer, which HTTP clients read past.
    while answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"):
        answer = answer.partition(b"\r\n\r\n")[2]
    if not answer:
        return 0, ""
    head, _, payload = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    kind = next((line for line in head.split(b"\r\n") if line.lower().startswith(b"content-type")), b"")
    if b"application/json" in kind and payload:  # (a HEAD has none)
        return status, json.loads(payload)
    return status, payload.decode("utf-8", "replace")


def assert_answered_well(status, answer, what):
    assert status == 200 or 400 <= status < 500, (what, status, answer)
    if status != 200:
        assert isinstance(answer, dict) and set(answer) == {"error"}, (what, answer)
        assert "\n" not in answer["error"] and "Traceback" not in answer["error"], what


def assert_still_serving(server):
    body = json.dumps({"expression": "x * 2", "values": {"x": 3}}).encode()
    status, answer = exchange(server, request("POST", "/api/expression", body, server=server))
    assert status == 200 and answer["output"] == "6"


def assert_no_traceback(capfd):
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error:" not in err.replace("internal error", ""), err
    return err


# ---- the cases that gave a 500 or a traceback --------------------------------------

SETTINGS_FIELDS = ["seed", "batch_size", "decay_steps", "lr", "lr_end"]
BAD_NUMBERS = [b"NaN", b"Infinity", b"-Infinity", b"1e309", b"-1e309", b"1" + b"0" * 400]


def known_cases(server, session_id: str) -> list[tuple[str, bytes]]:
    cases = []
    for field in SETTINGS_FIELDS:
        for number in BAD_NUMBERS:
            body = b'{"dataset": "xor", "%s": %s}' % (field.encode(), number)
            cases.append((f"{field}={number[:10]!r}", request("POST", "/api/train/new", body, server=server)))
    for field in ("dataset", "loss", "activation"):
        for value in (b'["xor"]', b'{"a": 1}', b"3", b"true"):
            body = b'{"%s": %s}' % (field.encode(), value)
            cases.append((f"{field} as {value!r}", request("POST", "/api/train/new", body, server=server)))
    for number in BAD_NUMBERS:
        body = b'{"expression": "x*2", "values": {"x": %s}}' % number
        cases.append((f"values.x={number[:10]!r}", request("POST", "/api/expression", body, server=server)))
    body = b'{"id": "%s", "steps": %s}'
    for steps in (b"NaN", b"1e309", b"10" + b"0" * 400, b"[]", b'"5"', b"true", b"-1", b"501"):
        cases.append((f"steps={steps[:10]!r}", request("POST", "/api/train/step",
                                                       body % (session_id.encode(), steps), server=server)))
    cases += [
        ("60,000 [", request("POST", "/api/expression", b"[" * 60_000, server=server)),
        ("60,000 { in a field", request("POST", "/api/train/new", b'{"a": ' + b'{"a": ' * 5000, server=server)),
        ("Content-Length: \u00b2", request("POST", "/api/expression", b"{}", server=server,
                                           headers={"Content-Length": "\u00b2"})),
        ("Content-Length: -1", request("POST", "/api/expression", b"{}", server=server,
                                       headers={"Content-Length": "-1"})),
        ("Host: [", request("GET", "/api/info", None, server=server, headers={"Host": "["})),
        ("Host: [::1", request("GET", "/api/info", None, server=server, headers={"Host": "[::1"})),
        ("no Host", request("GET", "/api/info", None, server=server, headers={"Host": None})),
        ("a method it does not know", request("BREW", "/", None, server=server)),
        ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: " + host(server).encode() + b"\r\n\r\n"),
        ("a request line of junk", b"\x00\xff\xfe junk\r\n\r\n"),
        ("a path of 70,000 bytes", b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n"),
        ("a header of 70,000 bytes", b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n"),
        ("200 headers", b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n"),
        ("not UTF-8", request("POST", "/api/expression", b'{"expression": "\xff"}', server=server)),
        ("a body short of its length", request("POST", "/api/expression", b"{}", server=server,
                                               headers={"Content-Length": "10"})),
        ("neuron with floats", request("POST", "/api/train/neuron",
                                       b'{"id": "%s", "layer": 0.5, "neuron": 0, "example": 0}'
                                       % session_id.encode(), server=server)),
        ("neuron 10**400", request("POST", "/api/train/neuron",
                                   b'{"id": "%s", "layer": 1%s, "neuron": 0, "example": 0}'
                                   % (session_id.encode(), b"0" * 400), server=server)),
        ("pictures as a list", request("POST", "/api/train/step",
                                       b'{"id": "%s", "steps": 1, "pictures": []}' % session_id.encode(),
                                       server=server)),
    ]
    return cases


def new_session(server) -> str:
    status, answer = exchange(server, request("POST", "/api/train/new", b'{"dataset": "xor"}', server=server))
    assert status == 200
    return answer["id"]


def test_each_request_that_gave_a_500_is_a_400_with_one_line(server, capfd):
    key = new_session(server)
    for what, data in known_cases(server, key):
        status, answer = exchange(server, data)
        # A body that stops short gets no answer: its client has gone.
        if what != "a body short of its length":
            assert_answered_well(status, answer, what)
            assert status != 200 or what.startswith(("Host: [::1",)), (what, answer)
    assert_still_serving(server)
    assert_no_traceback(capfd)


# ---- a few hundred generated ones ----------------------------------------------------

VALUES = [None, True, False, 0, -1, 1, 2, 3, 0.5, -0.0, 1e-300, 1e300, 2**53, -(2**63), "", "x", "xor",
          "relu", "mse", "16", "0.1", "\u00b2", "\x00", "a" * 2000, [], [1], [16, 16], [0], [1025],
          [True], ["16"], [[1]], {}, {"x": 1}, {"x": "y"}]
RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", "1" + "0" * 400, "-0", "1e-400"]
FIELDS = ["expression", "values", "params", "check", "dataset", "hidden", "activation", "loss", "lr",
          "lr_end", "decay_steps", "batch_size", "seed", "id", "steps", "pictures", "layer", "neuron",
          "example", "__proto__", ""]
SNIPPETS = ["x", "*", "+", "(", ")", "**", "2", "1e308", "relu(", "tanh(", "log(", "exp(", "-", "/", "0",
            ",", " ", "a", "__import__", "'", "\\", "x.y", "[", "1e9999"]


def generated_body(rng: random.Random, key: str) -> bytes:
    fields = {}
    for name in rng.sample(FIELDS, rng.randint(0, 6)):
        if name == "expression" and rng.random() < 0.7:
            fields[name] = json.dumps("".join(rng.choice(SNIPPETS) for _ in range(rng.randint(1, 12))))
        elif name == "id" and rng.random() < 0.7:
            fields[name] = json.dumps(key)
        elif name == "hidden" and rng.random() < 0.3:
            fields[name] = json.dumps([rng.randint(-2, 8) for _ in range(rng.randint(0, 3))])
        elif name == "steps" and rng.random() < 0.5:
            fields[name] = str(rng.choice([0, 1, 3, MAX_STEPS + 1, -5]))
        elif name == "values" and rng.random() < 0.5:
            fields[name] = "{" + ", ".join(f'"{n}": {rng.choice(RAW_NUMBERS + ["1", "-2.5"])}'
                                           for n in rng.sample("xyab", 2)) + "}"
        elif rng.random() < 0.2:
            fields[name] = rng.choice(RAW_NUMBERS)
        else:
            fields[name] = json.dumps(rng.choice(VALUES))
    text = "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}"
    if rng.random() < 0.1:  # cut short, or a stray byte
        text = text[: rng.randint(0, len(text))] if rng.random() < 0.5 else text + rng.choice("]}\x00,")
    return text.encode("utf-8")


def test_a_few_hundred_generated_requests_get_a_200_or_a_one_line_4xx(server, capfd):
    rng = random.Random(16)
    key = new_session(server)
    for i in range(300):
        path = rng.choice(PATHS[:4]) if rng.random() < 0.9 else rng.choice(PATHS)
        method = "POST" if rng.random() < 0.9 else rng.choice(["GET", "PUT", "OPTIONS", "HEAD"])
        body = generated_body(rng, key)
        headers = {}
        if rng.random() < 0.1:
            headers["Content-Type"] = rng.choice(["text/plain", "application/json; charset=latin-1", ""])
        if rng.random() < 0.05:
            headers["Origin"] = rng.choice(["http://evil.example", "null", f"http://{host(server)}"])
        status, answer = exchange(server, request(method, path, body, server=server, headers=headers))
        if method == "HEAD":
            continue  # no body to read an error from
        assert_answered_well(status, answer, (path, body[:200]))
    assert_still_serving(server)
    assert_no_traceback(capfd)


# ---- the slow and the many -------------------------------------------------------------


def test_a_body_that_drips_in_or_stops_is_cut_off_at_the_request_deadline(server, capfd):
    """REQUEST_SECONDS (1 s here) bounds the whole request, however slowly
    its bytes come: a byte every 0.1 s would satisfy any per-read timeout."""
    data = request("POST", "/api/expression", b'{"expression": "x*2"}', server=server)
    for drip in (True, False):
        with connect(server) as conn:
            start = time.monotonic()
            conn.sendall(data[:-15])
            for byte in data[-15:] if drip else b"":
                if select.select([conn], [], [], 0.1)[0]:  # answered (and closed)
                    break
                conn.sendall(bytes([byte]))
            answer = b""
            while chunk := conn.recv(65536):  # waits for the server when it has not answered yet
                answer += chunk
            took = time.monotonic() - start
        assert took < 3.0
        assert b" 408 " in answer.split(b"\r\n")[0] and b"did not arrive within 1 s" in answer
    assert_still_serving(server)
    assert_no_traceback(capfd)


def test_connections_past_the_cap_are_answered_503_and_closed(monkeypatch, capfd):
    monkeypatch.setattr(explore_server, "MAX_CONNECTIONS", 4)
    s = make_server()
    serve_in_thread(s)
    try:
        idle = [connect(s) for _ in range(4)]
        time.sleep(0.2)  # the server has taken all four
        status, answer = exchange(s, request("GET", "/api/info", None, server=s))
        assert status == 503 and "connections open" in answer["error"]
        for conn in idle:
            conn.close()
        time.sleep(0.2)
        assert_still_serving(s)
    finally:
        s.shutdown()
        s.server_close()
    assert_no_traceback(capfd)


def test_clients_that_leave_before_their_answer_leave_no_traceback(server, capfd):
    key = new_session(server)
    body = json.dumps({"id": key, "steps": MAX_STEPS}).encode()
    for _ in range(10):
        with connect(server) as conn:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            conn.sendall(request("POST", "/api/train/step", body, server=server))
        # (closed with SO_LINGER 0: a reset, as a browser tab closing mid-request)
    time.sleep(0.5)
    assert_still_serving(server)
    assert assert_no_traceback(capfd) == ""
