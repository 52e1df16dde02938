#!/usr/bin/python3
"""Reference peer: a Llama-family model in plain PyTorch, float32 on CPU — one training step
(forward + backward + AdamW) or batch decoding with a KV cache.

Our own implementation (no transformers), the architecture of Llama / SmolLM2:
token embedding; per layer RMSNorm -> attention (q/k/v/o projections without bias, RoPE in the
rotate_half form, grouped-query attention: the kv heads repeated with repeat_interleave, or
F.scaled_dot_product_attention with enable_gqa when this torch has it) -> residual, RMSNorm ->
SwiGLU MLP down(silu(gate(x)) * up(x)) -> residual; final RMSNorm; LM head tied to the embedding.
Weights N(0, 0.02), norms 1. AdamW as torch_gpt_step.py (../shared/peers): lr 6e-4, betas
(0.9, 0.95), eps 1e-8, weight decay 0.1 on >= 2-D parameters; --grad-clip 1 clips as cpo4j does.

Configs: smollm2-135m (vocab 49152, hidden 576, intermediate 1536, 30 layers, 9 heads, 3 kv heads,
head_dim 64, rms_norm_eps 1e-5, rope_theta 100000, tied, context 2048; batch 4 x 256 for a step);
tiny (for trying it out and --self-check).

  /usr/bin/python3 bench/peers/torch_llama_step.py --config smollm2-135m --threads 1 --steps 3
  /usr/bin/python3 bench/peers/torch_llama_step.py --config smollm2-135m --mode decode --threads 1
  /usr/bin/python3 bench/peers/torch_llama_step.py --config tiny --self-check

Step mode prints each step's ms, then the median/min ms per step and tokens/s; decode mode times
one new token per sequence at --position (the cache is rewound after each step, as cpo4j's
DecodeBenchmark does) and prints tokens/s and the bytes of weights and KV cache read per token.
Each prints a RESULT line and, with --json FILE, appends one JSON line (torch_gpt_step.py's fields,
plus "case" and "mode") for the bench runner. Like torch_gpt_step.py it re-executes itself once,
with the OpenMP build of OpenBLAS when installed and glibc malloc thresholds at 4 GiB.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

CONFIGS = {
    "smollm2-135m": dict(vocab=49152, hidden=576, intermediate=1536, layers=30, heads=9, kv_heads=3, head_dim=64,
                         eps=1e-5, rope_theta=100000.0, tied=True, context=2048, batch=4, block=256),
    "tiny": dict(vocab=512, hidden=64, intermediate=192, layers=2, heads=4, kv_heads=2, head_dim=16,
                 eps=1e-5, rope_theta=10000.0, tied=True, context=256, batch=4, block=64),
}
OPENMP_BLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
MALLOC_TUNE = "glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=4294967296"


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", choices=sorted(CONFIGS), default="smollm2-135m")
    ap.add_argument("--mode", choices=["step", "decode"], default="step")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=5, help="timed steps (median reported)")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--batch", type=int, help="sequences (default: the config's for a step, 1 for decoding)")
    ap.add_argument("--block", type=int, help="tokens per sequence of a training step")
    ap.add_argument("--position", type=int, default=128, help="decoding: tokens already in the cache")
    ap.add_argument("--attn", choices=["explicit", "sdpa"], default="sdpa",
                    help="sdpa: F.scaled_dot_product_attention when this torch has it (else explicit)")
    ap.add_argument("--grad-clip", type=float, default=0.0)
    ap.add_argument("--blas", choices=["openmp", "system"], default="openmp")
    ap.add_argument("--no-malloc-tune", action="store_true")
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--self-check", action="store_true",
                    help="check that cached decoding matches the full forward and sdpa matches explicit attention, then exit")
    ap.add_argument("--json", default="", help="append a JSON line with the result")
    return ap.parse_args(argv)


def reexec(args):
    """Once, as torch_gpt_step.py: the loader must see LD_LIBRARY_PATH and GLIBC_TUNABLES before python starts."""
    if os.environ.get("_LLAMA_STEP_REEXEC") == "1":
        return
    env = dict(os.environ, _LLAMA_STEP_REEXEC="1", OMP_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS=str(args.threads))
    if args.blas == "openmp":
        if os.path.isdir(OPENMP_BLAS_DIR):
            env["LD_LIBRARY_PATH"] = OPENMP_BLAS_DIR + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
        else:
            print("# WARNING: %s missing (apt-get install libopenblas0-openmp); using system BLAS" % OPENMP_BLAS_DIR)
    if not args.no_malloc_tune:
        env.setdefault("GLIBC_TUNABLES", MALLOC_TUNE)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


if __name__ == "__main__":
    ARGS = parse()
    reexec(ARGS)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def sdpa_kind():
    """"gqa": sdpa with enable_gqa (torch >= 2.5); "sdpa": sdpa on repeated kv heads (>= 2.0); None: explicit."""
    if not hasattr(F, "scaled_dot_product_attention"):
        return None
    q = torch.zeros(1, 2, 1, 4)
    kv = torch.zeros(1, 1, 1, 4)
    try:
        F.scaled_dot_product_attention(q, kv, kv, enable_gqa=True)
        return "gqa"
    except (TypeError, RuntimeError):
        return "sdpa"


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):  # (..., C)
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(context, head_dim, theta):
    """cos, sin: (context, head_dim), each frequency twice, as rotate_half pairs dimension i with i + head_dim/2."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    freqs = torch.outer(torch.arange(context, dtype=torch.float32), inv_freq)  # (context, head_dim/2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c, attn):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = c["heads"], c["kv_heads"], c["head_dim"]
        self.q_proj = nn.Linear(c["hidden"], self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(c["hidden"], self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(c["hidden"], self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, c["hidden"], bias=False)
        self.attn = attn  # None (explicit), "sdpa" or "gqa"

    def forward(self, x, cos, sin, cache=None, pos=0):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.heads, self.head_dim).transpose(1, 2)        # (B, H, T, hd)
        k = self.k_proj(x).view(B, T, self.kv_heads, self.head_dim).transpose(1, 2)     # (B, KV, T, hd)
        v = self.v_proj(x).view(B, T, self.kv_heads, self.head_dim).transpose(1, 2)     # (B, KV, T, hd)
        cos, sin = cos[pos:pos + T], sin[pos:pos + T]                                   # (T, hd)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:                                                           # (B, KV, context, hd) each
            cache[0][:, :, pos:pos + T] = k
            cache[1][:, :, pos:pos + T] = v
            k, v = cache[0][:, :, :pos + T], cache[1][:, :, :pos + T]                   # (B, KV, S, hd), S = pos + T
        S = k.shape[2]
        causal = T > 1
        # the mask of queries pos..pos+T-1 over keys 0..S-1 (is_causal only fits when S == T)
        mask = None if not causal or S == T else torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T)
        if self.attn == "gqa":
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal and mask is None, enable_gqa=True)
        else:
            group = self.heads // self.kv_heads
            k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)  # (B, H, S, hd)
            if self.attn == "sdpa":
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal and mask is None)
            else:
                att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))    # (B, H, T, S)
                if causal:
                    keep = mask if mask is not None else torch.ones(T, S, dtype=torch.bool).tril()
                    att = att.masked_fill(~keep, float("-inf"))
                y = F.softmax(att, dim=-1) @ v                                          # (B, H, T, hd)
        y = y.transpose(1, 2).contiguous().view(B, T, self.heads * self.head_dim)
        return self.o_proj(y)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden"], c["intermediate"], bias=False)
        self.up_proj = nn.Linear(c["hidden"], c["intermediate"], bias=False)
        self.down_proj = nn.Linear(c["intermediate"], c["hidden"], bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, c, attn):
        super().__init__()
        self.input_layernorm = RMSNorm(c["hidden"], c["eps"])
        self.self_attn = Attention(c, attn)
        self.post_attention_layernorm = RMSNorm(c["hidden"], c["eps"])
        self.mlp = MLP(c)

    def forward(self, x, cos, sin, cache=None, pos=0):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, cache, pos)
        return x + self.mlp(self.post_attention_layernorm(x))


