# Golden values of the public op functions with their options (scalar operands on either side,
# alpha, dims, dtypes, in-place forms, the nn.functional calls): a table of cases (op, fixed inputs,
# options) run through PyTorch, recording each forward output and the gradients of
# sum(output * upstream) w.r.t. every float input. Each primitive's own samples come from the op
# table instead (tools/gen_golden_table.py).
# Run with Debian's interpreter (torch 1.13): /usr/bin/python3 tools/gen_golden_ops.py
# Writes test/fixtures/ops-golden.json, read by test/ops/golden.test.ts (op names match its table).

import json
import math
import operator
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "ops-golden.json")
NP = {"float64": np.float64, "float32": np.float32, "int32": np.int32, "bool": np.bool_}
TORCH_DT = {"float64": torch.float64, "float32": torch.float32, "int32": torch.int32, "bool": torch.bool}
rng = np.random.default_rng(20240601)


# ---- inputs: fixed values from one seeded stream, rounded so the JSON stays short -----------------


def T(data, dtype="float64"):
    """An explicit input."""
    return {"dtype": dtype, "array": np.array(data, dtype=NP[dtype])}


def R(*shape, lo=-2.0, hi=2.0, dtype="float64"):
    """Uniform values in [lo, hi), three decimals."""
    return T(np.round(rng.uniform(lo, hi, size=shape), 3), dtype)


def P(*shape, dtype="float64"):
    """Positive values in [0.25, 2)."""
    return R(*shape, lo=0.25, hi=2.0, dtype=dtype)


def I(data):
    """An int32 input (indices, integer arithmetic)."""
    return T(data, "int32")


def B(data):
    """A bool input (masks, conditions)."""
    return T(data, "bool")


# ---- the PyTorch side of each op name (the TypeScript table in test/ops/golden-ops.ts mirrors it) --

UNARY = {
    "neg": torch.neg, "reciprocal": torch.reciprocal, "exp": torch.exp, "log": torch.log, "log1p": torch.log1p,
    "expm1": torch.expm1, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt, "abs": torch.abs, "sign": torch.sign,
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
    "relu": torch.relu, "erf": torch.erf, "square": torch.square, "floor": torch.floor, "ceil": torch.ceil,
    "round": torch.round, "isnan": torch.isnan, "isfinite": torch.isfinite, "logicalNot": torch.logical_not,
    "silu": F.silu,
}
BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
    "maximum": torch.maximum, "minimum": torch.minimum, "atan2": torch.atan2, "remainder": torch.remainder,
    "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
    "logicalAnd": torch.logical_and, "logicalOr": torch.logical_or,
}
# scalar on the left: Python's reflected operators give PyTorch's weak-typed result
LEFT = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
        "pow": operator.pow, "remainder": operator.mod}


def num(v):
    return {"inf": math.inf, "-inf": -math.inf}.get(v, v) if isinstance(v, str) else v


def binary(name):
    def run(xs, kw):
        if "scalar" in kw:
            s = kw["scalar"]
            return LEFT[name](s, xs[0]) if kw.get("left") else BINARY[name](xs[0], s)
        if "alpha" in kw:
            return BINARY[name](xs[0], xs[1], alpha=kw["alpha"])
        return BINARY[name](xs[0], xs[1])
    return run


def other(xs, kw):
    return xs[1] if len(xs) > 1 else kw["scalar"]


def long(t):
    return t.long()


def slice_(x, kw):
    idx = [slice(None)] * x.ndim
    idx[kw["dim"]] = slice(kw.get("start"), kw.get("end"), kw.get("step", 1))
    return x[tuple(idx)]


def reduce_kw(kw):
    return {k: v for k, v in kw.items() if k in ("dim", "keepdim")}


def max_min(fn):
    return lambda xs, kw: fn(xs[0], kw["dim"], kw.get("keepdim", False)).values if "dim" in kw else fn(xs[0])


def conv_args(xs):
    return xs[0], xs[1], xs[2] if len(xs) > 2 else None


CONV_KW = {"stride": "stride", "padding": "padding", "dilation": "dilation", "groups": "groups",
           "outputPadding": "output_padding", "ceilMode": "ceil_mode", "countIncludePad": "count_include_pad",
           "divisorOverride": "divisor_override"}


def conv_kw(kw):
    """The case's camelCase options under PyTorch's keyword names."""
    return {CONV_KW[k]: v for k, v in kw.items() if k in CONV_KW}


