"""torch_bridge: the same network in PyTorch, number for number.

Every test that needs PyTorch skips, with the reason, when it is not
installed; the tests of what happens without it run in a subprocess that
hides torch. The CUDA test skips unless a GPU is present:

    python -m pytest tests/test_torch_bridge.py -k cuda
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import pathlib
import random
import re
import subprocess
import sys
import textwrap

import pytest

from micrograd_scratch import MLP, LinearDecay, fit, moons, ops, xor
from micrograd_scratch import torch_bridge
from micrograd_scratch.nn import activation_names
from micrograd_scratch.serialize import state_dict

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="PyTorch is not installed: nothing to compare with")


def run_python(code: str, *, hide_torch: bool = False) -> subprocess.CompletedProcess:
    """Run `code` in a fresh Python; with hide_torch, `import torch` fails
    there as it does where torch is not installed."""
    if hide_torch:
        code = "import sys; sys.modules['torch'] = None\n" + code
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def relative(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


# One model per activation the package has (read from nn, so an activation
# op added to ops.py is tested at once), each with the next one as its
# output activation, on shapes taken in turn; and one model without biases.
SHAPES = [(2, [8, 1]), (3, [5, 4, 2]), (1, [6, 3]), (4, [3, 3, 1])]
MODELS = [
    pytest.param(dict(nin=nin, nouts=nouts, activation=activation, output_activation=output),
                 id=activation)
    for activation, output, (nin, nouts) in zip(
        activation_names(), activation_names()[1:] + activation_names()[:1], itertools.cycle(SHAPES)
    )
] + [pytest.param(dict(nin=3, nouts=[4, 2], activation="tanh", bias=False), id="no-bias")]


def build(spec: dict, seed: int = 0) -> MLP:
    spec = dict(spec)
    return MLP(spec.pop("nin"), spec.pop("nouts"), seed=seed, **spec)


# ---- without torch ---------------------------------------------------------


def test_importing_the_package_does_not_import_torch():
    proc = run_python(
        "import sys, micrograd_scratch, micrograd_scratch.torch_bridge\n"
        "print('torch' in sys.modules)"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_without_torch_every_entry_point_says_how_to_install_it():
    proc = run_python(
        textwrap.dedent("""
        from micrograd_scratch import MLP
        from micrograd_scratch import torch_bridge as tb
        calls = [lambda: tb.to_torch(MLP(2, [1], seed=0)), lambda: tb.from_torch(None),
                 lambda: tb.to_tensor(1.0), lambda: tb.gradients_both_ways(lambda a: a, 1.0)]
        for call in calls:
            try:
                call()
            except ImportError as e:  # TorchNotInstalled is an ImportError
                print(type(e).__name__, '|', e)
        """),
        hide_torch=True,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 4
    for line in lines:
        assert line.startswith("TorchNotInstalled | PyTorch is not installed:")
        assert 'pip install -e ".[torch]"' in line and "pip install torch" in line


# ---- to_torch and from_torch -------------------------------------------------


@pytest.mark.parametrize("spec", MODELS)
def test_round_trip_gives_identical_weights(torch, spec):
    model = build(spec)
    back = torch_bridge.from_torch(torch_bridge.to_torch(model))
    assert state_dict(back) == state_dict(model)  # exact float equality
    assert [n.activation for layer in back.layers for n in layer.neurons] == [
        n.activation for layer in model.layers for n in layer.neurons
    ]
    # and the other way: a torch model with float64 weights comes back bit for bit
    module = torch_bridge.to_torch(build(spec, seed=1))
    again = torch_bridge.to_torch(torch_bridge.from_torch(module))
    assert str(again) == str(module)
    for (name, a), b in zip(module.state_dict().items(), again.state_dict().values()):
        assert torch.equal(a, b), name


def test_layer_names_say_which_neurons_each_row_came_from(torch):
    model = MLP(2, [3, 1], seed=0)
    module = torch_bridge.to_torch(model)
    assert [name for name, _ in module.named_children()] == ["L0", "L0_relu", "L1"]
    assert list(module.state_dict()) == ["L0.weight", "L0.bias", "L1.weight", "L1.bias"]
    assert module.L0.weight.dtype == torch.float64
    # our "L0.N2.w1" is row 2, column 1 of torch's L0.weight
    pairs = {name: (t, i) for name, _, t, i in torch_bridge.parameter_pairs(model, module)}
    t, i = pairs["L0.N2.w1"]
    assert t is module.L0.weight and i == (2, 1)
    assert t[i].item() == model.layers[0].neurons[2].w[1].data
    t, i = pairs["L1.N0.b"]
    assert t is module.L1.bias and i == (0,)


def test_float32_rounds_each_weight_once(torch):
    model = MLP(2, [4, 1], seed=0)
    module = torch_bridge.to_torch(model, dtype=torch.float32)
    assert module.L0.weight.dtype == torch.float32
    for _, p, t, i in torch_bridge.parameter_pairs(model, module):
        assert t[i].item() == torch.tensor(p.data, dtype=torch.float32).item()


def test_from_torch_reads_a_model_torch_made(torch):
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2, bias=False)
    )
    model = torch_bridge.from_torch(module)
    assert [len(layer.neurons) for layer in model.layers] == [5, 2]
    assert model.layers[0].neurons[0].activation == "tanh"
    assert model.layers[1].neurons[0].activation == "linear"
    assert all(n.b.data == 0.0 for n in model.layers[1].neurons)  # no bias: zero
    x = [0.5, -1.0, 2.0]
    theirs = module(torch.tensor([x])).tolist()[0]  # float32
    ours = [v.data for v in model(x)]
    assert ours == pytest.approx(theirs, rel=1e-5)


def test_a_model_without_biases_becomes_linears_without_bias_and_back(torch):
    model = MLP(3, [4, 2], activation="tanh", bias=False, seed=1)
    module = torch_bridge.to_torch(model)
    assert module.L0.bias is None and module.L1.bias is None
    assert list(module.state_dict()) == ["L0.weight", "L1.weight"]
    assert "torch.nn.Linear(3, 4, bias=False, dtype=torch.float64)" in torch_bridge.torch_source(module)
    assert [name for name, *_ in torch_bridge.parameter_pairs(model, module)] == list(state_dict(model))
    x = [0.5, -1.0, 2.0]
    assert module(torch.tensor([x], dtype=torch.float64)).tolist()[0] == [v.data for v in model(x)]
    for back in (torch_bridge.from_torch(module), torch_bridge.from_state_dict(module.state_dict())):
        assert all(n.b is None for layer in back.layers for n in layer.neurons)
        assert state_dict(back) == state_dict(model)  # weights only, bit for bit


def test_to_torch_refuses_a_layer_that_mixes_neurons_with_and_without_bias(torch):
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[1].b = None  # as Neuron(bias=False) has it
    with pytest.raises(ValueError) as info:
        torch_bridge.to_torch(model)
    assert str(info.value) == (
        "to_torch: layer L0 mixes neurons with and without a bias; a torch Linear has a bias "
        "for all its outputs or for none"
    )


def _refusal(torch, module) -> str:
    with pytest.raises((ValueError, TypeError)) as info:
        torch_bridge.from_torch(module)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_from_torch_names_the_layer_it_cannot_read(torch):
    nn = torch.nn
    message = _refusal(torch, nn.Sequential(nn.Linear(2, 3), nn.Dropout(), nn.Linear(3, 1)))
    assert "layer 1 ('1', Dropout) has no counterpart here" in message
    message = _refusal(torch, nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))
    assert "layer 0 ('0', ReLU) does not follow a Linear layer" in message
    message = _refusal(torch, nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Tanh()))
    assert "layer 2 ('2', Tanh) does not follow a Linear layer" in message
    message = _refusal(torch, nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)))
    assert "layer 1 ('1', Linear) takes 4 inputs but the layer before gives 3" in message
    message = _refusal(torch, nn.Sequential(
        nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)
    ))
    assert "the hidden layers mix the activations relu, tanh" in message
    assert "no Linear layer" in _refusal(torch, nn.Sequential())
    assert "expected a torch.nn.Sequential, got Linear" in _refusal(torch, nn.Linear(2, 1))


@contextlib.contextmanager
def activation_op(name: str, forward, local_grads, torch_name):
    """An activation op defined for the block, then removed again."""
    from micrograd_scratch import Value

    assert name not in ops.OPS
    try:
        yield ops.define(name, kind="activation", forward=forward, local_grads=local_grads,
                         torch=torch_name)
    finally:
        ops.OPS.pop(name, None)
        if name in vars(Value):
            delattr(Value, name)


def _softplus(x: float) -> float:
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def test_an_activation_defined_with_a_torch_name_crosses_over(torch):
    with activation_op("softplus", _softplus, lambda out, x: (ops.sigmoid(x),),
                       "nn.functional.softplus"):
        model = MLP(2, [4, 1], activation="softplus", seed=0)
        module = torch_bridge.to_torch(model)
        assert "(L0_softplus): Softplus(beta=1.0, threshold=20.0)" in str(module)
        x = [0.5, -1.5]
        assert abs(module(torch.tensor([x], dtype=torch.float64)).item() - model(x).data) <= 1e-15
        back = torch_bridge.from_torch(module)
        assert back.layers[0].neurons[0].activation == "softplus"
        assert state_dict(back) == state_dict(model)
        # a Softplus with other arguments computes another function: refused by name
        module.L0_softplus.beta = 2.0
        message = _refusal(torch, module)
        assert "the op 'softplus' does not compute what torch.nn.Softplus does" in message


def test_an_activation_without_a_torch_counterpart_is_named(torch):
    with activation_op("square_plus", lambda x: x * x + x, lambda out, x: (2 * x + 1,), None):
        with pytest.raises(ValueError) as info:
            torch_bridge.to_torch(MLP(2, [3, 1], activation="square_plus", seed=0))
        supported = [a for a in activation_names() if a != "square_plus"]
    message = str(info.value)
    assert message.startswith(
        "to_torch: layer L0 uses the activation 'square_plus', which has no torch.nn layer"
    )
    assert f"supported: {', '.join(supported)})" in message and "\n" not in message


@contextlib.contextmanager
def redefined(name: str, forward, local_grads):
    """ops.OPS[name] with a new forward and local derivatives, as a learner
    edits it; afterwards defined back with every field it had."""
    op = ops.OPS[name]
    fields = {key: value for key, value in vars(op).items() if key not in ("name", "apply")}
    try:
        ops.define(name, **dict(fields, forward=forward, local_grads=local_grads), replace=True)
        yield op
    finally:
        ops.define(name, **fields, replace=True)
        assert {k: v for k, v in vars(ops.OPS[name]).items() if k != "apply"} == dict(fields, name=name)


def test_a_redefined_activation_is_refused_by_name_not_exported_as_torchs(torch):
    model = MLP(2, [3, 1], seed=0)  # relu hidden layer
    module = torch_bridge.to_torch(model)
    leaky = (lambda x: x if x > 0 else 0.01 * x,
             lambda out, x: (1.0 if ops.data(x) > 0 else 0.01,))
    with redefined("relu", *leaky):
        with pytest.raises(ValueError) as info:
            torch_bridge.to_torch(model)
        message = str(info.value)
        assert message.startswith("to_torch: layer L0: the op 'relu' does not compute what "
                                  "torch.nn.ReLU does: relu(-3) is -0.03 here but 0.0 in torch")
        assert "\n" not in message
        # and torch's ReLU is not read back as the redefined relu either
        assert "the op 'relu' does not compute" in _refusal(torch, module)
    # put back, the same model exports again
    assert str(torch_bridge.to_torch(model)) == str(module)


def test_to_torch_refuses_what_is_not_an_mlp(torch):
    from micrograd_scratch import Neuron

    with pytest.raises(TypeError, match="to_torch: expected an MLP, got Neuron"):
        torch_bridge.to_torch(Neuron(2, seed=0))


def test_from_state_dict_reads_the_activations_from_the_layer_names(torch):
    model = MLP(3, [4, 4, 2], activation="sigmoid", output_activation="tanh", seed=2)
    state = torch_bridge.to_torch(model).state_dict()
    back = torch_bridge.from_state_dict(state)
    assert state_dict(back) == state_dict(model)
    assert back.layers[0].neurons[0].activation == "sigmoid"
    assert back.layers[2].neurons[0].activation == "tanh"
    # a plain dict has no layer names: the activations must be given
    plain = dict(state)
    with pytest.raises(ValueError, match="does not say which activations follow"):
        torch_bridge.from_state_dict(plain)
    given = torch_bridge.from_state_dict(plain, activation="sigmoid", output_activation="tanh")
    assert state_dict(given) == state_dict(model)


def test_from_state_dict_refuses_what_is_not_a_sequential_of_linears(torch):
    weight = torch.zeros(2, 3, dtype=torch.float64)
    for state, message in [
        ({"0.weight": weight, "1.running_mean": weight}, "'1.running_mean' is not a Linear"),
        ({"net.0.weight": weight}, "'net.0.weight' is not a layer of one Sequential"),
        ({"0.weight": torch.zeros(3)}, "'0.weight' has shape (3,)"),
        ({"0.bias": torch.zeros(3)}, "'0.weight' is missing"),
        ({}, "holds no Linear layer"),
        ([weight], "expected a state_dict"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            torch_bridge.from_state_dict(state, activation="relu")


def test_values_and_tensors_convert_both_ways(torch):
    from micrograd_scratch import Value

    t = torch_bridge.to_tensor(Value(0.1 + 0.2))
    assert t.dtype == torch.float64 and t.requires_grad and t.dim() == 0
    assert t.item() == 0.1 + 0.2  # the same double
    v = torch_bridge.to_value(t * 3, label="y")
    assert isinstance(v, Value) and v.data == (0.1 + 0.2) * 3 and v.label == "y"
    with pytest.raises(ValueError, match="the tensor has 2"):
        torch_bridge.to_value(torch.zeros(2))


# ---- the same numbers ---------------------------------------------------------


@pytest.mark.parametrize("spec", MODELS)
def test_same_outputs_on_100_random_inputs(torch, spec):
    model = build(spec)
    module = torch_bridge.to_torch(model)
    rng = random.Random(1)
    X = [[rng.uniform(-3, 3) for _ in range(spec["nin"])] for _ in range(100)]
    theirs = module(torch.tensor(X, dtype=torch.float64)).tolist()
    worst = 0.0
    for x, row in zip(X, theirs):
        out = model(x)
        ours = [v.data for v in out] if isinstance(out, list) else [out.data]
        worst = max(worst, max(abs(a - b) for a, b in zip(ours, row)))
    assert worst <= 1e-12


def test_a_small_expression_has_the_same_gradient_both_ways(torch):
    result = torch_bridge.gradients_both_ways(
        lambda a, b, c: (a * b + b.exp() / c).tanh() + (c ** 2).log() - a.sigmoid() * b.relu(),
        2.0, 0.5, -1.5, names=["a", "b", "c"],
    )
    assert list(result.grads) == ["a", "b", "c"]
    assert all(g != 0 for g in result.grads.values())
    assert result.max_difference <= 1e-15


@pytest.mark.parametrize("loss, nouts, targets", [
    ("mse", [6, 1], [0.5, -1.0, 2.0, 0.0]),
    ("bce", [6, 1], [1, 0, 1, 1]),
    ("hinge", [6, 6, 1], [1, 0, 0, 1]),
    ("cross_entropy", [6, 3], [2, 0, 1, 2]),
])
def test_every_parameter_gets_the_same_gradient(torch, loss, nouts, targets):
    model = MLP(2, nouts, activation="tanh", seed=3)
    X = [[0.3, -1.2], [1.5, 0.2], [-0.7, 0.9], [0.0, 0.0]]
    result = torch_bridge.loss_both_ways(model, X, targets, loss, l2=1e-3)
    assert relative(result.output, result.torch_output) <= 1e-14
    assert list(result.grads) == list(state_dict(model))  # every parameter, by name
    for name, g in result.grads.items():
        assert abs(g - result.torch_grads[name]) <= 1e-14, name
    # the model's own .grad holds our gradients
    assert [p.grad for p in model.parameters()] == list(result.grads.values())


TRAINING = [
    pytest.param("xor", dict(loss="mse", lr=0.1), id="xor-mse"),
    pytest.param("moons", dict(loss="hinge", l2=1e-4, schedule=LinearDecay(1.0, 0.1, 100)),
                 id="moons-hinge-l2-decay"),
    pytest.param("moons", dict(loss="bce", lr=0.2, batch_size=16, seed=5), id="moons-minibatch"),
]


def _data(name: str):
    return xor() if name == "xor" else moons(n=60, noise=0.1, seed=0)


@pytest.mark.parametrize("data, options", TRAINING)
def test_100_training_steps_give_the_same_losses(torch, data, options):
    X, y = _data(data)
    model = MLP(2, [8, 8, 1], seed=0)
    module = torch_bridge.to_torch(model)
    ours = fit(model, X, y, epochs=100, **options)
    theirs = torch_bridge.fit_torch(module, X, y, epochs=100, **options)
    assert len(ours) == len(theirs) == 100
    assert max(relative(a, b) for a, b in zip(ours, theirs)) <= 1e-12
    assert ours[-1] < ours[0] / 2  # it did train
    for name, p, t, i in torch_bridge.parameter_pairs(model, module):
        assert abs(p.data - t[i].item()) <= 1e-12, name


# ---- the state_dict, read by a plain torch script ----------------------------

PLAIN_SCRIPT = """
import sys
from collections import OrderedDict
import torch

