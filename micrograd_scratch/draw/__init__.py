"""Pictures that teach: one module per picture.

    graph     draw(root): the computational graph of any expression, its
              gradients (grad_view), a model's neurons grouped or collapsed
    frames    backward_frames(root, outdir): the backward pass, one step per picture
    network   draw_network(model, X, y): a trained MLP as columns of neurons,
              each a map of what it computes over the input plane
    styles    what the pictures share: colours (one signed colour map for
              gradients, weights and activations), labels, writing files
              (render, save_figure), the one-line fallback when Graphviz's
              `dot` is missing

Read graph first; frames reuses its plan of the drawing. The graph and
frames pictures are Graphviz drawings; the network picture is a matplotlib
Figure. All of them show themselves in Jupyter.

Note: `micrograd_scratch.draw` the attribute is the function draw (as the
package has always exported it); import this package's modules by name,
`from micrograd_scratch.draw import network`.
"""

from .frames import backward_frames
from .graph import MAX_NODES, GraphTooLarge, draw, role, value_mimebundle
from .network import draw_network
from .styles import FIGURE_FORMATS, FORMATS, render

__all__ = [
    "draw", "backward_frames", "draw_network", "render", "role", "value_mimebundle",
    "GraphTooLarge", "MAX_NODES", "FORMATS", "FIGURE_FORMATS",
]
