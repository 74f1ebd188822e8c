#!/usr/bin/env bash
# The main job: set up this machine (scripts/setup.sh), then run the demo. Arguments go to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --configuration Release
dotnet run --project examples/QuickStart -c Release --no-build -- "$@"
