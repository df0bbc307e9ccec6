#!/usr/bin/env python3
"""An independent check of `boltzmann ebm sample` against quadrature.

Pure Python (standard library only). It writes random `format = "ebm"`
files in 1-D and 2-D whose energy grows at least linearly in every
direction (pairs of units act(u.x + b) + act(-u.x + b') with positive
output weights, plus random units that bend the density into one or more
modes), computes p(x) = e^{-E(x)} / Z by the midpoint rule on a fine grid
(chapter 11's oracle, written again here from the file's numbers), draws
samples with `boltzmann ebm sample --sampler mala|ula|annealed`, and runs a
chi-square test of the samples' counts in coarse cells against the
quadrature probabilities of those cells (cells with an expected count under
5 are merged).

A case passes when its p-value is above 1e-4. The same samples are also
tested against the density at temperature 1/2, e^{-2E}, which is what a
sampler with noise sqrt(eps) instead of sqrt(2 eps) draws; and ULA run with
--temperature 0.5 (that broken sampler, through the CLI) is tested against
e^{-E}: both must be rejected (p < 1e-6), which shows the test can fail.

Usage: check_ebm.py --bin path/to/boltzmann [--cases N] [--samples N]
"""

import argparse
import math
import os
import random
import subprocess
import sys
import tempfile

PASS_P = 1e-4
REJECT_P = 1e-6


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))


def softplus(a):
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


ACTIVATIONS = {"swish": lambda a: a * sigmoid(a), "softplus": softplus}


def energy(model, x):
    act = ACTIVATIONS[model["activation"]]
    h = list(x)
    for k, (w, b) in enumerate(model["layers"]):
        h = [sum(wij * hj for wij, hj in zip(row, h)) + bi for row, bi in zip(w, b)]
        if k + 1 < len(model["layers"]):
            h = [act(a) for a in h]
    return h[0]


def random_model(rng, d, activation):
    """A confining energy: for each direction u, act(s u.x - t) + act(-s u.x - t)
    grows like s |u.x|; a few extra units with small output weights bend it."""
    n_directions = 1 if d == 1 else 3
    rows, bias = [], []
    for k in range(n_directions):
        angle = math.pi * k / n_directions + rng.uniform(0, 0.3)
        u = [1.0] if d == 1 else [math.cos(angle), math.sin(angle)]
        s = rng.uniform(1.5, 3.0)
        for sign in (1, -1):
            rows.append([sign * s * ui for ui in u])
            bias.append(-rng.uniform(0.0, 3.0))
    n_confining = len(rows)
    for _ in range(rng.randint(1, 3)):
        rows.append([rng.gauss(0, 1.5) for _ in range(d)])
        bias.append(rng.gauss(0, 1))
    out = [rng.uniform(1.0, 2.0) for _ in range(n_confining)]
    # Extra units: |output weight| below the confining slope, so E still grows.
    out += [rng.uniform(-0.4, 0.4) for _ in range(len(rows) - n_confining)]
    return {"activation": activation, "layers": [(rows, bias), ([out], [0.0])]}


def toml(model):
    def fmt(x):
        if isinstance(x, list):
            return "[" + ", ".join(fmt(e) for e in x) + "]"
        return repr(float(x))

    text = f'format = "ebm"\nversion = 1\nactivation = "{model["activation"]}"\n'
    for w, b in model["layers"]:
        text += f"[[layers]]\nweights = {fmt(w)}\nbias = {fmt(b)}\n"
    return text


def quadrature(model, d, half_width, n_fine, beta):
    """Probabilities of the fine cells of [-a, a]^d by the midpoint rule for
    the density proportional to e^{-beta E}, and the mass left at the border."""
    h = 2 * half_width / n_fine
    centres = [-half_width + (i + 0.5) * h for i in range(n_fine)]
    points = [(x,) for x in centres] if d == 1 else [(x, y) for x in centres for y in centres]
    log_w = [-beta * energy(model, p) for p in points]
    top = max(log_w)
    w = [math.exp(lw - top) for lw in log_w]
    total = sum(w)
    return points, [x / total for x in w]


def coarse_cells(points, probs, d, half_width, n_coarse):
    width = 2 * half_width / n_coarse
    cells = {}
    for p, q in zip(points, probs):
        key = tuple(min(n_coarse - 1, int((x + half_width) / width)) for x in p)
        cells[key] = cells.get(key, 0.0) + q
    return cells


def cell_of(x, half_width, n_coarse):
    width = 2 * half_width / n_coarse
    return tuple(min(n_coarse - 1, max(0, int((xi + half_width) / width))) for xi in x)


