"""Golden values for cr.nn, computed with PyTorch.

Run with the system interpreter (Debian's torch): /usr/bin/python3 tools/gen_golden_nn.py
Each layer case holds the JS constructor call, the torch state_dict, the inputs, the outputs, a
random upstream gradient and the gradients of sum(out * upstream) w.r.t. every float input and
every parameter. Loss cases hold input, target, output and the input's gradient. Writes
test/fixtures/nn-layers.json, nn-recurrent.json, nn-losses.json and nn-functional.json.
"""

import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures")
D64 = torch.float64


def T(t):
    """A tensor as JSON: shape, dtype and flat data."""
    t = t.detach()
    dtype = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int32", torch.bool: "bool"}[t.dtype]
    data = t.reshape(-1).tolist()
    if t.dtype == torch.bool:
        data = [1 if v else 0 for v in data]
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def J(x):
    """Nested inputs (tensors, lists of tensors) as JSON."""
    if isinstance(x, (list, tuple)):
        return [J(v) for v in x]
    return T(x)


def flat_tensors(out):
    if isinstance(out, torch.Tensor):
        return [out]
    if out is None:
        return []
    return [t for o in out for t in flat_tensors(o)]


def flat_inputs(xs):
    return [t for x in xs for t in (flat_inputs(x) if isinstance(x, (list, tuple)) else [x])]


def run_case(name, module, inputs, js, *, train=False, call=None, call_js=None, dtype=D64, seed=0):
    """Runs `module` on `inputs` and records everything the TS test needs."""
    torch.manual_seed(seed)
    module = module.to(dtype).train(train)
    state = {k: T(v) for k, v in module.state_dict().items()}
    out = module(*inputs, **(call or {}))
    outs = flat_tensors(out)
    torch.manual_seed(seed + 1000)
    ups = [torch.randn(o.shape, dtype=o.dtype) for o in outs]
    loss = sum((o * u).sum() for o, u in zip(outs, ups))
    grads = {}
    leaves = []
    for x in flat_inputs(inputs):
        if x.dtype.is_floating_point and x.requires_grad and not any(x is y for y in leaves):
            leaves.append(x)
    params = dict(module.named_parameters())
    gs = torch.autograd.grad(loss, leaves + list(params.values()), allow_unused=True)
    for i, g in enumerate(gs[: len(leaves)]):
        grads[f"input{i}"] = T(g)
    for (k, _), g in zip(params.items(), gs[len(leaves) :]):
        if g is not None:
            grads[k] = T(g)
    case = {
        "name": name,
        "js": js,
        "train": train,
        "dtype": "float64" if dtype == D64 else "float32",
        "state": state,
        "inputs": [next(({"sameAs": j} for j, y in enumerate(inputs[:i]) if y is x), None) or J(x)
                   for i, x in enumerate(inputs)],
        "outputs": [T(o) for o in outs],
        "upstream": [T(u) for u in ups],
        "grads": grads,
        "stateAfter": {k: T(v) for k, v in module.state_dict().items()},
    }
    if call_js:
        case["callOpts"] = {k: T(v) if isinstance(v, torch.Tensor) else v for k, v in call_js.items()}
    return case


def randn(*shape, dtype=D64, grad=True):
    return torch.randn(*shape, dtype=dtype).requires_grad_(grad)


def js(cls, *args, **opts):
    return {"cls": cls, "args": list(args), "opts": opts}


