class Momentum:
    def __init__(self, params, lr=0.1, mu=0.9):
        self.params, self.lr, self.mu = list(params), lr, mu
        self.v = [0.0] * len(self.params)

    def step(self):
        for i, p in enumerate(self.params):
            self.v[i] = self.mu * self.v[i] + p.grad
            p.data -= self.lr * self.v[i]
