#!/usr/bin/env python3
"""End to end, in the same run: `boltzmann train` on a CSV file against
scikit-learn's BernoulliRBM.fit on the same array.

    python3 bench/end_to_end.py                  # 20,000 and 60,000 rows, 5 runs each
    python3 bench/end_to_end.py --rows 20000 --runs 3
    python3 bench/end_to_end.py --rows 20000 --sklearn-threads 1

For each size it writes a binary CSV (data/mnist-10k's 8,000 training
digits binarised at 0.5, tiled to the number of rows, 784 values a line)
into a temporary folder, then alternates, several times:
- `boltzmann train --data FILE.csv --hidden 500 --cd 1 --epochs 1
  --batch-size 100` (the release build; the time is the whole process:
  loading the CSV, one epoch, the monitors, the checkpoints, the model file);
- `BernoulliRBM(n_components=500, batch_size=100, n_iter=1).fit(X)` on the
  same array in float32, limited to 2 threads (the time is `fit` alone: the
  array is already in memory).
It prints every time, the medians and their ratio (scikit-learn / ours).

scikit-learn runs from a virtual environment: BENCH_VENV (default
bench/.venv, git-ignored), created with `pip install scikit-learn numpy` if
missing. Times on a shared machine move with its load; the script prints the
load average before and after, and only the ratio, timed in the same run,
is meaningful.
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

# Before numpy is imported: BLAS and OpenMP use at most 2 threads.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "2"

from bench_env import ROOT, ensure_venv, mnist_like

BOLTZMANN = ROOT / "target" / "release" / "boltzmann"


def write_csv(np, path, binary):
    """`0,1,...\\n` per row: the digit, then a comma (a newline at the end)."""
    rows, cols = binary.shape
    text = np.empty((rows, 2 * cols), dtype=np.uint8)
    text[:, 0::2] = binary + ord("0")
    text[:, 1::2] = ord(",")
    text[:, -1] = ord("\n")
    path.write_bytes(text.tobytes())


def time_ours(csv, out):
    command = [str(BOLTZMANN), "train", "--data", str(csv), "--hidden", "500", "--cd", "1",
               "--epochs", "1", "--batch-size", "100", "--out", str(out), "--force", "--quiet"]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def time_sklearn(data):
    from sklearn.neural_network import BernoulliRBM
    rbm = BernoulliRBM(n_components=500, batch_size=100, n_iter=1, learning_rate=0.05,
                       random_state=0, verbose=0)
    start = time.perf_counter()
    rbm.fit(data)
    return time.perf_counter() - start


def compare(np, rows, runs, folder):
    binary = mnist_like(np, rows)
    csv = folder / f"mnist-like-{rows}.csv"
    write_csv(np, csv, binary)
    data = binary.astype(np.float32)
    size_mb = csv.stat().st_size / 1e6
    print(f"\n{rows} x {data.shape[1]} binary ({100 * data.mean():.1f}% ones), "
          f"CSV of {size_mb:.1f} MB; 500 hidden, CD-1 (scikit-learn: PCD-1), batch 100, 1 epoch")
    ours, theirs = [], []
    for run in range(runs):
        ours.append(time_ours(csv, folder / "model.toml"))
        theirs.append(time_sklearn(data))
        print(f"  run {run + 1}: boltzmann train {ours[-1]:6.2f} s   "
              f"BernoulliRBM.fit {theirs[-1]:6.2f} s")
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"  medians: boltzmann train {a:.2f} s (loading included), "
          f"BernoulliRBM.fit {b:.2f} s; ratio {b / a:.2f} (scikit-learn / ours)")


def main():
    ensure_venv(__file__)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append",
                        help="rows of the CSV (repeatable; default 20000 and 60000)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sklearn-threads", type=int, default=2,
                        help="BLAS threads for scikit-learn (default 2, the machine's cores)")
    args = parser.parse_args()
    import numpy as np
    import sklearn
    from threadpoolctl import threadpool_limits
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "boltzmann-cli"],
                   cwd=ROOT, check=True)
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} processors, load average {os.getloadavg()[0]:.1f} before")
    print(f"scikit-learn limited to {args.sklearn_threads} BLAS threads")
    with threadpool_limits(args.sklearn_threads), tempfile.TemporaryDirectory() as folder:
        for rows in args.rows or [20_000, 60_000]:
            compare(np, rows, args.runs, Path(folder))
    print(f"load average {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
