#!/usr/bin/python3
"""Reference values for Chainrule's convolution, pooling and normalization layers (ConvLayersFixturesTest)
from PyTorch's nn modules, float64, with the modules' own (seeded) initial weights stored so that the Java
layers can be given the same ones.

Each case is a sequence of calls of one module: for each call the mode (train/eval), the input, the
output, the weight W of the loss sum(output * W), the gradients of that loss with respect to the
input and every parameter, and the module's buffers (running statistics) after the call.

Run from the repository root (Debian's python3-torch):
    /usr/bin/python3 nn/src/test/python/gen_conv_fixtures.py
It rewrites nn/src/test/resources/fixtures/conv_layers.json.
"""
import json
import os

import torch
import torch.nn as nn

torch.manual_seed(20240910)
DT = torch.float64


def t(x):
    return {"shape": list(x.shape), "data": x.detach().reshape(-1).tolist()}


cases = []


def case(layer, name, module, config, inputs, modes=None):
    module = module.to(DT)
    params = {k: t(v) for k, v in module.named_parameters()}
    buffers0 = {k: t(v) for k, v in module.named_buffers() if v.dtype == DT}
    calls = []
    for i, x in enumerate(inputs):
        mode = "train" if modes is None else modes[i]
        module.train(mode == "train")
        for p in module.parameters():
            p.grad = None
        xi = x.clone().requires_grad_(True)
        out = module(xi)
        w = torch.rand(out.shape, dtype=DT) * 2 - 1
        (out * w).sum().backward()
        grads = {"input": t(xi.grad)}
        grads.update({k: t(v.grad) for k, v in module.named_parameters()})
        calls.append({"mode": mode, "input": t(x), "output": t(out), "weight": t(w), "grads": grads,
                      "buffers": {k: t(v) for k, v in module.named_buffers() if v.dtype == DT},
                      "numBatchesTracked": int(module.num_batches_tracked) if getattr(module, "num_batches_tracked", None) is not None else 0})
    cases.append({"layer": layer, "name": name, "config": config, "parameters": params, "initialBuffers": buffers0,
                  "calls": calls})


def randn(*shape):
    return torch.randn(*shape, dtype=DT)


# ---------------------------------------------------------------- convolution layers

case("Conv2d", "Conv2d(3, 4, 3) default init", nn.Conv2d(3, 4, 3),
     {"in": 3, "out": 4, "kernel": [3], "stride": [1], "padding": [0], "dilation": [1], "groups": 1, "bias": True},
     [randn(2, 3, 6, 5)])
case("Conv2d", "Conv2d(4, 6, (3, 2), stride 2, padding (1, 0), groups 2)", nn.Conv2d(4, 6, (3, 2), stride=2, padding=(1, 0), groups=2),
     {"in": 4, "out": 6, "kernel": [3, 2], "stride": [2], "padding": [1, 0], "dilation": [1], "groups": 2, "bias": True},
     [randn(2, 4, 7, 6)])
case("Conv2d", "Conv2d(2, 3, 3, dilation 2, padding 2, no bias)", nn.Conv2d(2, 3, 3, dilation=2, padding=2, bias=False),
     {"in": 2, "out": 3, "kernel": [3], "stride": [1], "padding": [2], "dilation": [2], "groups": 1, "bias": False},
     [randn(1, 2, 6, 7)])
case("Conv1d", "Conv1d(3, 5, 3, padding 1)", nn.Conv1d(3, 5, 3, padding=1),
     {"in": 3, "out": 5, "kernel": [3], "stride": [1], "padding": [1], "dilation": [1], "groups": 1, "bias": True},
     [randn(2, 3, 8)])
case("Conv1d", "Conv1d(4, 4, 2, stride 2, dilation 3, groups 4)", nn.Conv1d(4, 4, 2, stride=2, dilation=3, groups=4),
     {"in": 4, "out": 4, "kernel": [2], "stride": [2], "padding": [0], "dilation": [3], "groups": 4, "bias": True},
     [randn(2, 4, 11)])

# ---------------------------------------------------------------- pooling layers

case("MaxPool2d", "MaxPool2d(2)", nn.MaxPool2d(2), {"kernel": [2], "stride": None, "padding": [0], "dilation": [1]}, [randn(2, 3, 6, 5)])
case("MaxPool2d", "MaxPool2d(3, stride 2, padding 1)", nn.MaxPool2d(3, 2, 1),
     {"kernel": [3], "stride": [2], "padding": [1], "dilation": [1]}, [randn(2, 2, 7, 7)])
case("MaxPool1d", "MaxPool1d(3, stride 1, padding 1, dilation 2)", nn.MaxPool1d(3, 1, 1, dilation=2),
     {"kernel": [3], "stride": [1], "padding": [1], "dilation": [2]}, [randn(2, 3, 9)])
