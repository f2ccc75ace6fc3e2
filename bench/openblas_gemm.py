#!/usr/bin/env python3
"""Times numpy's (OpenBLAS) sgemm C = op(A) op(B) and prints one JSON line with the keys of `attend bench gemm`.

Run with Debian's /usr/bin/python3. The thread count must be fixed before numpy loads OpenBLAS, so this script sets
OPENBLAS_NUM_THREADS itself. The OpenBLAS kernel in use (openblas_get_corename) is printed as "kernel".
"""
import argparse
import ctypes
import json
import os
import sys
import time


def parse():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--size", type=int, default=1024, help="m = n = k unless --m/--n/--k are given")
    p.add_argument("--m", type=int)
    p.add_argument("--n", type=int)
    p.add_argument("--k", type=int)
    p.add_argument("--transpose", default="nn", choices=["nn", "nt", "tn", "tt"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    return p.parse_args()


def corename():
    """The OpenBLAS kernel name, read from the library numpy loaded."""
    with open("/proc/self/maps", encoding="utf-8") as maps:
        libs = sorted({line.split()[-1] for line in maps if "libopenblas" in line})
    if not libs:
        return "unknown"
    lib = ctypes.CDLL(libs[0])
    lib.openblas_get_corename.restype = ctypes.c_char_p
    return lib.openblas_get_corename().decode()


def main():
    args = parse()
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import numpy as np  # after OPENBLAS_NUM_THREADS, which OpenBLAS reads once when it loads

    m = args.m or args.size
    n = args.n or args.size
    k = args.k or args.size
    rng = np.random.default_rng(1)
    a = (rng.random((k, m) if args.transpose[0] == "t" else (m, k), dtype=np.float32) - 0.5)
    b = (rng.random((n, k) if args.transpose[1] == "t" else (k, n), dtype=np.float32) - 0.5)
    op_a = a.T if args.transpose[0] == "t" else a
    op_b = b.T if args.transpose[1] == "t" else b
    c = np.empty((m, n), dtype=np.float32)

    def run():
        np.matmul(op_a, op_b, out=c)

    run()
    start = time.perf_counter()
    run()
    once = max(time.perf_counter() - start, 1e-7)
    batch = int(min(max(0.02 / once, 1), 100_000))
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        for _ in range(batch):
            run()
        best = min(best, (time.perf_counter() - start) / batch)
    print(json.dumps({
        "op": "gemm", "size": args.size, "m": m, "n": n, "k": k, "transpose": args.transpose,
        "kernel": corename(), "threads": args.threads, "seconds": round(best, 6),
        "gflops": round(2.0 * m * n * k / best / 1e9, 2),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
