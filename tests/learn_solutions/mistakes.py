"""The corpus of wrong solutions: the classic mistakes of the issue and
more, each made by one edit of the answer key beside this file, with the
sentence the checker must say and, for the graph exercises, the node its
picture must mark. tests/test_learn.py runs the checker on every one."""

from __future__ import annotations

from dataclasses import dataclass

RECURSIVE_NO_VISITED = '''def topological_order(root):
    order = []

    def visit(v):
        for child in v._prev:
            visit(child)
        order.append(v)

    visit(root)
    return order
'''

RECURSIVE_WITH_VISITED = '''def topological_order(root):
    order, visited = [], set()

    def visit(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                visit(child)
            order.append(v)

    visit(root)
    return order
'''

PREORDER = '''def topological_order(root):
    order, visited, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node not in visited:
            visited.add(node)
            order.append(node)
            stack.extend(node._prev)
    return order
'''


@dataclass(frozen=True)
class Mistake:
    exercise: int
    what: str
    edits: tuple  # (old, new) pairs applied to the answer key, or ("", whole new file)
    says: str  # the sentence the checker must print
    marked: str = ""  # the label of the node its picture marks ("" when it draws none)


DICT_OF_INPUTS = '''from micrograd_scratch.engine import local_grads, topological_order


def backward(root):
    order = topological_order(root)
    for node in order:
        if node._prev:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        terms = dict(zip(node._prev, local_grads(node)))
        for child, local in terms.items():
            child.grad += node.grad * local
'''

SHARED_VELOCITY = '''class Momentum:
    def __init__(self, params, lr=0.1, mu=0.9):
        self.params, self.lr, self.mu = list(params), lr, mu
        self.v = 0.0

    def step(self):
        for p in self.params:
            self.v = self.mu * self.v + p.grad
            p.data -= self.lr * self.v
'''

# From what learners post when they ask "is my gradient wrong?": ARENA's
# backprop exercise (callummcdougall/ARENA_2.0#18: `grads[parent] = in_grad`
# passed every test), DLFS_code#13 (a recursive backward that passes a
# gradient on each time a node is reached), micrograd#102 (backward twice
# without resetting the op results), nn-zero-to-hero#52 (exp's rule with
# x), torch7#232 (sigmoid's with 1 - out alone), tt-metal#52144 (the
# other derivative of a power).
DICT_OF_GRADS = '''from micrograd_scratch.engine import local_grads, topological_order


def backward(root):
    order = topological_order(root)
    grads = {root: 1.0}
    for node in reversed(order):
        g = grads.get(node, 0.0)
        if node._prev:
            node.grad = g
        else:
            node.grad += g
        for child, local in zip(node._prev, local_grads(node)):
            grads[child] = g * local
'''

RECURSIVE_BACKWARD = '''from micrograd_scratch.engine import local_grads, topological_order


def backward(root):
    for node in topological_order(root):
        if node._prev:
            node.grad = 0.0
    root.grad = 1.0

    def send(node):
        for child, local in zip(node._prev, local_grads(node)):
            child.grad += node.grad * local
            send(child)

    send(root)
'''

