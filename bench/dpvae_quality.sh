#!/usr/bin/env bash
# Quality record for dpVAE on Fashion-MNIST (2-D latent): for β-TCVAE, FactorVAE and InfoVAE, train
# the plain and the decoupled-prior version with the same seed and budget, evaluate both with the
# same metrics, and print a Markdown table (the one in docs/benchmarks.md).
#   ITERATIONS (default 3000), SEED (default 1), OUT (default out/bench-dpvae)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ITERATIONS="${ITERATIONS:-3000}"
SEED="${SEED:-1}"
OUT="${OUT:-$PWD/out/bench-dpvae}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
dotnet build "$ROOT/src/Microsoft.ML.Vae.Cli/Microsoft.ML.Vae.Cli.csproj" -c Release -nologo -v q >/dev/null
VAE="$ROOT/src/Microsoft.ML.Vae.Cli/bin/Release/net10.0/vae"
mkdir -p "$OUT"
files=(); names=()
for model in beta-tc factor info; do
  for variant in plain dp; do
    flag=""; name="$model"
    if [ "$variant" = dp ]; then flag="--decoupled-prior"; name="dp-$model"; fi
    dir="$OUT/$name"
    start=$(date +%s)
    # The released configs' learning rates and batch sizes (presets), with a shorter budget.
    "$VAE" train --model "$model" $flag --data fashion-mnist --iterations "$ITERATIONS" --seed "$SEED" \
      --log-interval 500 --out "$dir" > "$dir.train.log" 2>&1 || { echo "training $name failed, see $dir.train.log"; exit 1; }
    end=$(date +%s)
    "$VAE" evaluate --model "$dir/model.zip" --data fashion-mnist --metrics reconstruction,nll,symmetricKl,leakage \
      --nll-count 500 --nll-samples 500 --seed "$SEED" --json "$dir/metrics.json" > "$dir.eval.log" 2>&1
    echo "{\"trainSeconds\": $((end - start))}" > "$dir/time.json"
    echo "$name: trained in $((end - start)) s"
    files+=("$dir/metrics.json"); names+=("$name")
  done
done
IFS=,; "$VAE" compare --markdown --json "${files[*]}" --names "${names[*]}"
