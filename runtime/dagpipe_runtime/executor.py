"""The action loop of one device: walks the device's lowered action list in order, with one dispatch on the
action's kind (handlers are a plain dict the caller may replace entries of, as torch's
register_custom_function allows). Each step is labelled with the action's text form (profiler label and trace
event name); when a step raises, the device x step grid is logged with the failing step marked, then the error
propagates.

Receives are posted when their `recv` action comes and waited on by the compute step that needs them; sends
are posted at their `send` action and waited on at the end of the iteration.
"""

import sys
import time

import torch

from .comm import pack, unpack
from .grid import format_grid
from .optim import make_optimizer
from .stage import StageProgram


class ScheduleError(RuntimeError):
    """The action list asks for something impossible (compute before its input arrived, a receive never used)."""


class _Pending:
    """One posted receive: from (peer stage, peer device), samples [lo, hi) of the micro-batch."""

    def __init__(self, peer_stage, peer_device, lo, hi, ids, slots, works):
        self.peer_stage, self.peer_device, self.lo, self.hi = peer_stage, peer_device, lo, hi
        self.ids, self.slots, self.works = ids, slots, works

    def tensors(self):
        for w in self.works:
            w.wait()
        out = {}
        for ids_of_slot, buf, shapes in self.slots:
            for i, t in zip(ids_of_slot, unpack(buf, shapes)):
                out[i] = t
        return out


class _MicroBatch:
    def __init__(self):
        self.recv_act, self.recv_grad = [], []
        self.ext, self.outs, self.loss = {}, {}, None
        self.ext_grads = {}
        self.backward_tensors = None


class LocalStage:
    """One stage replica on this device: its program, its samples within a micro-batch, its optimizer."""

    def __init__(self, job, stage, device, registry):
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
        preds = [a for a, b in job.plan["stageEdges"] if b == self.id]
        succs = [b for a, b in job.plan["stageEdges"] if a == self.id]
        self.preds, self.succs = sorted(set(preds)), sorted(set(succs))
        self.keep = sorted({i for t in self.succs for i in job.transfer_ids(self.id, t)})


