"""Saving and loading models: exact round trips, atomic writes, and one
clear error (never a half-loaded model) for every kind of bad file."""

from __future__ import annotations

import json
import math
import os
import random
import threading

import pytest

import micrograd_scratch as ms
from micrograd_scratch import cli, serialize
from micrograd_scratch.nn import MLP, Layer, Neuron
from micrograd_scratch.serialize import ModelFileError


def _values(model) -> list[float]:
    return [p.data for p in model.parameters()]


def _awkward_mlp() -> MLP:
    """An MLP whose weights need all 17 significant digits to round-trip."""
    model = MLP(3, [4, 3, 2], activation="tanh", output_activation="sigmoid", seed=7)
    odd = [0.1 + 0.2, 1 / 3, -2.0**-1074, 5e-324, 1.7976931348623157e308, -0.0, 1e-300]
    for i, p in enumerate(model.parameters()):
        p.data = odd[i] if i < len(odd) else random.Random(i).uniform(-1, 1) * 10.0 ** (i % 9)
    return model


def _listing(folder) -> list[str]:
    return sorted(os.listdir(folder))


# ---- round trips -------------------------------------------------------


def test_save_then_load_rebuilds_the_same_mlp_bit_for_bit(tmp_path):
    model = _awkward_mlp()
    path = tmp_path / "model.json"
    ms.save(model, path)
    loaded = ms.load(path)
    assert isinstance(loaded, MLP)
    assert [len(layer.neurons) for layer in loaded.layers] == [4, 3, 2]
    assert [n.activation for layer in loaded.layers for n in layer.neurons] == (
        ["tanh"] * 7 + ["sigmoid"] * 2
    )
    # Exact: compare the bits, which also tells -0.0 from 0.0.
    assert [x.hex() for x in _values(loaded)] == [x.hex() for x in _values(model)]
    # The same function, so the same output for the same input.
    x = [0.5, -1.25, 2.0]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]


