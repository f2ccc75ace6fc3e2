#!/usr/bin/env bash
# The fastest OpenBLAS kernel for this CPU: prints "GFLOP/s KERNEL" of the best sgemm at n = 1024 on THREADS threads
# (each candidate's figure goes to stderr). OpenBLAS 0.3.21 (Debian 12) picks its kernel from the CPU model and falls
# back to an SSE3 one ("Prescott") on CPUs newer than it knows (a Sapphire/Emerald Rapids Xeon, for one), so the
# candidates are tried by name: its own choice, Cooperlake, SkylakeX and Haswell. PyTorch 1.13's runs take the winner as
# OPENBLAS_CORETYPE, and bench/compare_train.sh also its GFLOP/s as a candidate for MFU's yardstick.
#   bench/openblas_best.sh [THREADS]            (PY=/usr/bin/python3 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${1:-2}
PY=${PY:-/usr/bin/python3}
best="0 none"
for core in "" Cooperlake SkylakeX Haswell; do
  measured=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ${core:+OPENBLAS_CORETYPE=$core} "$PY" bench/openblas_gemm.py --size 1024 --threads "$THREADS" --repeats 10 \
    | "$PY" -c 'import json, sys; r = json.loads(sys.stdin.read()); print(round(r["gflops"], 1), r.get("kernel", "?"))')
  echo "OpenBLAS sgemm n=1024, $THREADS threads, OPENBLAS_CORETYPE=${core:-(unset)}: $measured" >&2
  if "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "${measured%% *}" "${best%% *}"; then
    best=$measured
  fi
done
echo "$best"
