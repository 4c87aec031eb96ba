def topological_order(root):
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for child in reversed(node._prev):
                if child not in visited:
                    stack.append((child, False))
    return order
