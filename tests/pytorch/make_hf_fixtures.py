#!/usr/bin/python3
"""Writes the Hugging Face layout parity fixtures under tests/Attend.Tests/Fixtures/hf/<name>/.

Run with Debian's Python, which has torch 1.13 (CPU):  /usr/bin/python3 tests/pytorch/make_hf_fixtures.py

The transformers library is not installable here, so the modules below re-state Hugging Face's BertModel,
BertForSequenceClassification and GPT2LMHeadModel (transformers 4.x, modeling_bert.py and modeling_gpt2.py) in
plain PyTorch, with the same submodule names, so that state_dict() gives Hugging Face's tensor names and layouts:
separate query/key/value Linear layers for BERT, Conv1D weights stored [in, out] for GPT-2, the GPT-2 causal-mask
buffers h.N.attn.bias, BERT's embeddings.position_ids buffer. Each folder is what a user downloads:
  config.json        Hugging Face's config (model_type bert or gpt2, with their own key names)
  model.safetensors  the state dict as Hugging Face saves it (see each family for prefixes and tied weights)
and, for the test only:
  io.safetensors     the inputs, the outputs and grad.<name> for every tensor of model.safetensors
The sentence-transformers folder adds modules.json, 1_Pooling/config.json and 2_Normalize.

The weights are drawn in float32, the model runs in float64 (model.double()) and the results are rounded to float32.
The safetensors writer is the one of make_fixtures.py.
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_fixtures import write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Attend.Tests", "Fixtures", "hf")


# ---------------------------------------------------------------- BERT (modeling_bert.py)

class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"], padding_idx=c["pad_token_id"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.register_buffer("position_ids", torch.arange(c["max_position_embeddings"]).expand((1, -1)))

    def forward(self, input_ids, token_type_ids):
        t = input_ids.size(1)
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        x = x + self.position_embeddings(self.position_ids[:, :t])
        return self.dropout(self.LayerNorm(x))


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["num_attention_heads"]
        self.head_size = c["hidden_size"] // self.heads
        self.query = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.key = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.value = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def split(self, x):
        return x.view(x.size(0), x.size(1), self.heads, self.head_size).permute(0, 2, 1, 3)

    def forward(self, x, extended_mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_size) + extended_mask
        z = self.dropout(F.softmax(scores, dim=-1)) @ v
        return z.permute(0, 2, 1, 3).reshape(x.size(0), x.size(1), -1)


class BertSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, h, x):
        return self.LayerNorm(self.dropout(self.dense(h)) + x)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        setattr(self, "self", BertSelfAttention(c))
        self.output = BertSelfOutput(c)

    def forward(self, x, extended_mask):
        return self.output(getattr(self, "self")(x, extended_mask), x)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return F.gelu(self.dense(x))          # hidden_act "gelu": the exact, erf-based GELU


class BertOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["intermediate_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, h, x):
        return self.LayerNorm(self.dropout(self.dense(h)) + x)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, x, extended_mask):
        a = self.attention(x, extended_mask)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, extended_mask):
        for layer in self.layer:
            x = layer(x, extended_mask)
        return x


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, h):
        return torch.tanh(self.dense(h[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c)

    def forward(self, input_ids, attention_mask, token_type_ids):
        extended = (1.0 - attention_mask[:, None, None, :].to(torch.float64)) * -10000.0
        h = self.encoder(self.embeddings(input_ids, token_type_ids), extended)
        return h, self.pooler(h)


class BertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c)
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.classifier = nn.Linear(c["hidden_size"], len(c["id2label"]))

    def forward(self, input_ids, attention_mask, token_type_ids):
        _, pooled = self.bert(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.dropout(pooled))


# ---------------------------------------------------------------- GPT-2 (modeling_gpt2.py)

class Conv1D(nn.Module):
    """Hugging Face's Conv1D: a linear layer whose weight is stored [in, out]."""

    def __init__(self, nf, nx):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(nx, nf).normal_(std=0.02))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.size(-1)), self.weight).view(*x.shape[:-1], -1)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class GPT2Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        n = c["n_positions"]
        self.register_buffer("bias", torch.tril(torch.ones((n, n), dtype=torch.bool)).view(1, 1, n, n))
        self.register_buffer("masked_bias", torch.tensor(-1e4))
        self.embed_dim, self.heads = c["n_embd"], c["n_head"]
        self.c_attn = Conv1D(3 * self.embed_dim, self.embed_dim)
        self.c_proj = Conv1D(self.embed_dim, self.embed_dim)

    def split(self, x):
        return x.view(x.size(0), x.size(1), self.heads, -1).permute(0, 2, 1, 3)

    def forward(self, x):
        q, k, v = self.c_attn(x).split(self.embed_dim, dim=2)
        q, k, v = self.split(q), self.split(k), self.split(v)
        w = q @ k.transpose(-1, -2) / math.sqrt(v.size(-1))
        t = x.size(1)
        w = torch.where(self.bias[:, :, :t, :t], w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype))
        z = F.softmax(w, dim=-1) @ v
        return self.c_proj(z.permute(0, 2, 1, 3).reshape(x.size(0), t, self.embed_dim))


