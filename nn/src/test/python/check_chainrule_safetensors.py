#!/usr/bin/python3
"""Checks that files written by Chainrule's Checkpoint.save load in plain NumPy and in PyTorch.

Reads nn/src/test/resources/fixtures/chainrule_f64.safetensors and chainrule_f32.safetensors, which
PyTorchSafeTensorsTest.chainruleWritesTheCommittedFilesByteForByte pins to the bytes Checkpoint.save
writes (F64 and F32) for a Sequential(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 3)) whose value k
(row-major) of tensor j (in file order) is ((7919 k + 101 j) mod 1000 - 500) / 3. With no safetensors
package, only the format: the 8-byte little-endian header length, the JSON header, and
np.frombuffer on each tensor's data_offsets. It checks the layout rules (contiguous offsets covering
the data, header padded to a multiple of 8, sizes per dtype), the metadata, every value (F64 bit for bit
equal to the formula, F32 bit for bit equal to the formula rounded by numpy.float32), and that the
tensors load into the PyTorch model with load_state_dict(strict=True).

Run from the repository root (Debian's python3-numpy and python3-torch):
    /usr/bin/python3 nn/src/test/python/check_chainrule_safetensors.py
It prints one line per file and exits non-zero on the first mismatch.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures")
NUMPY = {"F64": "<f8", "F32": "<f4"}
NAMES = ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "1.running_mean", "1.running_var",
         "1.num_batches_tracked"]


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert (8 + n) % 8 == 0, "data does not start at a multiple of 8"
    header_bytes = raw[8:8 + n]
    header = json.loads(header_bytes.decode("utf-8"), object_pairs_hook=lambda pairs: dict(pairs))
    assert header_bytes.rstrip(b" ").endswith(b"}"), "header padding is not spaces"
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    arrays, offset = {}, 0
    for name, info in header.items():
        begin, end = info["data_offsets"]
        assert begin == offset, name + ": offsets not contiguous"
        dt = np.dtype(NUMPY[info["dtype"]])
        assert end - begin == dt.itemsize * int(np.prod(info["shape"], dtype=np.int64)), name + ": size"
        arrays[name] = np.frombuffer(data[begin:end], dtype=dt).reshape(info["shape"])
        offset = end
    assert offset == len(data), "tensors do not cover the data section"
    return metadata, arrays, {k: v["dtype"] for k, v in header.items()}


def main():
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    for dtype in ["F64", "F32"]:
        path = os.path.join(FIXTURES, "chainrule_%s.safetensors" % dtype.lower())
        metadata, arrays, dtypes = read(path)
        assert metadata == {"format": "chainrule"}, metadata
        assert list(arrays) == NAMES, list(arrays)
        assert set(dtypes.values()) == {dtype}, dtypes
        for j, (name, a) in enumerate(arrays.items()):
            k = np.arange(a.size, dtype=np.int64)
            expected = (((7919 * k + 101 * j) % 1000 - 500) / 3.0).reshape(a.shape)
            if dtype == "F32":
                expected = expected.astype(np.float32)
            assert a.dtype == expected.dtype and a.tobytes() == expected.tobytes(), name
        # As a user would: load_state_dict copies (and converts) float64/float32 into the float32 model,
        # and the double num_batches_tracked into its int64 buffer.
        model.load_state_dict({k: torch.from_numpy(a.copy()) for k, a in arrays.items()}, strict=True)
        assert torch.equal(model[0].weight.detach().double(), torch.from_numpy(arrays["0.weight"].astype(np.float32)).double())
        print("%s: %d tensors, %d values, NumPy values exact, loads into PyTorch" %
              (os.path.basename(path), len(arrays), sum(a.size for a in arrays.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
