"""The files and pictures a command writes: the saved model, the text
pictures and the --plot figure after training, and Graphviz drawings
(draw's -o and the trained network's --graph).

Every writer turns an OSError into a ValueError that names the option,
so that `main` reports it in one line with exit status 1.
"""

from __future__ import annotations

import argparse
import sys

from ..losses import LOSSES
from ..plot import decision_map, loss_sparkline, plot_training
from ..serialize import save
from ..draw import GraphTooLarge, draw, render
from .args import PROG


def save_model(args: argparse.Namespace, run) -> None:
    """--save FILE: the trained model, as JSON."""
    if getattr(args, "save", None) is None:
        return
    try:
        save(run.model, args.save)
    except OSError as error:  # e.g. no permission to write there
        raise ValueError(f"--save: cannot write {args.save!r}: {error.strerror or error}") from None
    print(f"saved the model to {args.save}")


def pictures(args: argparse.Namespace, run) -> None:
    """The loss curve and the decision regions: always in text, and as a
    figure with --plot when matplotlib is installed."""
    print()
    print("loss: " + loss_sparkline(run.history, width=50, ascii=not can_print("█▁")))
    print(decision_map(run.model, run.X, run.y, width=40, height=14,
                       classify=run.objective.classify))
    if getattr(args, "plot", None) is None:
        return
    arch = "-".join(str(len(layer.neurons)) for layer in run.model.layers)
    title = f"{run.dataset}: MLP 2-{arch}, {run.objective.loss} loss"
    try:
        path = plot_training(run.history, run.model, run.X, run.y, path=args.plot,
                             classify=run.objective.classify, title=title)
    except ImportError as missing:  # matplotlib is an optional extra
        sys.stdout.flush()
        print(f"{PROG}: no plot written: {missing}", file=sys.stderr)
        return
    except OSError as error:  # e.g. no permission to write there
        raise ValueError(f"--plot: cannot write {args.plot!r}: {error.strerror or error}") from None
    print(f"wrote the loss curve and the decision boundary to {path}")


def can_print(text: str) -> bool:
    """Whether stdout's encoding has these characters (a Windows console
    or LANG=C may not)."""
    try:
        text.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def network_graph(args: argparse.Namespace, run) -> None:
    """--graph FILE: the trained network's forward pass on the first training
    example, shaded by the gradient of that example's loss; one box per
    neuron unless --graph-detail."""
    if getattr(args, "graph", None) is None:
        return
    x, target = run.X[0], run.y[0]
    run.model.zero_grad()  # show this example's gradients, not training's leftovers
    loss = LOSSES[run.objective.loss]([run.model(x)], [target])
    loss.backward()
    title = (f"{run.dataset}, trained: one forward pass on x = ({x[0]:.3g}, {x[1]:.3g}), "
             f"target {target}; {run.objective.loss} loss {loss.data:.4g}")
    try:
        graph = draw(loss, model=run.model, collapse=not args.graph_detail,
                         grad_view=True, title=title)
    except ImportError as missing:  # the graphviz package is an optional extra
        sys.stdout.flush()
        print(f"{PROG}: no graph drawn: {missing}", file=sys.stderr)
        return
    except GraphTooLarge as error:
        how = ("leave out --graph-detail to draw one box per neuron" if args.graph_detail
               else "use smaller --hidden layers to draw it")
        raise ValueError(f"--graph: the network's graph has {error.count} nodes, more than "
                         f"the {error.limit} that stay readable; {how}") from None
    write_graph(graph, args.graph, "--graph")


def write_graph(graph, path: str, option: str) -> None:
    """Render to path (render itself says how to install Graphviz when its
    dot program is missing, and writes the .dot file instead)."""
    try:
        written = render(graph, path)
    except OSError as error:  # e.g. no permission to write there
        raise ValueError(f"{option}: cannot write {path!r}: {error.strerror or error}") from None
    print(f"wrote {written}")
