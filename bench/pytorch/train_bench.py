"""PyTorch side of `attend bench train` / `attend bench decode`: the same configurations, one JSON line each.

Models: the PyTorch translation tutorial's Seq2SeqTransformer (nn.Transformer, batch_first) for s2s-*, nanoGPT's GPT
for lm-nanogpt-cpu and lm-long (with biases, as Attend's GptBlock has them), and the tutorial's greedy_decode loop (no
key/value cache) batched for decode-s2s-small. FLOPs use the formulas in docs/benchmarks.md (the same as Attend's
ModelFlops). bench/libtorch runs the same configurations on LibTorch 2.10 and prints the same keys.

Debian's torch 1.13 links OpenBLAS (pthreads), which starts its own threads under each of torch's OpenMP threads:
with torch.set_num_threads(2) that is four busy threads on two cores. OpenBLAS is therefore limited to one thread per
OpenMP thread (OPENBLAS_NUM_THREADS=1, set before torch loads OpenBLAS, unless the caller set it).

Run with Debian's interpreter: /usr/bin/python3 bench/pytorch/train_bench.py --config s2s-small
"""
import argparse
import json
import math
import os
import resource
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402  (after OPENBLAS_NUM_THREADS, which OpenBLAS reads once when it loads)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

CONFIGS = {
    "s2s-tiny": dict(d=128, heads=4, ff=512, layers=2, batch=64),
    "s2s-small": dict(d=256, heads=8, ff=1024, layers=3, batch=64),
    "s2s-base": dict(d=512, heads=8, ff=2048, layers=6, batch=32),
}
VOCAB, SRC_LEN, TGT_LEN, PAD, BOS = 8000, 32, 32, 0, 1


# ---- the translation tutorial's model -------------------------------------------------------------------------------
class PositionalEncoding(nn.Module):
    def __init__(self, emb_size, dropout, maxlen=5000):
        super().__init__()
        den = torch.exp(-torch.arange(0, emb_size, 2) * math.log(10000) / emb_size)
        pos = torch.arange(0, maxlen).reshape(maxlen, 1)
        pe = torch.zeros((maxlen, emb_size))
        pe[:, 0::2] = torch.sin(pos * den)
        pe[:, 1::2] = torch.cos(pos * den)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("pe", pe.unsqueeze(0))  # [1, maxlen, d]: batch first

    def forward(self, x):
        return self.dropout(x + self.pe[:, : x.size(1)])


class TokenEmbedding(nn.Module):
    def __init__(self, vocab, emb_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb_size)
        self.emb_size = emb_size

    def forward(self, tokens):
        return self.embedding(tokens.long()) * math.sqrt(self.emb_size)


class Seq2SeqTransformer(nn.Module):
    def __init__(self, layers, d, heads, vocab, ff, dropout=0.1):
        super().__init__()
        self.transformer = nn.Transformer(d_model=d, nhead=heads, num_encoder_layers=layers, num_decoder_layers=layers,
                                          dim_feedforward=ff, dropout=dropout, batch_first=True)
        self.generator = nn.Linear(d, vocab)
        self.src_tok_emb = TokenEmbedding(vocab, d)
        self.tgt_tok_emb = TokenEmbedding(vocab, d)
        self.positional_encoding = PositionalEncoding(d, dropout)

    def forward(self, src, trg, src_mask, tgt_mask, src_padding_mask, tgt_padding_mask, memory_key_padding_mask):
        src_emb = self.positional_encoding(self.src_tok_emb(src))
        tgt_emb = self.positional_encoding(self.tgt_tok_emb(trg))
        outs = self.transformer(src_emb, tgt_emb, src_mask, tgt_mask, None,
                                src_padding_mask, tgt_padding_mask, memory_key_padding_mask)
        return self.generator(outs)

    def encode(self, src, src_mask):
        return self.transformer.encoder(self.positional_encoding(self.src_tok_emb(src)), src_mask)

    def decode(self, tgt, memory, tgt_mask):
        return self.transformer.decoder(self.positional_encoding(self.tgt_tok_emb(tgt)), memory, tgt_mask)


def square_subsequent_mask(n):
    mask = (torch.triu(torch.ones((n, n))) == 1).transpose(0, 1)
    return mask.float().masked_fill(mask == 0, float("-inf")).masked_fill(mask == 1, 0.0)


