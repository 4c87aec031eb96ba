from micrograd_scratch.ops import data, exp, log, sigmoid, tanh  # noqa: F401


def mul_grads(out, a, b):
    return (b, a)


def pow_grads(out, a, n):
    return (n * a ** (n - 1), out * log(a) if data(a) > 0 else 0.0)


def exp_grads(out, x):
    return (out,)


def log_grads(out, x):
    return (1 / x,)


def tanh_grads(out, x):
    return (1 - out**2,)


def sigmoid_grads(out, x):
    return (out * (1 - out),)


def relu_grads(out, x):
    return (1.0 if data(x) > 0 else 0.0,)
