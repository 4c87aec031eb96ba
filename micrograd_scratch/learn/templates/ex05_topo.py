"""Exercise 5: the topological order.

Back-propagation visits the graph's nodes so that a node comes after all
of its inputs (a *topological order*); walked backwards, it then reaches
every node after all the nodes that use it. Each node's inputs are
`node._prev`, a tuple in argument order (`a * a` lists `a` twice).

Write `topological_order(root)`: every node below `root`, root included,

- each exactly once, even a node that several others use;
- each after all of its inputs, and `root` last;
- the same order on every run (so walk node._prev, a tuple, not a set);
- without recursion: Python stops a recursion about 1000 levels deep, and
  a graph can be far deeper than that (a long sum, an RNN unrolled), so
  keep a stack of your own.

The checker tries it on a diamond (a node used by two others), on a chain
100,000 nodes deep, and on the same graph built again.

Check your work:   micrograd-scratch learn check 5
"""


def topological_order(root) -> list:
    """Every node below root, each once and after all of its inputs; root last."""
    raise NotImplementedError("write this: topological_order(root)")
