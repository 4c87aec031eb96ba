"""A model written the way Karpathy's microgpt (February 2026) writes one.

microgpt trains a tiny GPT with nothing but a scalar Value: linear layers
are elementwise `sum(w * x for ...)`, then rmsnorm, softmax attention over
the positions so far and an MLP with relu². Many learners meet it right
after micrograd, so this package's Value should run its programs at least
as fast as microgpt's own Value does.

- `MicrogptValue` is microgpt's Value in about 30 lines: each op gives its
  local derivatives when it is made, and one loop chains them.
- `init_model` and `train_step` are the model and one training step
  (forward over a short sequence, mean cross-entropy, backward, SGD),
  written once and run with either Value class: nothing in them knows
  which one it is given.

Source: Karpathy, microgpt.py (2026): Value, linear, softmax, rmsnorm, gpt.
"""

from __future__ import annotations

import math
import random

__all__ = ["MicrogptValue", "init_model", "train_step", "TOKENS"]


class MicrogptValue:
    """microgpt's Value: data, grad, children and their local gradients."""

    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data, self.grad = data, 0
        self._children, self._local_grads = children, local_grads

    def __add__(self, other):
        other = other if isinstance(other, MicrogptValue) else MicrogptValue(other)
        return MicrogptValue(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, MicrogptValue) else MicrogptValue(other)
        return MicrogptValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, other):
        return MicrogptValue(self.data**other, (self,), (other * self.data ** (other - 1),))

    def log(self):
        return MicrogptValue(math.log(self.data), (self,), (1 / self.data,))

    def exp(self):
        return MicrogptValue(math.exp(self.data), (self,), (math.exp(self.data),))

    def relu(self):
        return MicrogptValue(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other**-1

    def backward(self):
        topo, visited, stack = [], set(), [(self, False)]
        while stack:  # build_topo without recursion (the graph is thousands deep)
            v, done = stack.pop()
            if done:
                topo.append(v)
            elif v not in visited:
                visited.add(v)
                stack.append((v, True))
                stack.extend((child, False) for child in v._children)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


# ---- the model -------------------------------------------------------------------

VOCAB, N_EMBD, BLOCK, HEADS = 8, 16, 8, 4
TOKENS = [0, 3, 1, 4, 1, 5, 2, 6, 0]  # a short document; each token predicts the next


def init_model(value, seed: int = 42) -> dict:
    """microgpt's parameters, each a `value` (either Value class)."""
    rng = random.Random(seed)

    def matrix(rows, cols, std=0.08):
        return [[value(rng.gauss(0, std)) for _ in range(cols)] for _ in range(rows)]

    return {
        "wte": matrix(VOCAB, N_EMBD), "wpe": matrix(BLOCK, N_EMBD),
        "wq": matrix(N_EMBD, N_EMBD), "wk": matrix(N_EMBD, N_EMBD),
        "wv": matrix(N_EMBD, N_EMBD), "wo": matrix(N_EMBD, N_EMBD),
        "fc1": matrix(4 * N_EMBD, N_EMBD), "fc2": matrix(N_EMBD, 4 * N_EMBD),
        "lm_head": matrix(VOCAB, N_EMBD),
    }


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits):
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def gpt(model, token, pos, keys, values):
    """The logits for the next token, with one attention + MLP block."""
    x = [t + p for t, p in zip(model["wte"][token], model["wpe"][pos])]
    x = rmsnorm(x)
    residual = x
    x = rmsnorm(x)
    q, k, v = linear(x, model["wq"]), linear(x, model["wk"]), linear(x, model["wv"])
    keys.append(k)
    values.append(v)
    head_dim = N_EMBD // HEADS
    attended = []
    for h in range(0, N_EMBD, head_dim):
        q_h = q[h : h + head_dim]
        logits = [sum(q_h[j] * k_t[h + j] for j in range(head_dim)) / head_dim**0.5 for k_t in keys]
        weights = softmax(logits)
        attended += [sum(weights[t] * values[t][h + j] for t in range(len(keys)))
                     for j in range(head_dim)]
    x = [a + b for a, b in zip(linear(attended, model["wo"]), residual)]
    residual = x
    x = linear(rmsnorm(x), model["fc1"])
    x = [xi.relu() ** 2 for xi in x]
    x = [a + b for a, b in zip(linear(x, model["fc2"]), residual)]
    return linear(x, model["lm_head"])


def parameters(model: dict) -> list:
    return [p for matrix in model.values() for row in matrix for p in row]


def train_step(model: dict, lr: float = 0.01) -> float:
    """Forward over TOKENS, mean cross-entropy, backward, one SGD update;
    returns the loss."""
    keys, values, losses = [], [], []
    n = min(BLOCK, len(TOKENS) - 1)
    for pos in range(n):
        probs = softmax(gpt(model, TOKENS[pos], pos, keys, values))
        losses.append(-probs[TOKENS[pos + 1]].log())
    loss = (1 / n) * sum(losses)
    for p in parameters(model):
        p.grad = 0
    loss.backward()
    for p in parameters(model):
        p.data -= lr * p.grad
    return loss.data
