#!/usr/bin/env python3
"""An independent brute force for `boltzmann exact` on DBN and RBM files.

Pure Python (standard library only, so CI's system Python runs it). It
writes random small `format = "dbn"` and `format = "rbm"` files and binary
data, solves them by summing over every joint state of every layer, and
compares with `boltzmann exact --json`:

- RBM: log Z = log sum_{v,h} e^{-E(v,h)}, eq. (3.1), and the mean
  log p(v) = log sum_h e^{-E(v,h)} - log Z.
- DBN (Hinton, Osindero & Teh 2006; chapter 10): the top RBM joins
  h_{K-1}, h_K and, if the file has `[labels]`, a one-hot label l that is
  marginalised (summed over its L settings; never clamped, never free
  binary units), as eq. (10.8) defines p*(h_{K-1}). Below it each layer k is
  directed, p(h_{k-1} | h_k) = prod sigmoid(b_k + W_k^T h_k). Here p(h_1) is
  a sum over the joint states (h_1, ..., h_K, l) of the whole upper net, not
  the layer-by-layer push-down the crate uses; log p(v) = log sum_{h1}
  p(h1) p(v|h1), eq. (10.4); the bound of eq. (10.6) is
  sum_{h1} q(h1|v) [log p(h1) + log p(v|h1) - log q(h1|v)] with
  q(h1|v) = prod sigmoid(c_1 + W_1 v).

Usage: check_exact.py --bin path/to/boltzmann [--cases N] [--seed S]
Exit status 0 when every case agrees to 1e-9 (relative to max(1, |x|)),
1 otherwise, with one line per disagreement. `--plant labels-binary` (the
labels summed as free binary units) or `--plant no-entropy` (the bound
without its entropy term) breaks the brute force on purpose: those runs
must disagree, which shows that the comparison can fail.
"""

import argparse
import itertools
import json
import math
import os
import random
import subprocess
import sys
import tempfile

TOLERANCE = 1e-9
PLANT = None  # a deliberate mistake in this checker (--plant), to show it can fail


def softplus(a):
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def log_sum_exp(values):
    values = list(values)
    top = max(values)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(x - top) for x in values))


def states(n):
    return list(itertools.product((0, 1), repeat=n))


def dot(u, v):
    return sum(a * b for a, b in zip(u, v))


def log_bernoulli(x, logits):
    """log prod_j sigmoid(a_j)^{x_j} (1 - sigmoid(a_j))^{1 - x_j}."""
    return sum(xj * a - softplus(a) for xj, a in zip(x, logits))


class Layer:
    """weights: n_hidden rows of n_visible values, as in the file."""

    def __init__(self, visible_bias, hidden_bias, weights):
        self.b, self.c, self.w = visible_bias, hidden_bias, weights

    def minus_energy(self, v, h):
        return dot(self.b, v) + dot(self.c, h) + sum(
            h[i] * dot(self.w[i], v) for i in range(len(h))
        )

    def down_logits(self, h):
        return [
            self.b[j] + sum(self.w[i][j] * h[i] for i in range(len(h)))
            for j in range(len(self.b))
        ]

    def up_logits(self, v):
        return [self.c[i] + dot(self.w[i], v) for i in range(len(self.c))]

    def toml(self, header):
        return (
            f"{header}\nvisible_bias = {fmt(self.b)}\nhidden_bias = {fmt(self.c)}\n"
            f"weights = {fmt(self.w)}\n"
        )


def fmt(x):
    if isinstance(x, list):
        return "[" + ", ".join(fmt(e) for e in x) + "]"
    return repr(float(x))


def random_layer(rng, n_visible, n_hidden, scale):
    return Layer(
        [rng.gauss(0, scale) for _ in range(n_visible)],
        [rng.gauss(0, scale) for _ in range(n_hidden)],
        [[rng.gauss(0, scale) for _ in range(n_visible)] for _ in range(n_hidden)],
    )


# ---------------------------------------------------------------- RBM


def rbm_truth(layer, data):
    nv, nh = len(layer.b), len(layer.c)
    joint = [layer.minus_energy(v, h) for v in states(nv) for h in states(nh)]
    log_z = log_sum_exp(joint)
    log_p = [log_sum_exp(layer.minus_energy(v, h) for h in states(nh)) - log_z for v in data]
    return {"log_partition": log_z, "mean_log_likelihood": sum(log_p) / len(log_p)}


# ---------------------------------------------------------------- DBN


def log_p_h1_table(layers, labels):
    """log p(h1) for every h1, summing the joint of (h1, ..., h_K, l)."""
    top = layers[-1]
    directed = layers[1:-1]  # layer k (k >= 2) generates h_{k-1} from h_k
    sizes = [len(layer.c) for layer in layers]  # sizes[k-1] = |h_k|
    label_settings = range(len(labels["bias"])) if labels else [None]
    if labels and PLANT == "labels-binary":  # every 0/1 pattern, the known mistake
        label_settings = states(len(labels["bias"]))
    terms = {h1: [] for h1 in states(sizes[0])}
    for hs in itertools.product(*(states(n) for n in sizes)):
        for l in label_settings:
            x, h_top = hs[-2], hs[-1]
            log_w = top.minus_energy(x, h_top)
            if isinstance(l, tuple):
                log_w += sum(
                    l[m] * (labels["bias"][m] + dot(h_top, [row[m] for row in labels["weights"]]))
                    for m in range(len(l))
                )
            elif l is not None:
                log_w += labels["bias"][l] + sum(
                    h_top[i] * labels["weights"][i][l] for i in range(len(h_top))
                )
            for k, layer in enumerate(directed):  # p(h_{k+1} | h_{k+2}), k from 0
                log_w += log_bernoulli(hs[k], layer.down_logits(hs[k + 1]))
            terms[hs[0]].append(log_w)
    log_z = log_sum_exp(w for ws in terms.values() for w in ws)
    return {h1: log_sum_exp(ws) - log_z for h1, ws in terms.items()}, log_z


