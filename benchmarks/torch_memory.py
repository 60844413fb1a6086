#!/usr/bin/python3
"""PyTorch's side of MemoryBench: resident-set growth of a training step of the wide MLP
(1024-1024-1024-10 ReLU, batch 256, softmax cross-entropy, Adam lr 1e-3), float32 vs float64.

Each dtype runs in a fresh child process (the allocator keeps freed memory, so one process would
carry the first dtype's pages into the second). In the child: build the model, the optimizer and a
fixed random batch, run one forward to load the kernels, then reset the peak-RSS counter
(writing 5 to /proc/self/clear_refs) and take VmRSS as the baseline; run --steps training steps
(zero_grad, forward, loss, backward, step) and read VmHWM (peak RSS since the reset) and VmRSS.
  growth   = peak RSS during the steps - baseline   (Adam's m and v, gradients, activations,
             allocator caching: the counterpart of Chainrule's peak live heap above its baseline)
  retained = RSS after the steps - baseline           (what stays between steps)
Prints per dtype "<dtype> params_mib P baseline_mib B peak_mib H growth_mib G retained_mib R",
then "ratio_float32_over_float64 growth X retained Y".
Needs Debian's python3-torch; Linux only (/proc). Run with /usr/bin/python3:
  OMP_NUM_THREADS=2 /usr/bin/python3 benchmarks/torch_memory.py [--dtype float32,float64] [--steps 5] [--threads 2]
"""
import argparse
import subprocess
import sys


def status(key):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) / 1024.0   # kB -> MiB
    raise RuntimeError(key + ' not in /proc/self/status')


def child(dtype_name, steps, threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    dt = getattr(torch, dtype_name)
    sizes, batch = [1024, 1024, 1024, 10], 256
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]).to(dt))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, sizes[0], dtype=dt)
    y = torch.randint(0, sizes[-1], (batch,))
    lf = torch.nn.CrossEntropyLoss()
    with torch.no_grad():
        model(x)
    params = sum(p.numel() for p in model.parameters()) * x.element_size() / 2**20
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')                                   # reset VmHWM to the current RSS
    base = status('VmRSS')
    for _ in range(steps):
        opt.zero_grad()
        lf(model(x), y).backward()
        opt.step()
    peak, after = status('VmHWM'), status('VmRSS')
    print(f"{dtype_name} params_mib {params:.1f} baseline_mib {base:.1f} peak_mib {peak:.1f} "
          f"growth_mib {peak - base:.1f} retained_mib {after - base:.1f}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dtype', default='float32,float64')
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.dtype, a.steps, a.threads)
        return
    res = {}
    for d in a.dtype.split(','):
        if d not in ('float32', 'float64'):
            sys.exit(f"torch_memory.py: --dtype {d}: use float32, float64 or float32,float64")
        out = subprocess.run([sys.executable, __file__, '--child', '--dtype', d, '--steps', str(a.steps),
                              '--threads', str(a.threads)], check=True, capture_output=True, text=True).stdout
        print(out, end='', flush=True)
        f = out.split()
        res[d] = {f[i]: float(f[i + 1]) for i in range(1, len(f) - 1, 2)}
    if 'float32' in res and 'float64' in res:
        r = {k: res['float32'][k] / res['float64'][k] if res['float64'][k] else float('nan')
             for k in ('growth_mib', 'retained_mib')}
        print(f"ratio_float32_over_float64 growth {r['growth_mib']:.3f} retained {r['retained_mib']:.3f}", flush=True)


if __name__ == '__main__':
    main()
