def predict(w, b, x):
    return 1 if sum(wi * xi for wi, xi in zip(w, x)) + b > 0 else 0


def update(w, b, x, d, lr=1.0):
    error = d - predict(w, b, x)
    return [wi + lr * error * xi for wi, xi in zip(w, x)], b + lr * error
