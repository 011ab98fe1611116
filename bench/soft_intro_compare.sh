#!/usr/bin/env bash
# Whole 2-D S-IntroVAE runs, C# (the library's SoftIntroProgram under the Trainer) against PyTorch
# (bench/soft_intro_2d.py, the authors' step structure) on the same libtorch, threads and BLAS.
# The two sides alternate, the order flipping every round; every run is a fresh process.
#   ITERS (default 30000), WARMUP (default 2000), ROUNDS (default 1), THREADS (default 2), SEED (default 0)
#   PRIORS (default "standard"): C#-only extra runs per round with other priors, e.g. "standard mog"
#   OUT (default artifacts/bench/soft-intro-2d.jsonl): every JSON line is appended here with its round
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ITERS="${ITERS:-30000}"
WARMUP="${WARMUP:-2000}"
ROUNDS="${ROUNDS:-1}"
THREADS="${THREADS:-2}"
SEED="${SEED:-0}"
PRIORS="${PRIORS:-standard}"
OUT="${OUT:-$ROOT/artifacts/bench/soft-intro-2d.jsonl}"
source "$ROOT/bench/soft_intro_runs.sh"
run_cs() { "$BENCH" --case soft-intro-2d "${flags[@]}" --prior "$2" | record "$1"; }
run_py() { /usr/bin/python3 "$ROOT/bench/soft_intro_2d.py" "${flags[@]}" | record "$1"; }

echo "load before: $(uptime)"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then run_cs "$round" standard; run_py "$round"; else run_py "$round"; run_cs "$round" standard; fi
  for prior in $PRIORS; do
    [ "$prior" = standard ] && continue
    run_cs "$round" "$prior"
  done
done
echo "load after: $(uptime)"
