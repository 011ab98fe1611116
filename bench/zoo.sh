#!/usr/bin/env bash
# The model zoo on Fashion-MNIST: one model per family with a fixed seed and a budget that fits a
# 2-core machine, every one evaluated with the same 'vae evaluate' metrics (classifier FID of normal
# and low-posterior samples, NLL, symmetric KL, leakage, linear probe), plus training wall time and
# peak memory; prints the 'vae compare --markdown' table (the one in docs/benchmarks.md).
#   FAMILIES (default "dp-beta-tc soft-intro soft-intro-mog gamix")
#   ITERS_DP (default 1000)       dp-β-TCVAE iterations (released config: batch 100, lr 1e-4)
#   ITERS_SI (default 300)        Soft-IntroVAE iterations (preset: batch 128, ResNet 64-128, d = 32, β_neg 256)
#   ITERS_SI_MOG (default 300)    Soft-IntroVAE with a learned prior (VampPrior → mixture, K = 100, clipping,
#                                 λ_H = 100: the preset), warm-up shrunk in proportion to the budget
#   ITERS_GAMIX (default 300)     GAMIX iterations (preset batch and learning rate)
#   REUSE_DP (default artifacts/bench/dpvae/dp-beta-tc): reuse this model.zip (and its row.json for
#                                 time and memory) from bench/dpvae_quality.sh instead of training again
#   NLL_COUNT (default 200), NLL_SAMPLES (default 100), FID_COUNT (default 2000)
#   INCEPTION (default unset): a TorchScript Inception-v3 file; then the FID columns are Inception FID
#   SEED (default 1), THREADS (default 2), OUT (default artifacts/bench/zoo)
# Peak memory comes from GNU time (/usr/bin/time -v, Debian package 'time').
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FAMILIES="${FAMILIES:-dp-beta-tc soft-intro soft-intro-mog gamix}"
ITERS_DP="${ITERS_DP:-1000}"
ITERS_SI="${ITERS_SI:-300}"
ITERS_SI_MOG="${ITERS_SI_MOG:-300}"
ITERS_GAMIX="${ITERS_GAMIX:-300}"
REUSE_DP="${REUSE_DP:-$ROOT/artifacts/bench/dpvae/dp-beta-tc}"
NLL_COUNT="${NLL_COUNT:-200}"
NLL_SAMPLES="${NLL_SAMPLES:-100}"
FID_COUNT="${FID_COUNT:-2000}"
SEED="${SEED:-1}"
THREADS="${THREADS:-2}"
OUT="${OUT:-$ROOT/artifacts/bench/zoo}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export GOMP_SPINCOUNT="${GOMP_SPINCOUNT:-10000}" # idle OpenMP workers spin ~0.1 ms, then sleep (docs/setup.md)
dotnet build "$ROOT/src/Microsoft.ML.Vae.Cli/Microsoft.ML.Vae.Cli.csproj" -c Release -nologo -v q >/dev/null
VAE="$ROOT/src/Microsoft.ML.Vae.Cli/bin/Release/net10.0/vae"
TIMEV=(); [ -x /usr/bin/time ] && TIMEV=(/usr/bin/time -v)
INCEPTION_FLAG=(); [ -n "${INCEPTION:-}" ] && INCEPTION_FLAG=(--inception "$INCEPTION")
mkdir -p "$OUT"
echo "load before: $(uptime)" | tee "$OUT/load.txt"
files=(); names=()
for family in $FAMILIES; do
  dir="$OUT/$family"
  mkdir -p "$dir"
  common=(--data fashion-mnist --seed "$SEED" --threads "$THREADS" --log-interval 50 --out "$dir")
  train_seconds=""; time_log="$dir/train.log"
  if [ "$family" = dp-beta-tc ] && [ -f "$REUSE_DP/model.zip" ]; then
    cp "$REUSE_DP/model.zip" "$dir/model.zip"
    train_seconds=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["trainSeconds"])' "$REUSE_DP/row.json")
    time_log="$REUSE_DP.train.log"
    echo "$family: reusing $REUSE_DP/model.zip"
  else
    start=$(date +%s.%N)
    case "$family" in
      dp-beta-tc) "${TIMEV[@]}" "$VAE" train --model beta-tc --decoupled-prior --iterations "$ITERS_DP" "${common[@]}" ;;
      soft-intro) "${TIMEV[@]}" "$VAE" train --model soft-intro --iterations "$ITERS_SI" "${common[@]}" ;;
      soft-intro-mog) "${TIMEV[@]}" "$VAE" train --model soft-intro --prior vamp --components 100 --clip-variance --responsibility 100 \
          --iterations "$ITERS_SI_MOG" "${common[@]}" ;;
      gamix) "${TIMEV[@]}" "$VAE" train --model gamix --iterations "$ITERS_GAMIX" "${common[@]}" ;;
      *) echo "unknown family $family"; exit 2 ;;
    esac > "$dir/train.log" 2>&1 || { echo "training $family failed, see $dir/train.log"; exit 1; }
    end=$(date +%s.%N)
    train_seconds=$(python3 -c "print(round($end - $start, 1))")
  fi
  start=$(date +%s.%N)
  "${TIMEV[@]}" "$VAE" evaluate --model "$dir/model.zip" --data fashion-mnist \
    --metrics reconstruction,nll,symmetricKl,leakage,fid,representation "${INCEPTION_FLAG[@]}" \
    --nll-count "$NLL_COUNT" --nll-samples "$NLL_SAMPLES" --fid-count "$FID_COUNT" --seed "$SEED" --threads "$THREADS" \
    --json "$dir/metrics.json" > "$dir/eval.log" 2>&1 || { echo "evaluating $family failed, see $dir/eval.log"; exit 1; }
  end=$(date +%s.%N)
  eval_seconds=$(python3 -c "print(round($end - $start, 1))")
  python3 "$ROOT/bench/merge_metrics.py" "$dir/row.json" "$dir/metrics.json" --train-seconds "$train_seconds" \
    --eval-seconds "$eval_seconds" --time-log "$time_log" --eval-time-log "$dir/eval.log"
  echo "$family: train $train_seconds s, evaluate $eval_seconds s ($(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/load.txt"
  files+=("$dir/row.json"); names+=("$family")
done
echo "load after: $(uptime)" | tee -a "$OUT/load.txt"
IFS=,
"$VAE" compare --markdown --json "${files[*]}" --names "${names[*]}" | tee "$OUT/table.md"
