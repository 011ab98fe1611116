#!/usr/bin/env bash
# Cost of a learned mixture prior (K = 64, Monte-Carlo KL with 100 samples, batch 512) per 1,000
# introspective 2-D S-IntroVAE iterations, next to the standard prior, with peak memory:
#   C#  standard | C# MoG (fused kernel) | C# MoG (generic [K, N] formulation)
#   PyTorch standard | PyTorch MoG (broadcast log-densities, as a PyTorch user writes them)
# Every run is a fresh process; the order rotates every round.
#   ITERS (default 500), WARMUP (default 200), ROUNDS (default 2), THREADS (default 2), SEED (default 0)
#   SIDES (default "cs-standard cs-mog cs-mog-generic py-standard py-mog")
#   OUT (default artifacts/bench/mog-cost.jsonl): every JSON line is appended here with its round
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ITERS="${ITERS:-500}"
WARMUP="${WARMUP:-200}"
ROUNDS="${ROUNDS:-2}"
THREADS="${THREADS:-2}"
SEED="${SEED:-0}"
SIDES="${SIDES:-cs-standard cs-mog cs-mog-generic py-standard py-mog}"
OUT="${OUT:-$ROOT/artifacts/bench/mog-cost.jsonl}"
source "$ROOT/bench/soft_intro_runs.sh"
run_side() { # round, side
  case "$2" in
    cs-standard) "$BENCH" --case soft-intro-2d "${flags[@]}" --prior standard ;;
    cs-mog) "$BENCH" --case soft-intro-2d "${flags[@]}" --prior mog --mixture-kernel fused ;;
    cs-mog-generic) "$BENCH" --case soft-intro-2d "${flags[@]}" --prior mog --mixture-kernel generic ;;
    py-standard) /usr/bin/python3 "$ROOT/bench/soft_intro_2d.py" "${flags[@]}" --prior standard ;;
    py-mog) /usr/bin/python3 "$ROOT/bench/soft_intro_2d.py" "${flags[@]}" --prior mog ;;
    *) echo "unknown side '$2'" >&2; exit 2 ;;
  esac | record "$1"
}

read -r -a sides <<<"$SIDES"
echo "load before: $(uptime)"
for round in $(seq 1 "$ROUNDS"); do
  # Rotate the order so that no side always runs first (or right after the same neighbour).
  n=${#sides[@]}
  for i in $(seq 0 $((n - 1))); do run_side "$round" "${sides[$(((i + round - 1) % n))]}"; done
done
echo "load after: $(uptime)"
python3 - "$OUT" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def key(r): return (r.get("side"), r.get("prior", "standard"), r.get("mixtureKernel"))
groups = {}
for r in rows: groups.setdefault(key(r), []).append(r)
base = {side: statistics.median(x["msPer1000Intro"] for x in g) for (side, prior, _), g in groups.items() if prior == "standard"}
print(f"{'side':8} {'prior':9} {'kernel':8} {'runs':>4} {'ms/1000 intro':>14} {'x standard':>10} {'peak RSS MiB':>12}")
for (side, prior, kernel), g in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")):
    ms = statistics.median(x["msPer1000Intro"] for x in g)
    rss = max(x.get("peakRssMiB") or 0 for x in g)
    ratio = ms / base[side] if side in base else float("nan")
    print(f"{side:8} {prior:9} {kernel or '-':8} {len(g):>4} {ms:>14.0f} {ratio:>10.2f} {rss:>12.0f}")
EOF
