"""python -m dagpipe_runtime <command>: the entry points the TypeScript CLI spawns.

  probe [--full]                         JSON: interpreter, torch version (--full: CUDA/gloo/NCCL too)
  worker --job JOB                       one device of a plan (RANK, WORLD_SIZE, MASTER_ADDR/PORT from env)
  reference --job JOB [--compare DIR]    single-process training of the job's graph; compares parameter dumps
  profile --graph G --out OUT [...]      per-op forward/backward times
  check-ops --graph G [--graph G2 …]     builds every op, checks parameter counts and output shapes vs the IR
"""

import argparse
import json
import sys


def _probe(full):
    """Without --full, torch is located but not imported (importing it takes seconds on slow disks):
    the version comes from torch/version.py. --full imports it and reports CUDA, gloo and NCCL."""
    import importlib.util
    import os
    import re

    info = {"python": sys.executable, "version": sys.version.split()[0], "full": bool(full)}
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        info.update(torch=None, error="No module named 'torch'")
        print(json.dumps(info))
        return 0
    if not full:
        version = None
        try:
            with open(os.path.join(list(spec.submodule_search_locations)[0], "version.py"), encoding="utf-8") as f:
                m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", f.read())
                version = m.group(1) if m else None
        except OSError:
            pass
        info.update(torch=version or "unknown", cuda=None, cudaDevices=None, gloo=None, nccl=None)
        print(json.dumps(info))
        return 0
    try:
        import torch
        import torch.distributed as dist

        info.update(
            torch=torch.__version__,
            cuda=bool(torch.cuda.is_available()),
            cudaDevices=torch.cuda.device_count() if torch.cuda.is_available() else 0,
            gloo=bool(dist.is_available() and dist.is_gloo_available()),
            nccl=bool(dist.is_available() and dist.is_nccl_available()),
        )
    except Exception as e:  # torch missing or broken: the caller explains how to install it
        info.update(torch=None, error=f"{type(e).__name__}: {e}")
    print(json.dumps(info))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m dagpipe_runtime")
    sub = p.add_subparsers(dest="cmd", required=True)
    pb = sub.add_parser("probe")
    pb.add_argument("--full", action="store_true", help="import torch and report CUDA / gloo / NCCL")
    w = sub.add_parser("worker")
    w.add_argument("--job", required=True)
    r = sub.add_parser("reference")
    r.add_argument("--job", required=True)
    r.add_argument("--compare", help="directory with params-rank-*.pt dumps of a pipelined run")
    pr = sub.add_parser("profile")
    pr.add_argument("--graph", required=True)
    pr.add_argument("--out", required=True)
    pr.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    pr.add_argument("--batches", default="1,2,4")
    pr.add_argument("--warmup", type=int, default=2)
    pr.add_argument("--reps", type=int, default=5)
    pr.add_argument("--threads", type=int, default=1)
    pr.add_argument("--dtype", default="float32")
    pr.add_argument("--timer", default="auto", choices=["auto", "wall", "cpu"])
    c = sub.add_parser("check-ops")
    c.add_argument("--graph", required=True, action="append", help="graph JSON file (repeatable)")
    args = p.parse_args(argv)

    if args.cmd == "probe":
        return _probe(args.full)
    if args.cmd == "worker":
        from .worker import run_worker

        return run_worker(args.job)
    if args.cmd == "reference":
        from .cli_reference import run_reference_command

        return run_reference_command(args.job, args.compare)
    if args.cmd == "profile":
        from .profiler import run_profile_command

        return run_profile_command(args)
    if args.cmd == "check-ops":
        from .check_ops import run_check_ops

        return run_check_ops(args.graph)
    return 2


if __name__ == "__main__":
    sys.exit(main())
