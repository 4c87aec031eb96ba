"""The same network in PyTorch: our MLP as a torch.nn.Sequential and back.

Learners who finish with this package go on to PyTorch, which runs the
same ideas on tensors, at scale. This module lets you watch the same
network, with the same weights, compute the same numbers in both worlds:

- `to_torch(model)` turns an `MLP` into a `torch.nn.Sequential` of
  `Linear` and activation layers, float64 by default. Layer i of our MLP
  becomes the `Linear` named "L{i}", whose row j is our neuron "L{i}.N{j}":
  our parameter "L0.N3.w1" is `weight[3, 1]` of torch's "L0", and
  "L0.N3.b" is its `bias[3]`. The activation after it is named
  "L{i}_{activation}" ("L0_relu"). Weights are copied exactly (a float64
  tensor holds the very same doubles as our Values).
- `from_torch(module)` goes the other way, for a Sequential of Linear
  layers each followed by at most one supported activation;
  `from_state_dict(state)` does it from a saved `state_dict` (the CLI's
  `import`), and `torch_source(module)` writes the plain PyTorch lines
  that rebuild the Sequential (what `export` prints).
- `to_tensor`, `to_value`, `gradients_both_ways` and `loss_both_ways`
  compute one thing in both engines, for the tutorial and the tests.
- `fit_torch` trains the torch model exactly as `optim.fit` trains ours
  (same loss, learning rates, L2 penalty and batch order), with each
  batch as one tensor.

One neuron's w . x + b (one fused `dot` node here) is one row of the
matrix product inside `nn.Linear`; the two sum the same terms, perhaps in
another order, so results agree to float64 round-off (about 1e-16
relative per sum), not always bit for bit.

PyTorch is optional (`pip install -e ".[torch]"`): it is imported inside
the functions that need it, so `import micrograd_scratch` never imports
it, and without it every function here raises `TorchNotInstalled`, whose
one-line message says how to install it.

The activations are mapped through the op registry: each activation op in
`ops.OPS` names its torch function in its `torch` field ("relu",
"nn.functional.softplus"), and its `torch.nn` layer is the class of that
name (ReLU, Softplus), found in torch.nn, not in a table of ours. Before a
model crosses over, each activation's forward is checked against that
layer on a few points, so an op a learner has redefined is refused by name
instead of being exported as torch's original.

Sources: PyTorch's `torch.nn.Linear` (y = x W^T + b, W of shape
(out_features, in_features)), `torch.nn.Sequential`, `state_dict`,
`torch.optim.SGD`.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Sequence

from .engine import Value
from .losses import LOSSES, l2 as l2_penalty
from .nn import MLP, activation_names
from .ops import OPS
from .optim import batch_order
from .serialize import named_parameters

__all__ = [
    "INSTALL_HINT", "TorchNotInstalled", "CHECK_POINTS", "TORCH_LOSSES", "torch_function",
    "to_torch", "from_torch", "from_state_dict", "torch_source", "parameter_pairs",
    "to_tensor", "to_value",
    "BothWays", "gradients_both_ways", "loss_both_ways", "fit_torch",
]

INSTALL_HINT = 'PyTorch is not installed: pip install -e ".[torch]" (or pip install torch)'


class TorchNotInstalled(ImportError):
    """PyTorch is needed and missing; the message says how to install it."""


def _torch():
    """The torch module, imported on first use."""
    try:
        import torch
    except ImportError:
        raise TorchNotInstalled(INSTALL_HINT) from None
    return torch


# ---- activations: our name <-> torch's layer --------------------------------

# The points where an activation's forward must agree with its torch layer
# before a model crosses over: both sides of 0, 0 itself, and the tails.
CHECK_POINTS = (-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0)


def torch_function(op_name: str):
    """The torch function with the same math as our op `op_name`: its
    `torch` field read as a dotted name under the torch module ("relu" is
    torch.relu, "nn.functional.leaky_relu" torch.nn.functional.leaky_relu);
    None when the op names none or torch lacks it. The one reading of the
    field: the tests, the layers and the losses all go through here."""
    op = OPS.get(op_name)
    if op is None or not op.torch:
        return None
    found = _torch()
    for part in op.torch.split("."):
        found = getattr(found, part, None)
    return found if callable(found) else None


def _layer_class(activation: str):
    """The torch.nn layer of `activation`'s torch function: the class named
    as the function is, without its underscores and case (relu -> ReLU,
    leaky_relu -> LeakyReLU, silu -> SiLU); None when torch.nn has none."""
    if torch_function(activation) is None:
        return None
    nn = _torch().nn
    wanted = OPS[activation].torch.rsplit(".", 1)[-1].replace("_", "")
    for name in dir(nn):
        cls = getattr(nn, name)
        if name.lower() == wanted and isinstance(cls, type) and issubclass(cls, nn.Module):
            return cls
    return None


def _supported_activations() -> list[str]:
    """Our activations that have a torch layer (plus "linear": none needed)."""
    return [a for a in activation_names() if a == "linear" or _layer_class(a) is not None]


def _check_same_forward(op_name: str, theirs, where: str) -> None:
    """Refuse, in one line naming the op, when our op and `theirs` (a torch
    layer or function) disagree on CHECK_POINTS: a learner who redefines
    relu as a leaky relu must not get torch's plain ReLU without a word.
    An op of two inputs is checked at (x, 2) and (x, 0.5), one of many
    inputs on the whole row of points."""
    torch = _torch()
    op = OPS[op_name]
    if op.kind == "binary":
        cases = [(x, n) for x in CHECK_POINTS for n in (2.0, 0.5)]
    elif op.kind == "n-ary":
        cases = [CHECK_POINTS]
    else:
        cases = [(x,) for x in CHECK_POINTS]
    for args in cases:
        tensors = [torch.tensor(a, dtype=torch.float64) for a in args]
        t = float(theirs(torch.tensor(args, dtype=torch.float64)) if op.kind == "n-ary"
                  else theirs(*tensors))
        try:
            ours = op.forward(*args)
        except (ValueError, ArithmeticError):  # outside our op's domain: torch says NaN or ±inf
            ours = math.nan
        if not (math.isclose(ours, t, rel_tol=1e-9, abs_tol=1e-12)
                or math.isnan(ours) and not math.isfinite(t)):
            twin = (f"torch.nn.{type(theirs).__name__}" if isinstance(theirs, torch.nn.Module)
                    else f"torch.{op.torch}")
            shown = ", ".join(f"{a:g}" for a in args) if len(args) < 3 else "..."
            raise ValueError(
                f"{where}: the op {op_name!r} does not compute what {twin} does: "
                f"{op_name}({shown}) is {ours!r} here but {t!r} in torch (was {op_name!r} redefined?)"
            )


def _torch_layer(activation: str, where: str):
    """A new torch.nn layer applying `activation`, checked to compute
    the same numbers, or a one-line error."""
    cls = _layer_class(activation)
    if cls is None:
        raise ValueError(
            f"{where} uses the activation {activation!r}, which has no "
            f"torch.nn layer here (supported: {', '.join(_supported_activations())})"
        )
    layer = cls()
    _check_same_forward(activation, layer, where)
    return layer


def _our_activation(layer) -> str | None:
    """Our activation that the torch layer `layer` applies (nn.ReLU -> "relu"),
    or None when it applies none of ours."""
    for activation in activation_names():
        if activation != "linear" and type(layer) is _layer_class(activation):
            return activation
    return None


# ---- the model: to_torch and from_torch -----------------------------------


def to_torch(model: MLP, dtype=None, device=None):
    """`model` as a `torch.nn.Sequential`, with its weights copied exactly.

    `dtype` defaults to torch.float64, which holds our floats exactly
    (float32 rounds each weight to about 7 digits); `device` is where the
    parameters live ("cpu", "cuda", a torch.device). Layer i becomes the
    Linear "L{i}" (row j = our neuron "L{i}.N{j}"; `bias=False` when its
    neurons have none) followed by the activation "L{i}_{name}", none for
    a linear layer. An activation whose forward disagrees with its torch
    layer (a redefined op) is refused in one line naming it.
    """
    torch = _torch()
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch: expected an MLP, got {type(model).__name__}")
    dtype = torch.float64 if dtype is None else dtype
    layers = OrderedDict()
    for i, layer in enumerate(model.layers):
        neurons = layer.neurons
        activations = sorted({n.activation for n in neurons})
        if len(activations) != 1:
            raise ValueError(
                f"to_torch: layer L{i} mixes the activations {', '.join(activations)}; "
                "a torch layer applies one to all its outputs"
            )
        has_bias = _has_bias(neurons, f"to_torch: layer L{i}")
        linear = torch.nn.Linear(len(neurons[0].w), len(neurons), bias=has_bias,
                                 dtype=dtype, device=device)
        # Built as float64 first (torch.tensor would make float32 of a
        # list of floats), so a float64 layer gets our doubles unrounded.
        weight = torch.tensor([[w.data for w in n.w] for n in neurons], dtype=torch.float64)
        with torch.no_grad():  # copying weights in is not part of any graph
            linear.weight.copy_(weight)
            if has_bias:
                linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        layers[f"L{i}"] = linear
        if activations[0] != "linear":
            layers[f"L{i}_{activations[0]}"] = _torch_layer(activations[0], f"to_torch: layer L{i}")
    return torch.nn.Sequential(layers)


def _has_bias(neurons: list, where: str) -> bool:
    """Whether the neurons of one layer have a bias: all of them, or none
    (a torch Linear has a bias for every output or for none)."""
    found = {n.b is not None for n in neurons}
    if len(found) != 1:
        raise ValueError(f"{where} mixes neurons with and without a bias; a torch Linear "
                         "has a bias for all its outputs or for none")
    return found.pop()


def from_torch(module) -> MLP:
    """An `MLP` with the weights of `module`, a `torch.nn.Sequential` of
    Linear layers, each followed by at most one activation layer of ours
    (ReLU, Tanh, Sigmoid, and those of ops defined with a torch name).

    The hidden layers must share one activation (an MLP has one). When
    no Linear has a bias, the MLP has none (`MLP(..., bias=False)`); when
    only some have one, the others get zero biases (an MLP has biases in
    all its layers or in none). Anything else (Dropout, a convolution, two
    activations in a row) is a one-line ValueError naming the layer.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch: expected a torch.nn.Sequential, got {type(module).__name__}")
    linears, activations = [], []
    for index, (name, layer) in enumerate(module.named_children()):
        where = f"layer {index} ({name!r}, {type(layer).__name__})"
        if isinstance(layer, torch.nn.Linear):
            if linears and len(activations) < len(linears):
                activations.append("linear")  # the previous Linear had none
            if linears and layer.in_features != linears[-1].out_features:
                raise ValueError(
                    f"from_torch: {where} takes {layer.in_features} inputs but the layer "
                    f"before gives {linears[-1].out_features}"
                )
            linears.append(layer)
            continue
        activation = _our_activation(layer)
        if activation is None:
            supported = [_layer_class(a).__name__ for a in _supported_activations()
                         if a != "linear"]
            raise ValueError(
                f"from_torch: {where} has no counterpart here; supported: Linear, "
                f"{', '.join(supported)}"
            )
        _check_same_forward(activation, layer, f"from_torch: {where}")  # Softplus(beta=2)
        if len(activations) == len(linears):  # first layer, or two activations in a row
            raise ValueError(f"from_torch: {where} does not follow a Linear layer")
        activations.append(activation)
    if not linears:
        raise ValueError("from_torch: the Sequential has no Linear layer")
    if len(activations) < len(linears):
        activations.append("linear")
    hidden = sorted(set(activations[:-1]))
    if len(hidden) > 1:
        raise ValueError(
            f"from_torch: the hidden layers mix the activations {', '.join(hidden)}; "
            "an MLP has one hidden activation"
        )
    model = MLP(
        linears[0].in_features,
        [layer.out_features for layer in linears],
        activation=hidden[0] if hidden else "relu",
        output_activation=activations[-1],
        bias=any(layer.bias is not None for layer in linears),
        seed=0,  # leaves the global random alone; every weight is overwritten below
    )
    for ours, theirs in zip(model.layers, linears):
        weight = theirs.weight.detach().to("cpu", torch.float64).tolist()
        bias = (
            theirs.bias.detach().to("cpu", torch.float64).tolist()
            if theirs.bias is not None
            else [0.0] * theirs.out_features
        )
        for neuron, row, b in zip(ours.neurons, weight, bias):
            for w, x in zip(neuron.w, row):
                w.data = x
            if neuron.b is not None:
                neuron.b.data = b
    return model


