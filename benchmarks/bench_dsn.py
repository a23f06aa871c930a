"""Chapter 5 benchmark: what a DSN module's closed form costs as it widens.

Prints a Markdown section (appended to benchmarks/results.md by ``make bench``):
seconds to accumulate H^T H and H^T T, and to solve for U, for several widths L and
sample counts N, with NumPy's BLAS on one thread. The statistics grow as N L^2 (and
split over shards), the solve as L^3 (and does not).
"""

from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from dlcourse.reference import dsn

OUTPUTS = 10
WIDTHS = (250, 500, 1000, 2000)
SAMPLES = (2000, 8000)


def _best_of(function, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    print("## Chapter 5: cost of a DSN module's closed form\n")
    print(
        "NumPy float64, BLAS on one thread, best of 3. Statistics = H^T H and H^T T "
        "over N samples; solve = (H^T H + lambda I) U = H^T T.\n"
    )
    print("| L (hidden units) | N (samples) | statistics (s) | solve (s) |")
    print("|---:|---:|---:|---:|")
    with threadpool_limits(limits=1, user_api="blas"):
        for width in WIDTHS:
            for samples in SAMPLES:
                hidden = rng.random((samples, width))
                targets = dsn.one_hot(rng.integers(0, OUTPUTS, size=samples), OUTPUTS)
                statistics_seconds = _best_of(
                    lambda h=hidden, t=targets: dsn.upper_statistics(h, t)
                )
                gram, cross = dsn.upper_statistics(hidden, targets)
                solve_seconds = _best_of(
                    lambda g=gram, c=cross: dsn.upper_from_statistics(g, c, 1.0)
                )
                row = (
                    width,
                    samples,
                    f"{statistics_seconds:.3f}",
                    f"{solve_seconds:.3f}",
                )
                print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()


if __name__ == "__main__":
    main()
