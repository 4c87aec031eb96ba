def predict(w, b, x):
    return sum(wi * xi for wi, xi in zip(w, x)) + b


def gradients(w, b, X, Y):
    n = len(X)
    errors = [predict(w, b, x) - y for x, y in zip(X, Y)]
    dw = [2 / n * sum(e * x[j] for e, x in zip(errors, X)) for j in range(len(w))]
    db = 2 / n * sum(errors)
    return dw, db


def fit(X, Y, lr=0.1, steps=1000):
    w, b = [0.0] * len(X[0]), 0.0
    for _ in range(steps):
        dw, db = gradients(w, b, X, Y)
        w = [wj - lr * gj for wj, gj in zip(w, dw)]
        b = b - lr * db
    return w, b
