#!/usr/bin/python3
"""Which BLAS a peer really runs: prints one JSON object for io.cpo4j.bench.PeerBlas to judge.

  /usr/bin/python3 bench/peers/blas_probe.py numpy
  /usr/bin/python3 bench/peers/blas_probe.py torch

Fields of the object:
  library, version, python   what was imported ("version": null and "error" when the import failed)
  threadpool   threadpoolctl.threadpool_info() after the import; null when threadpoolctl is missing
  sgemm        {symbol: file}: the file that defines cblas_sgemm (numpy's matmul) and sgemm_
               (torch's) in the libblas.so.3 the library was linked against, resolved as the
               library resolves it; {} when no libblas.so.3 is loaded (a wheel that links its BLAS
               directly). Debian switches this file with update-alternatives, so it can be the
               reference BLAS while threadpoolctl still sees OpenBLAS (loaded by liblapack.so.3).
  sgemm_backend {file: backend}: for each of those files, the file that defines an optimised BLAS's
               own function (openblas_get_num_threads, MKL_Get_Max_Threads, ...) among the file and
               its dependencies; null for the reference BLAS
  torch_config torch.__config__.show() (torch only): BLAS_INFO=mkl when MKL is linked into torch
  torch_mkl    torch.backends.mkl.is_available() (torch only)

Why not threadpoolctl alone: it reports nothing at all for the reference (netlib) BLAS — on
Linux it skips files named libblas* and knows no netlib controller (joblib/threadpoolctl#159).
"""
import ctypes
import json
import os
import platform
import sys


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


# functions only an optimised BLAS defines (threadpoolctl's check_symbols, and BLIS's)
IMPLEMENTATION_SYMBOLS = ("openblas_get_num_threads", "openblas_get_num_threads64_", "MKL_Get_Max_Threads",
                          "bli_thread_get_num_threads")


def defining_file(handle, symbol):
    """Real path of the file that defines `symbol` as seen from `handle` (the object, then its dependencies), or None."""
    try:
        address = ctypes.cast(getattr(handle, symbol), ctypes.c_void_p).value
    except AttributeError:
        return None
    info = DlInfo()
    if not ctypes.CDLL(None).dladdr(ctypes.c_void_p(address), ctypes.byref(info)) or not info.dli_fname:
        return None
    return os.path.realpath(info.dli_fname.decode())


def sgemm_files():
    """{symbol: file} for cblas_sgemm and sgemm_ from the loaded libblas.so.3, and {file: backend}: the file that
    defines an optimised BLAS's own function among that file's dependencies (Debian's OpenBLAS libblas.so.3 is a
    wrapper that needs libopenblas.so.0), or None (the reference BLAS needs only libc)."""
    try:
        blas = ctypes.CDLL("libblas.so.3", mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
    except OSError:
        return {}, {}
    files = {}
    for symbol in ("cblas_sgemm", "sgemm_"):
        f = defining_file(blas, symbol)
        if f:
            files[symbol] = f
    backends = {}
    for f in set(files.values()):
        handle = ctypes.CDLL(f, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        backends[f] = next((b for b in (defining_file(handle, s) for s in IMPLEMENTATION_SYMBOLS) if b), None)
    return files, backends


def main():
    library = sys.argv[1] if len(sys.argv) > 1 else "numpy"
    out = dict(library=library, python=platform.python_version(), version=None)
    try:
        module = __import__(library)
        out["version"] = module.__version__
    except Exception as e:  # noqa: BLE001 - reported, the bench decides
        out["error"] = "%s: %s" % (type(e).__name__, e)
        print(json.dumps(out))
        return
    try:
        from threadpoolctl import threadpool_info
        out["threadpool"] = threadpool_info()
    except ImportError:
        out["threadpool"] = None
    out["sgemm"], out["sgemm_backend"] = sgemm_files()
    if library == "torch":
        out["torch_config"] = module.__config__.show()
        out["torch_mkl"] = bool(module.backends.mkl.is_available())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
