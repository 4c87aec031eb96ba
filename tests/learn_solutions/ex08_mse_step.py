def mse(preds, targets):
    return sum((p - t) ** 2 for p, t in zip(preds, targets)) / len(preds)


def zero_grad(params):
    for p in params:
        p.grad = 0.0


def sgd_step(params, lr):
    for p in params:
        p.data -= lr * p.grad


def train_step(model, X, Y, lr):
    params = model.parameters()
    zero_grad(params)
    loss = mse([model(x) for x in X], Y)
    loss.backward()
    sgd_step(params, lr)
    return loss.data
