"""Writes test/fixtures/torch-mlp.safetensors by the published safetensors format, using only torch
(the safetensors package is not installed here): a small MLP's state_dict (float32), an input and
torch's output for it (float64), the predicted classes (int32) and a mask (bool).

  /usr/bin/python3 tools/gen_safetensors.py            # write the fixture
  /usr/bin/python3 tools/gen_safetensors.py --check F  # read F (e.g. one chainrule wrote) and print it

The format: u64 little-endian header length N, N bytes of JSON header (space-padded to a multiple
of 8) mapping names to {dtype, shape, data_offsets}, optional "__metadata__" (str -> str), then the
little-endian tensor bytes, ordered as the reference writer orders them (dtype rank desc, name).
"""

import json
import os
import struct
import sys

import torch

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.int32: "I32", torch.bool: "BOOL"}
# rank of each dtype in the reference implementation's Dtype enum (it orders the data area)
RANK = {"BOOL": 0, "I32": 1, "F32": 2, "F64": 3}
NUMPY = {"F64": "<f8", "F32": "<f4", "I32": "<i4", "BOOL": "|b1"}


def write(path, tensors, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-RANK[DTYPES[kv[1].dtype]], kv[0]))
    header, blobs, at = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in items:
        code = DTYPES[t.dtype]
        data = t.detach().contiguous().numpy().astype(NUMPY[code]).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [at, at + len(data)]}
        blobs.append(data)
        at += len(data)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * ((8 - len(js) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    import numpy as np
    out = {}
    for name, e in header.items():
        s, t = e["data_offsets"]
        arr = np.frombuffer(raw[8 + n + s:8 + n + t], dtype=NUMPY[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        tensors, meta = read(sys.argv[2])
        print("metadata:", meta)
        for name, t in tensors.items():
            print(name, t.dtype, list(t.shape), t.flatten()[:6].tolist())
        return
    torch.manual_seed(7)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    x = torch.randn(4, 5, dtype=torch.float64)
    with torch.no_grad():
        y = model.double()(x)
    model.float()
    tensors = {k: v for k, v in model.state_dict().items()}
    tensors["input"] = x
    tensors["expected"] = y
    tensors["classes"] = y.argmax(1).to(torch.int32)
    tensors["positive"] = y > 0
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch-mlp.safetensors")
    write(path, tensors, {"format": "pt", "model": "Sequential(Linear(5, 8), ReLU(), Linear(8, 3))"})
    back, _ = read(path)
    assert all(torch.equal(back[k], tensors[k]) for k in tensors)
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
