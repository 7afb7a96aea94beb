"""Op kinds with weights over the last dimension: linear, matmul, attention, embeddings, normalizations.

Every module takes batched tensors (batch first, then the op's per-sample shape) and returns one tensor.
Parameter counts equal the IR's `params` exactly (checked by `python -m dagpipe_runtime check-ops`).
"""

import math

import torch
from torch import nn


def build_linear(op, in_shapes):
    a = op.attrs
    if a.get("tiedTo"):
        return TiedLinear(int(a["outFeatures"]), bool(a.get("bias", True)))
    return nn.Linear(int(a["inFeatures"]), int(a["outFeatures"]), bias=bool(a.get("bias", True)))


class TiedLinear(nn.Module):
    """A linear layer whose weight belongs to another op (`tiedTo`, e.g. the token embedding): only the bias
    is its own parameter. The weight is attached with `tie(param)` and kept outside the module's registered
    parameters, so it is counted (and optimized) once, by its owner."""

    def __init__(self, out_features, bias):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None
        self._weight = []

    def tie(self, weight):
        self._weight = [weight]

    def forward(self, x):
        if not self._weight:
            raise RuntimeError("tied linear used before its weight was attached")
        return torch.nn.functional.linear(x, self._weight[0], self.bias)


# Name of the parameter a `tiedTo` reference means, by the owner's kind.
TIED_PARAM = {"embedding": "table.weight", "embedding-bag": "weight", "linear": "weight"}


def tied_weight_shape(owner) -> tuple:
    """Shape of the owner's tied parameter: [rows, dim] of a table, [out, in] of a linear."""
    a = owner.attrs
    if owner.kind == "linear":
        return (int(a["outFeatures"]), int(a["inFeatures"]))
    return (int(a["numEmbeddings"]), int(a["embeddingDim"]))


class MatMul(nn.Module):
    def forward(self, a, b):
        return torch.matmul(a, b)


def build_matmul(op, in_shapes):
    return MatMul()


class Attention(nn.Module):
    """Self-attention with its Q, K, V and output projections; kvHeads < heads is grouped-query attention."""

    def __init__(self, hidden, heads, head_dim, kv_heads, causal, bias):
        super().__init__()
        self.heads, self.head_dim, self.kv_heads, self.causal = heads, head_dim, kv_heads, causal
        self.q = nn.Linear(hidden, heads * head_dim, bias=bias)
        self.k = nn.Linear(hidden, kv_heads * head_dim, bias=bias)
        self.v = nn.Linear(hidden, kv_heads * head_dim, bias=bias)
        self.o = nn.Linear(heads * head_dim, hidden, bias=bias)

    def forward(self, x):
        lead, seq = x.shape[:-2], x.shape[-2]
        q = self.q(x).reshape(*lead, seq, self.heads, self.head_dim).transpose(-2, -3)
        k = self.k(x).reshape(*lead, seq, self.kv_heads, self.head_dim).transpose(-2, -3)
        v = self.v(x).reshape(*lead, seq, self.kv_heads, self.head_dim).transpose(-2, -3)
        if self.kv_heads != self.heads:
            rep = self.heads // self.kv_heads
            k = k.repeat_interleave(rep, dim=-3)
            v = v.repeat_interleave(rep, dim=-3)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        if self.causal:
            mask = torch.ones(seq, seq, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(mask, float("-inf"))
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v)
        ctx = ctx.transpose(-2, -3).reshape(*lead, seq, self.heads * self.head_dim)
        return self.o(ctx)


def build_attention(op, in_shapes):
    a = op.attrs
    heads = int(a["heads"])
    head_dim = int(a.get("headDim", int(a["hidden"]) // heads))
    kv_heads = int(a.get("kvHeads", heads))
    if heads % kv_heads != 0:
        raise ValueError(f"attention {op.id}: heads {heads} not a multiple of kvHeads {kv_heads}")
    return Attention(int(a["hidden"]), heads, head_dim, kv_heads, bool(a.get("causal", False)), bool(a.get("bias", True)))


class Embedding(nn.Module):
    """Token table, plus a learned positional table added to the output when `positions` > 0."""

    def __init__(self, num, dim, positions):
        super().__init__()
        self.table = nn.Embedding(num, dim)
        self.pos = nn.Parameter(torch.zeros(positions, dim)) if positions > 0 else None

    def forward(self, ids):
        out = self.table(ids)
        if self.pos is not None:
            seq = ids.shape[-1]
            out = out + self.pos[:seq]
        return out


def build_embedding(op, in_shapes):
    a = op.attrs
    return Embedding(int(a["numEmbeddings"]), int(a["embeddingDim"]), int(a.get("positions", 0) or 0))


def build_embedding_bag(op, in_shapes):
    a = op.attrs
    return nn.EmbeddingBag(int(a["numEmbeddings"]), int(a["embeddingDim"]), mode=str(a.get("mode", "sum")))


def build_layernorm(op, in_shapes):
    a = op.attrs
    return nn.LayerNorm(int(a["features"]), eps=float(a.get("eps", 1e-5)))


class RMSNorm(nn.Module):
    def __init__(self, features, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(features))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def build_rmsnorm(op, in_shapes):
    a = op.attrs
    return RMSNorm(int(a["features"]), float(a.get("eps", 1e-6)))


def build_batchnorm(op, in_shapes):
    a = op.attrs
    features, eps = int(a["features"]), float(a.get("eps", 1e-5))
    momentum = float(a.get("momentum", 0.1))
    rank = len(in_shapes[0])
    if rank == 3:
        return nn.BatchNorm2d(features, eps=eps, momentum=momentum)
    if rank in (1, 2):
        return nn.BatchNorm1d(features, eps=eps, momentum=momentum)
    raise ValueError(f"batchnorm {op.id}: per-sample rank {rank} (expected 1, 2 or 3)")


