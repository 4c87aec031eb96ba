"""`micrograd-scratch export`: a saved model as a PyTorch state_dict.

    micrograd-scratch export --model model.json --torch model.pt

prints the `torch.nn.Sequential` the model becomes (torch_bridge.to_torch)
and the plain PyTorch lines that load the file into it. Needs PyTorch;
without it, one line says how to install it (exit status 1, FAILED).
"""

from __future__ import annotations

import argparse
import sys

from ..files import write_atomically
from ..nn import MLP
from ..torch_bridge import INSTALL_HINT, to_torch, torch_source
from .args import FAILED, OK, PROG, UsageError, cannot_write, model_file, output_file
from .outputs import check_distinct

NAME = "export"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME,
        help="write a saved model as a PyTorch state_dict (needs torch)",
        description="Write the MLP saved with `train --save FILE` as a PyTorch state_dict "
        "(torch.save) for the torch.nn.Sequential of Linear and activation layers it "
        "prints: layer L0 is our layer L0, row j of its weight our neuron L0.Nj. "
        "Also prints the plain PyTorch lines that load the file. Needs PyTorch "
        '(pip install -e ".[torch]").',
    )
    parser.add_argument("--model", type=model_file, required=True, metavar="FILE",
                        help="the model file written by --save")
    parser.add_argument("--torch", type=output_file([".pt", ".pth"]), required=True,
                        metavar="FILE", help="the state_dict file to write (.pt or .pth)")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                        help="the tensors' type (default: %(default)s, which holds our "
                        "weights exactly; float32 rounds them)")
    return parser


def installed_torch():
    """The torch module, or None after saying in one line how to install it."""
    try:
        import torch
    except ImportError:
        print(f"{PROG}: error: {INSTALL_HINT}", file=sys.stderr)
        return None
    return torch


def run(args: argparse.Namespace) -> int:
    check_distinct(("--torch", args.torch), inputs=[("--model", args.model.read_from)])
    torch = installed_torch()
    if torch is None:
        return FAILED
    if not isinstance(args.model, MLP):
        raise UsageError(f"export writes MLPs; the file holds a {type(args.model).__name__}")
    module = to_torch(args.model, dtype=getattr(torch, args.dtype))
    print(module)
    state = module.state_dict()
    try:
        write_atomically(args.torch, lambda f: torch.save(state, f), durable=True)
    except OSError as error:  # e.g. no permission to write there
        raise cannot_write("--torch", args.torch, error) from None
    print(f"\nwrote the state_dict to {args.torch}; to load it in plain PyTorch:\n")
    print(torch_source(module, args.torch), end="")
    return OK