# The Sequential that to_torch printed, written out by hand.
net = torch.nn.Sequential(OrderedDict([
    ("L0", torch.nn.Linear(2, 4, dtype=torch.float64)),
    ("L0_tanh", torch.nn.Tanh()),
    ("L1", torch.nn.Linear(4, 1, dtype=torch.float64)),
]))
net.load_state_dict(torch.load(sys.argv[1]))
print(repr(net(torch.tensor([[0.5, -1.0]], dtype=torch.float64)).item()))
"""


def test_the_state_dict_loads_in_a_plain_torch_script(torch, tmp_path):
    model = MLP(2, [4, 1], activation="tanh", seed=7)
    module = torch_bridge.to_torch(model)
    assert "(L0_tanh): Tanh()" in str(module)
    path = tmp_path / "model.pt"
    torch.save(module.state_dict(), path)
    script = tmp_path / "plain.py"
    script.write_text(PLAIN_SCRIPT)
    # a separate process that imports torch and nothing of ours
    proc = subprocess.run(
        [sys.executable, str(script), str(path)], cwd=tmp_path, capture_output=True, text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert abs(float(proc.stdout) - model([0.5, -1.0]).data) <= 1e-15


# ---- on a GPU ----------------------------------------------------------------------


def test_cuda_gives_the_same_numbers(torch):
    if not torch.cuda.is_available():
        pytest.skip("torch.cuda.is_available() is False: no CUDA device (or a CPU-only torch)")
    X, y = moons(n=60, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    module = torch_bridge.to_torch(model, device="cuda")
    assert module.L0.weight.device.type == "cuda"
    outputs = module(torch.tensor(X, dtype=torch.float64, device="cuda"))[:, 0].tolist()
    assert max(abs(model(x).data - o) for x, o in zip(X, outputs)) <= 1e-12
    options = dict(loss="hinge", l2=1e-4, schedule=LinearDecay(1.0, 0.1, 100))
    ours = fit(model, X, y, epochs=100, **options)
    theirs = torch_bridge.fit_torch(module, X, y, epochs=100, **options)
    assert max(relative(a, b) for a, b in zip(ours, theirs)) <= 1e-12
    back = torch_bridge.from_torch(module)  # from the GPU, to plain floats
    assert max(abs(a - b) for a, b in zip(
        state_dict(back).values(), state_dict(model).values()
    )) <= 1e-12


# ---- the command line, run as the installed command ------------------------------

COMMAND = pathlib.Path(sys.executable).with_name("micrograd-scratch")


def cli(*args: str, cwd, env=None) -> subprocess.CompletedProcess:
    if not COMMAND.exists():
        pytest.skip(f"the micrograd-scratch command is not installed next to {sys.executable}")
    return subprocess.run(
        [str(COMMAND), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
        env=env if env is not None else dict(os.environ),
    )


@pytest.fixture
def saved_model(tmp_path):
    from micrograd_scratch import save

    model = MLP(2, [5, 3, 1], activation="tanh", output_activation="sigmoid", seed=4)
    save(model, tmp_path / "model.json")
    return model


def test_cli_export_writes_what_the_printed_plain_script_loads(torch, tmp_path, saved_model):
    proc = cli("export", "--model", "model.json", "--torch", "model.pt", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    printed, code = proc.stdout.split("to load it in plain PyTorch:\n")
    assert "(L1_tanh): Tanh()" in printed and "(L2_sigmoid): Sigmoid()" in printed
    assert "micrograd" not in code  # plain torch
    script = code + "print(repr(net(torch.tensor([[0.25, -2.0]], dtype=torch.float64)).item()))\n"
    (tmp_path / "plain.py").write_text(script)
    run = subprocess.run([sys.executable, "plain.py"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert abs(float(run.stdout) - saved_model([0.25, -2.0]).data) <= 1e-15


def test_cli_import_gives_back_the_same_model_file(torch, tmp_path, saved_model):
    assert cli("export", "--model", "model.json", "--torch", "model.pt", cwd=tmp_path).returncode == 0
    proc = cli("import", "--torch", "model.pt", "--model", "back.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "MLP(2, [5, 3, 1]), activation tanh, output_activation sigmoid" in proc.stdout
    assert (tmp_path / "back.json").read_text() == (tmp_path / "model.json").read_text()


def test_cli_export_and_import_of_a_model_without_biases(torch, tmp_path):
    from micrograd_scratch import save

    save(MLP(2, [3, 1], bias=False, seed=0), tmp_path / "model.json")
    proc = cli("export", "--model", "model.json", "--torch", "model.pt", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "(L0): Linear(in_features=2, out_features=3, bias=False)" in proc.stdout
    proc = cli("import", "--torch", "model.pt", "--model", "back.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "back.json").read_text() == (tmp_path / "model.json").read_text()


def test_cli_export_refuses_a_redefined_activation_in_one_line(torch, tmp_path, capsys,
                                                               monkeypatch):
    # A learner's session: relu redefined as a leaky relu, then the CLI's
    # export (run in this process: the installed command would not see the edit).
    from micrograd_scratch import cli, save

    monkeypatch.chdir(tmp_path)
    save(MLP(2, [3, 1], seed=0), "relu.json")
    with redefined("relu", lambda x: x if x > 0 else 0.01 * x,
                   lambda out, x: (1.0 if ops.data(x) > 0 else 0.01,)):
        status = cli.main(["export", "--model", "relu.json", "--torch", "relu.pt"])
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    assert err.count("\n") == 1, err  # one line, no traceback
    assert "the op 'relu' does not compute what torch.nn.ReLU does" in err
    assert not (tmp_path / "relu.pt").exists()


def test_cli_export_float32_rounds_and_import_reads_it(torch, tmp_path, saved_model):
    proc = cli("export", "--model", "model.json", "--torch", "m32.pt", "--dtype", "float32",
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "dtype=torch.float32" in proc.stdout
    state = torch.load(tmp_path / "m32.pt", weights_only=True)
    assert state["L0.weight"].dtype == torch.float32
    proc = cli("import", "--torch", "m32.pt", "--model", "back.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_cli_import_of_a_plain_sequential_needs_its_activations(torch, tmp_path):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    torch.save(net.state_dict(), tmp_path / "plain.pt")
    proc = cli("import", "--torch", "plain.pt", "--model", "m.json", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    message = proc.stderr.strip().splitlines()[-1]
    assert "the layer '1' is not named as export names activations" in message
    assert "--activation" in message
    proc = cli("import", "--torch", "plain.pt", "--model", "m.json", "--activation", "relu",
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    from micrograd_scratch import load

    x = [0.3, -0.8]
    expected = net(torch.tensor([x])).item()  # float32
    assert load(tmp_path / "m.json")(x).data == pytest.approx(expected, rel=1e-6)


def test_cli_import_refuses_a_file_that_is_not_a_state_dict(torch, tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"not a torch file at all")
    proc = cli("import", "--torch", "junk.pt", "--model", "m.json", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "junk.pt: not a PyTorch state_dict file" in proc.stderr.splitlines()[-1]
    assert "weights_only=False" not in proc.stderr  # torch's advice to load code: never ours
    proc = cli("import", "--torch", "missing.pt", "--model", "m.json", cwd=tmp_path)
    assert proc.returncode == 2 and "cannot read 'missing.pt'" in proc.stderr
    assert not (tmp_path / "m.json").exists()


def test_cli_without_torch_says_how_to_install_it(tmp_path, saved_model):
    # A `torch` package that fails to import, as where torch is not installed.
    fake = tmp_path / "no_torch" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'torch'\")\n")
    env = dict(os.environ, PYTHONPATH=str(fake.parent))
    for args in (["export", "--model", "model.json", "--torch", "model.pt"],
                 ["import", "--torch", "model.pt", "--model", "back.json"]):
        proc = cli(*args, cwd=tmp_path, env=env)
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout == ""
        assert proc.stderr.count("\n") == 1, proc.stderr  # one line, no traceback
        assert proc.stderr.startswith("micrograd-scratch: error: PyTorch is not installed: ")
        assert 'pip install -e ".[torch]"' in proc.stderr
    assert not (tmp_path / "model.pt").exists()