case("AvgPool2d", "AvgPool2d(3, stride 2, padding 1)", nn.AvgPool2d(3, 2, 1),
     {"kernel": [3], "stride": [2], "padding": [1], "countIncludePad": True}, [randn(2, 2, 7, 6)])
case("AvgPool2d", "AvgPool2d(2, count_include_pad False, padding 1)", nn.AvgPool2d(2, 2, 1, count_include_pad=False),
     {"kernel": [2], "stride": [2], "padding": [1], "countIncludePad": False}, [randn(1, 2, 5, 5)])
case("AvgPool1d", "AvgPool1d(2)", nn.AvgPool1d(2), {"kernel": [2], "stride": None, "padding": [0], "countIncludePad": True},
     [randn(2, 3, 7)])
case("AdaptiveAvgPool2d", "AdaptiveAvgPool2d(1)", nn.AdaptiveAvgPool2d(1), {"output": [1, 1]}, [randn(2, 3, 5, 4)])
case("AdaptiveAvgPool2d", "AdaptiveAvgPool2d((3, 2))", nn.AdaptiveAvgPool2d((3, 2)), {"output": [3, 2]}, [randn(2, 2, 7, 5)])
case("Flatten", "Flatten()", nn.Flatten(), {"start": 1, "end": -1}, [randn(2, 3, 2, 2)])
case("Flatten", "Flatten(0, 1)", nn.Flatten(0, 1), {"start": 0, "end": 1}, [randn(2, 3, 4)])

# ---------------------------------------------------------------- normalization layers: several steps, then eval


def bn(layer, name, module, config, shape, steps=3):
    # perturb the affine parameters so that the gradients depend on them
    with torch.no_grad():
        if module.affine:
            module.weight.copy_(torch.rand(module.num_features, dtype=DT) + 0.5)
            module.bias.copy_(randn(module.num_features) * 0.1)
    xs = [randn(*shape) * (1 + k) + k for k in range(steps)] + [randn(*shape)]
    modes = ["train"] * steps + ["eval"]
    case(layer, name, module, config, xs, modes)


bn("BatchNorm2d", "BatchNorm2d(3) three training steps then eval", nn.BatchNorm2d(3).to(DT),
   {"features": 3, "eps": 1e-5, "momentum": 0.1, "affine": True, "track": True}, (4, 3, 3, 3))
bn("BatchNorm2d", "BatchNorm2d(2, momentum 0.3, eps 1e-3)", nn.BatchNorm2d(2, eps=1e-3, momentum=0.3).to(DT),
   {"features": 2, "eps": 1e-3, "momentum": 0.3, "affine": True, "track": True}, (3, 2, 2, 4))
bn("BatchNorm2d", "BatchNorm2d(2, momentum None: cumulative average, no affine)", nn.BatchNorm2d(2, momentum=None, affine=False).to(DT),
   {"features": 2, "eps": 1e-5, "momentum": None, "affine": False, "track": True}, (3, 2, 2, 2))
bn("BatchNorm2d", "BatchNorm2d(2, track_running_stats False)", nn.BatchNorm2d(2, track_running_stats=False).to(DT),
   {"features": 2, "eps": 1e-5, "momentum": 0.1, "affine": True, "track": False}, (3, 2, 2, 2), steps=1)
bn("BatchNorm1d", "BatchNorm1d(4) on [N, C]", nn.BatchNorm1d(4).to(DT),
   {"features": 4, "eps": 1e-5, "momentum": 0.1, "affine": True, "track": True}, (6, 4))
bn("BatchNorm1d", "BatchNorm1d(3) on [N, C, L]", nn.BatchNorm1d(3).to(DT),
   {"features": 3, "eps": 1e-5, "momentum": 0.1, "affine": True, "track": True}, (2, 3, 5))


def ln(name, shape, x, eps=1e-5, affine=True):
    m = nn.LayerNorm(shape, eps=eps, elementwise_affine=affine).to(DT)
    with torch.no_grad():
        if affine:
            m.weight.copy_(torch.rand(*shape, dtype=DT) + 0.5)
            m.bias.copy_(randn(*shape) * 0.1)
    case("LayerNorm", name, m, {"shape": list(shape), "eps": eps, "affine": affine}, [x])


ln("LayerNorm(5)", [5], randn(3, 4, 5) * 2 + 1)
ln("LayerNorm((3, 4))", [3, 4], randn(2, 3, 4))
ln("LayerNorm(6, eps 1e-3, no affine)", [6], randn(4, 6), eps=1e-3, affine=False)

out = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "conv_layers.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"generator": "nn/src/test/python/gen_conv_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