class Executor:
    def __init__(self, job, rank, comm, meter=None, registry=None, handlers=None, clock=time.perf_counter):
        self.job, self.rank, self.comm, self.meter, self.clock = job, rank, comm, meter, clock
        self.device = job.ranks[rank]
        self.actions = job.actions[self.device]
        self.labels = job.labels[self.device]
        self.stages = {
            s["id"]: LocalStage(job, s, self.device, registry) for s in job.plan["stages"] if self.device in s["devices"]
        }
        self.w_split = {(a["stage"], a["microBatch"]) for a in self.actions if a["kind"] == "W"}
        self.tie_groups = job.tie_groups()
        self.recomputed = {(a["stage"], a["microBatch"]) for a in self.actions if a["kind"] == "recompute"}
        self.handlers = {
            "F": self.on_forward,
            "B": self.on_backward,
            "W": self.on_weight_grad,
            "recompute": self.on_recompute,
            "send": self.on_send,
            "recv": self.on_recv,
            "allreduce": self.on_allreduce,
            "step": self.on_step,
        }
        if handlers:
            self.handlers.update(handlers)
        self.origin = 0.0
        self.events = []

    # ---- the loop -------------------------------------------------------------------------------------------
    def run_iteration(self, iteration: int):
        self.iteration = iteration
        self.mbs = {}
        self.sends = []
        self.loss_sum = None
        for step, action in enumerate(self.actions):
            label = self.labels[step]
            t0 = self.clock()
            try:
                with torch.autograd.profiler.record_function(label):
                    self.handlers[action["kind"]](action)
            except Exception:
                print(f"[rank {self.rank}] action failed at step {step} ({label}) of iteration {iteration}:", file=sys.stderr)
                print(format_grid(self.job.labels, self.device, step), file=sys.stderr)
                raise
            t1 = self.clock()
            self.events.append({"name": label, "kind": action["kind"], "it": iteration, "t0": t0 - self.origin, "t1": t1 - self.origin})
        for w, _ in self.sends:
            w.wait()
        self.sends = []
        leftovers = [k for k, m in self.mbs.items() if m.recv_act or m.recv_grad]
        if leftovers:
            raise ScheduleError(f"receives posted but never used for (stage, micro-batch) {sorted(leftovers)}")
        return self.loss_sum

    # ---- helpers ----------------------------------------------------------------------------------------------
    def _mb(self, stage_id, mb):
        key = (stage_id, mb)
        if key not in self.mbs:
            self.mbs[key] = _MicroBatch()
        return self.mbs[key]

    def _stage(self, action):
        sid = action["stage"]
        if sid not in self.stages:
            raise ScheduleError(f"stage {sid!r} is not on device {self.device}")
        return self.stages[sid]

    def _direction(self, action, st):
        """"act" or "grad": the action's own field, else inferred from the stage graph."""
        if action.get("tensor") in ("act", "grad"):
            return action["tensor"]
        peer = action["peerStage"]
        if action["kind"] == "send":
            return "act" if peer in st.succs else "grad"
        return "act" if peer in st.preds else "grad"

    def _message(self, st, action):
        """(from_stage, to_stage, lo, hi, ids) of what a send/recv action moves, lo/hi within the micro-batch."""
        peer_stage, peer = action["peerStage"], int(action["peer"])
        direction = self._direction(action, st)
        if direction == "act":
            if action["kind"] == "send":
                src, dst, sdev, ddev = st.id, peer_stage, self.device, peer
            else:
                src, dst, sdev, ddev = peer_stage, st.id, peer, self.device
            ids = self.job.transfer_ids(src, dst)
            lo, hi = self.job.transfer_range(src, dst, sdev, ddev)
        else:
            # gradients travel against the forward transfer src -> dst
            if action["kind"] == "send":
                src, dst, sdev, ddev = peer_stage, st.id, peer, self.device
            else:
                src, dst, sdev, ddev = st.id, peer_stage, self.device, peer
            carries = st.program.carries_grad
            ids = [i for i in self.job.transfer_ids(src, dst) if carries[i]]
            lo, hi = self.job.transfer_range(src, dst, sdev, ddev)
        return src, dst, lo, hi, ids, direction

    def _slots(self, ids, n):
        """Group ids by element type into one message each: slot 0 float, slot 1 int64."""
        slots = []
        for part, kind in enumerate(("float", "int64")):
            chosen = [i for i in ids if self.job.dtypes[i] == kind]
            if chosen:
                shapes = [(n, *self.job.graph.by_id[i].out_shape) for i in chosen]
                dtype = self.job.float_dtype if kind == "float" else torch.int64
                slots.append((part, chosen, shapes, dtype))
        return slots

    @staticmethod
    def _assemble(pieces, lo, hi, what):
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

    def _global_range(self, st, mb):
        base = mb * int(self.job.plan["microBatch"])
        return base + st.lo, base + st.hi

    def _forward(self, st, mb, m, grad: bool):
        lo, hi = self._global_range(st, mb)
        ctx = self.meter.hooks() if (self.meter and grad) else _null()
        with torch.set_grad_enabled(grad), ctx:
            outs, loss = st.program(m.ext, self.iteration, lo, hi, self.job.batch_samples, keep=st.keep)
        return outs, loss

    # ---- handlers ----------------------------------------------------------------------------------------------
    def on_recv(self, action):
        st = self._stage(action)
        src, dst, lo, hi, ids, direction = self._message(st, action)
        if hi <= lo or not ids:
            return
        m = self._mb(st.id, action["microBatch"])
        grad = direction == "grad"
        slots, works = [], []
        for part, chosen, shapes, dtype in self._slots(ids, hi - lo):
            n = sum(int(torch.Size(s).numel()) for s in shapes)
            buf = torch.empty(n, dtype=dtype, device=self.job.torch_device)
            tag = self.comm.tag(action["microBatch"], grad, src, dst, part)
            works.append(self.comm.irecv(buf, int(action["peer"]), tag))
            slots.append((chosen, buf, shapes))
        (m.recv_grad if grad else m.recv_act).append(
            _Pending(action["peerStage"], int(action["peer"]), lo, hi, ids, slots, works)
        )

    def on_send(self, action):
        st = self._stage(action)
        src, dst, lo, hi, ids, direction = self._message(st, action)
        if hi <= lo or not ids:
            return
        m = self._mb(st.id, action["microBatch"])
        grad = direction == "grad"
        source = m.ext_grads if grad else m.outs
        what = "gradients" if grad else "outputs"
        for part, chosen, _shapes, _dtype in self._slots(ids, hi - lo):
            tensors = []
            for i in chosen:
                if i not in source:
                    raise ScheduleError(f"send of {what} of {i!r} for micro-batch {action['microBatch']} before they exist")
                t = source[i]
                tensors.append(t.detach()[lo - st.lo : hi - st.lo])
            flat = pack(tensors).contiguous()
            tag = self.comm.tag(action["microBatch"], grad, src, dst, part)
            self.sends.append((self.comm.isend(flat, int(action["peer"]), tag), flat))

    def on_forward(self, action):
        st = self._stage(action)
        mb = action["microBatch"]
        m = self._mb(st.id, mb)
        pieces = {}
        for p in m.recv_act:
            for i, t in p.tensors().items():
                pieces.setdefault(i, []).append((p.lo, p.hi, t))
        m.recv_act = []
        for i, piece in self._local_pieces(st, mb, forward=True):
            pieces.setdefault(i, []).append(piece)
        ext = {}
        for i in st.program.external_inputs:
            if i not in pieces:
                raise ScheduleError(f"forward of stage {st.id} micro-batch {mb} before receiving input {i!r}")
            t = self._assemble(pieces[i], st.lo, st.hi, f"input {i!r} of stage {st.id} micro-batch {mb}").detach()
            if st.program.carries_grad[i]:
                t.requires_grad_(True)
            ext[i] = t
        m.ext = ext
        recompute = (st.id, mb) in self.recomputed
        m.outs, m.loss = self._forward(st, mb, m, grad=not recompute)
        if m.loss is not None:
            v = float(m.loss.detach())
            self.loss_sum = v if self.loss_sum is None else self.loss_sum + v
        if recompute:
            m.loss = None

    def on_recompute(self, action):
        st = self._stage(action)
        m = self._mb(st.id, action["microBatch"])
        m.outs, m.loss = self._forward(st, action["microBatch"], m, grad=True)

    def _local_pieces(self, st, mb, forward):
        """Hand-offs between two stages on this same device (no transfer in the schedule): forward, the
        outputs of local predecessors; backward, the input gradients of local successors (keyed by stage)."""
        out = []
        peers = st.preds if forward else st.succs
        for peer_id in peers:
            if peer_id not in self.stages:
                continue
            src, dst = (peer_id, st.id) if forward else (st.id, peer_id)
            rng = self.job.transfers.get((src, dst, self.device, self.device))
            if rng is None:
                continue
            lo, hi = rng
            peer = self.stages[peer_id]
            pm = self.mbs.get((peer_id, mb))
            ids = self.job.transfer_ids(src, dst)
            if forward:
                if pm is None or any(i not in pm.outs for i in ids):
                    raise ScheduleError(f"forward of stage {st.id} micro-batch {mb} before local stage {peer_id}'s")
                out += [(i, (lo, hi, pm.outs[i].detach()[lo - peer.lo : hi - peer.lo])) for i in ids]
            else:
                ids = [i for i in ids if st.program.carries_grad[i]]
                if ids and (pm is None or any(i not in pm.ext_grads for i in ids)):
                    raise ScheduleError(f"backward of stage {st.id} micro-batch {mb} before local stage {peer_id}'s")
                out += [((peer_id, i), (lo, hi, pm.ext_grads[i][lo - peer.lo : hi - peer.lo])) for i in ids]
        return out

    def _grads_from_successors(self, st, m, mb):
        by_stage = {}
        for p in m.recv_grad:
            for i, t in p.tensors().items():
                by_stage.setdefault((p.peer_stage, i), []).append((p.lo, p.hi, t))
        m.recv_grad = []
        for (peer_stage, i), piece in self._local_pieces(st, mb, forward=False):
            by_stage.setdefault((peer_stage, i), []).append(piece)
        grads = {}
        for (peer_stage, i), pieces in sorted(by_stage.items()):
            g = self._assemble(pieces, st.lo, st.hi, f"gradient of {i!r} from stage {peer_stage} micro-batch {mb}")
            grads[i] = g if i not in grads else grads[i] + g
        return grads

    def on_backward(self, action):
        st = self._stage(action)
        mb = action["microBatch"]
        m = self._mb(st.id, mb)
        grads = self._grads_from_successors(st, m, mb)
        tensors, grad_tensors = [], []
        if m.loss is not None:
            tensors.append(m.loss)
            grad_tensors.append(torch.ones_like(m.loss))
        for i in st.keep:
            if not st.program.carries_grad[i]:
                continue
            if i not in grads:
                raise ScheduleError(f"backward of stage {st.id} micro-batch {mb} before receiving the gradient of {i!r}")
            tensors.append(m.outs[i])
            grad_tensors.append(grads[i])
        leaves = [t for t in m.ext.values() if t.requires_grad]
        if tensors:
            if (st.id, mb) in self.w_split:
                if leaves:
                    torch.autograd.backward(tensors, grad_tensors, inputs=leaves, retain_graph=True)
                m.backward_tensors = (tensors, grad_tensors)
            else:
                torch.autograd.backward(tensors, grad_tensors)
        m.ext_grads = {i: (t.grad if t.grad is not None else torch.zeros_like(t)) for i, t in m.ext.items() if t.requires_grad}
        if (st.id, mb) not in self.w_split:
            m.outs, m.loss, m.ext = {}, None, {}

    def on_weight_grad(self, action):
        st = self._stage(action)
        m = self._mb(st.id, action["microBatch"])
        if m.backward_tensors is not None:
            params = [p for p in st.params if p.requires_grad]
            if params:
                tensors, grad_tensors = m.backward_tensors
                torch.autograd.backward(tensors, grad_tensors, inputs=params)
        m.backward_tensors, m.outs, m.loss, m.ext = None, {}, None, {}

    def on_allreduce(self, action):
        st = self._stage(action)
        if len(st.spec["devices"]) <= 1 or not st.params:
            return
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in st.params]
        flat = pack(grads).contiguous()
        self.comm.all_reduce_sum(flat, st.id)
        for p, g in zip(st.params, unpack(flat, [tuple(p.shape) for p in st.params])):
            if p.grad is not None:
                p.grad.copy_(g)

    def on_step(self, action):
        st = self._stage(action)
        self._sum_tied_grads(st)
        if st.optimizer is not None:
            st.optimizer.step()
            st.optimizer.zero_grad(set_to_none=True)


    def _sum_tied_grads(self, st):
        """Weights tied across stages: every copy gets the sum of all copies' gradients. Each replica holds its
        stage's full (data-parallel-reduced) gradient, so it contributes 1/replicas of it."""
        for owner, stage_ids in self.tie_groups:
            if st.id not in stage_ids:
                continue
            p = dict(st.program.named_op_parameters()).get(f"{owner}/" + _tied_name(self.job, owner))
            if p is None:
                raise ScheduleError(f"stage {st.id} holds no copy of the weight tied to {owner!r}")
            g = (p.grad if p.grad is not None else torch.zeros_like(p)) / len(st.spec["devices"])
            self.comm.all_reduce_tied(g, owner)
            p.grad = g


def _tied_name(job, owner):
    from .ops_dense import TIED_PARAM

    return TIED_PARAM[job.graph.by_id[owner].kind]


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