class Llama(nn.Module):
    def __init__(self, c, attn):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab"], c["hidden"])
        self.layers = nn.ModuleList([Block(c, attn) for _ in range(c["layers"])])
        self.norm = RMSNorm(c["hidden"], c["eps"])
        self.lm_head = nn.Linear(c["hidden"], c["vocab"], bias=False)
        if c["tied"]:
            self.lm_head.weight = self.embed_tokens.weight
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)
        cos, sin = rope_tables(c["context"], c["head_dim"], c["rope_theta"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, idx, caches=None, pos=0):  # idx (B, T) -> logits (B, T, V)
        x = self.embed_tokens(idx)
        for i, layer in enumerate(self.layers):
            x = layer(x, self.cos, self.sin, None if caches is None else caches[i], pos)
        return self.lm_head(self.norm(x))

    def new_caches(self, batch):
        c = self.c
        shape = (batch, c["kv_heads"], c["context"], c["head_dim"])
        return [(torch.zeros(shape), torch.zeros(shape)) for _ in range(c["layers"])]


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())  # a tied weight once


def decode_bytes_per_token(c, position):
    """float32 bytes one decoding step reads per sequence at `position`: every block and the final norm, the LM head
    (the whole vocab x hidden matrix), one embedding row, and the K and V cache of every layer up to the new token."""
    h, i, kv = c["hidden"], c["intermediate"], c["kv_heads"] * c["head_dim"]
    per_layer = h * c["heads"] * c["head_dim"] * 2 + h * kv * 2 + 3 * h * i + 2 * h
    weights = c["layers"] * per_layer + h + c["vocab"] * h + h
    cache = 2 * c["layers"] * (position + 1) * kv
    return 4 * weights, 4 * cache