def test_the_file_is_readable_json_in_the_documented_format(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    path = tmp_path / "m.json"
    ms.save(model, path)
    document = json.loads(path.read_text())
    assert document == {
        "format": "micrograd-scratch/model",
        "version": 1,
        "architecture": {
            "kind": "MLP", "nin": 2, "nouts": [3, 1],
            "activation": "relu", "output_activation": "linear",
        },
        "parameters": _values(model),
    }


def test_loading_leaves_the_global_random_generator_alone(tmp_path):
    path = tmp_path / "m.json"
    ms.save(MLP(2, [8, 8, 1], seed=3), path)
    random.seed(123)
    expected = random.random()
    random.seed(123)
    ms.load(path)
    assert random.random() == expected


@pytest.mark.parametrize(
    "model",
    [
        Neuron(3, activation="sigmoid", seed=1),
        Layer(2, 5, activation="tanh", seed=2),
        Layer(4, 1, activation="linear", seed=2),
        MLP(1, [1], seed=3),
        Neuron(3, activation="tanh", bias=False, seed=1),
        Layer(2, 3, bias=False, seed=2),
        MLP(2, [3, 1], bias=False, seed=3),
    ],
    ids=lambda model: f"{model!r} ({len(model.parameters())} parameters)",  # with and without biases
)
def test_neurons_layers_and_one_layer_mlps_round_trip_too(tmp_path, model):
    path = tmp_path / "m.json"
    ms.save(model, path)
    loaded = ms.load(path)
    assert type(loaded) is type(model)
    assert repr(loaded) == repr(model)
    assert serialize.state_dict(loaded) == serialize.state_dict(model)  # names: no "b" without bias


def test_a_model_without_biases_says_so_in_its_file_and_loads_without_them(tmp_path):
    path = tmp_path / "m.json"
    model = MLP(2, [3, 1], bias=False, seed=0)
    ms.save(model, path)
    document = json.loads(path.read_text())
    assert document["architecture"]["bias"] is False
    assert len(document["parameters"]) == 2 * 3 + 3 * 1  # weights only
    loaded = ms.load(path)
    assert all(n.b is None for layer in loaded.layers for n in layer.neurons)
    assert loaded([0.5, -2.0]).data == model([0.5, -2.0]).data
    # a model with biases writes no "bias" key, as files saved before it was added
    ms.save(MLP(2, [3, 1], seed=0), path)
    assert "bias" not in json.loads(path.read_text())["architecture"]


def test_save_refuses_a_model_whose_neurons_mix_bias_and_none(tmp_path):
    model = MLP(2, [2, 1], seed=0)
    model.layers[1].neurons[0].b = None  # as Neuron(bias=False) has it
    with pytest.raises(ValueError, match="some neurons have a bias and some do not"):
        ms.save(model, tmp_path / "m.json")
    assert _listing(tmp_path) == []


def test_saving_again_replaces_the_file_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "m.json"
    model = MLP(2, [2, 1], seed=0)
    ms.save(model, path)
    model.parameters()[0].data = 42.0
    ms.save(model, path)
    assert ms.load(path).parameters()[0].data == 42.0
    assert _listing(tmp_path) == ["m.json"]


def test_a_new_file_gets_ordinary_permissions_not_the_temporary_files(tmp_path):
    path = tmp_path / "m.json"
    ms.save(MLP(2, [1], seed=0), path)
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


# ---- state_dict / load_state_dict --------------------------------------


def test_state_dict_names_parameters_like_the_model_labels_them():
    model = MLP(2, [2, 1], seed=0)
    state = ms.state_dict(model)
    assert list(state) == [p.label for p in model.parameters()]
    assert list(state)[:3] == ["L0.N0.w0", "L0.N0.w1", "L0.N0.b"]
    assert list(state.values()) == _values(model)


def test_load_state_dict_copies_values_between_models_of_one_shape():
    source, target = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    ms.load_state_dict(target, ms.state_dict(source))
    assert _values(target) == _values(source)
    # A copy, not shared Values: training one does not move the other.
    source.parameters()[0].data += 1.0
    assert _values(target) != _values(source)


def test_names_are_relative_so_a_layer_taken_from_an_mlp_loads_into_a_fresh_layer():
    mlp = MLP(2, [3, 1], seed=1)
    layer = Layer(2, 3, seed=5)
    ms.load_state_dict(layer, ms.state_dict(mlp.layers[0]))
    assert _values(layer) == _values(mlp.layers[0])


def test_other_modules_are_named_by_position():
    class Pair(ms.Module):
        def __init__(self):
            self.a, self.b = ms.Value(1.0), ms.Value(2.0)

        def parameters(self):
            return [self.a, self.b]

    pair = Pair()
    assert ms.state_dict(pair) == {"0": 1.0, "1": 2.0}
    ms.load_state_dict(pair, {"0": 3.0, "1": 4.0})
    assert (pair.a.data, pair.b.data) == (3.0, 4.0)
    with pytest.raises(TypeError, match="can rebuild an MLP, a Layer or a Neuron, not a Pair"):
        ms.save(pair, "never-written.json")


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s.pop("L1.N0.b"), r"missing 'L1.N0.b'"),
        (lambda s: s.update({"L9.N0.w0": 1.0}), r"unexpected 'L9.N0.w0'"),
        (lambda s: s.update({"L0.N1.w0": "0.5"}), r"parameter 'L0.N1.w0' must be a number, got str"),
        (lambda s: s.update({"L0.N1.w0": True}), r"must be a number, got bool"),
        (lambda s: s.update({"L1.N0.b": math.nan}), r"'L1.N0.b' is nan"),
        (lambda s: s.update({"L1.N0.b": -math.inf}), r"'L1.N0.b' is -inf"),
        (lambda s: s.update({"L1.N0.b": 10**400}), r"too large for a float"),
    ],
)
def test_load_state_dict_rejects_a_bad_state_without_changing_anything(edit, message):
    model = MLP(2, [2, 1], seed=0)
    before = _values(model)
    state = {name: 9.0 for name in ms.state_dict(model)}  # every value would change
    edit(state)
    with pytest.raises(ValueError, match=message):
        ms.load_state_dict(model, state)
    assert _values(model) == before


