"""One worker process = one device of the plan: set up torch.distributed, build the device's stages, resume
if asked, run the iterations, checkpoint, report. Messages to the launcher go through events.emit."""

import json
import os
import sys
import time
import traceback

import torch
import torch.distributed as dist

from .checkpoint import load_checkpoint, save_checkpoint
from .comm import Comm, init_from_env, local_rank
from .events import emit
from .executor import Executor
from .job import load_job
from .memory import MemoryMeter
from .optim import state_bytes
from .reference import compare_params, load_param_dumps, train_reference


def _static_bytes(executor) -> int:
    total = 0
    for st in executor.stages.values():
        for p in st.params:
            total += p.numel() * p.element_size() * 2  # weights + gradients
        total += state_bytes(st.optimizer)
        if st.versions is not None:
            total += sum(t.numel() * t.element_size() for t in st.versions.tensors())
    return total


class _IterationMeter:
    """Time, CPU time and peak memory of one iteration on this rank, reported as an `iteration` message."""

    def __init__(self, job, executor, meter, rank, origin):
        self.job, self.executor, self.meter, self.rank, self.origin = job, executor, meter, rank, origin
        self.cuda = job.torch_device.startswith("cuda")

    def begin(self):
        if self.cuda:
            torch.cuda.reset_peak_memory_stats(self.job.torch_device)
        self.meter.reset_peak()
        self.t0 = time.perf_counter() - self.origin
        self.c0 = time.process_time()

    def end(self, it, loss):
        if self.cuda:
            torch.cuda.synchronize(self.job.torch_device)
            peak = torch.cuda.max_memory_allocated(self.job.torch_device)
        else:
            peak = _static_bytes(self.executor) + self.meter.peak_activation_bytes
        t1 = time.perf_counter() - self.origin
        # CPU time of this process: on a shared machine, wall time minus this shows how much it waited.
        cpu = time.process_time() - self.c0
        emit("iteration", rank=self.rank, iteration=it, loss=loss, startSec=self.t0, endSec=t1, cpuSec=cpu,
             peakMemBytes=peak, activationPeakBytes=self.meter.peak_activation_bytes)
        self.begin()


def _verify(job, executor, rank, comm):
    """Every rank dumps its parameters; then rank 0 trains the whole graph in one process (a fresh program,
    same seed) and compares the losses' source parameters with every dump."""
    params = {n: p.detach().cpu() for st in executor.stages.values() for n, p in st.program.named_op_parameters()}
    torch.save(params, os.path.join(job.out_dir, f"params-rank-{rank}.pt"))
    comm.barrier()
    if rank == 0:
        start = time.perf_counter()
        losses, ref = train_reference(job)
        emit("reference", losses=losses, params=compare_params(ref, load_param_dumps(job.out_dir)),
             sec=time.perf_counter() - start)


def run_worker(job_path: str) -> int:
    job = load_job(job_path)
    run = job.run
    rank = int(os.environ.get("RANK", "0"))
    try:
        torch.set_num_threads(int(run["threads"]))
        if run["device"] == "cuda":
            torch.cuda.set_device(local_rank())
            job.torch_device = f"cuda:{local_rank()}"
        rank, world = init_from_env(run["backend"], float(run["timeoutSec"]))
        if world != len(job.ranks):
            raise ValueError(f"WORLD_SIZE {world} but the plan has {len(job.ranks)} devices")
        pairs = ()
        if run.get("p2pGroups", "auto") == "directed" or (run.get("p2pGroups", "auto") == "auto" and run["backend"] == "nccl"):
            pairs = {(a, b) for (_, _, a, b) in job.transfers if a != b}
            pairs |= {(b, a) for (a, b) in pairs}
        comm = Comm(job.ranks, job.plan["stages"], job.stage_index, job.tie_groups(), pairs)
        executor = Executor(job, rank, comm)
        meter = MemoryMeter([p for st in executor.stages.values() for p in st.params]
                            + [t for st in executor.stages.values() if st.versions for t in st.versions.tensors()])
        executor.meter = meter
        start = 0
        if job.checkpoint and job.checkpoint.get("resume"):
            start = load_checkpoint(job, executor, rank)
        emit("ready", rank=rank, device=job.ranks[rank], pid=os.getpid(), startIteration=start,
             stages=sorted(executor.stages),
             directedGroups=len(comm.direction_groups))
        comm.barrier()
        origin = time.perf_counter()
        executor.origin = origin
        every = int(job.checkpoint.get("every", 0)) if job.checkpoint else 0
        measure = _IterationMeter(job, executor, meter, rank, origin)
        if job.no_flush:
            # One list holds every iteration; an iteration ends on this device with its step.
            executor.on_window_end = lambda it, loss: measure.end(it, loss)
            measure.begin()
            executor.run_iteration(0)
        for it in range(start, 0 if job.no_flush else int(run["iterations"])):
            if run["barrierEachIteration"]:
                comm.barrier()
            measure.begin()
            loss = executor.run_iteration(it)
            measure.end(it, loss)
            if every > 0 and (it + 1) % every == 0:
                save_checkpoint(job, executor, rank, it + 1, comm.barrier)
                emit("checkpoint", rank=rank, iteration=it + 1)
        comm.barrier()
        os.makedirs(job.out_dir, exist_ok=True)
        with open(os.path.join(job.out_dir, f"events-rank-{rank}.json"), "w", encoding="utf-8") as f:
            json.dump({"rank": rank, "device": job.ranks[rank], "events": executor.events}, f)
        if job.doc.get("verify"):
            _verify(job, executor, rank, comm)
        emit("done", rank=rank)
        dist.destroy_process_group()
        return 0
    except Exception as e:  # report, then fail: the launcher stops the other workers
        traceback.print_exc(file=sys.stderr)
        emit("error", rank=rank, message=f"{type(e).__name__}: {e}")
        return 1
