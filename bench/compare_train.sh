#!/usr/bin/env bash
# Three columns, one run: Attend (`attend bench train|decode`), LibTorch 2.10 (bench/libtorch, TorchSharp-cpu 0.107.0)
# and PyTorch 1.13 (bench/pytorch/train_bench.py, Debian's torch with OpenBLAS at one thread per OpenMP thread), run
# alternately for every configuration, ROUNDS times each (the machine is shared and noisy). Prints a markdown table of
# each side's best round (tokens/s and its min / median / max step), the ratios against LibTorch, peak memory and MFU.
# Every JSON line is kept in $OUT with the load average (/proc/loadavg) taken just before that run.
#
#   bench/compare_train.sh                          # every configuration, 2 threads, 3 rounds
#   ROUNDS=5 THREADS=1 CONFIGS="s2s-tiny" bench/compare_train.sh
#   BUSY=1 CONFIGS="lm-nanogpt-cpu" bench/compare_train.sh   # with another process keeping one core busy
#   PYTORCH=0 bench/compare_train.sh                # Attend and LibTorch only
#   STEPS=3 WARMUP=1 ROUNDS=1 PEAK=300 bench/compare_train.sh   # a quick check that every side runs
#
# MFU's yardstick is the true peak: the best sgemm this CPU runs at n = 1024 on the same threads, measured here in this
# run: Attend's own GEMM and OpenBLAS with its best kernel for this CPU, whichever is faster. PEAK=X skips the measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CONFIGS=${CONFIGS:-"s2s-tiny s2s-small s2s-base lm-nanogpt-cpu lm-long decode-s2s-small"}
OUT=${OUT:-${TMPDIR:-/tmp}/attend-compare.jsonl}
PY=${PY:-/usr/bin/python3}
PYTORCH=${PYTORCH:-1}
BUSY=${BUSY:-0}
mkdir -p "$(dirname "$OUT")"
: > "$OUT"

dotnet build -c Release src/Attend.Cli -v quiet -nologo > /dev/null
dotnet build -c Release bench/libtorch -v quiet -nologo > /dev/null
ATTEND=(dotnet "src/Attend.Cli/bin/Release/net10.0/Attend.Cli.dll")
LIBTORCH=(dotnet "bench/libtorch/bin/Release/net10.0/linux-x64/LibTorchBench.dll")

busy_pid=""
stop_busy() { if [[ -n $busy_pid ]]; then kill "$busy_pid" 2>/dev/null || true; wait "$busy_pid" 2>/dev/null || true; busy_pid=""; fi; }
trap stop_busy EXIT
if [[ $BUSY == 1 ]]; then
  bash -c 'while :; do :; done' &
  busy_pid=$!
  echo "a busy loop (pid $busy_pid) keeps one core busy during the runs" >&2
fi

load() { cut -d' ' -f1 /proc/loadavg; }
# runs a command that prints one JSON line and appends it to $OUT with the load before the run and the busy flag
record() {
  local before; before=$(load)
  "$@" | "$PY" -c 'import json, sys; r = json.loads(sys.stdin.read()); r["load_before"] = float(sys.argv[1]); r["busy_core"] = sys.argv[2] == "1"; print(json.dumps(r))' "$before" "$BUSY" >> "$OUT"
}

# PyTorch 1.13's OpenBLAS kernel and a candidate for the yardstick: the fastest this CPU runs (bench/openblas_best.sh).
# CORETYPE=NAME skips the search.
if [[ -z ${CORETYPE:-} || -z ${PEAK:-} ]]; then
  best_openblas=$(PY="$PY" bench/openblas_best.sh "$THREADS")
  CORETYPE=${CORETYPE:-${best_openblas#* }}
fi
if [[ -z ${PEAK:-} ]]; then
  attend_gemm=$("${ATTEND[@]}" bench gemm --size 1024 --threads "$THREADS" --repeats 10 \
    | "$PY" -c 'import json, sys; print(round(json.loads(sys.stdin.read())["gflops"], 1))')
  PEAK=$("$PY" -c 'import sys; print(max(float(sys.argv[1]), float(sys.argv[2])))' "${best_openblas%% *}" "$attend_gemm")
  echo "MFU yardstick (true peak): sgemm n=1024 on $THREADS threads, best of Attend's GEMM $attend_gemm GFLOP/s and OpenBLAS ($best_openblas) = $PEAK GFLOP/s" >&2
  echo "{\"impl\": \"peak\", \"attend_gemm_gflops\": $attend_gemm, \"openblas_best_gflops\": ${best_openblas%% *}, \"openblas_kernel\": \"${best_openblas#* }\", \"peak_gflops\": $PEAK, \"threads\": $THREADS}" >> "$OUT"
fi
echo "PyTorch 1.13 runs with OPENBLAS_CORETYPE=$CORETYPE and OPENBLAS_NUM_THREADS=1" >&2
PYTORCH_ENV=(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$CORETYPE" OPENBLAS_NUM_THREADS=1)

# steady state: enough warm-up for the JIT's tiers and the pools, enough timed steps for a median
steps_for() { case "$1" in s2s-base|lm-long) echo "6 2" ;; decode-*) echo "3 1" ;; lm-*) echo "40 10" ;; *) echo "10 3" ;; esac; }

