#!/usr/bin/python3
"""Dev-time only: export the ONNX fixtures of test/fixtures/onnx/ with Debian's torch 1.13 (CPU).

Run with Debian's interpreter (the `python3` first on PATH has no torch):

    /usr/bin/python3 scripts/export-onnx-fixtures.py [out_dir]

Every model is exported in *training* mode without constant folding, so BatchNormalization and Dropout stay
as nodes (an eval export folds BN into Conv and changes the parameter count). Weights are then stripped:
every tensor with more than STRIP_OVER elements loses its data but keeps dims and data type, which is all
the importer needs (sizes, not values). Small tensors stay, because shapes are computed from them (Reshape
targets, Slice bounds). The files are committed, so CI needs neither torch nor onnx.

`expected.json` records, per fixture, what torch itself says: the trainable parameter count, and the
multiply-adds of Conv/Linear layers per sample counted with forward hooks (a cross-check for the published
MACs that the tests pin). `onnx-shapes.json` records, per fixture, every tensor shape that ONNX's own
shape inference (onnx 1.12) finds on the unstripped file: the reference the TypeScript inference is
tested against.
"""
import io
import json
import os
import sys
import warnings

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from onnx import TensorProto, helper

STRIP_OVER = 64
OPSET = 14

warnings.filterwarnings("ignore")


