# Golden values for the tensor layer: PyTorch's repr of a set of tensors and its type-promotion table
# (torch.result_type and true division) for tensor-tensor, tensor-0d, 0d-0d and tensor-scalar operands.
# Run with Debian's interpreter (torch 1.13): /usr/bin/python3 tools/gen_golden_tensor.py
# Writes test/fixtures/tensor-golden.json, read by test/tensor/format.test.ts and test/tensor/dtype.test.ts.

import json
import math
import os
import re

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "tensor-golden.json")
DTYPES = {"bool": torch.bool, "int32": torch.int32, "float32": torch.float32, "float64": torch.float64}
NAMES = {v: k for k, v in DTYPES.items()}
# chainrule's default integer is int32 where PyTorch's is int64 (bool + python int gives int64 there)
NAMES[torch.int64] = "int32"


def enc(v):
    """JSON has no NaN or infinities: they travel as strings."""
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def fmt_case(name, t, requires_grad=False, op=None):
    """A tensor's data, shape, dtype and PyTorch's str; `op` ('mul2') records it through an op instead."""
    flat = [enc(float(v)) if t.dtype.is_floating_point else int(v) for v in t.reshape(-1).tolist()]
    shown = t.clone().requires_grad_(requires_grad) if requires_grad else t
    if op == "mul2":
        shown = t.clone().requires_grad_(True) * 2
    text = str(shown).replace("torch.", "")
    # the JavaScript spellings chainrule keeps (see src/tensor/format.ts)
    text = text.replace("requires_grad=True", "requiresGrad=true").replace("grad_fn=<MulBackward0>", "gradFn=<MulBackward>")
    text = text.replace("True", "true").replace("False", "false")
    if t.dtype == torch.int32 and t.numel() > 0:
        # int32 is chainrule's default integer, so like PyTorch's int64 it goes unnamed
        text = re.sub(r",\s*dtype=int32", "", text)
    size = f"size=({', '.join(str(s) for s in t.shape)}{',' if t.dim() == 1 else ''})"
    text = text.replace(size, "size=[" + ", ".join(str(s) for s in t.shape) + "]")
    return {"name": name, "data": flat, "shape": list(t.shape), "dtype": NAMES[t.dtype], "op": op, "str": text}


def format_cases():
    f32, f64 = torch.float32, torch.float64
    nan, inf = float("nan"), float("inf")
    return [
        fmt_case("row requiring grad", torch.tensor([[0.1, 0.2]]), requires_grad=True),
        fmt_case("integral floats", torch.tensor([1.0, 2.0, 3.0])),
        fmt_case("signed column alignment", torch.tensor([1.0, -2.5])),
        fmt_case("2-d fixed", torch.tensor([[1.5, -0.25], [100.125, 3.0]])),
        fmt_case("3-d blank lines between blocks", torch.arange(24.0).reshape(2, 3, 4)),
        fmt_case("scalar", torch.tensor(3.25)),
        fmt_case("small value switches to scientific", torch.tensor([1e-5, 1.0])),
        fmt_case("wide range switches to scientific", torch.tensor([0.001, 2.0])),
        fmt_case("wide integral range", torch.tensor([1.0, 10000.0])),
        fmt_case("large value", torch.tensor([123456789.0, 1.0])),
        fmt_case("negative scientific", torch.tensor([-1e-5, 3.5])),
        fmt_case("nan and inf", torch.tensor([1.0, nan, inf, -inf])),
        fmt_case("nan beside fractions", torch.tensor([1.5, nan])),
        fmt_case("zeros", torch.tensor([0.0, 0.0])),
        fmt_case("negative zero", torch.tensor([-0.0, 1.0])),
        fmt_case("ties round to even", torch.tensor([0.03125, 0.09375, 1.03125])),
        fmt_case("float64 named", torch.tensor([1.5, 2.0], dtype=f64)),
        fmt_case("int32", torch.tensor([0, -12, 345], dtype=torch.int32)),
        fmt_case("bool", torch.tensor([True, False])),
        fmt_case("empty", torch.tensor([])),
        fmt_case("empty 2-d", torch.zeros(0, 3)),
        fmt_case("empty int", torch.zeros(0, dtype=torch.int32)),
        fmt_case("wraps at 80 columns", torch.arange(30.0) / 7),
        fmt_case("wraps 2-d rows", torch.arange(40.0, dtype=f32).reshape(2, 20) / 3),
        fmt_case("summarised vector", torch.arange(1200.0) / 7),
        fmt_case("summarised matrix", torch.arange(2000.0).reshape(40, 50)),
        fmt_case("summarised 3-d", torch.arange(3000, dtype=torch.int32).reshape(10, 10, 30)),
        fmt_case("int scalar", torch.tensor(-7, dtype=torch.int32)),
        fmt_case("nan scalar", torch.tensor(nan)),
        fmt_case("int vector wraps", torch.arange(-20, 20, dtype=torch.int32) * 37),
        fmt_case("float64 requiring grad", torch.tensor([0.5, -1.0], dtype=f64), requires_grad=True),
        fmt_case("graph output", torch.tensor([1.0, 2.0]), op="mul2"),
        fmt_case("full last line moves the suffix", torch.arange(18.0) / 7, requires_grad=True),
    ]


def promotion_table():
    """result dtype of add (torch.result_type) and of true division, for every operand pairing."""
    rows = []
    operands = []
    for name, dt in DTYPES.items():
        operands.append(("tensor", name, torch.ones(2, dtype=dt)))
        operands.append(("0d", name, torch.ones((), dtype=dt)))
    scalars = [("int", 2), ("float", 2.5), ("bool", True)]
    for kind_a, name_a, a in operands:
        for kind_b, name_b, b in operands:
            rows.append(
                {
                    "a": [kind_a, name_a],
                    "b": [kind_b, name_b],
                    "add": NAMES[torch.result_type(a, b)],
                    "div": NAMES[torch.true_divide(a, b).dtype],
                }
            )
        for sname, s in scalars:
            rows.append(
                {
                    "a": [kind_a, name_a],
                    "b": ["scalar", sname],
                    "add": NAMES[torch.result_type(a, s)],
                    "div": NAMES[torch.true_divide(a, s).dtype],
                }
            )
    return rows


def main():
    golden = {"format": format_cases(), "promotion": promotion_table()}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: {len(golden['format'])} format cases, {len(golden['promotion'])} promotion rows")


if __name__ == "__main__":
    main()
