"""The plan's optimizer name -> a torch optimizer. Elementwise implementations only (foreach=False), so the
update of a parameter never depends on which other parameters share the optimizer."""

import torch

OPTIMIZERS = ("adam-mixed", "adam-fp32", "sgd", "sgd-momentum")


def make_optimizer(params, name: str, lr: float):
    params = list(params)
    if not params:
        return None
    if name in ("adam-mixed", "adam-fp32"):
        return torch.optim.Adam(params, lr=lr, foreach=False)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, foreach=False)
    if name == "sgd-momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, foreach=False)
    raise ValueError(f"optimizer {name!r} (expected one of {', '.join(OPTIMIZERS)})")


def state_bytes(opt) -> int:
    if opt is None:
        return 0
    total = 0
    for st in opt.state.values():
        for v in st.values():
            if torch.is_tensor(v):
                total += v.numel() * v.element_size()
    return total
