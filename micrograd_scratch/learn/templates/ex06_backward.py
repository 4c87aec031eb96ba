"""Exercise 6: backward(): seed, reverse order, accumulate.

After the forward pass, every node should learn d root / d node, its
`grad`. The chain rule gives it from the nodes that use it: if node y was
made from input a, then a receives y.grad * (dy/da), and a node used by
several others (or twice by one, as in a * a) receives one such term from
each use: they add up.

So `backward(root)`:

1. orders the nodes (each after its inputs): `topological_order(root)`,
   the package's (or import yours from exercise 5);
2. sets every op result's grad (a node with inputs) to 0, and leaves the
   leaves' alone: a leaf's gradient accumulates across calls, until
   zero_grad, as in PyTorch;
3. seeds the root: d root / d root = 1;
4. walks the order in reverse, root first, and for each node and each of
   its inputs adds the node's grad times the local derivative into the
   input's grad. `local_grads(node)` gives the local derivatives, one per
   input, in the order of `node._prev`.

The checker compares every node's gradient with the package's, on a * a,
on a node used by two later nodes, and across two calls.

Check your work:   micrograd-scratch learn check 6
"""

from micrograd_scratch.engine import local_grads, topological_order  # noqa: F401


def backward(root) -> None:
    """Fill in node.grad = d root / d node for every node below root."""
    raise NotImplementedError("write this: backward(root)")
