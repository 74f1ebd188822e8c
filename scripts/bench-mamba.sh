#!/usr/bin/env bash
# One Mamba mixer's forward+backward (d_model 768, expand 2, d_state 16, d_conv 4) in Lrnn and in eager PyTorch.
#
# Runs tests/Lrnn.Benchmarks' MambaLayerBenchmarks (BenchmarkDotNet, in-process short job; it prints the median
# call as lrnn_mamba_fwd_bwd_ms=...) and scripts/bench_mamba_eager.py (prints pytorch_mamba_fwd_bwd_ms=...), one
# after the other so they do not share the cores, and prints
#   mamba layer fwd+bwd: Lrnn X ms, PyTorch eager Y ms, ratio Y/X = Z (target >= 1.0)
# Sizes and device come from env LRNN_MAMBA_B, LRNN_MAMBA_L (default 2 × 256) and LRNN_BENCH_DEVICE (cpu | cuda);
# the GPU run: LRNN_MAMBA_B=8 LRNN_MAMBA_L=2048 LRNN_BENCH_DEVICE=cuda scripts/bench-mamba.sh --exe ... --python python3
#
# Usage: scripts/bench-mamba.sh [--exe PATH] [--python PY]
#   --exe     a built or published Lrnn.Benchmarks executable; skips the build
#   --python  the Python with torch (default /usr/bin/python3)
set -euo pipefail
cd "$(dirname "$0")/.."

EXE=""
PY=/usr/bin/python3
while [ $# -gt 0 ]; do
  case "$1" in
    --exe) EXE="$2"; shift 2 ;;
    --python) PY="$2"; shift 2 ;;
    *) echo "bench-mamba.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
say() { printf '[bench-mamba] %s\n' "$*" >&2; }

if [ -z "$EXE" ]; then
  say "building tests/Lrnn.Benchmarks (Release)"
  dotnet build tests/Lrnn.Benchmarks -c Release -v quiet -nologo -clp:ErrorsOnly
  EXE=tests/Lrnn.Benchmarks/bin/Release/net10.0/Lrnn.Benchmarks
fi
LOG=$(mktemp)
BDN_DIR=$(mktemp -d)
trap 'rm -rf "$LOG" "$BDN_DIR"' EXIT

say "Lrnn: MambaLayerBenchmarks (B=${LRNN_MAMBA_B:-2}, L=${LRNN_MAMBA_L:-256}, ${LRNN_BENCH_DEVICE:-cpu})"
"$EXE" --filter '*MambaLayer*' --inProcess --job short --artifacts "$BDN_DIR" > "$LOG" 2>&1 ||
  { tail -n 40 "$LOG" >&2; echo "bench-mamba.sh: the Lrnn benchmark failed" >&2; exit 1; }
LRNN_MS=$(sed -n 's/^lrnn_mamba_fwd_bwd_ms=//p' "$LOG" | tail -n 1)
[ -n "$LRNN_MS" ] || { tail -n 40 "$LOG" >&2; echo "bench-mamba.sh: no lrnn_mamba_fwd_bwd_ms line" >&2; exit 1; }

say "PyTorch eager: scripts/bench_mamba_eager.py with $PY"
PY_OUT=$("$PY" scripts/bench_mamba_eager.py)
printf '%s\n' "$PY_OUT" | grep '^#' >&2 || true
TORCH_MS=$(printf '%s\n' "$PY_OUT" | sed -n 's/^pytorch_mamba_fwd_bwd_ms=//p')
[ -n "$TORCH_MS" ] || { echo "bench-mamba.sh: no pytorch_mamba_fwd_bwd_ms line" >&2; exit 1; }

awk -v x="$LRNN_MS" -v y="$TORCH_MS" \
  'BEGIN { printf "mamba layer fwd+bwd: Lrnn %.1f ms, PyTorch eager %.1f ms, ratio Y/X = %.2f (target >= 1.0)\n", x, y, y / x }'
