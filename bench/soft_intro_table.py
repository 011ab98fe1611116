"""Markdown table of whole 2-D S-IntroVAE runs recorded by bench/soft_intro_compare.sh.

usage: python3 bench/soft_intro_table.py [artifacts/bench/soft-intro-2d.jsonl] [--iters N] [--warmup W]
One row per side and prior: runs, median ms/iteration over the whole run, median warm-up ms/iteration,
median ms per 1,000 introspective iterations, peak resident memory (VmHWM) and the load averages
seen. The ratios are C# / PyTorch of the medians (below 1: C# faster); per-round ratios in brackets.
"""
import argparse
import json
import statistics
from collections import OrderedDict


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file", nargs="?", default="artifacts/bench/soft-intro-2d.jsonl")
    p.add_argument("--iters", type=int)
    p.add_argument("--warmup", type=int)
    a = p.parse_args()
    rows = []
    with open(a.file, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            d = json.loads(line)
            if a.iters is not None and d["iters"] != a.iters:
                continue
            if a.warmup is not None and d["warmup"] != a.warmup:
                continue
            rows.append(d)
    if not rows:
        raise SystemExit("no matching runs")
    groups = OrderedDict()
    for d in rows:
        groups.setdefault((d["side"], d.get("prior", "standard"), d["iters"], d["warmup"]), []).append(d)

    def med(runs, key):
        vals = [r[key] for r in runs if r.get(key) is not None]
        return statistics.median(vals) if vals else None

    def warm_ms(r):
        return 1000 * r["warmupSeconds"] / r["warmup"] if r["warmup"] else None

    print("| side | prior | iterations (warm-up) | runs | ms/iteration | warm-up ms/iteration | ms per 1,000 introspective iterations | peak RSS MiB | load (1/5/15 min) |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    for (side, prior, iters, warmup), runs in groups.items():
        wm = [warm_ms(r) for r in runs if warm_ms(r) is not None]
        cells = [side, prior, f"{iters} ({warmup})", str(len(runs)),
                 f"{med(runs, 'msPerIter'):.2f}",
                 f"{statistics.median(wm):.2f}" if wm else "–",
                 f"{med(runs, 'msPer1000Intro'):.0f}" if med(runs, "msPer1000Intro") is not None else "–",
                 f"{med(runs, 'peakRssMiB'):.0f}" if med(runs, "peakRssMiB") is not None else "–",
                 "; ".join(r.get("load", "?") for r in runs)]
        print("| " + " | ".join(cells) + " |")
    print()
    for (side, prior, iters, warmup), runs in groups.items():
        if side != "csharp":
            continue
        py = groups.get(("pytorch", "standard", iters, warmup))
        if not py or prior != "standard":
            continue
        whole = med(runs, "msPerIter") / med(py, "msPerIter")
        intro = (med(runs, "msPer1000Intro") / med(py, "msPer1000Intro")
                 if med(py, "msPer1000Intro") else None)
        per_round = []
        by_round = {r.get("round"): r for r in py}
        for r in runs:
            q = by_round.get(r.get("round"))
            if q:
                per_round.append(r["msPerIter"] / q["msPerIter"])
        rng = f" [per round {min(per_round):.2f}–{max(per_round):.2f}]" if len(per_round) > 1 else ""
        intro_text = f", introspective phase {intro:.2f}" if intro else ""
        print(f"C# / PyTorch at {iters} iterations ({warmup} warm-up): whole run {whole:.2f}{rng}{intro_text}")
        # The paper's run (30,000 iterations, 2,000 of them warm-up) from the measured per-phase rates.
        cs_w = statistics.median([warm_ms(r) for r in runs if warm_ms(r) is not None] or [0])
        py_w = statistics.median([warm_ms(r) for r in py if warm_ms(r) is not None] or [0])
        if intro and cs_w and py_w:
            cs_full = (2000 * cs_w + 28000 * med(runs, "msPer1000Intro") / 1000) / 1000
            py_full = (2000 * py_w + 28000 * med(py, "msPer1000Intro") / 1000) / 1000
            print(f"projected 30,000-iteration run (2,000 warm-up) from these rates: C# {cs_full / 60:.1f} min, "
                  f"PyTorch {py_full / 60:.1f} min, ratio {cs_full / py_full:.2f}")
    for (side, prior, iters, warmup), runs in groups.items():
        if side == "csharp" and prior != "standard":
            base = groups.get(("csharp", "standard", iters, warmup))
            if base and med(base, "msPer1000Intro") and med(runs, "msPer1000Intro"):
                print(f"C# {prior} prior / standard prior, introspective phase: "
                      f"{med(runs, 'msPer1000Intro') / med(base, 'msPer1000Intro'):.2f}; peak RSS "
                      f"{med(runs, 'peakRssMiB'):.0f} vs {med(base, 'peakRssMiB'):.0f} MiB")


if __name__ == "__main__":
    main()
