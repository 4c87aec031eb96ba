"""Pictures that teach: one module per picture.

    graph     draw(root): the computational graph of any expression, its
              gradients (grad_view), a model's neurons grouped or collapsed
    frames    backward_frames(root, outdir): the backward pass, one step per picture
    styles    what the pictures share: colours, labels, writing files
              (render), the one-line fallback when Graphviz's `dot` is missing

Read graph first; frames reuses its plan of the drawing.
"""

from .frames import backward_frames
from .graph import MAX_NODES, GraphTooLarge, draw, role
from .styles import FORMATS, render

__all__ = ["draw", "backward_frames", "render", "role", "GraphTooLarge", "MAX_NODES", "FORMATS"]
