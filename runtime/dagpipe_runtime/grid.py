"""The device x step grid of a job's action lists with one step marked, printed when an action raises
(as torch.distributed.pipelining's _format_pipeline_order does)."""


def format_grid(labels, failing_device: int, failing_step: int, window: int = 8) -> str:
    lo = max(0, failing_step - window)
    hi = failing_step + window + 1
    cols = list(range(lo, min(hi, max((len(r) for r in labels), default=0))))
    width = max([len(f"step {c}") for c in cols] + [len(x) for row in labels for x in row[lo:hi]] + [4])
    head = "device | " + " ".join(f"step {c}".ljust(width) for c in cols)
    lines = [head]
    for d, row in enumerate(labels):
        cells = []
        for c in cols:
            text = row[c] if c < len(row) else ""
            cells.append(text.ljust(width))
        line = f"{str(d).rjust(6)} | " + " ".join(cells)
        if d == failing_device:
            line += f"   <-- ERROR HERE (step {failing_step}: {row[failing_step] if failing_step < len(row) else '?'})"
        lines.append(line)
    return "\n".join(lines)
