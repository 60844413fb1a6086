#!/usr/bin/python3
"""Reference values for Chainrule's convolution, pooling and normalization primitives
(ConvFixturesTest) from PyTorch's functional API, float64.

Each case stores the inputs, the op's parameters, the forward output and the gradients of the
scalar loss sum(output * W) (W stored too) with respect to every input that takes a gradient.
Batch-norm cases in training mode also store the running statistics after the call.

Run from the repository root (Debian's python3-torch):
    /usr/bin/python3 autograd-core/src/test/python/gen_conv_fixtures.py
It rewrites autograd-core/src/test/resources/fixtures/conv.json.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240909)
DT = torch.float64


def t(x):
    return {"shape": list(x.shape), "data": x.detach().reshape(-1).tolist()}


def randn(*shape):
    return torch.randn(*shape, dtype=DT)


cases = []


def case(op, name, inputs, fn, params, extra=None):
    xs = {k: v.clone().requires_grad_(True) for k, v in inputs.items() if v is not None}
    out = fn(**xs)
    w = torch.rand(out.shape, dtype=DT) * 2 - 1
    (out * w).sum().backward()
    c = {"op": op, "name": name, "params": params,
         "inputs": {k: t(v) for k, v in inputs.items() if v is not None},
         "output": t(out), "weight": t(w),
         "grads": {k: t(v.grad) for k, v in xs.items()}}
    if extra is not None:
        c["extra"] = {k: t(v) for k, v in extra.items()}
    cases.append(c)


# ---------------------------------------------------------------- convolution

def conv(name, x, w, b, stride, padding, dilation, groups):
    d = w.dim() - 2
    f = F.conv1d if d == 1 else F.conv2d
    case("conv", name, {"x": x, "w": w, "b": b},
         lambda x, w, b=None: f(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups),
         {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups})


conv("conv1d basic", randn(2, 3, 7), randn(4, 3, 3), randn(4), [1], [0], [1], 1)
conv("conv1d stride 2 pad 1 dilation 2", randn(2, 3, 9), randn(4, 3, 3), randn(4), [2], [1], [2], 1)
conv("conv1d groups 3 no bias", randn(2, 6, 8), randn(6, 2, 3), None, [1], [2], [1], 3)
conv("conv1d unbatched", randn(3, 6), randn(2, 3, 2), randn(2), [1], [1], [1], 1)
conv("conv2d basic", randn(2, 3, 6, 5), randn(4, 3, 3, 2), randn(4), [1, 1], [0, 0], [1, 1], 1)
conv("conv2d stride (2,1) pad (1,2) dilation (1,2)", randn(2, 2, 7, 8), randn(3, 2, 3, 3), randn(3), [2, 1], [1, 2], [1, 2], 1)
conv("conv2d groups 2 stride 2 pad 1", randn(2, 4, 7, 6), randn(6, 2, 3, 3), randn(6), [2, 2], [1, 1], [1, 1], 2)
conv("conv2d depthwise pad 1", randn(1, 4, 5, 5), randn(4, 1, 3, 3), None, [1, 1], [1, 1], [1, 1], 4)
conv("conv2d dilation 2 no bias", randn(2, 2, 8, 7), randn(2, 2, 2, 3), None, [1, 1], [0, 1], [2, 2], 1)
conv("conv2d 1x1 stride 3", randn(3, 5, 7, 7), randn(2, 5, 1, 1), randn(2), [3, 3], [0, 0], [1, 1], 1)
conv("conv2d unbatched", randn(2, 5, 4), randn(3, 2, 2, 2), randn(3), [1, 1], [1, 1], [1, 1], 1)


def conv_t(name, x, w, b, stride, padding, output_padding, dilation, groups):
    d = w.dim() - 2
    f = F.conv_transpose1d if d == 1 else F.conv_transpose2d
    case("convTranspose", name, {"x": x, "w": w, "b": b},
         lambda x, w, b=None: f(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                                groups=groups, dilation=dilation),
         {"stride": stride, "padding": padding, "outputPadding": output_padding, "dilation": dilation, "groups": groups})


conv_t("convTranspose1d stride 2 output padding 1", randn(2, 3, 5), randn(3, 2, 3), randn(2), [2], [1], [1], [1], 1)
conv_t("convTranspose2d stride 2 pad 1", randn(2, 4, 4, 3), randn(4, 3, 3, 3), randn(3), [2, 2], [1, 1], [1, 0], [1, 1], 1)
conv_t("convTranspose2d groups 2 dilation 2", randn(1, 4, 3, 4), randn(4, 1, 2, 3), None, [1, 2], [0, 1], [0, 1], [2, 2], 2)

# ---------------------------------------------------------------- unfold / fold

case("unfold", "unfold kernel (2,3) dilation (1,2) padding 1 stride (2,1)", {"x": randn(2, 3, 5, 6)},
     lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
     {"kernel": [2, 3], "dilation": [1, 2], "padding": [1], "stride": [2, 1]})
case("fold", "fold output (5,6) kernel (2,3) dilation (1,2) padding 1 stride (2,1)", {"x": randn(2, 18, 12)},
     lambda x: F.fold(x, (5, 6), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
     {"outputSize": [5, 6], "kernel": [2, 3], "dilation": [1, 2], "padding": [1], "stride": [2, 1]})

# ---------------------------------------------------------------- pooling


def max_pool(name, x, kernel, stride, padding, dilation):
    f = F.max_pool1d if len(kernel) == 1 else F.max_pool2d
    case("maxPool", name, {"x": x}, lambda x: f(x, kernel, stride, padding, dilation),
         {"kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation})


max_pool("maxPool2d 2x2", randn(2, 3, 6, 5), [2, 2], [2, 2], [0, 0], [1, 1])
max_pool("maxPool2d 3x3 stride 2 pad 1", randn(2, 2, 7, 6), [3, 3], [2, 2], [1, 1], [1, 1])
max_pool("maxPool2d (2,3) stride (1,2) dilation (2,1)", randn(1, 2, 7, 8), [2, 3], [1, 2], [0, 1], [2, 1])
max_pool("maxPool2d ties go to the first maximum", torch.randint(0, 2, (2, 2, 5, 5)).to(DT), [3, 3], [1, 1], [1, 1], [1, 1])
max_pool("maxPool2d all negative with padding", -torch.rand(1, 2, 4, 4, dtype=DT) - 1, [3, 3], [2, 2], [1, 1], [1, 1])
max_pool("maxPool1d 3 stride 2 pad 1", randn(2, 3, 9), [3], [2], [1], [1])
max_pool("maxPool1d ties", torch.randint(0, 2, (2, 2, 8)).to(DT), [2], [1], [0], [1])


def avg_pool(name, x, kernel, stride, padding, include):
    if len(kernel) == 1:
        fn = lambda x: F.avg_pool1d(x, kernel, stride, padding, count_include_pad=include)
    else:
        fn = lambda x: F.avg_pool2d(x, kernel, stride, padding, count_include_pad=include)
    case("avgPool", name, {"x": x}, fn, {"kernel": kernel, "stride": stride, "padding": padding, "countIncludePad": include})


avg_pool("avgPool2d 2x2", randn(2, 3, 6, 5), [2, 2], [2, 2], [0, 0], True)
avg_pool("avgPool2d 3x3 stride 2 pad 1 include pad", randn(2, 2, 7, 6), [3, 3], [2, 2], [1, 1], True)
avg_pool("avgPool2d 3x3 stride 2 pad 1 exclude pad", randn(2, 2, 7, 6), [3, 3], [2, 2], [1, 1], False)
avg_pool("avgPool2d (2,3) stride (1,2) pad (1,1)", randn(1, 2, 5, 7), [2, 3], [1, 2], [1, 1], True)
avg_pool("avgPool1d 3 stride 2 pad 1", randn(2, 3, 9), [3], [2], [1], True)


def adaptive(name, x, out):
    f = F.adaptive_avg_pool1d if len(out) == 1 else F.adaptive_avg_pool2d
    case("adaptiveAvgPool", name, {"x": x}, lambda x: f(x, out), {"outputSize": out})


adaptive("adaptiveAvgPool2d 1x1", randn(2, 3, 5, 4), [1, 1])
adaptive("adaptiveAvgPool2d (3,2) from (7,5)", randn(2, 2, 7, 5), [3, 2])
adaptive("adaptiveAvgPool2d (4,6) from (5,4): larger than the input", randn(1, 2, 5, 4), [4, 6])
adaptive("adaptiveAvgPool1d 3 from 8", randn(2, 3, 8), [3])

# ---------------------------------------------------------------- normalization


def batch_norm(name, x, c, affine, training, momentum, eps, running=True):
    rm = randn(c) * 0.5 if running else None
    rv = torch.rand(c, dtype=DT) + 0.5 if running else None
    w = randn(c) if affine else None
    b = randn(c) if affine else None
    rm2 = rm.clone() if running else None
    rv2 = rv.clone() if running else None
    inputs = {"x": x, "weight": w, "bias": b}
    stats = {"runningMean": rm, "runningVar": rv} if running else {}

    def fn(x, weight=None, bias=None):
        return F.batch_norm(x, rm2, rv2, weight, bias, training=training, momentum=momentum, eps=eps)

    case("batchNorm", name, inputs, fn, {"training": training, "momentum": momentum, "eps": eps},
         extra=dict(stats, **({"runningMeanAfter": rm2, "runningVarAfter": rv2} if running else {})))


batch_norm("batchNorm 2-D input [N, C] training", randn(6, 4) * 2 + 1, 4, True, True, 0.1, 1e-5)
batch_norm("batchNorm [N, C, L] training momentum 0.3", randn(4, 3, 5), 3, True, True, 0.3, 1e-5)
batch_norm("batchNorm [N, C, H, W] training", randn(3, 2, 4, 4) * 3 - 2, 2, True, True, 0.1, 1e-5)
batch_norm("batchNorm [N, C, H, W] training no affine no running stats", randn(3, 2, 3, 3), 2, False, True, 0.1, 1e-3, running=False)
batch_norm("batchNorm [N, C, H, W] eval", randn(3, 2, 4, 4), 2, True, False, 0.1, 1e-5)
batch_norm("batchNorm [N, C] eval no affine", randn(5, 3), 3, False, False, 0.1, 1e-5)


def layer_norm(name, x, shape, affine, eps):
    w = randn(*shape) if affine else None
    b = randn(*shape) if affine else None
    case("layerNorm", name, {"x": x, "weight": w, "bias": b},
         lambda x, weight=None, bias=None: F.layer_norm(x, shape, weight, bias, eps),
         {"normalizedShape": shape, "eps": eps})


layer_norm("layerNorm last axis", randn(3, 4, 5) * 2 + 3, [5], True, 1e-5)
layer_norm("layerNorm last two axes", randn(2, 3, 4), [3, 4], True, 1e-5)
layer_norm("layerNorm no affine", randn(4, 6), [6], False, 1e-3)

out = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "conv.json")
with open(out, "w") as f:
    json.dump({"generator": "autograd-core/src/test/python/gen_conv_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
