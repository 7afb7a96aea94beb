"""Activation memory as the program holds it: every tensor autograd saves for backward is counted from the
moment it is saved until autograd frees it (saved_tensors_hooks + a finalizer), once per storage, parameters
excluded. On CUDA the allocator's own peak is reported instead (it sees everything)."""

import weakref

import torch


class _Saved:
    __slots__ = ("t", "__weakref__")

    def __init__(self, t):
        self.t = t


class MemoryMeter:
    def __init__(self, params=()):
        self._param_keys = {self._key(p) for p in params}
        self._live = {}
        self.activation_bytes = 0
        self.peak_activation_bytes = 0

    @staticmethod
    def _key(t):
        s = t.storage()
        return (str(t.device), s.data_ptr())

    def set_params(self, params):
        """Tensors that are weights, not activations (e.g. the weight versions of a no-flush schedule)."""
        self._param_keys = {self._key(p) for p in params}

    def reset_peak(self):
        self.peak_activation_bytes = self.activation_bytes

    def hooks(self):
        return torch.autograd.graph.saved_tensors_hooks(self._pack, self._unpack)

    def _pack(self, t):
        key = self._key(t)
        if key in self._param_keys:
            return t
        holder = _Saved(t)
        entry = self._live.get(key)
        if entry is None:
            nbytes = t.storage().nbytes()
            self._live[key] = [1, nbytes]
            self.activation_bytes += nbytes
            self.peak_activation_bytes = max(self.peak_activation_bytes, self.activation_bytes)
        else:
            entry[0] += 1
        weakref.finalize(holder, self._release, key)
        return holder

    @staticmethod
    def _unpack(h):
        return h.t if isinstance(h, _Saved) else h

    def _release(self, key):
        entry = self._live.get(key)
        if entry is None:
            return
        entry[0] -= 1
        if entry[0] == 0:
            self.activation_bytes -= entry[1]
            del self._live[key]
