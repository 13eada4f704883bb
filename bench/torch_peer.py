"""PyTorch side of `npm run bench`: the same workloads as bench/chainrule.ts and bench/models.ts,
timed the same way (median of samples after warm-up). Reads a JSON config from argv[1] (one thread
count per process: see bench/torch.ts) and answers on stdout, one JSON line each: first what it
runs on, then one value per workload key read from stdin, then (at the end of stdin) its peak
memory. Staying up lets the bench time it right after chainrule on each workload, in the same
spell of machine load. With "stepMemory": <workload key> in the config it answers that step's peak
memory growth instead (see step_memory)."""

import ctypes
import json
import math
import os
import resource
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F


def time_ms(fn, budget):
    # warm-up as bench/harness.ts does it: budget["warmMs"] of untimed calls, at least one
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        fn()
        once = max((time.perf_counter() - t0) * 1000, 1e-3)
        if (time.perf_counter() - start) * 1000 >= budget["warmMs"]:
            break
    n_samples = max(1, min(budget["samples"], int(2 * budget["ms"] / once)))
    per_sample = max(1, round(budget["ms"] / n_samples / once))
    samples = []
    for _ in range(n_samples):
        t = time.perf_counter()
        for _ in range(per_sample):
            fn()
        samples.append((time.perf_counter() - t) * 1000 / per_sample)
    return sorted(samples)[len(samples) // 2]


def trainer(opt, loss):
    """A training step: zero the gradients, forward and loss, backward, optimiser step."""

    def step():
        opt.zero_grad()
        loss().backward()
        opt.step()

    return step


# The models below are bench/models.ts's, built the same way: change one side, change the other.


def resnet():
    """Stem conv3×3 + BN + ReLU, a basic block (skip added before the last ReLU), pool, Linear."""

    def conv(cin, cout):
        return nn.Conv2d(cin, cout, 3, padding=1)

    stem = nn.Sequential(conv(3, 16), nn.BatchNorm2d(16), nn.ReLU())
    branch = nn.Sequential(conv(16, 16), nn.BatchNorm2d(16), nn.ReLU(), conv(16, 16), nn.BatchNorm2d(16))
    head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
    params = [*stem.parameters(), *branch.parameters(), *head.parameters()]
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
    x, y = torch.randn(32, 3, 32, 32), torch.randint(0, 10, (32,))

    def loss():
        h = stem(x)
        return F.cross_entropy(head(torch.relu(branch(h) + h)), y)

    return trainer(opt, loss)


def lstm():
    """LSTM(64 → 128) over [32, 50, 64], its last step → Linear(128, 10)."""
    rnn, head = nn.LSTM(64, 128, batch_first=True), nn.Linear(128, 10)
    params = [*rnn.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=1e-3)
    x, y = torch.randn(32, 50, 64), torch.randint(0, 10, (32,))
    return trainer(opt, lambda: F.cross_entropy(head(rnn(x)[0][:, -1]), y))


def encoder_layer(norm_first):
    """Width 128, 4 heads, feed-forward 512, no dropout: pre-norm GELU or PyTorch's default post-norm ReLU."""
    act = "gelu" if norm_first else "relu"
    return nn.TransformerEncoderLayer(
        128, 4, dim_feedforward=512, dropout=0.0, activation=act, batch_first=True, norm_first=norm_first
    )


def gpt():
    """Embedding(96, 128), two pre-norm GELU layers under a causal mask, Linear(128, 96)."""
    vocab, seq, batch = 96, 128, 16
    embed, body, head = nn.Embedding(vocab, 128), nn.TransformerEncoder(encoder_layer(True), 2), nn.Linear(128, vocab)
    params = [*embed.parameters(), *body.parameters(), *head.parameters()]
    opt = torch.optim.AdamW(params, lr=1e-3)
    mask = nn.Transformer.generate_square_subsequent_mask(seq)
    tokens, nxt = torch.randint(0, vocab, (batch, seq)), torch.randint(0, vocab, (batch * seq,))
    return trainer(opt, lambda: F.cross_entropy(head(body(embed(tokens), mask=mask)).reshape(-1, vocab), nxt))


def encoder():
    """One post-norm encoder layer over [32, 64, 128], mean-pooled → Linear(128, 10)."""
    layer, head = encoder_layer(False), nn.Linear(128, 10)
    params = [*layer.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=1e-3)
    x, y = torch.randn(32, 64, 128), torch.randint(0, 10, (32,))
    return trainer(opt, lambda: F.cross_entropy(head(layer(x).mean(1)), y))


MODELS = {"resnet": resnet, "lstm": lstm, "gpt": gpt, "encoder": encoder}


def attention_step(shape=(1, 4, 1024, 32)):
    """softmax(q kᵀ / √d) v forward and backward (PyTorch 1.13 has no F.scaled_dot_product_attention)."""
    q, k, v = (torch.randn(*shape, requires_grad=True) for _ in range(3))

    def step():
        for t in (q, k, v):
            t.grad = None
        attn = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
        (attn @ v).sum().backward()

    return step


def run(key, budget):
    if key in MODELS:
        return time_ms(MODELS[key](), budget)
    if key == "attention":
        return time_ms(attention_step(), budget)
    if key.startswith("sgemm-"):
        n = int(key[6:])
        a, b = torch.randn(n, n), torch.randn(n, n)
        return 2 * n**3 / (time_ms(lambda: torch.mm(a, b), budget) * 1e6)
    if key.startswith("mlp-"):
        batch = int(key[4:])
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x, y = torch.randn(batch, 784), torch.randint(0, 10, (batch,))
        return time_ms(trainer(opt, lambda: F.cross_entropy(model(x), y)), budget)
    if key.startswith("cnn-"):
        batch = int(key[4:])
        model = nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 10),
        )
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x, y = torch.randn(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
        return time_ms(trainer(opt, lambda: F.cross_entropy(model(x), y)), budget)
    if key == "scalar":
        x = torch.tensor(0.5, requires_grad=True)

        def chain():
            y = x
            for _ in range(500):
                y = y * 0.999 + 0.001
            x.grad = None
            y.backward()

        return time_ms(chain, budget)  # ms per 1000 ops = µs per op
    raise ValueError(f"unknown workload {key}")


def proc_status(field):
    """A line of /proc/self/status in bytes (VmRSS: now, VmHWM: peak since the last reset)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field + ":"))


def step_memory(key):
    """The peak resident memory one step of a model (or of attention) adds, as bench/step-memory.ts
    measures it: a model's step runs once first, so that its optimiser state exists and the code
    paths are loaded; attention, which keeps no state, warms up on a small input and measures its
    first full-size step. Then the kernel's high-water mark is reset and one step runs."""
    if key == "attention":
        attention_step((1, 4, 16, 32))()
        step = attention_step()
    elif key in MODELS:
        step = MODELS[key]()
        step()
    else:
        raise ValueError(f"no training step for workload {key}")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = proc_status("VmRSS")
    step()
    return proc_status("VmHWM") - before


def loaded_blas():
    """The BLAS shared library this process mapped (Debian switches it with update-alternatives),
    and the kernel OpenBLAS chose, if that is what it is."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    name = ", ".join(sorted(os.path.basename(os.path.dirname(p)) + "/" + os.path.basename(p) for p in paths))
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        name = f"OpenBLAS {lib.openblas_get_corename().decode()} kernels ({name})"
    except (OSError, AttributeError):
        pass
    return name or "none found"


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg["threads"])
    if "stepMemory" in cfg:
        return say({"bytes": step_memory(cfg["stepMemory"])})
    say({"version": torch.__version__, "blas": loaded_blas()})
    for line in sys.stdin:
        try:
            say({"value": run(line.strip(), cfg["budget"])})
        except Exception as e:  # noqa: BLE001 - reported to the bench as a note
            say({"error": f"{type(e).__name__}: {e}"})
    say({"maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})


def say(obj):
    print(json.dumps(obj), flush=True)


if __name__ == "__main__":
    main()
