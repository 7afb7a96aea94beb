"""Parameter-free kinds: activations, elementwise arithmetic and shape ops.

Axes in attributes are per-sample (0 = the first dimension after the batch); negative axes count from the end.
"""

import torch
import torch.nn.functional as F
from torch import nn


def _batched_axis(axis: int) -> int:
    return axis + 1 if axis >= 0 else axis


class Fn(nn.Module):
    """A parameter-free function of its inputs; `name` is kept for error messages and profiler labels."""

    def __init__(self, name, fn):
        super().__init__()
        self.name, self.fn = name, fn

    def forward(self, *xs):
        return self.fn(*xs)


_ACTIVATIONS = {
    "relu": torch.relu,
    "gelu": F.gelu,
    "silu": F.silu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "identity": lambda x: x,
}


def build_activation(op, in_shapes):
    return Fn(op.kind, _ACTIVATIONS[op.kind])


def build_softmax(op, in_shapes):
    axis = _batched_axis(int(op.attrs.get("axis", -1)))
    return Fn("softmax", lambda x: torch.softmax(x, dim=axis))


def build_dropout(op, in_shapes):
    return nn.Dropout(float(op.attrs.get("p", 0.0)))


def _align(xs):
    """Per-sample numpy broadcasting: lower-rank inputs get size-1 dims right after the batch dim."""
    rank = max(x.dim() for x in xs)
    return [x.reshape(x.shape[0], *([1] * (rank - x.dim())), *x.shape[1:]) if x.dim() < rank else x for x in xs]


def _add(*xs):
    xs = _align(xs)
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def _mul(*xs):
    xs = _align(xs)
    out = xs[0]
    for x in xs[1:]:
        out = out * x
    return out


def build_add(op, in_shapes):
    return Fn("add", _add)


def build_mul(op, in_shapes):
    return Fn("mul", _mul)


def build_concat(op, in_shapes):
    axis = _batched_axis(int(op.attrs.get("axis", 0)))
    return Fn("concat", lambda *xs: torch.cat(xs, dim=axis))


def build_flatten(op, in_shapes):
    return Fn("flatten", lambda x: x.flatten(1))


def build_reshape(op, in_shapes):
    shape = tuple(int(s) for s in op.attrs["shape"])
    return Fn("reshape", lambda x: x.reshape(x.shape[0], *shape))


def build_transpose(op, in_shapes):
    perm = tuple(int(p) for p in op.attrs["perm"])
    rank = len(perm)
    dims = (0,) + tuple((p % rank) + 1 for p in perm)
    return Fn("transpose", lambda x: x.permute(*dims))


def build_slice(op, in_shapes):
    a = op.attrs
    rank = len(in_shapes[0])
    axis = int(a["axis"])
    axis = axis % rank if rank > 0 else 0
    start = int(a.get("start", 0))
    end = a.get("end")
    end = None if end is None else int(end)

    def fn(x):
        index = [slice(None)] * x.dim()
        index[axis + 1] = slice(start, end)
        return x[tuple(index)]

    return Fn("slice", fn)
