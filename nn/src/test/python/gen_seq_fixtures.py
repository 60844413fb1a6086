#!/usr/bin/python3
"""Reference values for Chainrule's embedding, recurrent and attention layers (SeqLayersFixturesTest)
from PyTorch's torch.nn modules, float64, with PyTorch's own random initial weights.

Each case stores the module's configuration, its state dict (names as PyTorch's, in order), the
inputs, the outputs and the gradients of the scalar loss sum over outputs k of sum(out_k * W_k)
(W stored too) with respect to every float input and every parameter. Modules are batch_first.

Run from the repository root (Debian's python3-torch):
    /usr/bin/python3 nn/src/test/python/gen_seq_fixtures.py
It rewrites nn/src/test/resources/fixtures/seq_layers.json.
"""
import json
import os

import torch

torch.manual_seed(20260901)
torch.set_default_dtype(torch.float64)
DT = torch.float64


def t(x):
    return {"shape": list(x.shape), "data": x.detach().reshape(-1).tolist()}


cases = []


def case(kind, name, module, config, inputs, fn):
    """inputs: name -> tensor (float inputs get gradients, integer ones are stored as doubles)."""
    module.eval()
    xs = {k: (v.clone().requires_grad_(True) if v.is_floating_point() else v) for k, v in inputs.items()}
    outs = fn(module, **xs)
    weights = {k: torch.rand(v.shape, dtype=DT) * 2 - 1 for k, v in outs.items()}
    loss = sum((outs[k] * weights[k]).sum() for k in outs)
    params = dict(module.named_parameters())
    wrt = [v for v in xs.values() if v.requires_grad] + list(params.values())
    grads = torch.autograd.grad(loss, wrt, allow_unused=True)
    names = [k for k, v in xs.items() if v.requires_grad] + list(params.keys())
    cases.append({
        "kind": kind, "name": name, "config": config,
        "state": [{"name": k, **t(v)} for k, v in module.state_dict().items()],
        "inputs": {k: t(v.to(DT)) for k, v in inputs.items()},
        "outputs": {k: t(v) for k, v in outs.items()},
        "weights": {k: t(v) for k, v in weights.items()},
        "grads": {n: t(g if g is not None else torch.zeros_like(w)) for n, g, w in zip(names, grads, wrt)},
    })


# ---------------------------------------------------------------- Embedding
emb = torch.nn.Embedding(7, 3)
case("Embedding", "embedding [2, 3] indices", emb, {"num": 7, "dim": 3},
     {"indices": torch.tensor([[0, 3, 3], [6, 1, 3]])}, lambda m, indices: {"output": m(indices)})
emb = torch.nn.Embedding(6, 4, padding_idx=2)
case("Embedding", "embedding with padding_idx=2", emb, {"num": 6, "dim": 4, "paddingIdx": 2},
     {"indices": torch.tensor([[2, 1, 2, 5], [0, 2, 4, 4]])}, lambda m, indices: {"output": m(indices)})


# ---------------------------------------------------------------- RNN, LSTM, GRU (multi-step)
def recurrent(kind, name, layers, bidirectional, with_state, batch=2, time=4, inp=3, hidden=4, bias=True, nonlinearity="tanh"):
    cls = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[kind]
    extra = {"nonlinearity": nonlinearity} if kind == "RNN" else {}
    m = cls(inp, hidden, num_layers=layers, bias=bias, batch_first=True, bidirectional=bidirectional, **extra)
    d = 2 if bidirectional else 1
    inputs = {"x": torch.randn(batch, time, inp)}
    if with_state:
        inputs["h0"] = torch.randn(layers * d, batch, hidden)
        if kind == "LSTM":
            inputs["c0"] = torch.randn(layers * d, batch, hidden)

    def fn(m, x, h0=None, c0=None):
        if kind == "LSTM":
            out, (h, c) = m(x, None if h0 is None else (h0, c0))
            return {"output": out, "h": h, "c": c}
        out, h = m(x, h0)
        return {"output": out, "h": h}

    config = {"input": inp, "hidden": hidden, "layers": layers, "bidirectional": bidirectional, "bias": bias,
              "nonlinearity": nonlinearity}
    case(kind, name, m, config, inputs, fn)