TORCH = {
    **{k: (lambda f: lambda xs, kw: f(xs[0]))(f) for k, f in UNARY.items()},
    **{k: binary(k) for k in BINARY},
    "softplus": lambda xs, kw: F.softplus(xs[0], beta=kw.get("beta", 1), threshold=kw.get("threshold", 20)),
    "gelu": lambda xs, kw: F.gelu(xs[0], approximate=kw.get("approximate", "none")),
    "leakyRelu": lambda xs, kw: F.leaky_relu(xs[0], kw.get("slope", 0.01)),
    "elu": lambda xs, kw: F.elu(xs[0], kw.get("alpha", 1.0)),
    "clamp": lambda xs, kw: torch.clamp(xs[0], kw.get("min"), kw.get("max")),
    "where": lambda xs, kw: torch.where(xs[0], xs[1] if len(xs) > 1 else kw["a"], xs[2] if len(xs) > 2 else kw["b"]),
    "sum": lambda xs, kw: torch.sum(xs[0], **reduce_kw(kw)) if "dim" in kw else torch.sum(xs[0]),
    "mean": lambda xs, kw: torch.mean(xs[0], **reduce_kw(kw)) if "dim" in kw else torch.mean(xs[0]),
    "prod": lambda xs, kw: torch.prod(xs[0], **reduce_kw(kw)) if "dim" in kw else torch.prod(xs[0]),
    "amax": lambda xs, kw: torch.amax(xs[0], **{"dim": [], **reduce_kw(kw)}),
    "amin": lambda xs, kw: torch.amin(xs[0], **{"dim": [], **reduce_kw(kw)}),
    "max": max_min(torch.max),
    "min": max_min(torch.min),
    "argmax": lambda xs, kw: torch.argmax(xs[0], **reduce_kw(kw)),
    "argmin": lambda xs, kw: torch.argmin(xs[0], **reduce_kw(kw)),
    "var": lambda xs, kw: torch.var(xs[0], dim=kw.get("dim"), correction=kw.get("correction", 1),
                                    keepdim=kw.get("keepdim", False)),
    "std": lambda xs, kw: torch.std(xs[0], dim=kw.get("dim"), correction=kw.get("correction", 1),
                                    keepdim=kw.get("keepdim", False)),
    "logsumexp": lambda xs, kw: torch.logsumexp(xs[0], kw.get("dim", list(range(xs[0].ndim))),
                                                kw.get("keepdim", False)),
    "norm": lambda xs, kw: torch.linalg.vector_norm(xs[0], num(kw.get("p", 2)), kw.get("dim"),
                                                    kw.get("keepdim", False)),
    "softmax": lambda xs, kw: torch.softmax(xs[0], kw["dim"]),
    "logSoftmax": lambda xs, kw: torch.log_softmax(xs[0], kw["dim"]),
    "matmul": lambda xs, kw: torch.matmul(xs[0], xs[1]),
    "mm": lambda xs, kw: torch.mm(xs[0], xs[1]),
    "addmm": lambda xs, kw: torch.addmm(xs[0], xs[1], xs[2].t() if kw.get("transposed") else xs[2],
                                        beta=kw.get("beta", 1), alpha=kw.get("alpha", 1)),
    "bmm": lambda xs, kw: torch.bmm(xs[0], xs[1]),
    "dot": lambda xs, kw: torch.dot(xs[0], xs[1]),
    "outer": lambda xs, kw: torch.outer(xs[0], xs[1]),
    "reshape": lambda xs, kw: xs[0].reshape(kw["shape"]),
    "reshapeT": lambda xs, kw: xs[0].transpose(0, 1).reshape(kw["shape"]),
    "view": lambda xs, kw: xs[0].view(kw["shape"]),
    "transpose": lambda xs, kw: xs[0].transpose(kw["d0"], kw["d1"]),
    "t": lambda xs, kw: xs[0].t(),
    "permute": lambda xs, kw: xs[0].permute(kw["dims"]),
    "unsqueeze": lambda xs, kw: xs[0].unsqueeze(kw["dim"]),
    "squeeze": lambda xs, kw: xs[0].squeeze(kw["dim"]) if "dim" in kw else xs[0].squeeze(),
    "expand": lambda xs, kw: xs[0].expand(kw["shape"]),
    "flatten": lambda xs, kw: xs[0].flatten(kw.get("start", 0), kw.get("end", -1)),
    "unflatten": lambda xs, kw: xs[0].unflatten(kw["dim"], kw["sizes"]),
    "narrow": lambda xs, kw: xs[0].narrow(kw["dim"], kw["start"], kw["length"]),
    "select": lambda xs, kw: xs[0].select(kw["dim"], kw["index"]),
    "slice": lambda xs, kw: slice_(xs[0], kw),
    "indexSelect": lambda xs, kw: torch.index_select(xs[0], kw["dim"], long(xs[1])),
    "gather": lambda xs, kw: torch.gather(xs[0], kw["dim"], long(xs[1])),
    "nllLoss": lambda xs, kw: F.nll_loss(xs[0], long(xs[1]), weight=xs[2] if len(xs) > 2 else None,
                                         ignore_index=kw.get("ignoreIndex", -100), reduction=kw.get("reduction", "mean")),
    "scatterAdd": lambda xs, kw: torch.scatter_add(xs[0], kw["dim"], long(xs[1]), xs[2]),
    "maskedFill": lambda xs, kw: xs[0].masked_fill(xs[1], num(kw["value"])),
    "repeat": lambda xs, kw: xs[0].repeat(kw["reps"]),
    "tile": lambda xs, kw: torch.tile(xs[0], kw["reps"]),
    "flip": lambda xs, kw: torch.flip(xs[0], kw["dims"]),
    "pad": lambda xs, kw: F.pad(xs[0], kw["pads"], value=kw.get("value", 0)),
    "cat": lambda xs, kw: torch.cat(xs, kw.get("dim", 0)),
    "stack": lambda xs, kw: torch.stack(xs, kw.get("dim", 0)),
    "split": lambda xs, kw: torch.split(xs[0], kw["size"], kw.get("dim", 0)),
    "chunk": lambda xs, kw: torch.chunk(xs[0], kw["chunks"], kw.get("dim", 0)),
    "contiguous": lambda xs, kw: xs[0].transpose(0, 1).contiguous(),
    "clone": lambda xs, kw: xs[0].clone(),
    "to": lambda xs, kw: xs[0].to(TORCH_DT[kw["dtype"]]),
    # the nn.functional ops that run the conv and pool primitives (slidingWindows, foldWindows, maxPool)
    "conv1d": lambda xs, kw: F.conv1d(*conv_args(xs), **conv_kw(kw)),
    "conv2d": lambda xs, kw: F.conv2d(*conv_args(xs), **conv_kw(kw)),
    "convTranspose1d": lambda xs, kw: F.conv_transpose1d(*conv_args(xs), **conv_kw(kw)),
    "convTranspose2d": lambda xs, kw: F.conv_transpose2d(*conv_args(xs), **conv_kw(kw)),
    "unfold": lambda xs, kw: F.unfold(xs[0], kw["kernelSize"], **conv_kw(kw)),
    "fold": lambda xs, kw: F.fold(xs[0], kw["outputSize"], kw["kernelSize"], **conv_kw(kw)),
    "maxPool1d": lambda xs, kw: F.max_pool1d(xs[0], kw["kernelSize"], **conv_kw(kw)),
    "maxPool2d": lambda xs, kw: F.max_pool2d(xs[0], kw["kernelSize"], **conv_kw(kw)),
    "avgPool2d": lambda xs, kw: F.avg_pool2d(xs[0], kw["kernelSize"], **conv_kw(kw)),
    "adaptiveAvgPool2d": lambda xs, kw: F.adaptive_avg_pool2d(xs[0], kw["outputSize"]),
    # in-place forms act on a clone, so leaves stay untouched and gradients flow as in PyTorch
    "add_": lambda xs, kw: xs[0].clone().add_(other(xs, kw), alpha=kw.get("alpha", 1)),
    "sub_": lambda xs, kw: xs[0].clone().sub_(other(xs, kw), alpha=kw.get("alpha", 1)),
    "mul_": lambda xs, kw: xs[0].clone().mul_(other(xs, kw)),
    "div_": lambda xs, kw: xs[0].clone().div_(other(xs, kw)),
    "pow_": lambda xs, kw: xs[0].clone().pow_(other(xs, kw)),
    "clamp_": lambda xs, kw: xs[0].clone().clamp_(kw.get("min"), kw.get("max")),
    "maskedFill_": lambda xs, kw: xs[0].clone().masked_fill_(xs[1], kw["value"]),
    "zero_": lambda xs, kw: xs[0].clone().zero_(),
    "fill_": lambda xs, kw: xs[0].clone().fill_(kw["value"]),
    "copy_": lambda xs, kw: xs[0].clone().copy_(xs[1]),
}


