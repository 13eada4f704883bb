"""PyTorch side of `npm run bench`: the same workloads as bench/chainrule.ts, timed the same way
(median of samples after warm-up). Reads a JSON config from argv[1] (one thread count per process:
see bench/torch.ts) and answers on stdout, one JSON line each: first what it runs on, then one
value per workload key read from stdin, then (at the end of stdin) its peak memory. Staying up
lets the bench time it right after chainrule on each workload, in the same spell of machine load."""

import ctypes
import json
import os
import resource
import sys
import time

import torch
from torch import nn


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


def train_step(model, loss_fn, opt, x, y):
    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def run(key, budget):
    if key.startswith("sgemm-"):
        n = int(key[6:])
        a, b = torch.randn(n, n), torch.randn(n, n)
        return 2 * n**3 / (time_ms(lambda: torch.mm(a, b), budget) * 1e6)
    if key.startswith("mlp-"):
        batch = int(key[4:])
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x, y = torch.randn(batch, 784), torch.randint(0, 10, (batch,))
        return time_ms(train_step(model, nn.CrossEntropyLoss(), opt, x, y), budget)
    if key.startswith("cnn-"):
        batch = int(key[4:])
        model = nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 10),
        )
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x, y = torch.randn(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
        return time_ms(train_step(model, nn.CrossEntropyLoss(), opt, x, y), budget)
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
