def topological_order(root):
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for child in reversed(node._prev):  # a child already visited is skipped when popped
                stack.append((child, False))
    return order
