"""The explorer's server and JSON API, in process: what the page gets back
(graphs whose step data name real SVG elements, gradients that match the
engine's, sums for reused inputs, finite differences), training in the
engine, and the security checks (Host header, cross-origin writes, sizes,
hostile expressions), with the server still serving after each refusal."""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import shutil
import socket
import uuid

import pytest

from micrograd_scratch.explore import make_server, serve_in_thread
from micrograd_scratch.explore.server import MAX_BODY
from micrograd_scratch.expr import parse_expression
from micrograd_scratch.nn import activation_names
from refused_expressions import REFUSED  # tests/, on pytest's path

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot program")


@pytest.fixture(scope="module")
def server():
    s = make_server()  # 127.0.0.1, a free port
    serve_in_thread(s)
    yield s
    s.shutdown()
    s.server_close()


def call(server, method, path, body=None, *, headers=None, raw=None):
    """(status, decoded JSON) of one request, with full control of the headers."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=60)
    sent = {"Host": f"127.0.0.1:{port}"}
    data = raw
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in sent.items():
        if value is not None:
            conn.putheader(name, value)
    if data is not None and "Content-Length" not in sent:
        conn.putheader("Content-Length", str(len(data)))
    conn.endheaders()
    if data is not None:
        conn.send(data)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    assert response.getheader("Content-Type", "").startswith(
        ("application/json", "text/html", "text/css", "text/javascript"))
    if response.getheader("Content-Type") == "application/json":
        return response.status, json.loads(payload)
    return response.status, payload.decode("utf-8")


def still_serving(server):
    status, answer = call(server, "POST", "/api/expression", {"expression": "x * 2", "values": {"x": 3}})
    assert status == 200 and answer["output"] == "6"


# ---- the page and what it offers ------------------------------------------------


def test_the_page_and_its_files_are_served_with_a_strict_policy(server):
    status, page = call(server, "GET", "/")
    assert status == 200
    for testid in ("expression", "graph", "step-next", "step-prev", "step-caption", "train-dataset",
                   "train-play", "train-pause", "train-step", "loss", "accuracy", "loss-curve",
                   "boundary"):
        assert f'data-testid="{testid}"' in page
    assert "http://" not in page and "https://" not in page  # nothing from the web
    for name in ("/explore.js", "/explore.css"):
        assert call(server, "GET", name)[0] == 200
    assert call(server, "GET", "/../../etc/passwd")[0] == 404
    assert call(server, "GET", "/static/../server.py")[0] == 404


def test_info_lists_the_choices_from_the_package(server):
    status, info = call(server, "GET", "/api/info")
    assert status == 200
    assert info["datasets"] == ["xor", "noisy-xor", "blobs", "moons"]
    assert info["activations"] == list(activation_names())
    assert info["defaults"]["per_dataset"]["xor"]["loss"] == "mse"


# ---- the expression view ----------------------------------------------------------


def svg_titles(svg: str, kind: str) -> list[str]:
    """The <title> of every node or edge group in Graphviz's SVG, in order."""
    groups = re.findall(rf'<g id="[^"]*" class="{kind}">\s*<title>(.*?)</title>', svg)
    return [t.replace("&#45;", "-").replace("&gt;", ">") for t in groups]


