"""One Langevin step of a 784-256-256-1 swish MLP on a batch of 128, in
PyTorch on the CPU (f32, 2 threads), written as the PyTorch tutorials write
it: the energy summed over the batch, its gradient with respect to the input
by autograd, then x <- x - eps grad E + sqrt(2 eps) xi.

Not part of CI: it needs PyTorch from PyPI in a virtual environment outside
the repository, for example

    python3 -m venv /work/venv-torch
    /work/venv-torch/bin/pip install torch
    /work/venv-torch/bin/python bench/langevin_torch.py

Compare with ours, one after the other on the same machine:

    cargo bench -p ebm-langevin --bench langevin_step -- --fast-only

Both print the minimum and median, over 5 runs of 200 steps, of the mean
time per step. This script also times the six matrix products of the step
(X W1^T, H1 W2^T, H2 w3^T and the three of the backward pass) the same way.
On a busy machine, try `--threads 1` as well: with two threads every small
operation waits for both, and a loaded machine makes that wait long.
"""

import argparse
import time

import torch

BATCH = 128
SIZES = [784, 256, 256, 1]
STEP_SIZE = 1e-3


def energy_net():
    """The energy E(x): swish after every layer but the last."""
    layers = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        layers.append(torch.nn.Linear(n_in, n_out))
        layers.append(torch.nn.SiLU())
    return torch.nn.Sequential(*layers[:-1])


def langevin_step(net, x):
    """x <- x - eps grad_x E(x) + sqrt(2 eps) xi, the gradient by autograd."""
    x = x.detach().requires_grad_(True)
    energy = net(x).sum()
    (grad,) = torch.autograd.grad(energy, x)
    return (x - STEP_SIZE * grad + (2 * STEP_SIZE) ** 0.5 * torch.randn_like(x)).detach()


def products(net, x):
    """The six dense products of the step, nothing else."""
    w1, w2, w3 = net[0].weight, net[2].weight, net[4].weight
    a2 = (x @ w1.T) @ w2.T
    d2 = (a2 @ w3.T) @ w3
    return (d2 @ w2) @ w1


def min_median_ms(f, x, runs, steps):
    """Min and median over `runs` of the mean time of `steps` calls."""
    for _ in range(10):
        x = f(x)
    per_step = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(steps):
            x = f(x)
        per_step.append((time.perf_counter() - start) * 1e3 / steps)
    per_step.sort()
    return per_step[0], per_step[len(per_step) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    net = energy_net().float()
    for p in net.parameters():
        p.requires_grad_(False)  # only the input gradient is needed
    x = torch.rand(BATCH, SIZES[0])
    step = min_median_ms(lambda x: langevin_step(net, x), x, args.runs, args.steps)
    floor = min_median_ms(lambda x: products(net, x) * 0 + x, x, args.runs, args.steps)
    print(
        f"PyTorch {torch.__version__} (CPU, f32, {torch.get_num_threads()} threads, "
        f"784-256-256-1 swish, batch {BATCH}), {args.runs} runs of {args.steps}:"
    )
    print(f"  Langevin step (autograd): min {step[0]:.3f} ms, median {step[1]:.3f} ms per step")
    print(f"  six matrix products: min {floor[0]:.3f} ms, median {floor[1]:.3f} ms")
    print(f"  ratio of the medians: {step[1] / floor[1]:.2f}")


if __name__ == "__main__":
    main()
