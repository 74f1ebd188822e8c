#!/usr/bin/env bash
# The issue benchmarks (and the shipped checkpoint's training) that need a GPU. Sourced by
#   bash scripts/gpu-remote.sh --bench --then scripts/gpu-issue-runs.sh
# after the test suite; it sees $UNPACKED (the unpacked bundle: scripts/publish.sh --bench --pretrain), $OUT (what
# comes back: at most 8 files, so full logs stay on the machine and only the tables reach then.log) and
# $LRNN_NATIVE. GPU_RUNS selects what runs (default: all): flce lti scans mamba pretrain (lti-1536: only the target row;
# s4d-parts: S4D's forward part by part, with and without the CUDA kernels (S4D_PARTS_ATEN=0: with them only;
# S4D_PARTS_FILTER: globs);
# LTI_FILTER: globs for lti/lti-1536;
# timeline: S4D's forward timeline and Kineto trace summary, TIMELINE_MIXER picks another mixer).
BENCH="$UNPACKED/bench/Lrnn.Benchmarks"
LOGS="$UNPACKED/logs"
mkdir -p "$LOGS"
RUNS=${GPU_RUNS:-flce lti scans mamba pretrain}
STATUS=0

run_bench() {  # name, filters (space-separated globs), extra environment assignments... (BDN_JOB: the job, empty for classes that set their own)
  local name=$1 filter=$2 filters; shift 2
  read -ra filters <<<"$filter"
  echo "== $name ($filter) $*"
  # shellcheck disable=SC2086
  ( cd "$UNPACKED" && env "$@" "$BENCH" --filter "${filters[@]}" --inProcess ${BDN_JOB---job short} --artifacts "$LOGS/bdn-$name" \
      > "$LOGS/$name.log" 2>&1 ) || { STATUS=1; tail -n 30 "$LOGS/$name.log"; }
  grep -E '^\||peak|ratio|_ms=' "$LOGS/$name.log"
}

for run in $RUNS; do
  case $run in
    flce)   # Issue 6: fused linear cross-entropy against the materialised default, bf16, the issue's size.
      run_bench flce '*FusedLinearCrossEntropy*' LRNN_FLCE_N=8192 LRNN_FLCE_H=2048 LRNN_FLCE_V=128256 \
        LRNN_FLCE_DEVICE=cuda LRNN_FLCE_DTYPE=BFloat16 ;;
    lti|lti-1536)  # Issue 4: each LTI mixer against its token loop and the copy floor; S4D at d_model=1536 for the target.
      # S4 is left out: with gradients enabled its Step rebuilds dA^l_kernel per token, so the 2048-step baseline takes minutes.
      [ "$run" = lti ] && BDN_JOB="" run_bench lti-768 '*LtiMixer*' LRNN_BENCH_PRESET=gpu LRNN_BENCH_MIXERS=LRU,S4D,S5,Centaurus LRNN_BENCH_DEVICE=cuda
      BDN_JOB="" run_bench lti-1536 "${LTI_FILTER:-*LtiMixer*}" LRNN_BENCH_PRESET=gpu-wide LRNN_BENCH_MIXERS=S4D LRNN_BENCH_TF32=both LRNN_BENCH_DEVICE=cuda ;;
    s4d-parts)  # Issue 4: S4D's forward part by part (gpu-wide, TF32), with the convolution kernel and on ATen's FFTs.
      BDN_JOB="" run_bench s4d-parts "${S4D_PARTS_FILTER:-*S4DForwardParts*}" LRNN_BENCH_PRESET=gpu-wide LRNN_BENCH_TF32=1 LRNN_BENCH_DEVICE=cuda
      [ "${S4D_PARTS_ATEN:-1}" = 1 ] &&
        BDN_JOB="" run_bench s4d-parts-aten '*S4DForwardParts*' LRNN_BENCH_PRESET=gpu-wide LRNN_BENCH_TF32=1 LRNN_BENCH_DEVICE=cuda LRNN_CUDA_KERNELS=0 ;;
    timeline)  # Issue 4: S4D's forward at gpu-wide (TF32): host issue time, latency, throughput, and a Kineto trace summary.
      echo "== timeline"
      ( cd "$UNPACKED" && LRNN_BENCH_PRESET=gpu-wide LRNN_BENCH_TF32=1 LRNN_BENCH_DEVICE=cuda \
          "$BENCH" timeline "${TIMELINE_MIXER:-S4D}" "$LOGS/timeline.json" > "$LOGS/timeline.log" 2>&1 ) || { STATUS=1; tail -n 30 "$LOGS/timeline.log"; }
      grep '^timeline' "$LOGS/timeline.log" ;;
    scans)  # Issue 5: linear_scan (B=8, L=2048, D=1536, fp32) and Mamba's selective scan against the copy floor.
      run_bench scans '*ScanBenchmarks*' LRNN_BENCH_SIZE=paper LRNN_BENCH_DEVICE=cuda ;;
    mamba)  # Issue 5: a Mamba layer's forward+backward against PyTorch eager on the same GPU.
      if [ -f scripts/bench-mamba.sh ]; then
        LRNN_MAMBA_B=8 LRNN_MAMBA_L=2048 LRNN_BENCH_DEVICE=cuda timeout 300 \
          bash scripts/bench-mamba.sh --exe "$BENCH" --python python3 > "$LOGS/mamba.log" 2>&1 || STATUS=1
        grep -E '_ms=|ratio|Error|error' "$LOGS/mamba.log" | tail -n 6
      fi ;;
    pretrain)  # Issue 7: the shipped checkpoint (GPU preset), written straight into $OUT/kjv.
      echo "== pretrain (gpu preset)"
      "$UNPACKED/pretrain/Pretrain" --preset gpu --device cuda --corpus artifacts/corpus/kjv.txt --out "$LOGS/kjv" \
        --max-minutes "${PRETRAIN_MINUTES:-5}" > "$LOGS/pretrain.log" 2>&1 || STATUS=1
      grep -E 'validation loss|Done|parameters' "$LOGS/pretrain.log" | tail -n 8
      sed -n '/sampled/,$p' "$LOGS/pretrain.log" | head -n 20
      mkdir -p "$OUT/kjv"
      for f in config.json model.safetensors tokenizer.json loss.png; do
        [ -f "$LOGS/kjv/$f" ] && cp "$LOGS/kjv/$f" "$OUT/kjv/"
      done ;;
    *) echo "gpu-issue-runs: unknown run '$run'"; STATUS=1 ;;
  esac
done
return $STATUS
