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
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
dotnet build "$ROOT/bench/Microsoft.ML.Vae.Bench/Microsoft.ML.Vae.Bench.csproj" -c Release -nologo -v q >/dev/null
BENCH="$ROOT/bench/Microsoft.ML.Vae.Bench/bin/Release/net10.0/Microsoft.ML.Vae.Bench"
mkdir -p "$(dirname "$OUT")"
flags=(--iters "$ITERS" --warmup "$WARMUP" --threads "$THREADS" --seed "$SEED")

record() { # round, then the JSON line on stdin; the load average is read when the run has ended
  python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d["round"]=int(sys.argv[1]); d["load"]=" ".join(open("/proc/loadavg").read().split()[:3]); print(json.dumps(d))' \
    "$1" | tee -a "$OUT"
}
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
