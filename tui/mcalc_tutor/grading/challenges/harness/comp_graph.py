"""Sandbox side of the computational-graph challenge: builds the grader's expression out of the
learner's Value objects, runs backward() on the last node and returns every node's value and
the inputs' gradients. Appended to driver.py (numpy, encode_array)."""


def run_test(module, name, payload):
    Value = module.Value
    nodes = []
    for op in payload["ops"]:
        kind = op[0]
        if kind == "input":
            node = Value(op[1])
        elif kind == "add":
            node = nodes[op[1]] + nodes[op[2]]
        elif kind == "mul":
            node = nodes[op[1]] * nodes[op[2]]
        elif kind == "relu":
            node = nodes[op[1]].relu()
        elif kind == "add_const":
            node = nodes[op[1]] + op[2]
        elif kind == "const_add":
            node = op[2] + nodes[op[1]]
        elif kind == "mul_const":
            node = nodes[op[1]] * op[2]
        elif kind == "const_mul":
            node = op[2] * nodes[op[1]]
        else:
            raise ValueError(kind)
        if not isinstance(node, Value):
            raise TypeError(f"a {kind} of Values gave a {type(node).__name__}, not a Value")
        nodes.append(node)
    nodes[-1].backward()
    return {"data": [float(n.data) for n in nodes], "grads": [float(nodes[i].grad) for i in payload["inputs"]]}
