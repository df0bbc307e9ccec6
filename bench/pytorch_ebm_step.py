"""One Langevin step of a 784-256-256-1 swish MLP on a batch of 128, written
the way the PyTorch EBM tutorials write it (autograd for the input gradient),
on the CPU with 2 threads. Compare with `cargo bench -p ebm-langevin --bench
langevin_step`, run on the same machine one after the other.

Needs PyTorch (a download of several GB, never part of CI):

    python3 -m venv .venv && .venv/bin/pip install torch
    .venv/bin/python bench/pytorch_ebm_step.py

Prints the median time of one step and of the six matrix products it needs.
"""

import statistics
import time

import torch

torch.set_num_threads(2)
torch.manual_seed(1)

BATCH, REPEATS = 128, 200
net = torch.nn.Sequential(
    torch.nn.Linear(784, 256), torch.nn.SiLU(),
    torch.nn.Linear(256, 256), torch.nn.SiLU(),
    torch.nn.Linear(256, 1),
)
for p in net.parameters():
    p.requires_grad_(False)
x = torch.rand(BATCH, 784)
eps = 1e-3


def langevin_step(x):
    # The tutorials' step: energies, autograd for grad_x E, then noise.
    x = x.detach().requires_grad_(True)
    energy = net(x).sum()  # the output is the energy: low = likely
    (grad,) = torch.autograd.grad(energy, x)
    return (x - eps * grad + (2 * eps) ** 0.5 * torch.randn_like(x)).detach()


w1, w2, w3 = net[0].weight, net[2].weight, net[4].weight


def products(x):
    a1 = x @ w1.T
    a2 = a1 @ w2.T
    a3 = a2 @ w3.T
    d2 = a3 @ w3
    d1 = d2 @ w2
    return d1 @ w1


def median_ms(f, *args):
    for _ in range(10):
        f(*args)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


step = median_ms(langevin_step, x)
floor = median_ms(products, x)
print(f"PyTorch {torch.__version__}, 2 threads, batch {BATCH}, median of {REPEATS}:")
print(f"  Langevin step (autograd): {step:.3f} ms")
print(f"  six matrix products: {floor:.3f} ms")
print(f"  ratio: {step / floor:.2f}")
