#!/usr/bin/env bash
# Load benchmark of attend serve on 127.0.0.1 (a benchmark, not a test): 1, 8, 32 and 128 concurrent clients for
# DURATION seconds each against an embeddings model (/v1/embeddings) and a generation model (/v1/completions, MAX_TOKENS new
# tokens), with dynamic/continuous batching (--max-batch 32) and without (--max-batch 1); then the server's resident
# memory before and after CANCELLED streaming completions that each client drops after the first event (twice, so
# that growth, if any, shows apart from the heap reaching its working size).
# The models are untrained (one training step) at realistic sizes: speed does not depend on the weights.
# Usage: bench/serve/load.sh             DURATION=60 CLIENTS="1 8 32 128" CANCELLED=1000 by default
#        DURATION=5 bench/serve/load.sh  a short run that proves the script works
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
SECS=${DURATION:-60}   # (not SECONDS: bash keeps its own)
CLIENTS=${CLIENTS:-"1 8 32 128"}
CANCELLED=${CANCELLED:-1000}
MAX_TOKENS=${MAX_TOKENS:-32}
THREADS=${THREADS:-$(nproc)}
OUT=${OUT:-out}
PORT=${PORT:-18931}
mkdir -p "$OUT"

dotnet build "$ROOT/src/Attend.Cli" -c Release -v q -nologo >&2
dotnet build LoadGen -c Release -v q -nologo >&2
ATTEND=(dotnet "$ROOT/src/Attend.Cli/bin/Release/net10.0/Attend.Cli.dll")
LOAD=(dotnet LoadGen/bin/Release/net10.0/LoadGen.dll)

# The models: an encoder (d_model 128, 2 layers, max_len 128) and a language model as recipes/shakespeare-char.json
# sizes it (d_model 128, 4 layers, 4 heads, max_len 256), each after one training step.
if [ ! -d "$OUT/models/lm/last" ]; then
  mkdir -p "$OUT/data"
  for i in $(seq 1 200); do echo "the quick brown fox jumps over the lazy dog, number $i."; done > "$OUT/data/text.txt"
  for i in $(seq 1 100); do printf 'pos\tgood fine great %d\nneg\tbad poor awful %d\n' "$i" "$i"; done > "$OUT/data/labelled.tsv"
  "${ATTEND[@]}" train --task classify --input "$OUT/data/labelled.tsv" --out "$OUT/models/enc" --vocab-size 400 --d-model 128 --heads 4 \
    --d-ff 512 --encoder-layers 2 --max-len 128 --steps 1 --validate-every 1 >/dev/null
  "${ATTEND[@]}" train --task lm --input "$OUT/data/text.txt" --out "$OUT/models/lm" --vocab-size 260 --d-model 128 --heads 4 --d-ff 512 \
    --decoder-layers 4 --max-len 256 --block 64 --batch 4 --activation gelu --norm-first --positional learned --steps 1 --validate-every 1 >/dev/null
fi

server_pid=""
start_server() {   # start_server MAX_BATCH
  "${ATTEND[@]}" serve --model "enc=$OUT/models/enc/last" --model "lm=$OUT/models/lm/last" --urls "http://127.0.0.1:$PORT" \
    --max-batch "$1" --max-queue 100000 --threads "$THREADS" >"$OUT/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do grep -q "listening on" "$OUT/serve.log" 2>/dev/null && return; sleep 0.5; done
  echo "error: attend serve did not start" >&2; cat "$OUT/serve.log" >&2; exit 1
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid" || true; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
heap_mib() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^dotnet_total_memory_bytes / {printf "%.0f", $2 / 1048576}'; }
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true' EXIT

echo "# attend serve load, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), load before: $(cut -d' ' -f1-3 /proc/loadavg), $SECS s per row"
echo "| model | endpoint | --max-batch | clients | requests/s | tokens/s | p50 ms | p99 ms | errors | load avg after |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for batch in 32 1; do
  start_server "$batch"
  for spec in "enc embeddings" "lm completions"; do
    set -- $spec
    "${LOAD[@]}" --url "http://127.0.0.1:$PORT" --mode load --endpoint "$2" --model "$1" --clients 8 --seconds 2 --max-tokens "$MAX_TOKENS" >/dev/null   # warm-up
    for c in $CLIENTS; do
      json=$("${LOAD[@]}" --url "http://127.0.0.1:$PORT" --mode load --endpoint "$2" --model "$1" --clients "$c" --seconds "$SECS" --max-tokens "$MAX_TOKENS")
      echo "$json" >> "$OUT/load.jsonl"
      python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("| %s | /v1/%s | %s | %d | %.1f | %.1f | %.1f | %.1f | %d | %s |" % (r["model"], r["endpoint"], sys.argv[2], r["clients"], r["requests_per_s"], r["tokens_per_s"], r["p50_ms"], r["p99_ms"], r["errors"], sys.argv[3]))' \
        "$json" "$batch" "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
  stop_server
done

start_server 32
cancel() { "${LOAD[@]}" --url "http://127.0.0.1:$PORT" --mode cancel --model lm --clients 16 --count "$1" --max-tokens 200; }
cancel 200 >/dev/null   # warm-up: the pools and the heap reach their working size
sleep 2
before=$(rss_kb); before_heap=$(heap_mib)
first=$(cancel "$CANCELLED")
sleep 2
after=$(rss_kb); after_heap=$(heap_mib)
second=$(cancel "$CANCELLED")
sleep 2
again=$(rss_kb); again_heap=$(heap_mib)
active=$(curl -s "http://127.0.0.1:$PORT/metrics" | sed -n 's/^attend_active_sequences{model="lm"} //p')
stop_server
echo
echo "Server memory, resident (managed heap), after 200 cancelled streams to warm up: $((before / 1024)) MiB ($before_heap MiB);"
echo "after $CANCELLED more cancelled streams ($first): $((after / 1024)) MiB ($after_heap MiB);"
echo "after another $CANCELLED ($second): $((again / 1024)) MiB ($again_heap MiB). Sequences still running at the end: $active"
