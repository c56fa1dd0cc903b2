"""A tiny reverse-mode automatic differentiation engine on scalars: add, mul and ReLU.

Every arithmetic operation on Values creates a new Value that remembers its parents and how to
send a gradient back to them. ``out.backward()`` sets out.grad = 1 and then visits the graph in
reverse topological order, so that each node's gradient is complete before it is passed on.
Plain numbers may appear on either side: ``2 * x``, ``x + 1``.
"""


class Value:
    def __init__(self, data, parents=(), op=""):
        self.data = float(data)
        self.grad = 0.0              # ∂(final output)/∂(this node), filled in by backward()
        self.parents = tuple(parents)
        self.op = op
        self._backward = lambda: None  # adds this node's contribution to its parents' grads

    def __repr__(self):
        return f"Value(data={self.data:g}, grad={self.grad:g})"

    def __add__(self, other):
        """self + other, where other is a Value or a number."""
        raise NotImplementedError("__add__ is not written yet")

    def __mul__(self, other):
        """self · other, where other is a Value or a number."""
        raise NotImplementedError("__mul__ is not written yet")

    def relu(self):
        """max(0, self); its derivative is 1 where the input is positive, else 0."""
        raise NotImplementedError("relu is not written yet")

    def backward(self):
        """Fill in .grad of every node this one depends on (this one gets grad 1)."""
        raise NotImplementedError("backward is not written yet")

    def __radd__(self, other):   # number + Value
        return self + other

    def __rmul__(self, other):   # number * Value
        return self * other