@needs_dot
def test_an_expression_gives_its_graph_gradients_and_steps(server):
    status, a = call(server, "POST", "/api/expression",
                     {"expression": "tanh(a*b + a) * c", "values": {"a": 0.5, "b": -1.5, "c": 2}})
    assert status == 200
    root, inputs = parse_expression("tanh(a*b + a) * c", {"a": 0.5, "b": -1.5, "c": 2})
    root.backward()
    assert [(i["name"], i["grad"]) for i in a["inputs"]] == [
        (n, pytest.approx(x.grad, rel=1e-12)) for n, x in inputs.items()]
    nodes, edges = svg_titles(a["svg"], "node"), svg_titles(a["svg"], "edge")
    steps = a["steps"]
    last = len(steps) - 1
    assert last == 4  # * c, tanh, +, a*b
    for k, step in enumerate(steps):
        assert step["caption"].startswith(f"backward step {k} of {last}")  # counters agree
        assert step["node"] in nodes
        assert step["op"] is None or step["op"] in nodes
        for t in step["terms"]:
            assert t["input"] in nodes
            assert edges.count(t["edge"]) > t["occurrence"]  # the SVG has that edge
    # Laid out once with every edge's label: the page only shows and hides them.
    text = html.unescape(a["svg"])
    assert all(f">{t['product']}</text>" in text for s in steps for t in s["terms"])


def test_a_reused_input_shows_its_gradient_adding_up(server):
    status, a = call(server, "POST", "/api/expression", {"expression": "a*b + a", "values": {"a": 2, "b": -3}})
    assert status == 200
    step = a["steps"][2]  # the product runs after the sum: a already holds 1
    [term] = [t for t in step["terms"] if t["name"] == "a"]
    assert term["product"] == "1 × -3 = -3"
    assert term["sum"] == "1 + (-3) = -2"
    assert step["sums"] == ["a.grad: 1 + (-3) = -2"]


def test_finite_differences_agree_and_a_kink_is_marked(server):
    _, smooth = call(server, "POST", "/api/expression",
                     {"expression": "exp(x) * y", "values": {"x": 0.3, "y": -2}, "check": True})
    assert [i["agrees"] for i in smooth["inputs"]] == [True, True]
    _, kink = call(server, "POST", "/api/expression",
                   {"expression": "relu(x)", "values": {"x": 0}, "check": True})
    [x] = kink["inputs"]
    assert (x["grad"], x["fd_text"], x["agrees"]) == (0.0, "0.5", False)


def test_parameters_are_drawn_as_parameters(server):
    _, a = call(server, "POST", "/api/expression",
                {"expression": "w*x", "values": {"w": 2, "x": 3}, "params": ["w", "nope"]})
    assert a["params"] == ["w"]
    fills = {n["id"]: n["fill"] for n in a["nodes"]}
    ids = {i["name"]: i["id"] for i in a["inputs"]}
    assert fills[ids["w"]] != fills[ids["x"]]  # the parameter colour, not the input one


def test_a_new_name_starts_at_one_and_unknown_values_are_ignored(server):
    _, a = call(server, "POST", "/api/expression", {"expression": "x + y", "values": {"x": 2, "z": 5}})
    assert a["values"] == {"x": 2.0, "y": 1.0}


def test_a_nan_gradient_is_shown_as_nan(server):
    status, a = call(server, "POST", "/api/expression", {"expression": "x ** y", "values": {"x": -2, "y": 2}})
    assert status == 200 and a["inputs"][1]["grad"] == "nan" and a["inputs"][1]["grad_text"] == "nan"


@pytest.mark.parametrize("expression, shown", [("x ** 0.5", "inf"), ("-(x ** 0.5)", "-inf")])
def test_an_infinite_gradient_is_shown_as_inf_never_0(server, expression, shown):
    # d/dx sqrt(x) at x = 0 is +inf, as torch gives; JSON has no inf: the string "inf"
    status, a = call(server, "POST", "/api/expression", {"expression": expression, "values": {"x": 0}})
    assert status == 200 and a["output"] == "0" and a["backward_error"] is None
    [x] = a["inputs"]
    assert (x["grad"], x["grad_text"]) == (shown, shown)
    assert a["steps"][-1]["terms"][-1]["grad"] == shown  # the graph's label on the last step