# ---- the case table ---------------------------------------------------------------------------------

CASES = []


def case(name, op, inputs, grad=None, **kw):
    """One case; `grad` lists the inputs to differentiate (default: every float input)."""
    assert op in TORCH, op
    assert all(c["name"] != name for c in CASES), name
    CASES.append({"name": name, "op": op, "inputs": inputs, "grad": grad, "kw": kw})


def cases_elementwise():
    edge = T([[-1.5, 0.0, 2.25], [0.5, -0.0, -3.0]])
    halves = T([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.3, -0.7])
    for name in ["neg", "exp", "expm1", "sin", "cos", "tanh", "square", "silu", "floor", "ceil"]:
        case(f"{name}", name, [R(2, 3)])
    case("reciprocal", "reciprocal", [T([-2.0, -0.5, 0.25, 1.5, 3.0])])
    case("log", "log", [P(2, 3)])
    case("log/edge-zero", "log", [T([0.0, 1.0, math.e, 1e-300])])
    case("log1p", "log1p", [R(2, 3, lo=-0.9, hi=2.0)])
    case("sqrt", "sqrt", [P(2, 3)])
    case("sqrt/edge-zero", "sqrt", [T([0.0, 1.0, 4.0])])
    case("rsqrt", "rsqrt", [P(2, 3)])
    case("tan", "tan", [R(2, 3, lo=-1.2, hi=1.2)])
    case("sigmoid", "sigmoid", [T([-40.0, -3.0, 0.0, 0.7, 2.0, 40.0])])
    case("erf", "erf", [T([-5.0, -2.2, -0.4, 0.0, 0.3, 1.7, 3.5, 4.5])])
    for name in ["abs", "sign", "relu"]:
        case(f"{name}/edge-zero", name, [edge])
        case(f"{name}/int", name, [I([-3, 0, 2])])
    for name in ["floor", "ceil", "round"]:
        case(f"{name}/halves", name, [halves])
    case("round/int", "round", [I([-3, 0, 2])])
    case("square/int", "square", [I([-3, 0, 2])])
    case("neg/int", "neg", [I([-3, 0, 2])])
    case("exp/int-gives-float32", "exp", [I([-1, 0, 2])])
    case("sqrt/int-gives-float32", "sqrt", [I([0, 1, 4])])
    special = T([math.nan, math.inf, -math.inf, 0.0, 1.5, -2.0])
    case("isnan", "isnan", [special])
    case("isfinite", "isfinite", [special])
    case("isfinite/int", "isfinite", [I([1, -2])])
    case("logicalNot/float", "logicalNot", [T([0.0, 1.5, -2.0])])
    case("logicalNot/bool", "logicalNot", [B([True, False])])
    case("softplus", "softplus", [R(2, 3, lo=-4.0, hi=4.0)])
    case("softplus/beta-threshold", "softplus", [T([-3.0, -0.5, 0.0, 1.4, 1.6, 5.0])], beta=2, threshold=3)
    case("softplus/large", "softplus", [T([-60.0, 19.0, 21.0, 60.0])])
    case("gelu", "gelu", [R(2, 3, lo=-3.0, hi=3.0)])
    case("gelu/tanh", "gelu", [R(2, 3, lo=-3.0, hi=3.0)], approximate="tanh")
    case("leakyRelu", "leakyRelu", [edge])
    case("leakyRelu/slope", "leakyRelu", [edge], slope=0.2)
    case("elu", "elu", [edge])
    case("elu/alpha", "elu", [R(2, 3)], alpha=0.5)


