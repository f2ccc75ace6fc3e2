#!/usr/bin/python3
"""Writes the PyTorch parity fixtures under tests/Attend.Tests/Fixtures/parity/<family>/.

Run with Debian's Python, which has torch 1.13 (CPU):  /usr/bin/python3 tests/pytorch/make_fixtures.py

Each family folder holds
  config.json        our ModelConfig keys (ModelConfig.FromJson reads it)
  model.safetensors  every parameter as float32 under its PyTorch name; a tied weight is written under each of its names
  io.safetensors     the inputs, the logits, the loss and grad.<name> for every parameter name of model.safetensors

The safetensors files are written by hand (no safetensors package here): 8-byte little-endian header length, a JSON
header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}} padded with spaces to a multiple
of 8, then the raw little-endian data. Floats are "F32"; token ids, labels and 0/1 padding masks are "I64".
__metadata__ of io.safetensors carries the loss settings: "ignore_index" and "label_smoothing".

The weights are drawn in float32 (so the stored values are exactly the ones used), then the model runs in float64
(model.double()) and the results are rounded to float32: the fixture is the exact answer to float32 precision.
The models run in train() mode with dropout 0.0, which keeps PyTorch 1.13 off its eval-mode fast path (nested tensors).
"""

import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Attend.Tests", "Fixtures", "parity")

PAD, BOS, EOS = 0, 1, 2
D_MODEL, HEADS, D_FF = 16, 2, 32


# ---------------------------------------------------------------- safetensors writing

def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, torch tensor); float tensors are stored as F32, integer ones as I64."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors:
        t = t.detach().cpu().contiguous()
        if t.is_floating_point():
            dtype, raw = "F32", t.to(torch.float32).numpy().astype("<f4").tobytes()
        else:
            dtype, raw = "I64", t.to(torch.int64).numpy().astype("<i8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    os.replace(path + ".tmp", path)


def config_json(**overrides):
    c = {
        "model_type": "seq2seq", "d_model": D_MODEL, "n_heads": HEADS, "d_ff": D_FF,
        "n_encoder_layers": 2, "n_decoder_layers": 2, "src_vocab_size": 11, "tgt_vocab_size": 13,
        "max_len": 16, "dropout": 0.0, "activation": "relu", "norm_first": False, "layer_norm_eps": 1e-5,
        "positional": "sinusoidal", "tie_embeddings": False, "scale_embeddings": True, "output_bias": True,
        "num_classes": 2, "pad_id": PAD, "bos_id": BOS, "eos_id": EOS,
    }
    c.update(overrides)
    return c


# ---------------------------------------------------------------- the translation tutorial's model (batch first)

def sinusoids(max_len, d):
    """PE[t, 2k] = sin(t * den_k), PE[t, 2k+1] = cos(t * den_k), den = exp(-arange(0, d, 2) ln(10000) / d), in float64."""
    den = torch.exp(-torch.arange(0, d, 2, dtype=torch.float64) * math.log(10000) / d)
    pos = torch.arange(0, max_len, dtype=torch.float64).reshape(max_len, 1)
    pe = torch.zeros((max_len, d), dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos * den)
    pe[:, 1::2] = torch.cos(pos * den)
    return pe


class PositionalEncoding(nn.Module):
    def __init__(self, d, dropout, max_len):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("pos_embedding", sinusoids(max_len, d))

    def forward(self, x):                                       # x [B, T, d]
        return self.dropout(x + self.pos_embedding[: x.size(1)].to(x.dtype))


class TokenEmbedding(nn.Module):
    def __init__(self, vocab, d):
        super().__init__()
        self.embedding = nn.Embedding(vocab, d)
        self.d = d

    def forward(self, tokens):
        return self.embedding(tokens.long()) * math.sqrt(self.d)


class Seq2SeqTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = nn.Transformer(
            d_model=c["d_model"], nhead=c["n_heads"], num_encoder_layers=c["n_encoder_layers"],
            num_decoder_layers=c["n_decoder_layers"], dim_feedforward=c["d_ff"], dropout=c["dropout"],
            activation=c["activation"], layer_norm_eps=c["layer_norm_eps"], batch_first=True, norm_first=c["norm_first"])
        self.generator = nn.Linear(c["d_model"], c["tgt_vocab_size"])
        self.src_tok_emb = TokenEmbedding(c["src_vocab_size"], c["d_model"])
        self.tgt_tok_emb = TokenEmbedding(c["tgt_vocab_size"], c["d_model"])
        self.positional_encoding = PositionalEncoding(c["d_model"], c["dropout"], c["max_len"])

    def forward(self, src, tgt, src_padding_mask, tgt_padding_mask):
        t = tgt.size(1)
        causal = self.transformer.generate_square_subsequent_mask(t).to(self.generator.weight.dtype)
        src_emb = self.positional_encoding(self.src_tok_emb(src))
        tgt_emb = self.positional_encoding(self.tgt_tok_emb(tgt))
        outs = self.transformer(src_emb, tgt_emb, src_mask=None, tgt_mask=causal, memory_mask=None,
                                src_key_padding_mask=src_padding_mask, tgt_key_padding_mask=tgt_padding_mask,
                                memory_key_padding_mask=src_padding_mask)
        return self.generator(outs)


# ---------------------------------------------------------------- nanoGPT (model.py), minimal faithful copy

class GptLayerNorm(nn.Module):
    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout, bias):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)
        self.n_head, self.n_embd = n_head, n_embd
        self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        att = self.attn_dropout(att)
        y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, n_embd, d_ff, dropout, bias):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, d_ff, bias=bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(d_ff, n_embd, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, d_ff, block_size, dropout, bias):
        super().__init__()
        self.ln_1 = GptLayerNorm(n_embd, bias)
        self.attn = CausalSelfAttention(n_embd, n_head, block_size, dropout, bias)
        self.ln_2 = GptLayerNorm(n_embd, bias)
        self.mlp = MLP(n_embd, d_ff, dropout, bias)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        n_embd, vocab, block_size = c["d_model"], c["tgt_vocab_size"], c["max_len"]
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, n_embd),
            wpe=nn.Embedding(block_size, n_embd),
            drop=nn.Dropout(c["dropout"]),
            h=nn.ModuleList([Block(n_embd, c["n_heads"], c["d_ff"], block_size, c["dropout"], True)
                             for _ in range(c["n_decoder_layers"])]),
            ln_f=GptLayerNorm(n_embd, True),
        ))
        self.lm_head = nn.Linear(n_embd, vocab, bias=False)
        self.transformer.wte.weight = self.lm_head.weight
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * c["n_decoder_layers"]))

    def forward(self, idx):
        t = idx.size(1)
        pos = torch.arange(0, t, dtype=torch.long)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


