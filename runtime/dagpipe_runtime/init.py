"""Deterministic parameter init: every parameter is a function of (seed, op id, parameter name) only.

So a stage built in any process, alone or together with other stages, holds exactly the weights the
single-process reference holds. Values are drawn in float64 on the CPU, then cast to the run's dtype and device.
Rule: tensors of rank >= 2 ~ U(-1/sqrt(fan_in), +1/sqrt(fan_in)) with fan_in = numel / shape[0] (what torch's
defaults amount to for linear and conv); normalization weights = 1 and biases = 0; other biases ~ U(-0.05, 0.05).
"""

import math

import torch

from .seeding import generator

_NORM_KINDS = {"layernorm", "rmsnorm", "batchnorm"}


def init_op_params(module: torch.nn.Module, op, seed: int) -> None:
    with torch.no_grad():
        for name, p in sorted(module.named_parameters(), key=lambda kv: kv[0]):
            p.copy_(initial_value(op, name, tuple(p.shape), seed).to(dtype=p.dtype, device=p.device))


def initial_value(op, name: str, shape: tuple, seed: int) -> torch.Tensor:
    g = generator(seed, "param", op.id, name)
    if len(shape) >= 2:
        fan_in = max(1, math.prod(shape) // shape[0])
        bound = 1.0 / math.sqrt(fan_in)
        return (torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1) * bound
    if op.kind in _NORM_KINDS:
        return torch.ones(shape, dtype=torch.float64) if name.endswith("weight") else torch.zeros(shape, dtype=torch.float64)
    return (torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1) * 0.05