def torch_source(module, path: str | None = None) -> str:
    """Plain PyTorch code (nothing of ours imported) that builds a
    Sequential like `module`, a `to_torch` result, and, given `path`,
    loads the state_dict saved there into it."""
    dtype = str(next(module.parameters()).dtype)  # "torch.float64"
    lines = ["import torch", "from collections import OrderedDict", "",
             "net = torch.nn.Sequential(OrderedDict(["]
    for name, layer in module.named_children():
        if isinstance(layer, _torch().nn.Linear):
            bias = "" if layer.bias is not None else ", bias=False"
            built = f"torch.nn.Linear({layer.in_features}, {layer.out_features}{bias}, dtype={dtype})"
        else:
            built = f"torch.nn.{type(layer).__name__}()"
        lines.append(f"    ({name!r}, {built}),")
    lines.append("]))")
    if path is not None:
        lines.append(f"net.load_state_dict(torch.load({str(path)!r}))")
    return "\n".join(lines) + "\n"


def from_state_dict(state, *, activation: str | None = None,
                    output_activation: str | None = None) -> MLP:
    """An `MLP` from a Sequential's saved `state_dict` (`torch.load` of
    the file `export` writes).

    A state_dict holds the Linear layers' weights and biases but not the
    activations between them, which have none. `to_torch` names each
    activation layer after it ("L0_relu"), and torch keeps every layer's
    name in the state_dict's `_metadata`, so the activations are read
    from there. For a state_dict saved from another Sequential, give them:
    `activation` for the hidden layers, `output_activation` for the last
    (default "linear").
    """
    torch = _torch()
    if not isinstance(state, dict):
        raise ValueError(f"expected a state_dict (a dict of tensors), got {type(state).__name__}")
    linears = []  # the Linear layers' names, in order
    for key, tensor in state.items():
        prefix, _, kind = key.rpartition(".")
        if kind not in ("weight", "bias") or not isinstance(tensor, torch.Tensor):
            raise ValueError(f"entry {key!r} is not a Linear layer's weight or bias")
        if "." in prefix or not prefix:
            raise ValueError(f"entry {key!r} is not a layer of one Sequential")
        if kind == "weight" and tensor.dim() != 2:
            raise ValueError(f"entry {key!r} has shape {tuple(tensor.shape)}, not a Linear's 2-D (out_features, in_features)")
        if prefix not in linears:
            linears.append(prefix)
    missing = [f"{p}.weight" for p in linears if f"{p}.weight" not in state]
    if missing:
        raise ValueError(f"entry {missing[0]!r} is missing")
    if not linears:
        raise ValueError("the state_dict holds no Linear layer")
    if activation is None and output_activation is None:
        names = list(getattr(state, "_metadata", None) or {})
        kinds = _activations_named(names, linears)
    else:
        kinds = [activation or "relu"] * (len(linears) - 1) + [output_activation or "linear"]
    layers = OrderedDict()
    for prefix, kind in zip(linears, kinds):
        weight = state[f"{prefix}.weight"]
        layers[prefix] = torch.nn.Linear(weight.shape[1], weight.shape[0],
                                         bias=f"{prefix}.bias" in state, dtype=weight.dtype)
        if kind != "linear":
            layers[f"{prefix}_{kind}"] = _torch_layer(kind, f"layer {prefix}")
    module = torch.nn.Sequential(layers)
    try:
        module.load_state_dict(state)
    except RuntimeError as error:  # a bias of the wrong size, ...
        raise ValueError(str(error).splitlines()[-1].strip()) from None
    return from_torch(module)


