#!/usr/bin/python3
"""Runs shared/bench/torch_cnn.py with its seeds shifted by K, to see how much PyTorch's own result
varies from seed to seed (torch_cnn.py fixes torch.manual_seed(0) and its shuffling generator's seed 0).

Usage: OMP_WAIT_POLICY=passive benchmarks/torch_cnn_seed.py K [torch_cnn.py arguments...]
  e.g. benchmarks/torch_cnn_seed.py 1 --mode train --epochs 3 --dtype float64 --threads 2
K = 0 is the unmodified script. CHAINRULE_SHARED overrides where shared/ is (default: ../shared
relative to the repository root)."""
import os
import runpy
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get("CHAINRULE_SHARED", os.path.join(here, "..", "..", "shared"))
k = int(sys.argv[1])
_manual_seed = torch.manual_seed
torch.manual_seed = lambda s: _manual_seed(s + k)


class _ShiftedGenerator(torch.Generator):
    def manual_seed(self, s):
        return super().manual_seed(s + k)


torch.Generator = _ShiftedGenerator
sys.argv = ["torch_cnn.py"] + sys.argv[2:]
runpy.run_path(os.path.join(shared, "bench", "torch_cnn.py"), run_name="__main__")
