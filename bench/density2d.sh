#!/usr/bin/env bash
# 2-D density benchmark (S-IntroVAE paper metrics: kl, jsd, gnElbo from 'vae evaluate --metrics density2d')
# for the plain-VAE baseline, S-IntroVAE, and S-IntroVAE with a learned prior (VampPrior converted to a
# K = 64 mixture) without and with variance clipping + responsibility regularization, on the 2-D toys.
#   ITERATIONS (default 1500)   training iterations of every run; 'vae train' shrinks the 2,000-iteration
#                               warm-up and the 10,000 / 15,000 milestones of the 30,000-iteration preset
#                               in proportion, and the baseline (bench case toy-vae) scales its milestones alike
#   DATASETS (default "8gaussians 2spirals")
#   SEEDS (default "0 1")
#   CONFIGS (default "vae soft-intro si-mog si-mog-clip-resp")
#   RESPONSIBILITY (default 10)  λ_H of si-mog-clip-resp
#   THREADS (default 2), OUT (default artifacts/bench/density2d)
#   LANES (default 1)           runs at once, THREADS threads each (2 lanes × 1 thread get ~15 % more runs per hour
#                               out of 2 cores than 1 lane × 2 threads; per-run times are then not comparable)
#   RESUME (default 0)          1: keep every run that already has its row.json and run only the missing ones
#   KEEP (optional)             a folder to copy each finished run's row.json into, as DATA-CONFIG-seedS.json
#                               (long batches spread over several sittings collect their results there)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ITERATIONS="${ITERATIONS:-1500}"
DATASETS="${DATASETS:-8gaussians 2spirals}"
SEEDS="${SEEDS:-0 1}"
CONFIGS="${CONFIGS:-vae soft-intro si-mog si-mog-clip-resp}"
RESPONSIBILITY="${RESPONSIBILITY:-10}"
THREADS="${THREADS:-2}"
OUT="${OUT:-$ROOT/artifacts/bench/density2d}"
LANES="${LANES:-1}"
RESUME="${RESUME:-0}"
KEEP="${KEEP:-}"
[[ "$LANES" =~ ^[1-9][0-9]*$ ]] || { echo "LANES must be a positive integer, got '$LANES'"; exit 2; }
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
dotnet build "$ROOT/src/Microsoft.ML.Vae.Cli/Microsoft.ML.Vae.Cli.csproj" -c Release -nologo -v q >/dev/null
dotnet build "$ROOT/bench/Microsoft.ML.Vae.Bench/Microsoft.ML.Vae.Bench.csproj" -c Release -nologo -v q >/dev/null
VAE="$ROOT/src/Microsoft.ML.Vae.Cli/bin/Release/net10.0/vae"
BENCH="$ROOT/bench/Microsoft.ML.Vae.Bench/bin/Release/net10.0/Microsoft.ML.Vae.Bench"
TIMEV=(); [ -x /usr/bin/time ] && TIMEV=(/usr/bin/time -v)
mkdir -p "$OUT"
echo "load before: $(uptime)" | tee "$OUT/load.txt"
[ -n "$KEEP" ] && mkdir -p "$KEEP"

# One training + evaluation; its status goes to $dir/status (0 = done) so that parallel lanes can be checked.
run_one() { # data config seed
  local data="$1" config="$2" seed="$3"
  local dir="$OUT/$data/$config/seed$seed"
  rm -rf "$dir"; mkdir -p "$dir"
  local common=(--data "$data" --seed "$seed" --threads "$THREADS")
  local start mid end
  start=$(date +%s.%N)
  case "$config" in
    vae) "${TIMEV[@]}" "$BENCH" --case toy-vae --iters "$ITERATIONS" --data "$data" --seed "$seed" --threads "$THREADS" --out "$dir/model.zip" ;;
    soft-intro) "${TIMEV[@]}" "$VAE" train --model soft-intro "${common[@]}" --iterations "$ITERATIONS" --out "$dir" ;;
    si-mog) "${TIMEV[@]}" "$VAE" train --model soft-intro --prior vamp --components 64 "${common[@]}" --iterations "$ITERATIONS" --out "$dir" ;;
    si-mog-clip-resp) "${TIMEV[@]}" "$VAE" train --model soft-intro --prior vamp --components 64 --clip-variance --responsibility "$RESPONSIBILITY" \
        "${common[@]}" --iterations "$ITERATIONS" --out "$dir" ;;
    *) echo "unknown configuration $config"; echo 2 > "$dir/status"; return ;;
  esac > "$dir/train.log" 2>&1 || { echo "training $data/$config/seed$seed failed, see $dir/train.log"; echo 1 > "$dir/status"; return; }
  mid=$(date +%s.%N)
  "$VAE" evaluate --model "$dir/model.zip" --metrics density2d "${common[@]}" --json "$dir/metrics.json" > "$dir/eval.log" 2>&1 \
    || { echo "evaluating $data/$config/seed$seed failed, see $dir/eval.log"; echo 1 > "$dir/status"; return; }
  end=$(date +%s.%N)
  local tsec esec
  tsec=$(python3 -c "print(round($mid - $start, 1))"); esec=$(python3 -c "print(round($end - $mid, 1))")
  python3 "$ROOT/bench/merge_metrics.py" "$dir/row.json" "$dir/metrics.json" --train-seconds "$tsec" --eval-seconds "$esec" --time-log "$dir/train.log"
  [ -n "$KEEP" ] && cp "$dir/row.json" "$KEEP/$data-$config-seed$seed.json"
  echo 0 > "$dir/status"
  echo "$data $config seed $seed: train $tsec s, evaluate $esec s ($(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/load.txt"
}

files=(); names=(); dirs=()
for data in $DATASETS; do
  for config in $CONFIGS; do
    for seed in $SEEDS; do
      dir="$OUT/$data/$config/seed$seed"
      files+=("$dir/row.json"); names+=("$data $config"); dirs+=("$dir")
      if [ "$RESUME" = 1 ] && [ -f "$dir/row.json" ]; then
        echo "$data $config seed $seed: kept from an earlier run"
        [ -n "$KEEP" ] && cp "$dir/row.json" "$KEEP/$data-$config-seed$seed.json"
        continue
      fi
      while [ "$(jobs -rp | wc -l)" -ge "$LANES" ]; do wait -n || true; done
      run_one "$data" "$config" "$seed" &
    done
  done
done
wait
failed=0
for dir in "${dirs[@]}"; do
  [ -f "$dir/row.json" ] && { [ ! -f "$dir/status" ] || [ "$(cat "$dir/status")" = 0 ]; } || failed=1
done
[ "$failed" = 0 ] || { echo "some runs failed (see the messages above)"; exit 1; }
echo "load after: $(uptime)" | tee -a "$OUT/load.txt"
IFS=,
python3 "$ROOT/bench/rows_table.py" --json "${files[*]}" --names "${names[*]}" --digits 3 \
  --keys kl,jsd,gnElbo,trainSeconds,evalSeconds,trainPeakMiB \
  --labels "KL,JSD,gnELBO,train s,evaluate s,train peak MiB" | tee "$OUT/table.md"
