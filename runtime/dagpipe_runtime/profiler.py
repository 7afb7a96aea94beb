"""Per-op timing: `python -m dagpipe_runtime profile --graph G --out OUT [--device cpu|cuda] [--batches 1,2,4]`.

For every op and micro-batch size b: build the op (same registry and init as a run), feed it synthetic inputs
of b samples, time `warmup` untimed and `reps` timed forwards, and as many backwards (each after an untimed
forward), and keep the median of each. The backward computes what a run computes: gradients of the
parameters and of those inputs a gradient flows back through (never of token ids or raw data).
On CUDA every timed region ends with torch.cuda.synchronize(). `input` ops cost 0.

From each backward time the cost of an empty autograd call (measured once, same way) is subtracted: a
stage runs ONE backward call for all its ops, not one per op, so that fixed cost is not part of any op. The
result is never taken below the op's forward time (see the comment where it is computed).
Timer (`--timer`): on a CPU with one torch thread, this process's CPU time by default (robust to other jobs on
the machine; see pick_clock), else wall time.
Writes {"device", "threads", "dtype", "timer", "autogradCallSec", "ops": {id: {"points": [{microBatch, fwdSec,
bwdSec}]}}}.
"""

import json
import statistics
import time

import torch

from .data import TORCH_DTYPES, synth_input, synth_targets
from .graph import int_upper_bound, load_graph, topological_order, value_dtypes
from .init import init_op_params, initial_value
from .ops_dense import TIED_PARAM, tied_weight_shape
from .ops_loss import target_spec
from .ops_registry import OpNotRunnable, build_op
from .stage import grad_carriers


def _sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)


def _median_time(fn, warmup, reps, device, setup=None, clock=time.perf_counter):
    samples = []
    for i in range(warmup + reps):
        state = setup() if setup else None
        _sync(device)
        t0 = clock()
        fn(state)
        _sync(device)
        if i >= warmup:
            samples.append(clock() - t0)
    return statistics.median(samples)


def pick_clock(device, threads, timer="auto"):
    """Wall time, or this process's CPU time. CPU time equals wall time for single-threaded CPU work that is
    never descheduled, and unlike wall time it does not grow when other jobs share the cores: `auto` takes
    it on a CPU with one torch thread. (With more threads it would add up the threads' time.)"""
    if timer == "cpu" or (timer == "auto" and not str(device).startswith("cuda") and threads == 1):
        return "cpu", time.process_time
    return "wall", time.perf_counter


def _autograd_call_sec(warmup, reps, device, dtype, clock):
    x = torch.ones(1, device=device, dtype=dtype, requires_grad=True)

    def setup():
        return x * 1.0

    return _median_time(lambda y: torch.autograd.backward(y, torch.ones_like(y)), warmup, reps, device, setup, clock)


def profile_graph(doc, device="cpu", batches=(1, 2, 4), warmup=2, reps=5, dtype="float32", seed=0, log=None, timer="auto"):
    g = load_graph(doc)
    dtypes = value_dtypes(g)
    carries = grad_carriers(g, dtypes)
    fdtype = TORCH_DTYPES[dtype]
    timer_name, clock = pick_clock(device, torch.get_num_threads(), timer)
    call_sec = _autograd_call_sec(warmup, max(reps, 20), device, fdtype, clock)
    result = {"device": _device_name(device), "threads": torch.get_num_threads(), "dtype": dtype,
              "timer": timer_name, "autogradCallSec": call_sec, "ops": {}}
    order = topological_order(g)
    for n, op in enumerate(order):
        if op.kind == "input":
            result["ops"][op.id] = {"points": [{"microBatch": b, "fwdSec": 0.0, "bwdSec": 0.0} for b in batches]}
            continue
        try:
            mod = build_op(op, [g.by_id[i].out_shape for i in op.inputs])
        except OpNotRunnable:
            continue
        mod = mod.to(dtype=fdtype)
        init_op_params(mod, op, seed)
        mod = mod.to(device=device)
        owner_id = op.attrs.get("tiedTo") if op.kind == "linear" else None
        if owner_id:
            # The weight belongs to another op; the op still multiplies by it, so time it with a copy.
            owner = g.by_id[owner_id]
            weight = initial_value(owner, TIED_PARAM[owner.kind], tied_weight_shape(owner), seed)
            mod.tie(torch.nn.Parameter(weight.to(device=device, dtype=fdtype)))
        points = []
        for b in batches:
            args = []
            for i in op.inputs:
                src = g.by_id[i]
                if dtypes[i] == "int64":
                    args.append(synth_input(src, "int64", int_upper_bound(g, src), seed, 0, 0, b, fdtype, device))
                else:
                    t = torch.randn((b, *src.out_shape), device=device, dtype=fdtype)
                    args.append(t.requires_grad_(carries[i]))
            if op.kind == "loss":
                spec = target_spec(op, g.by_id[op.inputs[0]].out_shape)
                targets = synth_targets(op, spec, seed, 0, 0, b, fdtype, device)
                call = lambda _s, a=args, t=targets: mod(a[0], t)  # noqa: E731
            else:
                call = lambda _s, a=args: mod(*a)  # noqa: E731
            with torch.no_grad():
                fwd = _median_time(call, warmup, reps, device, clock=clock)
            probe = call(None)
            if probe.requires_grad:
                def bwd(out):
                    torch.autograd.backward(out, torch.ones_like(out))

                # Never below the op's forward: a backward that computes anything redoes at least that much
                # work (input gradients; weight gradients on top), while a tiny op's backward minus the empty
                # call's median can come out at or below 0 from timing noise alone.
                bwd_sec = max(fwd, _median_time(bwd, warmup, reps, device, lambda c=call: c(None), clock) - call_sec)
            else:
                bwd_sec = 0.0
            points.append({"microBatch": b, "fwdSec": fwd, "bwdSec": bwd_sec})
        result["ops"][op.id] = {"points": points}
        if log:
            log(n + 1, len(order), op.id)
    return result


def _device_name(device):
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(device)
    return "cpu"


def run_profile_command(args):
    from .events import emit

    torch.set_num_threads(int(args.threads))
    device = "cuda" if args.device == "cuda" else "cpu"
    if device == "cuda":
        if not torch.cuda.is_available():
            emit("error", message="--device cuda: torch.cuda.is_available() is False in this Python")
            return 1
        device = "cuda:0"
    with open(args.graph, encoding="utf-8") as f:
        doc = json.load(f)
    batches = tuple(int(x) for x in str(args.batches).split(",") if x.strip())
    result = profile_graph(
        doc, device, batches, args.warmup, args.reps, args.dtype,
        log=lambda done, total, op_id: emit("progress", done=done, total=total, op=op_id), timer=args.timer,
    )
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    emit("profiled", ops=len(result["ops"]), out=args.out)
    return 0