def test_load_state_dict_names_both_shapes_when_they_differ():
    with pytest.raises(ValueError, match=r"does not fit this MLP \(9 parameters\).*missing.*and \d+ more"):
        ms.load_state_dict(MLP(2, [2, 1], seed=0), ms.state_dict(MLP(3, [1], seed=0)))


# ---- saving refuses what JSON cannot hold ------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_save_refuses_nan_and_infinity_and_keeps_the_old_file(tmp_path, bad):
    path = tmp_path / "m.json"
    model = MLP(2, [2, 1], seed=0)
    ms.save(model, path)
    before = path.read_bytes()
    model.layers[1].neurons[0].b.data = bad
    with pytest.raises(ValueError, match=r"parameter L1\.N0\.b is .*JSON cannot store NaN or infinity"):
        ms.save(model, path)
    assert path.read_bytes() == before
    assert _listing(tmp_path) == ["m.json"]


def test_save_refuses_a_model_edited_out_of_its_shape(tmp_path):
    model = MLP(2, [2, 1], seed=0)
    model.layers[0].neurons[1].w.append(ms.Value(0.5))  # a third weight on one neuron
    with pytest.raises(ValueError, match="do not match its own architecture"):
        ms.save(model, tmp_path / "m.json")
    assert _listing(tmp_path) == []


def test_save_refuses_mixed_activations_it_could_not_rebuild(tmp_path):
    model = MLP(2, [2, 2, 1], seed=0)
    model.layers[1].neurons[0].activation = "tanh"
    with pytest.raises(ValueError, match="hidden layers mix activations relu, tanh"):
        ms.save(model, tmp_path / "m.json")


# ---- atomic writes: a failure mid-save keeps the previous file ---------


