"""`micrograd-scratch import`: a PyTorch state_dict as one of our models.

    micrograd-scratch import --torch model.pt --model model.json

reads a state_dict written by `export` (or by any torch.nn.Sequential of
Linear layers, given its activations), rebuilds the MLP
(torch_bridge.from_state_dict) and saves it as `train --save` does.
"""

from __future__ import annotations

import argparse

from ..nn import activation_names
from ..serialize import architecture, save
from ..torch_bridge import from_state_dict
from .args import FAILED, OK, UsageError, cannot_write, model_out_file
from .outputs import check_distinct
from .torch_export import installed_torch

NAME = "import"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="read a PyTorch state_dict into a model file (needs torch)",
        description="Read a PyTorch state_dict (torch.save of a Sequential's "
        "state_dict(), as `export` writes) and save it as a model file that "
        "`predict` and `export` read. A state_dict keeps the layer names, so the "
        "activations of a file `export` wrote are known; for another Sequential "
        "give --activation (and --output-activation). Needs PyTorch "
        '(pip install -e ".[torch]").',
    )
    parser.add_argument("--torch", required=True, metavar="FILE",
                        help="the state_dict file to read (model.pt)")
    parser.add_argument("--model", type=model_out_file, required=True, metavar="FILE",
                        help="the model file to write (model.json)")
    parser.add_argument("--activation", choices=activation_names(),
                        help="the hidden layers' activation, when the file does not say "
                        "(one that disagrees with the file is refused)")
    parser.add_argument("--output-activation", choices=activation_names(),
                        help="the last layer's activation, when the file does not say "
                        "(default: linear)")
    return parser


def run(args: argparse.Namespace) -> int:
    check_distinct(("--model", args.model), inputs=[("--torch", args.torch)])
    torch = installed_torch()
    if torch is None:
        return FAILED
    try:  # weights_only: tensors and plain containers, never code from the file
        state = torch.load(args.torch, map_location="cpu", weights_only=True)
    except OSError as error:
        raise UsageError(f"cannot read {args.torch!r}: {error.strerror or error}") from None
    except Exception as error:  # pickle's and torch's many ways of saying "not a torch file"
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        if "weights_only" in reason:  # torch's advice to load with weights_only=False: not ours
            reason = "torch.load(weights_only=True) cannot read it as tensors"
        raise UsageError(f"{args.torch}: not a PyTorch state_dict file ({reason})") from None
    try:
        model = _recorded(state, args) or from_state_dict(
            state, activation=args.activation, output_activation=args.output_activation
        )
    except ValueError as error:
        raise UsageError(f"{args.torch}: {error}") from None
    try:
        save(model, args.model)
    except OSError as error:  # e.g. no permission to write there
        raise cannot_write("--model", args.model, error) from None
    arch = architecture(model)
    n = len(model.parameters())
    print(f"MLP({arch['nin']}, {arch['nouts']}), activation {arch['activation']}, "
          f"output_activation {arch['output_activation']}: {n} parameters")
    print(f"saved the model to {args.model}")
    return OK


def _recorded(state, args: argparse.Namespace):
    """The model as the file's layer names record it, when they do and an
    activation option was given too; None otherwise. An option that says
    otherwise than the file is refused: it applies only where the file is
    silent, and a silent change of the network is worse than an error."""
    if args.activation is None and args.output_activation is None:
        return None
    try:
        model = from_state_dict(state)  # the activations the layer names record
    except ValueError:
        return None  # the file does not say: the options do
    arch = architecture(model)
    given = [("--activation", args.activation, arch["activation"], "hidden layers"),
             ("--output-activation", args.output_activation, arch["output_activation"], "last layer")]
    if len(arch["nouts"]) == 1:  # no hidden layer: --activation has nothing to say
        given = given[1:]
    for option, value, recorded, where in given:
        if value is not None and value != recorded:
            raise UsageError(f"argument {option}: {args.torch} records {recorded} for its "
                             f"{where}, not {value}; leave {option} out (it is for files that "
                             f"do not say)")
    return model
