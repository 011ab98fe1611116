"""The environment the C# binding's loader gives libtorch, for the PyTorch side of the benchmarks.

Call prepare() before `import torch`: OpenMP reads these variables when it loads. Each is only set
when the caller has not set it (see docs/setup.md):
  OMP_WAIT_POLICY=PASSIVE, GOMP_SPINCOUNT=10000   idle OpenMP workers spin ~0.1 ms, then sleep
"""
import os

def prepare() -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")