def _fail(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize(
    "target",
    [(json, "dump"), (os, "fsync"), (os, "replace")],
    ids=["json.dump", "os.fsync", "os.replace"],
)
def test_a_crash_mid_save_leaves_the_previous_file_intact(tmp_path, monkeypatch, target):
    path = tmp_path / "model.json"
    old = MLP(2, [3, 1], seed=1)
    ms.save(old, path)
    before = path.read_bytes()

    monkeypatch.setattr(*target, _fail)
    with pytest.raises(OSError, match="No space left"):
        ms.save(MLP(2, [3, 1], seed=2), path)
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert _listing(tmp_path) == ["model.json"]  # no temporary file left behind
    assert _values(ms.load(path)) == _values(old)


def test_an_interrupt_half_way_through_writing_leaves_no_trace(tmp_path, monkeypatch):
    """A KeyboardInterrupt after some bytes are written: still all or nothing."""
    path = tmp_path / "model.json"

    def dump_half_then_interrupt(obj, fp, **kwargs):
        fp.write(json.dumps(obj, **kwargs)[:50])
        raise KeyboardInterrupt

    monkeypatch.setattr(json, "dump", dump_half_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        ms.save(MLP(2, [3, 1], seed=2), path)
    assert _listing(tmp_path) == []


def test_saving_into_a_missing_folder_is_an_os_error_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError):
        ms.save(MLP(2, [1], seed=0), tmp_path / "no-such-folder" / "m.json")


# ---- loading bad files: one clear error, naming the file ----------------


def _good_document() -> dict:
    model = MLP(2, [2, 1], seed=0)
    return {
        "format": "micrograd-scratch/model",
        "version": 1,
        "architecture": serialize.architecture(model),
        "parameters": _values(model),
    }


def _edited(edit) -> str:
    document = _good_document()
    edit(document)
    return json.dumps(document)


def _set(path: list, value):
    def edit(document):
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


def _delete(key):
    return lambda document: document.pop(key)


BAD_FILES = {
    "empty": ("", "the file is empty"),
    "truncated": (json.dumps(_good_document())[:-40], "not valid JSON"),
    "binary garbage": (b"\x89PNG\r\n\x1a\n\xff\xfe", "not UTF-8"),
    "a JSON list": ("[1, 2, 3]", "the JSON is a list, not an object"),
    "another format": (_edited(_set(["format"], "keras")), "'keras'"),
    "no format": (_edited(_delete("format")), "not a model file"),
    "version 2": (_edited(_set(["version"], 2)), "version 2 is not supported"),
    "version as text": (_edited(_set(["version"], "1")), "version '1' is not supported"),
    "version true": (_edited(_set(["version"], True)), "version True is not supported"),
    "no version": (_edited(_delete("version")), "version None is not supported"),
    "no parameters": (_edited(_delete("parameters")), "missing 'parameters'"),
    "extra key": (_edited(_set(["comment"], "hi")), "unexpected 'comment'"),
    "parameters not a list": (_edited(_set(["parameters"], {"a": 1})), "must be a list"),
    "no architecture": (_edited(_delete("architecture")), "missing 'architecture'"),
    "architecture a string": (_edited(_set(["architecture"], "MLP")), "must be an object"),
    "unknown kind": (_edited(_set(["architecture", "kind"], "CNN")), "kind.*'CNN'"),
    "kind a list": (_edited(_set(["architecture", "kind"], ["MLP"])), "kind.*\\['MLP'\\]"),
    "nin zero": (_edited(_set(["architecture", "nin"], 0)), '"nin" must be a positive integer'),
    "nin a float": (_edited(_set(["architecture", "nin"], 2.0)), '"nin" must be a positive integer'),
    "nin text": (_edited(_set(["architecture", "nin"], "2")), '"nin" must be a positive integer'),
    "nouts empty": (_edited(_set(["architecture", "nouts"], [])), '"nouts" must be a non-empty list'),
    "nouts negative": (_edited(_set(["architecture", "nouts"], [2, -1])), '"nouts" entry 1'),
    "huge layer": (_edited(_set(["architecture", "nouts"], [10**9, 1])), '"nouts" entry 0 is 1000000000; at most 1024'),
    "too many parameters": (_edited(_set(["architecture", "nouts"], [1024, 1024, 1024, 1])),
                            "would have 2,103,297 parameters; at most 1,100,000"),
    "too many layers": (_edited(_set(["architecture", "nouts"], [1] * 18)), '"nouts" has 18 layers; at most 17'),
    "a key twice": ('{"format": "micrograd-scratch/model", "format": "other"}', "'format' appears twice"),
    "unknown activation": (_edited(_set(["architecture", "activation"], "gelu")), "'gelu'"),
    "bias as text": (_edited(_set(["architecture", "bias"], "no")), '"bias" must be true or false'),
    "bias false, biases given": (_edited(_set(["architecture", "bias"], False)),
                                 "needs 6 parameters but the file has 9"),
    "typo in a key": (
        _edited(lambda d: d["architecture"].update(activaton=d["architecture"].pop("activation"))),
        "missing 'activation'",
    ),
    "a parameter too few": (_edited(lambda d: d["parameters"].pop()), "needs 9 parameters but the file has 8"),
    "a parameter too many": (_edited(lambda d: d["parameters"].append(0.5)), "has 10"),
    "NaN constant": (_edited(_set(["parameters", 3], 1.0)).replace("1.0", "NaN", 1), "NaN is not a number JSON allows"),
    "Infinity constant": (_edited(_set(["parameters", 3], 1.0)).replace("1.0", "-Infinity", 1), "-Infinity"),
    "nan as a string": (_edited(_set(["parameters", 3], "nan")), "parameter 'L0.N1.w0' must be a number, got str 'nan'"),
    "null parameter": (_edited(_set(["parameters", 8], None)), "parameter 'L1.N0.b' must be a number, got NoneType"),
    "boolean parameter": (_edited(_set(["parameters", 0], False)), "must be a number, got bool"),
    "overflowing number": (_edited(_set(["parameters", 0], 1.0)).replace("1.0", "1e400", 1), "'L0.N0.w0' is inf"),
    "overflowing integer": (_edited(_set(["parameters", 0], 10**400)), "too large for a float"),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "nested too deeply|not an object"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_raises_one_clear_error_naming_the_file_and_problem(tmp_path, name):
    content, problem = BAD_FILES[name]
    path = tmp_path / "bad model.json"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(ModelFileError, match=problem) as caught:
        ms.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    assert isinstance(caught.value, ValueError)  # callers may catch ValueError


def test_every_truncation_of_a_good_file_is_refused_cleanly(tmp_path):
    """A crash mid-copy can cut a file anywhere: every prefix is an error."""
    good = tmp_path / "good.json"
    ms.save(MLP(2, [2, 1], seed=0), good)
    text = good.read_text()
    cut = tmp_path / "cut.json"
    for n in range(len(text.rstrip())):
        cut.write_text(text[:n])
        with pytest.raises(ModelFileError, match="cut.json: "):
            ms.load(cut)


def test_a_missing_file_is_file_not_found():
    with pytest.raises(FileNotFoundError):
        ms.load("/nonexistent/model.json")


def test_the_good_document_used_above_does_load(tmp_path):
    """The bad files are one edit away from this one, which loads."""
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_good_document()))
    assert len(ms.load(path).parameters()) == 9


