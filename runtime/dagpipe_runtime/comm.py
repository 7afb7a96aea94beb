"""torch.distributed plumbing: the process group from torchrun-style environment variables, one sub-group per
data-parallel stage, message tags, and packing of several tensors into one message.

Rank r executes device `ranks[r]` of the plan. Environment: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT and
LOCAL_RANK (set by `dagpipe run` for local runs, by torchrun for multi-node runs).
"""

import datetime
import os

import torch
import torch.distributed as dist

MAX_TAG = 2**31 - 1


def init_from_env(backend: str, timeout_sec: float):
    rank = int(os.environ["RANK"])
    world = int(os.environ["WORLD_SIZE"])
    dist.init_process_group(
        backend=backend, init_method="env://", rank=rank, world_size=world,
        timeout=datetime.timedelta(seconds=timeout_sec),
    )
    return rank, world


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


class Comm:
    def __init__(self, ranks, stages, stage_index, tie_groups=(), directed_pairs=()):
        """`ranks[r]` = plan device of rank r; `stages` = plan stages (dicts); `tie_groups` = [(owner op,
        [stage ids])] of weights tied across stages. Every process must build the same sub-groups in the same
        order, which iterating over the plan's stages, then the tie groups, guarantees.

        `directed_pairs` (NCCL only): (from device, to device) pairs that exchange point-to-point messages.
        NCCL ignores tags and runs one communicator's operations in order, so activations one way and gradients
        the other way over a single pair communicator could wait on each other; each direction gets its own
        two-rank group (its own communicator and stream). Gloo matches messages by tag and needs none."""
        self.rank_of_device = {d: r for r, d in enumerate(ranks)}
        self.stage_index = stage_index
        self.n_stages = max(1, len(stages))
        self.groups = {}
        for s in stages:
            devs = list(s["devices"])
            if len(devs) > 1:
                group = dist.new_group(ranks=sorted(self.rank_of_device[d] for d in devs))
                self.groups[s["id"]] = group
        by_id = {s["id"]: s for s in stages}
        self.tie_groups = {}
        for owner, stage_ids in tie_groups:
            devs = sorted({self.rank_of_device[d] for sid in stage_ids for d in by_id[sid]["devices"]})
            self.tie_groups[owner] = dist.new_group(ranks=devs)
        self.direction_groups = {}
        for a, b in sorted(set(directed_pairs)):
            ra, rb = self.rank_of_device[a], self.rank_of_device[b]
            self.direction_groups[(ra, rb)] = dist.new_group(ranks=sorted((ra, rb)))

    def tag(self, micro_batch: int, grad: bool, from_stage: str, to_stage: str, part: int) -> int:
        """Distinct for every message of one iteration between two ranks (`part` = dtype slot 0/1)."""
        s, t, n = self.stage_index[from_stage], self.stage_index[to_stage], self.n_stages
        return ((((micro_batch * 2 + int(grad)) * n + s) * n + t) * 2 + part) % MAX_TAG

    def isend(self, tensor, peer_device, tag):
        dst = self.rank_of_device[peer_device]
        group = self.direction_groups.get((dist.get_rank(), dst))
        return dist.isend(tensor, dst=dst, tag=tag, group=group)

    def irecv(self, tensor, peer_device, tag):
        src = self.rank_of_device[peer_device]
        group = self.direction_groups.get((src, dist.get_rank()))
        return dist.irecv(tensor, src=src, tag=tag, group=group)

    def all_reduce_sum(self, tensor, stage_id):
        group = self.groups.get(stage_id)
        if group is not None:
            dist.all_reduce(tensor, op=dist.ReduceOp.SUM, group=group)

    def all_reduce_tied(self, tensor, owner):
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM, group=self.tie_groups[owner])

    def barrier(self):
        dist.barrier()


def pack(tensors):
    """Flatten same-dtype tensors into one contiguous message."""
    return torch.cat([t.reshape(-1) for t in tensors]) if len(tensors) > 1 else tensors[0].reshape(-1).contiguous()


def unpack(flat, shapes):
    out, at = [], 0
    for shape in shapes:
        n = 1
        for s in shape:
            n *= s
        out.append(flat[at : at + n].reshape(shape))
        at += n
    return out