def _activations_named(names: list[str], linears: list[str]) -> list[str]:
    """The activation after each Linear layer, from the layer names of a
    state_dict's `_metadata` (in the order the layers were added)."""
    if not names:
        raise ValueError(
            "the state_dict does not say which activations follow its Linear layers "
            "(it has no layer names); give them: activation=, output_activation= "
            "(--activation, --output-activation on the command line)"
        )
    found, last = {}, None
    for name in names:
        if name == "" or "." in name:  # the Sequential itself; layers inside layers
            continue
        if name in linears:
            last = name
            continue
        activation = name.rpartition("_")[2]
        if last is None or last in found or name != f"{last}_{activation}" \
                or activation not in _supported_activations() or activation == "linear":
            raise ValueError(
                f"the layer {name!r} is not named as export names activations "
                "(L0_relu after L0), so its activation is unknown; give them: activation=, "
                "output_activation= (--activation, --output-activation on the command line)"
            )
        found[last] = activation
    return [found.get(name, "linear") for name in linears]


def parameter_pairs(model: MLP, module) -> list[tuple[str, Value, object, tuple]]:
    """(our name, our parameter, torch parameter, index) for every
    parameter of `model`, in `model.parameters()` order: "L0.N3.w1" pairs
    with (module.L0.weight, (3, 1)), "L0.N3.b" with (module.L0.bias, (3,)).
    `module` is `to_torch(model)` or a Sequential with the same names."""
    pairs = []
    for name, p in named_parameters(model):
        layer, neuron, which = name.split(".")  # "L0", "N3", "w1" or "b"
        linear = getattr(module, layer)
        j = int(neuron[1:])
        if which == "b":
            pairs.append((name, p, linear.bias, (j,)))
        else:
            pairs.append((name, p, linear.weight, (j, int(which[1:]))))
    return pairs


