#!/usr/bin/python3
"""Reference values for Chainrule's linear algebra (LinalgFixturesTest) from PyTorch, float64.

Each case stores the inputs, the forward outputs and the gradients of the scalar loss
sum(output * W) (W stored too) with respect to every input. For eigh the loss is
sum(w * Ww) + sum(V * V * WV), which does not depend on the eigenvectors' signs.

Run from the repository root (Debian's python3-torch):
    /usr/bin/python3 autograd-core/src/test/python/gen_linalg_fixtures.py
It rewrites autograd-core/src/test/resources/fixtures/linalg.json.
"""
import json
import os

import torch

torch.manual_seed(20240808)
DT = torch.float64


def t(x):
    return {"shape": list(x.shape), "data": x.detach().reshape(-1).tolist()}


def spd(*shape):
    n = shape[-1]
    m = torch.randn(*shape, dtype=DT)
    return m @ m.transpose(-2, -1) + n * torch.eye(n, dtype=DT)


def well_conditioned(*shape):
    n = shape[-1]
    return torch.rand(*shape, dtype=DT) * 2 - 1 + (n + 1) * torch.eye(n, dtype=DT)


def triangular_source(*shape):
    # a full matrix: the op reads only one triangle; the diagonal is kept away from zero
    n = shape[-1]
    m = torch.rand(*shape, dtype=DT) * 2 - 1
    d = (torch.rand(*shape[:-1], dtype=DT) + 1) * torch.where(torch.rand(*shape[:-1]) < 0.5, -1.0, 1.0).to(DT)
    return m - torch.diag_embed(torch.diagonal(m, dim1=-2, dim2=-1)) + torch.diag_embed(d)


def symmetric_distinct(*shape):
    # diag(0, 1, ..., n-1) plus a small symmetric perturbation, rotated: eigenvalues stay >= 0.5 apart
    n = shape[-1]
    p = (torch.rand(*shape, dtype=DT) * 2 - 1) * 0.1
    q, _ = torch.linalg.qr(torch.randn(*shape, dtype=DT))
    d = torch.diag_embed(torch.arange(n, dtype=DT).expand(*shape[:-1]))
    a = q @ d @ q.transpose(-2, -1) + (p + p.transpose(-2, -1)) / 2
    return (a + a.transpose(-2, -1)) / 2


cases = []


def case(op, name, inputs, fn, params=None):
    xs = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    outs = fn(**xs)
    weights = {k: torch.rand(v.shape, dtype=DT) * 2 - 1 for k, v in outs.items()}
    if op == "eigh":
        loss = (outs["eigenvalues"] * weights["eigenvalues"]).sum() \
            + (outs["eigenvectors"] ** 2 * weights["eigenvectors"]).sum()
    else:
        loss = sum((outs[k] * weights[k]).sum() for k in outs if outs[k].requires_grad)
    grads = torch.autograd.grad(loss, list(xs.values()), allow_unused=True)
    cases.append({
        "op": op, "name": name, "params": params or {},
        "inputs": {k: t(v) for k, v in inputs.items()},
        "outputs": {k: t(v) for k, v in outs.items()},
        "weights": {k: t(v) for k, v in weights.items()},
        "grads": {k: t(g if g is not None else torch.zeros_like(xs[k])) for k, g in zip(xs.keys(), grads)},
    })


for shape in [(1, 1), (3, 3), (2, 4, 4), (2, 1, 3, 3)]:
    case("cholesky", f"cholesky {list(shape)}", {"A": spd(*shape)}, lambda A: {"L": torch.linalg.cholesky(A)})

for upper in (False, True):
    for left in (True, False):
        for unit in (False, True):
            a = triangular_source(3, 3)
            b = torch.randn(3, 2, dtype=DT) if left else torch.randn(2, 3, dtype=DT)
            params = {"upper": upper, "left": left, "unitriangular": unit}
            case("solveTriangular", f"solveTriangular {params}", {"A": a, "B": b},
                 lambda A, B, u=upper, l=left, un=unit: {"X": torch.linalg.solve_triangular(A, B, upper=u, left=l, unitriangular=un)},
                 params)
case("solveTriangular", "solveTriangular batched, broadcast B", {"A": triangular_source(2, 3, 3), "B": torch.randn(3, 2, dtype=DT)},
     lambda A, B: {"X": torch.linalg.solve_triangular(A, B, upper=False)}, {"upper": False, "left": True, "unitriangular": False})

case("solve", "solve matrix", {"A": well_conditioned(3, 3), "B": torch.randn(3, 2, dtype=DT)}, lambda A, B: {"X": torch.linalg.solve(A, B)})
case("solve", "solve vector", {"A": well_conditioned(4, 4), "B": torch.randn(4, dtype=DT)}, lambda A, B: {"X": torch.linalg.solve(A, B)})
case("solve", "solve batch of vectors", {"A": well_conditioned(2, 3, 3), "B": torch.randn(2, 3, dtype=DT)},
     lambda A, B: {"X": torch.linalg.solve(A, B)})
case("solve", "solve broadcast batch", {"A": well_conditioned(2, 1, 3, 3), "B": torch.randn(4, 3, 1, dtype=DT)},
     lambda A, B: {"X": torch.linalg.solve(A, B)})

for shape in [(1, 1), (3, 3), (2, 3, 3)]:
    case("inverse", f"inverse {list(shape)}", {"A": well_conditioned(*shape)}, lambda A: {"Y": torch.linalg.inv(A)})

for shape in [(1, 1), (3, 3), (2, 2, 3, 3)]:
    a = torch.rand(*shape, dtype=DT) * 2 - 1 + 1.5 * torch.eye(shape[-1], dtype=DT) * torch.where(
        torch.rand(*shape[:-2], 1, 1) < 0.5, -1.0, 1.0).to(DT)
    case("det", f"det {list(shape)}", {"A": a}, lambda A: {"det": torch.linalg.det(A)})
    case("slogdet", f"slogdet {list(shape)}", {"A": a},
         lambda A: dict(zip(("sign", "logAbsDet"), torch.linalg.slogdet(A))))

for shape in [(3, 3), (2, 4, 4)]:
    case("logdet", f"logdet {list(shape)}", {"A": spd(*shape)}, lambda A: {"logdet": torch.logdet(A)})

for shape in [(1, 1), (3, 3), (2, 4, 4)]:
    case("eigh", f"eigh {list(shape)}", {"A": symmetric_distinct(*shape)},
         lambda A: dict(zip(("eigenvalues", "eigenvectors"), torch.linalg.eigh(A))))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "linalg.json")
with open(out, "w") as f:
    json.dump({"generator": "autograd-core/src/test/python/gen_linalg_fixtures.py", "torch": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
