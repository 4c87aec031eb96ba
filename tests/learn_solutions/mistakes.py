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


M = Mistake
MISTAKES = [
    # 1: the perceptron
    M(1, "no error term", (("error = d - predict(w, b, x)", "error = d"),), "without the error term"),
    M(1, ">= for >", (("+ b > 0 else 0", "+ b >= 0 else 0"),), "(> 0, not >= 0)"),
    M(1, "sign of the update", (("wi + lr * error * xi", "wi - lr * error * xi"),
                                ("b + lr * error", "b - lr * error")), "a sign error"),
    M(1, "no lr", (("wi + lr * error * xi", "wi + error * xi"), ("b + lr * error", "b + error")),
      "the learning rate lr is missing"),
    # 2: least squares
    M(2, "no factor 2", (("2 / n * sum(e * x[j]", "1 / n * sum(e * x[j]"),
                         ("db = 2 / n * sum(errors)", "db = 1 / n * sum(errors)")),
      "the factor 2 is missing"),
    M(2, "y - f", (("predict(w, b, x) - y for", "y - predict(w, b, x) for"),), "a sign error"),
    M(2, "sum, not mean", (("2 / n * sum(e * x[j]", "2 * sum(e * x[j]"),
                           ("db = 2 / n * sum(errors)", "db = 2 * sum(errors)")),
      "a sum where the mean belongs"),
    M(2, "+ in the update", (("wj - lr * gj", "wj + lr * gj"), ("b - lr * db", "b + lr * db")),
      "an update with + instead of -"),
    M(2, "dw without x", (("sum(e * x[j] for e, x in zip(errors, X))", "sum(e for e, x in zip(errors, X))"),),
      "needs the input x_j"),
    # 3: the hand-set network
    M(3, "no negative bias", (("b1 = [0, -1]", "b1 = [0, 0]"),), "no hidden unit is ever below 0"),
    M(3, "W2 sign", (("W2 = [1, -2]", "W2 = [1, 2]"),), "wrong at (1, 1)"),
    # 4: local derivatives
    M(4, "tanh with x", (("1 - out**2", "1 - x**2"),), "used x where the rule needs the output", "x"),
    M(4, "sigmoid with x", (("out * (1 - out)", "x * (1 - x)"),), "used x where the rule needs the output", "x"),
    M(4, "exp with x", (("def exp_grads(out, x):\n    return (out,)", "def exp_grads(out, x):\n    return (x,)"),),
      "used x where the rule needs the output", "x"),
    M(4, "tanh sign", (("1 - out**2", "out**2 - 1"),), "a sign error", "x"),
    M(4, "log sign", (("(1 / x,)", "(-1 / x,)"),), "a sign error", "x"),
    M(4, "mul swapped", (("(b, a)", "(a, b)"),), "the derivatives are swapped", "a"),
    M(4, "pow keeps n", (("n * a ** (n - 1)", "n * a ** n"),), "the power must drop by one", "a"),
    M(4, "pow d/dn without out", (("out * log(a) if", "log(a) if"),), "the factor a**n (out) is missing", "n"),
    M(4, "relu >= 0", (("data(x) > 0", "data(x) >= 0"),), "write x > 0, not x >= 0", "x"),
    M(4, "relu returns a number", (("return (1.0 if data(x) > 0 else 0.0,)", "return 1.0 if data(x) > 0 else 0.0"),),
      "a single number; the contract is a tuple"),
    M(4, "tanh without the square", (("1 - out**2", "1 - out"),), "the square is missing", "x"),
    M(4, "sigmoid without 1 - out", (("return (out * (1 - out),)", "return (out,)"),),
      "the factor (1 - out) is missing", "x"),
    M(4, "a rule that raises", (("1 - out**2", "1 - out**2 / 0"),),
      "your code raised ZeroDivisionError (float division by zero), at ex04_local_grads.py line 21"),
    # 5: the topological order
    M(5, "recursive, no visited set", (("", RECURSIVE_NO_VISITED),),
      "lists the shared node c 2 times", "c"),
    M(5, "recursive with a visited set", (("", RECURSIVE_WITH_VISITED),),
      "RecursionError on a chain 100,000 deep, at ex05_topo.py line"),
    M(5, "a set of inputs", (("reversed(node._prev)", "set(node._prev)"),), "differs between runs"),
    M(5, "a node before its inputs", (("", PREORDER),), "comes before its input", "e"),
    # 6: backward
    M(6, "= for +=", (("child.grad += node.grad * local", "child.grad = node.grad * local"),),
      "in y = a * a the gradient flows along both edges, and the two terms add up: use += not =", "a"),
    M(6, "no upstream gradient", (("child.grad += node.grad * local", "child.grad += local"),),
      "forgot the upstream gradient g", "c"),
    M(6, "forward order", (("reversed(order)", "order"),), "walked the order forwards", "c"),
    M(6, "no reset of op results", (("            node.grad = 0.0", "            pass"),),
      "kept the op results' gradients from the last call", "d"),
    M(6, "no seed", (("    root.grad = 1.0", "    root.grad = root.grad"),), "never seeded the root", "y"),
    M(6, "leaves reset too", (("if node._prev:", "if True:"),), "reset the leaves too", "b"),
    # 7: neuron and MLP
    M(7, "no bias", (("sum((wi * xi for wi, xi in zip(self.w, x)), self.b)",
                      "sum(wi * xi for wi, xi in zip(self.w, x))"),), "forgot the bias"),
    M(7, "no activation", (("return act.relu() if self.nonlin else act", "return act"),),
      "forgot the activation"),
    M(7, "relu on the output", (("nonlin=i != len(nouts) - 1", "nonlin=True"),),
      "your last layer applies relu"),
    M(7, "equal initial weights", (("Value(random.uniform(-1, 1))", "Value(0.5)"),),
      "initial weights are equal"),
    M(7, "floats, not Values", (("sum((wi * xi for", "sum((wi.data * xi for"),),
      "gradients do not reach the weights"),
    # 8: mse and a step
    M(8, "no zero_grad", (("    zero_grad(params)\n    loss =", "    loss ="),), "you forgot zero_grad"),
    M(8, "+ in the step", (("p.data -= lr * p.grad", "p.data += lr * p.grad"),),
      "an update with + instead of -"),
    M(8, "a sum for the mean", ((") / len(preds)", ")"),), "a sum where the mean belongs"),
    # 9: minibatch SGD
    M(9, "the decay never stops", (("    if k >= tau:\n        return lr_end\n", ""),),
      "after tau steps the rate stays at lr_end"),
    M(9, "the last batch dropped", (("range(0, n, batch_size)", "range(0, n - batch_size + 1, batch_size)"),),
      "leaves out [", ),
    M(9, "no shuffle", (("rng.shuffle(order)", "pass"),), "kept the examples in order"),
    # 10: momentum
    M(10, "no velocity kept", (("self.v[i] = self.mu * self.v[i] + p.grad\n            p.data -= self.lr * self.v[i]",
                                "p.data -= self.lr * p.grad"),), "that is plain SGD"),
    M(10, "+ in the step", (("p.data -= self.lr", "p.data += self.lr"),), "an update with + instead of -"),
    M(10, "a loop that never ends", (("    def step(self):\n", "    def step(self):\n        while True:\n            pass\n"),),
      "stopped after 1 s, still running, at ex10_momentum.py line"),
]
