#!/usr/bin/python3
"""PyTorch's Llama training step, waiting for orders, so that cpo4j and torch can take turns.

It runs the step that `torch_llama_step.py --mode step --config CONFIG --threads N --grad-clip 1`
times: that script's model, AdamW and batch, built in the order its main() builds them (the script
is imported, not copied), in the environment its reexec() sets up (the OpenMP build of OpenBLAS,
the malloc tunables, one interop thread). The bench (io.cpo4j.bench.LlamaStepInTurnsBenchmark)
starts one per thread count and OPENBLAS_CORETYPE and sends one line per turn:

  step N      run N training steps; answers "ok MS" (milliseconds per step over the N)
  quit

  /usr/bin/python3 bench/peers/paired_llama_peer.py bench/peers/torch_llama_step.py smollm2-135m 1
"""
import contextlib
import importlib.util
import sys
import time

from order_loop import serve

script, config, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
spec = importlib.util.spec_from_file_location("torch_llama_step", script)
step_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(step_script)  # not as __main__: defines the model and functions, runs nothing
args = step_script.parse(["--mode", "step", "--config", config, "--threads", str(threads), "--grad-clip", "1"])
# Once, as the script does: re-executes this peer (same argv) with its LD_LIBRARY_PATH and GLIBC_TUNABLES.
# The torch loaded above, before them, dies with the exec. Its warnings go to stderr: stdout is for answers.
with contextlib.redirect_stdout(sys.stderr):
    step_script.reexec(args)
torch, F = step_script.torch, step_script.F


def build():
    """torch_llama_step.main(args) in step mode up to its timing loop: the same model, AdamW and batch."""
    c = dict(step_script.CONFIGS[args.config])
    attn = step_script.sdpa_kind() if args.attn == "sdpa" else None
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)
    model = step_script.Llama(c, attn)
    g = torch.Generator().manual_seed(args.seed)
    B, T = args.batch or c["batch"], args.block or c["block"]
    x = torch.randint(0, c["vocab"], (B, T), generator=g)
    y = torch.randint(0, c["vocab"], (B, T), generator=g)
    model.train()
    opt = step_script.adamw(model)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).view(-1, c["vocab"]), y.view(-1))
        loss.backward()
        if args.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        return loss.item()

    return step


def openblas_architecture():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "n/a"
    return next((i.get("architecture") for i in threadpool_info() if i.get("internal_api") == "openblas"), "n/a")


def main():
    step = build()
    print("ready torch %s openblas %s" % (torch.__version__, openblas_architecture()), flush=True)

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
