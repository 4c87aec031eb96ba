"""Where to go next: the same network in PyTorch, number for number.

Everything this package does one scalar at a time, PyTorch does one
tensor at a time. To see that they are the same ideas, this example
trains the same network in both engines and prints both loss columns:

- `to_torch(model)` copies our MLP into a `torch.nn.Sequential`: each of
  our layers becomes one `nn.Linear` (row j of its weight matrix is our
  neuron N{j}: the fused dot w . x + b is one row of a matrix product)
  followed by its activation (`nn.ReLU`). In float64 the weights are the
  very same doubles.
- `fit_torch` trains it with what `optim.fit` uses here, under torch's
  names: the same loss, learning rates and batch order, `loss.backward()`
  and `torch.optim.SGD`.

The two columns agree to round-off (about 1e-16 per operation in
float64): the engines add the same terms, sometimes in another order.
Then the same job is timed, with the whole batch as one tensor, which is
where PyTorch's speed comes from; and, when a CUDA GPU is present, the
torch side runs there too and gives the same numbers.

Needs PyTorch:  pip install -e ".[torch]"   (or pip install torch)
Run:  python examples/09_same_net_in_pytorch.py
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from micrograd_scratch import MLP, LinearDecay, fit, moons, xor  # noqa: E402
from micrograd_scratch.torch_bridge import TorchNotInstalled, fit_torch, to_torch  # noqa: E402

STEPS = 100


def relative(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def side_by_side(title: str, X, y, nouts, **options) -> tuple[list[float], float]:
    """Train MLP(2, nouts) in both engines from the same weights; print the
    two loss columns and their largest relative difference. Returns the
    torch losses and our seconds per step."""
    model = MLP(2, nouts, seed=0)
    module = to_torch(model)  # float64: the same starting weights, exactly
    print(f"{title}: MLP(2, {nouts}), {len(X)} points, {STEPS} full-batch steps")
    print(module)

    start = time.perf_counter()
    ours = fit(model, X, y, epochs=STEPS, **options)
    our_step = (time.perf_counter() - start) / STEPS
    theirs = fit_torch(module, X, y, epochs=STEPS, **options)

    print("\n step | loss here           | loss in PyTorch     | relative difference")
    for k in (0, 1, 2, 10, 25, 50, 75, STEPS - 1):
        print(f" {k:4d} | {ours[k]:.17f} | {theirs[k]:.17f} | {relative(ours[k], theirs[k]):.1e}")
    worst = max(relative(a, b) for a, b in zip(ours, theirs))
    print(f"largest relative difference over {STEPS} steps: {worst:.1e}\n")
    return theirs, our_step


# ---- 1. XOR with the squared error, as examples/04 ---------------------------------
try:
    xor_losses, _ = side_by_side("XOR", *xor(), [8, 1], loss="mse", lr=0.1)
except TorchNotInstalled as error:
    sys.exit(str(error))

# ---- 2. micrograd's moons demo: hinge loss, L2 penalty, decaying rate, as 06 --------
MOONS = dict(loss="hinge", l2=1e-4, schedule=LinearDecay(1.0, 0.1, STEPS))
X, y = moons(n=100, noise=0.1, seed=0)
moons_losses, our_step = side_by_side("moons", X, y, [16, 16, 1], **MOONS)

# ---- 3. speed: the same job, the batch as one tensor --------------------------------
# fit_torch sends all 100 points through each layer as one (100, 16) matrix
# product; here each point and each neuron is its own small graph of
# Values. The first torch run above also paid for torch's warm-up, so
# fresh copies are timed here (the best of three). One thread: matrices
# this small gain nothing from splitting them across cores.
import torch  # noqa: E402  (installed: to_torch worked)

torch.set_num_threads(1)
torch_step = float("inf")
for _ in range(3):
    module = to_torch(MLP(2, [16, 16, 1], seed=0))
    start = time.perf_counter()
    fit_torch(module, X, y, epochs=STEPS, **MOONS)
    torch_step = min(torch_step, (time.perf_counter() - start) / STEPS)
print(f"speed on moons, one step of 100 points: here {1e3 * our_step:.1f} ms, "
      f"PyTorch (CPU, float64) {1e3 * torch_step:.2f} ms: {our_step / torch_step:.0f}x faster")
print("(at this size torch mostly pays for Python and dispatch; the gap grows with the network)\n")

# ---- 4. the same numbers on a GPU ----------------------------------------------------
if torch.cuda.is_available():
    worst = 0.0
    for name, (data, nouts, options, cpu_losses) in {
        "XOR": (xor(), [8, 1], dict(loss="mse", lr=0.1), xor_losses),
        "moons": ((X, y), [16, 16, 1], MOONS, moons_losses),
    }.items():
        gpu = to_torch(MLP(2, nouts, seed=0), device="cuda")
        gpu_losses = fit_torch(gpu, *data, epochs=STEPS, **options)
        worst = max([worst] + [relative(a, b) for a, b in zip(cpu_losses, gpu_losses)])
    print(f"CUDA ({torch.cuda.get_device_name(0)}): XOR and moons trained on the GPU; "
          f"largest relative difference from the CPU losses: {worst:.1e}")
else:
    print("CUDA: skipped, torch.cuda.is_available() is False "
          "(no CUDA GPU here, or a CPU-only build of torch)")
