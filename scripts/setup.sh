#!/usr/bin/env bash
# Makes a Debian machine ready to build Lrnn, then builds it. Idempotent: a second run only rebuilds.
#
# libtorch is chosen in this order (the same order CMake uses; see src/Lrnn.Torch.Native/CMakeLists.txt):
#   1. $LIBTORCH (a libtorch folder with include/ and lib/, e.g. PyTorch's CUDA libtorch);
#   2. the Python `torch` package of $LRNN_PYTHON (default python3), if it ships headers (pip wheels do);
#   3. the system libtorch (Debian's libtorch-dev 1.13, CPU), installed here with apt if missing.
# Usage: scripts/setup.sh [--configuration Release|Debug]
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=Release
while [ $# -gt 0 ]; do
  case "$1" in
    --configuration|-c) CONFIG="$2"; shift 2 ;;
    *) echo "setup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing with apt: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup.sh: the .NET SDK (10.0) is required and is not on PATH." >&2
  exit 1
fi

apt_install cmake g++ make
# ScottPlot (the loss curve) draws text with SkiaSharp, which finds fonts through fontconfig.
apt_install fontconfig fonts-dejavu-core

PY=${LRNN_PYTHON:-python3}
if [ -n "${LIBTORCH:-}" ]; then
  [ -d "$LIBTORCH/include/torch/csrc/api/include" ] || { echo "setup.sh: LIBTORCH=$LIBTORCH has no include/torch/csrc/api/include" >&2; exit 1; }
  say "libtorch: \$LIBTORCH = $LIBTORCH"
elif TORCH_DIR=$($PY -c 'import torch,os;print(os.path.dirname(torch.__file__))' 2>/dev/null) && [ -d "$TORCH_DIR/include/torch/csrc/api/include" ]; then
  CUDA=$($PY -c 'import torch;print(torch.version.cuda or "none")' 2>/dev/null || echo none)
  say "libtorch: Python torch package at $TORCH_DIR (CUDA: $CUDA)"
else
  apt_install libtorch-dev
  say "libtorch: system (Debian libtorch-dev $(dpkg-query -W -f='${Version}' libtorch-dev))"
  # Debian's libtorch calls BLAS/LAPACK through libblas.so.3/liblapack.so.3, which default to the reference
  # implementation (a 1024² fp32 matmul at ~6 GFLOP/s on a 2-core machine against ~100 with OpenBLAS).
  # Installing OpenBLAS registers it in Debian's alternatives at a higher priority, so those links now lead to it.
  apt_install libopenblas0-pthread
  for alt in libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu; do
    if update-alternatives --query "$alt" >/dev/null 2>&1; then
      target=$(update-alternatives --query "$alt" | sed -n 's/^Value: //p')
      case "$target" in
        *openblas*) say "$alt -> $target" ;;
        *) say "warning: $alt -> $target (not OpenBLAS: run 'update-alternatives --auto $alt' as root)" ;;
      esac
    fi
  done
fi

# A libtorch change needs a fresh CMake configure: remember what the cache was made for.
STAMP="libtorch=${LIBTORCH:-}|py=$PY"
CACHE_DIR=artifacts/native
if [ -f "$CACHE_DIR/.lrnn-setup" ] && [ "$(cat "$CACHE_DIR/.lrnn-setup")" != "$STAMP" ]; then
  say "libtorch choice changed: reconfiguring the native build"
  rm -rf "$CACHE_DIR"
fi
mkdir -p "$CACHE_DIR" && echo "$STAMP" > "$CACHE_DIR/.lrnn-setup"

# The pretraining corpus (Debian's bible-kjv-text, decoded to plain text; see the script).
scripts/install-corpus.sh

say "building Lrnn.sln ($CONFIG)"
dotnet build Lrnn.sln -c "$CONFIG" -v quiet -nologo -clp:ErrorsOnly -p:LrnnPython="$PY"
say "ready"