def test_a_failing_backward_still_shows_the_forward_graph(server, monkeypatch):
    from micrograd_scratch.explore import api

    def failing(root):
        raise OverflowError("a local derivative overflowed")

    monkeypatch.setattr(api, "backward_steps", failing)  # the server runs in this process
    status, a = call(server, "POST", "/api/expression",
                     {"expression": "x * 2", "values": {"x": 3}, "check": True})
    assert status == 200 and a["output"] == "6"
    assert a["backward_error"] == "backward: a local derivative overflowed" and len(a["steps"]) == 1
    [x] = a["inputs"]
    assert (x["grad"], x["grad_text"], x["agrees"]) == ("nan", "nan", False)  # unknown, not 0


# ---- bad and hostile expressions: a JSON error, and the server goes on --------------

MARKER = "pwned_" + uuid.uuid4().hex[:8]

# Every expression the parser refuses (the list the draw command is checked
# against), and the shell and Python injections the command-line fuzzer tries.
HOSTILE = REFUSED + [
    (f"__import__('os').system('touch {MARKER}')", "attribute access"),
    (f"$(touch {MARKER})", "not a valid expression"),
    (f"`touch {MARKER}`", "not a valid expression"),
    ("log(x)", "log is only defined for x > 0"),  # x is -2 in every request below
    ("9**9**9", "overflows a float"),
    ("x / y", "division by zero"),
]


@pytest.mark.parametrize("expression, reason", HOSTILE)
def test_hostile_expressions_get_a_json_error_and_run_nothing(server, tmp_path, monkeypatch,
                                                            expression, reason):
    monkeypatch.chdir(tmp_path)
    status, answer = call(server, "POST", "/api/expression",
                          {"expression": expression, "values": {"x": -2, "y": 0}})
    assert status == 400
    assert reason in answer["error"] and "\n" not in answer["error"]
    assert not os.path.exists(MARKER) and not os.path.exists("pwned")
    still_serving(server)


@pytest.mark.parametrize("body, reason", [
    ({"expression": 3}, "expression must be a string"),
    ({"expression": "x", "values": [1]}, "values must be an object"),
    ({"expression": "x", "values": {"x": "1; rm -rf /"}}, "must be a finite number"),
    ({"expression": "x", "values": {"x": 1e300}}, "between"),
    ({"expression": "x", "params": "x"}, "params must be a list"),
    ({"expression": "+".join(["x"] * 200)}, "more than max_nodes=250"),
])
def test_bad_requests_say_what_is_wrong(server, body, reason):
    status, answer = call(server, "POST", "/api/expression", body)
    assert status == 400 and reason in answer["error"]
    still_serving(server)


# ---- security ------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example:80", "192.168.1.2:8421",
                                  "", None])
def test_a_host_that_is_not_loopback_is_refused(server, host):
    for method, path, body in (("GET", "/", None), ("GET", "/api/info", None),
                               ("POST", "/api/expression", {"expression": "x"})):
        status, answer = call(server, method, path, body, headers={"Host": host})
        assert status == 403 and "localhost" in answer["error"]
    still_serving(server)


@pytest.mark.parametrize("host", ["localhost:1234", "127.0.0.1", "[::1]:8421", "127.1.2.3"])
def test_loopback_names_are_served(server, host):
    assert call(server, "GET", "/api/info", headers={"Host": host})[0] == 200


@pytest.mark.parametrize("headers, status", [
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"Content-Type": "text/plain"}, 415),  # what a form on another site can send
    ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
])
def test_cross_origin_writes_are_refused(server, headers, status):
    got, answer = call(server, "POST", "/api/train/new", {"dataset": "xor"}, headers=headers)
    assert got == status and "error" in answer
    still_serving(server)


def test_a_same_origin_write_is_accepted(server):
    port = server.server_address[1]
    status, _ = call(server, "POST", "/api/expression", {"expression": "x"},
                     headers={"Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"})
    assert status == 200


