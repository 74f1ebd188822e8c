#!/usr/bin/env bash
# Runs ON the GPU machine (see scripts/gpu.sh), from the repository root; that machine has no .NET and no network.
#   1. builds the shim with CMake against the machine's Python torch (CUDA when libtorch_cuda.so is there);
#   2. unpacks .gpu/bundle.tar.xz (scripts/publish.sh) and runs the published tests against that shim;
#   3. writes to $OUT: summary.txt (all tests, and the CUDA tests apart), build.log, tests.log, tests.xml;
#   4. with --bench, also runs scripts/bench-overhead.sh with the published benchmarks into $OUT/bench/;
#   5. with --then SCRIPT, sources SCRIPT last (it sees $UNPACKED, $OUT, $LRNN_NATIVE; e.g. scripts/gpu-issue-runs.sh).
# It runs on a CPU machine too, as a dry run of the whole path: CMake then falls back to $LIBTORCH or the system
# libtorch (its usual order) and every CUDA test is reported skipped. $OUT defaults to artifacts/gpu-out.
#
# Usage: bash scripts/gpu-remote.sh [--bench] [--then SCRIPT] [--python PY] [--bundle FILE] [-- xunit arguments...]
set -uo pipefail
cd "$(dirname "$0")/.."

WITH_BENCH=0
PY=${LRNN_PYTHON:-python3}
BUNDLE=.gpu/bundle.tar.xz
THEN=""
XUNIT_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bench) WITH_BENCH=1; shift ;;
    --python) PY="$2"; shift 2 ;;
    --bundle) BUNDLE="$2"; shift 2 ;;
    --then) THEN="$2"; shift 2 ;;
    --) shift; XUNIT_ARGS=("$@"); break ;;
    *) echo "gpu-remote.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

OUT=${OUT:-artifacts/gpu-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BUILD=artifacts/native/gpu
UNPACKED=$(mktemp -d)
trap 'rm -rf "$UNPACKED"' EXIT
say() { printf '[gpu-remote] %s\n' "$*"; }
fail() { say "FAILED: $*"; echo "FAILED: $*" >> "$OUT/summary.txt"; exit 1; }
: > "$OUT/summary.txt"

# ---- the machine -----------------------------------------------------------------------------------------
{
  echo "host: $(uname -srm), $(nproc) cores"
  command -v nvidia-smi >/dev/null && nvidia-smi -L
  $PY -c 'import torch; print("python torch", torch.__version__, "cuda", torch.version.cuda,
          "available", torch.cuda.is_available(), "at", torch.__file__)' 2>/dev/null || echo "$PY has no torch"
} | tee "$OUT/build.log" | tee -a "$OUT/summary.txt"

# ---- 1. the shim -----------------------------------------------------------------------------------------
# CMake's CUDAToolkit lookup needs a hint where nvcc is not on PATH.
# nvcc also builds the hand-written kernels (src/cuda/*.cu); without it the shim builds and runs their ATen versions.
CUDA_ARGS=()
NVCC=$(command -v nvcc || { [ -x /usr/local/cuda/bin/nvcc ] && echo /usr/local/cuda/bin/nvcc; } || true)
if [ -n "$NVCC" ]; then
  NVCC=$(readlink -f "$NVCC")
  CUDA_ARGS=("-DCUDAToolkit_ROOT=$(dirname "$(dirname "$NVCC")")" "-DCMAKE_CUDA_COMPILER=$NVCC")
elif [ -d /usr/local/cuda ]; then
  CUDA_ARGS=("-DCUDAToolkit_ROOT=/usr/local/cuda")
fi
# A different libtorch needs a fresh configure (a dry run here, then another libtorch, say).
STAMP="libtorch=${LIBTORCH:-}|py=$PY"
if [ -f "$BUILD/.lrnn-stamp" ] && [ "$(cat "$BUILD/.lrnn-stamp")" != "$STAMP" ]; then rm -rf "$BUILD"; fi
mkdir -p "$BUILD" && echo "$STAMP" > "$BUILD/.lrnn-stamp"
say "building the shim in $BUILD (-j$(nproc))"
SECONDS=0
{ cmake -S src/Lrnn.Torch.Native -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DLRNN_PYTHON="$PY" "${CUDA_ARGS[@]}" &&
  cmake --build "$BUILD" -j "$(nproc)"; } >> "$OUT/build.log" 2>&1 ||
  { tail -n 60 "$OUT/build.log"; fail "the shim did not build (see build.log)"; }
grep -h 'lrnn_torch: ' "$OUT/build.log" | sed 's/^-- //' | tee -a "$OUT/summary.txt"
echo "shim built in ${SECONDS}s" | tee -a "$OUT/summary.txt"
export LRNN_NATIVE="$PWD/$BUILD/liblrnn_torch.so"

# ---- 2. the tests ----------------------------------------------------------------------------------------
[ -f "$BUNDLE" ] || fail "no $BUNDLE: run scripts/publish.sh (scripts/gpu.sh does) before the device call"
# Python's tarfile unpacks xz where the image lacks the xz tool.
tar -C "$UNPACKED" -xJf "$BUNDLE" 2>/dev/null || python3 -c "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$BUNDLE" "$UNPACKED" ||
  fail "could not unpack $BUNDLE"
