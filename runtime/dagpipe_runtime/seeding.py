"""Stable seeds: a seed is a pure function of its parts (never Python's salted hash(), never global RNG state).

Parameter init uses parts (seed, "param", op id, parameter name) and data uses (seed, "data", op id, iteration,
sample), so the same tensor comes out whichever stage, process or batch split builds it.
"""

import hashlib

import torch


def stable_seed(*parts: object) -> int:
    """63-bit seed from the parts' text (blake2b), so it is the same in every process and Python version."""
    text = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little") & ((1 << 63) - 1)


def generator(*parts: object) -> torch.Generator:
    """A CPU generator seeded from the parts (CPU so that values do not depend on the accelerator)."""
    g = torch.Generator(device="cpu")
    g.manual_seed(stable_seed(*parts))
    return g