M = Mistake
# `says`: a proven cause where a repair makes the check pass; otherwise
# what was observed, with no cause (tests/test_learn.py also checks that
# no verdict says "you forgot" or "you wrote").
MISTAKES = [
    # 1: the perceptron
    M(1, "no error term", (("error = d - predict(w, b, x)", "error = d"),),
      "(a right answer: nothing should change) gave w = [1.5, -0.5]"),
    M(1, ">= for >", (("+ b > 0 else 0", "+ b >= 0 else 0"),),
      "the boundary of a comparison: with `sum((wi * xi for wi, xi in zip(w, x))) + b > 0` in place of "
      "your `sum((wi * xi for wi, xi in zip(w, x))) + b >= 0` (line 2)"),
    M(1, "sign of the update", (("wi + lr * error * xi", "wi - lr * error * xi"),
                                ("b + lr * error", "b - lr * error")), "the wrong way round"),
    M(1, "no lr", (("wi + lr * error * xi", "wi + error * xi"), ("b + lr * error", "b + error")),
      "`lr` is given but never used: with `b + lr * error` for `b + error` (line 7)"),
    # 2: least squares
    M(2, "no factor 2", (("2 / n * sum(e * x[j]", "1 / n * sum(e * x[j]"),
                         ("db = 2 / n * sum(errors)", "db = 1 / n * sum(errors)")),
      "your gradients are half the right ones: the factor 2 of d/du u**2 = 2u: with your gradients doubled"),
    M(2, "y - f", (("predict(w, b, x) - y for", "y - predict(w, b, x) for"),),
      "a subtraction the wrong way round: with `predict(w, b, x) - y`"),
    M(2, "sum, not mean", (("2 / n * sum(e * x[j]", "2 * sum(e * x[j]"),
                           ("db = 2 / n * sum(errors)", "db = 2 * sum(errors)")),
      "a sum where the mean belongs"),
    M(2, "+ in the update", (("wj - lr * gj", "wj + lr * gj"), ("b - lr * db", "b + lr * db")),
      "a sign inside the formula: with `b - lr * db` for `b + lr * db` (line 18) and `wj - lr * gj` for "
      "`wj + lr * gj` (line 17)"),
    M(2, "dw without x", (("sum(e * x[j] for e, x in zip(errors, X))", "sum(e for e, x in zip(errors, X))"),),
      "your (dJ/dw, dJ/db) is [-0.7, -0.7, -0.7], expected [-0.2, -0.45, -0.7] (by finite differences)"),
    M(2, "w never updated", (("        w = [wj - lr * gj for wj, gj in zip(w, dw)]\n", "        pass\n"),),
      "fit on 5 examples, lr 0.05, 50 steps, ended at w = [0, 0, 0]"),
    M(2, "the rate fixed at 0.1, lr unused", (("wj - lr * gj", "wj - 0.1 * gj"), ("b - lr * db", "b - 0.1 * db")),
      "fit on 5 examples, lr 0.05, 50 steps, ended at"),
    # 3: the hand-set network
    M(3, "no negative bias", (("b1 = [0, -1]", "b1 = [0, 0]"),), "no hidden unit is ever below 0"),
    M(3, "W2 sign", (("W2 = [1, -2]", "W2 = [1, 2]"),), "wrong at (1, 1)"),
    # 4: local derivatives
    M(4, "tanh with x", (("1 - out**2", "1 - x**2"),), "`x` where `out` belongs: with `out` in place of your `x` (line 21)", "x"),
    M(4, "sigmoid with x", (("out * (1 - out)", "x * (1 - x)"),), "`x` where `out` belongs", "x"),
    M(4, "exp with x", (("def exp_grads(out, x):\n    return (out,)", "def exp_grads(out, x):\n    return (x,)"),),
      "`x` where `out` belongs", "x"),
    M(4, "tanh sign", (("1 - out**2", "out**2 - 1"),), "a subtraction the wrong way round", "x"),
    M(4, "a sign inside tanh's formula", (("1 - out**2", "1 + out**2"),),
      "a sign inside the formula: with `1 - out ** 2` in place of your `1 + out ** 2` (line 21)", "x"),
    M(4, "a sign inside sigmoid's formula", (("out * (1 - out)", "out * (1 + out)"),),
      "a sign inside the formula: with `1 - out` in place of your `1 + out` (line 25)", "x"),
    M(4, "log sign", (("(1 / x,)", "(-1 / x,)"),), "a sign inside the formula", "x"),
    M(4, "log with out, 0 at x = 1", (("(1 / x,)", "(1 / out,)"),),
      "`out` where `x` belongs: with `x` in place of your `out` (line 17), log_grads passes this check; "
      "at x = 2.5 your d/dx is 1.091, expected 0.4 (by finite differences); wrong at 5 of 6 points; "
      "at x = 1 your code raised ZeroDivisionError", "x"),
    M(4, "mul swapped", (("(b, a)", "(a, b)"),), "the two derivatives in the wrong order", "a"),
    M(4, "mul: a wrong second partial", (("(b, a)", "(b, b)"),),
      "at a = 2, b = -3 your d/db is -3, expected 2 (by finite differences); wrong at 6 of 12 points", "b"),
    M(4, "pow keeps n", (("n * a ** (n - 1)", "n * a ** n"),), "the power one too high", "a"),
    M(4, "pow: precedence", (("n * a ** (n - 1)", "n*a**n-1"),),
      "operator precedence: with `n * a ** (n - 1)` in place of your `n * a ** n - 1` (line 9, which "
      "Python reads as `(n * (a ** n)) - 1`)", "a"),
    M(4, "pow d/dn without out", (("out * log(a) if", "log(a) if"),), "a factor `out` missing", "n"),
    M(4, "relu >= 0", (("data(x) > 0", "data(x) >= 0"),),
      "the boundary of a comparison: with `data(x) > 0` in place of your `data(x) >= 0`", "x"),
    M(4, "relu's cases swapped", (("1.0 if data(x) > 0 else 0.0,", "0.0 if data(x) > 0 else 1.0,"),),
      "the two cases exchanged", "x"),
    M(4, "relu returns a number", (("return (1.0 if data(x) > 0 else 0.0,)", "return 1.0 if data(x) > 0 else 0.0"),),
      "a single number; the contract is a tuple"),
    M(4, "tanh without the square", (("1 - out**2", "1 - out"),), "a square missing", "x"),
    M(4, "sigmoid without 1 - out", (("return (out * (1 - out),)", "return (out,)"),),
      "at x = 0.5 your d/dx is 0.6225, expected 0.235 (by finite differences)", "x"),
    M(4, "sigmoid as 1 - out (torch7#232)", (("(out * (1 - out),)", "(1 - out,)"),),
      "a factor `out` missing: with `out * (1 - out)` in place of your `1 - out` (line 25)", "x"),
    M(4, "d/dn as the base's derivative (tt-metal#52144)",
      (("out * log(a) if data(a) > 0 else 0.0", "n * a ** (n - 1)"),),
      "at a = 2, n = 2 your d/dn is 4, expected 2.773 (by finite differences); wrong at 7 of 20 points", "n"),
    M(4, "exp as out * x", (("(out,)", "(out * x,)"),),
      "at x = 0.5 your d/dx is 0.8244, expected 1.649 (by finite differences); wrong at 7 of 8 points", "x"),
    M(4, "a rule that raises", (("1 - out**2", "1 - out**2 / 0"),),
      "your code raised ZeroDivisionError (float division by zero), at ex04_local_grads.py line 21"),
    # 5: the topological order
    M(5, "recursive, no visited set", (("", RECURSIVE_NO_VISITED),),
      "lists the shared node c 2 times", "c"),
    M(5, "recursive with a visited set", (("", RECURSIVE_WITH_VISITED),),
      "RecursionError on a chain 100,000 deep"),
    M(5, "a set of inputs", (("reversed(node._prev)", "set(node._prev)"),),
      "a set, whose order changes from run to run, where the order matters: with `node._prev` in place "
      "of your `set(node._prev)` (line 10)"),
    M(5, "a node before its inputs", (("", PREORDER),), "comes before its input", "e"),
    # 6: backward
    M(6, "= for +=", (("child.grad += node.grad * local", "child.grad = node.grad * local"),),
      "`=` where `+=` belongs: with `child.grad += node.grad * local` in place of your "
      "`child.grad = node.grad * local` (line 12)", "a"),
    M(6, "+=, but a dict drops a * a's second edge", (("", DICT_OF_INPUTS),),
      "a.grad is 3, expected 6 (the first wrong gradient, walking back from the root; 1 of 2 nodes are "
      "wrong); it is an input 2 times (of y), so its gradient is one term per edge, 3 + 3; yours equals "
      "one term alone: possibly `=` where `+=` belongs, or an edge lost", "a"),
    M(6, "a dict of gradients, = where it must add (ARENA_2.0#18)", (("", DICT_OF_GRADS),),
      "a.grad is 3, expected 6 (the first wrong gradient, walking back from the root; 1 of 2 nodes are "
      "wrong); it is an input 2 times (of y), so its gradient is one term per edge, 3 + 3; yours equals "
      "one term alone: possibly", "a"),
    M(6, "recursion that passes a gradient on before it is complete (DLFS_code#13)",
      (("", RECURSIVE_BACKWARD),),
      "b.grad is -28, expected -20 (the first wrong gradient, walking back from the root; 2 of 5 nodes "
      "are wrong)", "b"),
    M(6, "the root left out of the order", (("    root.grad = 1.0", "    root.grad = 1.0\n    order = order[:-1]"),),
      "a.grad is 0, expected 6 (the first wrong gradient, walking back from the root; 1 of 2 nodes are "
      "wrong)", "a"),
    M(6, "the root seeded with 0.5", (("    root.grad = 1.0", "    root.grad = 0.5"),),
      "the root's gradient is not 1 when the walk begins (d root / d root = 1): with `root.grad = 1.0` "
      "added before line 10", "y"),
    M(6, "no upstream gradient", (("child.grad += node.grad * local", "child.grad += local"),),
      "the upstream gradient is missing", "c"),
    M(6, "forward order", (("reversed(order)", "order"),), "the walk in the wrong direction", "c"),
    M(6, "no reset of op results", (("            node.grad = 0.0", "            pass"),),
      "the op results' gradients are not reset to 0 before the walk", "d"),
    M(6, "no seed", (("    root.grad = 1.0", "    root.grad = root.grad"),),
      "the root's gradient is not 1 when the walk begins (d root / d root = 1): with `root.grad = 1.0` added", "y"),
    M(6, "leaves reset too", (("if node._prev:", "if True:"),), "the leaves' gradients do not keep what the call before left there", "b"),
    # 7: neuron and MLP
    M(7, "no bias", (("sum((wi * xi for wi, xi in zip(self.w, x)), self.b)",
                      "sum(wi * xi for wi, xi in zip(self.w, x))"),), "its output does not change with b"),
    M(7, "no activation", (("return act.relu() if self.nonlin else act", "return act"),),
      "no relu was applied below 0"),
    M(7, "bias first in parameters()", (("return self.w + [self.b]", "return [self.b] + self.w"),),
      "parameters() lists the bias at place 1: with the Values of parameters() set in the order "
      "[b, w0, w1, w2], your neuron gives relu(w . x + b) at every input tried"),
    M(7, "weights paired with the inputs reversed", (("zip(self.w, x)", "zip(self.w, reversed(x))"),),
      "with the Values of parameters() set in the order [w2, w1, w0, b], your neuron gives relu(w . x + b) "
      "at every input tried: either parameters() lists them in that order, or the neuron multiplies a "
      "weight by another input than its own"),
    M(7, "relu on the output", (("nonlin=i != len(nouts) - 1", "nonlin=True"),),
      "the last layer applies relu; the output layer is linear (nonlin=False), so that its score can be "
      "negative: with nonlin set to True in the 8 hidden neurons and False in the output neuron, MLP "
      "passes this check"),
    M(7, "no relu in the hidden layers", (("nonlin=i != len(nouts) - 1", "nonlin=False"),),
      "the hidden layers are linear"),
    M(7, "equal initial weights", (("Value(random.uniform(-1, 1))", "Value(0.5)"),),
      "initial weights are equal"),
    M(7, "floats, not Values", (("sum((wi * xi for", "sum((wi.data * xi for"),),
      "a number (`.data`) where the Value belongs: a gradient cannot flow through a plain number: with "
      "`wi` in place of your `wi.data` (line 13)"),
    # 8: mse and a step
    M(8, "no zero_grad", (("    zero_grad(params)\n    loss =", "    loss ="),),
      "the parameters' gradients are not 0 when loss.backward() runs"),
    M(8, "zero_grad([loss])", (("    zero_grad(params)\n    loss = mse([model(x) for x in X], Y)\n",
                                "    loss = mse([model(x) for x in X], Y)\n    zero_grad([loss])\n"),),
      "the parameters' gradients are not 0 when loss.backward() runs"),
    M(8, "zero_grad adds 0", (("p.grad = 0.0", "p.grad += 0.0"),),
      "`+=` where `=` belongs: with `p.grad = 0.0` in place of your `p.grad += 0.0` (line 7)"),
    M(8, "train_step returns the loss Value", (("return loss.data", "return loss"),),
      "train_step returned Value(data=0.49"),
    M(8, "+ in the step", (("p.data -= lr * p.grad", "p.data += lr * p.grad"),),
      "a sign in the update: with `p.data -= lr * p.grad` in place of your `p.data += lr * p.grad`"),
    M(8, "no learning rate in the step", (("p.data -= lr * p.grad", "p.data -= p.grad"),),
      "`lr` is given but never used: with `p.data -= lr * p.grad` in place of your `p.data -= p.grad`"),
    M(8, "a sum for the mean", ((") / len(preds)", ")"),), "a sum where the mean belongs"),
    M(8, "a negative mean squared error", (("return sum(", "return -sum("),),
      "a sign inside the formula: with `sum("),
    M(8, "(p - t) * 2 for the square", (("(p - t) ** 2", "(p - t) * 2"),),
      "mse of predictions [1, -2, 0.5] against [0, 1, 0.5] gave -1.333, expected (1 + 9 + 0) / 3 = 3.333"),
    # 9: minibatch SGD
    M(9, "the decay never stops", (("    if k >= tau:\n        return lr_end\n", ""),),
      "after tau steps the rate stays at lr_end"),
    M(9, "the last batch dropped", (("range(0, n, batch_size)", "range(0, n - batch_size + 1, batch_size)"),),
      "leaves out [", ),
    M(9, "no shuffle", (("rng.shuffle(order)", "pass"),), "kept the examples in order"),
    M(9, "no decay: k never counted", (("            k += 1", "            pass"),),
      "a step against the gradient at a rate of 0.1, where eps_1 is 0.08667; train called "
      "learning_rate with k = 0, 0, 0"),
    M(9, "k counted per epoch", (("            k += 1\n", ""),
                                 ("        history.append(total / len(X))", "        history.append(total / len(X))\n        k += 1")),
      "train called learning_rate with k = 0, 0, 1, 1, 2, 2"),
    M(9, "tau counts epochs, not steps", (("tau = epochs * -(-len(X) // batch_size)", "tau = epochs"),),
      "which is eps_1 of a schedule with tau = 3; here tau is the number of steps of the whole run, 6"),
    M(9, "the batch's loss summed", (("loss = mse([model(X[i]) for i in batch], [Y[i] for i in batch])",
                                      "loss = sum((model(X[i]) - Y[i]) ** 2 for i in batch)"),),
      "a step against the gradient at a rate of 0.4, where eps_0 is 0.1, 4 times it, as many as the "
      "examples in a batch (is the loss the batch's mean?)"),
    M(9, "no decay: lr0 throughout", (("lr = learning_rate(k, lr0, lr_end, tau)", "lr = lr0"),),
      "train never called learning_rate"),
    M(9, "no zero_grad between steps", (("                p.grad = 0.0", "                pass"),),
      "the gradients are not 0 when backward() runs"),
    M(9, "epoch losses not summed", (("            total += loss.data * len(batch)", "            pass"),),
      "train returned the epoch losses [0, 0, 0], but the mean losses of its epochs' batches were"),
    M(9, "the seed set after the loop", (("    rng = random.Random(seed)\n", ""),
                                         ("    return history", "    rng = random.Random(seed)\n    return history")),
      "your code raised UnboundLocalError"),
    M(9, "an unseeded rng", (("    rng = random.Random(seed)\n", "    rng = random.Random()\n"),),
      "run twice with seed = 0, fed the points in different orders or ended at different parameters"),
    M(9, "the seed set inside the epoch loop", (("    rng = random.Random(seed)\n", ""),
                                                ("        total = 0.0\n", "        total = 0.0\n        rng = random.Random(seed)\n")),
      "every epoch fed the 4 points in the same order"),
    M(9, "a module's rng, seeded after the loop", (("    rng = random.Random(seed)\n", "    rng = RNG\n"),
                                                    ("    return history", "    RNG.seed(seed)\n    return history"),
                                                    ("def learning_rate", "import random\nRNG = random.Random()\n\n\ndef learning_rate")),
      "fed the points in the same order with seed = 0 and seed = 1: the seed given to train does not change "
      "its batches"),
    M(9, "the global random for the rng", (("rng.shuffle(order)", "random.shuffle(order)"),
                                           ("def batches(", "import random\n\n\ndef batches(")),
      "`random` where `rng` belongs"),
    # 10: momentum
    M(10, "no velocity kept", (("self.v[i] = self.mu * self.v[i] + p.grad\n            p.data -= self.lr * self.v[i]",
                                "p.data -= self.lr * p.grad"),), "your step moved them by -lr * [1, -2], the gradient itself"),
    M(10, "+ in the step", (("p.data -= self.lr", "p.data += self.lr"),), "so it is one of these: a sign in the update"),
    M(10, "one velocity shared by every parameter", (("", SHARED_VELOCITY),),
      "after step 1 (gradients [1, -2]) the parameters are [0.9, -0.89], expected [0.9, -0.8]"),
    M(10, "a damped velocity", (("self.mu * self.v[i] + p.grad", "self.mu * self.v[i] + (1 - self.mu) * p.grad"),),
      "your steps are 1 - mu times the formula's: the velocity adds (1 - mu) * g"),
    M(10, "1 - mu for lr", (("p.data -= self.lr * self.v[i]", "p.data -= (1 - self.mu) * self.v[i]"),),
      "Momentum(lr=0.03, mu=0.5): after step 1"),
    M(10, "a loop that never ends", (("    def step(self):\n", "    def step(self):\n        while True:\n            pass\n"),),
      "stopped after 1 s, still running"),
]
