#!/usr/bin/env bash
# Builds Lrnn (installing what is missing; see setup.sh) and runs the whole test suite.
# Prints a closing line "tests: N passed, N failed, N skipped". Extra arguments go to the xunit v3 runner
# (for example: scripts/test.sh -class Lrnn.Tests.Torch.ErrorHandlingTests); with no arguments it first runs
# scripts/package-check.sh (pack, then build and run a consumer of the packages).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --configuration Release
# The NuGet packages and a consumer outside the solution built from them (LRNN_SKIP_PACKAGE_CHECK=1 skips it, e.g. when
# running a single test class).
if [ -z "${LRNN_SKIP_PACKAGE_CHECK:-}" ] && [ $# -eq 0 ]; then scripts/package-check.sh; fi
EXE=tests/Lrnn.Tests/bin/Release/net10.0/Lrnn.Tests
LOG=$(mktemp)
set +e
"$EXE" -noColor "$@" 2>&1 | tee "$LOG"
RC=${PIPESTATUS[0]}
set -e
SUMMARY=$(grep -E "Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+" "$LOG" | tail -n 1 || true)
rm -f "$LOG"
if [ -z "$SUMMARY" ]; then
  echo "tests: the runner printed no summary (exit code $RC)" >&2
  exit $(( RC == 0 ? 1 : RC ))
fi
total=$(sed -E 's/.*Total: ([0-9]+).*/\1/' <<<"$SUMMARY")
errors=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$SUMMARY")
failed=$(sed -E 's/.*Failed: ([0-9]+).*/\1/' <<<"$SUMMARY")
skipped=$(sed -E 's/.*Skipped: ([0-9]+).*/\1/' <<<"$SUMMARY")
notrun=$(sed -E 's/.*Not Run: ([0-9]+).*/\1/' <<<"$SUMMARY")
passed=$(( total - failed - skipped - notrun ))
echo "tests: $passed passed, $(( failed + errors )) failed, $skipped skipped"
if [ "$total" -eq 0 ]; then echo "tests: no test ran" >&2; exit 1; fi
exit "$RC"
