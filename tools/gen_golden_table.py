# Golden values for every sample call of the op table, from PyTorch. The samples (inputs, values,
# attributes and the PyTorch expression of each call) are written by tools/gen-ops.ts from the
# table into test/fixtures/op-samples.json; this script runs each call and records its output and
# the gradients of sum(output * cotangent) w.r.t. every differentiated input.
# Run with Debian's interpreter: /usr/bin/python3 tools/gen_golden_table.py
# Writes test/fixtures/op-golden.json, read by test/ops/table.test.ts.

import json
import math
import os

import torch

HERE = os.path.dirname(__file__)
SAMPLES = os.path.join(HERE, "..", "test", "fixtures", "op-samples.json")
OUT = os.path.join(HERE, "..", "test", "fixtures", "op-golden.json")
# int32 inputs are indices: PyTorch's gather/scatter want int64 for them
TORCH_DT = {"float64": torch.float64, "float32": torch.float32, "int32": torch.int64, "bool": torch.bool}


def cotangent(n):
    """The upstream gradient both sides use: (7k mod 11 - 5) / 4 at element k."""
    return [((7 * k) % 11 - 5) / 4 for k in range(n)]


def num(v):
    """A JSON number; NaN and the infinities as strings."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def flat(t):
    return [num(float(v)) for v in t.detach().reshape(-1).tolist()]


def run(case):
    xs = []
    for inp in case["inputs"]:
        # float() also reads the "NaN" and "Infinity" strings gen-ops.ts writes for them
        values = [float(v) for v in inp["values"]]
        t = torch.tensor(values, dtype=TORCH_DT[inp["dtype"]]).reshape(inp["shape"])
        if inp["grad"]:
            t.requires_grad_(True)
        xs.append(t)
    env = {"torch": torch, **{f"x{i}": x for i, x in enumerate(xs)}}
    out = eval(case["torch"], env)
    result = {"op": case["op"], "index": case["index"], "shape": list(out.shape), "output": flat(out)}
    wrt = [x for x, inp in zip(xs, case["inputs"]) if inp["grad"]]
    if case["differentiable"] and wrt and out.dtype.is_floating_point:
        cot = torch.tensor(cotangent(out.numel()), dtype=out.dtype).reshape(out.shape)
        grads = torch.autograd.grad(out, wrt, cot, allow_unused=True)
        it = iter(grads)
        result["grads"] = [
            (lambda g: flat(g) if g is not None else [0.0] * x.numel())(next(it)) if inp["grad"] else None
            for x, inp in zip(xs, case["inputs"])
        ]
    return result


def main():
    with open(SAMPLES) as f:
        cases = json.load(f)
    results = [run(c) for c in cases]
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"torch": torch.__version__, "cases": results}, f, indent=1)
        f.write("\n")
    os.replace(tmp, OUT)
    print(f"wrote {len(results)} cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