def dbn_truth(layers, labels, data):
    table, log_z = log_p_h1_table(layers, labels)
    bottom = layers[0]
    log_ps, bounds = [], []
    for v in data:
        log_ps.append(
            log_sum_exp(lp + log_bernoulli(v, bottom.down_logits(h1)) for h1, lp in table.items())
        )
        up = bottom.up_logits(v)
        bound = 0.0
        for h1, lp in table.items():
            log_q = log_bernoulli(h1, up)
            q = math.exp(log_q)
            entropy_term = 0.0 if PLANT == "no-entropy" else -log_q
            if q > 0.0:
                bound += q * (lp + log_bernoulli(v, bottom.down_logits(h1)) + entropy_term)
        bounds.append(bound)
    n = len(data)
    return {
        "log_partition": log_z,
        "mean_log_likelihood": sum(log_ps) / n,
        "mean_lower_bound": sum(bounds) / n,
    }


def random_dbn(rng, case):
    """Shapes from 1 unit up; 2 or 3 layers; labels in about half the cases."""
    n_layers = 2 + case % 2
    odd = case % 5 == 0
    sizes = [rng.randint(1, 4) if not odd else 1 for _ in range(n_layers + 1)]
    sizes[0] = rng.randint(1, 5)
    scale = [0.5, 1.5, 4.0][case % 3]
    layers = [random_layer(rng, sizes[k], sizes[k + 1], scale) for k in range(n_layers)]
    labels = None
    if case % 4 in (1, 2):
        n_labels = rng.randint(2, 4)
        labels = {
            "bias": [rng.gauss(0, scale) for _ in range(n_labels)],
            "weights": [[rng.gauss(0, scale) for _ in range(n_labels)] for _ in range(sizes[-1])],
        }
    text = 'format = "dbn"\nversion = 1\n'
    text += "".join(layer.toml("[[layers]]") for layer in layers)
    if labels:
        text += (
            f"[labels]\nn_labels = {len(labels['bias'])}\nbias = {fmt(labels['bias'])}\n"
            f"weights = {fmt(labels['weights'])}\n"
        )
    return layers, labels, text


def random_data(rng, n_visible):
    rows = [[rng.randint(0, 1) for _ in range(n_visible)] for _ in range(rng.randint(1, 7))]
    return rows + rows[:1]  # a repeated row


# ---------------------------------------------------------------- driver


def run_exact(binary, model_path, data_path):
    out = subprocess.run(
        [binary, "exact", model_path, "--data", data_path, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"exit {out.returncode}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def compare(name, truth, report):
    problems = []
    for key, want in truth.items():
        got = report.get(key)
        if not isinstance(got, (int, float)) or abs(got - want) > TOLERANCE * max(1.0, abs(want)):
            problems.append(f"{name}: {key} is {got}, brute force gives {want!r}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="the boltzmann executable")
    parser.add_argument("--cases", type=int, default=40, help="random files of each format")
    parser.add_argument("--seed", type=int, default=2006)
    parser.add_argument(
        "--plant",
        choices=["labels-binary", "no-entropy"],
        help="plant a known mistake in the brute force: the run must then disagree",
    )
    args = parser.parse_args()
    global PLANT
    PLANT = args.plant
    rng = random.Random(args.seed)
    problems, checked = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(args.cases):
            for kind in ("rbm", "dbn"):
                model_path = os.path.join(tmp, f"{kind}{case}.toml")
                data_path = os.path.join(tmp, f"{kind}{case}.csv")
                if kind == "rbm":
                    layer = random_layer(rng, rng.randint(1, 6), rng.randint(1, 6), 1.0 + case % 4)
                    text = 'format = "rbm"\nversion = 1\n' + layer.toml("")
                    data = random_data(rng, len(layer.b))
                    truth = rbm_truth(layer, data)
                else:
                    layers, labels, text = random_dbn(rng, case)
                    data = random_data(rng, len(layers[0].b))
                    truth = dbn_truth(layers, labels, data)
                with open(model_path, "w") as f:
                    f.write(text)
                with open(data_path, "w") as f:
                    f.write("".join(",".join(map(str, row)) + "\n" for row in data))
                try:
                    report = run_exact(args.bin, model_path, data_path)
                except (RuntimeError, json.JSONDecodeError) as e:
                    problems.append(f"{kind} case {case}: {e}")
                    continue
                problems += compare(f"{kind} case {case} ({model_path})", truth, report)
                checked += 1
        for line in problems:
            print(line)
        print(f"{checked} files checked against the brute force, {len(problems)} disagreements")
        if problems:
            input_kept = os.path.join(tempfile.gettempdir(), "check_exact_failures")
            os.makedirs(input_kept, exist_ok=True)
            for name in os.listdir(tmp):
                with open(os.path.join(tmp, name)) as src, open(os.path.join(input_kept, name), "w") as dst:
                    dst.write(src.read())
            print(f"the inputs are kept in {input_kept}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