def cases_binary():
    for name in ["add", "sub", "mul", "div", "atan2"]:
        case(f"{name}", name, [R(2, 3), R(2, 3)])
        case(f"{name}/broadcast-row", name, [R(2, 3), R(3) if name != "div" else P(3)])
        case(f"{name}/broadcast-both", name, [R(2, 1, 3), R(4, 1) if name != "div" else P(4, 1)])
    case("add/alpha", "add", [R(2, 3), R(3)], alpha=2)
    case("sub/alpha", "sub", [R(2, 3), R(2, 1)], alpha=-0.5)
    case("mul/0d", "mul", [R(), R(2, 3)])
    case("mul/outer-broadcast", "mul", [R(3, 1), R(1, 4)])
    for name, s in [("add", 2.5), ("sub", 1.25), ("mul", -1.5), ("div", 0.75), ("pow", 2.5), ("remainder", 1.5)]:
        base = P(2, 3) if name == "pow" else R(2, 3)
        case(f"{name}/scalar-right", name, [base], scalar=s)
        # NOTE: torch 1.13 has no derivative of remainder w.r.t. its divisor, so that case is forward-only
        grad = [] if name == "remainder" else None
        left = P(2, 3) if name in ("div", "remainder") else R(2, 3)
        case(f"{name}/scalar-left", name, [left], grad=grad, scalar=s, left=True)
    case("pow", "pow", [P(2, 3), R(2, 3)])
    case("pow/broadcast", "pow", [P(2, 1), R(3)])
    case("pow/square-at-zero", "pow", [T([-1.5, 0.0, 2.0])], scalar=2)
    case("pow/cube-at-zero", "pow", [T([-1.5, 0.0, 2.0])], scalar=3)
    case("pow/sqrt", "pow", [P(4)], scalar=0.5)
    case("pow/inverse", "pow", [T([-2.0, -0.5, 0.5, 3.0])], scalar=-1)
    case("pow/zero-base-tensor-exponent", "pow", [T([0.0, 0.0, 2.0, 1.5]), T([2.0, 3.0, 0.0, 2.5])])
    case("pow/zero-to-zero", "pow", [T([0.0, 0.0, 1.5]), T([0.0, 1.0, 0.0])])
    case("pow/negative-base-integer-exponent", "pow", [T([-2.0, -0.5, 1.5])], scalar=3)
    case("pow/int", "pow", [I([-3, 0, 2, 5])], scalar=2)
    case("pow/int-float-exponent", "pow", [I([1, 4, 9])], scalar=0.5)
    ties_a = T([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    ties_b = T([1.0, 5.0, 0.0])
    for name in ["maximum", "minimum"]:
        case(f"{name}", name, [R(2, 3), R(2, 3)])
        case(f"{name}/ties-broadcast", name, [ties_a, ties_b])
        case(f"{name}/nan", name, [T([math.nan, 1.0, 2.0]), T([0.0, math.nan, 1.0])], grad=[])
        case(f"{name}/int", name, [I([-3, 0, 2]), I([1, 0, -5])])
    case("remainder", "remainder", [T([-3.5, -1.0, 2.0, 5.5, 4.0]), T([2.0, -1.5, 3.0, -2.0, 2.0])], grad=[0])
    case("remainder/int", "remainder", [I([-7, -1, 5, 7]), I([3, 3, -3, -2])])
    case("div/int-int-true-division", "div", [I([-7, 1, 5]), I([2, 4, -3])])
    for name in ["eq", "ne", "lt", "le", "gt", "ge"]:
        case(f"{name}", name, [ties_a, ties_b])
        case(f"{name}/scalar", name, [ties_a], scalar=3)
    case("eq/nan", "eq", [T([math.nan, 1.0]), T([math.nan, 1.0])])
    case("lt/int-float", "lt", [I([1, 2, 3]), T([1.5, 2.0, 2.5], "float32")])
    bools = [B([[True, False], [True, True]]), B([False, True])]
    for name in ["logicalAnd", "logicalOr"]:
        case(f"{name}", name, bools)
        case(f"{name}/float", name, [T([0.0, 1.5, -2.0, 0.0]), T([0.0, 0.0, 3.0, 4.0])])


def cases_promotion():
    case("promote/int32+float32", "add", [I([[1, 2, 3], [4, 5, 6]]), R(3, dtype="float32")])
    case("promote/float32*float64", "mul", [R(2, dtype="float32"), R(2)])
    case("promote/float32+0d-float64-stays-float32", "add", [R(2, 2, dtype="float32"), R()])
    case("promote/int32+0d-float64-is-float64", "add", [I([1, 2, 3]), T(1.5)])
    case("promote/int32*0d-float32", "mul", [I([1, -2, 3]), T(0.5, "float32")])
    case("promote/0d-float32+0d-float64", "add", [R(dtype="float32"), R()])
    case("promote/0d-float32-minus-float64", "sub", [R(dtype="float32"), R(2)])
    case("promote/float32*0d-int32", "mul", [R(3, dtype="float32"), I(3)])
    case("promote/int32*float-scalar", "mul", [I([1, -2, 3])], scalar=2.5)
    case("promote/int32*int-scalar", "mul", [I([1, -2, 3])], scalar=3)
    case("promote/float32*float-scalar", "mul", [R(3, dtype="float32")], scalar=2.5)
    case("promote/bool+int32", "add", [B([True, False, True]), I([1, 2, 3])])
    case("promote/int32+0d-bool", "add", [I([1, 2, 3]), B(True)])
    case("promote/bool+bool", "add", [B([True, False, True]), B([True, False, False])])
    case("promote/where-int32-float64", "where", [B([True, False, True]), I([1, 2, 3]), R(3)])
    case("promote/cat-int32-float32", "cat", [I([[1, 2]]), R(1, 2, dtype="float32")], dim=0)


def cases_reduce():
    x23, x234 = R(2, 3), R(2, 3, 4)
    case("sum", "sum", [x23])
    case("sum/dim", "sum", [x23], dim=1)
    case("sum/neg-dim-keepdim", "sum", [x234], dim=-1, keepdim=True)
    case("sum/dims", "sum", [x234], dim=[0, 2])
    case("sum/neg-dims-keepdim", "sum", [x234], dim=[-1, -3], keepdim=True)
    case("sum/0d", "sum", [R()])
    case("sum/bool", "sum", [B([[True, False], [True, True]])], dim=1)
    case("sum/int", "sum", [I([[1, -2], [3, 4]])])
    case("mean", "mean", [x23])
    case("mean/dims-keepdim", "mean", [x234], dim=[0, 2], keepdim=True)
    case("mean/neg-dim", "mean", [x234], dim=-2)
    case("prod", "prod", [R(2, 3, lo=0.5, hi=1.5)])
    case("prod/dim-with-zeros", "prod", [T([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0], [-1.0, 2.0, 0.5]])], dim=1)
    case("prod/one-zero-all", "prod", [T([[1.5, 0.0], [2.0, -0.5]])])
    case("prod/neg-dim-keepdim", "prod", [R(2, 3, 2)], dim=-2, keepdim=True)
    case("prod/int", "prod", [I([[1, -2], [3, 4]])], dim=0)
    ties = T([[3.0, 1.0, 3.0], [-2.0, 5.0, 5.0]])
    for name in ["amax", "amin"]:
        case(f"{name}", name, [x234], dim=[0, 2])
        case(f"{name}/all-ties", name, [ties])
        case(f"{name}/neg-dim-keepdim-ties", name, [ties], dim=-1, keepdim=True)
    for name in ["max", "min"]:
        case(f"{name}", name, [x234])
        case(f"{name}/all-ties", name, [ties])
        case(f"{name}/dim", name, [x234], dim=1)
        case(f"{name}/dim-ties-keepdim", name, [ties], dim=-1, keepdim=True)
        case(f"{name}/dim0-ties", name, [T([[1.0, 2.0], [1.0, 2.0], [0.0, 2.0]])], dim=0)
        case(f"{name}/int", name, [I([[1, -2], [3, 4]])], dim=1)
    for name in ["argmax", "argmin"]:
        case(f"{name}", name, [x234])
        case(f"{name}/dim", name, [x234], dim=0)
        case(f"{name}/neg-dim-keepdim-ties", name, [ties], dim=-1, keepdim=True)
        case(f"{name}/ties", name, [ties])
    for name in ["var", "std"]:
        case(f"{name}", name, [x23])
        case(f"{name}/dim", name, [x234], dim=1)
        case(f"{name}/dims-correction0-keepdim", name, [x234], dim=[0, 2], correction=0, keepdim=True)
        case(f"{name}/neg-dim-correction2", name, [R(3, 5)], dim=-1, correction=2)
    case("logsumexp", "logsumexp", [x23], dim=1)
    case("logsumexp/dims-keepdim", "logsumexp", [x234], dim=[0, -1], keepdim=True)
    case("logsumexp/large", "logsumexp", [T([[1000.0, 1000.5, 999.0], [-1000.0, -999.0, -1001.0]])], dim=1)
    case("logsumexp/neg-inf", "logsumexp", [T([[-math.inf, 0.0, 1.0], [2.0, -math.inf, 0.5]])], dim=-1)
    case("logsumexp/all", "logsumexp", [x23])
    case("norm", "norm", [x23])
    case("norm/p1-dim", "norm", [x234], p=1, dim=1)
    abs_ties = T([[3.0, -3.0, 1.0], [2.0, -0.5, 1.5]])
    case("norm/inf-neg-dim-keepdim-ties", "norm", [abs_ties], p="inf", dim=-1, keepdim=True)
    case("norm/inf-all", "norm", [x23], p="inf")
    case("norm/p3-dims", "norm", [x234], p=3, dim=[0, 2])
    case("norm/p2-zero-row", "norm", [T([[0.0, 0.0, 0.0], [3.0, -4.0, 0.0]])], dim=1)
    case("norm/p1-keepdim", "norm", [x23], p=1, dim=0, keepdim=True)
    for name in ["softmax", "logSoftmax"]:
        case(f"{name}", name, [x23], dim=1)
        case(f"{name}/dim0", name, [x23], dim=0)
        case(f"{name}/neg-dim-3d", name, [x234], dim=-2)
        case(f"{name}/large", name, [T([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 1000.0]])], dim=-1)


