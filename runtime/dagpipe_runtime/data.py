"""Synthetic training data: every sample is a function of (seed, op id, iteration, global sample index) only.

A data-parallel replica that owns samples [lo, hi) of a micro-batch therefore generates exactly its shard, and a
pipelined run sees the same batch as the single-process reference. Float inputs ~ N(0, 1); int64 inputs and
class targets ~ U{0 … high-1}; regression (mse) targets ~ N(0, 1).
"""

import torch

from .seeding import generator

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16, "float16": torch.float16}


def _samples(kind, shape, high, parts, lo, hi, float_dtype, device):
    rows = []
    for s in range(lo, hi):
        g = generator(*parts, s)
        if kind == "int64":
            rows.append(torch.randint(0, max(1, high), shape, generator=g, dtype=torch.int64))
        else:
            rows.append(torch.randn(shape, generator=g, dtype=torch.float64))
    out = torch.stack(rows) if rows else torch.zeros((0, *shape), dtype=torch.float64)
    if kind == "int64":
        return out.to(device=device, dtype=torch.int64)
    return out.to(device=device, dtype=float_dtype)


def synth_input(op, kind, high, seed, iteration, lo, hi, float_dtype, device="cpu"):
    """Samples [lo, hi) of the iteration's batch for an `input` op (kind "float" or "int64")."""
    return _samples(kind, tuple(op.out_shape), high, (seed, "data", op.id, iteration), lo, hi, float_dtype, device)


def synth_targets(op, spec, seed, iteration, lo, hi, float_dtype, device="cpu"):
    """Targets of a loss op for samples [lo, hi); `spec` comes from ops_loss.target_spec."""
    kind, shape, classes = spec
    return _samples(kind, shape, classes, (seed, "target", op.id, iteration), lo, hi, float_dtype, device)
