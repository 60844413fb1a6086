#!/usr/bin/python3
"""PyTorch-written safetensors files for Chainrule's checkpoint reader (PyTorchSafeTensorsTest).

A float32 PyTorch model, Sequential(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 3)), whose
state_dict names (0.weight, 0.bias, 1.weight, 1.bias, 1.running_mean, 1.running_var,
1.num_batches_tracked, 3.weight, 3.bias) are those of the same Chainrule Sequential's
namedParameters() and namedBuffers(), is trained on three batches (so that the running statistics are
not the initial ones), and its state dict is saved three times: as F32 (the raw
`save_file(model.state_dict())`), F16 and BF16 (`model.to(dtype).state_dict()`). The floating tensors
have the file's type; num_batches_tracked stays int64 (I64), as PyTorch keeps it.

Debian's python3-torch has no `safetensors` package, so the files are written here byte for byte as
`safetensors.torch.save_file` (safetensors/src/tensor.rs, `prepare`) writes them: an 8-byte
little-endian header length; compact JSON (serde_json: no spaces), `__metadata__` first when metadata
is given; tensors sorted by descending dtype (the order of the Rust `Dtype` enum) then by name, each
`{"dtype", "shape", "data_offsets"}` with contiguous offsets; the header padded with spaces to a
multiple of 8; then the raw little-endian bytes in the same order.

A fourth file, specials.safetensors, mixes BF16, F16 and F32 tensors of edge-case bit patterns (signed
zeros, smallest and largest subnormals, smallest normal, largest finite, infinities, NaN, 1/3).

safetensors_fixtures.json records, per file, the expected values as float64 (PyTorch's own
conversion `tensor.double()` of the stored values; for the specials as the 16 hex digits of their
float64 bit patterns, so that NaN, infinities and -0 are exact), the fixed input, and the model's
eval-mode output computed in float64 from the stored (rounded) values, plus for F32 the output of the
float32 model itself.

Run from the repository root (Debian's python3-torch):
    /usr/bin/python3 nn/src/test/python/gen_safetensors_fixtures.py
It rewrites nn/src/test/resources/fixtures/pytorch_{f32,f16,bf16}.safetensors, specials.safetensors and
safetensors_fixtures.json. check_chainrule_safetensors.py (same folder) checks the other direction.
"""
import copy
import json
import os
import struct

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures")

# safetensors' Rust Dtype enum, in declaration order (save_file sorts by it, descending).
RUST_DTYPES = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64",
               "I64", "U64"]
NAMES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}
SAME_WIDTH_INT = {8: torch.int64, 4: torch.int32, 2: torch.int16}


def save_file(tensors, path, metadata=None):
    """Writes `tensors` (name -> contiguous CPU tensor) as safetensors.torch.save_file does."""
    order = sorted(tensors.items(), key=lambda kv: (-RUST_DTYPES.index(NAMES[kv[1].dtype]), kv[0]))
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, t in order:
        width = t.element_size()
        raw = t.contiguous().view(SAME_WIDTH_INT[width]).numpy().astype("<i%d" % width).tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def flat(t):
    return t.detach().double().reshape(-1).tolist()


def bits(t):
    return ["%016x" % struct.unpack("<Q", struct.pack("<d", v))[0] for v in flat(t)]


def main():
    torch.manual_seed(20261201)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    model.train()
    with torch.no_grad():
        model[1].weight.uniform_(0.5, 1.5)  # not the initial ones and zeros
        model[1].bias.uniform_(-0.5, 0.5)
        for _ in range(3):
            model(torch.randn(16, 4) * 2 + 0.5)
    model.eval()
    x = torch.randn(5, 4)  # float32 values, stored exactly as float64
    with torch.no_grad():
        out32 = model(x)

    fixtures = {"input": {"shape": list(x.shape), "data": flat(x)}, "files": {}}
    for dtype, file in [(torch.float32, "pytorch_f32.safetensors"), (torch.float16, "pytorch_f16.safetensors"),
                        (torch.bfloat16, "pytorch_bf16.safetensors")]:
        # What model.to(dtype).state_dict() holds: floating tensors converted, the int64 counter kept.
        state = {k: (v.detach().to(dtype) if v.is_floating_point() else v.detach()).contiguous()
                 for k, v in model.state_dict().items()}
        metadata = {"format": "pt"} if dtype == torch.float32 else None
        save_file(state, os.path.join(OUT, file), metadata)
        # The model as Chainrule holds it after loading: the stored values, in float64.
        m64 = copy.deepcopy(model).double()
        m64.load_state_dict({k: v.to(m64.state_dict()[k].dtype) for k, v in state.items()})
        m64.eval()
        with torch.no_grad():
            out64 = m64(x.double())
        entry = {"dtype": NAMES[dtype], "metadata": metadata or {},
                 "tensors": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in state.items()},
                 "output": {"shape": list(out64.shape), "data": flat(out64)}}
        if dtype == torch.float32:
            entry["outputFloat32"] = {"shape": list(out32.shape), "data": flat(out32)}
        fixtures["files"][file] = entry

    def from_bits(pattern, dtype):
        return torch.tensor([p - (1 << 16) if p >= 1 << 15 else p for p in pattern], dtype=torch.int16).view(dtype)

    gen = torch.Generator().manual_seed(7)
    rand16 = torch.randint(0, 1 << 16, (16,), generator=gen).tolist()
    f16 = from_bits([0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x3555, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00,
                     0x7E00, 0x7C01, 0xFE00] + rand16, torch.float16)
    bf16 = from_bits([0x0000, 0x8000, 0x0001, 0x8001, 0x007F, 0x0080, 0x3F80, 0xBF80, 0x3EAB, 0x7F7F, 0xFF7F, 0x7F80, 0xFF80,
                      0x7FC0, 0x7F81, 0xFFC0] + rand16, torch.bfloat16)
    f32 = torch.tensor([0.0, -0.0, 1.0 / 3.0, 1e-45, -1e-45, 1.1754942e-38, 1.17549435e-38, 3.4028235e38,
                        float("inf"), float("-inf"), float("nan")], dtype=torch.float32)
    specials = {"f16": f16.reshape(2, 16), "bf16": bf16.reshape(2, 16), "f32": f32}
    save_file(specials, os.path.join(OUT, "specials.safetensors"))
    fixtures["specials"] = {k: {"dtype": NAMES[v.dtype], "shape": list(v.shape), "bits": bits(v)} for k, v in specials.items()}

    with open(os.path.join(OUT, "safetensors_fixtures.json"), "w") as f:
        json.dump(fixtures, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
