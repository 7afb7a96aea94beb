"""Weight versions for PipeDream-2BW (no flush: micro-batches of iteration i read version max(i-1, 0) in
forward and backward, and the step after iteration i creates version i+1 from the latest one).

The stage's own parameters are the latest version, and only the optimizer writes them. Every version a compute
reads is a snapshot: a detached copy taken when the version was created, which autograd may hold for as long
as a micro-batch is in flight while the optimizer moves on. A compute runs the stage through
`functional_call` with a snapshot; its gradients are added into the parameters' `.grad`, where the step finds
the iteration's sum. Snapshots older than the previous version are dropped at each step (no micro-batch reads
them any more), so at most two are alive — three copies of the weights with the parameters themselves.
"""

import torch
from torch.nn.utils.stateless import functional_call


class WeightVersions:
    def __init__(self, program):
        self.program = program
        self.named = dict(program.named_parameters())
        self.latest = 0
        self.snapshots = {0: self._snapshot()}

    def _snapshot(self):
        return {n: p.detach().clone().requires_grad_(p.requires_grad) for n, p in self.named.items()}

    def tensors(self):
        """Every snapshot tensor alive (for memory accounting)."""
        return [t for snap in self.snapshots.values() for t in snap.values()]

    def run(self, version, *args, **kwargs):
        """The stage's forward with the weights of `version`."""
        if version not in self.snapshots:
            raise RuntimeError(f"weight version {version} is not alive (alive: {sorted(self.snapshots)})")
        return functional_call(self.program, self.snapshots[version], args, kwargs)

    def collect_grads(self, version):
        """Move the gradients a backward left on `version`'s snapshot into the parameters' `.grad`."""
        snap = self.snapshots.get(version, {})
        with torch.no_grad():
            for n, t in snap.items():
                if t.grad is None:
                    continue
                p = self.named[n]
                if p.grad is None:
                    p.grad = t.grad.clone()
                else:
                    p.grad.add_(t.grad)
                t.grad = None

    def created(self, version):
        """After the optimizer step that created `version`: snapshot it, drop what no one reads any more."""
        self.latest = version
        self.snapshots[version] = self._snapshot()
        for v in [v for v in self.snapshots if v < version - 1]:
            del self.snapshots[v]
