#!/usr/bin/env bash
# Packs every packable project under src/ into a local folder feed (artifacts/packages), then builds and runs
# tests/PackageConsumer, a project outside Lrnn.sln that restores Lrnn from that feed: Lrnn.Torch.Native's
# buildTransitive targets build the shim from the package's sources against this machine's libtorch (cached per user,
# keyed by the sources and the libtorch: see src/Lrnn.Torch.Native/buildTransitive), and the consumer runs a forward, a
# save/load and a generation. Called by scripts/test.sh after the test suite; set LRNN_SKIP_PACKAGE_CHECK=1 to skip.
# Usage: scripts/package-check.sh [--fresh-native]   (--fresh-native: ignore the per-user shim cache, build it again)
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;34m[package-check]\033[0m %s\n' "$*"; }
ROOT=$PWD
WORK=$ROOT/artifacts/package-check
FEED=$ROOT/artifacts/packages
NATIVE_CACHE=()
if [ "${1:-}" = "--fresh-native" ]; then NATIVE_CACHE=(-p:LrnnNativeCacheRoot="$WORK/native"); rm -rf "$WORK/native"; fi

# One solution of the src/ projects, so that new projects (they pack unless IsPackable=false) are picked up without
# editing this script, and `dotnet pack` builds them once. Outputs go to artifacts/package-check/bin, not to the
# projects' bin/, so packing never replaces what the test suite runs.
rm -rf "$FEED" "$WORK/bin" "$WORK/packages"
mkdir -p "$WORK"
rm -f "$WORK/packages.sln" "$WORK/packages.slnx"
dotnet new sln -n packages -o "$WORK" --format sln >/dev/null
dotnet sln "$WORK/packages.sln" add src/*/*.csproj >/dev/null
say "packing $(ls src/*/*.csproj | wc -l) projects into $FEED"
dotnet pack "$WORK/packages.sln" -c Release -o "$FEED" -p:LrnnPackaging=true -p:LrnnSkipNative=true \
  -p:BaseOutputPath="$WORK/bin/" -v quiet -nologo -clp:ErrorsOnly
ls "$FEED"

# The consumer restores into its own packages folder (so an old package of the same version is never reused) and falls
# back to the user's global folder for everything else (no new downloads).
say "building tests/PackageConsumer from the feed (the first build compiles the native shim: minutes)"
start=$(date +%s)
LOG=$WORK/consumer-build.log
if ! dotnet build tests/PackageConsumer -c Release -v normal -nologo \
    -p:RestorePackagesPath="$WORK/packages" -p:RestoreFallbackFolders="${NUGET_PACKAGES:-$HOME/.nuget/packages}" \
    "${NATIVE_CACHE[@]}" >"$LOG" 2>&1; then
  grep -E "error|CMake Error" "$LOG" | sort -u | head -n 40 >&2
  echo "package-check: the consumer did not build (log: $LOG)" >&2
  exit 1
fi
grep -E "^ *Lrnn.Torch.Native: " "$LOG" | sort -u || true
say "consumer built in $(( $(date +%s) - start )) s"
env -u LRNN_NATIVE tests/PackageConsumer/bin/Release/net10.0/PackageConsumer
