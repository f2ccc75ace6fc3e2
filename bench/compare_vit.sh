#!/usr/bin/env bash
# Vision Transformer training throughput (images/s) in three columns, one run: Attend (`attend bench vit`), LibTorch 2.10
# (bench/libtorch --config vit, TorchSharp-cpu 0.107.0) and PyTorch 1.13 (bench/pytorch/vit_bench.py, Debian's torch with
# OpenBLAS at one thread per OpenMP thread and its fastest kernel for this CPU), the same model, step and batch, run
# alternately ROUNDS times (the machine is shared and noisy). Prints a markdown table of each side's best round
# (images/s and its min / median / max step), the ratios against LibTorch, peak memory and parameter counts. Every JSON
# line is kept in $OUT with the load average (/proc/loadavg) taken just before that run.
#
#   bench/compare_vit.sh [ROUNDS] [THREADS] [SHAPE OPTIONS...]   (defaults 3 rounds, 2 threads, the recipe's model)
#   STEPS=3 WARMUP=1 bench/compare_vit.sh 1                      # a quick check that every side runs
#   bench/compare_vit.sh 3 2 --d-model 128 --batch 64             # shape options go to all three sides
#   PYTORCH=0 bench/compare_vit.sh                                # Attend and LibTorch only
#
# STEPS (default 20) and WARMUP (default 5) are each run's timed and untimed steps; CORETYPE=NAME skips the search for
# OpenBLAS's fastest kernel. Needs Debian's python3-torch and libopenblas0-pthread (without OpenBLAS, torch 1.13 falls
# back to the reference BLAS, about 100 times slower).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
THREADS=${2:-2}
SHAPE=("${@:3}")
STEPS=${STEPS:-20}
WARMUP=${WARMUP:-5}
OUT=${OUT:-${TMPDIR:-/tmp}/attend-compare-vit.jsonl}
PY=${PY:-/usr/bin/python3}
PYTORCH=${PYTORCH:-1}
mkdir -p "$(dirname "$OUT")"
: > "$OUT"

dotnet build -c Release src/Attend.Cli -v quiet -nologo > /dev/null
dotnet build -c Release bench/libtorch -v quiet -nologo > /dev/null
ATTEND=(dotnet "src/Attend.Cli/bin/Release/net10.0/Attend.Cli.dll")
LIBTORCH=(dotnet "bench/libtorch/bin/Release/net10.0/linux-x64/LibTorchBench.dll")

load() { cut -d' ' -f1 /proc/loadavg; }
# runs a command that prints one JSON line and appends it to $OUT with the load before the run
record() {
  local before; before=$(load)
  "$@" | "$PY" -c 'import json, sys; r = json.loads(sys.stdin.read()); r["load_before"] = float(sys.argv[1]); print(json.dumps(r))' "$before" >> "$OUT"
}

if [[ $PYTORCH == 1 && -z ${CORETYPE:-} ]]; then
  best_openblas=$(PY="$PY" bench/openblas_best.sh "$THREADS")
  CORETYPE=${best_openblas#* }
fi
if [[ $PYTORCH == 1 ]]; then
  echo "PyTorch 1.13 runs with OPENBLAS_CORETYPE=$CORETYPE and OPENBLAS_NUM_THREADS=1" >&2
fi
PYTORCH_ENV=(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="${CORETYPE:-}" OPENBLAS_NUM_THREADS=1)

common=(--threads "$THREADS" --steps "$STEPS" --warmup "$WARMUP" "${SHAPE[@]}")
for round in $(seq "$ROUNDS"); do
  record "${ATTEND[@]}" bench vit "${common[@]}"
  record "${LIBTORCH[@]}" --config vit "${common[@]}"
  if [[ $PYTORCH == 1 ]]; then
    record "${PYTORCH_ENV[@]}" "$PY" bench/pytorch/vit_bench.py "${common[@]}"
  fi
  echo "round $round done (load $(load))" >&2
done

"$PY" - "$OUT" <<'PYEOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
side = lambda r: r["impl"].split("-")[0]                     # attend, libtorch, pytorch (its impl carries the version)
best = {}
for r in runs:
    if side(r) not in best or r["images_per_second"] > best[side(r)]["images_per_second"]:
        best[side(r)] = r
a, l, p = (best.get(s) for s in ("attend", "libtorch", "pytorch"))
def cell(r):
    return "-" if r is None else f"{r['images_per_second']:,.0f} ({r['min_step_ms']:,.0f} / {r['step_ms']:,.0f} / {r['max_step_ms']:,.0f})"
ratio = lambda x: "-" if x is None or l is None else f"{x['images_per_second'] / l['images_per_second']:.2f}"
mb = lambda x: "-" if x is None else f"{x['peak_memory_mb']:,.0f}"
loads = "/".join(f"{x['load_before']:.1f}" for x in (a, l, p) if x is not None)
print(f"\n{len(runs)} runs, {runs[0]['threads']} threads, {runs[0]['steps']} timed steps of {runs[0]['images_per_step']} images each; best round per side\n")
print("| config | Attend img/s (min / median / max ms) | LibTorch 2.10 img/s (min / median / max ms) | PyTorch 1.13 img/s (min / median / max ms) "
      "| Attend / LibTorch | PyTorch / LibTorch | MB Attend / LibTorch / PyTorch | load before |")
print("|---|---|---|---|---|---|---|---|")
print(f"| {runs[0]['config']} | {cell(a)} | {cell(l)} | {cell(p)} | {ratio(a)} | {ratio(p)} | {mb(a)} / {mb(l)} / {mb(p)} | {loads} |")
counts = {side(r): r["parameters"] for r in runs}
if len(set(counts.values())) > 1:
    print("\nWARNING: parameter counts differ: " + ", ".join(f"{s} {n:,}" for s, n in counts.items()))
PYEOF
