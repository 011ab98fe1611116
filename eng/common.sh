# Shared helpers for the eng/ scripts. Source it; do not run it.
# shellcheck shell=bash

# Repository root: the parent of the folder holding this file.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# Where eng/test.sh writes its test results.
TEST_RESULTS_DIR="$REPO_ROOT/artifacts/test-results"

# Progress and error lines: "[setup] ..." / "[test] ...". Set LOG_TAG before logging.
LOG_TAG="${LOG_TAG:-eng}"
log() { printf '[%s] %s\n' "$LOG_TAG" "$*"; }
warn() { printf '[%s] warning: %s\n' "$LOG_TAG" "$*" >&2; }
die() {
  printf '[%s] error: %s\n' "$LOG_TAG" "$*" >&2
  exit 1
}

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $* (run as root or install sudo)"
  fi
}

# The .NET CLI without first-run banners or telemetry.
export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
