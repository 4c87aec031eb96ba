"""Films of the backward pass: one picture per step.

`backward_frames(root, outdir)` draws the graph once per step of the
reverse topological order: the node whose local rule runs in red, each
input it updates in blue, and on every red edge the chain rule in numbers,
upstream grad x local derivative. With svg frames, backward.html shows
them with a slider.
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path
from typing import Iterable

from ..engine import Value
from ..files import write_atomically
from .graph import _build, _local_terms, _Plan, _Step, op_symbol
from .styles import INSTALL_HINT, _graphviz, _write

__all__ = ["backward_frames"]


def backward_frames(
    root: Value,
    outdir: str | os.PathLike,
    *,
    format: str = "svg",
    rankdir: str = "LR",
    params: Iterable[Value] | None = None,
    model=None,
    max_nodes: int = 200,
    html_page: bool = True,
) -> list[Path]:
    """Film the backward pass from `root`: one numbered picture per step.

    Frame 0 seeds d(root)/d(root) = 1. Then, in reverse topological order,
    each operation's local rule runs: the node is red, the inputs whose
    gradients it updates are blue, and each red edge reads
    `upstream grad × local derivative = term`, the term added to that
    input's grad. The last frame shades the finished gradients.

    The gradients are computed here, as `backward()` computes them for one
    call (starting from 0); no `.grad` is changed. Frames are written to
    outdir as frame_000.svg, frame_001.svg, ... (format 'svg', 'png',
    'pdf' or 'dot'); with format 'svg' and html_page=True, backward.html
    shows them with a slider, self-contained. Returns the paths written,
    frames in order (then the page).
    """
    if format not in ("svg", "png", "pdf", "dot"):
        raise ValueError(f"format must be 'svg', 'png', 'pdf' or 'dot', got {format!r}")
    plan = _Plan(root, params, model, False, max_nodes, rankdir)

    # The backward pass, one step at a time (as engine._gradients does it).
    grads = {v: 0.0 for v in plan.order}
    grads[root] = 1.0
    ops = [v for v in reversed(plan.order) if v._backward is not None]
    total_steps = len(ops)
    frames = [
        _build(plan, dict(grads), grad_view=False, legend=True,
               title=f"backward step 0 of {total_steps}: seed the output's gradient, "
                     f"d out/d out = 1 (every other grad starts at 0)")
    ]
    for k, v in enumerate(ops, start=1):
        g = grads[v]  # complete: every node that uses v has already run
        local = _local_terms(v, 1.0)  # rules are linear in g: g=1 gives d v/d input
        terms = _local_terms(v, g)
        for x, t in zip(v._prev, terms):
            grads[x] += t
        frames.append(
            _build(plan, dict(grads), grad_view=False, legend=True,
                   title=f"backward step {k} of {total_steps}: the {op_symbol(v)} node's "
                         f"local rule runs; each input's grad += upstream grad × local derivative",
                   step=_Step(v, g, local, terms))
        )
    frames.append(
        _build(plan, grads, grad_view=True, legend=True,
               title="done: every node holds d out/d node (darker = larger |grad|)")
    )

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(len(frames) - 1)))
    paths = [outdir / f"frame_{i:0{width}d}.{format}" for i in range(len(frames))]
    graphviz = _graphviz()
    written = []
    try:
        for graph, path in zip(frames, paths):
            written.append(_write(graph, path))
    except graphviz.ExecutableNotFound:
        written = [_write(graph, path.with_suffix(".dot")) for graph, path in zip(frames, paths)]
        print(f"Graphviz's dot program was not found, so the frames were written as "
              f".dot files in {outdir}; {INSTALL_HINT}", file=sys.stderr)
        return written
    if format == "svg" and html_page:
        page = outdir / "backward.html"
        page_bytes = _slider_page([p.read_bytes() for p in written]).encode("utf-8")
        write_atomically(page, lambda f: f.write(page_bytes))
        written.append(page)
    return written


def _slider_page(svgs: list[bytes]) -> str:
    """One HTML page showing the frames with a slider (and arrow keys);
    the SVGs are embedded as data: URIs, so the page needs nothing else."""
    imgs = "\n".join(
        f'<img class="frame" alt="backward step {i}" '
        f'src="data:image/svg+xml;base64,{base64.b64encode(s).decode("ascii")}"'
        f'{"" if i == 0 else " hidden"}>'
        for i, s in enumerate(svgs)
    )
    last = len(svgs) - 1
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>The backward pass, step by step</title>
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; }}
  .controls {{ display: flex; gap: 0.75em; align-items: center; margin-bottom: 1em; }}
  input[type=range] {{ width: 24em; }}
  img.frame {{ max-width: 100%; }}
</style>
</head>
<body>
<div class="controls">
  <button id="prev" type="button">&larr; back</button>
  <input id="step" type="range" min="0" max="{last}" value="0" aria-label="backward step">
  <button id="next" type="button">next &rarr;</button>
  <span id="where">step 0 of {last}</span>
</div>
{imgs}
<script>
  // Show one frame at a time; the slider, the buttons and the arrow keys move it.
  const frames = document.querySelectorAll("img.frame");
  const slider = document.getElementById("step");
  const where = document.getElementById("where");
  function show(i) {{
    i = Math.max(0, Math.min({last}, i));
    frames.forEach((f, k) => {{ f.hidden = k !== i; }});
    slider.value = i;
    where.textContent = "step " + i + " of {last}";
  }}
  slider.addEventListener("input", () => show(Number(slider.value)));
  document.getElementById("prev").addEventListener("click", () => show(Number(slider.value) - 1));
  document.getElementById("next").addEventListener("click", () => show(Number(slider.value) + 1));
  document.addEventListener("keydown", (e) => {{
    if (e.key === "ArrowLeft") show(Number(slider.value) - 1);
    if (e.key === "ArrowRight") show(Number(slider.value) + 1);
  }});
</script>
</body>
</html>
"""
