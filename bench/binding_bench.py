#!/usr/bin/env python3
"""PyTorch side of the binding benchmark: the same workloads as bench/Microsoft.ML.Vae.Bench.

Written the way a PyTorch user would write them (torch.nn modules, torch.optim.Adam with its
defaults, optimizer.zero_grad() with its default), with the same seed, the same construction
order (so the same initial weights), the same data and the same loss as the C# program.
Prints one JSON line with the same keys as the C# side.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/binding_bench.py --case mlp --threads 2

Cases:
  mlp   one training step of the 2-D MLP VAE (2-256-256-256-256-4 / 2-256-256-256-256-2, batch 512)
  conv  one training step of the dpVAE beta_mnist conv VAE (latent 2, batch 64, 28x28 in [0, 1))
  op    c = a + b on 1-element tensors in a tight loop (the fixed cost of one op)
"""

import argparse
import json
import os
import statistics
import sys
import time

# The same defaults as the C# binding's loader; they must be in the environment before torch loads.
import torch_env  # noqa: E402

torch_env.prepare()

import torch  # noqa: E402  (after the environment is prepared)
from torch import nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DEFAULT_ITERS = {"mlp": 200, "conv": 50, "op": 100_000}
# The op warm-up is long because the C# side needs about half a second for .NET's tiered
# compilation to settle; Python gets the same count so both run identical work.
DEFAULT_WARMUP = {"mlp": 20, "conv": 5, "op": 500_000}
MLP_WIDTH = 256


def mlp_stack(inputs: int, outputs: int) -> nn.Sequential:
    w = MLP_WIDTH
    return nn.Sequential(
        nn.Linear(inputs, w), nn.ReLU(),
        nn.Linear(w, w), nn.ReLU(),
        nn.Linear(w, w), nn.ReLU(),
        nn.Linear(w, w), nn.ReLU(),
        nn.Linear(w, outputs))


def beta_mnist_encoder(latent: int = 2) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(),    # 14x14
        nn.Conv2d(32, 32, 3), nn.ReLU(),         # 12x12
        nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(),   # 6x6
        nn.Conv2d(32, 32, 3), nn.ReLU(),         # 4x4
        nn.Flatten(),
        nn.Linear(512, 256), nn.ReLU(),
        nn.Linear(256, 256), nn.ReLU(),
        nn.Linear(256, 2 * latent))


def beta_mnist_decoder(latent: int = 2) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(latent, 256), nn.ReLU(),
        nn.Linear(256, 256), nn.ReLU(),
        nn.Linear(256, 512), nn.ReLU(),
        nn.Unflatten(1, (32, 4, 4)),
        nn.ConvTranspose2d(32, 32, 3), nn.ReLU(),          # 6x6
        nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(),    # 12x12
        nn.ConvTranspose2d(32, 32, 3), nn.ReLU(),          # 14x14
        nn.ConvTranspose2d(32, 1, 4, 2, 1))                # 28x28


class VaeTrainingStep:
    """Forward, SSE + KL (batch sums), backward and one Adam step on a fixed batch."""

    def __init__(self, encoder, decoder, batch, lr, dtype):
        if dtype != torch.float32:
            # Generated in float32 on both sides, then converted.
            encoder.to(dtype)
            decoder.to(dtype)
            batch = batch.to(dtype)
        self.encoder, self.decoder, self.batch = encoder, decoder, batch
        self.optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=lr)

    def run(self, read_loss: bool = False):
        x = self.batch
        self.optimizer.zero_grad()
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        std = torch.exp(0.5 * logvar)
        z = mu + torch.randn_like(std) * std
        recon = self.decoder(z)
        sse = F.mse_loss(recon, x, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        loss = sse + kl
        loss.backward()
        self.optimizer.step()
        return loss.item() if read_loss else None


def make_step(case: str, seed: int, dtype) -> VaeTrainingStep:
    torch.manual_seed(seed)
    # Networks first, then the batch: the same generator order as the C# side.
    if case == "mlp":
        enc, dec = mlp_stack(2, 4), mlp_stack(2, 2)
        batch = torch.randn(512, 2)
        return VaeTrainingStep(enc, dec, batch, 2e-4, dtype)
    enc, dec = beta_mnist_encoder(), beta_mnist_decoder()
    batch = torch.rand(64, 1, 28, 28)
    return VaeTrainingStep(enc, dec, batch, 1e-4, dtype)


def time_steps(step, warmup: int, iters: int):
    for _ in range(warmup):
        step()
    times = []
    start = time.perf_counter()
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    return total * 1e3 / iters, statistics.median(times) * 1e3, min(times) * 1e3


OP_BLOCKS = 100  # the op loop is timed in blocks, as on the C# side


def time_op(warmup: int, iters: int, dtype):
    """Mean over all ops; median and minimum per op within a block of ops."""
    a = torch.ones(1, dtype=dtype)
    b = torch.ones(1, dtype=dtype)
    for _ in range(warmup):
        c = a + b
    block_ms = []
    done = 0
    start = time.perf_counter()
    for k in range(OP_BLOCKS):
        n = (iters - done) // (OP_BLOCKS - k)
        t0 = time.perf_counter()
        for _ in range(n):
            c = a + b
        block_ms.append((time.perf_counter() - t0) * 1e3 / n)
        done += n
    total = time.perf_counter() - start
    return total * 1e3 / iters, statistics.median(block_ms), min(block_ms)


def loaded_blas():
    found = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                i = line.find("/")
                if i < 0:
                    continue
                path = line[i:].strip()
                name = os.path.basename(path).lower()
                if "blas" in name or "lapack" in name:
                    found.add(path)
    except OSError:
        pass
    return sorted(found)


def positive(text: str) -> int:
    n = int(text)
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return n


def non_negative(text: str) -> int:
    n = int(text)
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text}")
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", choices=["mlp", "conv", "op"], default="mlp")
    ap.add_argument("--iters", type=positive, help="timed iterations (mlp 200, conv 50, op 100000)")
    ap.add_argument("--warmup", type=non_negative, help="untimed iterations (mlp 20, conv 5, op 500000)")
    ap.add_argument("--threads", type=positive, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    iters = args.iters if args.iters is not None else DEFAULT_ITERS[args.case]
    warmup = args.warmup if args.warmup is not None else DEFAULT_WARMUP[args.case]

    loss_first = loss_last = None
    if args.case == "op":
        if iters < OP_BLOCKS:
            ap.error(f"the op case times {OP_BLOCKS} blocks and needs --iters of at least {OP_BLOCKS}")
        mean_ms, median_ms, min_ms = time_op(warmup, iters, dtype)
    else:
        step = make_step(args.case, args.seed, dtype)
        # The first step's loss shows whether both sides start from the same weights and data.
        loss_first = step.run(read_loss=True)
        mean_ms, median_ms, min_ms = time_steps(step.run, max(0, warmup - 1), iters)
        loss_last = step.run(read_loss=True)

    print(json.dumps({
        "side": "pytorch",
        "case": args.case,
        "iters": iters,
        "warmup": warmup,
        "threads": torch.get_num_threads(),
        "dtype": args.dtype,
        "seed": args.seed,
        "ms_per_iter": mean_ms,
        "ms_median_iter": median_ms,
        "ms_min_iter": min_ms,
        "loss_first": loss_first,
        "loss_last": loss_last,
        "torch": torch.__version__,
        "blas": loaded_blas(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
