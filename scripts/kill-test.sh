#!/usr/bin/env bash
# Longer crash-safety run: kills a process saving checkpoints in a loop KILLS times (default 200) with SIGKILL at random
# moments, checking after each kill that the folder loads whole as one of the two checkpoints, and that the next save
# leaves no temporary (tests/Lrnn.Tests/Checkpoints/CrashSafetyTests.cs; CI runs it with 20 kills). Also runs the
# reader fuzz tests with MULTIPLIER (default 20) times their CI case count.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-200}
MULTIPLIER=${2:-20}
scripts/setup.sh --configuration Release
EXE=tests/Lrnn.Tests/bin/Release/net10.0/Lrnn.Tests
LRNN_KILLS=$KILLS "$EXE" -noColor -class Lrnn.Tests.Checkpoints.CrashSafetyTests -showLiveOutput
LRNN_FUZZ_CASES_MULTIPLIER=$MULTIPLIER "$EXE" -noColor -class Lrnn.Tests.Reliability.ReaderFuzzTests
