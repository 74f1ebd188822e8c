#!/usr/bin/env bash
# The main job: set up this machine (scripts/setup.sh: tools, libtorch, the corpus, the build), then pretrain a
# small LRU + RG-LRU + attention hybrid on the King James Bible on the CPU (at most 5 minutes), save it under
# checkpoints/kjv-cpu, reload it and print generated text. Arguments go to examples/Pretrain
# (e.g. --preset gpu --device cuda --out checkpoints/kjv).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --configuration Release
dotnet run --project examples/Pretrain -c Release --no-build -- --corpus artifacts/corpus/kjv.txt "$@"
