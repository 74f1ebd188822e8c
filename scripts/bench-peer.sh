#!/usr/bin/env bash
# Lrnn side by side with lrnnx (the PyTorch library Lrnn follows, with its own CUDA kernels) on one GPU: the layer
# grid of lrnnx's paper benchmark (S5, LRU, Mamba at d_model 128, d_state 16, B = 32, L = 256/1024/2048, forward and
# backward) and two LMs' training steps (mamba24, hybrid12; fp32 and bf16 autocast, peak memory, MFU), each side
# printing one JSON object per line, then the table of ratios (lrnnx's time / Lrnn's: above 1, Lrnn is faster).
#
# Lrnn's side: `Lrnn.Benchmarks peer` (tests/Lrnn.Benchmarks/PeerGrid.cs). lrnnx's side: lrnnx's benchmark script
# (PEER_BENCH, lrnnx_bench.py), run only when an lrnnx checkout with its CUDA extensions built in place is given
# (LRNNX_DIR); otherwise the ratios are taken against a recorded lrnnx JSON-lines file (PEER_RECORDED), if any.
# lrnnx's build takes about 11 minutes, more than one device call: start it in one call with --start-lrnnx (it runs
# detached, in /tmp, outside the working tree that the next call lays anew) and run this script in a later call while
# the machine is still warm; LRNNX_DIR=/tmp/lrnnx is used when /tmp/lrnnx.rc holds 0.
#
# Usage, on the GPU machine, after scripts/gpu.sh --bench (the lead carries lrnnx's folder into .gpu/peer):
#   bash scripts/gpu-remote.sh --bench --then scripts/bench-peer.sh       (sourced: sees $UNPACKED and $OUT)
#   bash scripts/bench-peer.sh --exe PATH/Lrnn.Benchmarks [--out DIR]     (standalone)
#   bash scripts/bench-peer.sh --start-lrnnx                               (start lrnnx's build, return at once)
# Environment: PEER_PARTS (default "layers lm": any of layers, lm, mamba24, hybrid12, S5, LRU, Mamba), PEER_DIR (the
# peer folder, default .gpu/peer), PEER_BENCH (default $PEER_DIR/lrnnx_bench.py), LRNNX_DIR, PEER_RECORDED (default
# the newest $PEER_DIR/lrnnx-*.jsonl), PEER_QUICK=1 (lrnnx's --quick sizes, for a dry run), PEER_PROFILE ("Mamba:2048":
# a Kineto summary of that layer_train point, kernel by kernel).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PEER_DIR=${PEER_DIR:-.gpu/peer}
PEER_BENCH=${PEER_BENCH:-$PEER_DIR/lrnnx_bench.py}
PARTS=${PEER_PARTS:-layers lm}
EXE=""
PEER_OUT=""
if [ -n "${UNPACKED:-}" ]; then   # sourced by gpu-remote.sh: its arguments are not ours
  EXE="$UNPACKED/bench/Lrnn.Benchmarks"
  PEER_OUT="$UNPACKED/peer"   # what comes back is then.log (this output); the files stay on the machine
else
  while [ $# -gt 0 ]; do
    case "$1" in
      --exe) EXE="$2"; shift 2 ;;
      --out) PEER_OUT="$2"; shift 2 ;;
      --start-lrnnx)
        [ -d "$PEER_DIR/lrnnx" ] || { echo "bench-peer.sh: no $PEER_DIR/lrnnx to build" >&2; exit 1; }
        rm -rf /tmp/lrnnx /tmp/lrnnx.rc && cp -r "$PEER_DIR/lrnnx" /tmp/lrnnx && cd /tmp/lrnnx &&
          setsid bash -c 'TORCH_CUDA_ARCH_LIST=9.0 MAX_JOBS=$(nproc) python3 setup.py build_ext --inplace > /tmp/lrnnx.log 2>&1; echo $? > /tmp/lrnnx.rc' \
            < /dev/null > /dev/null 2>&1 &
        echo "lrnnx's build started in /tmp/lrnnx (log /tmp/lrnnx.log, exit code in /tmp/lrnnx.rc when done)"
        exit 0 ;;
      *) echo "bench-peer.sh: unknown argument $1" >&2; exit 2 ;;
    esac
  done
  PEER_OUT=${PEER_OUT:-artifacts/peer}