def test_oversized_bodies_are_refused_before_they_are_read(server):
    status, answer = call(server, "POST", "/api/expression", raw=b"{}",
                          headers={"Content-Type": "application/json",
                                   "Content-Length": str(MAX_BODY + 1)})
    assert status == 413 and "at most" in answer["error"]
    big = {"expression": "x", "pad": "y" * MAX_BODY}
    assert call(server, "POST", "/api/expression", big)[0] == 413
    still_serving(server)


@pytest.mark.parametrize("raw, status", [
    (b"not json", 400), (b"[1, 2]", 400), (b"\xff\xfe", 400), (b'{"expression": NaN}', 400),
])
def test_malformed_bodies_get_json_errors(server, raw, status):
    got, answer = call(server, "POST", "/api/expression", raw=raw,
                       headers={"Content-Type": "application/json"})
    assert got in (status, 400) and "error" in answer
    still_serving(server)


def test_unknown_paths_and_methods(server):
    assert call(server, "GET", "/api/nope")[0] == 404
    assert call(server, "POST", "/api/nope", {})[0] == 404
    assert call(server, "PUT", "/api/expression", {})[0] == 405
    assert call(server, "DELETE", "/api/train/new")[0] == 405
    assert call(server, "POST", "/api/expression", raw=None,
                headers={"Content-Type": "application/json"})[0] == 411


# ---- training ----------------------------------------------------------------------------


def new_session(server, **settings):
    status, s = call(server, "POST", "/api/train/new", settings)
    assert status == 200, s
    return s["id"], s


def test_xor_trains_to_four_of_four_in_the_engine(server):
    key, s = new_session(server, dataset="xor")
    assert s["steps"] == 0 and s["total"] == 4
    assert s["settings"]["hidden"] == [16] and s["settings"]["loss"] == "mse"
    while s["steps"] < 200:  # the `xor` command's 200 full-batch epochs
        status, s = call(server, "POST", "/api/train/step", {"id": key, "steps": 50})
        assert status == 200
    assert s["correct"] == 4 and s["loss"] < 0.05
    assert s["history"][-1] < s["history"][0]
    size = s["grid"]["size"]
    assert len(s["boundary"]) == size * size
    assert [len(layer) for layer in s["maps"]] == [16, 1]
    assert all(len(m) == size * size for layer in s["maps"] for m in layer)
    assert [len(layer) for layer in s["weights"]] == [16, 1] and len(s["weights"][0][0]) == 3


def test_a_neuron_opens_as_an_expression_with_its_weights(server):
    key, _ = new_session(server, dataset="xor", hidden=[3], activation="tanh")
    status, n = call(server, "POST", "/api/train/neuron", {"id": key, "layer": 0, "neuron": 1, "example": 2})
    assert status == 200
    assert n["expression"] == "tanh(w0*x0 + w1*x1 + b)"
    assert (n["values"]["x0"], n["values"]["x1"]) == (1.0, 0.0)  # example 2 of xor
    assert n["params"] == ["w0", "w1", "b"]
    status, graph = call(server, "POST", "/api/expression", n)
    assert status == 200 and graph["params"] == ["w0", "w1", "b"]
    status, out = call(server, "POST", "/api/train/neuron", {"id": key, "layer": 1, "neuron": 0, "example": 0})
    assert out["expression"] == "w0*h0 + w1*h1 + w2*h2 + b"  # the output neuron is linear


def test_a_network_without_biases_trains_draws_and_opens_its_neurons(server, monkeypatch):
    # The page has no bias switch: the session's MLP is made with bias=False,
    # as a learner's model made in Python would be.
    import functools

    from micrograd_scratch.explore import training
    from micrograd_scratch.nn import MLP

    monkeypatch.setattr(training, "MLP", functools.partial(MLP, bias=False))
    key, s = new_session(server, dataset="xor", hidden=[3], activation="tanh")
    status, s = call(server, "POST", "/api/train/step", {"id": key, "steps": 5})
    assert status == 200 and s["steps"] == 5, s
    assert [[len(w) for w in layer] for layer in s["weights"]] == [[2, 2, 2], [3]]  # no bias
    assert len(s["parameters"]) == 2 * 3 + 3
    status, n = call(server, "POST", "/api/train/neuron", {"id": key, "layer": 0, "neuron": 1, "example": 2})
    assert status == 200, n
    assert n["expression"] == "tanh(w0*x0 + w1*x1)" and n["params"] == ["w0", "w1"]
    status, graph = call(server, "POST", "/api/expression", n)
    assert status == 200 and graph["params"] == ["w0", "w1"]