class GPT2MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        inner = c["n_inner"] or 4 * c["n_embd"]
        self.c_fc = Conv1D(inner, c["n_embd"])
        self.c_proj = Conv1D(c["n_embd"], inner)

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class GPT2Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"])
        self.attn = GPT2Attention(c)
        self.ln_2 = nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"])
        self.mlp = GPT2MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c["vocab_size"], c["n_embd"])
        self.wpe = nn.Embedding(c["n_positions"], c["n_embd"])
        self.h = nn.ModuleList([GPT2Block(c) for _ in range(c["n_layer"])])
        self.ln_f = nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"])

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.size(1)))
        for block in self.h:
            x = block(x)
        return self.ln_f(x)


class GPT2LMHeadModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = GPT2Model(c)
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)
        self.lm_head.weight = self.transformer.wte.weight

    def forward(self, idx):
        return self.lm_head(self.transformer(idx))


# ---------------------------------------------------------------- helpers

def perturb(model):
    """Moves every vector parameter (biases, layer-norm gains) off its 0/1 initial value so each one matters."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                base = 1.0 if "LayerNorm" in name or ".ln_" in name or name.startswith("ln_") or ".ln_f" in name else 0.0
                p.copy_(base + 0.1 * torch.randn_like(p))


def save_json(path, value):
    with open(path + ".tmp", "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def write_folder(name, config, state, io, metadata=None):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    save_json(os.path.join(folder, "config.json"), config)
    write_safetensors(os.path.join(folder, "model.safetensors"), state, {"format": "pt"})
    write_safetensors(os.path.join(folder, "io.safetensors"), io, metadata)
    print(f"{name}: {sum(t.numel() for n, t in state if t.is_floating_point())} values")
    return folder


def bert_config(**overrides):
    c = {
        "architectures": ["BertModel"], "model_type": "bert", "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None, "gradient_checkpointing": False, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "hidden_size": 16, "initializer_range": 0.02, "intermediate_size": 32, "layer_norm_eps": 1e-3,
        "max_position_embeddings": 12, "num_attention_heads": 2, "num_hidden_layers": 2, "pad_token_id": 0,
        "position_embedding_type": "absolute", "torch_dtype": "float32", "transformers_version": "4.39.3",
        "type_vocab_size": 2, "use_cache": True, "vocab_size": 23,
    }
    c.update(overrides)
    return c


def bert_inputs(gen, vocab):
    lengths = (7, 4, 6)
    ids = torch.zeros((3, 7), dtype=torch.long)
    mask = torch.zeros((3, 7), dtype=torch.long)
    types = torch.zeros((3, 7), dtype=torch.long)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(1, vocab, (n,), generator=gen)
        mask[b, :n] = 1
    types[0, 4:] = 1                                                   # a sentence pair in the first row
    return ids, mask, types


# ---------------------------------------------------------------- the fixtures

def sentence_bert(seed):
    """A sentence-transformers folder: BertModel saved without prefix, mean pooling, Normalize."""
    config = bert_config()
    torch.manual_seed(seed)
    model = BertModel(config)
    perturb(model)
    model.double().train()                                             # dropout 0 below: train() mode only avoids fast paths
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    gen = torch.Generator().manual_seed(seed)
    ids, mask, types = bert_inputs(gen, config["vocab_size"])
    hidden, pooled = model(ids, mask, types)
    keep = mask.unsqueeze(-1).to(hidden.dtype)
    mean = (hidden * keep).sum(1) / keep.sum(1).clamp(min=1e-9)        # sentence-transformers' Pooling (mean)
    embedding = F.normalize(mean, p=2, dim=1)                           # sentence-transformers' Normalize
    g = torch.Generator().manual_seed(seed + 1)
    w_hidden = torch.randn(hidden.shape, generator=g, dtype=torch.float64)
    w_pooled = torch.randn(pooled.shape, generator=g, dtype=torch.float64)
    loss = (hidden * w_hidden).sum() + (pooled * w_pooled).sum()
    loss.backward()
    state = list(model.state_dict().items())
    grads = dict(model.named_parameters())
    io = [("input_ids", ids), ("attention_mask", mask), ("token_type_ids", types), ("last_hidden_state", hidden),
          ("pooler_output", pooled), ("sentence_embedding", embedding), ("w_hidden", w_hidden), ("w_pooled", w_pooled),
          ("loss", loss.reshape(1))] + [("grad." + n, grads[n].grad) for n, _ in state if n in grads]
    folder = write_folder("sentence_bert", config, state, io)
    save_json(os.path.join(folder, "modules.json"), [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
    os.makedirs(os.path.join(folder, "1_Pooling"), exist_ok=True)
    save_json(os.path.join(folder, "1_Pooling", "config.json"), {
        "word_embedding_dimension": 16, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False})
    os.makedirs(os.path.join(folder, "2_Normalize"), exist_ok=True)
    with open(os.path.join(folder, "vocab.txt"), "w", newline="\r\n") as f:   # CRLF, as the MiniLM package's
        f.write("\n".join(["[PAD]"] + [f"[unused{i}]" for i in range(1, 4)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
                          + ["the", "a", "dog", "cat", "runs", "##s", "in", "snow", "park", "play", "two", "man", "bike", "##ing", "."]) + "\n")


def bert_classifier(seed):
    """BertForSequenceClassification as saved by save_pretrained: bert.* prefix, classifier.*, pooler -> classifier."""
    config = bert_config(architectures=["BertForSequenceClassification"], id2label={"0": "neg", "1": "neutral", "2": "pos"},
                         label2id={"neg": 0, "neutral": 1, "pos": 2}, layer_norm_eps=1e-12)
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config)
    perturb(model)
    model.double().train()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    gen = torch.Generator().manual_seed(seed)
    ids, mask, types = bert_inputs(gen, config["vocab_size"])
    logits = model(ids, mask, types)
    labels = torch.tensor([2, 0, 1], dtype=torch.long)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    state = [(n, t) for n, t in model.state_dict().items() if n != "bert.embeddings.position_ids"]   # newer transformers drop it
    grads = dict(model.named_parameters())
    io = [("input_ids", ids), ("attention_mask", mask), ("token_type_ids", types), ("labels", labels), ("logits", logits),
          ("loss", loss.reshape(1))] + [("grad." + n, grads[n].grad) for n, _ in state]
    write_folder("bert_classifier", config, state, io, {"ignore_index": -100, "label_smoothing": 0.0})


def gpt2(seed):
    """GPT2LMHeadModel as the gpt2 checkpoints store it: no transformer. prefix, no lm_head (tied), h.N.attn.bias buffers."""
    config = {
        "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1, "bos_token_id": 12,
        "embd_pdrop": 0.1, "eos_token_id": 12, "initializer_range": 0.02, "layer_norm_epsilon": 1e-5, "model_type": "gpt2",
        "n_ctx": 8, "n_embd": 8, "n_head": 2, "n_inner": None, "n_layer": 2, "n_positions": 8, "resid_pdrop": 0.1,
        "scale_attn_weights": True, "summary_type": "cls_index", "tie_word_embeddings": True, "vocab_size": 13,
    }
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config)
    perturb(model)
    model.double().train()
    gen = torch.Generator().manual_seed(seed)
    seq = torch.randint(0, 13, (2, 8), generator=gen)
    idx, targets = seq[:, :-1], seq[:, 1:]
    logits = model(idx)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))
    loss.backward()
    state = [(n[len("transformer."):], t) for n, t in model.state_dict().items() if n.startswith("transformer.")]
    grads = {n[len("transformer."):]: p for n, p in model.named_parameters()}
    io = [("idx", idx), ("targets", targets), ("logits", logits), ("loss", loss.reshape(1))] + \
         [("grad." + n, grads[n].grad) for n, _ in state if n in grads]
    write_folder("gpt2", config, state, io, {"ignore_index": -100, "label_smoothing": 0.0})


if __name__ == "__main__":
    torch.use_deterministic_algorithms(True)
    sentence_bert(21)
    bert_classifier(22)
    gpt2(23)