def cases_linalg():
    case("matmul/1d-1d", "matmul", [R(3), R(3)])
    case("matmul/1d-2d", "matmul", [R(3), R(3, 2)])
    case("matmul/2d-1d", "matmul", [R(2, 3), R(3)])
    case("matmul/2d-2d", "matmul", [R(2, 3), R(3, 4)])
    case("matmul/3d-2d", "matmul", [R(2, 3, 4), R(4, 2)])
    case("matmul/batched-broadcast", "matmul", [R(2, 1, 3, 4), R(3, 4, 2)])
    case("matmul/1d-3d", "matmul", [R(3), R(2, 3, 2)])
    case("matmul/3d-1d", "matmul", [R(2, 2, 3), R(3)])
    case("matmul/int", "matmul", [I([[1, 2], [3, 4]]), I([[1, -1], [2, 0]])])
    case("mm", "mm", [R(2, 3), R(3, 2)])
    case("bmm", "bmm", [R(2, 2, 3), R(2, 3, 2)])
    case("dot", "dot", [R(4), R(4)])
    case("outer", "outer", [R(3), R(2)])



def cases_addmm():
    # after every other group, so that the seeded stream gives the older cases the same values
    case("addmm/bias-row", "addmm", [R(4), R(3, 5), R(5, 4)])
    case("addmm/linear-layout", "addmm", [R(4), R(3, 5), R(4, 5)], transposed=True)
    case("addmm/full", "addmm", [R(3, 4), R(3, 5), R(5, 4)])
    case("addmm/column", "addmm", [R(3, 1), R(3, 5), R(5, 4)])
    case("addmm/scalar", "addmm", [R(), R(2, 3), R(3, 2)])
    case("addmm/beta-alpha", "addmm", [R(4), R(3, 5), R(5, 4)], beta=0.5, alpha=-2.0)
    case("addmm/beta0-nan", "addmm", [T([float("nan"), 1.0]), R(2, 3), R(3, 2)], beta=0)
    case("addmm/float32", "addmm", [R(4, dtype="float32"), R(3, 5, dtype="float32"), R(5, 4, dtype="float32")])
    case("addmm/int", "addmm", [I([1, -2]), I([[1, 2], [3, 4]]), I([[1, -1], [2, 0]])])


def cases_softmax_kernels():
    # rows over 16 elements reach the native kernels (smaller tensors run on the reference loops);
    # after every other group, so that the seeded stream gives the older cases the same values
    nan, inf = math.nan, math.inf
    for name in ["softmax", "logSoftmax"]:
        case(f"{name}/rows-f32", name, [R(4, 37, lo=-9.0, hi=9.0, dtype="float32")], dim=1)
        case(f"{name}/rows-f64", name, [R(3, 20, lo=-30.0, hi=30.0)], dim=-1)
        case(f"{name}/inner-dim-3d", name, [R(3, 17, 5)], dim=1)
        case(f"{name}/transposed-rows", name, [R(20, 3)], _pre={"0": "t"}, dim=1)
        row = [0.5 * k for k in range(18)]
        case(f"{name}/nan-inf-rows", name, [T([[nan] + row[1:], [inf] + row[1:], [-inf] * 18, [-inf] + row[1:]])],
             grad=[], dim=1)
        case(f"{name}/empty-dim", name, [T(np.zeros((2, 0)))], dim=1)
    case("logSoftmax/0d-dim", "logSoftmax", [T(1.5)], dim=0)
    for r in ["mean", "sum", "none"]:
        case(f"nllLoss/{r}", "nllLoss", [R(5, 4), I([0, 3, 1, 3, 2])], reduction=r)
        case(f"nllLoss/weight-ignore-{r}", "nllLoss", [R(6, 3), I([0, 2, -100, 1, 2, -100]), P(3)], grad=[0],
             reduction=r)
    case("nllLoss/spatial", "nllLoss", [R(2, 3, 4), I([[0, 2, 1, 1], [2, 2, 0, -100]])])
    case("nllLoss/batch-40-f32", "nllLoss", [R(40, 7, dtype="float32"), I([k % 7 for k in range(40)])])
    case("nllLoss/all-ignored", "nllLoss", [R(2, 3), I([-100, -100])])
    case("nllLoss/ignore-index-1", "nllLoss", [R(3, 3), I([1, 0, 2])], ignoreIndex=1, reduction="sum")


