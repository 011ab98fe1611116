#!/usr/bin/env bash
# Quality record for dpVAE on Fashion-MNIST (2-D latent): for β-TCVAE, FactorVAE and InfoVAE, train
# the plain and the decoupled-prior version with the same seed and budget, evaluate both with the
# same metrics, and print Markdown tables (the ones in docs/benchmarks.md).
#   ITERATIONS (default 1000)    training iterations of every model (the released configs' batch and lr)
#   SEED (default 1)             training and evaluation seed
#   THREADS (default 2)          libtorch threads of every process
#   NLL_COUNT (default 500)      test images scored by the importance-sampled NLL
#   NLL_SAMPLES (default 200)    importance samples per image
#   MODELS (default "beta-tc factor info")
#   OUT (default out/bench-dpvae)
# Peak memory comes from GNU time (/usr/bin/time -v, Debian package 'time') when it is installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ITERATIONS="${ITERATIONS:-1000}"
SEED="${SEED:-1}"
THREADS="${THREADS:-2}"
NLL_COUNT="${NLL_COUNT:-500}"
NLL_SAMPLES="${NLL_SAMPLES:-200}"
MODELS="${MODELS:-beta-tc factor info}"
OUT="${OUT:-$PWD/out/bench-dpvae}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export GOMP_SPINCOUNT="${GOMP_SPINCOUNT:-10000}" # idle OpenMP workers spin ~0.1 ms, then sleep (docs/setup.md)
dotnet build "$ROOT/src/Microsoft.ML.Vae.Cli/Microsoft.ML.Vae.Cli.csproj" -c Release -nologo -v q >/dev/null
VAE="$ROOT/src/Microsoft.ML.Vae.Cli/bin/Release/net10.0/vae"
TIMEV=(); [ -x /usr/bin/time ] && TIMEV=(/usr/bin/time -v)
mkdir -p "$OUT"
echo "load before: $(uptime)" | tee "$OUT/load.txt"
files=(); names=()
for model in $MODELS; do
  for variant in plain dp; do
    flag=""; name="$model"
    if [ "$variant" = dp ]; then flag="--decoupled-prior"; name="dp-$model"; fi
    dir="$OUT/$name"
    rm -rf "$dir"; mkdir -p "$dir"
    start=$(date +%s.%N)
    # The released configs' learning rates and batch sizes (presets), with a shorter budget.
    "${TIMEV[@]}" "$VAE" train --model "$model" $flag --data fashion-mnist --iterations "$ITERATIONS" --seed "$SEED" \
      --threads "$THREADS" --log-interval 250 --out "$dir" > "$dir.train.log" 2>&1 || { echo "training $name failed, see $dir.train.log"; exit 1; }
    end=$(date +%s.%N)
    "${TIMEV[@]}" "$VAE" evaluate --model "$dir/model.zip" --data fashion-mnist --metrics reconstruction,nll,symmetricKl,leakage \
      --nll-count "$NLL_COUNT" --nll-samples "$NLL_SAMPLES" --seed "$SEED" --threads "$THREADS" \
      --json "$dir/metrics.json" > "$dir.eval.log" 2>&1 || { echo "evaluating $name failed, see $dir.eval.log"; exit 1; }
    secs=$(python3 -c "print(round($end - $start, 1))")
    python3 "$ROOT/bench/merge_metrics.py" "$dir/row.json" "$dir/metrics.json" --train-seconds "$secs" --time-log "$dir.train.log"
    echo "$name: trained in $secs s ($(uptime | sed 's/.*load/load/'))" | tee -a "$OUT/load.txt"
    files+=("$dir/row.json"); names+=("$name")
  done
done
echo "load after: $(uptime)" | tee -a "$OUT/load.txt"
IFS=,
python3 "$ROOT/bench/rows_table.py" --json "${files[*]}" --names "${names[*]}" \
  --keys reconstructionMse,nll,nllStandardError,elbo,symmetricKl,klPriorToPosterior,klPosteriorToPrior,leakage.-10,leakageCounts.-10,trainSeconds,trainPeakMiB \
  --labels "rec. MSE,NLL (nats),NLL s.e.,ELBO,sym. KL,KL(p‖q̄),KL(q̄‖p),leakage τ=−10 (nats),count τ=−10 (of 3000),train s,train peak MiB" | tee "$OUT/table.md"
echo
"$VAE" compare --markdown --json "${files[*]}" --names "${names[*]}" | tee "$OUT/compare.md"