def layer_cases():
    cases = []

    def add(name, make, inputs_fn, spec, dtype=D64, **kw):
        torch.manual_seed(len(cases) + 1)
        module = make()
        inputs = inputs_fn(dtype)
        cases.append(run_case(name, module, inputs, spec, dtype=dtype, seed=len(cases), **kw))

    x = lambda *s: lambda dt: [randn(*s, dtype=dt)]  # noqa: E731
    add("Linear", lambda: nn.Linear(4, 3), x(2, 4), js("Linear", 4, 3))
    add("Linear 3-d input, no bias", lambda: nn.Linear(4, 3, bias=False), x(2, 3, 4), js("Linear", 4, 3, bias=False))
    add("Linear float32", lambda: nn.Linear(5, 2), x(3, 5), js("Linear", 5, 2), dtype=torch.float32)
    add("Conv1d stride 2 padding 1", lambda: nn.Conv1d(2, 3, 3, stride=2, padding=1), x(2, 2, 7),
        js("Conv1d", 2, 3, 3, stride=2, padding=1))
    add("Conv1d dilation 2 groups 2", lambda: nn.Conv1d(4, 2, 2, dilation=2, groups=2), x(1, 4, 6),
        js("Conv1d", 4, 2, 2, dilation=2, groups=2))
    add("Conv2d", lambda: nn.Conv2d(2, 4, 3), x(2, 2, 5, 5), js("Conv2d", 2, 4, 3))
    add("Conv2d stride 2 padding 1", lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), x(2, 2, 6, 5),
        js("Conv2d", 2, 3, 3, stride=2, padding=1))
    add("Conv2d dilation 2 padding 2 groups 2 no bias",
        lambda: nn.Conv2d(4, 6, 3, dilation=2, padding=2, groups=2, bias=False), x(1, 4, 5, 6),
        js("Conv2d", 4, 6, 3, dilation=2, padding=2, groups=2, bias=False))
    add("Conv2d rectangular kernel and stride", lambda: nn.Conv2d(3, 2, (2, 3), stride=(2, 1), padding=(1, 0)),
        x(2, 3, 5, 6), js("Conv2d", 3, 2, [2, 3], stride=[2, 1], padding=[1, 0]))
    add("Conv2d padding same even kernel", lambda: nn.Conv2d(2, 2, (4, 3), padding="same"), x(1, 2, 5, 5),
        js("Conv2d", 2, 2, [4, 3], padding="same"))
    add("Conv2d reflect padding", lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), x(1, 2, 4, 5),
        js("Conv2d", 2, 3, 3, padding=1, paddingMode="reflect"))
    add("Conv2d circular padding", lambda: nn.Conv2d(2, 2, 3, padding=(1, 2), padding_mode="circular"),
        x(1, 2, 4, 5), js("Conv2d", 2, 2, 3, padding=[1, 2], paddingMode="circular"))
    add("Conv2d replicate padding", lambda: nn.Conv2d(1, 2, 3, padding=2, padding_mode="replicate"),
        x(2, 1, 3, 4), js("Conv2d", 1, 2, 3, padding=2, paddingMode="replicate"))
    add("Conv2d unbatched", lambda: nn.Conv2d(2, 3, 2), x(2, 4, 4), js("Conv2d", 2, 3, 2))
    add("Conv2d float32", lambda: nn.Conv2d(3, 4, 3, padding=1), x(2, 3, 6, 6), js("Conv2d", 3, 4, 3, padding=1),
        dtype=torch.float32)
    add("ConvTranspose1d", lambda: nn.ConvTranspose1d(2, 3, 3, stride=2), x(2, 2, 4),
        js("ConvTranspose1d", 2, 3, 3, stride=2))
    add("ConvTranspose2d stride 2 padding 1 output padding 1",
        lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), x(2, 3, 3, 4),
        js("ConvTranspose2d", 3, 2, 3, stride=2, padding=1, outputPadding=1))
    add("ConvTranspose2d groups dilation", lambda: nn.ConvTranspose2d(4, 6, (2, 3), stride=(1, 2), dilation=2, groups=2),
        x(1, 4, 3, 3), js("ConvTranspose2d", 4, 6, [2, 3], stride=[1, 2], dilation=2, groups=2))
    add("MaxPool1d", lambda: nn.MaxPool1d(3, stride=2, padding=1), x(2, 3, 8), js("MaxPool1d", 3, stride=2, padding=1))
    add("MaxPool2d", lambda: nn.MaxPool2d(2), x(2, 3, 4, 6), js("MaxPool2d", 2))
    add("MaxPool2d overlapping padded", lambda: nn.MaxPool2d(3, stride=2, padding=1), x(1, 2, 7, 6),
        js("MaxPool2d", 3, stride=2, padding=1))
    add("MaxPool2d ceil mode dilation", lambda: nn.MaxPool2d(2, stride=2, dilation=2, ceil_mode=True), x(1, 2, 7, 8),
        js("MaxPool2d", 2, stride=2, dilation=2, ceilMode=True))
    add("MaxPool2d ceil mode", lambda: nn.MaxPool2d(3, stride=2, ceil_mode=True), x(1, 1, 6, 7),
        js("MaxPool2d", 3, stride=2, ceilMode=True))
    add("AvgPool1d", lambda: nn.AvgPool1d(3, stride=2, padding=1), x(2, 2, 7), js("AvgPool1d", 3, stride=2, padding=1))
    add("AvgPool2d", lambda: nn.AvgPool2d(2), x(2, 3, 4, 6), js("AvgPool2d", 2))
    add("AvgPool2d padded count include pad", lambda: nn.AvgPool2d(3, stride=2, padding=1), x(1, 2, 7, 6),
        js("AvgPool2d", 3, stride=2, padding=1))
    add("AvgPool2d padded exclude pad ceil", lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True,
                                                                  count_include_pad=False), x(1, 2, 6, 6),
        js("AvgPool2d", 3, stride=2, padding=1, ceilMode=True, countIncludePad=False))
    add("AvgPool2d ceil include pad", lambda: nn.AvgPool2d(2, stride=2, padding=1, ceil_mode=True), x(1, 1, 6, 5),
        js("AvgPool2d", 2, stride=2, padding=1, ceilMode=True))
    add("AvgPool2d divisor override", lambda: nn.AvgPool2d(2, stride=1, divisor_override=3), x(1, 2, 3, 4),
        js("AvgPool2d", 2, stride=1, divisorOverride=3))
    add("AdaptiveAvgPool1d uneven", lambda: nn.AdaptiveAvgPool1d(3), x(2, 3, 7), js("AdaptiveAvgPool1d", 3))
    add("AdaptiveAvgPool2d uneven", lambda: nn.AdaptiveAvgPool2d((2, 3)), x(2, 2, 5, 7),
        js("AdaptiveAvgPool2d", [2, 3]))
    add("AdaptiveAvgPool2d global", lambda: nn.AdaptiveAvgPool2d(1), x(2, 3, 4, 5), js("AdaptiveAvgPool2d", 1))
    add("AdaptiveAvgPool2d keep one dim", lambda: nn.AdaptiveAvgPool2d((None, 2)), x(1, 2, 3, 4),
        js("AdaptiveAvgPool2d", [None, 2]))

    def bn(cls, n, **kw):
        def make():
            m = cls(n, **kw)
            with torch.no_grad():
                if m.weight is not None:
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.5, 0.5)
                if m.running_mean is not None:
                    m.running_mean.uniform_(-1, 1)
                    m.running_var.uniform_(0.5, 2)
                    m.num_batches_tracked.fill_(3)
            return m
        return make

    add("BatchNorm1d eval", bn(nn.BatchNorm1d, 3), x(4, 3), js("BatchNorm1d", 3))
    add("BatchNorm1d train 3-d", bn(nn.BatchNorm1d, 3), x(4, 3, 5), js("BatchNorm1d", 3), train=True)
    add("BatchNorm2d train", bn(nn.BatchNorm2d, 2, momentum=0.3), x(3, 2, 4, 5), js("BatchNorm2d", 2, momentum=0.3),
        train=True)
    add("BatchNorm2d train cumulative average", bn(nn.BatchNorm2d, 2, momentum=None), x(2, 2, 3, 3),
        js("BatchNorm2d", 2, momentum=None), train=True)
    add("BatchNorm2d no running stats eval", bn(nn.BatchNorm2d, 3, track_running_stats=False, affine=False),
        x(2, 3, 2, 3), js("BatchNorm2d", 3, trackRunningStats=False, affine=False))
    add("LayerNorm", lambda: nn.LayerNorm([3, 4]), x(2, 3, 4), js("LayerNorm", [3, 4]))
    add("LayerNorm no affine eps", lambda: nn.LayerNorm(5, eps=1e-3, elementwise_affine=False), x(3, 5),
        js("LayerNorm", 5, eps=1e-3, elementwiseAffine=False))
    add("GroupNorm", lambda: nn.GroupNorm(2, 4), x(2, 4, 3, 2), js("GroupNorm", 2, 4))
    idx = torch.tensor([[1, 0, 4], [4, 9, 0]])
    add("Embedding padding idx", lambda: nn.Embedding(10, 3, padding_idx=0), lambda dt: [idx],
        js("Embedding", 10, 3, paddingIdx=0))
    act_x = lambda dt: [torch.tensor([[-3.0, -1.0, -0.2, 0.3], [1.0, 2.5, 4.0, 7.0]],  # noqa: E731
                                     dtype=dt).requires_grad_()]
    for name, mod, spec in [
        ("ReLU", nn.ReLU(), js("ReLU")),
        ("Sigmoid", nn.Sigmoid(), js("Sigmoid")),
        ("Tanh", nn.Tanh(), js("Tanh")),
        ("SiLU", nn.SiLU(), js("SiLU")),
        ("GELU", nn.GELU(), js("GELU")),
        ("GELU tanh", nn.GELU(approximate="tanh"), js("GELU", "tanh")),
        ("LeakyReLU", nn.LeakyReLU(0.2), js("LeakyReLU", 0.2)),
        ("ELU", nn.ELU(0.5), js("ELU", 0.5)),
        ("Softplus", nn.Softplus(beta=2, threshold=5), js("Softplus", 2, 5)),
        ("Softmax", nn.Softmax(dim=1), js("Softmax", 1)),
        ("LogSoftmax", nn.LogSoftmax(dim=0), js("LogSoftmax", 0)),
        ("Flatten", nn.Flatten(0), js("Flatten", 0)),
        ("Identity", nn.Identity(), js("Identity")),
    ]:
        add(name, lambda mod=mod: mod, act_x, spec)
    add("Unflatten", lambda: nn.Unflatten(1, (2, 2)), act_x, js("Unflatten", 1, [2, 2]))
    add("Sequential", lambda: nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2)), x(3, 4),
        {"cls": "Sequential", "children": [js("Linear", 4, 5), js("Tanh"), js("Linear", 5, 2)]})
    return cases