def cases_shape():
    x234 = R(2, 3, 4)
    case("reshape", "reshape", [x234], shape=[4, -1])
    case("reshape/non-contiguous", "reshapeT", [R(3, 4)], shape=[12])
    case("view", "view", [R(2, 6)], shape=[3, -1, 2])
    case("transpose", "transpose", [x234], d0=0, d1=-1)
    case("t", "t", [R(2, 3)])
    case("permute", "permute", [x234], dims=[-1, 0, 1])
    case("unsqueeze", "unsqueeze", [R(2, 3)], dim=-1)
    case("unsqueeze/front", "unsqueeze", [R(3)], dim=0)
    case("squeeze", "squeeze", [R(1, 3, 1)])
    case("squeeze/dim", "squeeze", [R(1, 3, 1)], dim=-1)
    case("expand", "expand", [R(3, 1)], shape=[2, 3, 4])
    case("expand/minus-one", "expand", [R(1, 3)], shape=[2, -1])
    case("flatten", "flatten", [x234], start=1)
    case("flatten/all", "flatten", [x234])
    case("unflatten", "unflatten", [R(2, 6)], dim=-1, sizes=[3, 2])
    case("narrow", "narrow", [x234], dim=1, start=1, length=2)
    case("narrow/neg-start", "narrow", [R(5, 2)], dim=0, start=-3, length=2)
    case("select", "select", [x234], dim=-1, index=-1)
    case("select/dim0", "select", [x234], dim=0, index=1)
    case("slice/step", "slice", [R(2, 5)], dim=1, start=1, end=4, step=2)
    case("slice/neg-start", "slice", [R(6, 2)], dim=0, start=-4)
    case("slice/step3-neg-dim", "slice", [x234], dim=-1, start=0, end=4, step=3)
    case("indexSelect", "indexSelect", [R(4, 3), I([3, 0, 3])], dim=0)
    case("indexSelect/neg-dim", "indexSelect", [x234, I([1, 1, 0])], dim=-1)
    case("gather", "gather", [R(2, 4), I([[0, 3, 3], [1, 0, 2]])], dim=1)
    case("gather/dim0-smaller-index", "gather", [R(3, 3), I([[2, 0], [1, 2]])], dim=0)
    case("gather/int", "gather", [I([[5, 6], [7, 8]]), I([[1, 1], [0, 1]])], dim=1)
    case("scatterAdd", "scatterAdd", [R(2, 4), I([[0, 3, 3], [1, 0, 1]]), R(2, 3)], dim=1)
    case("scatterAdd/dim0", "scatterAdd", [R(3, 2), I([[2, 0], [2, 2]]), R(2, 2)], dim=-2)
    case("maskedFill", "maskedFill", [R(2, 3), B([True, False, True])], value=0.5)
    case("maskedFill/neg-inf", "maskedFill", [R(2, 3), B([[True], [False]])], value="-inf")
    case("repeat", "repeat", [R(2, 3)], reps=[2, 1, 2])
    case("tile", "tile", [R(2, 3)], reps=[2])
    case("tile/more-reps", "tile", [R(3)], reps=[2, 2])
    case("flip", "flip", [x234], dims=[0])
    case("flip/neg-dims", "flip", [x234], dims=[-1, 1])
    case("pad", "pad", [R(2, 3)], pads=[1, 2])
    case("pad/two-dims-value", "pad", [R(2, 3)], pads=[1, 0, 0, 2], value=0.5)
    case("cat", "cat", [R(2, 3), R(1, 3)], dim=0)
    case("cat/neg-dim-three", "cat", [R(2, 1), R(2, 3), R(2, 2)], dim=-1)
    case("stack", "stack", [R(2, 3), R(2, 3)], dim=1)
    case("stack/neg-dim", "stack", [R(3), R(3), R(3)], dim=-1)
    case("split", "split", [R(2, 5)], size=2, dim=1)
    case("split/sizes-neg-dim", "split", [R(2, 4)], size=[1, 3], dim=-1)
    case("chunk", "chunk", [R(5, 2)], chunks=3)
    case("chunk/dim1", "chunk", [R(2, 4)], chunks=2, dim=1)
    case("contiguous", "contiguous", [R(2, 3)])
    case("clone", "clone", [R(2, 3)])
    case("to/float32", "to", [R(2, 3)], dtype="float32")
    case("to/float64", "to", [R(2, 3, dtype="float32")], dtype="float64")
    case("to/int32-truncates", "to", [T([-1.7, -0.2, 0.9, 2.5])], dtype="int32")
    case("to/bool", "to", [T([-1.7, 0.0, 0.9])], dtype="bool")
    case("to/int-to-float64", "to", [I([1, -2])], dtype="float64")


def cases_clamp_where():
    x = T([[-2.0, -0.5, 0.0], [0.3, 0.5, 1.7]])
    case("clamp", "clamp", [x], min=-0.5, max=0.5)
    case("clamp/min-only", "clamp", [x], min=0.0)
    case("clamp/max-only", "clamp", [x], max=0.3)
    case("clamp/int", "clamp", [I([-3, 0, 2, 5])], min=-1, max=3)
    case("where", "where", [B([[True, False, True], [False, False, True]]), R(2, 3), R(2, 3)])
    case("where/broadcast", "where", [B([[True], [False]]), R(3), R(2, 1)])
    case("where/scalars", "where", [B([True, False, True]), R(3)], b=0.5)
    case("where/scalar-a", "where", [B([True, False, True])], a=-1.5, b=0.5)


def cases_inplace():
    x = R(2, 3)
    case("add_", "add_", [x, R(3)], alpha=2)
    case("add_/scalar", "add_", [R(2, 3)], scalar=1.5)
    case("add_/int", "add_", [I([1, 2, 3])], scalar=2)
    case("sub_", "sub_", [R(2, 3), R(2, 1)])
    case("sub_/alpha", "sub_", [R(2, 3), R(2, 3)], alpha=0.5)
    case("mul_", "mul_", [R(2, 3), R(3)])
    case("mul_/int", "mul_", [I([1, -2, 3]), I([2, 2, -1])])
    case("div_", "div_", [R(2, 3)], scalar=0.75)
    case("div_/tensor", "div_", [R(2, 3), P(2, 3)])
    case("pow_", "pow_", [R(2, 3)], scalar=2)
    case("clamp_", "clamp_", [T([[-2.0, -0.5, 0.0], [0.3, 0.5, 1.7]])], min=-0.5, max=0.5)
    case("maskedFill_", "maskedFill_", [R(2, 3), B([False, True, True])], value=-2.0)
    case("zero_", "zero_", [R(2, 3)])
    case("zero_/int", "zero_", [I([1, 2])])
    case("fill_", "fill_", [R(2, 3)], value=1.5)
    case("fill_/int-truncates", "fill_", [I([1, 2])], value=2.5)
    case("copy_", "copy_", [R(2, 3), R(3)])
    case("copy_/float-into-int", "copy_", [I([1, 2, 3]), T([-1.7, 0.5, 2.9])])
    case("copy_/float64-into-float32", "copy_", [R(2, dtype="float32"), R(2)])
    case("fill_/bool", "fill_", [B([True, False])], value=2)
    case("maskedFill_/bool", "maskedFill_", [B([False, False]), B([True, False])], value=3)