# ---- the command line: train --save, predict --model -----------------------
# Exit statuses (documented in `predict --help`): 0 on success; 2 for a bad
# argument, including a missing or damaged model file and the wrong number of
# inputs (all found before anything runs); 1 when writing the file fails at
# the end of training.

FAST = ["--epochs", "5", "--hidden", "4"]


def _run(capsys, argv):
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def _error_line(err: str) -> str:
    """The one line that says what was wrong (after argparse's usage lines)."""
    lines = err.strip().splitlines()
    assert sum(": error: " in line for line in lines) == 1, err
    assert ": error: " in lines[-1], err
    return lines[-1]


@pytest.mark.parametrize(
    "argv, n_outputs",
    [
        (["train", "--dataset", "xor", *FAST], 1),
        (["train", "--dataset", "blobs", "--loss", "cross-entropy", *FAST], 2),
        (["xor", *FAST], 1),
    ],
    ids=["train", "cross-entropy", "xor"],
)
def test_train_save_then_predict_prints_the_saved_models_output(tmp_path, capsys, argv, n_outputs):
    path = str(tmp_path / "model.json")
    status, out, err = _run(capsys, argv + ["--save", path])
    assert status == 0, err
    assert f"saved the model to {path}" in out

    model = ms.load(path)
    status, out, err = _run(capsys, ["predict", "--model", path, "0.25", "-1.5"])
    assert (status, err) == (0, "")
    expected = model([0.25, -1.5])
    expected = expected if isinstance(expected, list) else [expected]
    assert len(expected) == n_outputs
    # the class it predicts, then the numbers behind it at full precision
    first, numbers = out.splitlines()
    assert first.startswith("class ")
    assert all(repr(v.data) in numbers for v in expected), out


def test_the_saved_model_is_the_trained_one_not_a_fresh_one(tmp_path, capsys):
    path = str(tmp_path / "model.json")
    _run(capsys, ["xor", "--epochs", "300", "--save", path])
    outputs = []
    for x in ([0, 0], [0, 1], [1, 0], [1, 1]):
        status, out, _ = _run(capsys, ["predict", "--model", path, "--loss", "mse", *map(str, x)])
        outputs.append(out.splitlines()[0])
    # XOR, learned (the mse network regresses the label).
    assert outputs == ["class 0", "class 1", "class 1", "class 0"]


def test_save_into_a_missing_folder_is_refused_before_training(tmp_path, capsys):
    path = str(tmp_path / "nowhere" / "model.json")
    status, out, err = _run(capsys, ["train", "--dataset", "xor", *FAST, "--save", path])
    assert status == 2
    assert out == ""  # no epoch lines: refused while parsing
    assert "argument --save: cannot write" in _error_line(err)


def test_save_onto_a_folder_is_refused(tmp_path, capsys):
    status, _, err = _run(capsys, ["xor", *FAST, "--save", str(tmp_path)])
    assert status == 2
    assert "it is a folder" in _error_line(err)


