"""micrograd_scratch: deep learning from scratch, in pure Python.

Read in this order: engine (Value and backward), nn (Neuron, Layer, MLP),
losses, optim (SGD and the training loop), data, perceptron, gradcheck,
viz (drawing graphs), cli.
"""

from .engine import Value, dot, grad, topological_order, total
from .nn import MLP, Layer, Module, Neuron
from .serialize import ModelFileError, load, load_state_dict, save, state_dict

__all__ = [
    "Value", "dot", "total", "grad", "topological_order",
    "Module", "Neuron", "Layer", "MLP",
    "save", "load", "state_dict", "load_state_dict", "ModelFileError",
]
