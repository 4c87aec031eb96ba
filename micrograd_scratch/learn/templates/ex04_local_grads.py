"""Exercise 4: local derivatives, in the rule contract of ops.py.

Back-propagation needs, for every op, its *local derivatives*: how much
its output moves when one input moves, d(out)/d(input), one per input.
The engine does the rest: its one loop multiplies each local derivative
by the upstream gradient g (the chain rule, dL/da = dL/dout * dout/da)
and adds the product into the input's gradient. So a rule does NOT
multiply by g; it only returns its local derivatives.

The contract (micrograd_scratch/ops.py):

    rule(out, *inputs) -> (d out/d input_0, d out/d input_1, ...)

`out` is the op's result and `inputs` its inputs, in argument order:
numbers (or Values, when the engine builds second derivatives). A tuple
with one entry per input, even for a single input: `(d,)`.

    a * b       d/da = b,  d/db = a
    a ** n      d/da = n * a**(n-1),  d/dn = a**n * ln(a)   (for a > 0; use `log`
                below; there is no real ln(a) for a <= 0: return 0.0 there)
    exp(x)      d/dx = exp(x)          (that is `out`)
    log(x)      d/dx = 1 / x
    tanh(x)     d/dx = 1 - tanh(x)**2  (1 - out**2)
    sigmoid(x)  d/dx = sigmoid(x) * (1 - sigmoid(x))
    relu(x)     d/dx = 1 if x > 0 else 0   (0 at x = 0, as PyTorch takes it)

Use + - * / ** and the functions imported below (they take numbers and
Values alike), not the math module; for a decision such as relu's x > 0,
compare `data(x)`, the number inside x.

The checker compares each rule with central finite differences,
(f(x + h) - f(x - h)) / 2h, at many points (the edges too: 0, large
inputs, relu's kink), then plugs it into the real engine.

Check your work:       micrograd-scratch learn check 4
See your rule at work: micrograd-scratch learn use -- draw "tanh(x)" --set x=0.5 --backward
"""

from micrograd_scratch.ops import data, exp, log, sigmoid, tanh  # noqa: F401  (for your rules)


def mul_grads(out, a, b):
    """a * b; d/da = b, d/db = a"""
    raise NotImplementedError("write this: mul_grads(out, a, b)")


def pow_grads(out, a, n):
    """a ** n; d/da = n * a**(n-1), d/dn = a**n * ln(a)"""
    raise NotImplementedError("write this: pow_grads(out, a, n)")


def exp_grads(out, x):
    """exp(x); d/dx = exp(x)"""
    raise NotImplementedError("write this: exp_grads(out, x)")


def log_grads(out, x):
    """log(x); d/dx = 1/x"""
    raise NotImplementedError("write this: log_grads(out, x)")


def tanh_grads(out, x):
    """tanh(x); d/dx = 1 - tanh(x)**2"""
    raise NotImplementedError("write this: tanh_grads(out, x)")


def sigmoid_grads(out, x):
    """sigmoid(x); d/dx = sigmoid(x) * (1 - sigmoid(x))"""
    raise NotImplementedError("write this: sigmoid_grads(out, x)")


def relu_grads(out, x):
    """relu(x) = max(0, x); d/dx = 1 if x > 0 else 0"""
    raise NotImplementedError("write this: relu_grads(out, x)")
