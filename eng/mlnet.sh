#!/usr/bin/env bash
# Builds and tests the opt-in ML.NET layer: Microsoft.ML.Vae.MLNet.sln (src/Microsoft.ML.Vae, its tests
# test/Microsoft.ML.Vae.Tests and the ML.NET samples). ML.NET comes from
#   MLNET_ASSEMBLIES=<folder>   a folder of ML.NET assemblies (Microsoft.ML.Core.dll, Microsoft.ML.Data.dll, ...)
#   MLNET_SOURCE=nuget          the Microsoft.ML package (feeds that serve it)
# Usage: eng/mlnet.sh [results folder (default artifacts/test-results/mlnet)] [extra `dotnet test` arguments]
# Exit status: 0 when everything passed, 1 when a test failed, 2 when the build failed, 3 when
# neither variable is set.
set -euo pipefail

LOG_TAG=mlnet
# shellcheck source=eng/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

SOLUTION=Microsoft.ML.Vae.MLNet.sln
TESTS=test/Microsoft.ML.Vae.Tests/Microsoft.ML.Vae.Tests.csproj
results="${1:-$TEST_RESULTS_DIR/mlnet}"
[ "$#" -gt 0 ] && shift

if [ "${MLNET_SOURCE:-}" = nuget ]; then
  props=(-p:MlNetSource=nuget)
  log "ML.NET from the Microsoft.ML package"
elif [ -n "${MLNET_ASSEMBLIES:-}" ]; then
  [ -d "$MLNET_ASSEMBLIES" ] || { log "MLNET_ASSEMBLIES=$MLNET_ASSEMBLIES is not a folder"; exit 3; }
  folder="$(cd "$MLNET_ASSEMBLIES" && pwd)"
  props=("-p:MlNetAssemblies=$folder")
  log "ML.NET from $folder"
else
  log "set MLNET_ASSEMBLIES=<folder of ML.NET assemblies> or MLNET_SOURCE=nuget"
  exit 3
fi

export OMP_WAIT_POLICY=PASSIVE
export GOMP_SPINCOUNT="${GOMP_SPINCOUNT:-10000}" # idle OpenMP workers spin ~0.1 ms, then sleep (docs/setup.md)
log "building $SOLUTION (Release)"
if ! dotnet build "$SOLUTION" -c Release -nologo "${props[@]}"; then
  log "build failed"
  exit 2
fi

mkdir -p "$results"
log "running the ML.NET layer tests (results in ${results#"$REPO_ROOT"/})"
if ! dotnet test "$TESTS" -c Release --no-build -nologo "${props[@]}" --logger trx --results-directory "$results" "$@"; then
  exit 1
fi
