#!/usr/bin/python3
"""A checkpoint folder written by PyTorch the way the translation tutorial's model is saved, for Attend to load unchanged.

tests/Attend.Tests/Fixtures/pytorch_folder/ gets
  tokenizer.json     made by Hugging Face tokenizers (tests/pytorch/make_hf_tokenizer.js, run first)
  config.json        our ModelConfig keys
  model.safetensors  the tutorial Seq2SeqTransformer's state_dict (its buffer positional_encoding.pos_embedding
                     [max_len, 1, d_model] included), float32, written by hand as in make_fixtures.py
  expected.json      the source ids (from hf_ids.json) and the tutorial's greedy_decode output for them

Run: /usr/bin/python3 tests/pytorch/make_tutorial_folder.py
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import Seq2SeqTransformer, config_json, perturb, write_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Attend.Tests", "Fixtures", "pytorch_folder")

tok = json.load(open(os.path.join(OUT, "tokenizer.json"), encoding="utf-8"))
special = {t["content"]: t["id"] for t in tok["added_tokens"]}
vocab = max(max(tok["model"]["vocab"].values()), max(special.values())) + 1
hf = json.load(open(os.path.join(OUT, "hf_ids.json"), encoding="utf-8"))
pad, bos, eos = special["<pad>"], special["<bos>"], special["<eos>"]

config = config_json(d_model=8, d_ff=16, n_encoder_layers=1, n_decoder_layers=1, src_vocab_size=vocab, tgt_vocab_size=vocab,
                     max_len=24, pad_id=pad, bos_id=bos, eos_id=eos)
torch.manual_seed(21)
model = Seq2SeqTransformer(config)
perturb(model)
model.double().train()   # dropout is 0.0; train() keeps PyTorch 1.13 off its eval-mode fast path


def greedy_decode(src, max_new):
    """The tutorial's greedy_decode: re-runs the decoder on the whole prefix each step (no cache)."""
    ys = torch.tensor([[bos]], dtype=torch.long)
    margins = []
    for _ in range(max_new):
        logits = model(src, ys, torch.zeros_like(src, dtype=torch.bool), torch.zeros_like(ys, dtype=torch.bool))[0, -1]
        top = torch.topk(logits, 2).values
        margins.append((top[0] - top[1]).item())
        nxt = int(torch.argmax(logits))
        ys = torch.cat([ys, torch.tensor([[nxt]])], dim=1)
        if nxt == eos:
            break
    return ys[0, 1:].tolist(), min(margins)


with torch.no_grad():
    src = torch.tensor([hf["ids"]], dtype=torch.long)
    output, margin = greedy_decode(src, 12)
assert margin > 1e-3, f"a near tie ({margin}) would make the comparison fragile; change the seed"
state = [(n, p) for n, p in model.named_parameters()]
pe = model.positional_encoding.pos_embedding.unsqueeze(-2)       # the tutorial registers it as [max_len, 1, d_model]
write_safetensors(os.path.join(OUT, "model.safetensors"), state + [("positional_encoding.pos_embedding", pe)], {"format": "pt"})
with open(os.path.join(OUT, "config.json"), "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
output_ids = [t for t in output if t != eos]
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump({"sentence": hf["sentence"], "source_ids": hf["ids"], "greedy_output_ids": output_ids, "smallest_top2_margin": margin}, f)
    f.write("\n")
print(json.dumps({"vocab": vocab, "output": output_ids, "margin": margin}))
