"""Pictures that teach: one module per picture.

    graph     draw(root): the computational graph of any expression, its
              gradients (grad_view), a model's neurons grouped or collapsed
    frames    backward_frames(root, outdir): the backward pass, one step per
              picture; stepper(root) the same inline in Jupyter; backward_steps
              the steps themselves, which the explorer shows too
    network   draw_network(model, X, y): a trained MLP as columns of neurons,
              each a map of what it computes over the input plane
    animate   animate_backward(root, "backprop.gif"): the backward pass as one
              GIF, APNG or MP4, a step a frame, for a slide; animate_training
              (model, X, y, loss, "training.gif", epochs=...): training filmed
    styles    what the pictures share: colours (one signed colour map for
              gradients, weights and activations), labels, writing files
              (render, save_figure), the one-line fallback when Graphviz's
              `dot` is missing

Read graph first; frames reuses its plan of the drawing. The graph and
frames pictures are Graphviz drawings; the network picture is a matplotlib
Figure. All of them show themselves in Jupyter.
The package is `drawing`, so that `micrograd_scratch.draw` stays the
function `draw` that the package has always exported.
"""

from .animate import Animation, TrainingRecorder, animate_backward, animate_training
from .frames import backward_frames, backward_steps, stepper
from .graph import MAX_NODES, GraphTooLarge, draw, role, value_mimebundle
from .network import draw_network
from .styles import FIGURE_FORMATS, FORMATS, PICTURE_STYLES, render

__all__ = [
    "draw", "backward_frames", "backward_steps", "stepper", "draw_network", "render", "role", "value_mimebundle",
    "GraphTooLarge", "MAX_NODES", "FORMATS", "FIGURE_FORMATS", "animate_backward", "Animation",
    "animate_training", "TrainingRecorder",
    "PICTURE_STYLES",
]