for kind in ("LSTM", "GRU", "RNN"):
    recurrent(kind, f"{kind} 1 layer, zero state", 1, False, False)
    recurrent(kind, f"{kind} 1 layer, initial state", 1, False, True)
    recurrent(kind, f"{kind} 2 layers, initial state", 2, False, True)
    recurrent(kind, f"{kind} 2 layers bidirectional, initial state", 2, True, True, time=3)
recurrent("RNN", "RNN relu, no bias", 1, False, True, bias=False, nonlinearity="relu")
recurrent("LSTM", "LSTM no bias, batch 1, time 1", 1, False, False, batch=1, time=1, bias=False)


# ---------------------------------------------------------------- cells
def cell(kind, name, with_state, batch=3, inp=3, hidden=4):
    cls = {"RNNCell": torch.nn.RNNCell, "LSTMCell": torch.nn.LSTMCell, "GRUCell": torch.nn.GRUCell}[kind]
    m = cls(inp, hidden)
    inputs = {"x": torch.randn(batch, inp)}
    if with_state:
        inputs["h0"] = torch.randn(batch, hidden)
        if kind == "LSTMCell":
            inputs["c0"] = torch.randn(batch, hidden)

    def fn(m, x, h0=None, c0=None):
        if kind == "LSTMCell":
            h, c = m(x, None if h0 is None else (h0, c0))
            return {"h": h, "c": c}
        return {"h": m(x, h0)}

    case(kind, name, m, {"input": inp, "hidden": hidden}, inputs, fn)


for kind in ("RNNCell", "LSTMCell", "GRUCell"):
    cell(kind, f"{kind} with state", True)
    cell(kind, f"{kind} zero state", False)


# ---------------------------------------------------------------- MultiheadAttention
def attention(name, e, heads, batch, l, s, self_attn, causal=False, padding=None, attn_mask=None, average=True, bias=True):
    m = torch.nn.MultiheadAttention(e, heads, bias=bias, batch_first=True)
    # PyTorch starts both biases at zero; random biases test that they are used
    with torch.no_grad():
        if bias:
            m.in_proj_bias.uniform_(-0.5, 0.5)
            m.out_proj.bias.uniform_(-0.5, 0.5)
    inputs = {"query": torch.randn(batch, l, e)}
    if not self_attn:
        inputs["key"] = torch.randn(batch, s, e)
        inputs["value"] = torch.randn(batch, s, e)
    mask = None
    if causal:
        mask = torch.ones(l, s, dtype=torch.bool).triu(1)
    if attn_mask is not None:
        inputs["attnMask"] = attn_mask
        mask = attn_mask if mask is None else (mask | attn_mask)
    if padding is not None:
        inputs["keyPaddingMask"] = padding

    def fn(m, query, key=None, value=None, attnMask=None, keyPaddingMask=None):
        k = query if key is None else key
        v = query if value is None else value
        out, w = m(query, k, v, attn_mask=mask, key_padding_mask=padding, need_weights=True, average_attn_weights=average)
        return {"output": out, "weights": w}

    config = {"embedDim": e, "numHeads": heads, "causal": causal, "average": average, "bias": bias, "selfAttention": self_attn}
    case("MultiheadAttention", name, m, config, inputs, fn)


attention("self-attention, 2 heads", 4, 2, 2, 3, 3, True)
attention("self-attention causal, 2 heads, per-head weights", 6, 2, 2, 4, 4, True, causal=True, average=False)
attention("cross-attention with key padding", 4, 2, 2, 3, 5, False,
          padding=torch.tensor([[False, False, False, True, True], [False, False, False, False, True]]))
attention("causal + key padding + attn mask [L, S], 1 head, no bias", 4, 1, 2, 4, 4, True, causal=True, bias=False,
          padding=torch.tensor([[False, False, False, True], [False, False, False, False]]),
          attn_mask=torch.tensor([[False, True, False, False]] * 4))
attention("per-head attn mask [B*h, L, S]", 4, 2, 2, 2, 3, False,
          attn_mask=torch.tensor([[[False, True, False], [False, False, True]],
                                  [[True, False, False], [False, False, False]],
                                  [[False, False, False], [False, True, True]],
                                  [[False, False, True], [True, False, False]]]))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "seq_layers.json")
with open(out, "w") as f:
    json.dump({"generator": "nn/src/test/python/gen_seq_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
