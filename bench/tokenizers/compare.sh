#!/usr/bin/env bash
# Tokenizer comparison, all in one run so the machine's load is shared:
#  1. training time, vocabulary 8,000: attend vs spm_train --model_type=bpe on Tiny Shakespeare and Multi30k de+en;
#  2. training time, vocabulary 30,000 on Multi30k de+en: attend vs Hugging Face tokenizers (Rust, npm);
#  3. interop: a tokenizer.json trained here, encoded by Hugging Face tokenizers and by attend, must give the same ids
#     (and the reverse for Hugging Face's file, and for GPT-2's ranks converted to tokenizer.json);
#  4. encoding throughput, GPT-2 ranks on Tiny Shakespeare, 1 and 2 threads: attend vs Microsoft.ML.Tokenizers.
# Times are whole-process wall seconds (start-up, reading and saving included), the best of REPEATS runs.
# Usage: bench/tokenizers/compare.sh   (REPEATS=3 and DATA=../shared/data by default, relative to the repo root)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
DATA=${DATA:-$ROOT/../shared/data}
REPEATS=${REPEATS:-3}
OUT=out
mkdir -p "$OUT"
TS=$DATA/tinyshakespeare/input.txt
DE=$DATA/multi30k/train.de
EN=$DATA/multi30k/train.en

dotnet build "$ROOT/src/Attend.Cli" -c Release -v q -nologo >/dev/null
ATTEND=(dotnet "$ROOT/src/Attend.Cli/bin/Release/net10.0/Attend.Cli.dll")
[ -d node_modules/tokenizers ] || npm install --no-audit --no-fund >/dev/null

# best_of NAME CMD...: runs CMD REPEATS times (output discarded) and prints the best wall time in seconds.
best_of() {
  local name=$1 best="" start end t
  shift
  for _ in $(seq "$REPEATS"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    t=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  printf '%-58s %6.2f s\n' "$name" "$(echo "$best / 1000" | bc -l)"
}

echo "== training, vocabulary 8000 (load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
best_of "attend   tinyshakespeare" "${ATTEND[@]}" tokenizer train --input "$TS" --vocab-size 8000 --out "$OUT/ts8k.json" --quiet
best_of "spm_train tinyshakespeare" spm_train --input="$TS" --model_prefix="$OUT/spm_ts8k" --vocab_size=8000 --model_type=bpe
best_of "attend   multi30k de+en" "${ATTEND[@]}" tokenizer train --input "$DE" "$EN" --vocab-size 8000 --out "$OUT/m8k.json" --quiet
best_of "spm_train multi30k de+en" spm_train --input="$DE,$EN" --model_prefix="$OUT/spm_m8k" --vocab_size=8000 --model_type=bpe

echo "== training, vocabulary 30000, multi30k de+en"
best_of "attend   (min-frequency 1)" "${ATTEND[@]}" tokenizer train --input "$DE" "$EN" --vocab-size 30000 --min-frequency 1 --special-tokens none --out "$OUT/m30k.json" --quiet
best_of "hf tokenizers (node, BpeTrainer defaults: 30000, min 0)" node hf_train.js "$OUT/hf30k.json" "$DE" "$EN"
node hf_train.js "$OUT/hf30k.json" "$DE" "$EN" 2>/dev/null | grep trainer

echo "== interop with Hugging Face tokenizers (multi30k val.en)"
VAL=$DATA/multi30k/val.en
"${ATTEND[@]}" tokenizer encode --tokenizer "$OUT/m8k.json" --input "$VAL" >"$OUT/attend_ids.txt"
node hf_encode.js "$OUT/m8k.json" "$VAL" >"$OUT/hf_ids.txt"
cmp -s "$OUT/attend_ids.txt" "$OUT/hf_ids.txt" && echo "attend-trained tokenizer.json: same ids in attend and HF" || echo "attend-trained tokenizer.json: IDS DIFFER"
"${ATTEND[@]}" tokenizer encode --tokenizer "$OUT/hf30k.json" --input "$VAL" >"$OUT/attend_ids_hf.txt"
node hf_encode.js "$OUT/hf30k.json" "$VAL" >"$OUT/hf_ids_hf.txt"
cmp -s "$OUT/attend_ids_hf.txt" "$OUT/hf_ids_hf.txt" && echo "HF-trained tokenizer.json: same ids in attend and HF" || echo "HF-trained tokenizer.json: IDS DIFFER"

dotnet run -c Release --project EncodeBench -- --write-ranks "$OUT/gpt2.tiktoken"
"${ATTEND[@]}" tokenizer convert --tokenizer "$OUT/gpt2.tiktoken" --out "$OUT/gpt2.json" >/dev/null
"${ATTEND[@]}" tokenizer encode --tokenizer "$OUT/gpt2.tiktoken" --input "$VAL" >"$OUT/attend_ids_gpt2.txt"
node hf_encode.js "$OUT/gpt2.json" "$VAL" >"$OUT/hf_ids_gpt2.txt"
cmp -s "$OUT/attend_ids_gpt2.txt" "$OUT/hf_ids_gpt2.txt" && echo "gpt2.tiktoken converted to tokenizer.json: same ids in attend and HF" || echo "gpt2 converted: IDS DIFFER"

echo "== encoding throughput, gpt2 ranks, tinyshakespeare (one line at a time)"
dotnet run -c Release --project EncodeBench -- "$TS" 10
