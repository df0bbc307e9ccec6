#!/usr/bin/env python3
"""Time scikit-learn's BernoulliRBM for one epoch at MNIST shape.

Same shape as `cargo bench -p rbm --bench epoch`: 60,000 x 784 binary
float32 examples (about 13% ones), 500 hidden units, minibatches of 100,
one epoch (n_iter=1). BernoulliRBM trains with PCD-1 (persistent chains).

    python3 bench/sklearn_rbm.py            # creates bench/.venv on first use

The first run creates a virtual environment in bench/.venv (git-ignored) and
installs scikit-learn and numpy from PyPI into it, then re-runs itself there.
The data are those of the Rust benchmark: the 8,000 training digits of
data/mnist-10k binarised at 0.5 and tiled to 60,000 rows.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
PYTHON = VENV / "bin" / "python"


def ensure_venv():
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "scikit-learn", "numpy"], check=True)
    os.execv(str(PYTHON), [str(PYTHON), str(Path(__file__).resolve())] + sys.argv[1:])


def mnist_like(np, rows):
    """data/mnist-10k's training images, binarised at 0.5, tiled to `rows`."""
    import gzip
    raw = gzip.decompress((HERE.parent / "data/mnist-10k/train-images-idx3-ubyte.gz").read_bytes())
    n, r, c = (int.from_bytes(raw[4 * k:4 * k + 4], "big") for k in (1, 2, 3))
    images = np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, r * c)
    binary = (images / 255.0 > 0.5).astype(np.float32)
    return np.ascontiguousarray(binary[np.arange(rows) % n])


def main():
    ensure_venv()
    import numpy as np
    import sklearn
    from sklearn.neural_network import BernoulliRBM

    rows, n_hidden, batch = 60_000, 500, 100
    data = mnist_like(np, rows)
    n_visible = data.shape[1]
    rbm = BernoulliRBM(n_components=n_hidden, batch_size=batch, n_iter=1,
                       learning_rate=0.05, random_state=0, verbose=0)
    start = time.perf_counter()
    rbm.fit(data)
    seconds = time.perf_counter() - start
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}")
    print(f"data: {rows} x {n_visible} float32 binary ({100 * data.mean():.1f}% ones), "
          f"{n_hidden} hidden, batch {batch}, PCD-1, components dtype {rbm.components_.dtype}")
    print(f"BernoulliRBM one epoch: {seconds:.3f} s")


if __name__ == "__main__":
    main()
