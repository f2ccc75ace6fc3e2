#!/usr/bin/env bash
# Data-parallel training throughput on this machine, ROUNDS rounds with the setups alternating in each round (the
# machine is shared and noisy; the table keeps each setup's best round):
#   1x2     one process, 2 kernel threads                      attend bench train --threads 2
#   2x1     2 ranks x 1 thread, one machine (shared memory)    mpirun -np 2 --bind-to core ... --threads 1
#   2 hosts 2 ranks x 1 thread across two network namespaces over TCP (bench/mpi/two_hosts.sh; needs root)
# each data-parallel setup with gradients summed during the backward pass (overlap) and after it (--no-overlap), and
# the share of the step spent waiting for communication. Then the allreduce of 32 MB in one call or in 4 MB buckets,
# into a reused or a fresh buffer (Attend.MpiHost allreduce-bench). Every JSON line is kept in $OUT.
#
#   bench/mpi/bench_mpi.sh                              # s2s-small and lm-nanogpt-cpu, 2 rounds
#   ROUNDS=3 CONFIGS=lm-nanogpt-cpu bench/mpi/bench_mpi.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-2}
CONFIGS=${CONFIGS:-"s2s-small lm-nanogpt-cpu"}
OUT=${OUT:-${TMPDIR:-/tmp}/attend-mpi-bench.jsonl}
PY=${PY:-/usr/bin/python3}
: > "$OUT"
command -v mpirun >/dev/null || { echo "mpirun is missing: apt-get install openmpi-bin libopenmpi-dev" >&2; exit 1; }

dotnet build -c Release src/Attend.Cli -v quiet -nologo > /dev/null
dotnet build -c Release tests/Attend.MpiHost -v quiet -nologo > /dev/null
ATTEND=$PWD/src/Attend.Cli/bin/Release/net10.0/Attend.Cli
HOST=$PWD/tests/Attend.MpiHost/bin/Release/net10.0/Attend.MpiHost
ROOT=(); [[ $(id -u) == 0 ]] && ROOT=(--allow-run-as-root)
MPIRUN=(mpirun "${ROOT[@]}" -x TERM=dumb --bind-to core -np 2)
TWO_HOSTS=(); [[ $(id -u) == 0 ]] && TWO_HOSTS=(bench/mpi/two_hosts.sh run)

steps_for() { case "$1" in lm-*) echo 20 ;; *) echo 6 ;; esac; }
tag() { "$PY" -c 'import json, sys
for line in sys.stdin:
    line = line[line.find("{"):]
    if line.startswith("{"):
        r = json.loads(line); r["setup"] = sys.argv[1]; print(json.dumps(r))' "$1" >> "$OUT"; }

echo "load before: $(uptime)" >&2
for round in $(seq "$ROUNDS"); do
  for config in $CONFIGS; do
    bench=(bench train --config "$config" --steps "$(steps_for "$config")" --warmup 2)
    "$ATTEND" "${bench[@]}" --threads 2 | tag "1x2"
    "${MPIRUN[@]}" "$ATTEND" "${bench[@]}" --threads 1 | tag "2x1"
    "${MPIRUN[@]}" "$ATTEND" "${bench[@]}" --threads 1 --no-overlap | tag "2x1"
    if (( ${#TWO_HOSTS[@]} )); then
      "${TWO_HOSTS[@]}" "$ATTEND" "${bench[@]}" --threads 1 | tag "2 hosts"
      "${TWO_HOSTS[@]}" "$ATTEND" "${bench[@]}" --threads 1 --no-overlap | tag "2 hosts"
    fi
  done
  "${MPIRUN[@]}" "$HOST" allreduce-bench 32 4 10 | tag "allreduce 2x1"
  if (( ${#TWO_HOSTS[@]} )); then "${TWO_HOSTS[@]}" "$HOST" allreduce-bench 32 4 10 | tag "allreduce 2 hosts"; fi
done
echo "load after: $(uptime)" >&2

"$PY" - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
best = {}
for r in rows:
    if "config" not in r:
        continue
    key = (r["config"], r["setup"], r["overlap"])
    if key not in best or r["tokens_per_second"] > best[key]["tokens_per_second"]:
        best[key] = r
print("| config | setup | gradients summed | tokens/s | step ms (median) | waiting for communication |")
print("|---|---|---|---|---|---|")
for (config, setup, overlap), r in sorted(best.items()):
    how = "-" if setup == "1x2" else ("during backward" if overlap == "yes" else "after backward")
    wait = "-" if setup == "1x2" else f"{100 * r['comm_wait_share']:.0f}%"
    print(f"| {config} | {setup} | {how} | {r['tokens_per_second']:,.0f} | {r['step_ms']:.0f} | {wait} |")
print()
print("| allreduce of 32 MB | one call, reused buffer | 4 MB buckets, reused | one call, fresh buffer | 4 MB buckets, fresh |")
print("|---|---|---|---|---|")
for r in rows:
    if "one_call_ms" in r:
        print(f"| {r['setup']} | {r['one_call_ms']:.1f} ms | {r['buckets_ms']:.1f} ms | {r['one_call_fresh_buffer_ms']:.1f} ms | {r['buckets_fresh_buffer_ms']:.1f} ms |")
PY