def count_macs(model, example):
    """Multiply-adds of Conv2d and Linear layers for one forward pass of `example` (whole batch)."""
    total = [0]

    def conv_hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1] * (mod.in_channels // mod.groups)
        total[0] += out.numel() * k

    def linear_hook(mod, inp, out):
        total[0] += out.numel() * mod.in_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    model.eval()
    with torch.no_grad():
        model(*example) if isinstance(example, tuple) else model(example)
    for h in hooks:
        h.remove()
    return total[0]


def export(model, example, opset=OPSET, dynamic_batch=False, input_names=None):
    model.train()
    names = input_names or ["input"]
    dynamic_axes = {n: {0: "batch"} for n in names} if dynamic_batch else None
    if dynamic_axes is not None:
        dynamic_axes["output"] = {0: "batch"}
    f = io.BytesIO()
    torch.onnx.export(
        model,
        example,
        f,
        training=torch.onnx.TrainingMode.TRAINING,
        do_constant_folding=False,
        opset_version=opset,
        input_names=names,
        output_names=["output"],
        dynamic_axes=dynamic_axes,
    )
    return onnx.load_from_string(f.getvalue())


def tensor_numel(t):
    n = 1
    for d in t.dims:
        n *= d
    return n


def strip_tensor(t):
    if tensor_numel(t) <= STRIP_OVER:
        return
    for field in ("raw_data", "float_data", "int32_data", "int64_data", "double_data", "uint64_data"):
        t.ClearField(field)


def strip_weights(model):
    for t in model.graph.initializer:
        strip_tensor(t)
    for node in model.graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                strip_tensor(a.t)
    entry = model.metadata_props.add()
    entry.key = "dagpipe.stripped"
    entry.value = f"data of tensors over {STRIP_OVER} elements removed; dims and data types kept"
    return model


def params_of(model):
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------- small models the project defines


class TinyMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(32, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class BranchCnn(nn.Module):
    """Two parallel conv branches concatenated: the multi-branch shape in miniature."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.a = nn.Conv2d(8, 8, 1)
        self.b1 = nn.Conv2d(8, 4, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.b2 = nn.Conv2d(4, 8, 3, stride=1, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 8 * 8, 10)
        self.drop = nn.Dropout(0.0)

    def forward(self, x):
        x = F.relu(self.stem(x))
        a = F.relu(self.a(x))
        b = self.b2(F.relu(self.bn(self.b1(x))))
        y = self.pool(torch.cat([a, b], dim=1))
        return self.fc(self.drop(torch.flatten(y, 1)))


class TinyGpt(nn.Module):
    """GPT-2 style: token + learned positions, pre-LN blocks with causal attention written out, GELU MLP."""

    def __init__(self, vocab=100, seq=16, hidden=32, heads=4, layers=2):
        super().__init__()
        self.heads = heads
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(seq, hidden)
        self.blocks = nn.ModuleList()
        for _ in range(layers):
            self.blocks.append(
                nn.ModuleDict(
                    {
                        "ln1": nn.LayerNorm(hidden),
                        "qkv": nn.Linear(hidden, 3 * hidden),
                        "proj": nn.Linear(hidden, hidden),
                        "ln2": nn.LayerNorm(hidden),
                        "fc": nn.Linear(hidden, 4 * hidden),
                        "out": nn.Linear(4 * hidden, hidden),
                    }
                )
            )
        self.lnf = nn.LayerNorm(hidden)
        self.head = nn.Linear(hidden, vocab, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(seq, seq, dtype=torch.bool)))

    def forward(self, ids):
        b, t = ids.shape
        pos = torch.arange(t, device=ids.device)
        x = self.tok(ids) + self.pos(pos)
        for blk in self.blocks:
            h = blk["ln1"](x)
            q, k, v = blk["qkv"](h).split(x.shape[-1], dim=-1)
            hd = x.shape[-1] // self.heads
            q = q.view(b, t, self.heads, hd).transpose(1, 2)
            k = k.view(b, t, self.heads, hd).transpose(1, 2)
            v = v.view(b, t, self.heads, hd).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) / (hd**0.5)
            att = att.masked_fill(~self.mask[:t, :t], float("-inf"))
            y = F.softmax(att, dim=-1) @ v
            y = y.transpose(1, 2).reshape(b, t, x.shape[-1])
            x = x + blk["proj"](y)
            x = x + blk["out"](F.gelu(blk["fc"](blk["ln2"](x))))
        return self.head(self.lnf(x))


class RmsNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class TinyLlama(nn.Module):
    """Llama-style: RMSNorm written out as HF does, grouped-query attention (4 heads, 2 KV heads), SwiGLU MLP,
    no biases, untied head. No rotary embedding: its cos/sin tables are float buffers that ONNX stores like
    weights (the importer would count them as parameters)."""

    def __init__(self, vocab=100, seq=16, hidden=32, heads=4, kv_heads=2, ffn=64, layers=2):
        super().__init__()
        self.heads, self.kv_heads, self.hd = heads, kv_heads, hidden // heads
        self.tok = nn.Embedding(vocab, hidden)
        self.blocks = nn.ModuleList()
        for _ in range(layers):
            self.blocks.append(
                nn.ModuleDict(
                    {
                        "attn_norm": RmsNorm(hidden),
                        "q": nn.Linear(hidden, heads * self.hd, bias=False),
                        "k": nn.Linear(hidden, kv_heads * self.hd, bias=False),
                        "v": nn.Linear(hidden, kv_heads * self.hd, bias=False),
                        "o": nn.Linear(heads * self.hd, hidden, bias=False),
                        "mlp_norm": RmsNorm(hidden),
                        "gate": nn.Linear(hidden, ffn, bias=False),
                        "up": nn.Linear(hidden, ffn, bias=False),
                        "down": nn.Linear(ffn, hidden, bias=False),
                    }
                )
            )
        self.norm = RmsNorm(hidden)
        self.head = nn.Linear(hidden, vocab, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(seq, seq, dtype=torch.bool)))

    def forward(self, ids):
        b, t = ids.shape
        x = self.tok(ids)
        rep = self.heads // self.kv_heads
        for blk in self.blocks:
            h = blk["attn_norm"](x)
            q = blk["q"](h).view(b, t, self.heads, self.hd).transpose(1, 2)
            k = blk["k"](h).view(b, t, self.kv_heads, self.hd).transpose(1, 2).repeat_interleave(rep, dim=1)
            v = blk["v"](h).view(b, t, self.kv_heads, self.hd).transpose(1, 2).repeat_interleave(rep, dim=1)
            att = (q @ k.transpose(-2, -1)) / (self.hd**0.5)
            att = att.masked_fill(~self.mask[:t, :t], float("-inf"))
            y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(b, t, -1)
            x = x + blk["o"](y)
            h = blk["mlp_norm"](x)
            x = x + blk["down"](F.silu(blk["gate"](h)) * blk["up"](h))
        return self.head(self.norm(x))


class TinyEncoder(nn.Module):
    """torch's own TransformerEncoder (batch_first), as users export it: MHA's fused in-projection."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(32, 4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(32, 5)

    def forward(self, x):
        return self.head(self.enc(x))


# ---------------------------------------------------------------- hand-edited variants


def with_custom_op(model):
    """Inserts an operator no one knows (domain com.example) after the first Relu: it must be kept as opaque."""
    g = model.graph
    for i, node in enumerate(g.node):
        if node.op_type == "Relu":
            out = node.output[0]
            node.output[0] = out + "_pre"
            custom = helper.make_node("FancyNorm", [out + "_pre"], [out], name="fancy0", domain="com.example")
            g.node.insert(i + 1, custom)
            break
    model.opset_import.append(helper.make_opsetid("com.example", 1))
    return model


def weights_as_constants(model):
    """Moves every initializer into a Constant node, as paddle2onnx writes its files (0 initializers)."""
    g = model.graph
    consts = []
    for t in g.initializer:
        consts.append(helper.make_node("Constant", [], [t.name], value=t, name="const_" + t.name))
    init_names = {t.name for t in g.initializer}
    del g.initializer[:]
    kept_inputs = [i for i in g.input if i.name not in init_names]
    del g.input[:]
    g.input.extend(kept_inputs)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(consts + nodes)
    return model


def with_shapes(model):
    """Runs ONNX's own shape inference, so the file carries value_info (the importer cross-checks them)."""
    return onnx.shape_inference.infer_shapes(model)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "onnx")
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    expected = {}

    shapes = {}

    def save(name, model_proto, torch_model, example, batch, published=None, note=None):
        inferred = onnx.shape_inference.infer_shapes(model_proto)
        known = {}
        for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
            dims = vi.type.tensor_type.shape.dim
            # Symbolic dims (dynamic batch) are kept as their symbol.
            if vi.type.tensor_type.HasField("shape"):
                known[vi.name] = [d.dim_value if d.HasField("dim_value") else d.dim_param for d in dims]
        shapes[name] = known
        strip_weights(model_proto)
        path = os.path.join(out_dir, name + ".onnx")
        onnx.save(model_proto, path)
        entry = {
            "params": params_of(torch_model),
            "convLinearMacsPerSample": count_macs(torch_model, example) // batch,
            "batch": batch,
            "opset": [o.version for o in model_proto.opset_import if o.domain in ("", "ai.onnx")][0],
            "nodes": len(model_proto.graph.node),
            "bytes": os.path.getsize(path),
        }
        if published:
            entry["published"] = published
        if note:
            entry["note"] = note
        expected[name] = entry
        print(name, entry)

    tv = torchvision.models
    # The three real CNNs: torchvision's definitions, random weights (values are stripped anyway).
    torch.manual_seed(0)  # each model from the same seed, so adding one changes no other file
    resnet = tv.resnet18(weights=None)
    x = torch.randn(1, 3, 224, 224)
    save("resnet18", export(resnet, x), resnet, x, 1,
         {"params": 11689512, "macs": 1.81e9, "source": "torchvision 0.14 model docs (ResNet18_Weights.IMAGENET1K_V1)"})
    torch.manual_seed(0)  # each model from the same seed, so adding one changes no other file
    mobilenet = tv.mobilenet_v2(weights=None)
    save("mobilenet_v2", export(mobilenet, x), mobilenet, x, 1,
         {"params": 3504872, "macs": 0.30e9, "source": "torchvision 0.14 model docs (MobileNet_V2_Weights.IMAGENET1K_V1)"})
    torch.manual_seed(0)  # each model from the same seed, so adding one changes no other file
    googlenet = tv.googlenet(weights=None, aux_logits=False, init_weights=False)
    save("googlenet", export(googlenet, x), googlenet, x, 1,
         {"params": 6624904, "macs": 1.50e9, "source": "torchvision 0.14 model docs (GoogLeNet_Weights.IMAGENET1K_V1)"})

    torch.manual_seed(0)  # each model from the same seed, so adding one changes no other file
    mlp = TinyMlp()
    xm = torch.randn(1, 32)
    save("tiny-mlp", export(mlp, xm), mlp, xm, 1)
    save("tiny-mlp-dynamic-batch", export(mlp, xm, dynamic_batch=True), mlp, xm, 1, note="symbolic batch dim")
    save("tiny-mlp-constants", weights_as_constants(export(mlp, xm)), mlp, xm, 1, note="weights as Constant nodes")
    save("tiny-mlp-custom-op", with_custom_op(export(mlp, xm)), mlp, xm, 1, note="FancyNorm (com.example) after Relu")

    torch.manual_seed(0)  # each model from the same seed, so adding one changes no other file
    cnn = BranchCnn()
    xc1 = torch.randn(1, 3, 16, 16)
    xc4 = torch.randn(4, 3, 16, 16)
    save("branch-cnn", export(cnn, xc1), cnn, xc1, 1)
    save("branch-cnn-batch4", export(cnn, xc4), cnn, xc4, 4, note="batch 4 baked into the file")
    save("branch-cnn-shapes", with_shapes(export(cnn, xc1)), cnn, xc1, 1, note="value_info from onnx.shape_inference")

    torch.manual_seed(0)  # each model from the same seed, so adding one changes no other file
    gpt = TinyGpt()
    ids = torch.randint(0, 100, (1, 16))
    save("tiny-gpt", export(gpt, ids, input_names=["ids"]), gpt, ids, 1)
    ids2 = torch.randint(0, 100, (2, 16))
    save("tiny-gpt-batch2-opset17", export(gpt, ids2, opset=17, input_names=["ids"]), gpt, ids2, 2,
         note="opset 17: LayerNormalization as one node")
    save("tiny-gpt-dynamic-batch", export(gpt, ids, dynamic_batch=True, input_names=["ids"]), gpt, ids, 1,
         note="symbolic batch: Shape/Gather/Concat chains feed Reshape")

    torch.manual_seed(0)  # each model from the same seed, so adding one changes no other file
    llama = TinyLlama()
    save("tiny-llama", export(llama, ids, input_names=["ids"]), llama, ids, 1, note="RMSNorm, GQA, SwiGLU written out")

    torch.manual_seed(0)  # each model from the same seed, so adding one changes no other file
    enc = TinyEncoder()
    xe = torch.randn(1, 16, 32)
    save("tiny-encoder", export(enc, xe), enc, xe, 1, note="nn.TransformerEncoder, batch_first")

    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(out_dir, "onnx-shapes.json"), "w") as f:
        json.dump(shapes, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
