"""The op registry: one table from IR kind to a builder `(op, per-sample input shapes) -> nn.Module`.

The table is plain data built here, not filled by imports; callers may pass a copy with entries replaced
(`build_op(op, shapes, registry={**DEFAULT_REGISTRY, "attention": my_builder})`).
`input` has no module (its values are synthesized by data.py) and `opaque` cannot run.
"""

from . import ops_conv as conv
from . import ops_dense as dense
from . import ops_loss as loss
from . import ops_shape as shape

DEFAULT_REGISTRY = {
    "embedding": dense.build_embedding,
    "embedding-bag": dense.build_embedding_bag,
    "linear": dense.build_linear,
    "matmul": dense.build_matmul,
    "attention": dense.build_attention,
    "layernorm": dense.build_layernorm,
    "rmsnorm": dense.build_rmsnorm,
    "batchnorm": dense.build_batchnorm,
    "conv2d": conv.build_conv2d,
    "conv-transpose2d": conv.build_conv_transpose2d,
    "maxpool2d": conv.build_maxpool2d,
    "avgpool2d": conv.build_avgpool2d,
    "global-avgpool": conv.build_global_avgpool,
    "upsample": conv.build_upsample,
    "relu": shape.build_activation,
    "gelu": shape.build_activation,
    "silu": shape.build_activation,
    "sigmoid": shape.build_activation,
    "tanh": shape.build_activation,
    "identity": shape.build_activation,
    "softmax": shape.build_softmax,
    "dropout": shape.build_dropout,
    "add": shape.build_add,
    "mul": shape.build_mul,
    "concat": shape.build_concat,
    "flatten": shape.build_flatten,
    "reshape": shape.build_reshape,
    "transpose": shape.build_transpose,
    "slice": shape.build_slice,
    "loss": loss.build_loss,
}

# Kinds the registry deliberately leaves out, with the reason given to users.
NOT_BUILT = {
    "input": "inputs are synthesized from the seed, not built",
    "opaque": "an imported operator dagpipe does not know cannot be executed",
}


class OpNotRunnable(ValueError):
    pass


def build_op(op, in_shapes, registry=None):
    table = DEFAULT_REGISTRY if registry is None else registry
    builder = table.get(op.kind)
    if builder is None:
        why = NOT_BUILT.get(op.kind, "no builder registered for this kind")
        raise OpNotRunnable(f"op {op.id!r} of kind {op.kind!r}: {why}")
    return builder(op, [tuple(s) for s in in_shapes])
