#!/usr/bin/python3
"""PyTorch's GPT training step, waiting for orders, so that cpo4j and torch can take turns.

It runs the step of ../shared/peers/torch_gpt_step.py: that script's model, optimizer and
batch, built as its main() builds them (the script is imported, not copied), in the same
environment (the OpenMP build of OpenBLAS, the malloc tunables, one interop thread). The bench
(io.cpo4j.bench.TrainStepInTurnsBenchmark) starts one per configuration, thread count and
OPENBLAS_CORETYPE and sends one line per turn:

  step N      run N training steps; answers "ok MS" (milliseconds per step over the N)
  quit

  /usr/bin/python3 bench/peers/paired_train_peer.py ../shared/peers/torch_gpt_step.py tiny 1
"""
import importlib.util
import os
import sys
import time

from order_loop import serve

OPENMP_BLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
MALLOC_TUNE = "glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=4294967296"

script, config, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
if os.environ.get("_GPT_STEP_REEXEC") != "1":
    # as torch_gpt_step.py does: the loader must see these before python starts
    env = dict(os.environ, _GPT_STEP_REEXEC="1", OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    if os.path.isdir(OPENMP_BLAS_DIR):
        env["LD_LIBRARY_PATH"] = OPENMP_BLAS_DIR + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    env.setdefault("GLIBC_TUNABLES", MALLOC_TUNE)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

sys.argv = [script, "--config", config, "--threads", str(threads), "--grad-clip", "1"]
spec = importlib.util.spec_from_file_location("torch_gpt_step", script)
step_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(step_script)
torch = step_script.torch


def build():
    """torch_gpt_step.main() up to its step(): the same model, optimizer groups and batch."""
    args = step_script.args
    cfg = dict(step_script.CONFIGS[args.config])
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)
    V, L, H, C, T, B = (cfg[k] for k in ("vocab", "n_layer", "n_head", "n_embd", "block", "batch"))
    model = step_script.GPT(V, L, H, C, T, args.attn)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
                             {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
                            lr=6e-4, betas=(0.9, 0.95), eps=1e-8)
    g = torch.Generator().manual_seed(args.seed)
    x = torch.randint(0, V, (B, T), generator=g)
    y = torch.randint(0, V, (B, T), generator=g)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        return loss.item()

    return step


def main():
    step = build()
    arch = "n/a"
    if step_script.threadpool_info:
        arch = next((i.get("architecture") for i in step_script.threadpool_info() if i.get("internal_api") == "openblas"), "n/a")
    print("ready torch %s openblas %s" % (torch.__version__, arch), flush=True)
    def handle(words):
        if words[0] != "step":
            raise ValueError("unknown order " + words[0])
        n = max(1, int(words[1]))
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        return (time.perf_counter() - t0) * 1e3 / n

    serve(handle)

if __name__ == "__main__":
    main()
