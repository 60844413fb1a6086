"""Reference values for Chainrule's einsum from PyTorch in float64.

For each spec: random inputs, the output, and the gradients of sum(output * seed) with respect to
every input (seed random, of the output's shape). Run with Debian's torch:

    /usr/bin/python3 autograd-core/src/test/python/gen_einsum_fixtures.py

It writes autograd-core/src/test/resources/fixtures/einsum.json (read by EinsumTest).
"""
import json
import os

import torch

CASES = [
    ("ij,jk->ik", [(3, 4), (4, 2)]),              # matrix product
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),     # batch matrix product
    ("ii->", [(4, 4)]),                           # trace
    ("ii->i", [(3, 3)]),                          # diagonal
    ("i,j->ij", [(3,), (4,)]),                    # outer product
    ("bi,ij,bj->b", [(3, 4), (4, 5), (3, 5)]),    # bilinear form per batch row
    ("ij->ji", [(2, 3)]),                         # transpose
    ("ij,ij->", [(3, 4), (3, 4)]),                # Frobenius inner product
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),  # attention scores
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),  # ellipsis broadcasting
    ("iij->j", [(3, 3, 2)]),                      # diagonal then sum
    ("ij,jk", [(2, 3), (3, 4)]),                  # implicit output
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),  # torch.nn.Bilinear
]


def tensor_json(t):
    return {"shape": list(t.shape), "data": t.detach().reshape(-1).tolist()}


def main():
    gen = torch.Generator().manual_seed(20240807)
    out = []
    for spec, shapes in CASES:
        xs = [torch.randn(tuple(s), generator=gen, dtype=torch.float64, requires_grad=True) for s in shapes]
        y = torch.einsum(spec, *xs)
        seed = torch.randn(tuple(y.shape), generator=gen, dtype=torch.float64)
        grads = torch.autograd.grad((y * seed).sum(), xs)
        out.append({
            "spec": spec,
            "inputs": [tensor_json(x) for x in xs],
            "seed": tensor_json(seed),
            "output": tensor_json(y),
            "grads": [tensor_json(g) for g in grads],
        })
    path = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "einsum.json")
    with open(os.path.normpath(path), "w") as f:    # one case per line: small diffs when a case changes
        f.write('{"generator": "src/test/python/gen_einsum_fixtures.py", "torch": %s, "cases": [\n' % json.dumps(torch.__version__))
        f.write(",\n".join(json.dumps(c) for c in out))
        f.write("\n]}\n")


if __name__ == "__main__":
    main()
