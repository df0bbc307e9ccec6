#!/usr/bin/env python3
"""scikit-learn's gallery example "Restricted Boltzmann Machine features for
digit classification" on the shipped digits, for comparison with
`cargo run --release -p experiments -- dbn-digits`.

    python3 bench/sklearn_digits.py          # creates a venv on first use

The venv is BENCH_VENV (default bench/.venv, git-ignored), with
scikit-learn and numpy from PyPI. The script
follows the example (nudge by one pixel in four directions, minmax scaling,
train_test_split(test_size=0.2, random_state=0), BernoulliRBM with 100
components, learning rate 0.06, 10 iterations, LogisticRegression with C=6000
on RBM features and C=100 on pixels), reading data/digits-8x8/digits.csv.gz
(the file load_digits reads). It runs the logistic regressions twice: with
the example's tol=1 and with tol=1e-4.
"""
import gzip

from bench_env import ROOT, ensure_venv


def main():
    ensure_venv(__file__)
    import numpy as np
    import sklearn
    from scipy.ndimage import convolve
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import BernoulliRBM
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import minmax_scale

    rows = gzip.decompress((ROOT / "data/digits-8x8/digits.csv.gz").read_bytes()).decode().split()
    table = np.array([[float(x) for x in r.split(",")] for r in rows])
    X, Y = table[:, :64], table[:, 64].astype(int)

    def nudge_dataset(X, Y):
        direction_vectors = [
            [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
            [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
            [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
            [[0, 0, 0], [0, 0, 0], [0, 1, 0]],
        ]

        def shift(x, w):
            return convolve(x.reshape((8, 8)), mode="constant", weights=w).ravel()

        X = np.concatenate([X] + [np.apply_along_axis(shift, 1, X, vector) for vector in direction_vectors])
        Y = np.concatenate([Y for _ in range(5)], axis=0)
        return X, Y

    X, Y = nudge_dataset(X, Y)
    X = minmax_scale(X, feature_range=(0, 1))
    X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.2, random_state=0)
    print(f"scikit-learn {sklearn.__version__}: {len(Y_train)} training and {len(Y_test)} test images")
    for tol in (1, 1e-4):
        rbm = BernoulliRBM(random_state=0, learning_rate=0.06, n_iter=10, n_components=100)
        logistic = LogisticRegression(solver="newton-cg", tol=tol, C=6000)
        model = Pipeline(steps=[("rbm", rbm), ("logistic", logistic)]).fit(X_train, Y_train)
        raw = LogisticRegression(solver="newton-cg", tol=tol, C=100.0).fit(X_train, Y_train)
        print(f"tol={tol}: RBM features {model.score(X_test, Y_test):.3f}, raw pixels {raw.score(X_test, Y_test):.3f}")


if __name__ == "__main__":
    main()
