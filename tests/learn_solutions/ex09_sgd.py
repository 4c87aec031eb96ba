from micrograd_scratch.losses import mse


def learning_rate(k, lr0, lr_end, tau):
    if k >= tau:
        return lr_end
    return (1 - k / tau) * lr0 + (k / tau) * lr_end


def batches(n, batch_size, rng):
    order = list(range(n))
    rng.shuffle(order)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def train(model, X, Y, *, epochs, batch_size, lr0, lr_end, seed=0):
    import random

    rng = random.Random(seed)
    params = model.parameters()
    tau = epochs * -(-len(X) // batch_size)
    k, history = 0, []
    for _ in range(epochs):
        total = 0.0
        for batch in batches(len(X), batch_size, rng):
            for p in params:
                p.grad = 0.0
            loss = mse([model(X[i]) for i in batch], [Y[i] for i in batch])
            loss.backward()
            lr = learning_rate(k, lr0, lr_end, tau)
            for p in params:
                p.data -= lr * p.grad
            total += loss.data * len(batch)
            k += 1
        history.append(total / len(X))
    return history
