#!/usr/bin/python3
"""PyTorch figures for the kernels that ../shared/peers does not cover: layer norm, GELU (tanh), RMSNorm, SwiGLU,
causal self-attention written out as nanoGPT does (torch 1.13 has no fused attention), cross-entropy
and AdamW. Same conventions as ../shared/peers/numpy_gemm_softmax.py: each thread count in a fresh
process, `--repeats` samples of >= `--min-sample` seconds, RESULT lines, and JSON lines with
backend, threads, case, unit, best, median (from the min and the median sample).

Case names match the cpo4j JMH benchmarks: "<Benchmark>.<method> <shape>".

  /usr/bin/python3 bench/peers/torch_kernels.py --threads 1 2 --repeats 7 --json out.jsonl
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time


def time_op(fn, repeats, min_sample):
    fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-6)
    iters = max(1, int(min_sample / one))
    for _ in range(min(iters, 3)):
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        samples.append((time.perf_counter() - t0) / iters)
    return samples


def cases(torch):
    F = torch.nn.functional
    g = torch.Generator().manual_seed(0)

    def randn(*shape, grad=False):
        return torch.randn(*shape, generator=g).requires_grad_(grad)

    def layernorm(rows, cols):
        x, w, b = randn(rows, cols, grad=True), randn(cols, grad=True), randn(cols, grad=True)
        dy = randn(rows, cols)

        def fwd():
            with torch.no_grad():
                return F.layer_norm(x, (cols,), w, b, 1e-5)
        y = F.layer_norm(x, (cols,), w, b, 1e-5)

        def bwd():
            return torch.autograd.grad(y, (x, w, b), dy, retain_graph=True)
        shape = f"{rows}x{cols}"
        return [(f"LayerNormBenchmark.forward {shape}", "Gelem/s", rows * cols, fwd),
                (f"LayerNormBenchmark.backward {shape}", "Gelem/s", rows * cols, bwd)]

    def gelu(n):
        x = randn(n, grad=True)
        dy = randn(n)

        def fwd():
            with torch.no_grad():
                return F.gelu(x, approximate="tanh")
        y = F.gelu(x, approximate="tanh")

        def bwd():
            return torch.autograd.grad(y, (x,), dy, retain_graph=True)
        return [(f"GeluBenchmark.forward {n}", "Gelem/s", n, fwd), (f"GeluBenchmark.backward {n}", "Gelem/s", n, bwd)]

    def rmsnorm(rows, cols):  # HF LlamaRMSNorm in float32 (torch 1.13 has no fused RMSNorm)
        x, w = randn(rows, cols, grad=True), randn(cols, grad=True)
        dy = randn(rows, cols)

        def rms(z):
            return w * (z * torch.rsqrt(z.pow(2).mean(-1, keepdim=True) + 1e-6))

        def fwd():
            with torch.no_grad():
                return rms(x)
        y = rms(x)

        def bwd():
            return torch.autograd.grad(y, (x, w), dy, retain_graph=True)
        shape = f"{rows}x{cols}"
        return [(f"RmsNormBenchmark.forward {shape}", "Gelem/s", rows * cols, fwd),
                (f"RmsNormBenchmark.backward {shape}", "Gelem/s", rows * cols, bwd)]

    def swiglu(n):  # Llama's MLP gate: silu(gate) * up
        gate, up = randn(n, grad=True), randn(n, grad=True)
        dy = randn(n)

        def fwd():
            with torch.no_grad():
                return F.silu(gate) * up
        y = F.silu(gate) * up

        def bwd():
            return torch.autograd.grad(y, (gate, up), dy, retain_graph=True)
        return [(f"SwiGluBenchmark.forward {n}", "Gelem/s", n, fwd), (f"SwiGluBenchmark.backward {n}", "Gelem/s", n, bwd)]

    def attention(B, T, C, H):
        qkv = randn(B, T, 3 * C, grad=True)
        dy = randn(B, T, C)
        mask = torch.tril(torch.ones(T, T)).view(1, 1, T, T)

        def att(x):  # nanoGPT CausalSelfAttention between the two projections
            q, k, v = x.split(C, dim=2)
            q = q.view(B, T, H, C // H).transpose(1, 2)
            k = k.view(B, T, H, C // H).transpose(1, 2)
            v = v.view(B, T, H, C // H).transpose(1, 2)
            a = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            a = a.masked_fill(mask[:, :, :T, :T] == 0, float("-inf"))
            a = F.softmax(a, dim=-1)
            return (a @ v).transpose(1, 2).contiguous().view(B, T, C)

        def fwd():
            with torch.no_grad():
                return att(qkv)

        def fwdbwd():
            y = att(qkv)
            return torch.autograd.grad(y, (qkv,), dy)
        flops = 2.0 * B * T * (T + 1) * C
        shape = f"{B}x{T}x{C}x{H}"
        return [(f"AttentionBenchmark.forward {shape}", "GFLOPS", flops, fwd),
                (f"AttentionBenchmark.forwardBackward {shape}", "GFLOPS", 3 * flops, fwdbwd)]

    def cross_entropy(rows, vocab):
        logits = randn(rows, vocab, grad=True)
        targets = torch.randint(0, vocab, (rows,), generator=g)

        def fwdbwd():
            loss = F.cross_entropy(logits, targets)
            return torch.autograd.grad(loss, (logits,))
        return [(f"CrossEntropyBenchmark.forwardBackward {rows}x{vocab}", "Gelem/s", rows * vocab, fwdbwd)]

    def adamw(n):
        p = torch.nn.Parameter(randn(n))
        p.grad = randn(n)
        opt = torch.optim.AdamW([p], lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
        return [(f"AdamWBenchmark.step {n}", "Gelem/s", n, opt.step)]

    out = []
    out += layernorm(1024, 768) + layernorm(2048, 128)
    out += gelu(1024 * 3072)
    out += rmsnorm(1024, 768) + rmsnorm(2048, 128)
    out += swiglu(1024 * 3072)
    out += attention(4, 256, 768, 12) + attention(16, 128, 128, 4) + attention(1, 1024, 768, 12)
    out += cross_entropy(2048, 512) + cross_entropy(1024, 50257)
    out += adamw(1 << 24)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-sample", type=float, default=0.25)
    ap.add_argument("--json", default="")
    ap.add_argument("--only", default="", help="regex filter on case names (re.search)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.child:
        rc = 0
        for n in args.threads:
            env = dict(os.environ, OMP_NUM_THREADS=str(n), OPENBLAS_NUM_THREADS=str(n))
            cmd = [sys.executable, os.path.abspath(__file__), "--child", "--threads", str(n),
                   "--repeats", str(args.repeats), "--min-sample", str(args.min_sample), "--only", args.only]
            if args.json:
                cmd += ["--json", args.json]
            rc |= subprocess.call(cmd, env=env)
        return rc

    import torch
    nthr = args.threads[0]
    torch.set_num_threads(nthr)
    print(f"# torch {torch.__version__}, {nthr} thread(s)")
    out = open(args.json, "a") if args.json else None
    for name, unit, work, fn in cases(torch):
        if args.only and not re.search(args.only, name):
            continue
        s = time_op(fn, args.repeats, args.min_sample)
        best, med = work / min(s) / 1e9, work / statistics.median(s) / 1e9
        print(f"RESULT torch {nthr} {name:50s} {best:10.3f} {med:10.3f} {unit} "
              f"({min(s) * 1e3:.3f}/{statistics.median(s) * 1e3:.3f} ms)", flush=True)
        if out:
            out.write(json.dumps(dict(backend="torch", threads=nthr, case=name, unit=unit, best=best,
                                      median=med, samples_s=s)) + "\n")
    if out:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
