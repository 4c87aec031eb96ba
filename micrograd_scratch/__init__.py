"""micrograd_scratch: deep learning from scratch, in pure Python.

Read in this order: engine (Value and backward), ops (every op, defined
once), nn (Neuron, Layer, MLP), losses, optim (SGD, Adam and the training
loop), divergence (stopping a run whose loss blows up), data (and your
own points, load_csv), diagnose (why training is stuck), perceptron,
gradcheck, drawing and expr (pictures of graphs and networks, parsing typed
expressions), plot (pictures of training), serialize (saving models),
files (writing whole files), cli and explore (the command line and the
live explorer); then torch_bridge, the same network in PyTorch (imported
on its own, `from micrograd_scratch import torch_bridge`, so that torch
stays optional).
"""

from .engine import AnomalyError, Parameter, Value, detect_anomaly, grad, paused_gc, topological_order
from .ops import dot, total
from .nn import MLP, Layer, Module, Neuron
from .losses import LOSSES, bce_with_logits, cross_entropy, hinge, l2, mse, softmax
from .optim import SGD, Adam, LinearDecay, TrainingDiverged, fit
from .divergence import DivergenceCheck, DivergenceError, starting_loss
from .data import DATASETS, blobs, moons, noisy_xor, xor
from .data import DataFileError, load_csv
from .diagnose import Diagnosis, diagnose
from .perceptron import Perceptron, PerceptronResult
from .gradcheck import GradcheckResult, gradcheck
from .serialize import ModelFileError, load, load_state_dict, save, state_dict
from .plot import decision_map, loss_sparkline, plot_training
from .drawing import (
    GraphTooLarge, TrainingRecorder, animate_backward, animate_training, backward_frames, draw, draw_network,
    render,
)

__all__ = [
    "Value", "Parameter", "dot", "total", "grad", "topological_order", "paused_gc",
    "detect_anomaly", "AnomalyError",
    "Module", "Neuron", "Layer", "MLP",
    "mse", "bce_with_logits", "hinge", "softmax", "cross_entropy", "l2", "LOSSES",
    "SGD", "Adam", "LinearDecay", "fit", "TrainingDiverged",
    "DivergenceCheck", "DivergenceError", "starting_loss",
    "xor", "noisy_xor", "blobs", "moons", "DATASETS",
    "load_csv", "DataFileError", "diagnose", "Diagnosis",
    "Perceptron", "PerceptronResult",
    "gradcheck", "GradcheckResult",
    "save", "load", "state_dict", "load_state_dict", "ModelFileError",
    "plot_training", "loss_sparkline", "decision_map",
    "draw", "backward_frames", "animate_backward", "animate_training", "TrainingRecorder",
    "draw_network", "render", "GraphTooLarge",
]