# ---- nanoGPT's model (model.py, without flash attention, which torch 1.13 lacks) --------------------------------------
LM_CONFIGS = {
    "lm-nanogpt-cpu": dict(vocab=65, block=64, layers=4, heads=4, d=128, batch=12, dropout=0.0),
    "lm-long": dict(vocab=8000, block=1024, layers=6, heads=6, d=384, batch=4, dropout=0.1),
}


class CausalSelfAttention(nn.Module):
    def __init__(self, d, heads, block, dropout):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)
        self.n_head = heads
        self.register_buffer("bias", torch.tril(torch.ones(block, block)).view(1, 1, block, block))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = self.attn_dropout(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class Block(nn.Module):
    def __init__(self, d, heads, block, dropout):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, heads, block, dropout)
        self.ln_2 = nn.LayerNorm(d)
        self.c_fc = nn.Linear(d, 4 * d)
        self.c_proj = nn.Linear(4 * d, d)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.dropout(self.c_proj(F.gelu(self.c_fc(self.ln_2(x)))))


class GPT(nn.Module):
    def __init__(self, vocab=65, block=64, layers=4, heads=4, d=128, dropout=0.0):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(block, d)
        self.drop = nn.Dropout(dropout)
        self.h = nn.ModuleList([Block(d, heads, block, dropout) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.wte.weight = self.lm_head.weight  # weight tying
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            torch.nn.init.zeros_(module.bias)

    def forward(self, idx, targets):
        t = idx.size(1)
        x = self.drop(self.wte(idx) + self.wpe(torch.arange(0, t, dtype=torch.long)))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)

    def configure_optimizers(self, weight_decay, lr, betas):
        params = [p for p in self.parameters() if p.requires_grad]
        decay = [p for p in params if p.dim() >= 2]
        nodecay = [p for p in params if p.dim() < 2]
        return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                  {"params": nodecay, "weight_decay": 0.0}], lr=lr, betas=betas)


# ---- model FLOPs (docs/benchmarks.md) -----------------------------------------------------------------------------------
def s2s_forward_flops(d, ff, layers, vocab, batch, s, t):
    enc = layers * s * 2 * (4 * d * d + 2 * d * ff + 2 * s * d)
    dec = layers * (t * 2 * (6 * d * d + 2 * d * ff + 2 * t * d + 2 * s * d) + s * 2 * (2 * d * d))
    return batch * (enc + dec + t * 2 * d * vocab)


def lm_forward_flops(d, ff, layers, vocab, batch, t):
    return batch * (layers * t * 2 * (4 * d * d + 2 * d * ff + 2 * t * d) + t * 2 * d * vocab)


def decode_flops(d, ff, layers, vocab, sentences, s, new):
    enc = layers * s * 2 * (4 * d * d + 2 * d * ff + 2 * s * d) + layers * s * 2 * (2 * d * d)
    steps = sum(layers * 2 * (6 * d * d + 2 * d * ff + 2 * p * d + 2 * s * d) + 2 * d * vocab for p in range(1, new + 1))
    return sentences * (enc + steps)


# ---- benchmarks ---------------------------------------------------------------------------------------------------------
def count_parameters(model):
    """Distinct parameter elements (parameters() lists a tied weight once)."""
    return sum(p.numel() for p in model.parameters())


def time_steps(step, warmup, steps):
    for _ in range(warmup):
        step()
    times = []
    loss = 0.0
    for _ in range(steps):
        start = time.perf_counter()
        loss = step()
        times.append((time.perf_counter() - start) * 1000)
    return times, loss


def train_s2s(name, warmup, steps):
    c = CONFIGS[name]
    model = Seq2SeqTransformer(c["layers"], c["d"], c["heads"], VOCAB, c["ff"])
    for p in model.parameters():
        if p.dim() > 1:
            nn.init.xavier_uniform_(p)
    model.train()
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD, label_smoothing=0.1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9)
    b = c["batch"]

    def step():
        src = torch.randint(3, VOCAB, (b, SRC_LEN))
        tgt = torch.randint(3, VOCAB, (b, TGT_LEN + 1))
        tgt[:, 0] = BOS
        tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]
        src_mask = torch.zeros((SRC_LEN, SRC_LEN)).type(torch.bool)
        tgt_mask = square_subsequent_mask(TGT_LEN)
        src_pad, tgt_pad = src == PAD, tgt_in == PAD
        logits = model(src, tgt_in, src_mask, tgt_mask, src_pad, tgt_pad, src_pad)
        opt.zero_grad()
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))
        loss.backward()
        opt.step()
        return loss.item()

    times, loss = time_steps(step, warmup, steps)
    flops = 3 * s2s_forward_flops(c["d"], c["ff"], c["layers"], VOCAB, b, SRC_LEN, TGT_LEN)
    return times, loss, b * TGT_LEN, flops, count_parameters(model)


