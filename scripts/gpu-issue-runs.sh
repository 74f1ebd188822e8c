#!/usr/bin/env bash
# The issue benchmarks that need a GPU, sourced by scripts/gpu-remote.sh --then scripts/gpu-issue-runs.sh after
# the test suite (it sees $UNPACKED: the unpacked bundle, $OUT: what comes back, $LRNN_NATIVE: the shim).
# Each run writes its BenchmarkDotNet table to $OUT/<name>.md. Short jobs: the whole file must fit in the rest
# of a 10-minute device call.
BENCH="$UNPACKED/bench/Lrnn.Benchmarks"
[ -x "$BENCH" ] || { echo "gpu-issue-runs: the bundle has no benchmarks (scripts/publish.sh --bench)"; return 1; }
run_bench() {  # name, filter, extra environment assignments...
  local name=$1 filter=$2; shift 2
  echo "== $name ($filter) $*"
  ( cd "$UNPACKED" && env "$@" "$BENCH" --filter "$filter" --inProcess --job short --exporters markdown \
      --artifacts "$UNPACKED/bdn-$name" > "$OUT/$name.log" 2>&1 )
  local rc=$?
  grep -E '^\||peak|ratio' "$OUT/$name.log" | tee "$OUT/$name.md"
  return $rc
}

# Issue 6: fused linear cross-entropy against the materialised default at the size, bf16.
run_bench flce '*FusedLinearCrossEntropy*' LRNN_FLCE_N=8192 LRNN_FLCE_H=2048 LRNN_FLCE_V=128256 \
  LRNN_FLCE_DEVICE=cuda LRNN_FLCE_DTYPE=BFloat16

# Issue 4: every LTI mixer's forward and forward+backward against its own token loop and the copy floor, at
# (B=8, L=2048, d_model=768), then S4D at d_model=1536 for the "within 15× of the copy floor" target.
run_bench lti-768 '*LtiMixer*' LRNN_BENCH_PRESET=gpu LRNN_BENCH_DEVICE=cuda
run_bench lti-1536 '*LtiMixer*' LRNN_BENCH_PRESET=gpu-wide LRNN_BENCH_MIXERS=S4D LRNN_BENCH_DEVICE=cuda
