#!/usr/bin/env python3
"""Runs the C# binding benchmark and its PyTorch counterpart alternately and compares them.

Each round runs, for every case, one fresh C# process and one fresh Python process (the order
flips every round: C#/PyTorch, then PyTorch/C#, so slow drifts of a shared machine hit both
sides alike). Every process prints one JSON line (ms per iteration over its timed iterations);
the table at the end gives, per case, the median over rounds of each side and their ratio, the
range of the per-round ratios, and the ratio of the fastest iterations (median over rounds of
each run's fastest iteration), which other load on a shared machine disturbs least.

    /usr/bin/python3 bench/binding_compare.py --rounds 5 --threads 2
    eng/bench.sh                      # builds the C# program first, then runs this

The raw JSON lines are appended to --out (default artifacts/bench/binding.jsonl).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CSHARP = os.path.join(REPO, "bench", "Microsoft.ML.Vae.Bench", "bin", "Release", "net10.0",
                              "Microsoft.ML.Vae.Bench")
PY_SCRIPT = os.path.join(REPO, "bench", "binding_bench.py")
# Display unit per case: training steps in ms, the tiny op in microseconds.
UNITS = {"mlp": ("ms/step", 1.0), "conv": ("ms/step", 1.0), "op": ("us/op", 1e3), "op-raw": ("us/op", 1e3)}
# Cases with no PyTorch counterpart: op-raw is the op case on raw handles straight into the shim.
CSHARP_ONLY = {"op-raw"}


def run_side(cmd, env):
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"{' '.join(cmd)} printed no JSON line:\n{proc.stdout}{proc.stderr}")
    res = json.loads(lines[-1])
    res["process_wall_s"] = wall
    return res


def blas_name(paths):
    """Short name of the BLAS a process loaded, e.g. 'openblas-openmp'."""
    for p in paths:
        if "libblas" in os.path.basename(p) or "libopenblas" in os.path.basename(p):
            parent = os.path.basename(os.path.dirname(p))
            return "reference" if parent == "blas" else parent
    return "none found"


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cases", default="mlp,conv,op,op-raw",
                    help="comma list out of mlp,conv,op,op-raw (op-raw: C# only, the op without the binding's managed layer)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--iters", type=int, help="timed iterations for every case (default: each case's own)")
    ap.add_argument("--csharp", default=DEFAULT_CSHARP, help="the built C# benchmark program")
    ap.add_argument("--python", default="/usr/bin/python3", help="Python with torch (Debian's python3-torch)")
    ap.add_argument("--out", default=os.path.join(REPO, "artifacts", "bench", "binding.jsonl"))
    args = ap.parse_args()

    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    for c in cases:
        if c not in UNITS:
            print(f"unknown case '{c}' (expected mlp, conv, op, op-raw)", file=sys.stderr)
            return 2
    if args.rounds < 1:
        print("--rounds must be at least 1", file=sys.stderr)
        return 2
    if not os.path.exists(args.csharp):
        print(f"{args.csharp} is missing: build it with "
              "dotnet build bench/Microsoft.ML.Vae.Bench -c Release (eng/bench.sh does)", file=sys.stderr)
        return 2

    env = dict(os.environ)
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    common = ["--threads", str(args.threads), "--seed", str(args.seed), "--dtype", args.dtype]
    if args.iters:
        common += ["--iters", str(args.iters)]
    sides = {
        "csharp": lambda c: [args.csharp, "--case", c] + common,
        "pytorch": lambda c: [args.python, PY_SCRIPT, "--case", c] + common,
    }

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    print(f"threads={args.threads} dtype={args.dtype} seed={args.seed} rounds={args.rounds} "
          f"OMP_WAIT_POLICY={env['OMP_WAIT_POLICY']}  load before: {load_average()}", flush=True)

    results = {c: {"csharp": [], "pytorch": []} for c in cases}
    start = time.perf_counter()
    with open(args.out, "a") as out:
        for r in range(args.rounds):
            order = ["csharp", "pytorch"] if r % 2 == 0 else ["pytorch", "csharp"]
            for c in cases:
                unit, scale = UNITS[c]
                for side in order:
                    if c in CSHARP_ONLY and side != "csharp":
                        continue
                    res = run_side(sides[side](c), env)
                    res["round"] = r + 1
                    res["run"] = stamp
                    out.write(json.dumps(res) + "\n")
                    results[c][side].append(res)
                    print(f"round {r + 1}  {c:4s}  {side:7s}  {res['ms_per_iter'] * scale:9.3f} {unit}"
                          f"   blas {blas_name(res['blas'])}", flush=True)
    elapsed = time.perf_counter() - start

    print(f"\nload after: {load_average()}   ({elapsed:.0f} s)")
    print()
    print("| case | unit | C# median | PyTorch median | C#/PyTorch | per-round ratios | "
          "C#/PyTorch, fastest iteration | rounds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    problems = []
    compared = [c for c in cases if c not in CSHARP_ONLY]
    for c in compared:
        unit, scale = UNITS[c]
        cs = [x["ms_per_iter"] * scale for x in results[c]["csharp"]]
        py = [x["ms_per_iter"] * scale for x in results[c]["pytorch"]]
        mc, mp = statistics.median(cs), statistics.median(py)
        paired = [a / b for a, b in zip(cs, py)]
        # The fastest iteration of a run is the figure least disturbed by other load.
        fast = (statistics.median(x["ms_min_iter"] for x in results[c]["csharp"])
                / statistics.median(x["ms_min_iter"] for x in results[c]["pytorch"]))
        print(f"| {c} | {unit} | {mc:.3f} | {mp:.3f} | **{mc / mp:.2f}** | "
              f"{min(paired):.2f}–{max(paired):.2f} | {fast:.2f} | {len(cs)} |")
        # The two sides run different libtorch builds on purpose (TorchSharp's libtorch 2.10 has MKL linked
        # in, so no BLAS library shows in its maps; Debian's 1.13 loads OpenBLAS): only a change within one
        # side, between its rounds, is a problem.
        for side in ("csharp", "pytorch"):
            blas = {blas_name(x["blas"]) for x in results[c][side]}
            if len(blas) != 1:
                problems.append(f"{c}: the {side} processes loaded different BLAS builds: {sorted(blas)}")
        leaks = {x.get("leaked_tensors", 0) for x in results[c]["csharp"]} - {0}
        if leaks:
            problems.append(f"{c}: the C# run left tensors alive: {sorted(leaks)}")
    if "op-raw" in cases:
        raw = results["op-raw"]["csharp"]
        raw_med = statistics.median(x["ms_per_iter"] for x in raw) * 1e3
        raw_fast = statistics.median(x["ms_min_iter"] for x in raw) * 1e3
        line = f"\nop-raw (C# only, raw handles straight into the shim): {raw_med:.3f} us/op, fastest block {raw_fast:.3f} us/op"
        if "op" in cases:
            op_fast = statistics.median(x["ms_min_iter"] for x in results["op"]["csharp"]) * 1e3
            line += f"; the binding's managed layer adds {1e3 * (op_fast - raw_fast):.0f} ns per op (fastest blocks)"
        print(line)
    print()
    print("per round, C# / PyTorch (same units as above):")
    print()
    print("| case | " + " | ".join(f"round {r + 1}" for r in range(args.rounds)) + " |")
    print("|---|" + "---:|" * args.rounds)
    for c in compared:
        unit, scale = UNITS[c]
        cells = [f"{a['ms_per_iter'] * scale:.3g} / {b['ms_per_iter'] * scale:.3g}"
                 for a, b in zip(results[c]["csharp"], results[c]["pytorch"])]
        print(f"| {c} | " + " | ".join(cells) + " |")
    print()
    for c in compared:
        if c == "op":
            continue
        first = {side: results[c][side][0]["loss_first"] for side in ("csharp", "pytorch")}
        a, b = first["csharp"], first["pytorch"]
        rel = abs(a - b) / max(abs(b), 1e-300)
        verdict = "identical" if a == b else f"relative difference {rel:.2e}"
        print(f"{c}: first-step loss C# {a!r}, PyTorch {b!r} ({verdict})")
    blas_all = sorted({blas_name(x['blas']) for c in cases for s in ('csharp', 'pytorch') for x in results[c][s]})
    print(f"BLAS loaded: {', '.join(blas_all)}")
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
