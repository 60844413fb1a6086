#!/usr/bin/python3
"""Reference values from PyTorch (float64) for the elementwise math, activations and reductions of
autograd-core; read by MathFixturesTest. Run from anywhere with Debian's torch:

    /usr/bin/python3 autograd-core/src/test/python/gen_math_fixtures.py

Each case holds an op with its arguments, the input x (flat, row-major) and its shape, the output,
and — for differentiable ops — the gradient of sum(out * w) with respect to x for a fixed weight w,
and (second order) the gradient of sum(grad * v) for a fixed v: a Hessian-vector product.
Inputs are written out in full, so the Java test does not depend on any generator.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "math.json")


def det(n, a=1.7, b=0.3, scale=2.0):
    """n deterministic, well-spread values: scale * sin(a*i + b), rounded to 6 digits."""
    return [round(scale * math.sin(a * i + b), 6) for i in range(n)]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


cases = []


def case(op, x, shape, f, args=None, second=True, grad=True):
    xt = torch.tensor(x).reshape(shape).requires_grad_(grad)
    out = f(xt)
    c = {"op": op, "args": args or {}, "x": x, "shape": list(shape), "out": flat(out), "out_shape": list(out.shape)}
    if grad:
        w = torch.tensor(det(out.numel(), 0.9, 1.1, 1.0)).reshape(out.shape)
        (g,) = torch.autograd.grad((out * w).sum(), xt, create_graph=second)
        c["w"] = flat(w)
        c["grad"] = flat(g)
        if second and g.requires_grad:   # PyTorch's prod with two or more zeros returns a constant gradient
            v = torch.tensor(det(xt.numel(), 1.3, 0.7, 1.0)).reshape(shape)
            (h,) = torch.autograd.grad((g * v).sum(), xt)
            c["v"] = flat(v)
            c["hvp"] = flat(h)
    cases.append(c)


# ---------------------------------------------------------------- erf and activations
erf_points = [0.0, 1e-300, -1e-20, 1e-9, 0.1, -0.3, 0.46875, -0.46875, 0.4687501, 0.5, 0.75, -1.0, 1.5,
              2.0, -2.5, 3.0, 3.999, 4.0, -4.0, 4.0001, 5.0, -5.5, 6.0, 8.0, 10.0, -26.0, 27.0, 1e10]
case("erf", erf_points, [len(erf_points)], torch.erf, second=False)
case("erf", det(24, scale=3.0), [2, 3, 4], torch.erf)
gelu_points = [-40.0, -12.0, -8.0, -5.0, -3.0, -1.5, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 2.0, 3.0, 6.0, 10.0]
case("gelu", gelu_points, [len(gelu_points)], F.gelu)
case("gelu", det(12, scale=3.0), [3, 4], F.gelu)
case("elu", det(12, scale=3.0), [3, 4], F.elu, {"alpha": 1.0})
case("elu", det(10, 0.7, 0.2, 4.0), [10], lambda t: F.elu(t, 0.5), {"alpha": 0.5})
case("silu", det(12, scale=5.0), [2, 6], F.silu)
case("leakyRelu", det(12, scale=3.0), [12], lambda t: F.leaky_relu(t, 0.2), {"slope": 0.2})
case("sin", det(8, scale=6.0), [8], torch.sin)
case("tan", det(8, scale=1.2), [8], torch.tan)
case("atan", det(8, scale=6.0), [8], torch.atan)
case("log1p", [-0.9, -0.5, -1e-10, 0.0, 1e-12, 0.3, 2.0, 100.0], [8], torch.log1p)
case("expm1", [-30.0, -1.0, -1e-10, 0.0, 1e-12, 0.3, 2.0, 30.0], [8], torch.expm1)

# ---------------------------------------------------------------- reductions
case("prod", [1.5, -2.0, 0.5, 3.0, -1.0, 2.0], [2, 3], lambda t: t.prod(), {"axis": None})
case("prod", [1.5, -2.0, 0.0, 3.0, -1.0, 2.0], [2, 3], lambda t: t.prod(), {"axis": None})           # one zero
case("prod", [1.5, 0.0, 0.5, 3.0, 0.0, 2.0], [2, 3], lambda t: t.prod(), {"axis": None})            # two zeros
case("prod", [0.0, 0.0, 0.0, 0.0], [4], lambda t: t.prod(), {"axis": None})                          # all zeros
# along an axis: rows with no zero, one zero, two zeros
px = [1.5, -2.0, 0.5, 0.7, 3.0, 0.0, 2.0, -1.2, 0.0, 4.0, 0.0, 0.9]
case("prod", px, [3, 4], lambda t: t.prod(1), {"axis": 1, "keepDims": False})
case("prod", px, [3, 4], lambda t: t.prod(0, keepdim=True), {"axis": 0, "keepDims": True})
case("prod", px, [3, 2, 2], lambda t: t.prod(1), {"axis": 1, "keepDims": False})

vx = det(24, scale=3.0)
for corr in (0, 1, 2):
    case("var", vx, [2, 3, 4], lambda t, c=corr: t.var(dim=2, correction=c, keepdim=True), {"axis": 2, "correction": corr, "keepDims": True})
    case("std", vx, [2, 3, 4], lambda t, c=corr: t.std(dim=1, correction=c), {"axis": 1, "correction": corr, "keepDims": False})
case("var", vx, [2, 3, 4], lambda t: t.var(), {"axis": None})
case("std", vx, [2, 3, 4], lambda t: t.std(), {"axis": None})
case("std", [1.0, 1.0, 1.0, 2.0, 3.0, 4.0], [2, 3], lambda t: t.std(dim=1), {"axis": 1, "correction": 1, "keepDims": False}, second=False)

nx = [3.0, -4.0, 0.0, 1.0, -1.0, 2.0, 0.5, -2.0, 2.0, -0.25, 1.5, 0.75]
for p in (1.0, 2.0, math.inf, 3.0):
    pname = "inf" if p == math.inf else p
    case("norm", nx, [12], lambda t, p=p: torch.linalg.vector_norm(t, p), {"p": pname, "axis": None}, second=(p not in (1.0, math.inf)))
    case("norm", nx, [3, 4], lambda t, p=p: torch.linalg.vector_norm(t, p, dim=1), {"p": pname, "axis": 1, "keepDims": False}, second=False)
case("norm", [0.0, 0.0, 0.0, 1.0, -2.0, 2.0], [2, 3], lambda t: torch.linalg.vector_norm(t, 2, dim=1), {"p": 2.0, "axis": 1, "keepDims": False}, second=False)
case("norm", [0.0, 0.0, 0.0, 1.0, -2.0, 2.0], [2, 3], lambda t: torch.linalg.vector_norm(t, math.inf, dim=1), {"p": "inf", "axis": 1, "keepDims": False}, second=False)
case("norm", [0.0, 0.0, 0.0, 1.0, -2.0, 2.0], [2, 3], lambda t: torch.linalg.vector_norm(t, 3.0, dim=1), {"p": 3.0, "axis": 1, "keepDims": False}, second=False)
case("norm", det(12), [2, 2, 3], lambda t: torch.linalg.matrix_norm(t, "fro"), {"p": "fro", "axes": [-2, -1], "keepDims": False})

case("cumsum", det(12), [3, 4], lambda t: t.cumsum(1), {"axis": 1}, second=False)
case("cumsum", det(12), [3, 4], lambda t: t.cumsum(0), {"axis": 0}, second=False)
case("logsumexp", det(12), [3, 4], lambda t: t.logsumexp(1), {"axis": 1}, second=False)

# sums and max over several axes, with ties (amax splits the gradient evenly over all maxima)
mx = [1.0, 3.0, 3.0, 0.0, 2.0, 3.0, -1.0, 3.0, 0.5, 1.0, 2.0, 1.0]
case("amax", mx, [2, 2, 3], lambda t: t.amax(dim=(0, 2)), {"axes": [0, 2], "keepDims": False}, second=False)
case("amax", mx, [2, 2, 3], lambda t: t.amax(dim=(1, 2), keepdim=True), {"axes": [1, 2], "keepDims": True}, second=False)
case("amin", mx, [2, 2, 3], lambda t: t.amin(dim=(0, 1)), {"axes": [0, 1], "keepDims": False}, second=False)
case("sum", mx, [2, 2, 3], lambda t: t.sum(dim=(0, 2)), {"axes": [0, 2], "keepDims": False}, second=False)
case("mean", mx, [2, 2, 3], lambda t: t.mean(dim=(-1, 0), keepdim=True), {"axes": [-1, 0], "keepDims": True}, second=False)

# maximum / minimum with ties and broadcasting: a tie splits the gradient 1/2 each
ma = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
mb = [2.0, 2.0, 5.0]
for op, fn in (("maximum", torch.maximum), ("minimum", torch.minimum)):
    at = torch.tensor(ma).reshape(2, 3).requires_grad_()
    bt = torch.tensor(mb).requires_grad_()
    out = fn(at, bt)
    w = torch.tensor(det(out.numel(), 0.9, 1.1, 1.0)).reshape(out.shape)
    ga, gb = torch.autograd.grad((out * w).sum(), [at, bt])
    cases.append({"op": op, "args": {}, "x": ma, "shape": [2, 3], "y": mb, "y_shape": [3], "out": flat(out),
                  "out_shape": list(out.shape), "w": flat(w), "grad": flat(ga), "grad_y": flat(gb)})

# ---------------------------------------------------------------- sort and topk (ties: stable order)
sx = [3.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 2.0, -1.0, 2.0, 0.0, -0.0]
for desc in (False, True):
    xt = torch.tensor(sx).reshape(2, 6).requires_grad_()
    vals, idx = torch.sort(xt, dim=1, descending=desc, stable=True)
    w = torch.tensor(det(vals.numel(), 0.9, 1.1, 1.0)).reshape(vals.shape)
    (g,) = torch.autograd.grad((vals * w).sum(), xt)
    cases.append({"op": "sort", "args": {"axis": 1, "descending": desc}, "x": sx, "shape": [2, 6], "out": flat(vals),
                  "out_shape": list(vals.shape), "indices": flat(idx.double()), "w": flat(w), "grad": flat(g)})
xt = torch.tensor(sx).reshape(2, 6).requires_grad_()
vals, idx = torch.sort(xt, dim=0, stable=True)
cases.append({"op": "sort", "args": {"axis": 0, "descending": False}, "x": sx, "shape": [2, 6], "out": flat(vals),
              "out_shape": list(vals.shape), "indices": flat(idx.double())})
tx = det(12, scale=3.0)      # distinct values: topk's order of ties is unspecified in PyTorch
xt = torch.tensor(tx).reshape(3, 4).requires_grad_()
vals, idx = torch.topk(xt, 2, dim=1)
w = torch.tensor(det(vals.numel(), 0.9, 1.1, 1.0)).reshape(vals.shape)
(g,) = torch.autograd.grad((vals * w).sum(), xt)
cases.append({"op": "topk", "args": {"k": 2, "axis": 1}, "x": tx, "shape": [3, 4], "out": flat(vals), "out_shape": list(vals.shape),
              "indices": flat(idx.double()), "w": flat(w), "grad": flat(g)})
xt = torch.tensor(tx).reshape(3, 4).requires_grad_()
vals, idx = torch.topk(xt, 3, dim=0)
cases.append({"op": "topk", "args": {"k": 3, "axis": 0}, "x": tx, "shape": [3, 4], "out": flat(vals), "out_shape": list(vals.shape),
              "indices": flat(idx.double())})

# ---------------------------------------------------------------- factories
factories = {
    "arange": [
        {"args": [5], "out": flat(torch.arange(5.0))},
        {"args": [2, 7], "out": flat(torch.arange(2.0, 7.0))},
        {"args": [0, 1, 0.1], "out": flat(torch.arange(0.0, 1.0, 0.1))},
        {"args": [1, 2.5, 0.5], "out": flat(torch.arange(1.0, 2.5, 0.5))},
        {"args": [1, 2.6, 0.5], "out": flat(torch.arange(1.0, 2.6, 0.5))},
        {"args": [5, -1, -1.5], "out": flat(torch.arange(5.0, -1.0, -1.5))},
        {"args": [-0.3, 0.31, 0.03], "out": flat(torch.arange(-0.3, 0.31, 0.03))},
    ],
    "linspace": [
        {"args": [0, 1, 7], "out": flat(torch.linspace(0.0, 1.0, 7))},
        {"args": [-2.5, 3.1, 10], "out": flat(torch.linspace(-2.5, 3.1, 10))},
        {"args": [3, -3, 4], "out": flat(torch.linspace(3.0, -3.0, 4))},
        {"args": [1.5, 9, 1], "out": flat(torch.linspace(1.5, 9.0, 1))},
        {"args": [0, 0.3, 11], "out": flat(torch.linspace(0.0, 0.3, 11))},
    ],
}

with open(OUT, "w") as fh:
    json.dump({"generator": "src/test/python/gen_math_fixtures.py", "torch": torch.__version__, "cases": cases,
               "factories": factories}, fh, indent=1)
    fh.write("\n")
print("wrote", len(cases), "cases to", os.path.normpath(OUT))