# ---- one computation, both engines -----------------------------------------


def to_tensor(x: Value | float, *, dtype=None, device=None, requires_grad: bool = True):
    """A 0-dimensional tensor with the number of `x` (a Value or a number),
    a leaf that records its gradient, as a Value does; float64 unless
    `dtype` says otherwise."""
    torch = _torch()
    data = x.data if isinstance(x, Value) else float(x)
    dtype = torch.float64 if dtype is None else dtype
    return torch.tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def to_value(t, label: str = "") -> Value:
    """A Value with the number held by a one-element tensor `t`."""
    if t.numel() != 1:
        raise ValueError(f"to_value: a Value holds one number; the tensor has {t.numel()}")
    return Value(t.item(), label=label)


@dataclass
class BothWays:
    """One result computed by both engines: the outputs, and the gradients
    of each input or parameter by name (same order in both dicts)."""

    output: float
    torch_output: float
    grads: dict[str, float]
    torch_grads: dict[str, float]

    @property
    def max_difference(self) -> float:
        """The largest absolute difference, output and gradients together."""
        pairs = [(self.output, self.torch_output)]
        pairs += [(g, self.torch_grads[name]) for name, g in self.grads.items()]
        return max(abs(a - b) for a, b in pairs)


def gradients_both_ways(f: Callable, *xs: float, names: Sequence[str] | None = None) -> BothWays:
    """f(*xs) and its gradient by our backward and by torch's.

    `f` must be written with what Values and tensors share (+, -, *, /,
    **, .exp(), .log(), .tanh(), .sigmoid(), .relu()), e.g.
    `lambda a, b: (a * b + b.exp()).tanh()`; it is called once with Values
    and once with float64 tensors.
    """
    names = list(names) if names is not None else [f"x{i}" for i in range(len(xs))]
    values = [Value(float(x), label=n) for x, n in zip(xs, names)]
    out = f(*values)
    out.backward()
    tensors = [to_tensor(x) for x in xs]
    torch_out = f(*tensors)
    torch_out.backward()
    return BothWays(
        output=out.data,
        torch_output=torch_out.item(),
        grads={n: v.grad for n, v in zip(names, values)},
        torch_grads={n: 0.0 if t.grad is None else t.grad.item() for n, t in zip(names, tensors)},
    )