def adamw(model):
    params = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.AdamW([{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
                              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
                             lr=6e-4, betas=(0.9, 0.95), eps=1e-8)


def self_check(c):
    """Cached decoding gives the full forward's logits; every attention path gives the explicit one's."""
    torch.manual_seed(0)
    available = sdpa_kind()
    kinds = [None] + (["sdpa"] if available else []) + (["gqa"] if available == "gqa" else [])
    models = {}
    for kind in kinds:
        torch.manual_seed(0)
        models[kind] = Llama(c, kind).eval()
    idx = torch.randint(0, c["vocab"], (2, 12))
    with torch.no_grad():
        full = models[None](idx)
        worst = 0.0
        for kind, m in models.items():
            caches = m.new_caches(2)
            prefix = m(idx[:, :7], caches, 0)
            steps = [prefix] + [m(idx[:, t:t + 1], caches, t) for t in range(7, 12)]
            cached = torch.cat(steps, dim=1)
            worst = max(worst, (m(idx) - full).abs().max().item(), (cached - full).abs().max().item())
        # causality: a changed later token leaves the earlier positions' logits alone
        changed = idx.clone()
        changed[:, 8:] = (changed[:, 8:] + 1) % c["vocab"]
        causal = (models[None](changed)[:, :8] - full[:, :8]).abs().max().item()
    # RoPE: a query-key score depends on the distance only (positions m, n and m + 5, n + 5 score alike)
    cos, sin = rope_tables(64, c["head_dim"], c["rope_theta"])
    q, k = torch.randn(c["head_dim"], dtype=torch.float64), torch.randn(c["head_dim"], dtype=torch.float64)
    cos, sin = cos.double(), sin.double()

    def score(m, n):
        return float((q * cos[m] + rotate_half(q) * sin[m]) @ (k * cos[n] + rotate_half(k) * sin[n]))
    rope = max(abs(score(m, n) - score(m + 5, n + 5)) for m, n in ((3, 1), (10, 0), (20, 19)))
    ok = worst < 1e-4 and causal < 1e-5 and rope < 1e-4
    print("SELF-CHECK %s: attention paths %s, cached decoding vs full forward max |diff| %.2e; "
          "earlier logits after a later token changed %.2e; RoPE score shift-invariance %.2e"
          % ("ok" if ok else "FAILED", ["explicit" if k is None else k for k in kinds], worst, causal, rope))
    return 0 if ok else 1


def timed(fn, warmup, steps, label):
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        extra = fn()
        dt = time.perf_counter() - t0
        tag = "warmup" if i < warmup else label
        print(f"{tag} {i:3d}  {extra}  {dt*1e3:9.1f} ms", flush=True)
        if i >= warmup:
            times.append(dt)
    return times


def main(args):
    c = dict(CONFIGS[args.config])
    if args.self_check:
        return self_check(c)
    attn = sdpa_kind() if args.attn == "sdpa" else None
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)
    model = Llama(c, attn)
    n_params = parameter_count(model)

    print(f"# torch {torch.__version__}  threads={torch.get_num_threads()} interop={torch.get_num_interop_threads()}  "
          f"attention={attn or 'explicit'}")
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            print("# threadpool:", info.get("internal_api"), info.get("version"), info.get("architecture"),
                  info.get("threading_layer"), "num_threads=%s" % info.get("num_threads"), info.get("filepath"))
    except ImportError:
        pass
    print("# LD_LIBRARY_PATH=%r GLIBC_TUNABLES=%r" % (os.environ.get("LD_LIBRARY_PATH"), os.environ.get("GLIBC_TUNABLES")))
    g = torch.Generator().manual_seed(args.seed)
    res = dict(config=args.config, mode=args.mode, threads=args.threads, torch=torch.__version__, attention=attn or "explicit",
               params=n_params, blas=args.blas, malloc_tune=not args.no_malloc_tune)

    if args.mode == "step":
        B, T = args.batch or c["batch"], args.block or c["block"]
        flops_per_token = 6 * (n_params - c["vocab"] * c["hidden"] * (0 if c["tied"] else 1)) + 12 * c["layers"] * T * c["heads"] * c["head_dim"]
        flops_per_step = flops_per_token * B * T
        print(f"# config={args.config} step batch={B} block={T} params={n_params/1e6:.2f}M  est. {flops_per_step/1e9:.1f} GFLOP/step")
        x = torch.randint(0, c["vocab"], (B, T), generator=g)
        y = torch.randint(0, c["vocab"], (B, T), generator=g)
        model.train()
        opt = adamw(model)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x).view(-1, c["vocab"]), y.view(-1))
            loss.backward()
            if args.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
            opt.step()
            return f"loss {loss.item():.4f}"

        times = timed(step, args.warmup, args.steps, "step")
        tokens = B * T
        res.update(case=args.config, batch=B, block=T, gflops_median=flops_per_step / statistics.median(times) / 1e9,
                   gflops_best=flops_per_step / min(times) / 1e9)
    else:
        B, P = args.batch or 1, args.position
        weight_bytes, cache_bytes = decode_bytes_per_token(c, P)
        print(f"# config={args.config} decode batch={B} position={P} params={n_params/1e6:.2f}M  "
              f"per token: {weight_bytes/1e6:.1f} MB of weights (read once per step for the batch), "
              f"{cache_bytes/1e6:.2f} MB of KV cache per sequence")
        model.eval()
        caches = model.new_caches(B)
        nxt = torch.randint(0, c["vocab"], (B, 1), generator=g)
        with torch.no_grad():
            model(torch.randint(0, c["vocab"], (B, P), generator=g), caches, 0)

        def step():
            with torch.no_grad():  # always at position P: the slot it writes is rewritten next time
                logits = model(nxt, caches, P)
            return f"token {int(logits[0, -1].argmax())}"

        times = timed(step, args.warmup, args.steps, "decode")
        tokens = B
        res.update(case=f"{args.config} decode batch {B}", batch=B, position=P, weight_bytes=weight_bytes, cache_bytes_per_sequence=cache_bytes)

    med, mn = statistics.median(times), min(times)
    res.update(steps=len(times), ms_median=med * 1e3, ms_min=mn * 1e3, tok_s_median=tokens / med, tok_s_best=tokens / mn,
               step_ms=[round(t * 1e3, 2) for t in times])
    print(f"RESULT config={args.config} mode={args.mode} threads={args.threads} batch={res['batch']}: median {med*1e3:.1f} ms/step "
          f"(min {mn*1e3:.1f}), {tokens/med:.1f} tok/s median ({tokens/mn:.1f} best)")
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps(res) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