for config in $CONFIGS; do
  read -r steps warmup <<< "$(steps_for "$config")"
  steps=${STEPS:-$steps}
  warmup=${WARMUP:-$warmup}
  for round in $(seq "$ROUNDS"); do
    common=(--threads "$THREADS" --steps "$steps" --warmup "$warmup" --peak-gflops "$PEAK")
    if [[ $config == decode-* ]]; then
      record "${ATTEND[@]}" bench decode --config "${config#decode-}" "${common[@]}"
      record "${LIBTORCH[@]}" --config "$config" --kv-cache "${common[@]}"
      if [[ $round == 1 ]]; then   # the tutorial's uncached loops, once: slow, and not the pair the ratio compares
        record "${LIBTORCH[@]}" --config "$config" --threads "$THREADS" --steps 1 --warmup 1 --peak-gflops "$PEAK"
        if [[ $PYTORCH == 1 ]]; then
          record "${PYTORCH_ENV[@]}" "$PY" bench/pytorch/train_bench.py --config "$config" --threads "$THREADS" --steps 1 --warmup 1 --peak-gflops "$PEAK"
        fi
      fi
    else
      record "${ATTEND[@]}" bench train --config "$config" "${common[@]}"
      record "${LIBTORCH[@]}" --config "$config" "${common[@]}"
      if [[ $PYTORCH == 1 ]]; then
        record "${PYTORCH_ENV[@]}" "$PY" bench/pytorch/train_bench.py --config "$config" "${common[@]}"
      fi
    fi
    echo "round $round of $config done (load $(load))" >&2
  done
done
stop_busy

"$PY" - "$OUT" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
peak = next((r for r in rows if r["impl"] == "peak"), None)
runs = [r for r in rows if r["impl"] != "peak"]
def side(r):
    return r["impl"] + ("-uncached" if r["config"].startswith("decode-") and not r.get("kv_cache", r["impl"] == "attend") else "")
best = {}
for r in runs:
    key = (r["config"], side(r))
    if key not in best or r["tokens_per_second"] > best[key]["tokens_per_second"]:
        best[key] = r
def cell(r):
    if r is None:
        return "-"
    return f"{r['tokens_per_second']:,.0f} ({r['min_step_ms']:,.0f} / {r['step_ms']:,.0f} / {r.get('max_step_ms', float('nan')):,.0f})"
def mb(r):
    return "-" if r is None else f"{r['peak_memory_mb']:,.0f}"
if peak:
    print(f"MFU yardstick: {peak['peak_gflops']} GFLOP/s (sgemm n = 1024, {peak['threads']} threads; Attend's GEMM "
          f"{peak['attend_gemm_gflops']}, OpenBLAS {peak['openblas_kernel']} {peak['openblas_best_gflops']})\n")
print("| config | Attend tok/s (min / median / max ms) | LibTorch 2.10 tok/s (min / median / max ms) | PyTorch 1.13 tok/s (min / median / max ms) "
      "| Attend / LibTorch | PyTorch / LibTorch | MB Attend / LibTorch / PyTorch | MFU Attend / LibTorch | load before |")
print("|---|---|---|---|---|---|---|---|---|")
for config in dict.fromkeys(r["config"] for r in runs):
    decode = config.startswith("decode-")
    a, l, p = best.get((config, "attend")), best.get((config, "libtorch")), best.get((config, "pytorch"))
    name = config + (" (key/value cache)" if decode else "")
    ratio = lambda x: "-" if x is None or l is None else f"{x['tokens_per_second'] / l['tokens_per_second']:.2f}"
    mfu = lambda x: "-" if x is None else f"{x['mfu']:.1%}"
    loads = "/".join(f"{x['load_before']:.1f}" for x in (a, l, p) if x is not None)
    print(f"| {name} | {cell(a)} | {cell(l)} | {cell(None if decode else p)} | {ratio(a)} | {ratio(None if decode else p)} "
          f"| {mb(a)} / {mb(l)} / {mb(None if decode else p)} | {mfu(a)} / {mfu(l)} | {loads} |")
    if decode:
        lu, pu = best.get((config, "libtorch-uncached")), best.get((config, "pytorch-uncached"))
        if lu or pu:
            print(f"| {config} (the tutorial's loop, no cache) | - | {cell(lu)} | {cell(pu)} | - | {ratio(pu)} "
                  f"| - / {mb(lu)} / {mb(pu)} | - / {mfu(lu)} | "
                  + "/".join(f"{x['load_before']:.1f}" for x in (lu, pu) if x is not None) + " |")
counts = {}
for r in runs:
    if "parameters" in r and not r["config"].startswith("decode-"):
        counts.setdefault(r["config"], {})[r["impl"]] = r["parameters"]
for config, c in counts.items():
    if "libtorch" in c and "pytorch" in c and c["libtorch"] != c["pytorch"]:
        print(f"\nWARNING: {config}: LibTorch has {c['libtorch']:,} parameters, PyTorch {c['pytorch']:,}")
PYEOF
