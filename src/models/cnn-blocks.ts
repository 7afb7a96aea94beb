/** Convolution building blocks shared by the CNN models (torchvision conventions). */
import { path, type SpecList } from "./spec-list.js";

export interface ConvArgs {
  readonly inC: number;
  readonly outC: number;
  readonly k: number;
  readonly s?: number;
  readonly p?: number;
  readonly bias?: boolean;
}

export function conv(b: SpecList, id: string, x: string, a: ConvArgs): string {
  return b.op(id, "conv2d", [x], {
    inChannels: a.inC,
    outChannels: a.outC,
    kernel: [a.k, a.k],
    stride: [a.s ?? 1, a.s ?? 1],
    padding: [a.p ?? 0, a.p ?? 0],
    dilation: [1, 1],
    groups: 1,
    bias: a.bias ?? false,
  });
}

export function bn(b: SpecList, id: string, x: string, features: number, eps = 1e-5): string {
  return b.op(id, "batchnorm", [x], { features, eps, momentum: 0.1 });
}

/** conv (no bias) → batchnorm → relu (torchvision's BasicConv2d / ResNet stem). */
export function convBnRelu(b: SpecList, prefix: string, x: string, a: ConvArgs, eps = 1e-5): string {
  const c = conv(b, path(prefix, "conv"), x, { ...a, bias: false });
  const n = bn(b, path(prefix, "bn"), c, a.outC, eps);
  return b.op(path(prefix, "relu"), "relu", [n]);
}

export function maxpool(b: SpecList, id: string, x: string, k: number, s: number, p = 0, ceilMode = false): string {
  return b.op(id, "maxpool2d", [x], { kernel: [k, k], stride: [s, s], padding: [p, p], ceilMode });
}

/** global average pool → flatten → linear classifier → cross-entropy loss. */
export function classifierHead(b: SpecList, x: string, features: number, classes: number): void {
  const g = b.op("avgpool", "global-avgpool", [x]);
  const f = b.op("flatten", "flatten", [g]);
  const fc = b.op("fc", "linear", [f], { inFeatures: features, outFeatures: classes, bias: true });
  b.op("loss", "loss", [fc], { fn: "cross-entropy", classes });
}
