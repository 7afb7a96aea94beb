"""dagpipe's PyTorch runtime: executes a dagpipe plan's lowered per-device action lists on torch.distributed.

The TypeScript side (`dagpipe run`, `dagpipe profile`) plans, lowers and launches; this package only executes:
  graph.py      the graph JSON as Python records, topological order, value dtypes
  ops_*.py      the op registry: IR kind -> torch module (one dispatch table, replaceable)
  seeding.py    stable seeds; parameter init depends only on (seed, op id)
  data.py       synthetic inputs and targets, a function of (seed, iteration, global sample index)
  stage.py      a stage program: the ops of one stage, its inputs and outputs
  reference.py  plain single-process training of the whole graph (the oracle for the equality tests)
  executor.py   the action loop of one device (one dispatch on the action kind)
  comm.py       process groups, tags, point-to-point and all-reduce
  checkpoint.py atomic per-stage checkpoints
  profiler.py   per-op forward/backward timing
"""

__version__ = "0.1.0"
