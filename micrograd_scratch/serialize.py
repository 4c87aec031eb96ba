"""Saving and loading trained models: a JSON file that loses nothing.

A model file holds everything needed to rebuild the model, not only its
numbers:

    {
      "format": "micrograd-scratch/model",
      "version": 1,
      "architecture": {"kind": "MLP", "nin": 2, "nouts": [4, 1],
                       "activation": "relu", "output_activation": "linear"},
      "parameters": [0.23, -0.71, ...],
      "loss": "hinge"
    }

`parameters` lists every parameter in `model.parameters()` order (layer by
layer, neuron by neuron, the weights then the bias). `architecture` is one of

    {"kind": "MLP", "nin": n, "nouts": [...], "activation": a, "output_activation": a}
    {"kind": "Layer", "nin": n, "nout": n, "activation": a}
    {"kind": "Neuron", "nin": n, "activation": a}

with `"bias": false` added when the neurons have no bias (`bias=False`;
without the key, as in files saved before, they have one). `loss`, a key
of losses.LOSSES, is there when `save` was told the loss the model was
trained with (which says how its output reads as a class); `load` gives
it back as the model's `trained_with` (None without it).

Three promises, and how they are kept:

- Floats round-trip exactly. `json` writes a float as `repr(x)`, the
  shortest text that reads back as the same float, so 0.1 + 0.2 comes back
  as 0.30000000000000004, bit for bit. NaN and infinity have no JSON
  spelling, so `save` refuses them (a model holding them has diverged).
- A crash mid-save never destroys the previous file. `save` writes a
  temporary file in the same folder, flushes and fsyncs it, then renames it
  over the old one with `os.replace`, which is atomic: a reader sees the old
  file or the new one, never half of each. On any error the temporary
  file is removed and the old file is left as it was.
- A bad file never half-loads. Everything (format, version, architecture,
  every number) is checked before the first parameter is assigned; the
  first problem raises `ModelFileError`, naming the file and the problem.

`state_dict(model)` / `load_state_dict(model, state)` are the in-memory
halves, in PyTorch's style: a dict from parameter name ("L0.N3.w1") to
float, and its checked inverse.

Sources: PyTorch's `state_dict` / `load_state_dict` (named parameters,
strict loading); the write-to-temporary-then-rename idiom for atomic
files (POSIX rename(2); Python's `os.replace`).
"""

from __future__ import annotations

import json
import math
import os
from typing import Union

from .data import NotARegularFile, open_regular
from .engine import Value
from .files import write_atomically
from .losses import LOSSES
from .nn import MLP, Layer, Module, Neuron, activation_names

__all__ = [
    "FORMAT", "VERSION", "ModelFileError", "MAX_LAYER_SIZE", "MAX_HIDDEN_LAYERS",
    "MAX_PARAMETERS", "MAX_FILE_BYTES", "parameter_count", "check_model_size",
    "named_parameters", "state_dict", "load_state_dict", "save", "load",
]

FORMAT = "micrograd-scratch/model"
VERSION = 1

# The largest model this package builds from outside input: a model file,
# and the command line's and the explorer's --hidden. A scalar network
# this large already takes minutes a step; past it, a typo (16000 for 16)
# or a crafted file would fill the memory before anything ran. Two hidden
# layers of the largest size fit (1,054,722 parameters).
MAX_LAYER_SIZE = 1024  # neurons in a layer, and inputs to one
MAX_HIDDEN_LAYERS = 16
MAX_PARAMETERS = 1_100_000

# A model file larger than this is refused unread: room for MAX_PARAMETERS
# numbers at full precision, one a line as `save` writes them (about 26
# bytes each), with some to spare.
MAX_FILE_BYTES = 40 * MAX_PARAMETERS

PathLike = Union[str, "os.PathLike[str]"]


class ModelFileError(ValueError):
    """A model file that cannot be loaded: the message names the file and
    what is wrong with it."""


