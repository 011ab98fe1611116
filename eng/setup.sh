#!/usr/bin/env bash
# Installs what the project needs from Debian's packages, pins libtorch's BLAS to OpenBLAS,
# and builds the native libtorch shim (src/Native) into artifacts/native.
# Idempotent: when everything is installed it skips apt and cmake rebuilds only what changed.
#
# Environment:
#   TORCH_DIR         folder holding TorchConfig.cmake of another libtorch (passed as -DTorch_DIR)
#   OPENBLAS_VARIANT  openmp (default) or pthread: which OpenBLAS build libblas.so.3 points at;
#                     see docs/setup.md, "Which OpenBLAS"
#   SKIP_NATIVE=1     install and check packages only, do not build the shim
set -euo pipefail

LOG_TAG=setup
# shellcheck source=eng/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

OPENBLAS_VARIANT="${OPENBLAS_VARIANT:-openmp}"
case "$OPENBLAS_VARIANT" in
  openmp | pthread) ;;
  *) die "OPENBLAS_VARIANT must be openmp or pthread, not '$OPENBLAS_VARIANT'" ;;
esac

# Debian packages. Recommends are not installed; none of them is needed (cmake only
# recommends make, listed here, and libtorch only recommends a BLAS, listed here too).
PACKAGES=(
  libtorch-dev          # libtorch 1.13 (CPU) headers, libraries and CMake config
  libopenblas0-openmp   # OpenBLAS on libgomp, libtorch's own thread pool: libtorch's BLAS (see docs/setup.md)
  libopenblas0-pthread  # OpenBLAS on its own threads: the other choice, OPENBLAS_VARIANT=pthread
  libstb-dev            # stb_image_write for PNG output
  cmake
  make
  g++
  python3-torch         # the same libtorch from Python, for bench/ only
  dataset-fashion-mnist # /usr/share/datasets/fashion-mnist/*-idx?-ubyte.gz
)

# ---------------------------------------------------------------------------------------
# 1. packages
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
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${PACKAGES[@]}"
  for p in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)"
    [ "${status:0:2}" = "ii" ] || die "package $p did not install"
  done
  log "packages: done"
fi

# ---------------------------------------------------------------------------------------
# 2. libtorch's BLAS -> OpenBLAS ($OPENBLAS_VARIANT)
# libtorch links libblas.so.3 and liblapack.so.3; Debian picks the library behind each with
# update-alternatives. The OpenBLAS libblas.so.3 finds libopenblas.so.0 through $ORIGIN, that
# is the multiarch folder, so the libopenblas.so.0 alternative must point at the same build.
multiarch="$(gcc -print-multiarch 2>/dev/null || true)"
[ -n "$multiarch" ] || multiarch="$(uname -m)-linux-gnu"
libdir="/usr/lib/$multiarch"
blas_dir="$libdir/openblas-$OPENBLAS_VARIANT"
for lib in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  name="$lib-$multiarch"
  want="$blas_dir/$lib"
  [ -e "$want" ] || die "$want is missing (is libopenblas0-$OPENBLAS_VARIANT installed?)"
  query="$(update-alternatives --query "$name" 2>/dev/null)" ||
    die "no alternative $name: OpenBLAS does not seem installed"
  value="$(sed -n 's/^Value: //p' <<<"$query")"
  mode="$(sed -n 's/^Status: //p' <<<"$query")"
  if [ "$value" != "$want" ] || [ "$mode" != "manual" ]; then
    log "blas: $name -> $want"
    as_root update-alternatives --set "$name" "$want" >/dev/null
  fi
done
# Check what the linker will really load.
for lib in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  real="$(readlink -f "$libdir/$lib" || true)"
  case "$real" in
    "$blas_dir"/*) ;;
    *) die "$libdir/$lib resolves to '${real:-nothing}', not to OpenBLAS in $blas_dir" ;;
  esac
done
value="$(update-alternatives --query "libblas.so.3-$multiarch" | sed -n 's/^Value: //p')"
[ "$value" = "$blas_dir/libblas.so.3" ] ||
  die "update-alternatives reports libblas.so.3 -> '$value', expected $blas_dir/libblas.so.3"
log "blas: libblas.so.3 -> $(readlink -f "$libdir/libblas.so.3")"

# ---------------------------------------------------------------------------------------
# 3. other tools and data
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet 10) is not on PATH"
dotnet_version="$(dotnet --version 2>/dev/null || true)"
case "$dotnet_version" in
  1[0-9].* | [2-9][0-9].*) log "dotnet: SDK $dotnet_version" ;;
  *) die "need the .NET 10 SDK, found '${dotnet_version:-none}'" ;;
esac
fmnist=/usr/share/datasets/fashion-mnist
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz \
  t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [ -f "$fmnist/$f" ] || die "$fmnist/$f is missing (package dataset-fashion-mnist)"
done

# ---------------------------------------------------------------------------------------
# 4. native shim
if [ "${SKIP_NATIVE:-0}" = "1" ]; then
  log "native: skipped (SKIP_NATIVE=1)"
  exit 0
fi
[ -f src/Native/CMakeLists.txt ] || die "src/Native/CMakeLists.txt is missing"
cache="$NATIVE_BUILD_DIR/CMakeCache.txt"
if [ -f "$cache" ]; then
  # A cache from another checkout folder or for another libtorch cannot be reused.
  cached_src="$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")"
  cached_torch="$(sed -n 's/^Torch_DIR:[A-Z]*=//p' "$cache")"
  if [ "$cached_src" != "$REPO_ROOT/src/Native" ]; then
    log "native: build folder was configured for '$cached_src'; configuring afresh"
    rm -rf "$NATIVE_BUILD_DIR"
  elif [ -n "${TORCH_DIR:-}" ] &&
    [ "$(readlink -f "$cached_torch" 2>/dev/null || echo "$cached_torch")" != "$(readlink -f "$TORCH_DIR")" ]; then
    log "native: Torch_DIR changed ($cached_torch -> $TORCH_DIR); configuring afresh"
    rm -rf "$NATIVE_BUILD_DIR"
  fi
fi
mkdir -p "$(dirname "$NATIVE_BUILD_DIR")"
if [ ! -f "$cache" ]; then
  cmake_args=(-S src/Native -B "$NATIVE_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release)
  if [ -n "${TORCH_DIR:-}" ]; then
    [ -d "$TORCH_DIR" ] || die "TORCH_DIR=$TORCH_DIR is not a folder"
    cmake_args+=("-DTorch_DIR=$(readlink -f "$TORCH_DIR")")
  fi
  log "native: configuring (cmake ${cmake_args[*]})"
  cmake "${cmake_args[@]}" >"$NATIVE_BUILD_DIR.configure.log" 2>&1 || {
    tail -n 40 "$NATIVE_BUILD_DIR.configure.log" >&2
    die "cmake configure failed (full log: artifacts/native.configure.log)"
  }
fi
log "native: building"
cmake --build "$NATIVE_BUILD_DIR" -j2 || die "native build failed"
log "native: done ($(find "$NATIVE_BUILD_DIR" -maxdepth 1 -name 'lib*.so*' -printf '%f ' 2>/dev/null))"
