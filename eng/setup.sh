#!/usr/bin/env bash
# Installs what the project needs on a Debian/Ubuntu machine and restores the NuGet packages.
# The engine (TorchSharp with libtorch 2.10) comes from NuGet; nothing native is compiled.
# Idempotent: when everything is installed it skips apt (a second run takes seconds).
#
# Debian packages:
#   python3                the libstdc++ compatibility patch of the build (eng/glibcxx_compat.py,
#                          needed where libstdc++ predates GCC 13, e.g. Debian 12) and the test summary
#   dataset-fashion-mnist  /usr/share/datasets/fashion-mnist/*-idx?-ubyte.gz (demo, tests, samples)
#   python3-torch          PyTorch 1.13, for the side-by-side benchmarks in bench/ and for writing a
#                          TorchScript file in one test; SKIP_PYTORCH=1 leaves it out
set -euo pipefail

LOG_TAG=setup
# shellcheck source=eng/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

PACKAGES=(python3 dataset-fashion-mnist)
[ "${SKIP_PYTORCH:-0}" = "1" ] || PACKAGES+=(python3-torch)

# ---------------------------------------------------------------------------------------
# 1. Debian packages
if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)"
    [ "${status:0:2}" = "ii" ] || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "packages: all ${#PACKAGES[@]} installed"
  else
    log "packages: installing ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    for p in "${missing[@]}"; do
      status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)"
      [ "${status:0:2}" = "ii" ] || die "package $p did not install"
    done
    log "packages: done"
  fi
else
  warn "not a Debian system: install python3 and Fashion-MNIST yourself (docs/setup.md)"
fi

# ---------------------------------------------------------------------------------------
# 2. .NET SDK and data
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet 10) is not on PATH"
dotnet_version="$(dotnet --version 2>/dev/null || true)"
case "$dotnet_version" in
  1[0-9].* | [2-9][0-9].*) log "dotnet: SDK $dotnet_version" ;;
  *) die "need the .NET 10 SDK, found '${dotnet_version:-none}'" ;;
esac
fmnist=/usr/share/datasets/fashion-mnist
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz \
  t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [ -f "$fmnist/$f" ] || warn "$fmnist/$f is missing (package dataset-fashion-mnist): Fashion-MNIST tests will be skipped"
done

# ---------------------------------------------------------------------------------------
# 3. libstdc++: report which path the build will take (eng/backend.targets applies it)
# (awk reads to the end: an early exit would stop ldconfig with SIGPIPE, which pipefail turns into a failure)
libstdcxx="$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ && !found {print $NF; found = 1}' || true)"
if [ -n "$libstdcxx" ] && command -v python3 >/dev/null 2>&1; then
  case "$(python3 eng/glibcxx_compat.py check "$libstdcxx")" in
    needed) log "libstdc++: $libstdcxx lacks GLIBCXX_3.4.32; the build patches TorchSharp's native library in each output folder" ;;
    not-needed) log "libstdc++: $libstdcxx is new enough for TorchSharp; nothing to patch" ;;
  esac
fi

# ---------------------------------------------------------------------------------------
# 4. NuGet packages (TorchSharp, libtorch, ML.NET, SkiaSharp, test framework)
log "restoring NuGet packages"
dotnet restore Microsoft.ML.Vae.sln -nologo -v q >/dev/null || {
  dotnet restore Microsoft.ML.Vae.sln -nologo -v m | tail -n 30 >&2
  die "dotnet restore failed"
}
log "done"
