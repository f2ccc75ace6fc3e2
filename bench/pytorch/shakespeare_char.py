#!/usr/bin/env python3
"""nanoGPT's shakespeare_char recipe on CPU (the README's baby GPT), timed, for comparison with Attend.

4 layers, 4 heads, n_embd 128, block 64, batch 12, 2000 iterations, lr 1e-3 cosine-decayed to 1e-4 over 2000
iterations with 100 warm-up iterations, AdamW (beta2 0.99, weight decay 0.1 on matrices), dropout 0, grad clip 1,
90/10 split by characters. The model follows nanoGPT's model.py (pre-norm blocks, exact GELU, learned positions,
lm_head tied to wte). Validation loss as nanoGPT estimates it: the mean over 200 random validation batches.

Run: /usr/bin/python3 bench/pytorch/shakespeare_char.py [--data ../shared/data/tinyshakespeare/input.txt]
Prints one JSON line: val_loss, train_seconds, step_ms.
"""
import argparse, json, math, time
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--data", default="../shared/data/tinyshakespeare/input.txt")
p.add_argument("--iters", type=int, default=2000)
p.add_argument("--threads", type=int, default=2)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1337)

text = open(args.data, encoding="utf-8").read()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n = int(0.9 * len(data))
train_data, val_data = data[:n], data[n:]
block, batch, n_layer, n_head, n_embd = 64, 12, 4, 4, 128


def get_batch(split):
    d = train_data if split == "train" else val_data
    ix = torch.randint(len(d) - block, (batch,))
    return torch.stack([d[i:i + block] for i in ix]), torch.stack([d[i + 1:i + 1 + block] for i in ix])


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.register_buffer("bias", torch.tril(torch.ones(block, block)).view(1, 1, block, block))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(n_embd, dim=2)
        q, k, v = [t.view(B, T, n_head, C // n_head).transpose(1, 2) for t in (q, k, v)]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.attn, self.ln_2 = nn.LayerNorm(n_embd), Attention(), nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, n_embd), nn.Embedding(block, n_embd)
        self.h = nn.ModuleList([Block() for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab, bias=False)
        self.lm_head.weight = self.wte.weight
        for name, prm in self.named_parameters():
            if prm.dim() >= 2:
                nn.init.normal_(prm, 0.0, 0.02)

    def forward(self, idx, targets=None):
        x = self.wte(idx) + self.wpe(torch.arange(idx.size(1)))
        for b in self.h:
            x = b(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = GPT(len(chars))
decay = [p for p in model.parameters() if p.dim() >= 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.99))


def lr_at(it, warmup=100, max_lr=1e-3, min_lr=1e-4, decay_iters=2000):
    if it < warmup:
        return max_lr * (it + 1) / (warmup + 1)
    if it > decay_iters:
        return min_lr
    r = (it - warmup) / (decay_iters - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * r)) * (max_lr - min_lr)


start = time.perf_counter()
for it in range(args.iters):
    for g in opt.param_groups:
        g["lr"] = lr_at(it)
    x, y = get_batch("train")
    loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
seconds = time.perf_counter() - start
model.eval()
with torch.no_grad():
    val = sum(model(*get_batch("val")).item() for _ in range(200)) / 200
print(json.dumps({"framework": "pytorch " + torch.__version__, "val_loss": round(val, 4), "train_seconds": round(seconds, 1),
                  "step_ms": round(1000 * seconds / args.iters, 1)}))
