#!/usr/bin/env bash
# The binding's per-op overhead next to PyTorch's, for small ops where overhead is all there is.
#
# Runs the BenchmarkDotNet OverheadBenchmarks (Lrnn through the C# API, and the native floor: the same ops looped
# in C++ against libtorch: tests/Lrnn.Benchmarks/Native/native_floor.cpp, liblrnn_bench.so) and scripts/bench_pytorch_overhead.py (the same ops from Python) in one go, then
# prints, per workload:
#   Lrnn ns/op, PyTorch ns/op, native floor ns/op,
#   overhead ratio = (Lrnn − floor) / (PyTorch − floor)   (what our binding adds vs. what Python's adds; target ≤ 0.5)
#   total ratio    = Lrnn / PyTorch.
# Every figure is a best-of-repeats (BenchmarkDotNet's Min over 7 iterations of ~250 ms, timeit's best of 7),
# with one intra-op thread everywhere. The C# side runs in-process (BenchmarkDotNet 0.14 predates .NET 10, and
# a per-benchmark child build would cost more than the whole run on a 2-core machine). About 1.5 min in all.
#
# Usage: scripts/bench-overhead.sh [--exe PATH] [--python PY] [--out DIR]
#   --exe     a built or published Lrnn.Benchmarks executable; skips the build (scripts/gpu-remote.sh uses this)
#   --python  the Python with torch (default /usr/bin/python3: Debian's python3-torch, the libtorch we link)
#   --out     where the results go (default artifacts/bench): table.md, lrnn.json, pytorch.json, benchmarks.log
# Fails when the benchmarks leave more native tensors alive than they found (the table's last lines).
set -euo pipefail
cd "$(dirname "$0")/.."

EXE=""
PY=/usr/bin/python3
OUT_DIR=artifacts/bench
while [ $# -gt 0 ]; do
  case "$1" in
    --exe) EXE="$2"; shift 2 ;;
    --python) PY="$2"; shift 2 ;;
    --out) OUT_DIR="$2"; shift 2 ;;
    *) echo "bench-overhead.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
say() { printf '[bench] %s\n' "$*" >&2; }

if [ -z "$EXE" ]; then
  say "building tests/Lrnn.Benchmarks (Release)"
  dotnet build tests/Lrnn.Benchmarks -c Release -v quiet -nologo -clp:ErrorsOnly
  EXE=tests/Lrnn.Benchmarks/bin/Release/net10.0/Lrnn.Benchmarks
fi
mkdir -p "$OUT_DIR"
BDN_DIR=$(mktemp -d)
trap 'rm -rf "$BDN_DIR"' EXIT

say "BenchmarkDotNet: OverheadBenchmarks"
"$EXE" --filter '*OverheadBenchmarks*' --inProcess --launchCount 1 --warmupCount 3 --iterationCount 7 \
  --iterationTime 250 --exporters JSON --artifacts "$BDN_DIR" > "$OUT_DIR/benchmarks.log" 2>&1 ||
  { tail -n 40 "$OUT_DIR/benchmarks.log" >&2; echo "bench-overhead.sh: the benchmarks failed" >&2; exit 1; }
cp "$BDN_DIR"/results/*OverheadBenchmarks-report-full*.json "$OUT_DIR/lrnn.json"

say "PyTorch: scripts/bench_pytorch_overhead.py with $PY"
"$PY" scripts/bench_pytorch_overhead.py > "$OUT_DIR/pytorch.json"

"$PY" - "$OUT_DIR" <<'PYEOF' | tee "$OUT_DIR/table.md"
import json, re, sys

out = sys.argv[1]
lrnn = json.load(open(f"{out}/lrnn.json"))
py = json.load(open(f"{out}/pytorch.json"))

best, alloc = {}, {}
for b in lrnn["Benchmarks"]:
    workload = re.search(r"Workload=(\w+)", b["Parameters"]).group(1)
    best[(b["Method"], workload)] = b["Statistics"]["Min"]
    alloc[(b["Method"], workload)] = b["Memory"]["BytesAllocatedPerOperation"]

env = lrnn["HostEnvironmentInfo"]
print(f"CPU: {env['ProcessorName']} ({env['PhysicalCoreCount']} cores), {env['RuntimeVersion']}, torch {py['torch']}, "
      f"1 intra-op thread; best of 7 (ns per workload run)")
print()
print("| workload | Lrnn | Lrnn in scope | PyTorch | native floor | overhead ratio | total ratio | managed alloc (B) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for workload, torch_ns in py["ns_per_op"].items():
    ours, scoped, floor = (best[(m, workload)] for m in ("Lrnn", "LrnnInScope", "NativeFloor"))
    python_overhead = torch_ns - floor
    ratio = f"{(ours - floor) / python_overhead:.2f}" if python_overhead > 0 else "n/a"
    print(f"| {workload} | {ours:,.0f} | {scoped:,.0f} | {torch_ns:,.0f} | {floor:,.0f} | {ratio} | "
          f"{ours / torch_ns:.2f} | {alloc[('Lrnn', workload)]} |")
print()
print("overhead ratio = (Lrnn − floor) / (PyTorch − floor), target ≤ 0.5; total ratio = Lrnn / PyTorch.")
print()
live = sorted({line.strip() for line in open(f"{out}/benchmarks.log") if line.startswith("// live native tensors")})
print("\n".join(live))
leaked = [line for line in live if re.search(r"before=(\d+) after=(?!\1$)", line)]
sys.exit("bench-overhead.sh: native tensors leaked: " + "; ".join(leaked) if leaked else 0)
PYEOF
