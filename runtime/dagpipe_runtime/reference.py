"""Plain single-process training of the whole graph: one forward of the whole batch, backward, optimizer
step — for PipeDream-2BW plans with 2BW's one-step-stale weights (the same update rule, without a pipeline).
Same init, data, loss scaling and optimizer as the pipelined executor, so the two must agree to rounding;
`compare_params` measures by how much."""

import os

import torch

from .optim import make_optimizer
from .stage import StageProgram
from .versions import WeightVersions


def train_reference(job, iterations=None, on_iteration=None):
    g = job.graph
    program = StageProgram(g, [op.id for op in g.ops], job.dtypes, int(job.run["seed"]), job.float_dtype, job.torch_device)
    opt = make_optimizer([p for _, p in program.named_op_parameters()], job.plan["optimizer"]["name"], float(job.run["lr"]))
    batch = job.batch_samples
    total = int(job.run["iterations"]) if iterations is None else iterations
    versions = WeightVersions(program) if job.no_flush else None
    losses = []
    for it in range(total):
        if versions is None:
            _, loss = program({}, it, 0, batch, batch)
            loss.backward()
        else:
            # PipeDream-2BW: iteration i's gradient is taken on version max(i-1, 0) and applied to the latest
            # version, creating version i+1.
            version = max(it - 1, 0)
            _, loss = versions.run(version, {}, it, 0, batch, batch)
            loss.backward()
            versions.collect_grads(version)
        if opt is not None:
            opt.step()
            opt.zero_grad(set_to_none=True)
        if versions is not None:
            versions.created(it + 1)
        losses.append(float(loss.detach()))
        if on_iteration:
            on_iteration(it, losses[-1])
    return losses, {name: p.detach().cpu() for name, p in program.named_op_parameters()}


def load_param_dumps(out_dir):
    """Every `params-rank-<r>.pt` a pipelined run wrote: [(rank, {name: tensor})]."""
    dumps = []
    for f in sorted(os.listdir(out_dir)):
        if f.startswith("params-rank-") and f.endswith(".pt"):
            rank = int(f[len("params-rank-") : -3])
            dumps.append((rank, torch.load(os.path.join(out_dir, f), map_location="cpu")))
    return dumps


def compare_params(reference: dict, dumps) -> dict:
    """Every dumped parameter against the reference: elementwise relative error |a - b| / max(|b|, 1e-12)
    (maxRelErr), and per tensor max|a - b| / max|b| (maxTensorRelErr, not inflated by entries near zero, e.g. a
    key bias whose exact gradient is 0). Every reference parameter must appear in some dump (data-parallel
    replicas are compared too)."""
    worst, worst_name, compared, elements, max_abs, max_tensor = 0.0, None, 0, 0, 0.0, 0.0
    seen = set()
    extra = []
    for rank, params in dumps:
        for name, t in params.items():
            if name not in reference:
                extra.append(name)
                continue
            ref = reference[name].to(torch.float64)
            got = t.to(torch.float64)
            if got.shape != ref.shape:
                return {"ok": False, "reason": f"shape of {name} on rank {rank}: {tuple(got.shape)} != {tuple(ref.shape)}"}
            rel = ((got - ref).abs() / ref.abs().clamp_min(1e-12)).max().item() if ref.numel() else 0.0
            diff = (got - ref).abs().max().item() if ref.numel() else 0.0
            max_abs = max(max_abs, diff)
            scale = ref.abs().max().item() if ref.numel() else 0.0
            max_tensor = max(max_tensor, diff / scale if scale > 0 else diff)
            if worst_name is None or rel > worst:
                worst, worst_name = rel, name
            seen.add(name)
            compared += 1
            elements += ref.numel()
    missing = sorted(set(reference) - seen)
    return {
        "ok": not missing and not extra,
        "maxRelErr": worst,
        "worst": worst_name,
        "maxAbsErr": max_abs,
        "maxTensorRelErr": max_tensor,
        "tensorsCompared": compared,
        "elementsCompared": elements,
        "referenceTensors": len(reference),
        "referenceElements": int(sum(t.numel() for t in reference.values())),
        "missing": missing[:20],
        "unexpected": extra[:20],
    }