# ---------------------------------------------------------------- encoder classifier (our EncoderClassifier's names)

class EncoderClassifier(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.tok_emb = TokenEmbedding(c["src_vocab_size"], c["d_model"])
        self.positional_encoding = PositionalEncoding(c["d_model"], c["dropout"], c["max_len"])
        layer = nn.TransformerEncoderLayer(c["d_model"], c["n_heads"], c["d_ff"], c["dropout"], c["activation"],
                                           layer_norm_eps=c["layer_norm_eps"], batch_first=True, norm_first=c["norm_first"])
        self.encoder = nn.TransformerEncoder(layer, c["n_encoder_layers"], norm=nn.LayerNorm(c["d_model"], eps=c["layer_norm_eps"]))
        self.classifier = nn.Linear(c["d_model"], c["num_classes"])

    def forward(self, ids, padding):
        x = self.encoder(self.positional_encoding(self.tok_emb(ids)), src_key_padding_mask=padding)
        keep = (~padding).to(x.dtype).unsqueeze(-1)                       # [B, T, 1]
        pooled = (x * keep).sum(1) / keep.sum(1).clamp(min=1.0)          # mean over non-padding positions
        return self.classifier(pooled)


# ---------------------------------------------------------------- timm's Vision Transformer (vision_transformer.py), minimal faithful copy

class TimmPatchEmbed(nn.Module):
    def __init__(self, patch, channels, dim):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, kernel_size=patch, stride=patch)

    def forward(self, x):                                       # x [B, C, H, W]
        return self.proj(x).flatten(2).transpose(1, 2)          # [B, N, D]


class TimmAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class TimmMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TimmBlock(nn.Module):
    def __init__(self, dim, num_heads, hidden, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = TimmAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = TimmMlp(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TimmVisionTransformer(nn.Module):
    """global_pool='token', class_token=True, pre-norm blocks, final norm on every token, head on [CLS]."""

    def __init__(self, c):
        super().__init__()
        d, p = c["d_model"], c["patch_size"]
        patches = (c["image_size"] // p) * (c.get("image_width", c["image_size"]) // p)
        self.patch_embed = TimmPatchEmbed(p, c["num_channels"], d)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, patches + 1, d))
        self.blocks = nn.Sequential(*[TimmBlock(d, c["n_heads"], c["d_ff"], c["layer_norm_eps"]) for _ in range(c["n_encoder_layers"])])
        self.norm = nn.LayerNorm(d, eps=c["layer_norm_eps"])
        self.head = nn.Linear(d, c["num_classes"])

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


# ---------------------------------------------------------------- helpers

def perturb(model):
    """Moves every vector parameter (biases, layer-norm gains) off its 0/1 initial value so each one matters."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                base = 1.0 if name.endswith(".weight") else 0.0   # the only vector weights are layer-norm gains
                p.copy_(base + 0.1 * torch.randn_like(p))


def padded(rows, length):
    """Pads each row of ids with PAD to length; returns ids [B, length] and the padding mask (True = padding)."""
    ids = torch.full((len(rows), length), PAD, dtype=torch.long)
    for b, r in enumerate(rows):
        ids[b, : len(r)] = torch.tensor(r, dtype=torch.long)
    return ids, ids == PAD


def sentence(gen, vocab, n):
    return torch.randint(3, vocab, (n,), generator=gen).tolist()


def all_names(model, aliases):
    """Every parameter name (PyTorch's named_parameters) plus each alias of a tied weight, with its tensor."""
    names = [n for n, _ in model.named_parameters()]           # a shared tensor appears once, under its first name
    names += [n for pair in aliases for n in pair if n not in names]
    return [(n, model.get_parameter(n)) for n in names]


def write_family(name, config, model, aliases, inputs, logits, loss, metadata):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    loss.backward()
    params = all_names(model, aliases)
    with open(os.path.join(folder, "config.json.tmp"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    os.replace(os.path.join(folder, "config.json.tmp"), os.path.join(folder, "config.json"))
    write_safetensors(os.path.join(folder, "model.safetensors"), [(n, p) for n, p in params])
    io = list(inputs) + [("logits", logits), ("loss", loss.reshape(1))] + [("grad." + n, p.grad) for n, p in params]
    write_safetensors(os.path.join(folder, "io.safetensors"), io, metadata)
    print(f"{name}: {sum(p.numel() for _, p in model.named_parameters())} parameters, loss {loss.item():.6f}")


# ---------------------------------------------------------------- the families

def seq2seq(name, seed, **overrides):
    config = config_json(**overrides)
    torch.manual_seed(seed)
    model = Seq2SeqTransformer(config)
    aliases = []
    if config["tie_embeddings"]:
        assert config["src_vocab_size"] == config["tgt_vocab_size"]
        model.tgt_tok_emb.embedding.weight = model.src_tok_emb.embedding.weight
        model.generator.weight = model.src_tok_emb.embedding.weight
        aliases = [("tgt_tok_emb.embedding.weight", "src_tok_emb.embedding.weight"),
                   ("generator.weight", "src_tok_emb.embedding.weight")]
    perturb(model)
    model.double().train()
    gen = torch.Generator().manual_seed(seed)
    src, src_pad = padded([sentence(gen, config["src_vocab_size"], n) + [EOS] for n in (5, 3, 4)], 6)
    tgt, _ = padded([[BOS] + sentence(gen, config["tgt_vocab_size"], n) + [EOS] for n in (5, 3, 4)], 7)
    tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]
    tgt_pad = tgt_in == PAD
    logits = model(src, tgt_in, src_pad, tgt_pad)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt_out.reshape(-1), ignore_index=PAD, label_smoothing=0.1)
    inputs = [("src", src), ("src_padding", src_pad.long()), ("tgt_in", tgt_in), ("tgt_padding", tgt_pad.long()), ("tgt_out", tgt_out)]
    write_family(name, config, model, aliases, inputs, logits, loss, {"ignore_index": PAD, "label_smoothing": 0.1})


def decoder_only(name, seed):
    config = config_json(model_type="decoder_only", d_model=8, d_ff=32, n_encoder_layers=0, src_vocab_size=13,
                         tgt_vocab_size=13, max_len=8, activation="gelu", norm_first=True, positional="learned",
                         tie_embeddings=True, scale_embeddings=False, output_bias=False)
    torch.manual_seed(seed)
    model = GPT(config)
    perturb(model)
    model.double().train()
    gen = torch.Generator().manual_seed(seed)
    rows = [[BOS] + sentence(gen, 13, 6), [BOS] + sentence(gen, 13, 3) + [EOS]]
    seq, _ = padded(rows, 8)                                     # [B, 8]: inputs are [:, :-1], targets [:, 1:]
    idx, targets = seq[:, :-1], seq[:, 1:]
    logits = model(idx)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index=PAD)
    inputs = [("idx", idx), ("targets", targets)]
    write_family(name, config, model, [("lm_head.weight", "transformer.wte.weight")], inputs, logits, loss,
                 {"ignore_index": PAD, "label_smoothing": 0.0})


def encoder_classifier(name, seed):
    config = config_json(model_type="encoder_classifier", d_model=8, d_ff=16, n_decoder_layers=0, src_vocab_size=11, tgt_vocab_size=11,
                         num_classes=3, layer_norm_eps=0.05)
    torch.manual_seed(seed)
    model = EncoderClassifier(config)
    perturb(model)
    model.double().train()
    gen = torch.Generator().manual_seed(seed)
    ids, pad = padded([sentence(gen, 11, n) for n in (5, 2, 4)], 5)
    labels = torch.tensor([2, 0, 1], dtype=torch.long)
    logits = model(ids, pad)
    loss = F.cross_entropy(logits, labels)
    inputs = [("ids", ids), ("padding", pad.long()), ("labels", labels)]
    write_family(name, config, model, [], inputs, logits, loss, {"ignore_index": -100, "label_smoothing": 0.0})


def vit(name, seed):
    # non-square images (8 x 12, patches 4 x 4: a 2 x 3 grid) and three channels exercise every index of the patch embedding
    config = config_json(model_type="vit", d_model=8, d_ff=16, n_decoder_layers=0, src_vocab_size=11, tgt_vocab_size=11,
                         activation="gelu", norm_first=True, layer_norm_eps=1e-6, positional="learned", num_classes=3,
                         image_size=8, image_width=12, patch_size=4, num_channels=3)
    torch.manual_seed(seed)
    model = TimmVisionTransformer(config)
    perturb(model)
    with torch.no_grad():                                       # timm starts both near zero; make them matter
        model.cls_token.copy_(0.5 * torch.randn_like(model.cls_token))
        model.pos_embed.copy_(0.5 * torch.randn_like(model.pos_embed))
    model.double().train()
    gen = torch.Generator().manual_seed(seed)
    images = torch.randn((3, 3, 8, 12), generator=gen, dtype=torch.float64)
    labels = torch.tensor([2, 0, 1], dtype=torch.long)
    logits = model(images)
    loss = F.cross_entropy(logits, labels, label_smoothing=0.1)
    write_family(name, config, model, [], [("images", images), ("labels", labels)], logits, loss,
                 {"ignore_index": -100, "label_smoothing": 0.1})


if __name__ == "__main__":
    torch.use_deterministic_algorithms(True)
    # The post-norm translation model has the full tutorial shape at d_model 16; the other families use d_model 8 and
    # a narrower d_ff (d_k = 4) so that the committed fixtures stay under 200 KB while every stack has two layers.
    # Names on the command line regenerate only those families (python3 make_fixtures.py vit).
    wanted = set(sys.argv[1:])
    families = {
        "seq2seq_postnorm": lambda: seq2seq("seq2seq_postnorm", 11),
        # A large layer_norm_eps in two families shows that the configured epsilon reaches every layer norm.
        "seq2seq_prenorm": lambda: seq2seq("seq2seq_prenorm", 12, d_model=8, d_ff=16, norm_first=True, activation="gelu",
                                           layer_norm_eps=0.05, src_vocab_size=12, tgt_vocab_size=12, tie_embeddings=True),
        "decoder_only": lambda: decoder_only("decoder_only", 13),
        "encoder_classifier": lambda: encoder_classifier("encoder_classifier", 14),
        "vit": lambda: vit("vit", 15),
    }
    for family, make in families.items():
        if not wanted or family in wanted:
            make()