@pytest.mark.parametrize("settings, reason", [
    ({"dataset": "mnist"}, "unknown dataset"),
    ({"hidden": [2000]}, "at most"),
    ({"hidden": [4] * 17}, "at most 16 layers"),
    ({"hidden": "16"}, "list of layer sizes"),
    ({"hidden": [16, "abc"]}, "(whole numbers, like 16 or 8,8), got [16, 'abc']"),
    ({"activation": "swish"}, "unknown activation"),
    ({"loss": "l1"}, "unknown loss"),
    ({"lr": -1}, "lr must be between"),
    ({"lr": "0.1"}, "lr must be a number"),
    ({"batch_size": 2.5}, "batch_size must be an integer"),
    ({"dataset": ["xor"]}, "unknown dataset ['xor']"),
    ({"loss": {"a": 1}}, "unknown loss {'a': 1}"),
    ({"seed": 10**400}, "seed must be between 0 and"),
    ({"seed": 1e300}, "seed must be between 0 and"),
    # an integer past float's range, as a coordinate or a weight (issue 24: it was a 500)
    ({"points": [[10**400, 0, 1]]}, "point 1 must be [x1, x2, label] with x1 and x2 finite"),
    ({"points": [[0, -(10**309), 0]]}, "x1 and x2 finite numbers from -1e+06 to 1e+06"),
    ({"hidden": [1], "weights": [1, 2, 10**400, 4, 5]}, "weight 3 must be a finite number"),
])
def test_bad_training_settings_are_refused(server, settings, reason):
    status, answer = call(server, "POST", "/api/train/new", settings)
    assert status == 400 and reason in answer["error"]


def test_steps_per_request_are_bounded(server):
    key, _ = new_session(server)
    for steps in (-1, 10**6, "5", 2.5):
        status, answer = call(server, "POST", "/api/train/step", {"id": key, "steps": steps})
        assert status == 400 and "steps must be an integer" in answer["error"]
    status, answer = call(server, "POST", "/api/train/step", {"id": "nope", "steps": 1})
    assert status == 400 and "no such training session" in answer["error"]


