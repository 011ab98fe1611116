#!/usr/bin/env bash
# Binding benchmark: builds bench/Microsoft.ML.Vae.Bench in Release, then runs it (TorchSharp over
# the libtorch of its NuGet package) and its PyTorch counterpart (bench/binding_bench.py, Debian's
# python3-torch) alternately, several rounds per case, and ends with a table of medians and
# C#/PyTorch ratios. The two sides run different libtorch builds (versions and BLAS): each JSON line
# says which. Takes about three minutes on 2 cores with the defaults. See bench/README.md.
#
#   eng/bench.sh                                   # 5 rounds of mlp, conv, op (+ C#-only op-raw), 2 threads
#   eng/bench.sh --rounds 7 --cases mlp,conv       # arguments go to bench/binding_compare.py
#
# Environment: PYTHON (default /usr/bin/python3). OMP_WAIT_POLICY is PASSIVE for both sides.
set -euo pipefail

LOG_TAG=bench
# shellcheck source=eng/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

PYTHON="${PYTHON:-/usr/bin/python3}"
PROJECT=bench/Microsoft.ML.Vae.Bench/Microsoft.ML.Vae.Bench.csproj

export OMP_WAIT_POLICY=PASSIVE
export GOMP_SPINCOUNT="${GOMP_SPINCOUNT:-10000}" # idle OpenMP workers spin ~0.1 ms, then sleep (docs/setup.md)
# Threads are set explicitly by both programs (--threads); a stray OMP_NUM_THREADS must not differ.
unset OMP_NUM_THREADS

"$PYTHON" -c 'import torch' 2>/dev/null ||
  die "$PYTHON cannot import torch (install python3-torch, e.g. with eng/setup.sh)"

log "building $PROJECT (Release)"
dotnet build "$PROJECT" -c Release -nologo -v quiet -clp:ErrorsOnly || die "build failed"

# The C# side's libtorch has MKL linked in; Debian's python3-torch uses whatever libblas.so.3 points at.
multiarch="$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")"
blas_alt="$(update-alternatives --query "libblas.so.3-$multiarch" 2>/dev/null | sed -n 's/^Value: //p' || true)"
log "PyTorch side's libblas.so.3: ${blas_alt:-unknown}"
log "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1) ($(nproc) cores)"
log "PyTorch side's torch: $("$PYTHON" -c 'import torch; print(torch.__version__)')"
log "uptime before: $(uptime)"
"$PYTHON" bench/binding_compare.py "$@"
log "uptime after: $(uptime)"
