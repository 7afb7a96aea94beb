"""`python -m dagpipe_runtime check-ops --graph G`: builds every op of a graph with the registry and checks it
against the IR: parameter count == op.params, and a forward of a 2-sample batch gives [2, *op.outShape].
Prints one JSON document. This is how the registry is kept in step with the op kinds of the zoo and importers."""

import json

import torch

from .data import synth_input, synth_targets
from .graph import int_upper_bound, load_graph, topological_order, value_dtypes
from .ops_dense import TIED_PARAM
from .ops_loss import target_spec
from .ops_registry import OpNotRunnable, build_op


def check_graph(doc, batch=2):
    g = load_graph(doc)
    dtypes = value_dtypes(g)
    values = {}
    mismatches, checked, not_runnable = [], 0, []
    mods = {}
    with torch.no_grad():
        for op in topological_order(g):
            if op.kind == "input":
                values[op.id] = synth_input(op, dtypes[op.id], int_upper_bound(g, op), 0, 0, 0, batch, torch.float32)
                continue
            if any(i not in values for i in op.inputs):
                continue
            try:
                mod = build_op(op, [g.by_id[i].out_shape for i in op.inputs])
            except OpNotRunnable as e:
                not_runnable.append({"id": op.id, "kind": op.kind, "why": str(e)})
                continue
            mods[op.id] = mod
            owner = op.attrs.get("tiedTo") if op.kind == "linear" else None
            if owner:
                if owner not in mods:
                    mismatches.append({"id": op.id, "kind": op.kind, "what": "tiedTo", "expected": "an earlier op", "got": owner})
                    continue
                mod.tie(mods[owner].get_parameter(TIED_PARAM[g.by_id[owner].kind]))
            n = sum(p.numel() for p in mod.parameters())
            if n != op.params:
                mismatches.append({"id": op.id, "kind": op.kind, "what": "params", "expected": op.params, "got": n})
            args = [values[i] for i in op.inputs]
            try:
                if op.kind == "loss":
                    spec = target_spec(op, g.by_id[op.inputs[0]].out_shape)
                    out = mod(args[0], synth_targets(op, spec, 0, 0, 0, batch, torch.float32)).reshape(1, 1).expand(batch, 1)
                else:
                    out = mod(*args)
            except Exception as e:
                mismatches.append({"id": op.id, "kind": op.kind, "what": "forward", "expected": "runs", "got": f"{type(e).__name__}: {e}"})
                continue
            want = [batch, *op.out_shape]
            if list(out.shape) != want:
                mismatches.append({"id": op.id, "kind": op.kind, "what": "outShape", "expected": want, "got": list(out.shape)})
            values[op.id] = out
            checked += 1
    return {"ops": len(g.ops), "checked": checked, "mismatches": mismatches, "notRunnable": not_runnable}


def run_check_ops(graph_paths):
    """One JSON line per graph file, in order."""
    bad = False
    for path in graph_paths:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        result = check_graph(doc)
        print(json.dumps({"graph": path, **result}), flush=True)
        bad = bad or bool(result["mismatches"] or result["notRunnable"])
    return 1 if bad else 0