def cases_float32():
    f = "float32"
    for name in ["exp", "sigmoid", "tanh", "erf", "log1p"]:
        case(f"{name}/f32", name, [R(2, 3, lo=-0.9, dtype=f)])
    case("gelu/f32", "gelu", [R(2, 3, dtype=f)])
    case("div/f32", "div", [R(2, 3, dtype=f), P(3, dtype=f)])
    case("pow/f32", "pow", [P(2, 3, dtype=f), R(2, 3, dtype=f)])
    case("matmul/f32", "matmul", [R(2, 3, 4, dtype=f), R(4, 2, dtype=f)])
    case("sum/f32", "sum", [R(3, 4, dtype=f)], dim=1)
    case("softmax/f32", "softmax", [R(2, 5, lo=-5.0, hi=5.0, dtype=f)], dim=-1)
    case("logSoftmax/f32", "logSoftmax", [R(2, 5, dtype=f)], dim=0)
    case("logsumexp/f32", "logsumexp", [R(2, 5, dtype=f)], dim=1)
    case("norm/f32", "norm", [R(2, 5, dtype=f)], dim=1)
    case("var/f32", "var", [R(3, 4, dtype=f)], dim=0)


def cases_edges():
    nan, inf = math.nan, math.inf
    case("sign/nan-is-zero", "sign", [T([nan, -0.0, 2.0])], grad=[])
    case("relu/nan", "relu", [T([nan, -1.0, 2.0])], grad=[])
    case("log1p/minus-one", "log1p", [T([-1.0, 0.0, 1.0])])
    case("div/by-zero", "div", [T([1.0, 0.0, -2.0]), T([0.0, 0.0, 0.0])])
    case("div/int-by-zero", "div", [I([1, 0, -2]), I([0, 0, 0])])
    case("remainder/by-zero", "remainder", [T([1.5, -2.0])], grad=[], scalar=0.0)
    case("atan2/zeros", "atan2", [T([0.0, 0.0, 1.0]), T([0.0, -1.0, 0.0])], grad=[])
    case("pow/negative-base-fractional", "pow", [T([-8.0, 8.0])], grad=[], scalar=1 / 3)
    case("amax/nan", "amax", [T([[1.0, nan], [2.0, 3.0]])], grad=[], dim=1)
    case("argmax/nan", "argmax", [T([1.0, nan, 3.0])])
    case("max/dim-nan", "max", [T([[1.0, nan, 0.5], [2.0, 3.0, -1.0]])], grad=[], dim=1)
    case("var/single-element", "var", [T([1.5])], grad=[])
    case("logsumexp/all-neg-inf-row", "logsumexp", [T([[-inf, -inf], [0.5, -inf]])], grad=[], dim=1)
    case("softmax/neg-inf-mask", "softmax", [T([[-inf, 0.5, 1.0], [2.0, -inf, -1.0]])], dim=-1)
    case("logSoftmax/neg-inf-mask", "logSoftmax", [T([[-inf, 0.5, 1.0]])], grad=[], dim=1)
    case("maskedFill/int-float-value-truncates", "maskedFill", [I([1, 2, 3]), B([True, False, True])], value=0.7)
    case("clamp/int-float-bound", "clamp", [I([1, 2, 3])], min=1.5)
    for op, kw in [("sum", {"dim": 0}), ("mean", {"dim": 0}), ("prod", {"dim": 0}), ("amax", {"dim": 0}),
                   ("max", {"dim": 0}), ("argmax", {"dim": 0}), ("logsumexp", {"dim": 0}), ("softmax", {"dim": 0}),
                   ("norm", {"dim": 0}), ("unsqueeze", {"dim": 0}), ("flatten", {}), ("squeeze", {}),
                   ("reshape", {"shape": [1, 1]}), ("expand", {"shape": [2, 3]})]:
        case(f"{op}/0d-dim", op, [T(1.5)], **kw)
    case("sum/empty-dim", "sum", [T(np.zeros((0, 3)))], dim=0)
    case("prod/empty-dim", "prod", [T(np.zeros((2, 0)))], dim=1)
    case("cat/with-empty", "cat", [T(np.zeros((0, 3))), R(2, 3)], dim=0)
    case("matmul/empty-inner", "matmul", [T(np.zeros((2, 0))), T(np.zeros((0, 3)))])
    case("add/empty-broadcast", "add", [T(np.zeros((0, 3))), R(3)])
    case("exp/empty", "exp", [T(np.zeros((2, 0)))])
    case("clamp/min-above-max", "clamp", [T([-1.0, 0.5, 2.0])], min=1.0, max=0.0)
    case("repeat/zero", "repeat", [R(2)], reps=[0, 2])
    case("narrow/zero-length", "narrow", [R(2, 3)], dim=1, start=3, length=0)
    case("slice/empty", "slice", [R(4)], dim=0, start=3, end=1)
    case("split/size-larger-than-dim", "split", [R(2, 3)], size=5, dim=1)
    case("stack/0d", "stack", [R(), R()], dim=0)
    case("cat/single", "cat", [R(2, 2)], dim=-1)
    case("softmax/size-one-dim", "softmax", [R(3, 1)], dim=1)
    case("where/0d-condition", "where", [B(True), R(2, 2), R(2)])


