#!/usr/bin/python3
"""PyTorch's side of ScalingBench: steps per second of the MLP w-w-w-10 (ReLU, softmax cross-entropy,
SGD lr 0.01, one step = zero_grad, forward, loss, backward, step on fixed random data; the "wide" case
of shared/bench/torch_mlp.py at other sizes) against the layer width at a fixed batch and against the
batch size at a fixed width.

Each point: 3 untimed steps (at least 0.2 s), then steps for --seconds (at least 3). Prints one CSV
line per point, no header: "<sweep>,<width>,<batch>,<dtype>,<steps_per_s>" (sweep = width | batch),
the same as ScalingBench. benchmarks/scaling.sh runs both (PyTorch at its default and with
OMP_WAIT_POLICY=passive). Needs Debian's python3-torch; run with /usr/bin/python3:
  /usr/bin/python3 benchmarks/torch_scaling.py [--dtype float64] [--threads 2] [--seconds 1.5]
      [--widths 64,128,256,512,1024,2048] [--batch 128] [--batches 1,4,16,64,256,1024] [--width 256]
"""
import argparse
import time

import torch

ap = argparse.ArgumentParser()
ap.add_argument('--dtype', default='float64'); ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--seconds', type=float, default=1.5)
ap.add_argument('--widths', default='64,128,256,512,1024,2048'); ap.add_argument('--batch', type=int, default=128)
ap.add_argument('--batches', default='1,4,16,64,256,1024'); ap.add_argument('--width', type=int, default=256)
a = ap.parse_args()
torch.set_num_threads(a.threads)
dt = getattr(torch, a.dtype)


def point(sweep, width, batch):
    torch.manual_seed(0)
    sizes = [width, width, width, 10]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]).to(dt))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(batch, sizes[0], dtype=dt)
    y = torch.randint(0, sizes[-1], (batch,))
    lf = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(); lf(model(x), y).backward(); opt.step()

    t0 = time.perf_counter(); i = 0
    while i < 3 or time.perf_counter() - t0 < 0.2:
        step(); i += 1
    n = 0; t0 = time.perf_counter()
    while n < 3 or time.perf_counter() - t0 < a.seconds:
        step(); n += 1
    print(f"{sweep},{width},{batch},{a.dtype},{n / (time.perf_counter() - t0):.2f}", flush=True)


for w in a.widths.split(','):
    point('width', int(w), a.batch)
for b in a.batches.split(','):
    point('batch', a.width, int(b))
