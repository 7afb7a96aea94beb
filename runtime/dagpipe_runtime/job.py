"""The job file `dagpipe run` hands to every worker: the graph, the plan, the lowered per-device action lists
(computed once, in TypeScript — the only source of truth for the schedule), the sample ranges of every
data-parallel replica and transfer, and the run settings. Format: docs/runtime.md."""

import json
from dataclasses import dataclass

from .data import TORCH_DTYPES
from .graph import load_graph, value_dtypes

RUN_DEFAULTS = {
    "iterations": 5,
    "seed": 0,
    "lr": 1e-3,
    "dtype": "float32",
    "device": "cpu",
    "backend": "gloo",
    "threads": 1,
    "timeoutSec": 60.0,
    "barrierEachIteration": True,
    "startIteration": 0,
}


@dataclass
class Job:
    doc: dict
    graph: object
    dtypes: dict
    plan: dict
    stages: dict
    stage_index: dict
    ranks: list
    actions: list
    labels: list
    replica_ranges: dict
    transfers: dict
    run: dict
    checkpoint: object
    out_dir: str
    torch_device: str = "cpu"

    @property
    def float_dtype(self):
        return TORCH_DTYPES[self.run["dtype"]]

    @property
    def no_flush(self) -> bool:
        """PipeDream-2BW: one action list for all iterations, weight versions on computes and steps."""
        return self.plan["schedule"] == "2bw"

    @property
    def batch_samples(self) -> int:
        return int(self.plan["microBatch"]) * int(self.plan["microBatches"])

    def stage_ops(self, stage_id):
        return self.stages[stage_id]["ops"]

    def transfer_ids(self, from_stage, to_stage):
        """Ids of `from_stage`'s ops that `to_stage` reads, in graph order (what every transfer between them
        carries)."""
        to_ops = set(self.stage_ops(to_stage))
        src = set(self.stage_ops(from_stage))
        return [
            op.id for op in self.graph.ops if op.id in src and any(c in to_ops for c in self.graph.consumers[op.id])
        ]

    def tie_groups(self):
        """[(owner op id, [stage ids])] for weights tied across stages (a `linear` with `tiedTo` in another
        stage than its owner), by the owner's graph position: these copies get their gradients summed."""
        stage_of = {op_id: sid for sid, st in self.stages.items() for op_id in st["ops"]}
        groups = {}
        for op in self.graph.ops:
            owner = op.attrs.get("tiedTo") if op.kind == "linear" else None
            if owner:
                groups.setdefault(owner, {stage_of[owner]}).add(stage_of[op.id])
        out = []
        for owner in sorted(groups, key=lambda o: self.graph.by_id[o].index):
            if len(groups[owner]) > 1:
                out.append((owner, sorted(groups[owner], key=lambda sid: self.stage_index[sid])))
        return out

    def transfer_range(self, from_stage, to_stage, from_device, to_device):
        key = (from_stage, to_stage, from_device, to_device)
        if key not in self.transfers:
            raise KeyError(f"no sample range for transfer {from_stage}@{from_device} -> {to_stage}@{to_device}")
        return self.transfers[key]


def format_action(a) -> str:
    """Fallback label when the job carries none (the TypeScript side normally sends formatAction's text)."""
    kind, stage, mb = a["kind"], a["stage"], a.get("microBatch", -1)
    if kind in ("send", "recv"):
        return f"{stage}{kind}{a.get('tensor', '')}{mb}:{a.get('peer')}"
    return f"{stage}{kind}{mb if mb >= 0 else ''}"


def load_job(path_or_doc) -> Job:
    doc = path_or_doc
    if isinstance(path_or_doc, str):
        with open(path_or_doc, encoding="utf-8") as f:
            doc = json.load(f)
    if doc.get("format") != "dagpipe-job":
        raise ValueError("not a dagpipe job file (format != dagpipe-job)")
    g = load_graph(doc["graph"])
    plan = doc["plan"]
    stages = {s["id"]: s for s in plan["stages"]}
    actions = doc.get("actions", [])
    labels = doc.get("labels") or [[format_action(a) for a in row] for row in actions]
    transfers = {}
    for t in doc.get("transfers", []):
        transfers[(t["fromStage"], t["toStage"], int(t["fromDevice"]), int(t["toDevice"]))] = (int(t["lo"]), int(t["hi"]))
    ranges = {k: [tuple(int(x) for x in r) for r in v] for k, v in doc.get("replicaRanges", {}).items()}
    run = {**RUN_DEFAULTS, **doc.get("run", {})}
    if run["dtype"] not in TORCH_DTYPES:
        raise ValueError(f"run.dtype {run['dtype']!r} (expected one of {', '.join(TORCH_DTYPES)})")
    return Job(
        doc=doc,
        graph=g,
        dtypes=value_dtypes(g),
        plan=plan,
        stages=stages,
        stage_index={s["id"]: i for i, s in enumerate(plan["stages"])},
        ranks=[int(d) for d in doc.get("ranks", [])],
        actions=actions,
        labels=labels,
        replica_ranges=ranges,
        transfers=transfers,
        run=run,
        checkpoint=doc.get("checkpoint"),
        out_dir=doc.get("outDir", "."),
    )
