"""The environment the C# binding's loader gives libtorch, for the PyTorch side of the benchmarks.

Call prepare() before `import torch`: OpenMP and OpenBLAS read these variables when they load.
Each is only set when the caller has not set it (see docs/setup.md):
  OMP_WAIT_POLICY=PASSIVE, GOMP_SPINCOUNT=10000   idle OpenMP workers spin ~0.1 ms, then sleep
  OPENBLAS_CORETYPE=SkylakeX                      on CPUs with AVX-512 F/CD/BW/DQ/VL, which OpenBLAS
                                                  0.3.21 may not recognize (it then uses AVX2 kernels)
"""
import os

SKYLAKEX_FLAGS = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}


def cpu_flags() -> set:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def prepare() -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")
    if "OPENBLAS_CORETYPE" not in os.environ and SKYLAKEX_FLAGS <= cpu_flags():
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