def recurrent_cases():
    cases = []

    def add(name, make, inputs, spec, dtype=D64, **kw):
        torch.manual_seed(100 + len(cases))
        module = make()
        cases.append(run_case(name, module, inputs(dtype), spec, dtype=dtype, seed=100 + len(cases), **kw))

    x = lambda *s: lambda dt: [randn(*s, dtype=dt)]  # noqa: E731
    add("RNN tanh 2 layers", lambda: nn.RNN(3, 4, num_layers=2), x(5, 2, 3), js("RNN", 3, 4, numLayers=2))
    add("RNN relu batch first with h0", lambda: nn.RNN(3, 4, nonlinearity="relu", batch_first=True),
        lambda dt: [randn(2, 5, 3, dtype=dt), randn(1, 2, 4, dtype=dt)],
        js("RNN", 3, 4, nonlinearity="relu", batchFirst=True))
    add("LSTM 2 layers bidirectional with state", lambda: nn.LSTM(3, 4, num_layers=2, bidirectional=True),
        lambda dt: [randn(4, 2, 3, dtype=dt), [randn(4, 2, 4, dtype=dt), randn(4, 2, 4, dtype=dt)]],
        js("LSTM", 3, 4, numLayers=2, bidirectional=True))
    add("LSTM batch first float32", lambda: nn.LSTM(3, 5, batch_first=True), x(2, 6, 3),
        js("LSTM", 3, 5, batchFirst=True), dtype=torch.float32)
    add("LSTM no bias unbatched", lambda: nn.LSTM(2, 3, bias=False), x(5, 2), js("LSTM", 2, 3, bias=False))
    add("GRU bidirectional batch first", lambda: nn.GRU(3, 4, bidirectional=True, batch_first=True), x(2, 5, 3),
        js("GRU", 3, 4, bidirectional=True, batchFirst=True))
    add("GRU 2 layers with h0", lambda: nn.GRU(2, 3, num_layers=2),
        lambda dt: [randn(4, 3, 2, dtype=dt), randn(2, 3, 3, dtype=dt)], js("GRU", 2, 3, numLayers=2))
    add("RNNCell", lambda: nn.RNNCell(3, 4), lambda dt: [randn(2, 3, dtype=dt), randn(2, 4, dtype=dt)],
        js("RNNCell", 3, 4))
    add("LSTMCell", lambda: nn.LSTMCell(3, 4),
        lambda dt: [randn(2, 3, dtype=dt), [randn(2, 4, dtype=dt), randn(2, 4, dtype=dt)]], js("LSTMCell", 3, 4))
    add("GRUCell", lambda: nn.GRUCell(3, 4), lambda dt: [randn(2, 3, dtype=dt), randn(2, 4, dtype=dt)],
        js("GRUCell", 3, 4))

    kpm = torch.tensor([[False, False, False, True], [False, True, False, False]])
    am = torch.randn(3, 4, dtype=D64)
    add("MultiheadAttention cross with masks", lambda: nn.MultiheadAttention(8, 2),
        lambda dt: [randn(3, 2, 8, dtype=dt), randn(4, 2, 8, dtype=dt), randn(4, 2, 8, dtype=dt)],
        js("MultiheadAttention", 8, 2),
        call={"key_padding_mask": kpm, "attn_mask": am}, call_js={"keyPaddingMask": kpm, "attnMask": am})
    add("MultiheadAttention self batch first per-head weights", lambda: nn.MultiheadAttention(6, 3, batch_first=True),
        lambda dt: [randn(2, 4, 6, dtype=dt)] * 3, js("MultiheadAttention", 6, 3, batchFirst=True),
        call={"average_attn_weights": False}, call_js={"averageAttnWeights": False})
    causal = torch.triu(torch.ones(4, 4, dtype=torch.bool), diagonal=1)
    add("MultiheadAttention kdim vdim bool mask no weights", lambda: nn.MultiheadAttention(4, 2, kdim=3, vdim=5),
        lambda dt: [randn(4, 2, 4, dtype=dt), randn(4, 2, 3, dtype=dt), randn(4, 2, 5, dtype=dt)],
        js("MultiheadAttention", 4, 2, kdim=3, vdim=5),
        call={"attn_mask": causal, "need_weights": False}, call_js={"attnMask": causal, "needWeights": False})
    add("TransformerEncoderLayer post-norm relu", lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0),
        x(5, 2, 8), js("TransformerEncoderLayer", 8, 2, dimFeedforward=16, dropout=0.0))
    pad = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    add("TransformerEncoderLayer pre-norm gelu batch first padding mask",
        lambda: nn.TransformerEncoderLayer(8, 4, 12, dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True),
        x(2, 5, 8), js("TransformerEncoderLayer", 8, 4, dimFeedforward=12, dropout=0.0, activation="gelu",
                       batchFirst=True, normFirst=True),
        call={"src_key_padding_mask": pad}, call_js={"srcKeyPaddingMask": pad})
    add("TransformerEncoder 2 layers with final norm",
        lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2, norm=nn.LayerNorm(8)),
        x(4, 2, 8), js("TransformerEncoder", js("TransformerEncoderLayer", 8, 2, dimFeedforward=16, dropout=0.0), 2,
                       norm=js("LayerNorm", 8)))
    return cases


