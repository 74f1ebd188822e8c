#!/bin/sh
# Builds liblrnn_torch.so from the package's sources (argument 1) into the cache folder (argument 2) with the CMake
# arguments that follow. A lock serialises concurrent builds of the same folder (two projects of one solution), and a
# finished library is never rebuilt: the folder's name already encodes the sources and the libtorch.
set -eu
src=$1; out=$2; shift 2
mkdir -p "$out"
if command -v flock >/dev/null 2>&1; then exec 9>"$out/.lock"; flock 9; fi
if [ -f "$out/liblrnn_torch.so" ]; then exit 0; fi
echo "Lrnn.Torch.Native: building the libtorch shim from $src into $out (once per libtorch and package version)"
cmake -S "$src" -B "$out/build" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$out/build" -j "${LRNN_BUILD_JOBS:-$(nproc)}"
cp "$out/build/liblrnn_torch.so" "$out/liblrnn_torch.so.tmp"
mv "$out/liblrnn_torch.so.tmp" "$out/liblrnn_torch.so"