def test_a_write_error_after_training_is_one_line_and_status_1(tmp_path, capsys, monkeypatch):
    def refuse(model, path, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli.outputs, "save", refuse)
    status, out, err = _run(capsys, ["xor", *FAST, "--save", str(tmp_path / "m.json")])
    assert status == 1
    assert "training accuracy" in out
    assert err == f"micrograd-scratch: error: --save: cannot write '{tmp_path / 'm.json'}': Permission denied\n"


def test_a_run_that_diverges_leaves_the_previous_model_file_alone(tmp_path, capsys):
    path = tmp_path / "model.json"
    assert _run(capsys, ["xor", *FAST, "--save", str(path)])[0] == 0
    before = path.read_bytes()
    status, _, err = _run(capsys, ["xor", "--lr", "1e6", "--epochs", "100", "--save", str(path)])
    assert status == 1
    assert "infinite" in err or "NaN" in err or "the loss grew" in err
    assert path.read_bytes() == before


@pytest.fixture
def saved_model(tmp_path):
    path = tmp_path / "model.json"
    ms.save(MLP(2, [3, 1], seed=0), path)
    return str(path)


@pytest.mark.parametrize(
    "inputs, reason",
    [
        (["1"], "the model takes 2 inputs, got 1"),
        (["1", "2", "3"], "the model takes 2 inputs, got 3"),
        (["1", "nan"], "argument X: expected a finite number, got nan"),
        (["1", "inf"], "expected a finite number, got inf"),
        (["1", "two"], "argument X: expected a number, got 'two'"),
        ([], "the following arguments are required: X"),
    ],
)
def test_predict_refuses_bad_inputs_with_status_2_and_one_line(saved_model, capsys, inputs, reason):
    status, out, err = _run(capsys, ["predict", "--model", saved_model, *inputs])
    assert status == 2
    assert out == ""
    line = _error_line(err)
    assert line.startswith("micrograd-scratch predict: error: ")
    assert reason in line


def test_predict_reads_negative_numbers_and_exponents_after_a_double_dash(saved_model, capsys):
    status, out, _ = _run(capsys, ["predict", "--model", saved_model, "--", "-1e3", "-2"])
    assert status == 0
    score = float(out.splitlines()[1].split()[1])  # "score -0.123... (...)"
    assert score == MLP(2, [3, 1], seed=0)([-1e3, -2.0]).data


@pytest.mark.parametrize(
    "inputs, shown", [(["1e308", "1e308"], "is inf:"), (["--", "-1e308", "1e308"], "is nan:")]
)
def test_predict_says_when_the_output_overflows_instead_of_printing_nan(tmp_path, capsys, inputs, shown):
    model = MLP(2, [1], seed=0)
    for w in model.layers[0].neurons[0].w:
        w.data = 10.0  # 10 * 1e308 is inf; inf + -inf is nan
    path = str(tmp_path / "model.json")
    ms.save(model, path)
    status, out, err = _run(capsys, ["predict", "--model", path, *inputs])
    assert status == 1
    assert out == ""
    line = _error_line(err)
    assert line.startswith("micrograd-scratch: error: the model's output for these inputs ")
    assert shown in line and "overflowed a float" in line


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "cannot read '{path}': No such file or directory"),
        ('{"format": "micrograd-scratch/model", "vers', "{path}: not valid JSON"),
        ('{"format": "micrograd-scratch/model", "version": 2}', "{path}: format version 2 is not supported"),
        ("", "{path}: the file is empty"),
    ],
    ids=["missing", "truncated", "version 2", "empty"],
)
def test_predict_refuses_a_missing_or_damaged_model_file(tmp_path, capsys, content, reason):
    path = tmp_path / "model.json"
    if content is not None:
        path.write_text(content)
    status, out, err = _run(capsys, ["predict", "--model", str(path), "1", "2"])
    assert status == 2
    assert out == ""
    assert f"argument --model: {reason.format(path=path)}" in _error_line(err)


# ---- paths that are not plain files ------------------------------------------