def sent_then(server, path: str, body: dict, after) -> http.client.HTTPConnection:
    """A connection that has sent one POST and then done `after` to its socket."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("POST", path, json.dumps(body),
                 {"Content-Type": "application/json", "Host": f"127.0.0.1:{port}"})
    after(conn.sock)
    return conn


def test_a_client_that_only_stops_sending_still_gets_every_step(server):
    """SHUT_WR ends what the client sends, not what it reads: not gone."""
    key, _ = new_session(server, dataset="xor")
    conn = sent_then(server, "/api/train/step", {"id": key, "steps": 50},
                     lambda sock: sock.shutdown(socket.SHUT_WR))
    response = conn.getresponse()  # (past the interim "100 Continue")
    assert response.status == 200 and json.loads(response.read())["ran"] == 50


def train_until_stopped(server, key, most=2000):
    """Step a session until it stops or has taken `most` steps; its last state."""
    s = {"steps": 0, "diverged": None}
    while s["diverged"] is None and s["steps"] < most:
        status, s = call(server, "POST", "/api/train/step", {"id": key, "steps": 100, "pictures": False})
        assert status == 200, s
    return s


@pytest.mark.parametrize("settings, stop", [
    # The loss explodes within blobs' first epoch (100 points, 7 steps of 16): the
    # command line's check stops it at the epoch's end, as `train` stops.
    (dict(dataset="blobs", loss="mse", lr=0.1), r"at step 7: the loss grew from .* by epoch 1"),
    # tanh at lr 10: the loss climbs (to 1e306 once, with no word), and is stopped at its first epochs.
    (dict(dataset="xor", activation="tanh", hidden=[16, 16], lr=10.0), r"at step \d+: the loss grew"),
    # lr 5 overflowed `pow` (an HTTP 500): now one line, at the step it happened.
    (dict(dataset="xor", activation="tanh", hidden=[16, 16], lr=5.0), r"at step \d+: the loss"),
    (dict(dataset="xor", lr=10.0, hidden=[64, 64]), r"at step 2: the loss grew from"),
])
def test_a_diverging_run_stops_with_one_line_naming_its_step(server, settings, stop):
    key, _ = new_session(server, **settings)
    s = train_until_stopped(server, key)
    assert s["diverged"] is not None and re.search(stop, s["diverged"]), s["diverged"]
    assert "\n" not in s["diverged"] and "no step was taken yet" not in s["diverged"]
    assert "try a tenth" in s["diverged"]
    status, again = call(server, "POST", "/api/train/step", {"id": key, "steps": 5})
    assert status == 200 and again["ran"] == 0 and again["diverged"] == s["diverged"]
    still_serving(server)


def test_the_same_run_stops_on_the_command_line(server):
    """blobs with mse at lr 0.1: the page and `train` both stop it, at epoch 1."""
    import subprocess

    done = subprocess.run(["micrograd-scratch", "train", "--dataset", "blobs", "--loss", "mse",
                           "--lr", "0.1"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "by epoch 1" in done.stderr
    key, _ = new_session(server, dataset="blobs", loss="mse", lr=0.1)
    assert "by epoch 1" in train_until_stopped(server, key)["diverged"]


def test_the_settings_are_the_command_line_s_for_each_data_set_and_loss(server):
    from micrograd_scratch.cli.training import defaults_for
    from micrograd_scratch.data import DATASETS

    info = call(server, "GET", "/api/info")[1]
    for dataset in info["datasets"]:
        for loss in info["losses"]:
            cli = defaults_for(dataset, loss, "relu")
            _, s = new_session(server, dataset=dataset, loss=loss, hidden=[2])
            n = len(DATASETS[dataset.replace("-", "_")]()[0])
            batch = cli["batch_size"] or n
            expected = {"lr": cli["lr"], "lr_end": cli["lr_end"], "batch_size": cli["batch_size"],
                        "decay_steps": cli["epochs"] * -(-n // batch)}  # the whole run of `train`
            assert {k: s["settings"][k] for k in expected} == expected, (dataset, loss)
            assert info["defaults"]["table"][dataset][loss]["relu"] == expected
    # A rate given alone does not decay (a tuned decay goes with its own rate), as on the command line.
    _, s = new_session(server, dataset="moons", lr=0.1)
    assert s["settings"]["lr_end"] is None
    status, answer = call(server, "POST", "/api/train/new", {"dataset": "xor", "lr": 0.1, "lr_end": 0.5})
    assert status == 400 and "lr_end (decays to) 0.5 is above lr 0.1" in answer["error"]


# ---- the work one request may ask for ---------------------------------------------------


def largest_allowed_xor_network():
    """The widest two equal hidden layers the explorer trains on xor."""
    from micrograd_scratch.explore.training import MAX_EVAL_WORK, answer_work
    from micrograd_scratch.serialize import parameter_count

    width = 1
    while answer_work(parameter_count(2, [width + 1, width + 1, 1]), 4) <= MAX_EVAL_WORK:
        width += 1
    return [width, width]


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def test_the_largest_request_allowed_is_bounded_in_time_and_memory(server):
    """[1024] * 16 grew the server past 5 GB with no answer, and [1024, 1024]
    took 31.5 s with steps of 2 s; now each is refused up front, with the
    figure, and the largest network allowed answers its steps within the
    step budget and a few tens of MB."""
    import time

    status, answer = call(server, "POST", "/api/train/new", {"dataset": "xor", "hidden": [1024] * 16})
    assert status == 400 and "would have 15,748,097 parameters; at most 1,100,000" in answer["error"]
    for hidden, figure in (([1024, 1024], "1,053,697"), ([128, 128], "17,025")):
        status, answer = call(server, "POST", "/api/train/new", {"dataset": "xor", "hidden": hidden})
        assert status == 400 and f"{figure} parameters x (5 passes over 4 points + 64 picture points)" in answer["error"]
        assert "over the limit of 1,000,000" in answer["error"]
    hidden = largest_allowed_xor_network()
    before = peak_rss_mb()
    start = time.monotonic()
    key, s = new_session(server, dataset="xor", hidden=hidden)
    created = time.monotonic() - start
    status, refused = call(server, "POST", "/api/train/step", {"id": key, "steps": 500})
    assert status == 400 and f"ask for at most {s['max_steps']} steps" in refused["error"]
    start = time.monotonic()
    status, stepped = call(server, "POST", "/api/train/step", {"id": key, "steps": s["max_steps"]})
    took = time.monotonic() - start
    grown = peak_rss_mb() - before
    assert status == 200 and 1 <= stepped["ran"] <= s["max_steps"]
    # Generous bounds (two shared cores): the step budget is 0.25 s, the answer's
    # evaluation about as much; the network holds some 10,000 parameters.
    assert created < 5 and took < 3, (created, took)
    assert grown < 150, grown


def test_training_stops_when_its_page_goes_away(server, monkeypatch):
    """With no time budget, 500 steps of a large network take seconds; a
    page that closes its connection stops them at once."""
    import socket
    import time

    from micrograd_scratch.explore import training

    monkeypatch.setattr(training, "STEP_SECONDS", 60.0)
    monkeypatch.setattr(training, "MAX_STEP_WORK", 10**9)
    key, s = new_session(server, dataset="xor", hidden=largest_allowed_xor_network())
    body = json.dumps({"id": key, "steps": 500}).encode()
    host, port = server.server_address[:2]
    with socket.create_connection((host, port)) as conn:
        conn.sendall(f"POST /api/train/step HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                     .encode() + body)
        time.sleep(0.2)  # training has started
    start = time.monotonic()
    status, after = call(server, "POST", "/api/train/step", {"id": key, "steps": 0})  # waits its turn
    assert status == 200 and after["steps"] < 500
    assert time.monotonic() - start < 2.5


def five_hundred_points() -> list[list]:
    import random

    rng = random.Random(0)
    return [[rng.uniform(-1, 1), rng.uniform(-1, 1), rng.randint(0, 1)] for _ in range(500)]


def test_a_wide_network_on_500_points_is_refused_by_what_it_really_costs(server):
    """[400] on 500 points passed a cap that counted the points once and
    cost 6.5 s: an answer passes over the data five times, and says so."""
    import time

    start = time.monotonic()
    status, answer = call(server, "POST", "/api/train/new",
                          {"hidden": [400], "points": five_hundred_points()})
    assert time.monotonic() - start < 2
    assert status == 400 and answer["error"].startswith(
        "this network is too large to train here: 1,601 parameters x (5 passes over 500 points "
        "+ 121 picture points) = 4,196,221, over the limit of 1,000,000")


def process_figures(pid: int) -> tuple[float, float]:
    """(CPU seconds so far, resident MB) of a process, from /proc."""
    import os

    fields = open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    rss = next(int(line.split()[1]) for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS"))
    return cpu, rss / 1024


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc (Linux)")
def test_new_sessions_whose_pages_left_at_once_cost_little_and_memory_returns():
    """32 of the costliest new sessions allowed, each sent and its connection
    closed at once: the server stops each (waiting or working) when it sees
    its page gone, instead of building 32 answers for no one."""
    import subprocess
    import sys
    import time

    from micrograd_scratch.explore.training import MAX_EVAL_WORK, answer_work
    from micrograd_scratch.serialize import parameter_count

    width = 1  # the widest one hidden layer allowed on 500 points
    while answer_work(parameter_count(2, [width + 1, 1]), 500) <= MAX_EVAL_WORK:
        width += 1
    body = json.dumps({"hidden": [width], "points": five_hundred_points()}).encode()
    process = subprocess.Popen(
        [sys.executable, "-m", "micrograd_scratch", "explore", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())[1])
        head = (f"POST /api/train/new HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        cpu_before, rss_before = process_figures(process.pid)
        for _ in range(32):
            with socket.create_connection(("127.0.0.1", port)) as conn:
                conn.sendall(head + body)  # and closed at once
        cpu, settled = cpu_before, time.monotonic() + 10
        while time.monotonic() < settled:  # until the server is idle again
            time.sleep(0.5)
            cpu, last = process_figures(process.pid)[0], cpu
            if cpu - last < 0.05:
                break
        cpu_after, rss_after = process_figures(process.pid)
    finally:
        process.kill()
        process.communicate()
    # One such answer costs about a second here: 32 of them would be 30 s and more.
    assert cpu_after - cpu_before < 4, cpu_after - cpu_before
    assert rss_after - rss_before < 100, (rss_before, rss_after)


def test_the_sessions_kept_are_bounded_in_parameters_not_only_in_number(server, monkeypatch):
    monkeypatch.setattr(server.sessions, "max_parameters", 12_000)
    keys = [new_session(server, dataset="xor", hidden=[64, 64])[0] for _ in range(4)]  # 4,417 each
    assert server.sessions.kept_parameters() <= 12_000
    assert keys[-1] in server.sessions.items and keys[0] not in server.sessions.items
    status, answer = call(server, "POST", "/api/train/step", {"id": keys[0], "steps": 1})
    assert status == 400 and "no such training session" in answer["error"]


# ---- without Graphviz, and the command itself --------------------------------------------


def test_without_dot_the_page_gets_one_line_saying_how_to_install_it(server, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    status, a = call(server, "POST", "/api/expression", {"expression": "x * 2", "values": {"x": 3}})
    assert status == 200 and a["svg"] is None and a["output"] == "6"
    assert "install Graphviz" in a["dot_missing"] and "\n" not in a["dot_missing"]
    assert [i["grad"] for i in a["inputs"]] == [2.0]  # the numbers and steps still come
    assert call(server, "GET", "/api/info")[1]["dot"] == a["dot_missing"]


def test_the_command_prints_its_url_serves_and_stops_on_ctrl_c_with_one_line():
    import signal
    import subprocess
    import sys
    import urllib.request

    process = subprocess.Popen(
        [sys.executable, "-m", "micrograd_scratch", "explore", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)[0]
        with urllib.request.urlopen(url + "api/info", timeout=60) as response:
            assert json.loads(response.read())["datasets"][0] == "xor"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0
    assert err.strip() == "explorer stopped"


def test_a_port_in_use_is_one_line_with_what_to_do(server, capsys):
    from micrograd_scratch.cli import main

    status = main(["explore", "--port", str(server.server_address[1]), "--no-browser"])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and "--port 0" in err


@needs_dot
def test_a_graph_that_takes_dot_too_long_is_a_json_error(server, monkeypatch):
    from micrograd_scratch.explore import api

    monkeypatch.setattr(api, "DOT_SECONDS", 1e-4)
    status, answer = call(server, "POST", "/api/expression", {"expression": "x * 2"})
    assert status == 400 and "to lay this graph out" in answer["error"]
    monkeypatch.undo()
    still_serving(server)
