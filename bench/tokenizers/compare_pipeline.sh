#!/usr/bin/env bash
# Byte-level BPE encoding speed, the general tokenizer pipeline (this tree) against a base revision (default: main),
# measured alternately in one run so both sides share the machine's load: EncodeBench (GPT-2 ranks, every line of
# Tiny Shakespeare, 5 passes per timed run, best of REPEATS) is built from each tree and run ROUNDS times, A B A B ...
# Usage: bench/tokenizers/compare_pipeline.sh [BASE_REF]   (ROUNDS=5, REPEATS=10, DATA=../shared/data)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
BASE=${1:-main}
DATA=${DATA:-$ROOT/../shared/data}
ROUNDS=${ROUNDS:-5}
REPEATS=${REPEATS:-10}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git -C "$ROOT" archive "$BASE" | tar -x -C "$WORK"
dotnet build "$WORK/bench/tokenizers/EncodeBench" -c Release -v q -nologo >/dev/null
dotnet build "$ROOT/bench/tokenizers/EncodeBench" -c Release -v q -nologo >/dev/null
run() { dotnet "$1/bench/tokenizers/EncodeBench/bin/Release/net10.0/EncodeBench.dll" "$DATA/tinyshakespeare/input.txt" "$REPEATS" \
  | grep '"tokenizer":"attend","threads":1' | sed 's/.*"mb_per_s":\([0-9.]*\).*/\1/'; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; base = $BASE ($(git -C "$ROOT" rev-parse --short "$BASE")), new = working tree"
for r in $(seq "$ROUNDS"); do
  echo "round $r: base $(run "$WORK") MB/s, new $(run "$ROOT") MB/s"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
