"""Exercise 7: a neuron's forward pass act(w . x + b) with its gradients,
and an MLP, against the package's nn.MLP given the same weights.

A cause is named only once proven: a neuron right with its Values set
in another order (the bias first), right without `.data` in it, a
network right with its neurons' `nonlin` flags set as they should be;
an output that does not move with b, or no relu below 0, is observed
directly. Anything else is the observation: inputs, expected, got."""

from __future__ import annotations

import itertools
import random

from ...drawing.styles import fmt
from ...engine import Value
from ...nn import MLP as PackageMLP
from ..runner import Check, Failed
from .graphs import close, listed
from .repairs import Repair, explained, verdict

MLP_INPUTS = ([0.5, -1.0], [-2.0, 0.3], [1.5, 1.5])


def _classes(module, *names):
    for name in names:
        if not callable(getattr(module, name, None)):
            raise Failed(f"there is no class {name} in the file: write it")


def _params(thing, who: str) -> list:
    params = thing.parameters()
    if not isinstance(params, (list, tuple)) or not all(isinstance(p, Value) for p in params):
        raise Failed(f"{who}.parameters() must be a list of Values, got {params!r}"[:300])
    return list(params)


WS, B = [0.5, -1.0, 2.0], 0.25
INPUTS = ([1.0, 2.0, 3.0], [1.0, 2.0, -1.0], [-1.0, 0.5, 2.0])


def _output(n, params: list, values: list, x: list):
    for p, v in zip(params, values):
        p.data = v
    out = n(list(x))  # a copy: theirs to change
    if not isinstance(out, Value):
        raise Failed(f"Neuron's output is {out!r}, a {type(out).__name__}: return a Value, built "
                     "from the weights (Values), so that backward() reaches w and b")
    return out.data


def _right(n, params: list, values: list) -> bool:
    """The neuron gives relu(w . x + b) at every input, its Values set to
    `values` in the order of `params`."""
    return all(close(_output(n, params, values, x), max(0.0, sum(w * xi for w, xi in zip(WS, x)) + B))
               for x in INPUTS)


def _gradient_facts(module) -> str:
    """"" when backward() from a neuron's output gives every w its input and
    b 1; else what was observed."""
    n = module.Neuron(3)
    params = _params(n, "Neuron(3)")
    for p, v in zip(params, WS + [B]):
        p.data = v
    n(INPUTS[0]).backward()
    grads = [p.grad for p in params]
    if all(close(g, e) for g, e in zip(grads, INPUTS[0] + [1.0])):
        return ""
    return (f"after out.backward() at x = {INPUTS[0]}, the grads of w and b are {listed(grads)}, "
            f"expected {listed(INPUTS[0])} (x) and 1: the gradient does not reach every weight")


def _reordered(order: list[str]) -> str:
    """The verdict when the neuron is right with its Values set in `order`
    (the repair). Only the bias's place is proven to be parameters()'
    order: a weight has an input, and weights set in another order may as
    well be weights paired with other inputs."""
    shown = f"[{', '.join(order)}]"
    found = (f"with the Values of parameters() set in the order {shown}, your neuron gives "
             "relu(w . x + b) at every input tried")
    need = ("; the template and nn.Neuron list w then b ([w0, w1, w2, b]): the optimiser and the "
            "MLP check pair parameters by position")
    if [r for r in order if r != "b"] == ["w0", "w1", "w2"]:
        return f"parameters() lists the bias at place {order.index('b') + 1}: {found}{need}"
    return (f"{found}: either parameters() lists them in that order, or the neuron multiplies a "
            f"weight by another input than its own (w_i by x_i){need}")


def _forward_facts(module) -> str:
    """"" when Neuron(3) gives relu(w . x + b) at every input; else what was seen."""
    n = module.Neuron(3)
    return "" if _right(n, _params(n, "Neuron(3)"), WS + [B]) else "not relu(w . x + b)"


def check_neuron_forward(module) -> str:
    _classes(module, "Neuron")
    n = module.Neuron(3)
    params = _params(n, "Neuron(3)")
    if len(params) != 4:
        raise Failed(f"Neuron(3).parameters() has {len(params)} Values, expected 4: "
                     "3 weights (one per input) and 1 bias")
    roles = ["w0", "w1", "w2", "b"]
    values = dict(zip(roles, WS + [B]))
    if not _right(n, params, WS + [B]):
        # The repair: the same Values set in another order. If one order
        # makes the neuron right, the neuron is right and parameters() is not.
        for order in itertools.permutations(roles):
            if _right(n, params, [values[r] for r in order]):
                raise Failed(_reordered(list(order)))
        def want(x):
            return sum(w * xi for w, xi in zip(WS, x)) + B

        x = next(x for x in INPUTS if not close(_output(n, params, WS + [B], x), max(0.0, want(x))))
        got = _output(n, params, WS + [B], x)
        case = (f"with w = {WS}, b = {B} and x = {x}, your neuron gave {fmt(got)}, expected "
                f"relu({fmt(want(x))}) = {fmt(max(0.0, want(x)))}")
        moved = _output(n, params, WS + [B + 5.0], x)
        if close(moved, got):
            raise Failed(f"{case}; with b = {B + 5} it gives {fmt(moved)} again: its output does not "
                         "change with b, the last of parameters() (act(w . x + b) adds b before "
                         "the activation)")
        if want(x) < 0 and close(got, want(x)):
            raise Failed(f"{case}: no relu was applied below 0 (a non-linear neuron gives "
                         "relu(w . x + b))")
        raise Failed(case)
    verdict(module, "Neuron.__call__", _gradient_facts, also=[_forward_facts])
    linear = module.Neuron(3, nonlin=False)
    for p, v in zip(_params(linear, "Neuron(3, nonlin=False)"), WS + [B]):
        p.data = v
    got = linear([1.0, 2.0, -1.0]).data
    if not close(got, -3.25):
        raise Failed(f"Neuron(3, nonlin=False) gave {fmt(got)} for w . x + b = -3.25: a linear "
                     "neuron applies no relu")
    return ("relu(w . x + b) = 4.75 for x = [1, 2, 3], 0 below 0, linear with nonlin=False; "
            "backward() reaches every w (grad x) and b (grad 1)")