def cases_strided():
    """Inputs handed over as views: `_pre` maps an input to 't' (transpose last two dims) or 's'
    (every other element of the last dim from 1: an offset and a stride), so kernels see non-contiguous
    data; gradients are still taken w.r.t. the stored (contiguous) leaves."""
    case("add/strided-t", "add", [R(3, 2), R(2, 3)], _pre={"0": "t"})
    case("mul/strided-s-broadcast", "mul", [R(2, 6), R(3)], _pre={"0": "s"})
    case("exp/strided-t", "exp", [R(3, 4, 2)], _pre={"0": "t"})
    case("sum/strided-t-dim", "sum", [R(4, 3)], _pre={"0": "t"}, dim=1)
    case("amax/strided-s", "amax", [R(3, 8)], _pre={"0": "s"}, dim=-1)
    case("argmin/strided-t", "argmin", [R(4, 3)], _pre={"0": "t"}, dim=0)
    case("matmul/strided-both", "matmul", [R(3, 2), R(4, 3)], _pre={"0": "t", "1": "t"})
    case("matmul/strided-batched", "matmul", [R(2, 4, 3), R(2, 4, 6)], _pre={"0": "t", "1": "s"})
    case("softmax/strided-t", "softmax", [R(4, 3)], _pre={"0": "t"}, dim=-1)
    case("gather/strided-t", "gather", [R(4, 2), I([[0, 3], [2, 2]])], _pre={"0": "t"}, dim=1)
    case("scatterAdd/strided-src", "scatterAdd", [R(2, 3), I([[0, 2], [1, 1]]), R(2, 4)], _pre={"2": "s"}, dim=1)
    case("cat/strided", "cat", [R(3, 2), R(2, 6)], _pre={"0": "t", "1": "s"}, dim=0)
    case("where/strided", "where", [B([True, False, True]), R(3, 2), R(2, 6)], _pre={"1": "t", "2": "s"})
    case("view/strided-s-fails-so-reshape", "reshape", [R(2, 6)], _pre={"0": "s"}, shape=[6])
    case("flip/strided-t", "flip", [R(3, 2)], _pre={"0": "t"}, dims=[1])
    case("pad/strided-s", "pad", [R(2, 4)], _pre={"0": "s"}, pads=[1, 1])
    case("maximum/strided-t", "maximum", [R(3, 2), R(2, 3)], _pre={"0": "t"})
    case("to/strided-t", "to", [R(3, 2)], _pre={"0": "t"}, dtype="float32")
    case("prod/strided-s", "prod", [R(2, 6, lo=0.5, hi=1.5)], _pre={"0": "s"}, dim=-1)
    case("clone/strided-s", "clone", [R(2, 6)], _pre={"0": "s"})


def cases_nn():
    """Convolution and pooling through nn.functional, so the conv/pool primitives have golden values too."""
    case("conv1d", "conv1d", [R(1, 2, 5), R(3, 2, 2), R(3)], stride=2, padding=1)
    case("conv2d", "conv2d", [R(2, 2, 4, 4), R(3, 2, 2, 2), R(3)], padding=1)
    case("conv2d/groups-dilation-stride", "conv2d", [R(1, 4, 5, 5), R(4, 2, 2, 2)], groups=2, dilation=2, stride=2)
    case("convTranspose1d", "convTranspose1d", [R(1, 2, 4), R(2, 2, 3), R(2)], stride=2)
    case("convTranspose2d", "convTranspose2d", [R(1, 2, 3, 3), R(2, 3, 2, 2), R(3)], stride=2, padding=1,
         outputPadding=1)
    case("unfold", "unfold", [R(1, 2, 4, 4)], kernelSize=2, stride=2, padding=1)
    case("fold", "fold", [R(1, 8, 4)], outputSize=[3, 3], kernelSize=2)
    case("maxPool1d", "maxPool1d", [R(1, 2, 5)], kernelSize=3, stride=2, padding=1)
    case("maxPool2d", "maxPool2d", [R(1, 2, 4, 4)], kernelSize=2)
    case("maxPool2d/overlap-dilation", "maxPool2d", [R(1, 1, 5, 5)], kernelSize=2, stride=1, dilation=2)
    case("maxPool2d/ceil-padding", "maxPool2d", [R(1, 1, 5, 5)], kernelSize=3, stride=2, padding=1, ceilMode=True)
    case("avgPool2d", "avgPool2d", [R(1, 2, 4, 4)], kernelSize=2)
    case("avgPool2d/padding-exclude", "avgPool2d", [R(1, 1, 5, 5)], kernelSize=3, stride=2, padding=1,
         countIncludePad=False)
    case("adaptiveAvgPool2d", "adaptiveAvgPool2d", [R(1, 2, 5, 5)], outputSize=[2, 3])


PRE = {"t": lambda x: x.transpose(-1, -2), "s": lambda x: x[..., 1::2]}


# ---- running the table and writing JSON -------------------------------------------------------------

DT_NAME = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int32", torch.int32: "int32",
           torch.bool: "bool"}


def encode(t):
    """A tensor as {dtype, shape, data} with NaN/±Infinity as strings (JSON has no such numbers)."""
    t = t.detach()
    dtype = DT_NAME[t.dtype]
    flat = t.reshape(-1).tolist()
    if dtype == "float32":
        flat = [float(str(np.float32(v))) for v in flat]
    if dtype == "bool":
        flat = [int(v) for v in flat]

    def one(v):
        if isinstance(v, float) and not math.isfinite(v):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            return int(v)
        return v

    return {"dtype": dtype, "shape": list(t.shape), "data": [one(v) for v in flat]}


def run(c):
    xs = [torch.tensor(i["array"], dtype=TORCH_DT[i["dtype"]]) for i in c["inputs"]]
    diff = c["grad"] if c["grad"] is not None else [k for k, x in enumerate(xs) if x.is_floating_point()]
    for k in diff:
        xs[k].requires_grad_(True)
    pre = c["kw"].get("_pre", {})
    views = [PRE[pre[str(k)]](x) if str(k) in pre else x for k, x in enumerate(xs)]
    result = TORCH[c["op"]](views, c["kw"])
    outs = list(result) if isinstance(result, (list, tuple)) else [result]
    entry = {"name": c["name"], "op": c["op"], "kw": c["kw"], "inputs": [encode(x) for x in xs],
             "outputs": [encode(o) for o in outs]}
    if diff and any(o.requires_grad for o in outs):
        ups = [torch.tensor(np.round(rng.uniform(-1, 1, size=tuple(o.shape)), 2), dtype=o.dtype) for o in outs]
        loss = sum((o * u).sum() for o, u in zip(outs, ups) if o.requires_grad)
        grads = torch.autograd.grad(loss, [xs[k] for k in diff], allow_unused=True)
        entry["upstream"] = [encode(u) for u in ups]
        entry["grads"] = {str(k): encode(g if g is not None else torch.zeros_like(xs[k])) for k, g in zip(diff, grads)}
    return entry


def main():
    for group in [cases_elementwise, cases_binary, cases_promotion, cases_reduce, cases_linalg, cases_shape,
                  cases_clamp_where, cases_inplace, cases_float32, cases_edges, cases_strided, cases_nn,
                  cases_addmm, cases_softmax_kernels]:
        group()
    entries = [run(c) for c in CASES]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(e, separators=(",", ":"), allow_nan=False) for e in entries) + "\n]\n")
    print(f"wrote {len(entries)} cases ({os.path.getsize(OUT)} bytes) to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