# ---- names and the in-memory state -------------------------------------


def named_parameters(model: Module) -> list[tuple[str, Value]]:
    """(name, parameter) pairs in `model.parameters()` order.

    Names describe where a parameter sits inside `model` ("L0.N3.w1" is
    weight 1 of neuron 3 of layer 0 of an MLP; "N3.w1" the same weight of a
    Layer; "w1" of a Neuron), so a state saved from one model loads into
    any model of the same shape. Other Modules name parameters by position.
    """
    kind = type(model)
    if kind is MLP:
        return [
            (f"L{i}.{name}", p)
            for i, layer in enumerate(model.layers)
            for name, p in named_parameters(layer)
        ]
    if kind is Layer:
        return [
            (f"N{j}.{name}", p)
            for j, neuron in enumerate(model.neurons)
            for name, p in named_parameters(neuron)
        ]
    if kind is Neuron:
        return list(model.named_parameters().items())  # "b" only when it has a bias
    if isinstance(model, Module):
        return [(str(i), p) for i, p in enumerate(model.parameters())]
    raise TypeError(f"expected a Module (MLP, Layer, Neuron...), got {type(model).__name__}")


def state_dict(model: Module) -> dict[str, float]:
    """Every parameter's value by name: {"L0.N0.w0": 0.23, ...}."""
    return {name: p.data for name, p in named_parameters(model)}


def load_state_dict(model: Module, state: dict) -> None:
    """Set `model`'s parameters from `state` (as made by `state_dict`).

    Strict, as PyTorch's default: the names must match exactly and every
    value must be a finite number. The whole state is checked first, so on
    a ValueError the model is left untouched.
    """
    if not isinstance(state, dict):
        raise TypeError(f"load_state_dict: state must be a dict, got {type(state).__name__}")
    named = named_parameters(model)
    names = [name for name, _ in named]
    missing = [n for n in names if n not in state]
    known = set(names)
    unexpected = [n for n in state if n not in known]
    if missing or unexpected:
        problems = []
        if missing:
            problems.append(f"missing {_some(missing)}")
        if unexpected:
            problems.append(f"unexpected {_some(unexpected)}")
        raise ValueError(
            f"load_state_dict: the state does not fit this {type(model).__name__} "
            f"({len(names)} parameters): {'; '.join(problems)}"
        )
    values = [_finite_number(state[name], f"parameter {name!r}") for name in names]
    for (_, p), x in zip(named, values):  # only now, with everything checked
        p.data = x


def _some(names: list, limit: int = 3) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = len(names) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _finite_number(x, what: str) -> float:
    """x as a finite float, or a ValueError saying what x was."""
    if type(x) is bool or not isinstance(x, (int, float)):
        raise ValueError(f"{what} must be a number, got {type(x).__name__} {x!r}")
    try:
        x = float(x)
    except OverflowError:
        raise ValueError(f"{what} is too large for a float") from None
    if not math.isfinite(x):
        raise ValueError(f"{what} is {x!r}; only finite numbers are allowed")
    return x


# ---- architecture: what to rebuild -------------------------------------


def architecture(model: Module) -> dict:
    """The constructor arguments that rebuild `model`'s shape."""
    kind = type(model)
    if kind is Neuron:
        arch = {"kind": "Neuron", "nin": len(model.w), "activation": model.activation}
        neurons = [model]
    elif kind is Layer:
        arch = {
            "kind": "Layer",
            "nin": len(model.neurons[0].w),
            "nout": len(model.neurons),
            "activation": _shared_activation(model.neurons, "the layer's neurons"),
        }
        neurons = model.neurons
    elif kind is MLP:
        hidden = [n for layer in model.layers[:-1] for n in layer.neurons]
        arch = {
            "kind": "MLP",
            "nin": len(model.layers[0].neurons[0].w),
            "nouts": [len(layer.neurons) for layer in model.layers],
            # With no hidden layer this is unused; MLP's default stands in.
            "activation": _shared_activation(hidden, "the hidden layers") if hidden else "relu",
            "output_activation": _shared_activation(model.layers[-1].neurons, "the output layer"),
        }
        neurons = [n for layer in model.layers for n in layer.neurons]
    else:
        raise TypeError(
            f"save: can rebuild an MLP, a Layer or a Neuron, not a {kind.__name__}; "
            "use state_dict() and load_state_dict() for other modules"
        )
    if not _shared_bias(neurons):
        arch["bias"] = False  # written only then, so files with biases read as before
    return arch


