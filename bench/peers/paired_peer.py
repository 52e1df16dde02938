#!/usr/bin/python3
"""A peer that waits for orders, so that cpo4j and the native library can take turns.

The bench runner (io.cpo4j.bench.PairedKernels) starts this script once per thread count (and
OPENBLAS_CORETYPE), with OPENBLAS_NUM_THREADS and OMP_NUM_THREADS set as
../shared/peers/numpy_gemm_softmax.py sets them, and sends one line per slice:

  gemm BATCH M K N SECONDS [TA TB]
                                  np.matmul(a, b, out=c) on float32, as numpy_gemm_softmax.py;
                                  TA / TB = 1: a (or b) is the transposed view of a row-major
                                  array, which numpy hands to sgemm as a transpose flag
  softmax ROWS COLS SECONDS       torch.softmax(x, dim=-1), as numpy_gemm_softmax.py
  quit

For each order it runs the operation over and over for SECONDS and answers one line,
"ok RATE" (GFLOPS for gemm, Gelem/s for softmax), or "error MESSAGE". Operands are made once
per shape (seeded) and kept, so that a slice times only the operation. The first slice of a
shape also warms it up.

  printf 'gemm 1 256 256 256 0.5\\nquit\\n' | OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/paired_peer.py 1
"""
import platform
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from order_loop import serve

try:
    import torch
except ImportError:  # softmax orders then answer with an error
    torch = None


def timed_rate(fn, seconds, work):
    """Calls fn until `seconds` have passed; work per call / seconds per call."""
    calls = 0
    t0 = time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return work * calls / elapsed / 1e9


def main():
    threads = int(sys.argv[1])
    if torch is not None:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    ops = {}
    arch = next((i.get("architecture") for i in threadpool_info() if i.get("internal_api") == "openblas"), "n/a")
    print("ready python %s numpy %s torch %s openblas %s"
          % (platform.python_version(), np.__version__, torch.__version__ if torch else "n/a", arch), flush=True)
    def handle(words):
        if words[0] == "gemm":
            b, m, k, n = (int(w) for w in words[1:5])
            seconds = float(words[5])
            ta, tb = (words[6] == "1", words[7] == "1") if len(words) >= 8 else (False, False)
            if b > 1 and (ta or tb):
                raise ValueError("transposed operands are for single products")
            key = ("gemm", b, m, k, n, ta, tb)
            if key not in ops:
                if ta:
                    x = rng.standard_normal((k, m), dtype=np.float32).T
                else:
                    x = rng.standard_normal((b, m, k) if b > 1 else (m, k), dtype=np.float32)
                if tb:
                    y = rng.standard_normal((n, k), dtype=np.float32).T
                else:
                    y = rng.standard_normal((b, k, n) if b > 1 else (k, n), dtype=np.float32)
                z = np.empty((b, m, n) if b > 1 else (m, n), dtype=np.float32)
                ops[key] = lambda x=x, y=y, z=z: np.matmul(x, y, out=z)
                timed_rate(ops[key], 0.3, 1.0)
            return timed_rate(ops[key], seconds, 2.0 * b * m * k * n)
        if words[0] == "softmax":
            if torch is None:
                raise RuntimeError("torch is not installed")
            rows, cols = int(words[1]), int(words[2])
            seconds = float(words[3])
            key = ("softmax", rows, cols)
            if key not in ops:
                x = torch.from_numpy(rng.standard_normal((rows, cols), dtype=np.float32))
                ops[key] = lambda x=x: torch.softmax(x, dim=-1)
                timed_rate(ops[key], 0.3, 1.0)
            return timed_rate(ops[key], seconds, float(rows * cols))
        raise ValueError("unknown order " + words[0])

    with threadpool_limits(limits=threads):
        serve(handle)

if __name__ == "__main__":
    main()
