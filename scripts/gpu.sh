#!/usr/bin/env bash
# Prepares a GPU run and prints the device-tool call that performs it. The device tool is not a shell command:
# whoever holds it (the lead) makes the `run` call printed below. It sends the checkout of the session that
# holds the tool, so run this script in that checkout, with the code to test merged there.
#
# Usage: scripts/gpu.sh [--bench]
#   --bench  also publish the benchmarks and run the overhead table there (adds about 2 minutes)
# What the run does on the machine: scripts/gpu-remote.sh (build the shim against its CUDA torch, run the tests,
# summarise the CUDA tests; results come back in summary.txt, build.log, tests.log, tests.xml, bench/*).
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_FLAG=""
case "${1:-}" in
  --bench) BENCH_FLAG=" --bench" ;;
  "") ;;
  *) echo "gpu.sh: unknown argument $1" >&2; exit 2 ;;
esac

# The bundle is git-ignored: it reaches the machine only as a carried path.
grep -qxF '/.gpu/' .gitignore || { echo "gpu.sh: .gitignore must ignore /.gpu/" >&2; exit 1; }
scripts/publish.sh $BENCH_FLAG

cat <<CALL

Device call (tool "run"; one call does everything, well inside its 10-minute limit):
  command:   bash scripts/gpu-remote.sh$BENCH_FLAG
  carry:     [".gpu/bundle.tar.xz"]
  timeout_s: 600
  kind:      nvidia-h200 (any single-GPU kind will do)
Read summary.txt first: it has the "cuda tests: N passed, N failed, N skipped" line and the failed names.
CALL