# Our batch losses (by their name in losses.LOSSES) on tensors: scores has
# one row per example, targets one entry per example. Each computes the
# same formula as ours, the mean over the batch.
def _torch_mse(torch, scores, targets):
    return ((scores[:, 0] - targets) ** 2).mean()


def _torch_bce(torch, scores, targets):
    return torch.nn.functional.binary_cross_entropy_with_logits(scores[:, 0], targets)


def _torch_hinge(torch, scores, targets):
    signs = torch.where(targets == 1, 1.0, -1.0).to(scores.dtype)  # 0 means -1, as ours
    relu = torch_function("relu")  # the relu op's torch twin: a leaky relu's, if redefined so
    return relu(1 - signs * scores[:, 0]).mean()


def _torch_cross_entropy(torch, scores, targets):
    return torch.nn.functional.cross_entropy(scores, targets.long())


TORCH_LOSSES = {
    "mse": _torch_mse, "bce": _torch_bce, "hinge": _torch_hinge,
    "cross_entropy": _torch_cross_entropy,
}


def _loss_name(loss) -> str:
    """The LOSSES name of `loss` (a name or one of the functions there),
    once every op it is built on (`used_by`) is checked, as activations
    are, to compute what its torch counterpart does."""
    for name, function in LOSSES.items():
        if loss == name or loss is function:
            for op in OPS.values():
                if name in op.used_by:
                    theirs = torch_function(op.name)
                    if theirs is None:
                        raise ValueError(f"the {name} loss is built on the op {op.name!r}, which "
                                         f"names no torch function (its torch= field)")
                    _check_same_forward(op.name, theirs, f"the {name} loss")
            return name
    raise ValueError(
        f"the loss must be one of {', '.join(LOSSES)} (or its function), got {loss!r}"
    )