def _shared_bias(neurons: list) -> bool:
    """Whether the neurons have a bias: all of them, or none (the one
    `bias=` of the constructors)."""
    found = {"b" in n.named_parameters() for n in neurons}
    if len(found) != 1:
        raise ValueError("save: some neurons have a bias and some do not; cannot rebuild "
                         "that (the constructors' bias= is one setting for all)")
    return found.pop()


def _shared_activation(neurons: list, where: str) -> str:
    found = sorted({n.activation for n in neurons})
    if len(found) != 1:
        raise ValueError(f"save: {where} mix activations {', '.join(found)}; cannot rebuild that")
    return found[0]


# The keys each kind's architecture must have, in constructor order
# (and "bias", which any of them may have).
_ARCHITECTURE_KEYS = {
    "MLP": ("kind", "nin", "nouts", "activation", "output_activation"),
    "Layer": ("kind", "nin", "nout", "activation"),
    "Neuron": ("kind", "nin", "activation"),
}


def _check_architecture(arch) -> int:
    """Raise ValueError unless `arch` describes a model; return its number
    of parameters (counted, not built, so a hand-edited size of 10**9 is
    caught before any memory is spent on it)."""
    if not isinstance(arch, dict):
        raise ValueError(f'"architecture" must be an object, got {_json_type(arch)}')
    kind = arch.get("kind")
    if not isinstance(kind, str) or kind not in _ARCHITECTURE_KEYS:
        raise ValueError(
            f'architecture "kind" must be one of {", ".join(_ARCHITECTURE_KEYS)}, got {kind!r}'
        )
    _check_keys(arch, _ARCHITECTURE_KEYS[kind], f"the {kind} architecture", optional=("bias",))
    nin = _check_size(arch["nin"], '"nin"')
    if type(arch.get("bias", True)) is not bool:
        raise ValueError(f'architecture "bias" must be true or false, got {arch["bias"]!r}')
    for key in ("activation", "output_activation"):
        if key in arch and arch[key] not in activation_names():
            raise ValueError(
                f'architecture "{key}" must be one of {", ".join(activation_names())}, got {arch[key]!r}'
            )
    if kind == "Neuron":
        nouts = [1]
    elif kind == "Layer":
        nouts = [_check_size(arch["nout"], '"nout"')]
    else:
        nouts = arch["nouts"]
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f'"nouts" must be a non-empty list of layer sizes, got {nouts!r}')
        if len(nouts) > MAX_HIDDEN_LAYERS + 1:
            raise ValueError(f'"nouts" has {len(nouts)} layers; at most {MAX_HIDDEN_LAYERS + 1} '
                             f"({MAX_HIDDEN_LAYERS} hidden and the output) are read")
        nouts = [_check_size(n, f'"nouts" entry {i}') for i, n in enumerate(nouts)]
    return check_model_size(nin, nouts, bias=arch.get("bias", True))


def _check_size(n, what: str) -> int:
    if type(n) is not int or n < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")
    if n > MAX_LAYER_SIZE:
        raise ValueError(f"{what} is {n}; at most {MAX_LAYER_SIZE} are read")
    return n


def parameter_count(nin: int, nouts: list[int], *, bias: bool = True) -> int:
    """The number of parameters of MLP(nin, nouts, bias=bias), counted, not
    built: each neuron has a weight per input, and a bias unless bias=False."""
    sizes = [nin] + list(nouts)
    return sum((a + int(bias)) * b for a, b in zip(sizes, sizes[1:]))


