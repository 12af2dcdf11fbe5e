"""What this machine's libtorch reaches on fp32 matrix products, for scripts/bench.

The tools' throughput means little without the ceiling: the achieved GFLOP/s of each is reported
as a share of the best of these. Shapes are those that dominate the model (a batch of 4096
sub-tokens through hidden 384 and feed-forward 1536) plus a 1024 cube that any BLAS runs near
its best. Prints JSON on stdout.
"""

import json
import statistics
import sys
import time

import torch

SHAPES = [  # (m, k, n): [m x k] @ [k x n]
    (4096, 384, 1536),
    (4096, 1536, 384),
    (4096, 384, 384),
    (1024, 1024, 1024),
]
WARMUP, REPS = 2, 7


def gflops(m, k, n):
    a, b = torch.randn(m, k), torch.randn(k, n)
    out = torch.empty(m, n)
    for _ in range(WARMUP):
        torch.matmul(a, b, out=out)
    seconds = []
    for _ in range(REPS):
        started = time.perf_counter()
        torch.matmul(a, b, out=out)
        seconds.append(time.perf_counter() - started)
    # The median: one rep slowed by another process should not move the result.
    return 2 * m * k * n / statistics.median(seconds) / 1e9


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    results = [{"m": m, "k": k, "n": n, "gflops": gflops(m, k, n)} for m, k, n in SHAPES]
    json.dump({
        "threads": threads,
        "torch": torch.__version__,
        "shapes": results,
        "peak_gflops": max(r["gflops"] for r in results),
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
