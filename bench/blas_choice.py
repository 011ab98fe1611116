#!/usr/bin/env python3
"""Which OpenBLAS build should libtorch load: the OpenMP one or the pthread one?

Debian's libtorch links libblas.so.3 / liblapack.so.3, and which library those names
resolve to is chosen with update-alternatives. This script switches the alternatives
between the candidates (root needed), runs the same CPU workload in a fresh process for
each (the BLAS is picked when the process loads libtorch), alternates the order over
several rounds and prints the median of each. The alternatives are put back as they
were when it ends.

    sudo OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/blas_choice.py [--rounds 7]
    sudo /usr/bin/python3 bench/blas_choice.py --wait-policies PASSIVE,default
    sudo OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/blas_choice.py --spin-counts default,10000
    /usr/bin/python3 bench/blas_choice.py --measure      # one run with the current BLAS

Workloads (torch.set_num_threads(2), float32):
  mlp_step: one training step (forward, backward, Adam) of a 2-256-256-256-256-4 ReLU MLP
            on a batch of 512, mean over many steps after a warm-up.
  conv_vae_step: one training step of a small conv VAE on 64 images of 1x28x28
            (two stride-2 convs, 3136->32 linear, a mirrored decoder, BCE + KL, Adam).
  matmul:   64x3136 @ 3136x128 (the flattened conv features of a 28x28 VAE encoder into
            a 128-wide layer), median of many calls.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ARCH = "x86_64-linux-gnu"
LIBDIR = f"/usr/lib/{ARCH}"
# name of the alternative -> file inside each candidate's folder
ALTERNATIVES = {
    f"libblas.so.3-{ARCH}": "libblas.so.3",
    f"liblapack.so.3-{ARCH}": "liblapack.so.3",
    # libblas.so.3 of an OpenBLAS variant needs libopenblas.so.0 and finds it through
    # $ORIGIN, which is the folder of the symlink it was opened by (/usr/lib/ARCH), so
    # this third alternative must follow the other two or the variants get mixed.
    f"libopenblas.so.0-{ARCH}": "libopenblas.so.0",
}
VARIANTS = {
    "openmp": f"{LIBDIR}/openblas-openmp",
    "pthread": f"{LIBDIR}/openblas-pthread",
    # reference BLAS/LAPACK from netlib (libblas3, liblapack3); only for comparison
    "reference": None,
}
REFERENCE = {
    f"libblas.so.3-{ARCH}": f"{LIBDIR}/blas/libblas.so.3",
    f"liblapack.so.3-{ARCH}": f"{LIBDIR}/lapack/liblapack.so.3",
}


def measure(steps: int, reps: int) -> dict:
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(0)

    # --- MLP training step ---
    dims = [2, 256, 256, 256, 256, 4]
    layers = []
    for i in range(len(dims) - 1):
        layers.append(torch.nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(512, 2)
    y = torch.randn(512, 4)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(max(10, steps // 10)):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    mlp_ms = (time.perf_counter() - t0) * 1e3 / steps

    # --- conv VAE training step (28x28 images, batch 64) ---
    nn = torch.nn
    enc = nn.Sequential(
        nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(),      # 32x14x14
        nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),     # 64x7x7 = 3136
        nn.Flatten(), nn.Linear(3136, 2 * 16))
    dec = nn.Sequential(
        nn.Linear(16, 3136), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 4, 2, 1))
    vopt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-3)
    img = torch.rand(64, 1, 28, 28)

    def vae_step():
        vopt.zero_grad(set_to_none=True)
        mu, logvar = enc(img).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        logits = dec(z)
        rec = torch.nn.functional.binary_cross_entropy_with_logits(logits, img, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        ((rec + kl) / img.shape[0]).backward()
        vopt.step()

    vsteps = max(10, steps // 5)
    for _ in range(max(5, vsteps // 10)):
        vae_step()
    t0 = time.perf_counter()
    for _ in range(vsteps):
        vae_step()
    vae_ms = (time.perf_counter() - t0) * 1e3 / vsteps

    # --- matmul ---
    a = torch.randn(64, 3136)
    b = torch.randn(3136, 128)
    for _ in range(max(10, reps // 10)):
        torch.mm(a, b)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - t0)
    mm_ms = statistics.median(times) * 1e3

    # Which BLAS did this process really load?
    loaded = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if ("blas" in p or "lapack" in p) and p.startswith("/"):
                loaded.add(os.path.realpath(p))
    return {"mlp_step_ms": mlp_ms, "conv_vae_step_ms": vae_ms, "matmul_ms": mm_ms,
            "loaded": sorted(loaded)}


def query(name: str) -> tuple[str, str]:
    out = subprocess.run(["update-alternatives", "--query", name],
                         capture_output=True, text=True, check=True).stdout
    status = value = ""
    for line in out.splitlines():
        if line.startswith("Status:"):
            status = line.split(":", 1)[1].strip()
        elif line.startswith("Value:"):
            value = line.split(":", 1)[1].strip()
    return status, value


def select(variant: str) -> None:
    for name, fname in ALTERNATIVES.items():
        if VARIANTS[variant] is None:
            target = REFERENCE.get(name)
            if target is None:
                continue  # libopenblas.so.0 is not used by the reference BLAS
        else:
            target = f"{VARIANTS[variant]}/{fname}"
        subprocess.run(["update-alternatives", "--set", name, target],
                       check=True, stdout=subprocess.DEVNULL)


def restore(saved: dict) -> None:
    for name, (status, value) in saved.items():
        if status == "auto":
            subprocess.run(["update-alternatives", "--auto", name], check=True,
                           stdout=subprocess.DEVNULL)
        elif value:
            subprocess.run(["update-alternatives", "--set", name, value], check=True,
                           stdout=subprocess.DEVNULL)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measure", action="store_true",
                    help="run the workloads once with the BLAS selected now, print JSON")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=300, help="MLP steps per run")
    ap.add_argument("--reps", type=int, default=500, help="matmul calls per run")
    ap.add_argument("--variants", default="openmp,pthread",
                    help="comma list out of openmp,pthread,reference")
    ap.add_argument("--wait-policies", default=None,
                    help="comma list of OMP_WAIT_POLICY values to cross with the variants "
                         "('default' = unset); without it the caller's environment is used")
    ap.add_argument("--spin-counts", default=None,
                    help="comma list of GOMP_SPINCOUNT values to cross with the rest "
                         "('default' = unset); without it the caller's environment is used")
    args = ap.parse_args()

    if args.measure:
        print(json.dumps(measure(args.steps, args.reps)))
        return 0

    if os.geteuid() != 0:
        print("switching the BLAS alternatives needs root", file=sys.stderr)
        return 2
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    for v in variants:
        if v not in VARIANTS:
            print(f"unknown variant {v}", file=sys.stderr)
            return 2

    print(f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')} "
          f"GOMP_SPINCOUNT={os.environ.get('GOMP_SPINCOUNT', '(unset)')} "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')} "
          f"rounds={args.rounds} steps={args.steps} reps={args.reps}")
    policies = ([p.strip() for p in args.wait_policies.split(",") if p.strip()]
                if args.wait_policies else [None])
    spins = ([c.strip() for c in args.spin_counts.split(",") if c.strip()]
             if args.spin_counts else [None])
    configs = [(v, p, c) for c in spins for p in policies for v in variants]

    def label(cfg):
        v, p, c = cfg
        return v + ("" if p is None else f"/{p}") + ("" if c is None else f"/spin={c}")

    saved = {name: query(name) for name in ALTERNATIVES}
    results: dict[str, list[dict]] = {label(c): [] for c in configs}
    try:
        for r in range(args.rounds):
            order = configs if r % 2 == 0 else list(reversed(configs))
            for cfg in order:
                v, pol, spin = cfg
                select(v)
                env = dict(os.environ)
                for var, value in (("OMP_WAIT_POLICY", pol), ("GOMP_SPINCOUNT", spin)):
                    if value == "default":
                        env.pop(var, None)
                    elif value is not None:
                        env[var] = value
                out = subprocess.run(
                    [sys.executable, os.path.abspath(__file__), "--measure",
                     "--steps", str(args.steps), "--reps", str(args.reps)],
                    capture_output=True, text=True, check=True, env=env).stdout
                res = json.loads(out.strip().splitlines()[-1])
                results[label(cfg)].append(res)
                print(f"round {r + 1} {label(cfg):30s} mlp_step {res['mlp_step_ms']:7.3f} ms  "
                      f"conv_vae_step {res['conv_vae_step_ms']:7.3f} ms  "
                      f"matmul {res['matmul_ms']:6.3f} ms  "
                      f"loaded {' '.join(os.path.relpath(p, LIBDIR) for p in res['loaded'])}",
                      flush=True)
    finally:
        restore(saved)

    print()
    cols = ["mlp_step_ms", "conv_vae_step_ms", "matmul_ms"]
    print("median over rounds, ms")
    print(f"{'variant':30s}" + "".join(f"{c[:-3]:>16s}" for c in cols))
    med = {}
    for key, runs in results.items():
        med[key] = [statistics.median(x[c] for x in runs) for c in cols]
        print(f"{key:30s}" + "".join(f"{v:16.3f}" for v in med[key]))
    cands = [key for key in results if not key.startswith("reference")]
    if len(cands) > 1:
        # score: geometric mean of the ratios to the best of each column
        best_col = [min(med[k][i] for k in cands) for i in range(len(cols))]
        score = {k: statistics.geometric_mean(med[k][i] / best_col[i] for i in range(len(cols)))
                 for k in cands}
        for k in sorted(cands, key=score.get):
            print(f"score {k:30s} {score[k]:.3f}  (1.000 = best in every workload)")
        print(f"winner: {min(cands, key=score.get)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