fi
[ -x "$EXE" ] || { echo "bench-peer.sh: no benchmark executable (--exe, or scripts/publish.sh --bench)" >&2; exit 1; }
mkdir -p "$PEER_OUT"
QUICK=()
[ "${PEER_QUICK:-0}" = 1 ] && QUICK=(--quick)
read -ra PART_ARGS <<<"$PARTS"

echo "== Lrnn: $EXE peer ${PART_ARGS[*]} ${QUICK[*]}"
"$EXE" peer "${PART_ARGS[@]}" "${QUICK[@]}" | tee "$PEER_OUT/lrnn.jsonl"
STATUS=${PIPESTATUS[0]}
# PEER_PROFILE="Mamba:2048 ...": where one layer_train step of those points spends its GPU time (Kineto).
for point in ${PEER_PROFILE:-}; do
  echo "== Lrnn: profile of layer_train ${point%%:*} at L=${point##*:}"
  "$EXE" peer profile "${point%%:*}" "${point##*:}" "$PEER_OUT/profile-${point%%:*}-${point##*:}.json" | grep -v '^timeline:     +' || STATUS=1
done

if [ -z "${LRNNX_DIR:-}" ] && [ "$(cat /tmp/lrnnx.rc 2>/dev/null)" = 0 ]; then LRNNX_DIR=/tmp/lrnnx; fi
PEER_FILE=""
if [ -n "${LRNNX_DIR:-}" ]; then
  # lrnnx's script knows the parts layers, lm, mamba24 and hybrid12 (a mixer name alone selects nothing there).
  LX_PARTS=()
  for p in "${PART_ARGS[@]}"; do
    case $p in S5|LRU|Mamba) LX_PARTS+=(layers) ;; *) LX_PARTS+=("$p") ;; esac
  done
  echo "== lrnnx: $PEER_BENCH ${LX_PARTS[*]} (LRNNX_DIR=$LRNNX_DIR)"
  LRNNX_DIR="$LRNNX_DIR" python3 "$PEER_BENCH" $(printf '%s\n' "${LX_PARTS[@]}" | sort -u) "${QUICK[@]}" | tee "$PEER_OUT/lrnnx.jsonl"
  [ "${PIPESTATUS[0]}" = 0 ] || STATUS=1
  PEER_FILE="$PEER_OUT/lrnnx.jsonl"
else
  PEER_FILE=${PEER_RECORDED:-$(ls -1 "$PEER_DIR"/lrnnx-*.jsonl 2>/dev/null | sort | tail -n 1)}
  [ -n "$PEER_FILE" ] && echo "== lrnnx not run here (no LRNNX_DIR): ratios against the recorded $PEER_FILE"
fi

if [ -n "$PEER_FILE" ] && [ -f "$PEER_FILE" ]; then
  python3 - "$PEER_OUT/lrnn.jsonl" "$PEER_FILE" <<'PYEOF' | tee "$PEER_OUT/ratios.md"
import json, sys

def rows(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            out[(r["what"], r.get("mixer") or r.get("model"), r.get("L") or r.get("steps") or r.get("tokens"))] = r
    return out

lrnn, lrnnx = rows(sys.argv[1]), rows(sys.argv[2])
print("| measure | Lrnn | lrnnx | lrnnx / Lrnn |")
print("|---|---:|---:|---:|")
for key, ours in lrnn.items():
    what, name, size = key
    # bf16 rows compare with lrnnx's fp32 step (its scan kernels are fp32-only)
    theirs = lrnnx.get(key) or (lrnnx.get(("lm_train", name, size)) if what == "lm_train_bf16" else None)
    if theirs is None or "ms" not in ours:
        continue
    label = f"{what} {name} L={size}"
    extra = ""
    if "tokens_per_s" in ours:
        extra = f", {ours['tokens_per_s']:,.0f} tok/s, {ours.get('peak_mib', 0) / 1024:.1f} GiB"
        if "mfu_vs_bf16_matmul" in ours:
            extra += f", MFU {100 * ours['mfu_vs_bf16_matmul']:.1f}%"
        extra_peer = f", {theirs['tokens_per_s']:,.0f} tok/s, {theirs.get('peak_mib', 0) / 1024:.1f} GiB"
    else:
        extra_peer = ""
    print(f"| {label} | {ours['ms']:.2f} ms{extra} | {theirs['ms']:.2f} ms{extra_peer} | {theirs['ms'] / ours['ms']:.2f} |")
PYEOF
fi
exit "$STATUS"