def loss_cases():
    cases = []
    torch.manual_seed(7)

    def add(name, fn, spec, inp, target, reductions=("mean", "sum", "none")):
        for r in reductions:
            x = inp.detach().clone().requires_grad_()
            out = fn(x, target, r)
            up = torch.randn(out.shape, dtype=out.dtype)
            (g,) = torch.autograd.grad((out * up).sum(), x)
            cases.append({"name": f"{name} {r}", "js": spec, "reduction": r, "input": T(x), "target": T(target),
                          "output": T(out), "upstream": T(up), "grad": T(g)})

    def spec(fn, **opts):
        return {"fn": fn, "opts": {k: (T(v) if isinstance(v, torch.Tensor) else v) for k, v in opts.items()}}

    a, b = torch.randn(3, 4, dtype=D64), torch.randn(3, 4, dtype=D64)
    add("mseLoss", lambda x, t, r: F.mse_loss(x, t, reduction=r), spec("mseLoss"), a, b)
    add("l1Loss", lambda x, t, r: F.l1_loss(x, t, reduction=r), spec("l1Loss"), a, b)
    add("huberLoss", lambda x, t, r: F.huber_loss(x, t, reduction=r, delta=0.5), spec("huberLoss", delta=0.5), a, b)
    add("smoothL1Loss", lambda x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.7), spec("smoothL1Loss", beta=0.7),
        a, b)
    p = torch.rand(3, 4, dtype=D64) * 0.9 + 0.05
    y = (torch.rand(3, 4) > 0.5).to(D64)
    w = torch.rand(4, dtype=D64) + 0.5
    add("binaryCrossEntropy weighted", lambda x, t, r: F.binary_cross_entropy(x, t, weight=w, reduction=r),
        spec("binaryCrossEntropy", weight=w), p, y)
    logits = torch.tensor([[-60.0, -2.0, 0.0, 1.5], [3.0, 45.0, -0.5, 0.0], [0.2, -7.0, 9.0, -1.0]], dtype=D64)
    pw = torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=D64)
    add("binaryCrossEntropyWithLogits", lambda x, t, r: F.binary_cross_entropy_with_logits(x, t, reduction=r),
        spec("binaryCrossEntropyWithLogits"), logits, y)
    add("binaryCrossEntropyWithLogits posWeight weight",
        lambda x, t, r: F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction=r),
        spec("binaryCrossEntropyWithLogits", weight=w, posWeight=pw), logits, y)
    z = torch.randn(5, 4, dtype=D64)
    cls = torch.tensor([0, 3, 1, 3, 2])
    cw = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=D64)
    ce = F.cross_entropy
    add("crossEntropy", lambda x, t, r: ce(x, t, reduction=r), spec("crossEntropy"), z, cls)
    add("crossEntropy weight", lambda x, t, r: ce(x, t, weight=cw, reduction=r), spec("crossEntropy", weight=cw), z, cls)
    ign = torch.tensor([0, -100, 1, 3, -100])
    add("crossEntropy ignoreIndex", lambda x, t, r: ce(x, t, reduction=r), spec("crossEntropy"), z, ign)
    add("crossEntropy labelSmoothing weight ignoreIndex",
        lambda x, t, r: ce(x, t, weight=cw, ignore_index=3, label_smoothing=0.2, reduction=r),
        spec("crossEntropy", weight=cw, ignoreIndex=3, labelSmoothing=0.2), z, cls)
    add("crossEntropy labelSmoothing", lambda x, t, r: ce(x, t, label_smoothing=0.1, reduction=r),
        spec("crossEntropy", labelSmoothing=0.1), z, cls)
    z4 = torch.randn(2, 3, 2, 3, dtype=D64)
    c4 = torch.randint(0, 3, (2, 2, 3))
    add("crossEntropy spatial", lambda x, t, r: ce(x, t, weight=cw[:3], reduction=r),
        spec("crossEntropy", weight=cw[:3]), z4, c4)
    probs = torch.softmax(torch.randn(5, 4, dtype=D64), 1)
    add("crossEntropy probabilities", lambda x, t, r: ce(x, t, reduction=r), spec("crossEntropy"), z, probs)
    add("crossEntropy probabilities labelSmoothing weight",
        lambda x, t, r: ce(x, t, weight=cw, label_smoothing=0.3, reduction=r),
        spec("crossEntropy", weight=cw, labelSmoothing=0.3), z, probs)
    add("crossEntropy unbatched", lambda x, t, r: ce(x, t, reduction=r), spec("crossEntropy"),
        torch.randn(4, dtype=D64), torch.tensor(2))
    lp = torch.log_softmax(z, 1)
    add("nllLoss weight ignoreIndex", lambda x, t, r: F.nll_loss(x, t, weight=cw, ignore_index=1, reduction=r),
        spec("nllLoss", weight=cw, ignoreIndex=1), lp, cls)
    add("nllLoss spatial", lambda x, t, r: F.nll_loss(x, t, reduction=r), spec("nllLoss"),
        torch.log_softmax(z4, 1), c4)
    tp = torch.softmax(torch.randn(3, 4, dtype=D64), 1)
    tp[0, 1] = 0.0
    kl = F.kl_div
    add("klDiv", lambda x, t, r: kl(x, t, reduction=r), spec("klDiv"), torch.log_softmax(a, 1), tp,
        ("mean", "sum", "none", "batchmean"))
    add("klDiv logTarget", lambda x, t, r: kl(x, t, reduction=r, log_target=True), spec("klDiv", logTarget=True),
        torch.log_softmax(a, 1), torch.log_softmax(b, 1), ("mean", "sum", "none", "batchmean"))
    # a batch large enough for the native kernels (small tensors run on the reference loops)
    zb = torch.randn(64, 10, dtype=D64) * 3
    cb = torch.randint(0, 10, (64,))
    cb[::7] = -100
    wb = torch.rand(10, dtype=D64) + 0.5
    add("crossEntropy batch 64 ignoreIndex", lambda x, t, r: ce(x, t, reduction=r), spec("crossEntropy"), zb, cb)
    add("crossEntropy batch 64 weight", lambda x, t, r: ce(x, t, weight=wb, reduction=r),
        spec("crossEntropy", weight=wb), zb, cb.clamp(min=0))
    return cases