def _torch_batch(X, y, module):
    """X and y as tensors of the module's dtype, on its device."""
    torch = _torch()
    first = next(module.parameters())
    xs = torch.tensor(X, dtype=first.dtype, device=first.device)
    ys = torch.tensor(y, dtype=first.dtype, device=first.device)
    return xs, ys


def _l2_torch(module, alpha: float):
    """alpha * sum of p**2 over every entry of every parameter, as losses.l2."""
    return alpha * sum((p * p).sum() for p in module.parameters())


def loss_both_ways(model: MLP, X, y, loss, *, l2: float = 0.0) -> BothWays:
    """The loss of `model` on the batch (X, y), and the gradient of every
    parameter, by our backward and by torch's backward through
    `to_torch(model)`; gradients named as in `state_dict(model)`.
    Leaves the model's own .grad holding our gradients."""
    torch = _torch()
    name = _loss_name(loss)
    module = to_torch(model)

    ours = LOSSES[name]([model(x) for x in X], list(y))
    if l2 > 0:
        ours = ours + l2_penalty(model.parameters(), l2)
    model.zero_grad()
    ours.backward()

    xs, ys = _torch_batch(X, y, module)
    theirs = TORCH_LOSSES[name](torch, module(xs), ys)
    if l2 > 0:
        theirs = theirs + _l2_torch(module, l2)
    theirs.backward()

    pairs = parameter_pairs(model, module)
    return BothWays(
        output=ours.data,
        torch_output=theirs.item(),
        grads={n: p.grad for n, p, _, _ in pairs},
        torch_grads={n: t.grad[i].item() for n, _, t, i in pairs},
    )


# ---- training: optim.fit on tensors ----------------------------------------


def fit_torch(
    module,
    X: Sequence,
    y: Sequence,
    loss,
    *,
    epochs: int,
    lr: float = 0.1,
    batch_size: int | None = None,
    schedule: Callable[[int], float] | None = None,
    l2: float = 0.0,
    seed: int = 0,
) -> list[float]:
    """Train a torch `module` as `optim.fit` trains our models; return the
    mean loss of each epoch, as `fit` does.

    Same loss (a name or function of `losses.LOSSES`), learning rate or
    schedule (step k uses schedule(k)), L2 penalty, and the same batches
    in the same order (`optim.batch_order`, which `fit` uses); the step
    is `torch.optim.SGD`. Each batch goes through the network as one
    tensor: one matrix product per layer instead of one dot node per neuron.
    """
    torch = _torch()
    name = _loss_name(loss)
    schedule = schedule if schedule is not None else (lambda k: lr)
    xs, ys = _torch_batch(X, y, module)
    n = len(X)
    optimizer = torch.optim.SGD(module.parameters(), lr=schedule(0))
    history, k = [], 0
    for _, batches in zip(range(epochs), batch_order(n, batch_size, seed)):
        epoch_total = 0.0
        for batch in batches:
            for group in optimizer.param_groups:
                group["lr"] = schedule(k)
            index = torch.tensor(batch, device=xs.device)
            batch_loss = TORCH_LOSSES[name](torch, module(xs[index]), ys[index])
            if l2 > 0:
                batch_loss = batch_loss + _l2_torch(module, l2)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            epoch_total += batch_loss.item() * len(batch)
            k += 1
        history.append(epoch_total / n)
    return history
