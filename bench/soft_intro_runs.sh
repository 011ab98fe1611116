# Shared by the whole-run 2-D S-IntroVAE scripts (sourced, not run): builds the C# bench program and
# defines the run flags and the JSON recorder. Expects ROOT, ITERS, WARMUP, THREADS, SEED and OUT.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export GOMP_SPINCOUNT="${GOMP_SPINCOUNT:-10000}" # idle OpenMP workers spin ~0.1 ms, then sleep (docs/setup.md)
dotnet build "$ROOT/bench/Microsoft.ML.Vae.Bench/Microsoft.ML.Vae.Bench.csproj" -c Release -nologo -v q >/dev/null
BENCH="$ROOT/bench/Microsoft.ML.Vae.Bench/bin/Release/net10.0/Microsoft.ML.Vae.Bench"
mkdir -p "$(dirname "$OUT")"
flags=(--iters "$ITERS" --warmup "$WARMUP" --threads "$THREADS" --seed "$SEED")

record() { # round, then the JSON line on stdin; the load average is read when the run has ended
  python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d["round"]=int(sys.argv[1]); d["load"]=" ".join(open("/proc/loadavg").read().split()[:3]); print(json.dumps(d))' \
    "$1" | tee -a "$OUT"
}