def chi_square_p(counts, probs, n):
    """Merge cells (smallest expectation first) until each expects >= 5."""
    pairs = sorted(zip(probs, counts))
    merged, acc_p, acc_c = [], 0.0, 0
    for p, c in pairs:
        acc_p += p
        acc_c += c
        if acc_p * n >= 5:
            merged.append((acc_p, acc_c))
            acc_p, acc_c = 0.0, 0
    if acc_p > 0 or acc_c > 0:
        if merged:
            p, c = merged.pop()
            merged.append((p + acc_p, c + acc_c))
        else:
            merged.append((acc_p, acc_c))
    stat = sum((c - n * p) ** 2 / (n * p) for p, c in merged)
    return stat, len(merged) - 1, upper_gamma_q((len(merged) - 1) / 2, stat / 2)


def upper_gamma_q(a, x):
    """Regularised upper incomplete gamma Q(a, x) (Numerical Recipes 6.2)."""
    if a <= 0:
        return 1.0
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(10000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return 1.0 - total * math.exp(-x + a * math.log(x) - math.lgamma(a))
    b, c, dd = x + 1 - a, 1e300, 1.0 / (x + 1 - a)
    h = dd
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2
        dd = an * dd + b
        dd = 1e-300 if abs(dd) < 1e-300 else dd
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        dd = 1.0 / dd
        delta = dd * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def sample(binary, model_path, out_path, sampler, n, seed, extra):
    cmd = [binary, "ebm", "sample", model_path, "--sampler", sampler, "-n", str(n)]
    cmd += ["--seed", str(seed), "--out", out_path, "--force"] + extra
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {run.returncode}: {run.stderr.strip()}")
    with open(out_path) as f:
        return [tuple(float(v) for v in line.split(",")) for line in f if line.strip()]


SAMPLER_FLAGS = {
    "mala": [],
    "ula": ["--step-size", "0.005", "--steps", "4000"],
    "annealed": ["--step-size", "0.005", "--steps", "4000"],
}


def test_samples(samples, cells, half_width, n_coarse):
    counts = {key: 0 for key in cells}
    for x in samples:
        key = cell_of(x, half_width, n_coarse)
        counts[key] = counts.get(key, 0) + 1
    keys = list(counts)
    return chi_square_p([counts[k] for k in keys], [cells.get(k, 0.0) for k in keys], len(samples))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--cases", type=int, default=4, help="random models per dimension")
    parser.add_argument("--samples", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    half_width, failures = 8.0, []
    with tempfile.TemporaryDirectory() as tmp:
        for d in (1, 2):
            n_fine, n_coarse = (1600, 64) if d == 1 else (160, 32)
            for case in range(args.cases):
                model = random_model(rng, d, ["swish", "softplus"][case % 2])
                path = os.path.join(tmp, f"ebm{d}d{case}.toml")
                with open(path, "w") as f:
                    f.write(toml(model))
                points, probs = quadrature(model, d, half_width, n_fine, 1.0)
                border = sum(q for p, q in zip(points, probs) if max(map(abs, p)) > half_width - 1)
                if border > 1e-6:
                    failures.append(f"{path}: mass {border:.1e} near the border; the checker's model is too wide")
                    continue
                cells = coarse_cells(points, probs, d, half_width, n_coarse)
                cold = coarse_cells(*quadrature(model, d, half_width, n_fine, 2.0), d, half_width, n_coarse)
                out = os.path.join(tmp, "samples.csv")
                for sampler, flags in SAMPLER_FLAGS.items():
                    seed = 1000 * d + 100 * list(SAMPLER_FLAGS).index(sampler) + case
                    xs = sample(args.bin, path, out, sampler, args.samples, seed, flags)
                    stat, dof, p = test_samples(xs, cells, half_width, n_coarse)
                    _, _, p_cold = test_samples(xs, cold, half_width, n_coarse)
                    verdict = "ok" if p > PASS_P and p_cold < REJECT_P else "FAIL"
                    line = (f"{d}-D case {case} {model['activation']:8} {sampler:8} "
                            f"chi2 = {stat:7.1f} on {dof:3} dof, p = {p:.3g}; "
                            f"against e^(-2E): p = {p_cold:.2g}  {verdict}")
                    print(line)
                    if verdict != "ok":
                        failures.append(f"{path}: {line}")
                broken = sample(args.bin, path, out, "ula", args.samples, 7,
                                SAMPLER_FLAGS["ula"] + ["--temperature", "0.5"])
                _, _, p_broken = test_samples(broken, cells, half_width, n_coarse)
                verdict = "rejected" if p_broken < REJECT_P else "NOT REJECTED"
                print(f"{d}-D case {case} broken ula (temperature 1/2): p = {p_broken:.2g}  {verdict}")
                if p_broken >= REJECT_P:
                    failures.append(f"{path}: the broken sampler was not rejected (p = {p_broken:.3g})")
    for line in failures:
        print(line)
    print(f"{2 * args.cases} models, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