# The image may lack libicu; nothing here depends on culture data.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
TESTS="$UNPACKED/tests/Lrnn.Tests"
say "running the tests"
SECONDS=0
"$TESTS" -noColor -xml "$OUT/tests.xml" "${XUNIT_ARGS[@]}" > "$OUT/tests.log" 2>&1
TESTS_RC=$?
grep -E '^\s*\[FAIL\]|Total: [0-9]+' "$OUT/tests.log"
echo "tests ran in ${SECONDS}s (exit code $TESTS_RC)" | tee -a "$OUT/summary.txt"

# The CUDA tests are the ones a machine without CUDA skips for that reason: list them with the GPUs hidden
# (a listing runs no test), which catches both the (dev: "cuda") theory rows and the [CudaFact]s.
CUDA_VISIBLE_DEVICES="" "$TESTS" -list full/json -preEnumerateTheories "${XUNIT_ARGS[@]}" 2>/dev/null |
  grep -m1 '^\[' > "$UNPACKED/listing.json"
python3 - "$OUT/tests.xml" "$UNPACKED/listing.json" <<'PYEOF' | tee -a "$OUT/summary.txt"
import json, re, sys
import xml.etree.ElementTree as ET

def norm(name):  # the XML report escapes the quotes of theory arguments, the listing does not
    return name.replace('\\"', '"')

try:
    listing = json.load(open(sys.argv[2]))
except ValueError:
    listing = []
cuda_names = {norm(t["DisplayName"]) for t in listing if "CUDA is not available" in (t.get("Skip") or "")}

counts = {"all": {}, "cuda": {}}
failed = []
for test in ET.parse(sys.argv[1]).getroot().iter("test"):
    name, result = norm(test.get("name")), test.get("result")
    groups = ["all"]
    if name in cuda_names or re.search(r'dev: "cuda', name):
        groups.append("cuda")
    for g in groups:
        counts[g][result] = counts[g].get(result, 0) + 1
    if result == "Fail":
        failed.append(name)

for group, label in (("all", "tests"), ("cuda", "cuda tests")):
    c = counts[group]
    print(f"{label}: {c.get('Pass', 0)} passed, {c.get('Fail', 0)} failed, {c.get('Skip', 0)} skipped"
          f", {c.get('NotRun', 0)} not run")
for name in failed:
    print(f"  FAILED {name}")
PYEOF
[ "${PIPESTATUS[0]}" = 0 ] || fail "no test report to summarise (see tests.log)"

# The ops that run hand-written CUDA kernels (src/cuda/) once more on their ATen versions, which the kernels must
# match: the same tests with LRNN_CUDA_KERNELS=0.
if grep -q 'hand-written CUDA kernels: ON' "$OUT/build.log"; then
  say "running the kernel-backed tests again without the kernels (LRNN_CUDA_KERNELS=0)"
  LRNN_CUDA_KERNELS=0 "$TESTS" -noColor -class 'Lrnn.Tests.Ops.LinearScanTests' -class 'Lrnn.Tests.Ops.SelectiveScanTests' -class 'Lrnn.Tests.Ops.SelectiveScanKernelTests' \
    -class 'Lrnn.Tests.Ops.FusedLinearCrossEntropyTests' -class 'Lrnn.Tests.Losses.HeadLossTests' \
    -class 'Lrnn.Tests.Ops.FftCausalConvTests' -class 'Lrnn.Tests.Model.FftConvolutionTests' \
    -class 'Lrnn.Tests.Model.Lti.VandermondeTests' -class 'Lrnn.Tests.Model.Lti.S4DTests' > "$OUT/tests-aten.log" 2>&1
  ATEN_RC=$?
  echo "without the CUDA kernels: $(grep -oE 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+' "$OUT/tests-aten.log") (exit code $ATEN_RC)" |
    tee -a "$OUT/summary.txt"
  [ "$ATEN_RC" = 0 ] || TESTS_RC=$ATEN_RC
fi

# ---- 3. the benchmarks (optional) ------------------------------------------------------------------------
BENCH_RC=0
if [ "$WITH_BENCH" = 1 ]; then
  [ -x "$UNPACKED/bench/Lrnn.Benchmarks" ] || fail "the bundle has no benchmarks: run scripts/publish.sh --bench"
  say "running the overhead benchmarks"
  # PyTorch's side needs a Python with torch: $PY on the GPU machine, Debian's python3-torch in a dry run.
  BENCH_PY=$PY
  $PY -c 'import torch' 2>/dev/null || BENCH_PY=/usr/bin/python3
  bash scripts/bench-overhead.sh --exe "$UNPACKED/bench/Lrnn.Benchmarks" --python "$BENCH_PY" --out "$OUT/bench"
  BENCH_RC=$?
  echo "benchmarks: exit code $BENCH_RC (table in bench/table.md)" >> "$OUT/summary.txt"
fi

THEN_RC=0
if [ -n "$THEN" ]; then
  say "running $THEN"
  # shellcheck disable=SC1090
  ( source "$THEN" ) 2>&1 | tee "$OUT/then.log" | tail -n 40
  THEN_RC=${PIPESTATUS[0]}
  echo "$THEN: exit code $THEN_RC (log in then.log)" >> "$OUT/summary.txt"
fi

say "summary ($OUT/summary.txt):"
cat "$OUT/summary.txt"
[ "$TESTS_RC" = 0 ] && [ "$BENCH_RC" = 0 ] && [ "$THEN_RC" = 0 ]
