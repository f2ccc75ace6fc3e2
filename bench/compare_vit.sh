#!/usr/bin/env bash
# Vision Transformer training throughput (images/s), Attend beside PyTorch, alternately in one run:
#   bench/compare_vit.sh [ROUNDS] [THREADS]        (STEPS=N sets the timed steps of each run, default 20)
# Each round runs `attend bench vit` and bench/pytorch/vit_bench.py once (same model, step and batch); the load
# average is printed before each run. LibTorch 2.10 joins when the TorchSharp benchmark project of issue 18 is in main.
# Needs Debian's python3-torch and libopenblas0-pthread (without OpenBLAS, torch 1.13 falls back to the reference BLAS,
# about 100 times slower).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
THREADS=${2:-2}
STEPS=${STEPS:-20}
dotnet build -c Release src/Attend.Cli >/dev/null
ATTEND=src/Attend.Cli/bin/Release/net10.0/Attend.Cli
for r in $(seq 1 "$ROUNDS"); do
  echo "# round $r, $(uptime | sed 's/.*load average/load average/')"
  "$ATTEND" bench vit --threads "$THREADS" --steps "$STEPS"
  echo "# $(uptime | sed 's/.*load average/load average/')"
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch/vit_bench.py --threads "$THREADS" --steps "$STEPS"
done
