#!/usr/bin/env bash
# Packs the tests (and, with --bench, the benchmarks) for the GPU machine, which has no .NET and no network:
# self-contained linux-x64 publishes without the native shim (-p:LrnnSkipNative=true; scripts/gpu-remote.sh
# builds the shim there against that machine's CUDA libtorch), tarred into .gpu/bundle.tar.xz (git-ignored).
# The native source needs no packing: it travels with the working tree.
#
# Usage: scripts/publish.sh [--bench] [--pretrain]   (--pretrain adds examples/Pretrain, to train on the GPU)
# Prints the bundle's size; fails if it is over the 60 MiB that a device call can carry next to the tree.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_BENCH=0
WITH_PRETRAIN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bench) WITH_BENCH=1; shift ;;
    --pretrain) WITH_PRETRAIN=1; shift ;;
    *) echo "publish.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
say() { printf '[publish] %s\n' "$*" >&2; }

STAGE=.gpu/stage
BUNDLE=.gpu/bundle.tar.xz
LIMIT_MIB=60
rm -rf "$STAGE" "$BUNDLE"
mkdir -p "$STAGE"

publish() {  # project, folder in the bundle
  say "dotnet publish $1 -> $2/"
  dotnet publish "$1" -c Release -r linux-x64 --self-contained true -p:LrnnSkipNative=true \
    -p:PublishTrimmed=false -p:SatelliteResourceLanguages=en -v quiet -nologo -clp:ErrorsOnly -o "$STAGE/$2"
}
publish tests/Lrnn.Tests tests
[ "$WITH_BENCH" = 1 ] && publish tests/Lrnn.Benchmarks bench
[ "$WITH_PRETRAIN" = 1 ] && publish examples/Pretrain pretrain

# What never runs on linux-x64 goes: Windows-only native helpers of the test SDK's code coverage and of
# BenchmarkDotNet's ETW diagnosers, and debug symbols (managed stack traces keep method names without them).
rm -rf "$STAGE"/*/Microsoft.CodeCoverage "$STAGE"/*/amd64 "$STAGE"/*/arm64 "$STAGE"/*/x86
find "$STAGE" -name '*.pdb' -delete
# The publishes share the runtime (~80 MB): hard-link identical files so that tar stores them once.
for other in bench pretrain; do
  [ -d "$STAGE/$other" ] || continue
  for f in "$STAGE/$other"/*; do
    twin="$STAGE/tests/$(basename "$f")"
    if [ -f "$f" ] && [ -f "$twin" ] && cmp -s "$f" "$twin"; then ln -f "$twin" "$f"; fi
  done
done
# xz, not gzip: about 25% smaller, which keeps the bundle, the tree and the fixtures inside one call's 64 MiB.
XZ_OPT="-6 -T0" tar -C "$STAGE" -cJf "$BUNDLE" .
rm -rf "$STAGE"

SIZE=$(stat -c %s "$BUNDLE")
say "$BUNDLE: $(( SIZE / 1024 / 1024 )) MiB ($SIZE bytes)"
if [ "$SIZE" -gt $(( LIMIT_MIB * 1024 * 1024 )) ]; then
  echo "publish.sh: the bundle is over $LIMIT_MIB MiB; it would not travel with the working tree" >&2
  exit 1
fi
