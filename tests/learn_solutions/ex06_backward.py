from micrograd_scratch.engine import local_grads, topological_order


def backward(root):
    order = topological_order(root)
    for node in order:
        if node._prev:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for child, local in zip(node._prev, local_grads(node)):
            child.grad += node.grad * local