def functional_cases():
    """Free functions compared on value and input gradient."""
    cases = []
    torch.manual_seed(11)

    def add(name, fn, spec, *inputs):
        xs = [x.detach().clone().requires_grad_(x.dtype.is_floating_point) for x in inputs]
        out = fn(*xs)
        up = torch.randn(out.shape, dtype=out.dtype)
        diff = [x for x in xs if x.requires_grad]
        gs = torch.autograd.grad((out * up).sum(), diff)
        cases.append({"name": name, "js": spec, "inputs": [T(x) for x in xs], "output": T(out), "upstream": T(up),
                      "grads": [T(g) for g in gs]})

    img = torch.randn(2, 3, 5, 6, dtype=D64)
    add("unfold", lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
        {"fn": "unfold", "args": [[2, 3]], "opts": {"dilation": [1, 2], "padding": 1, "stride": [2, 1]}}, img)
    cols = torch.randn(2, 3 * 6, 18, dtype=D64)
    add("fold", lambda c: F.fold(c, (5, 6), (2, 3), padding=1, stride=(2, 1)),
        {"fn": "fold", "args": [[5, 6], [2, 3]], "opts": {"padding": 1, "stride": [2, 1]}}, cols)
    for mode in ("reflect", "replicate", "circular"):
        add(f"pad {mode}", lambda x, mode=mode: F.pad(x, (2, 1, 1, 2), mode=mode),
            {"fn": "pad", "args": [[2, 1, 1, 2], mode]}, img)
    add("pad constant", lambda x: F.pad(x, (1, 0, 0, 2), value=1.5), {"fn": "pad", "args": [[1, 0, 0, 2], "constant", 1.5]},
        img)
    add("normalize", lambda x: F.normalize(x, p=3.0, dim=2), {"fn": "normalize", "args": [], "opts": {"p": 3, "dim": 2}},
        img)
    add("batchNorm training functional",
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True, eps=1e-3),
        {"fn": "batchNormNoStats", "opts": {"eps": 1e-3}}, img, torch.rand(3, dtype=D64), torch.rand(3, dtype=D64))
    add("groupNorm functional", lambda x, w, b: F.group_norm(x, 3, w, b), {"fn": "groupNorm", "args": [3]}, img,
        torch.rand(3, dtype=D64), torch.rand(3, dtype=D64))
    add("conv2d functional", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=(0, 1), dilation=(2, 1)),
        {"fn": "conv2d", "opts": {"stride": 2, "padding": [0, 1], "dilation": [2, 1]}}, img,
        torch.randn(4, 3, 2, 2, dtype=D64), torch.randn(4, dtype=D64))
    add("convTranspose2d functional", lambda x, w: F.conv_transpose2d(x, w, None, stride=(2, 3), padding=(1, 0)),
        {"fn": "convTranspose2d", "opts": {"stride": [2, 3], "padding": [1, 0]}}, img, torch.randn(3, 2, 3, 2, dtype=D64))
    return cases