def check_mlp(module) -> str:
    _classes(module, "Layer", "MLP")
    saved = random.getstate()  # the learner's MLP draws from the global random: seed it, then put it back
    try:
        random.seed(1)
        return _check_mlp(module)
    finally:
        random.setstate(saved)


def _check_mlp(module) -> str:
    mlp = module.MLP(2, [4, 4, 1])
    params = _params(mlp, "MLP(2, [4, 4, 1])")
    want_count = (2 * 4 + 4) + (4 * 4 + 4) + (4 + 1)
    if len(params) != want_count:
        raise Failed(f"MLP(2, [4, 4, 1]) has {len(params)} parameters, expected {want_count}: each "
                     "neuron has one weight per input of its layer and one bias")
    start = [p.data for p in params]
    if len(set(start)) < len(params) // 2:
        raise Failed("most of your initial weights are equal: neurons that start the same get the "
                     "same gradients and stay the same; draw each weight with random.uniform(-1, 1)")
    for p in params:  # weights away from relu's kink, the same in both networks
        p.data = random.uniform(-1, 1)
    out = mlp(MLP_INPUTS[0])
    if isinstance(out, (list, tuple)) and len(out) == 1:
        raise Failed("MLP(2, [..., 1]) returned a list of one Value: return the Value itself when "
                     "the last layer has one neuron")
    if not isinstance(out, Value):
        raise Failed(f"MLP's output is {out!r}, not a Value")
    facts = _mlp_facts(mlp, params)
    if not facts:
        return (f"{len(params)} parameters; the same outputs as the package's MLP given the same "
                "weights (relu hidden layers, a linear output)")
    raise Failed(explained(facts, _layer_repairs(mlp, params), "MLP"))


def _mlp_facts(mlp, params: list) -> str:
    """"" when the learner's MLP gives the package's outputs with the same
    weights; else what was observed."""
    ref = PackageMLP(2, [4, 4, 1], activation="relu", output_activation="linear")
    for p, q in zip(ref.parameters(), params):
        p.data = q.data
    for x in MLP_INPUTS:
        got, want = mlp(x).data, ref(x).data
        if not close(got, want):
            return (f"MLP(2, [4, 4, 1]) gave {fmt(got)} at x = {x}, the package's MLP with the same "
                    f"weights (parameters() in order: layer by layer, neuron by neuron, each w then b) "
                    f"gives {fmt(want)}")
    return ""


def _neurons(thing, seen=None) -> list:
    """The objects with a `nonlin` flag inside the learner's MLP, in order."""
    seen = set() if seen is None else seen
    if id(thing) in seen or isinstance(thing, (Value, str, int, float, bool)) or thing is None:
        return []
    seen.add(id(thing))
    if hasattr(thing, "nonlin") and not isinstance(thing, (list, tuple)):
        return [thing]
    parts = thing if isinstance(thing, (list, tuple)) else list(getattr(thing, "__dict__", {}).values())
    return [n for part in parts for n in _neurons(part, seen)]


def _layer_repairs(mlp, params: list) -> list[Repair]:
    """The repair of the learner's network object, if it proves a cause:
    its neurons' `nonlin` flags set as they should be (relu in the 8
    hidden neurons, none in the output neuron), the check run again."""
    neurons = _neurons(mlp)
    if len(neurons) != 4 + 4 + 1:
        return []
    wanted = [True] * 8 + [False]
    before = [n.nonlin for n in neurons]
    try:
        for n, flag in zip(neurons, wanted):
            n.nonlin = flag
        right = not _mlp_facts(mlp, params)
    except Exception:
        right = False
    finally:
        for n, flag in zip(neurons, before):
            n.nonlin = flag
    if not right:
        return []
    wrong_last, wrong_hidden = before[-1] != wanted[-1], before[:-1] != wanted[:-1]
    says = ("the last layer applies relu; the output layer is linear (nonlin=False), so that its "
            "score can be negative" if not wrong_hidden else
            "the hidden layers are linear; without a non-linearity the layers collapse into one "
            "linear map" if not wrong_last else
            "relu is applied the wrong way round: in the hidden layers, not in the last")
    return [Repair(says, "nonlin set to True in the 8 hidden neurons and False in the output neuron")]


CHECKS = [Check("a neuron", check_neuron_forward), Check("MLP(2, [4, 4, 1])", check_mlp)]
