"""Per-stage checkpoints, written atomically (temp file + rename), and a `latest.json` that names the last
complete one. Layout under the checkpoint directory:

  iter-00000004/stage-<plan index>.pt   weights + optimizer state + iteration of one stage (its first replica)
  iter-00000004/rank-<r>.pt             that rank's RNG state (torch CPU, and CUDA when used)
  latest.json                           {"iteration": 4, "dir": "iter-00000004"}; written last, by rank 0,
                                        after every rank has written its files — so it only ever names a
                                        complete checkpoint. The two newest checkpoints are kept.
`iteration` counts completed iterations: resuming from 4 runs iteration index 4 next.
"""

import json
import os
import shutil

import torch

FORMAT = "dagpipe-checkpoint"


def _atomic_save(obj, path):
    tmp = f"{path}.tmp.{os.getpid()}"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _atomic_write_text(text, path):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _iter_dir(root, completed):
    return os.path.join(root, f"iter-{completed:08d}")


def save_checkpoint(job, executor, rank, completed, barrier):
    root = job.checkpoint["dir"]
    d = _iter_dir(root, completed)
    os.makedirs(d, exist_ok=True)
    for st in executor.stages.values():
        if st.replica != 0:
            continue
        params = {name: p.detach().cpu() for name, p in st.program.named_op_parameters()}
        obj = {
            "format": FORMAT,
            "stage": st.id,
            "iteration": completed,
            "params": params,
            "optimizer": st.optimizer.state_dict() if st.optimizer is not None else None,
        }
        _atomic_save(obj, os.path.join(d, f"stage-{job.stage_index[st.id]}.pt"))
    rng = {"cpu": torch.get_rng_state()}
    if torch.cuda.is_available() and job.torch_device.startswith("cuda"):
        rng["cuda"] = torch.cuda.get_rng_state(job.torch_device)
    _atomic_save({"format": FORMAT, "rank": rank, "iteration": completed, "rng": rng}, os.path.join(d, f"rank-{rank}.pt"))
    barrier()
    if rank == 0:
        _atomic_write_text(json.dumps({"iteration": completed, "dir": os.path.basename(d)}) + "\n", os.path.join(root, "latest.json"))
        kept = sorted(x for x in os.listdir(root) if x.startswith("iter-"))
        for old in kept[:-2]:
            shutil.rmtree(os.path.join(root, old), ignore_errors=True)


def latest_checkpoint(root):
    path = os.path.join(root, "latest.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    return int(doc["iteration"]), os.path.join(root, doc["dir"])


def load_checkpoint(job, executor, rank):
    """Restores this rank's stages; returns the number of completed iterations (0 when there is none)."""
    found = latest_checkpoint(job.checkpoint["dir"])
    if found is None:
        return 0
    completed, d = found
    for st in executor.stages.values():
        obj = torch.load(os.path.join(d, f"stage-{job.stage_index[st.id]}.pt"), map_location="cpu")
        if obj.get("format") != FORMAT or obj.get("stage") != st.id:
            raise ValueError(f"checkpoint {d} does not hold stage {st.id!r}")
        named = dict(st.program.named_op_parameters())
        if set(named) != set(obj["params"]):
            raise ValueError(f"checkpoint {d}: parameters of stage {st.id!r} differ from the plan's")
        with torch.no_grad():
            for name, p in named.items():
                p.copy_(obj["params"][name].to(dtype=p.dtype, device=p.device))
        if st.optimizer is not None and obj["optimizer"] is not None:
            st.optimizer.load_state_dict(obj["optimizer"])
    rank_file = os.path.join(d, f"rank-{rank}.pt")
    if os.path.exists(rank_file):
        rng = torch.load(rank_file, map_location="cpu")["rng"]
        torch.set_rng_state(rng["cpu"])
        if "cuda" in rng and job.torch_device.startswith("cuda"):
            torch.cuda.set_rng_state(rng["cuda"], job.torch_device)
    return completed