def batchnorm_steps():
    """Running statistics after several training steps, then an eval forward and backward."""
    cases = []
    for name, make, spec, shape in [
        ("BatchNorm2d momentum 0.2", lambda: nn.BatchNorm2d(3, momentum=0.2), js("BatchNorm2d", 3, momentum=0.2),
         (4, 3, 2, 3)),
        ("BatchNorm1d cumulative", lambda: nn.BatchNorm1d(4, momentum=None), js("BatchNorm1d", 4, momentum=None),
         (5, 4)),
    ]:
        torch.manual_seed(21)
        m = make().to(D64)
        state = {k: T(v) for k, v in m.state_dict().items()}
        steps = [torch.randn(*shape, dtype=D64) * (i + 1) + i for i in range(3)]
        m.train()
        train_outs = [m(s) for s in steps]
        after = {k: T(v) for k, v in m.state_dict().items()}
        m.eval()
        x = torch.randn(*shape, dtype=D64, requires_grad=True)
        out = m(x)
        up = torch.randn(out.shape, dtype=D64)
        gx, gw = torch.autograd.grad((out * up).sum(), [x, m.weight])
        cases.append({"name": name, "js": spec, "state": state, "steps": [T(s) for s in steps],
                      "trainOutputs": [T(o) for o in train_outs], "stateAfter": after, "evalInput": T(x),
                      "evalOutput": T(out), "upstream": T(up), "gradInput": T(gx), "gradWeight": T(gw)})
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {
        "nn-layers.json": {"cases": layer_cases(), "batchNormSteps": batchnorm_steps()},
        "nn-recurrent.json": {"cases": recurrent_cases()},
        "nn-losses.json": {"cases": loss_cases()},
        "nn-functional.json": {"cases": functional_cases()},
    }
    for name, content in files.items():
        path = os.path.join(OUT, name)
        with open(path, "w") as f:
            json.dump(content, f, separators=(",", ":"))
        print(f"{name}: {os.path.getsize(path) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
