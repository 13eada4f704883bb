"""Golden values for chainrule's explain/ tests: the notes' three worked examples computed by PyTorch
in float64 (values, gradients of every intermediate, SGD updates, second forward pass).

Run: /usr/bin/python3 tools/gen_golden_explain.py   (writes test/fixtures/explain-seeds-torch.json)
"""

import json
import os

import torch

torch.set_default_dtype(torch.float64)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def graph():
    x, y, z = (torch.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    q = x + y
    q.retain_grad()
    f = q * z
    f.backward()
    return {"q": q.item(), "f": f.item(), "df/dq": q.grad.item(), "df/dx": x.grad.item(),
            "df/dy": y.grad.item(), "df/dz": z.grad.item()}


def mlp(x, y, layers, act_out, loss_kind, lr, second):
    params = [(torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)) for w, b in layers]
    x = torch.tensor(x)
    y = torch.tensor(y)

    def forward():
        zs, acts = [], []
        a = x
        for i, (w, b) in enumerate(params):
            z = a @ w.T + b
            a = torch.sigmoid(z) if i < len(params) - 1 or act_out == "sigmoid" else torch.softmax(z, dim=-1)
            zs.append(z)
            acts.append(a)
        if loss_kind == "bce":
            loss = -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).mean()
        else:
            loss = 0.5 * ((a - y) ** 2).sum()
        return zs, acts, loss

    zs, acts, loss = forward()
    for t in zs + acts:
        t.retain_grad()
    loss.backward()
    out = {"z": [flat(z) for z in zs], "a": [flat(a) for a in acts], "L": loss.item(),
           "delta": [flat(z.grad) for z in zs], "dL/da": [flat(a.grad) for a in acts],
           "dW": [flat(w.grad) for w, _ in params], "db": [flat(b.grad) for _, b in params]}
    with torch.no_grad():
        for w, b in params:
            w -= lr * w.grad
            b -= lr * b.grad
    out["W_new"] = [flat(w) for w, _ in params]
    out["b_new"] = [flat(b) for _, b in params]
    if second:
        with torch.no_grad():
            zs, acts, loss = forward()
        out["second"] = {"z": [flat(z) for z in zs], "a": [flat(a) for a in acts], "L": loss.item()}
    return out


golden = {
    "seed-graph": graph(),
    "seed-2-2-1": mlp([[1.0, 2.0]], [[1.0]], [([[0.1, 0.2], [0.3, 0.4]], [0.01, 0.02]), ([[0.5, 0.6]], [0.05])],
                      "sigmoid", "bce", 0.1, True),
    "seed-3-4-2": mlp([[1.0, 0.5, -1.0]], [[1.0, 0.0]],
                      [([[0.2, -0.3, 0.5], [0.7, 0.1, -0.2], [-0.5, 0.4, 0.3], [0.1, -0.4, 0.2]], [0.1, -0.2, 0.05, 0.0]),
                       ([[0.3, -0.6, 0.2, 0.1], [-0.2, 0.1, 0.4, -0.5]], [0.05, -0.1])],
                      "softmax", "half-sse", 0.1, False),
}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "explain-seeds-torch.json")
with open(path, "w") as f:
    json.dump(golden, f, indent=1)
print("wrote", path)
