"""Reference solution: SGD, momentum and Adam on the Rosenbrock function."""
import numpy as np


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_grad(x):
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2),
                     200 * (x[1] - x[0] ** 2)])


def sgd(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        x = x - lr * grad(x)
        path.append(x.copy())
    return np.array(path)


def momentum(grad, x0, lr, beta, steps):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        v = beta * v + grad(x)
        x = x - lr * v
        path.append(x.copy())
    return np.array(path)


def adam(grad, x0, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    x = np.array(x0, dtype=float)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    path = [x.copy()]
    for t in range(1, steps + 1):
        g = grad(x)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        x = x - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(x.copy())
    return np.array(path)


if __name__ == "__main__":
    start = np.array([-1.2, 1.0])
    for name, path in [("sgd", sgd(rosenbrock_grad, start, 1e-3, 3000)),
                       ("momentum", momentum(rosenbrock_grad, start, 1e-3, 0.9, 3000)),
                       ("adam", adam(rosenbrock_grad, start, 0.05, 3000))]:
        print(f"{name:9s} f = {rosenbrock(path[-1]):.3e} at {path[-1]}")