def check_model_size(nin: int, nouts: list[int], *, bias: bool = True) -> int:
    """parameter_count(nin, nouts, bias=bias), or a ValueError when it is
    above MAX_PARAMETERS (checked before a model is built, so that a size
    of 10**9 costs nothing)."""
    n = parameter_count(nin, nouts, bias=bias)
    if n > MAX_PARAMETERS:
        raise ValueError(f"the model would have {n:,} parameters; at most {MAX_PARAMETERS:,} "
                         f"are allowed")
    return n


def _check_loss(loss) -> str:
    if not isinstance(loss, str) or loss not in LOSSES:  # (a list in JSON is unhashable)
        raise ValueError(f'"loss" must be one of {", ".join(LOSSES)}, got {loss!r}')
    return loss


def _check_keys(obj: dict, expected: tuple, what: str, optional: tuple = ()) -> None:
    missing = [k for k in expected if k not in obj]
    if missing:
        raise ValueError(f"{what} is missing {_some(missing)}")
    unexpected = [k for k in obj if k not in expected + optional]
    if unexpected:
        raise ValueError(f"{what} has unexpected {_some(unexpected)}")


def _build(arch: dict) -> Module:
    """A model of the checked architecture `arch`. The fixed seed keeps the
    global `random` untouched; the weights are overwritten anyway."""
    bias = arch.get("bias", True)
    if arch["kind"] == "Neuron":
        return Neuron(arch["nin"], activation=arch["activation"], bias=bias, seed=0)
    if arch["kind"] == "Layer":
        return Layer(arch["nin"], arch["nout"], activation=arch["activation"], bias=bias, seed=0)
    return MLP(
        arch["nin"],
        arch["nouts"],
        activation=arch["activation"],
        output_activation=arch["output_activation"],
        bias=bias,
        seed=0,
    )


def _json_type(x) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(x), type(x).__name__)


# ---- files -------------------------------------------------------------


def save(model: Module, path: PathLike, *, loss: str | None = None) -> None:
    """Write `model` (an MLP, Layer or Neuron) to `path` as JSON, atomically,
    with `loss` (a key of losses.LOSSES), the loss it was trained with, when given.

    Raises ValueError before touching the disk when a parameter is NaN or
    infinite. If writing fails (full disk, interrupted), the file that was
    at `path` before is left as it was and no temporary file remains. A
    symbolic link is followed (the file it points to is replaced); a path
    that exists but is not a regular file (a folder, a device) is refused with an OSError.
    """
    arch = architecture(model)
    rebuilt = [name for name, _ in named_parameters(_build(arch))]
    named = named_parameters(model)
    if rebuilt != [name for name, _ in named]:
        raise ValueError(
            f"save: the {type(model).__name__}'s parameters do not match its own "
            f"architecture {arch} (was a weight list changed by hand?)"
        )
    for name, p in named:
        if not math.isfinite(p.data):
            raise ValueError(
                f"save: parameter {name} is {p.data!r}; JSON cannot store NaN or "
                "infinity (the model has diverged: lower the learning rate and retrain)"
            )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": arch,
        "parameters": [p.data for _, p in named],
    }
    if loss is not None:
        document["loss"] = _check_loss(loss)
    write_atomically(path, lambda f: _dump(document, f), text=True, durable=True)


def _dump(document: dict, f) -> None:
    json.dump(document, f, indent=2, allow_nan=False)
    f.write("\n")


