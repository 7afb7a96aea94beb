"""A stage program: the torch modules of one stage's ops and how values enter and leave it.

The stage knows WHAT it computes and exchanges (its external inputs, which of its outputs each other stage
reads, which values carry gradients); the executor decides WHEN (executor.py). The single-process reference
is a stage program that holds every op.
"""

import torch
from torch import nn

from .data import synth_input, synth_targets
from .graph import int_upper_bound, topological_order
from .init import init_op_params, initial_value
from .ops_dense import TIED_PARAM, tied_weight_shape
from .ops_loss import target_spec
from .ops_registry import build_op


def grad_carriers(g, dtypes) -> dict:
    """op id -> True when the op's output depends on a parameter through float values (so a gradient flows
    back through it). Both ends of a transfer compute this from the graph, so they agree on what to send."""
    out = {}
    for op in topological_order(g):
        float_out = dtypes[op.id] == "float"
        own = op.params > 0 or bool(op.attrs.get("tiedTo"))
        out[op.id] = float_out and (own or any(out[i] for i in op.inputs))
    return out


class StageProgram(nn.Module):
    def __init__(self, g, op_ids, dtypes, seed, float_dtype, device="cpu", registry=None):
        super().__init__()
        wanted = set(op_ids)
        self.g, self.seed, self.float_dtype, self.device = g, seed, float_dtype, device
        self.dtypes = dtypes
        self.carries_grad = grad_carriers(g, dtypes)
        self.ops = [op for op in topological_order(g) if op.id in wanted]
        if len(self.ops) != len(wanted):
            missing = sorted(wanted - {op.id for op in self.ops})
            raise ValueError(f"stage names unknown ops: {missing}")
        self.mods = nn.ModuleDict()
        for op in self.ops:
            if op.kind == "input":
                continue
            shapes = [g.by_id[i].out_shape for i in op.inputs]
            # Cast before init, so every parameter is the float64 draw rounded once to the run's dtype.
            mod = build_op(op, shapes, registry).to(dtype=float_dtype)
            init_op_params(mod, op, seed)
            self.mods[self.key(op)] = mod
        # Weights tied to an op of another stage: this stage holds its own copy (same init, kept equal by the
        # executor, which sums the copies' gradients before each step); copies are named like the original.
        self.tied_copies = nn.ParameterDict()
        self.tied_names = {}
        for op in self.ops:
            owner_id = op.attrs.get("tiedTo") if op.kind == "linear" else None
            if not owner_id:
                continue
            owner = g.by_id[owner_id]
            pname = TIED_PARAM[owner.kind]
            if owner_id in wanted:
                weight = self.mods[self.key(owner)].get_parameter(pname)
            else:
                key = f"tied{owner.index}"
                if key not in self.tied_copies:
                    shape = tied_weight_shape(owner)
                    self.tied_copies[key] = nn.Parameter(initial_value(owner, pname, shape, seed).to(float_dtype))
                    self.tied_names[key] = f"{owner_id}/{pname}"
                weight = self.tied_copies[key]
            self.mods[self.key(op)].tie(weight)
        self.to(device=device, dtype=float_dtype)
        ext = {i for op in self.ops for i in op.inputs if i not in wanted}
        self.external_inputs = sorted(ext, key=lambda i: g.by_id[i].index)
        self.has_loss = any(op.kind == "loss" for op in self.ops)
        self._highs = {op.id: int_upper_bound(g, op) for op in self.ops if op.kind == "input"}

    @staticmethod
    def key(op) -> str:
        return f"op{op.index}"

    def outputs_for(self, other_op_ids) -> list:
        """Ids of this stage's ops that ops in `other_op_ids` read, in graph order: what one transfer carries."""
        other = set(other_op_ids)
        return [op.id for op in self.ops if any(c in other for c in self.g.consumers[op.id])]

    def forward(self, external: dict, iteration: int, lo: int, hi: int, batch_samples: int, keep=()):
        """Run the stage on iteration-global samples [lo, hi). `external` maps each external input id to its
        batched tensor. Returns ({id: tensor} for the ids in `keep`, loss or None); the loss is this shard's
        share of the whole batch's mean loss (summed over the stage's loss ops)."""
        values = dict(external)
        loss = None
        for op in self.ops:
            if op.kind == "input":
                values[op.id] = synth_input(
                    op, self.dtypes[op.id], self._highs[op.id], self.seed, iteration, lo, hi, self.float_dtype, self.device
                )
                continue
            mod = self.mods[self.key(op)]
            args = [values[i] for i in op.inputs]
            if op.kind == "loss":
                spec = target_spec(op, self.g.by_id[op.inputs[0]].out_shape)
                targets = synth_targets(op, spec, self.seed, iteration, lo, hi, self.float_dtype, self.device)
                part = mod(args[0], targets) / batch_samples
                loss = part if loss is None else loss + part
                values[op.id] = part.reshape(1)
            else:
                values[op.id] = mod(*args)
        return {k: values[k] for k in keep}, loss

    def named_op_parameters(self):
        """(\"<op id>/<param name>\", parameter) in graph order: names that mean the same in every process."""
        for op in self.ops:
            key = self.key(op)
            if key not in self.mods:
                continue
            for name, p in self.mods[key].named_parameters():
                yield f"{op.id}/{name}", p
        for key, p in self.tied_copies.items():
            yield self.tied_names[key], p

    def tied_copy(self, owner_id):
        """This stage's copy of a weight owned by another stage's op, or None."""
        for key, name in self.tied_names.items():
            if name.split("/", 1)[0] == owner_id:
                return self.tied_copies[key]
        return None
