#!/usr/bin/env bash
# Sets the machine up (eng/setup.sh), builds the solution in Release, runs every test
# project with a TRX logger into artifacts/test-results and ends with the line
#   tests: N passed, N failed, N skipped
# Extra arguments go to `dotnet test`, e.g.  eng/test.sh --filter "FullyQualifiedName~Conv"
# Exit status: non-zero when setup or the build failed, a test failed or the run aborted.
set -euo pipefail

LOG_TAG=test
# shellcheck source=eng/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

SOLUTION=Microsoft.ML.Vae.sln

summary() { # passed failed skipped
  printf 'tests: %s passed, %s failed, %s skipped\n' "$1" "$2" "$3"
}

# Counts the test results of every .trx under $1; prints "passed failed skipped aborted files".
# Results are counted one by one: the VSTest TRX logger leaves skipped tests out of the
# notExecuted/inconclusive counters (they only show as total - executed). The Counters
# element is used only for a file without results.
parse_trx() {
  python3 - "$1" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

PASSED = {"Passed", "PassedButRunAborted", "Warning", "Completed"}
FAILED = {"Failed", "Error", "Timeout", "Aborted"}
passed = failed = skipped = aborted = files = 0
for path in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True)):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"[test] warning: cannot read {path}: {e}", file=sys.stderr)
        aborted += 1
        continue
    files += 1
    summary = root.find("{*}ResultSummary")
    crashed = summary is not None and summary.get("outcome", "") in ("Aborted", "Error")
    for info in root.iterfind(".//{*}RunInfo"):
        text = "".join(info.itertext()).lower()
        if info.get("outcome", "") == "Error" and ("crash" in text or "abort" in text):
            crashed = True
    aborted += crashed
    results = root.find("{*}Results")
    outcomes = [r.get("outcome", "") for r in results] if results is not None else []
    if outcomes:
        for o in outcomes:
            if o in PASSED:
                passed += 1
            elif o in FAILED:
                failed += 1
            else:  # NotExecuted, Inconclusive, NotRunnable, ...
                skipped += 1
        continue
    counters = summary.find("{*}Counters") if summary is not None else None
    if counters is None:
        aborted += 1
        continue
    c = {k: int(v) for k, v in counters.attrib.items() if v.isdigit()}
    passed += c.get("passed", 0) + c.get("passedButRunAborted", 0)
    failed += c.get("failed", 0) + c.get("error", 0) + c.get("timeout", 0) + c.get("aborted", 0)
    skipped += max(c.get("notExecuted", 0) + c.get("inconclusive", 0),
                   c.get("total", 0) - c.get("executed", 0))
print(passed, failed, skipped, aborted, files)
PY
}

# ---------------------------------------------------------------------------------------
if ! bash eng/setup.sh; then
  log "setup failed"
  summary 0 0 0
  exit 1
fi


log "building $SOLUTION (Release)"
if ! dotnet build "$SOLUTION" -c Release -nologo; then
  log "build failed"
  summary 0 0 0
  exit 1
fi

rm -rf "$TEST_RESULTS_DIR"
mkdir -p "$TEST_RESULTS_DIR"
log "running tests (results in artifacts/test-results)"
test_rc=0
# -m:1 runs the test projects one after another: each already uses every core through libtorch.
dotnet test "$SOLUTION" -c Release --no-build -nologo -m:1 \
  --logger "trx" --results-directory "$TEST_RESULTS_DIR" "$@" || test_rc=$?


counts="$(parse_trx "$TEST_RESULTS_DIR")" || counts="0 0 0 1 0"
read -r passed failed skipped aborted files <<<"$counts"
rc=0
if [ "$test_rc" -ne 0 ]; then
  log "dotnet test exited with $test_rc"
  rc=1
fi
if [ "$aborted" -ne 0 ]; then
  # A crashed test host loses the results of its project; count each such run as a failure.
  log "$aborted test run(s) aborted (test host crash?) or left no readable results"
  failed=$((failed + aborted))
  rc=1
fi
[ "$failed" -eq 0 ] || rc=1
[ "$files" -gt 0 ] || log "no test results were written"
summary "$passed" "$failed" "$skipped"
exit "$rc"