def load(path: PathLike) -> Module:
    """Rebuild the model saved at `path` (an MLP for the CLI's files).

    Raises ModelFileError, naming the file and the problem, for a file that
    is not a complete, valid model file of this version (or not a regular
    file, or larger than MAX_FILE_BYTES); OSError (such as
    FileNotFoundError) when the file cannot be read at all.
    """
    path = os.fspath(path)
    raw = _read_regular_file(path)
    try:
        if len(raw) > MAX_FILE_BYTES:
            raise ValueError(f"larger than {MAX_FILE_BYTES // 2**20} MiB: not a model file")
        # A list of n numbers has n - 1 commas: a file with far more numbers
        # than any model here may have is refused before it is parsed.
        if raw.count(b",") > MAX_PARAMETERS + 100:
            raise ValueError(f"more numbers than the {MAX_PARAMETERS:,} parameters a model "
                             f"may have: not a model file")
        document = _parse(raw)
        n_expected = _check_document(document)
        params = document["parameters"]
        if len(params) != n_expected:
            raise ValueError(
                f"the architecture needs {n_expected} parameters but the file "
                f"has {len(params)}"
            )
        model = _build(document["architecture"])
        _check_numbers(model, params)
        for p, x in zip(model.parameters(), params):  # in named_parameters' order
            p.data = float(x)
        model.trained_with = _check_loss(document["loss"]) if "loss" in document else None
    except ValueError as e:
        raise ModelFileError(f"{path}: {e}") from None
    return model


def _check_numbers(model: Module, params: list) -> None:
    """Raise ValueError, naming the parameter, at the first entry of params
    that is not a finite number (the names are made only then: for a large
    model they take more memory than the numbers)."""
    for i, x in enumerate(params):
        if type(x) is float and math.isfinite(x) or type(x) is int and abs(x) < 2**1023:
            continue
        name, _ = named_parameters(model)[i]
        _finite_number(x, f"parameter {name!r}")  # raises, saying what x is


def _read_regular_file(path: str) -> bytes:
    """The bytes of path, at most MAX_FILE_BYTES + 1 of them (data.open_regular:
    a FIFO or /dev/zero is refused, never waited on or read for ever)."""
    try:
        with open_regular(path, "rb") as f:
            return f.read(MAX_FILE_BYTES + 1)
    except NotARegularFile:
        raise ModelFileError(f"{path}: not a regular file") from None


def _parse(raw: bytes):
    """The JSON document in raw, or a ValueError saying why there is none."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"not a model file: not UTF-8 text (byte {e.start})") from None
    if not text.strip():
        raise ValueError("the file is empty")

    def refuse(constant: str):
        raise ValueError(f"{constant} is not a number JSON allows; parameters must be finite")

    def no_duplicates(pairs: list) -> dict:
        document = dict(pairs)
        if len(document) < len(pairs):  # json's default keeps the last one, silently
            seen = set()
            twice = next(key for key, _ in pairs if key in seen or seen.add(key))
            raise ValueError(f"the key {twice!r} appears twice in one object; "
                             f"which one is meant cannot be known")
        return document

    try:
        return json.loads(text, parse_constant=refuse, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as e:
        raise ValueError(
            f"not valid JSON (truncated or corrupted?): {e.msg} at line {e.lineno} column {e.colno}"
        ) from None
    except RecursionError:
        raise ValueError("not a model file: JSON nested too deeply") from None


def _check_document(document) -> int:
    """Check the top level and the architecture; return the parameter count."""
    if not isinstance(document, dict):
        raise ValueError(f"not a model file: the JSON is {_json_type(document)}, not an object")
    if document.get("format") != FORMAT:
        raise ValueError(
            f'not a model file: "format" is {document.get("format")!r}, expected {FORMAT!r}'
        )
    version = document.get("version")
    if version != VERSION or type(version) is not int:
        raise ValueError(
            f"format version {version!r} is not supported (this micrograd_scratch "
            f"reads version {VERSION})"
        )
    _check_keys(document, ("format", "version", "architecture", "parameters"), "the file",
                optional=("loss",))
    if not isinstance(document["parameters"], list):
        raise ValueError(
            f'"parameters" must be a list of numbers, got {_json_type(document["parameters"])}'
        )
    return _check_architecture(document["architecture"])
