"""Instructions per training step, counted by valgrind's callgrind.

    python benchmarks/instructions.py            # every workload but micrograd, a few minutes
    python benchmarks/instructions.py moons      # one workload
    python benchmarks/instructions.py micrograd  # micrograd 0.1.0's own moons step

Times on a shared machine drift; instruction counts do not (the same
binary, inputs and environment give the same count, whatever else the
machine is doing). So two designs are compared by these counts. For each
workload this runs a child Python under callgrind twice, for 1 and for 3
steps, and reports (count(3) - count(1)) / 2: one step, without the
start-up and the first step's imports.

Workloads (the same programs as run.py):
- moons:    the moons step as a user writes it (workloads.user_trainer)
- floor:    the hand-written pure-Python floor (workloads.baseline_trainer)
- microgpt: a microgpt-style step with this package's Value
- microgpt-own: the same step with microgpt's own 30-line Value
- micrograd: the moons step as micrograd 0.1.0's demo runs it (its garbage
  collected as it goes; a minute or two under callgrind)

Needs Debian's `valgrind`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = """
import sys
sys.path.insert(0, {root!r})
from benchmarks import microgpt, workloads
name, steps = sys.argv[1], int(sys.argv[2])
if name in ("moons", "floor", "micrograd"):
    X, ys = workloads.moons_data()
    trainer = dict(moons=workloads.user_trainer, floor=workloads.baseline_trainer,
                   micrograd=workloads.micrograd_trainer)[name]
    step = trainer(X, ys)
    for k in range(steps):
        step(k)
else:
    from micrograd_scratch import Value
    value = Value if name == "microgpt" else microgpt.MicrogptValue
    model = microgpt.init_model(value)
    for _ in range(steps):
        microgpt.train_step(model)
"""

WORKLOADS = ("moons", "floor", "microgpt", "microgpt-own", "micrograd")


def count(name: str, steps: int) -> int:
    """Instructions for a child Python that runs `steps` steps of `name`."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             sys.executable, "-c", CHILD.format(root=ROOT), name, str(steps)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        with open(out) as f:
            totals = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M)
        return int(totals.group(1))


def per_step(name: str) -> int:
    if name == "micrograd":  # slow under callgrind: one step more is enough
        return count(name, 2) - count(name, 1)
    return (count(name, 3) - count(name, 1)) // 2


def main(argv: list[str]) -> int:
    if shutil.which("valgrind") is None:
        print("instructions.py: valgrind is not installed (Debian: apt-get install valgrind)",
              file=sys.stderr)
        return 2
    names = argv or [n for n in WORKLOADS if n != "micrograd"]  # micrograd: asked for by name
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        print(f"instructions.py: unknown workload {unknown[0]!r}; choose from {', '.join(WORKLOADS)}",
              file=sys.stderr)
        return 2
    for name in names:
        print(f"{name:14} {per_step(name) / 1e6:8.0f}M instructions per step", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
