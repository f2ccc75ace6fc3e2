"""PyTorch side of `attend bench vit`: the same Vision Transformer (a faithful copy of timm's, from
tests/pytorch/make_fixtures.py) and the same training step (cross-entropy with label smoothing 0.1, backward, clipping
to norm 1, AdamW with weight decay 0.05 on the matrices but cls_token and pos_embed, betas (0.9, 0.999), eps 1e-8) on random 28 x 28 images; one
JSON line with the keys of `attend bench vit`.

Run with Debian's interpreter: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch/vit_bench.py --threads 2
(OpenBLAS at one thread per OpenMP thread: otherwise PyTorch 1.13 runs four busy threads on two cores.)
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "pytorch"))
from make_fixtures import TimmVisionTransformer  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--patch-size", type=int, default=4)
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--d-ff", type=int, default=128)
    p.add_argument("--encoder-layers", type=int, default=4)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1234)
    c = dict(d_model=a.d_model, n_heads=a.heads, d_ff=a.d_ff, n_encoder_layers=a.encoder_layers, layer_norm_eps=1e-6,
             num_classes=10, image_size=28, patch_size=a.patch_size, num_channels=1)
    model = TimmVisionTransformer(c).train()
    exempt = {"cls_token", "pos_embed"}                      # timm's no_weight_decay(), as Attend's VisionTransformer
    decay = [q for n, q in model.named_parameters() if q.dim() >= 2 and n not in exempt]
    other = [q for n, q in model.named_parameters() if q.dim() < 2 or n in exempt]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": other, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    def step():
        images = torch.rand(a.batch, 1, 28, 28) * 2 - 1
        labels = torch.randint(0, 10, (a.batch,))
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(images), labels, label_smoothing=0.1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return (time.perf_counter() - start) * 1000, loss.item()

    for _ in range(a.warmup):
        step()
    times, loss = [], 0.0
    for _ in range(a.steps):
        ms, loss = step()
        times.append(ms)
    ms = statistics.median(times)
    print(json.dumps({
        "impl": f"pytorch-{torch.__version__}", "config": f"vit-fashion-p{a.patch_size}-d{a.d_model}-l{a.encoder_layers}",
        "threads": a.threads, "steps": a.steps, "images_per_step": a.batch, "step_ms": round(ms, 3),
        "min_step_ms": round(min(times), 3), "max_step_ms": round(max(times), 3),
        "images_per_second": round(a.batch / (ms / 1000), 1), "parameters": sum(q.numel() for q in model.parameters()),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "loss": round(loss, 4),
    }))


if __name__ == "__main__":
    main()
