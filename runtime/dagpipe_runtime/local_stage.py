"""The stage side of execution: one stage replica on this device (its program, its samples, its optimizer)
and the description of what it exchanges — which ops' outputs (or gradients) a send or receive carries,
which samples, packed into how many messages. The executor decides when; this module says what.
"""

import torch

from .comm import unpack
from .optim import make_optimizer
from .stage import StageProgram
from .versions import WeightVersions


class ScheduleError(RuntimeError):
    """The action list asks for something impossible (compute before its input arrived, a receive never used)."""


class ReceivePost:
    """One posted receive: from (peer stage, peer device), samples [lo, hi) of the micro-batch."""

    def __init__(self, peer_stage, peer_device, lo, hi, slots, works):
        self.peer_stage, self.peer_device, self.lo, self.hi = peer_stage, peer_device, lo, hi
        self.slots, self.works = slots, works

    def tensors(self):
        """Waits for the messages, then {op id: tensor of samples [lo, hi)}."""
        for w in self.works:
            w.wait()
        out = {}
        for ids_of_slot, buf, shapes in self.slots:
            for i, t in zip(ids_of_slot, unpack(buf, shapes)):
                out[i] = t
        return out


class MicroBatchState:
    """What one stage holds for one micro-batch between its actions."""

    def __init__(self):
        self.recv_act, self.recv_grad = [], []
        self.ext, self.outs, self.loss = {}, {}, None
        self.ext_grads = {}
        self.backward_tensors = None
        self.version = None


class Message:
    """What a send or receive action moves: `ids` (outputs of `src` that `dst` reads; for gradients only
    those a gradient flows through) for samples [lo, hi) of the micro-batch."""

    def __init__(self, src, dst, lo, hi, ids, grad):
        self.src, self.dst, self.lo, self.hi, self.ids, self.grad = src, dst, lo, hi, ids, grad

    @property
    def empty(self):
        return self.hi <= self.lo or not self.ids


class LocalStage:
    """One stage replica on this device: its program, its samples within a micro-batch, its optimizer."""

    def __init__(self, job, stage, device, registry):
        self.job, self.device = job, device
        self.id = stage["id"]
        self.spec = stage
        self.replica = list(stage["devices"]).index(device)
        ranges = job.replica_ranges.get(self.id)
        mb = int(job.plan["microBatch"])
        self.lo, self.hi = ranges[self.replica] if ranges else (0, mb)
        self.program = StageProgram(
            job.graph, stage["ops"], job.dtypes, int(job.run["seed"]), job.float_dtype, job.torch_device, registry
        )
        self.params = [p for _, p in self.program.named_op_parameters()]
        self.optimizer = make_optimizer(self.params, job.plan["optimizer"]["name"], float(job.run["lr"]))
        self.preds = sorted({a for a, b in job.plan["stageEdges"] if b == self.id})
        self.succs = sorted({b for a, b in job.plan["stageEdges"] if a == self.id})
        self.keep = sorted({i for t in self.succs for i in job.transfer_ids(self.id, t)})
        self.versions = WeightVersions(self.program) if job.no_flush else None

    def global_range(self, mb):
        """This replica's samples of micro-batch `mb`, as indices into its iteration's batch (micro-batches of
        a no-flush list are numbered over all its iterations)."""
        base = (mb % int(self.job.plan["microBatches"])) * int(self.job.plan["microBatch"])
        return base + self.lo, base + self.hi

    def direction(self, action):
        """"act" or "grad": the action's own field, else inferred from the stage graph."""
        if action.get("tensor") in ("act", "grad"):
            return action["tensor"]
        peer = action["peerStage"]
        if action["kind"] == "send":
            return "act" if peer in self.succs else "grad"
        return "act" if peer in self.preds else "grad"

    def message(self, action):
        peer_stage, peer = action["peerStage"], int(action["peer"])
        grad = self.direction(action) == "grad"
        sending = action["kind"] == "send"
        # Activations go src -> dst; gradients travel the same transfer backwards.
        if sending != grad:
            src, dst, sdev, ddev = self.id, peer_stage, self.device, peer
        else:
            src, dst, sdev, ddev = peer_stage, self.id, peer, self.device
        ids = self.job.transfer_ids(src, dst)
        if grad:
            ids = [i for i in ids if self.program.carries_grad[i]]
        lo, hi = self.job.transfer_range(src, dst, sdev, ddev)
        return Message(src, dst, lo, hi, ids, grad)

    def slots(self, ids, n):
        """Ids grouped by element type into one message each: (slot 0 float | 1 int64, ids, shapes, dtype)."""
        out = []
        for part, kind in enumerate(("float", "int64")):
            chosen = [i for i in ids if self.job.dtypes[i] == kind]
            if chosen:
                shapes = [(n, *self.job.graph.by_id[i].out_shape) for i in chosen]
                dtype = self.job.float_dtype if kind == "float" else torch.int64
                out.append((part, chosen, shapes, dtype))
        return out


def assemble(pieces, lo, hi, what):
    """Concatenate (lo, hi, tensor) pieces that must tile [lo, hi) exactly."""
    pieces = sorted(pieces, key=lambda p: p[0])
    at = lo
    for plo, phi, _ in pieces:
        if plo != at:
            raise ScheduleError(f"{what}: samples [{at}, {plo}) never received")
        at = phi
    if at != hi:
        raise ScheduleError(f"{what}: samples [{at}, {hi}) never received")
    return pieces[0][2] if len(pieces) == 1 else torch.cat([p[2] for p in pieces])
