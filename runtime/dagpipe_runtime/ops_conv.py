"""Convolution, pooling and upsampling kinds. Per-sample shapes are [C, H, W]."""

import torch.nn.functional as F
from torch import nn


def _pair(v, default):
    if v is None:
        return (default, default)
    if isinstance(v, (list, tuple)):
        return tuple(int(x) for x in v) if len(v) == 2 else (int(v[0]), int(v[0]))
    return (int(v), int(v))


def build_conv2d(op, in_shapes):
    a = op.attrs
    return nn.Conv2d(
        int(a["inChannels"]),
        int(a["outChannels"]),
        _pair(a["kernel"], 1),
        stride=_pair(a.get("stride"), 1),
        padding=_pair(a.get("padding"), 0),
        dilation=_pair(a.get("dilation"), 1),
        groups=int(a.get("groups", 1)),
        bias=bool(a.get("bias", True)),
    )


def build_conv_transpose2d(op, in_shapes):
    a = op.attrs
    return nn.ConvTranspose2d(
        int(a["inChannels"]),
        int(a["outChannels"]),
        _pair(a["kernel"], 1),
        stride=_pair(a.get("stride"), 1),
        padding=_pair(a.get("padding"), 0),
        output_padding=_pair(a.get("outputPadding"), 0),
        groups=int(a.get("groups", 1)),
        bias=bool(a.get("bias", True)),
        dilation=_pair(a.get("dilation"), 1),
    )


class Pool2d(nn.Module):
    def __init__(self, kind, kernel, stride, padding, ceil_mode):
        super().__init__()
        self.kind, self.kernel, self.stride, self.padding, self.ceil_mode = kind, kernel, stride, padding, ceil_mode

    def forward(self, x):
        if self.kind == "max":
            return F.max_pool2d(x, self.kernel, self.stride, self.padding, ceil_mode=self.ceil_mode)
        return F.avg_pool2d(x, self.kernel, self.stride, self.padding, ceil_mode=self.ceil_mode)


def _build_pool(kind):
    def build(op, in_shapes):
        a = op.attrs
        kernel = _pair(a["kernel"], 1)
        stride = _pair(a.get("stride"), kernel[0]) if a.get("stride") is not None else kernel
        return Pool2d(kind, kernel, stride, _pair(a.get("padding"), 0), bool(a.get("ceilMode", False)))

    return build


build_maxpool2d = _build_pool("max")
build_avgpool2d = _build_pool("avg")


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return F.adaptive_avg_pool2d(x, 1)


def build_global_avgpool(op, in_shapes):
    return GlobalAvgPool()


class Upsample(nn.Module):
    def __init__(self, scale, mode):
        super().__init__()
        self.scale, self.mode = scale, mode

    def forward(self, x):
        if self.mode == "bilinear":
            return F.interpolate(x, scale_factor=self.scale, mode="bilinear", align_corners=False)
        return F.interpolate(x, scale_factor=self.scale, mode="nearest")


def build_upsample(op, in_shapes):
    a = op.attrs
    return Upsample(float(a.get("scale", 2)), str(a.get("mode", "nearest")))