def test_saving_through_a_symbolic_link_replaces_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.json"
    link = tmp_path / "link.json"
    ms.save(MLP(2, [1], seed=0), target)
    link.symlink_to(target)
    model = MLP(2, [1], seed=1)
    ms.save(model, link)
    assert link.is_symlink()
    assert _values(ms.load(target)) == _values(model)
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real.json"]


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_save_refuses_to_replace_something_that_is_not_a_file(tmp_path, kind):
    path = tmp_path / "thing"
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    with pytest.raises(OSError, match="exists and is not a regular file"):
        ms.save(MLP(2, [1], seed=0), path)
    assert os.listdir(tmp_path) == ["thing"]


@pytest.mark.parametrize("kind", ["folder", "fifo", "/dev/zero"])
def test_load_refuses_what_is_not_a_regular_file_without_reading_it(tmp_path, kind):
    """Reading /dev/zero or a FIFO would never end: refused up front."""
    if kind == "/dev/zero":
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero on this system")
        path = "/dev/zero"
    else:
        path = str(tmp_path / "thing")
        os.mkdir(path) if kind == "folder" else os.mkfifo(path)
    with pytest.raises(ModelFileError, match=f"^{path}: not a regular file$"):
        ms.load(path)


def test_load_refuses_a_file_larger_than_the_limit_without_parsing_it(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    ms.save(MLP(2, [2, 1], seed=0), path)
    monkeypatch.setattr(serialize, "MAX_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(ModelFileError, match="larger than"):
        ms.load(path)
    monkeypatch.setattr(serialize, "MAX_FILE_BYTES", path.stat().st_size)
    assert len(ms.load(path).parameters()) == 9


def test_load_opens_before_it_checks_so_a_fifo_swapped_in_cannot_block_it(tmp_path, monkeypatch):
    """The path was checked with os.stat and then opened: a FIFO put there
    in between blocked `predict` forever. Here os.stat says "a regular
    file" for the FIFO, as it would have a moment before the swap."""
    path = tmp_path / "model.json"
    ms.save(MLP(2, [1], seed=0), path)
    regular = os.stat(path)
    os.unlink(path)
    os.mkfifo(path)
    monkeypatch.setattr(os, "stat", lambda *a, **k: regular)
    outcome = []

    def load():
        try:
            ms.load(path)
        except ModelFileError as error:
            outcome.append(str(error))

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=10)
    if thread.is_alive():  # blocked on the FIFO: open its other end to free the thread
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    assert outcome == [f"{path}: not a regular file"]


def test_load_refuses_a_model_over_the_caps_before_building_it(tmp_path):
    """A 9.5 MiB file with a layer of 1000 x 5000 zeros took 31 s and 2.7 GB:
    now its sizes are refused before any parameter is read into a model."""
    path = tmp_path / "big.json"
    numbers = ",".join(["0"] * 300_000)
    path.write_text('{"format": "micrograd-scratch/model", "version": 1, "architecture": '
                    '{"kind": "Layer", "nin": 1000, "nout": 5000, "activation": "relu"}, '
                    f'"parameters": [{numbers}]}}')
    with pytest.raises(ModelFileError, match='"nout" is 5000; at most 1024'):
        ms.load(path)
    path.write_text('{"parameters": [' + ",".join(["0"] * (serialize.MAX_PARAMETERS + 200)) + "]}")
    with pytest.raises(ModelFileError, match="more numbers than the 1,100,000 parameters"):
        ms.load(path)


def test_the_loss_a_model_was_trained_with_round_trips_and_a_bad_one_is_refused(tmp_path):
    path = tmp_path / "m.json"
    ms.save(ms.MLP(2, [3, 1], seed=0), path, loss="hinge")
    assert ms.load(path).trained_with == "hinge"
    ms.save(ms.MLP(2, [3, 1], seed=0), path)
    assert ms.load(path).trained_with is None  # files without it read as before
    document = json.loads(path.read_text())
    for bad in ("squared", ["mse"]):
        document["loss"] = bad
        path.write_text(json.dumps(document))
        with pytest.raises(ms.ModelFileError, match='"loss" must be one of mse, bce, hinge'):
            ms.load(path)
