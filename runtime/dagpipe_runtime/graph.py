"""The dagpipe Graph (as the TypeScript side serializes it) as Python records.

Only what execution needs is read: id, kind, inputs, attrs, outShape and params. The TypeScript side has
validated the graph (ids unique, inputs known, acyclic); `topological_order` still refuses a cycle.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OpInfo:
    index: int
    id: str
    kind: str
    inputs: tuple
    attrs: dict
    out_shape: tuple
    params: int
    profile: Any = None


@dataclass
class GraphInfo:
    name: str
    ops: list
    by_id: dict = field(default_factory=dict)
    consumers: dict = field(default_factory=dict)


def load_graph(doc: dict) -> GraphInfo:
    ops = []
    for i, o in enumerate(doc["ops"]):
        ops.append(
            OpInfo(
                index=i,
                id=str(o["id"]),
                kind=str(o["kind"]),
                inputs=tuple(str(x) for x in o.get("inputs", [])),
                attrs=dict(o.get("attrs", {})),
                out_shape=tuple(int(x) for x in o.get("outShape", [])),
                params=int(o.get("params", 0)),
                profile=o.get("profile"),
            )
        )
    g = GraphInfo(name=str(doc.get("name", "graph")), ops=ops)
    g.by_id = {op.id: op for op in ops}
    g.consumers = {op.id: [] for op in ops}
    for op in ops:
        for src in op.inputs:
            if src not in g.by_id:
                raise ValueError(f"op {op.id!r} reads unknown op {src!r}")
            if op.id not in g.consumers[src]:
                g.consumers[src].append(op.id)
    return g


def topological_order(g: GraphInfo) -> list:
    """Kahn's algorithm, ties broken by op index, so the order is the same in every process."""
    import heapq

    indeg = {op.id: len(set(op.inputs)) for op in g.ops}
    heap = [op.index for op in g.ops if indeg[op.id] == 0]
    heapq.heapify(heap)
    out = []
    while heap:
        op = g.ops[heapq.heappop(heap)]
        out.append(op)
        for c in g.consumers[op.id]:
            indeg[c] -= 1
            if indeg[c] == 0:
                heapq.heappush(heap, g.by_id[c].index)
    if len(out) != len(g.ops):
        raise ValueError("graph has a cycle")
    return out


# Kinds whose output keeps the element type of their first input (so int64 token ids stay int64).
_PASS_DTYPE = {"identity", "flatten", "reshape", "transpose", "slice", "concat", "dropout"}


def value_dtypes(g: GraphInfo) -> dict:
    """op id -> "float" | "int64": the element type of the op's output; only float values carry gradients."""
    out = {}
    for op in topological_order(g):
        if op.kind == "input":
            out[op.id] = "int64" if op.attrs.get("dtype") == "int64" else "float"
        elif op.kind in _PASS_DTYPE and op.inputs:
            out[op.id] = out[op.inputs[0]]
        else:
            out[op.id] = "float"
    return out


def int_upper_bound(g: GraphInfo, op: OpInfo) -> int:
    """Exclusive upper bound of an int64 input's values: attrs.high, else the smallest table that reads it."""
    if "high" in op.attrs:
        return int(op.attrs["high"])
    bounds = []
    stack = [op.id]
    seen = set()
    while stack:
        cur = stack.pop()
        for c in g.consumers[cur]:
            if c in seen:
                continue
            seen.add(c)
            cop = g.by_id[c]
            if cop.kind in ("embedding", "embedding-bag"):
                bounds.append(int(cop.attrs["numEmbeddings"]))
            elif cop.kind in _PASS_DTYPE:
                stack.append(c)
    return min(bounds) if bounds else 2
