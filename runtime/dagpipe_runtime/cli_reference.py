"""`python -m dagpipe_runtime reference`: the single-process oracle as a command (events on stdout)."""

import torch

from .events import emit
from .job import load_job
from .reference import compare_params, load_param_dumps, train_reference


def run_reference_command(job_path, compare_dir):
    job = load_job(job_path)
    torch.set_num_threads(int(job.run["threads"]))
    losses, params = train_reference(job, on_iteration=lambda it, loss: emit("reference-iteration", iteration=it, loss=loss))
    result = {"losses": losses}
    if compare_dir:
        result["params"] = compare_params(params, load_param_dumps(compare_dir))
    emit("reference", **result)
    return 0
