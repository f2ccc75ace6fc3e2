#!/usr/bin/env bash
# Compares `attend bench gemm` with numpy/OpenBLAS sgemm (bench/openblas_gemm.py) on the same shapes and threads and
# prints a markdown table of GFLOP/s and the ratio Attend / OpenBLAS.
#
# Usage: bench/compare_gemm.sh [ROUNDS] [square|decode|all]
#   ROUNDS (default 3): each row runs Attend and OpenBLAS alternately ROUNDS times and keeps the best of each,
#   because the shared machine has slow periods that would otherwise land on one side only.
#   WITH_ENV_KERNEL=1 adds a column for OpenBLAS with the environment as set (OPENBLAS_CORETYPE, e.g. Haswell).
#
# OpenBLAS runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (in that command only), so it picks the kernel for
# this CPU; the table header names it.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
which=${2:-all}
python=/usr/bin/python3

dotnet build -c Release src/Attend.Cli -v q -nologo >/dev/null
attend=src/Attend.Cli/bin/Release/net10.0/Attend.Cli

gflops() { grep -o '"gflops": *[0-9.]*' | grep -o '[0-9.]*$'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }

kernel=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $python bench/openblas_gemm.py --size 64 --threads 1 --repeats 1 \
  | grep -o '"kernel": *"[^"]*"' | sed 's/.*: *"//; s/"$//')
header="| form | m | n | k | threads | Attend GFLOP/s | OpenBLAS ($kernel) GFLOP/s | ratio |"
rule="|---|---|---|---|---|---|---|---|"
if [[ ${WITH_ENV_KERNEL:-0} == 1 ]]; then
  header="$header OpenBLAS (${OPENBLAS_CORETYPE:-default}) GFLOP/s | ratio |"
  rule="$rule---|---|"
fi
echo "$header"
echo "$rule"

row() { # form m n k threads
  local form=$1 m=$2 n=$3 k=$4 t=$5 ours=0 theirs=0 env_theirs=0
  local shape=(--m "$m" --n "$n" --k "$k" --transpose "$form" --threads "$t" --repeats 3)
  for ((r = 0; r < rounds; r++)); do
    ours=$(max "$ours" "$($attend bench gemm "${shape[@]}" | gflops)")
    theirs=$(max "$theirs" "$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $python bench/openblas_gemm.py "${shape[@]}" | gflops)")
    if [[ ${WITH_ENV_KERNEL:-0} == 1 ]]; then
      env_theirs=$(max "$env_theirs" "$($python bench/openblas_gemm.py "${shape[@]}" | gflops)")
    fi
  done
  local line
  line=$(awk -v a="$ours" -v b="$theirs" -v f="$form" -v m="$m" -v n="$n" -v k="$k" -v t="$t" \
    'BEGIN { printf "| %s | %d | %d | %d | %d | %.1f | %.1f | %.2f |", f, m, n, k, t, a, b, a / b }')
  if [[ ${WITH_ENV_KERNEL:-0} == 1 ]]; then
    line="$line $(awk -v a="$ours" -v b="$env_theirs" 'BEGIN { printf "%.1f | %.2f |", b, a / b }')"
  fi
  echo "$line"
}

if [[ $which == square || $which == all ]]; then
  for form in nn nt tn; do
    for size in 256 512 1024 2048; do
      for t in 1 2; do
        row "$form" "$size" "$size" "$size" "$t"
      done
    done
  done
fi
if [[ $which == decode || $which == all ]]; then
  for form in nt nn; do
    for m in 1 8 64; do
      for n in 512 2048 8000; do
        for t in 1 2; do
          row "$form" "$m" "$n" 512 "$t"
        done
      done
    done
  done
fi
