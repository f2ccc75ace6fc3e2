"""Writes tests/Attend.Tests/Fixtures/safetensors/torch_fixture.safetensors from PyTorch tensors.

The safetensors Python package is not installed here, so the file is laid out by hand following the format
specification (https://github.com/huggingface/safetensors#format): an 8-byte little-endian u64 header length N,
N bytes of UTF-8 JSON header {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}
padded with spaces to a multiple of 8, then the raw little-endian tensor bytes, contiguous, in the order the
Rust reference uses (descending dtype alignment, then name).

Run with Debian's Python that has torch: /usr/bin/python3 tests/Attend.Tests/IO/make_safetensors_fixture.py
"""
import json
import os
import struct

import torch

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64", torch.int64: "I64"}

torch.manual_seed(0)
tensors = {
    "embed.weight": torch.randn(4, 3, dtype=torch.float32),
    "half.weight": torch.linspace(-2.0, 2.0, 6, dtype=torch.float32).reshape(2, 3).to(torch.float16),
    "bf16.bias": torch.tensor([1.5, -0.25, 3.0], dtype=torch.bfloat16),
    "double.scale": torch.tensor([[0.1, 0.2], [0.3, 0.4]], dtype=torch.float64),
    "positions": torch.arange(5, dtype=torch.int64),
    "scalar": torch.tensor(7.0, dtype=torch.float32),
}

order = sorted(tensors, key=lambda n: (-tensors[n].element_size(), n))
header, chunks, offset = {"__metadata__": {"format": "pt", "source": "make_safetensors_fixture.py"}}, [], 0
for name in order:
    t = tensors[name].contiguous()
    # Reinterpret as bytes through an integer view so bf16 works with numpy (little-endian x86 host).
    raw = t.view(torch.uint8).numpy().tobytes() if t.dim() > 0 else t.reshape(1).view(torch.uint8).numpy().tobytes()
    header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
    chunks.append(raw)
    offset += len(raw)

text = json.dumps(header, separators=(",", ":")).encode("utf-8")
text += b" " * (-len(text) % 8)
here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "..", "Fixtures", "safetensors")
os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, "torch_fixture.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for chunk in chunks:
        f.write(chunk)

# The expected float32 values, printed with round-trip precision, for the C# test to compare against.
for name in sorted(tensors):
    t = tensors[name]
    if t.is_floating_point():
        print(name, [float(x) for x in t.to(torch.float32).reshape(-1).tolist()])
