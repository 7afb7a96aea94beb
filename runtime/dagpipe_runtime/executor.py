"""The action loop of one device: walks the device's lowered action list in order, with one dispatch on the
action's kind (handlers are a plain dict the caller may replace entries of, as torch's
register_custom_function allows). Each step is labelled with the action's text form (profiler label and trace
event name); when a step raises, the device x step grid is logged with the failing step marked, then the error
propagates.

Receives are posted when their `recv` action comes and waited on by the compute step that needs them; sends
are posted at their `send` action and waited on at the end of the iteration.
"""

import contextlib
import sys
import time

import torch

from .comm import pack, unpack
from .grid import format_grid
from .local_stage import LocalStage, MicroBatchState, ReceivePost, ScheduleError, assemble


COMPUTE_KINDS = {"F", "B", "W", "recompute"}


class Executor:
    def __init__(self, job, rank, comm, meter=None, registry=None, handlers=None, clock=time.perf_counter):
        self.job, self.rank, self.comm, self.meter, self.clock = job, rank, comm, meter, clock
        self.device = job.ranks[rank]
        self.cuda = str(job.torch_device).startswith("cuda")
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
        # No-flush lists: called with (iteration, its loss or None) when this device's step ends an iteration.
        self.on_window_end = None

    # ---- the loop -------------------------------------------------------------------------------------------
    def run_iteration(self, iteration: int):
        self.iteration = iteration
        self.losses = {}
        self.window_start = self.clock()
        self.mbs = {}
        self.sends = []
        self.deferred = []
        self.loss_sum = None
        for step, action in enumerate(self.actions):
            label = self.labels[step]
            t0 = self.clock()
            try:
                with torch.autograd.profiler.record_function(label):
                    self.handlers[action["kind"]](action)
                if self.cuda and action["kind"] in COMPUTE_KINDS:
                    # CUDA kernels run asynchronously: wait for this compute (not for communication streams),
                    # so the action's measured time is its real time.
                    torch.cuda.current_stream().synchronize()
            except Exception:
                print(f"[rank {self.rank}] action failed at step {step} ({label}) of iteration {iteration}:", file=sys.stderr)
                print(format_grid(self.job.labels, self.device, step), file=sys.stderr)
                raise
            t1 = self.clock()
            mb = action.get("microBatch", -1)
            it = self.data_iteration(mb) if mb >= 0 else iteration
            self.events.append({"name": label, "kind": action["kind"], "it": it, "t0": t0 - self.origin, "t1": t1 - self.origin})
        self._deferred_steps()
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
            self.mbs[key] = MicroBatchState()
        return self.mbs[key]

    def _stage(self, action):
        sid = action["stage"]
        if sid not in self.stages:
            raise ScheduleError(f"stage {sid!r} is not on device {self.device}")
        return self.stages[sid]

    def data_iteration(self, mb):
        """The iteration a micro-batch belongs to (no-flush lists hold several)."""
        return self.iteration + mb // int(self.job.plan["microBatches"])

    def _forward(self, st, mb, m, grad: bool):
        lo, hi = st.global_range(mb)
        it = self.data_iteration(mb)
        ctx = self.meter.hooks() if (self.meter and grad) else contextlib.nullcontext()
        with torch.set_grad_enabled(grad), ctx:
            if st.versions is not None:
                outs, loss = st.versions.run(m.version, m.ext, it, lo, hi, self.job.batch_samples, keep=st.keep)
            else:
                outs, loss = st.program(m.ext, it, lo, hi, self.job.batch_samples, keep=st.keep)
        return outs, loss

    # ---- handlers ----------------------------------------------------------------------------------------------
    def on_recv(self, action):
        st = self._stage(action)
        msg = st.message(action)
        if msg.empty:
            return
        m = self._mb(st.id, action["microBatch"])
        slots, works = [], []
        for part, chosen, shapes, dtype in st.slots(msg.ids, msg.hi - msg.lo):
            n = sum(int(torch.Size(s).numel()) for s in shapes)
            buf = torch.empty(n, dtype=dtype, device=self.job.torch_device)
            tag = self.comm.tag(action["microBatch"], msg.grad, msg.src, msg.dst, part)
            works.append(self.comm.irecv(buf, int(action["peer"]), tag))
            slots.append((chosen, buf, shapes))
        post = ReceivePost(action["peerStage"], int(action["peer"]), msg.lo, msg.hi, slots, works)
        (m.recv_grad if msg.grad else m.recv_act).append(post)

    def on_send(self, action):
        st = self._stage(action)
        msg = st.message(action)
        if msg.empty:
            return
        m = self._mb(st.id, action["microBatch"])
        source = m.ext_grads if msg.grad else m.outs
        for part, chosen, _shapes, _dtype in st.slots(msg.ids, msg.hi - msg.lo):
            tensors = []
            for i in chosen:
                if i not in source:
                    what = "gradient" if msg.grad else "output"
                    raise ScheduleError(f"send of the {what} of {i!r}, micro-batch {action['microBatch']}, before it exists")
                tensors.append(source[i].detach()[msg.lo - st.lo : msg.hi - st.lo])
            flat = pack(tensors).contiguous()
            tag = self.comm.tag(action["microBatch"], msg.grad, msg.src, msg.dst, part)
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
            t = assemble(pieces[i], st.lo, st.hi, f"input {i!r} of stage {st.id} micro-batch {mb}").detach()
            if st.program.carries_grad[i]:
                t.requires_grad_(True)
            ext[i] = t
        m.ext = ext
        m.version = action.get("version")
        recompute = (st.id, mb) in self.recomputed
        m.outs, m.loss = self._forward(st, mb, m, grad=not recompute)
        if m.loss is not None:
            v = float(m.loss.detach())
            self.loss_sum = v if self.loss_sum is None else self.loss_sum + v
            it = self.data_iteration(mb)
            self.losses[it] = self.losses.get(it, 0.0) + v
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
            g = assemble(pieces, st.lo, st.hi, f"gradient of {i!r} from stage {peer_stage} micro-batch {mb}")
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
                if st.versions is not None:
                    st.versions.collect_grads(m.version)
        m.ext_grads = {i: (t.grad if t.grad is not None else torch.zeros_like(t)) for i, t in m.ext.items() if t.requires_grad}
        if (st.id, mb) not in self.w_split:
            m.outs, m.loss, m.ext = {}, None, {}

    def on_weight_grad(self, action):
        st = self._stage(action)
        m = self._mb(st.id, action["microBatch"])
        if m.backward_tensors is not None:
            weights = st.versions.snapshots[m.version].values() if st.versions is not None else st.params
            params = [p for p in weights if p.requires_grad]
            if params:
                tensors, grad_tensors = m.backward_tensors
                torch.autograd.backward(tensors, grad_tensors, inputs=params)
                if st.versions is not None:
                    st.versions.collect_grads(m.version)
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
        if any(st.id in stage_ids for _, stage_ids in self.tie_groups):
            # Its tied weight's gradient is summed with other stages' at the end of this device's list (a
            # blocking collective here could wait on a stage this device has still to run backward for).
            self.deferred.append(st)
            return
        self._step(st)
        if st.versions is not None and action.get("version") is not None:
            st.versions.created(int(action["version"]))
            if self.meter is not None:
                self.meter.set_params(st.params + st.versions.tensors())
            it = self.data_iteration(int(action["microBatch"]))
            if self.on_window_end is not None:
                self.on_window_end(it, self.losses.pop(it, None))

    @staticmethod
    def _step(st):
        if st.optimizer is not None:
            st.optimizer.step()
            st.optimizer.zero_grad(set_to_none=True)

    def _deferred_steps(self):
        if not self.deferred:
            return
        t0 = self.clock()
        for owner, stage_ids in self.tie_groups:
            local = [st for st in self.deferred if st.id in stage_ids]
            if local:
                self._sum_tied_grads(owner, local)
        for st in self.deferred:
            self._step(st)
        self.deferred = []
        self.events.append({"name": "tied-step", "kind": "step", "it": self.iteration, "t0": t0 - self.origin,
                            "t1": self.clock() - self.origin})


    def _sum_tied_grads(self, owner, local):
        """Weights tied across stages: every copy gets the sum of all copies' gradients. Each replica holds its
        stage's full (data-parallel-reduced) gradient, so it contributes 1/replicas of it; a device holding
        several stages of the group sends their sum once."""
        name = f"{owner}/" + _tied_name(self.job, owner)
        params = []
        for st in local:
            p = dict(st.program.named_op_parameters()).get(name)
            if p is None:
                raise ScheduleError(f"stage {st.id} holds no copy of the weight tied to {owner!r}")
            params.append((p, len(st.spec["devices"])))
        total = sum((p.grad if p.grad is not None else torch.zeros_like(p)) / n for p, n in params)
        self.comm.all_reduce_tied(total, owner)
        for p, _ in params:
            p.grad = total.clone()


def _tied_name(job, owner):
    from .ops_dense import TIED_PARAM

    return TIED_PARAM[job.graph.by_id[owner].kind]