def train_lm(name, warmup, steps):
    c = LM_CONFIGS[name]
    model = GPT(c["vocab"], c["block"], c["layers"], c["heads"], c["d"], c["dropout"])
    model.train()
    opt = model.configure_optimizers(0.1, 1e-3, (0.9, 0.99))
    b, t = c["batch"], c["block"]

    def step():
        x = torch.randint(0, c["vocab"], (b, t))
        y = torch.randint(0, c["vocab"], (b, t))
        loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.item()

    times, loss = time_steps(step, warmup, steps)
    flops = 3 * lm_forward_flops(c["d"], 4 * c["d"], c["layers"], c["vocab"], b, t)
    return times, loss, b * t, flops, count_parameters(model)


def decode(warmup, steps, sentences=256, batch=64, new=32):
    c = CONFIGS["s2s-small"]
    model = Seq2SeqTransformer(c["layers"], c["d"], c["heads"], VOCAB, c["ff"])
    for p in model.parameters():
        if p.dim() > 1:
            nn.init.xavier_uniform_(p)
    model.eval()
    gen = torch.Generator().manual_seed(4321)
    sources = torch.randint(3, VOCAB, (sentences, SRC_LEN), generator=gen)

    # The tutorial's greedy_decode, batched; eos is ignored so every sentence gets exactly `new` tokens.
    def greedy_decode(src):
        src_mask = torch.zeros((src.size(1), src.size(1))).type(torch.bool)
        memory = model.encode(src, src_mask)
        ys = torch.full((src.size(0), 1), BOS, dtype=torch.long)
        for _ in range(new):
            tgt_mask = square_subsequent_mask(ys.size(1)).type(torch.bool)
            out = model.decode(ys, memory, tgt_mask)
            prob = model.generator(out[:, -1])
            _, next_word = torch.max(prob, dim=1)
            ys = torch.cat([ys, next_word.unsqueeze(1)], dim=1)
        return ys

    def run():
        with torch.no_grad():
            for s in range(0, sentences, batch):
                greedy_decode(sources[s: s + batch])
        return 0.0

    times, _ = time_steps(run, warmup, steps)
    flops = decode_flops(c["d"], c["ff"], c["layers"], VOCAB, sentences, SRC_LEN, new)
    return times, 0.0, sentences * new, flops, count_parameters(model)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, help="s2s-tiny, s2s-small, s2s-base, lm-nanogpt-cpu, lm-long or decode-s2s-small")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--peak-gflops", type=float, default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.config in CONFIGS:
        times, loss, tokens, flops, params = train_s2s(a.config, a.warmup, a.steps)
    elif a.config in LM_CONFIGS:
        times, loss, tokens, flops, params = train_lm(a.config, a.warmup, a.steps)
    elif a.config == "decode-s2s-small":
        times, loss, tokens, flops, params = decode(a.warmup, a.steps)
    else:
        ap.error(f"unknown --config {a.config}")
    peak = a.peak_gflops or (92.0 if a.threads == 1 else 91.0 * a.threads)
    ms = statistics.median(times)
    gflops = flops / (ms / 1000) / 1e9
    print(json.dumps({
        "impl": "pytorch", "config": a.config, "threads": a.threads, "steps": a.steps, "tokens_per_step": tokens,
        "step_ms": round(ms, 3), "min_step_ms": round(min(times), 3), "max_step_ms": round(max(times), 3),
        "tokens_per_second": round(tokens / (ms / 1000), 2), "gflops": round(gflops, 3), "mfu": round(gflops / peak, 4),
        "peak_gflops": peak, "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "loss": round(loss, 4), "parameters": params, "openblas_threads": os.environ["OPENBLAS_NUM_THREADS"],
    }))


if __name__ == "__main__":
    main()
